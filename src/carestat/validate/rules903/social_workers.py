"""Social worker episodes (from 2023/24): who the child's social worker was, when each
episode began and ended, why the social worker changed, and how episodes follow each other.
The end of the year and care episodes are in social_worker_cover.py."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import days_between, invalid, position_in_run
from carestat.validate.registry import Example, Where, fail, ok, rule, where

# Social worker change reasons are required for episodes beginning on or after this date.
_REASONS_FROM = dt.date(2023, 4, 1)


def _given(field: str) -> pl.Expr:
    """A value was entered (even one that is not a valid date)."""
    return pl.col(field).is_not_null() | invalid(field)


def _reporting_start(r: Return) -> dt.date:
    """From 2024/25 social worker episodes cover the previous collection year too."""
    return r.start if r.year <= 2024 else r.start.replace(year=r.start.year - 1)


def _sw_seq(r: Return) -> pl.DataFrame:
    """Social worker episodes in order of start (then end, blanks last) within the child, with
    the previous episode's dates, ``_seq`` (1 = first) and ``_n`` (episodes of the child).
    Built once per return and shared by the rules that need it."""
    return r.view("sw_seq", _build_sw_seq)


def _build_sw_seq(r: Return) -> pl.DataFrame:
    same_child = (pl.col("CHILD") == pl.col("CHILD").shift(1)).fill_null(False)
    seq, n = position_in_run("CHILD")
    return (
        r.sw_episodes.lazy().sort("CHILD", "SW_DECOM", "SW_DEC", "_row", nulls_last=True)
        .with_columns(prev_DEC=pl.when(same_child).then(pl.col("SW_DEC").shift(1)), _seq=seq.cast(pl.UInt32), _n=n)
        .collect(engine="in-memory")
    )


def _looked_after_at_31_march(r: Return) -> pl.LazyFrame:
    """The DfE's CLA at 31 March: an episode with no DEC and a legal status other than V3/V4."""
    short_break = pl.col("LS").is_in(["V3", "V4"]).fill_null(False)
    return r.episodes.lazy().filter(pl.col("DEC").is_null() & ~short_break)


# -- completeness and validity --------------------------------------------------------------

@rule("SW01STG1", tables=("Episodes", "SWEpisodes"), fields=("DEC", "SW_ID", "SW_DECOM", "SW_REASON"),
      years=[2024], examples=[
    Example({
        "Episodes": [fail(CHILD="A", DEC=None, LS="C2"), fail(CHILD="B", DEC=None, LS="C2"),
                     ok(CHILD="C", DEC=None, LS="C2"), ok(CHILD="D", DEC="01/01/2024", LS="C2"),
                     ok(CHILD="E", DEC=None, LS="v4"), fail(CHILD="F", DEC=None, LS="C2"),
                     ok(CHILD="G", DEC=None, LS="C2")],
        "SWEpisodes": [ok(CHILD="A", SW_ID=None, SW_DECOM="01/05/2023", SW_REASON="MANAGE"),
                       ok(CHILD="B", SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON=None),
                       ok(CHILD="C", SW_ID="SW1", SW_DECOM="xx", SW_REASON="MANAGE"),
                       ok(CHILD="D", SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON=None),
                       ok(CHILD="E", SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON=None),
                       ok(CHILD="G", SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON=None),
                       ok(CHILD="G", SW_ID=None, SW_DECOM=None, SW_REASON="MANAGE")],
    }),
])
def looked_after_without_social_worker(r: Return) -> pl.LazyFrame:
    # At least one of each item across the child's social worker episodes.
    info = r.sw_episodes.lazy().group_by("CHILD").agg(
        complete=_given("SW_ID").any() & _given("SW_DECOM").any() & _given("SW_REASON").any())
    return (_looked_after_at_31_march(r).join(info, on="CHILD", how="left")
            .filter(~pl.col("complete").fill_null(False)).select("_row"))


@rule("SW01aSTG1", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_ID"), years=[2025], examples=[
    Example({"SWEpisodes": [ok(SW_ID=None, SW_DECOM="01/04/2023"), fail(SW_ID=None, SW_DECOM="31/03/2023"),
                            fail(SW_ID="SW1", SW_DECOM=None), ok(SW_ID="SW1", SW_DECOM="31/03/2023"),
                            ok(SW_ID="SW1", SW_DECOM="31/31/2023")]}),
])
def early_episode_incomplete(r: Return) -> Where:
    before = (pl.col("SW_DECOM") < _REASONS_FROM) & pl.col("SW_ID").is_null()
    return where(r.sw_episodes, before | ~_given("SW_DECOM"))


@rule("SW01bSTG1", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_ID", "SW_REASON"), years=[2025], examples=[
    Example({"SWEpisodes": [fail(SW_ID=None, SW_DECOM="01/04/2023", SW_REASON="MANAGE"),
                            fail(SW_ID="SW1", SW_DECOM="01/04/2023", SW_REASON=None),
                            ok(SW_ID="SW1", SW_DECOM="31/03/2023", SW_REASON=None),
                            ok(SW_ID="SW1", SW_DECOM="01/01/2024", SW_REASON="MANAGE"),
                            fail(SW_ID="SW1", SW_DECOM=None, SW_REASON="MANAGE")]}),
])
def episode_incomplete(r: Return) -> Where:
    missing_item = pl.col("SW_ID").is_null() | pl.col("SW_REASON").is_null()
    return where(r.sw_episodes, ((pl.col("SW_DECOM") >= _REASONS_FROM) & missing_item) | ~_given("SW_DECOM"))


@rule("SW02STG1", tables=("SWEpisodes",), fields=("SW_ID",), years=range(2024, 2026), examples=[
    Example({"SWEpisodes": [ok(SW_ID="SW000"), ok(SW_ID="XX000"), fail(SW_ID="aa00"), fail(SW_ID="xx000"),
                            ok(SW_ID="SW"), fail(SW_ID=None)]}),
])
def social_worker_id_prefix(r: Return) -> Where:
    # Identifiers are compared as given: "sw1" is not "SW1".
    return where(r.sw_episodes, ~pl.col("SW_ID").str.slice(0, 2).is_in(["SW", "XX"]).fill_null(False))


@rule("SW02STG1", tables=("SWEpisodes",), fields=("SW_ID",), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [ok(SW_ID="SW000"), ok(SW_ID="XX00"), fail(SW_ID="aa00"), fail(SW_ID="xx000"),
                            fail(SW_ID="SW"), fail(SW_ID="XX1"), fail(SW_ID=None)]}),
])
def social_worker_id_form(r: Return) -> Where:
    prefix = pl.col("SW_ID").str.slice(0, 2).is_in(["SW", "XX"]) & (pl.col("SW_ID").str.len_chars() >= 4)
    return where(r.sw_episodes, ~prefix.fill_null(False))


@rule("SW03STG1", tables=("SWEpisodes",), fields=("SW_ID", "SW_DECOM", "SW_REASON"), years=[2024], examples=[
    Example({"SWEpisodes": [fail(SW_ID=None, SW_DECOM="01/05/2023", SW_REASON="MANAGE"),
                            fail(SW_ID="SW1", SW_DECOM=None, SW_REASON="MANAGE"),
                            fail(SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON=None),
                            ok(SW_ID="SW1", SW_DECOM="01/05/2023", SW_REASON="MANAGE", SW_DEC=None),
                            ok(SW_ID="SW1", SW_DECOM="xx", SW_REASON="MANAGE")]}),
])
def episode_items_missing(r: Return) -> Where:
    return where(r.sw_episodes, ~(_given("SW_ID") & _given("SW_DECOM") & _given("SW_REASON")))


@rule("SW04STG1", tables=("SWEpisodes",), fields=("SW_DECOM",), examples=[
    Example({"SWEpisodes": [fail(SW_DECOM="ZZ/ZZ/ZZZZ"), ok(SW_DECOM="01/01/2024"), fail(SW_DECOM="zz"),
                            ok(SW_DECOM=None), fail(SW_DECOM="1999/12/01")]}),
])
def start_not_a_date(r: Return) -> Where:
    return where(r.sw_episodes, invalid("SW_DECOM"))


@rule("SW05STG1", tables=("SWEpisodes",), fields=("SW_DEC",), examples=[
    Example({"SWEpisodes": [fail(SW_DEC="01/01/ZZZZ"), ok(SW_DEC="01/01/2024"), fail(SW_DEC="zz"),
                            ok(SW_DEC=None), fail(SW_DEC="30/02/2024")]}),
])
def end_not_a_date(r: Return) -> Where:
    return where(r.sw_episodes, invalid("SW_DEC"))


@rule("SW13STG1", tables=("SWEpisodes",), fields=("SW_REASON",), years=[2024], examples=[
    Example({"SWEpisodes": [fail(SW_REASON="LAZINESS"), ok(SW_REASON="SWDIED"), ok(SW_REASON="chchan"),
                            fail(SW_REASON=None)]}),
])
def change_reason_valid_or_missing(r: Return) -> Where:
    return where(r.sw_episodes, ~pl.col("SW_REASON").is_in(r.codes("SWEpisodes", "SW_REASON")).fill_null(False))


@rule("SW13STG1", tables=("SWEpisodes",), fields=("SW_REASON", "SW_DECOM"), years=range(2025, 2028), examples=[
    Example({"SWEpisodes": [fail(SW_REASON="LAZINESS", SW_DECOM="01/01/2000"), ok(SW_REASON="SWDIED"),
                            ok(SW_REASON=None, SW_DECOM="31/03/2023"), fail(SW_REASON=None, SW_DECOM="01/04/2023"),
                            ok(SW_REASON=None, SW_DECOM=None)]}),
])
def change_reason_valid(r: Return) -> Where:
    # A blank reason is allowed only for episodes that began before reasons were collected.
    codes = r.codes("SWEpisodes", "SW_REASON")
    wrong = pl.col("SW_REASON").is_not_null() & ~pl.col("SW_REASON").is_in(codes)
    blank = pl.col("SW_REASON").is_null() & (pl.col("SW_DECOM") >= _REASONS_FROM).fill_null(False)
    return where(r.sw_episodes, wrong | blank)


# -- dates against the year -------------------------------------------------------------------

@rule("SW06STG2", tables=("SWEpisodes",), fields=("SW_DECOM",), examples=[
    Example({"SWEpisodes": [fail(SW_DECOM="01/04/2025"), ok(SW_DECOM="31/03/2025"), ok(SW_DECOM="01/01/2020"),
                            ok(SW_DECOM=None)]}, year=2025),
])
def starts_after_year_end(r: Return) -> Where:
    return where(r.sw_episodes, pl.col("SW_DECOM") > r.end)


@rule("SW07STG2", tables=("SWEpisodes",), fields=("SW_DEC",), years=[2024], examples=[
    Example({"SWEpisodes": [fail(SW_DEC="01/04/2024"), fail(SW_DEC="31/03/2023"), ok(SW_DEC="01/04/2023"),
                            ok(SW_DEC="31/03/2024"), ok(SW_DEC=None)]}),
])
def ends_outside_year(r: Return) -> Where:
    return where(r.sw_episodes, (pl.col("SW_DEC") < r.start) | (pl.col("SW_DEC") > r.end))


@rule("SW07STG2", tables=("SWEpisodes",), fields=("SW_DEC",), years=range(2025, 2028), examples=[
    Example({"SWEpisodes": [fail(SW_DEC="01/04/2025"), fail(SW_DEC="31/03/2023"), ok(SW_DEC="01/04/2023"),
                            ok(SW_DEC="31/03/2025"), ok(SW_DEC=None)]}, year=2025),
])
def ends_outside_reporting_period(r: Return) -> Where:
    return where(r.sw_episodes, (pl.col("SW_DEC") < _reporting_start(r)) | (pl.col("SW_DEC") > r.end))


# -- each episode's length ---------------------------------------------------------------------

@rule("SW09STG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_DEC"), years=range(2024, 2026), examples=[
    Example({"SWEpisodes": [fail(SW_DECOM="01/01/2024", SW_DEC="01/01/2024"),
                            ok(SW_DECOM="01/01/2024", SW_DEC="02/01/2024"),
                            ok(SW_DECOM=None, SW_DEC="01/01/2024"), ok(SW_DECOM=None, SW_DEC=None)]}),
])
def lasted_under_a_day(r: Return) -> Where:
    return where(r.sw_episodes, pl.col("SW_DEC") == pl.col("SW_DECOM"))


@rule("SW09STG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_DEC"), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [fail(SW_DECOM="02/01/2026", SW_DEC="01/01/2026"),
                            ok(SW_DECOM="01/01/2026", SW_DEC="04/01/2026"),
                            fail(SW_DECOM="01/01/2026", SW_DEC="03/01/2026"),
                            ok(SW_DECOM=None, SW_DEC="01/01/2026"), ok(SW_DECOM="01/01/2026", SW_DEC=None)]}),
])
def lasted_under_three_days(r: Return) -> Where:
    # The reference's 2025/26 coding: an end fewer than 3 days after the start.
    return where(r.sw_episodes, days_between("SW_DECOM", "SW_DEC") < 3)


@rule("SW18STG2", tables=("SWEpisodes",), fields=("SW_DEC", "SW_DECOM"), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [ok(SW_DECOM="01/01/2026"), ok(SW_DECOM="01/01/2025", SW_DEC="01/01/2026"),
                            fail(SW_DECOM="02/01/2026", SW_DEC="01/01/2026"),
                            fail(SW_DECOM="01/01/2026", SW_DEC="01/01/2026")]}),
])
def sw_ends_before_it_starts(r: Return) -> Where:
    # The DfE's coding: the end must be after the start, so the same day fails too.
    return where(r.sw_episodes, pl.col("SW_DEC") <= pl.col("SW_DECOM"))


# -- episodes against each other ---------------------------------------------------------------

@rule("SW08STG2", tables=("SWEpisodes",), fields=("SW_DEC", "SW_DECOM"), examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/06/2025", SW_DEC="04/06/2025"), ok(CHILD="A", SW_DECOM="05/06/2025"),
        fail(CHILD="B", SW_DECOM="06/06/2025"), ok(CHILD="B", SW_DECOM="07/06/2025", SW_DEC="08/06/2025"),
        ok(CHILD="C", SW_DECOM="08/06/2025", SW_DEC="09/06/2025"), ok(CHILD="C", SW_DECOM="15/06/2025"),
        ok(CHILD="D", SW_DECOM="14/06/2025"), ok(CHILD="D", SW_DECOM="14/06/2025", SW_DEC="15/06/2025"),
        ok(CHILD="E", SW_DECOM="31/06/2025"), ok(CHILD="E", SW_DECOM="01/06/2025", SW_DEC="02/06/2025"),
        ok(CHILD="F", SW_DECOM=None), ok(CHILD="F", SW_DECOM=None),
    ]}),
])
def previous_episode_not_ended(r: Return) -> Where:
    return where(_sw_seq(r), pl.col("SW_DEC").is_null() & pl.col("SW_DECOM").is_not_null()
                 & (pl.col("_seq") < pl.col("_n")))


def _not_within_7_days_of_previous_end(r: Return, *, first_contact_exempt: bool) -> Where:
    """Episodes starting more than 7 days either side of the previous episode's end, or while
    it is still open (optionally not counting first contacts, FCONTA)."""
    gap = days_between("prev_DEC", "SW_DECOM").abs()
    late_or_open = (pl.col("prev_DEC").is_null() | (gap > 7)) & (pl.col("_seq") > 1)
    applies = pl.col("SW_DECOM").is_not_null()
    if first_contact_exempt:
        applies = applies & pl.col("SW_REASON").ne_missing("FCONTA")
    return where(_sw_seq(r), applies & late_or_open)


_WITHIN_7_DAYS = [
    ok(CHILD="A", SW_DECOM="01/01/2025", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
    ok(CHILD="A", SW_DECOM="02/01/2025", SW_DEC="03/01/2025", SW_REASON="MANAGE"),  # 7 days before
    ok(CHILD="B", SW_DECOM="01/01/2024", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
    fail(CHILD="B", SW_DECOM="01/01/2025", SW_DEC="10/01/2025", SW_REASON="MANAGE"),  # 8 days before
    ok(CHILD="C", SW_DECOM="10/01/2025", SW_DEC="20/01/2025", SW_REASON="MANAGE"),
    ok(CHILD="C", SW_DECOM="10/01/2025", SW_DEC="11/01/2025", SW_REASON="MANAGE"),
    ok(CHILD="C", SW_DECOM="18/01/2025", SW_DEC="20/01/2025", SW_REASON="MANAGE"),  # 7 days after
    fail(CHILD="C", SW_DECOM="30/01/2025", SW_DEC="31/01/2025", SW_REASON="MANAGE"),
    ok(CHILD="D", SW_DECOM="01/01/2025", SW_REASON="MANAGE"),
    fail(CHILD="D", SW_DECOM="01/02/2025", SW_REASON="MANAGE"),  # the previous is still open
    ok(CHILD="D", SW_DECOM=None, SW_REASON="MANAGE"),
]


@rule("SW10STG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_DEC"), years=[2024], examples=[
    Example({"SWEpisodes": [*_WITHIN_7_DAYS,
                            ok(CHILD="E", SW_DECOM="01/01/2024", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
                            fail(CHILD="E", SW_DECOM="01/01/2025", SW_DEC="10/01/2025", SW_REASON="FCONTA")]}),
])
def starts_away_from_previous_end(r: Return) -> Where:
    return _not_within_7_days_of_previous_end(r, first_contact_exempt=False)


@rule("SW10STG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_DEC", "SW_REASON"), years=range(2025, 2028),
      examples=[
    Example({"SWEpisodes": [*_WITHIN_7_DAYS,
                            ok(CHILD="E", SW_DECOM="01/01/2024", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
                            ok(CHILD="E", SW_DECOM="01/01/2025", SW_DEC="10/01/2025", SW_REASON="fconta"),
                            ok(CHILD="F", SW_DECOM="01/01/2024", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
                            fail(CHILD="F", SW_DECOM="01/01/2025", SW_DEC="10/01/2025", SW_REASON=None)]}),
])
def starts_away_from_previous_end_not_first_contact(r: Return) -> Where:
    return _not_within_7_days_of_previous_end(r, first_contact_exempt=True)


@rule("SW10aSTG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_DEC", "SW_REASON"), years=range(2026, 2028),
      examples=[
    Example({"SWEpisodes": [*_WITHIN_7_DAYS,
                            ok(CHILD="E", SW_DECOM="01/01/2024", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
                            ok(CHILD="E", SW_DECOM="01/01/2025", SW_DEC="10/01/2025", SW_REASON="FCONTA")]}),
])
def new_episode_not_within_7_days(r: Return) -> Where:
    return _not_within_7_days_of_previous_end(r, first_contact_exempt=True)


@rule("SW10bSTG2", tables=("SWEpisodes",), fields=("SW_DECOM", "SW_REASON"), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/01/2025", SW_DEC="09/01/2025", SW_REASON="MANAGE"),
        ok(CHILD="A", SW_DECOM="02/01/2025", SW_DEC="03/01/2025", SW_REASON="MANAGE"),
        ok(CHILD="B", SW_DECOM="18/01/2025", SW_DEC="20/01/2025", SW_REASON="MANAGE"),
        fail(CHILD="B", SW_DECOM="19/01/2025", SW_DEC="21/01/2025", SW_REASON="FCONTA"),
        ok(CHILD="C", SW_DECOM="01/01/2024", SW_DEC="02/01/2025", SW_REASON="MANAGE"),
        fail(CHILD="C", SW_DECOM="02/01/2025", SW_DEC="08/01/2025", SW_REASON="fconta"),  # the same day
        ok(CHILD="D", SW_DECOM="01/01/2024", SW_DEC="02/01/2025", SW_REASON="MANAGE"),
        ok(CHILD="D", SW_DECOM="03/01/2025", SW_REASON="FCONTA"),
        ok(CHILD="E", SW_DECOM="01/01/2024", SW_REASON="FCONTA"),
    ]}),
])
def first_contact_before_previous_ended(r: Return) -> Where:
    return where(_sw_seq(r), (pl.col("SW_REASON") == "FCONTA") & (pl.col("SW_DECOM") <= pl.col("prev_DEC")))


@rule("SW19STG2", tables=("SWEpisodes",), fields=("SW_DEC", "SW_DECOM"), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [ok(CHILD="A", SW_DECOM="01/01/2026"), ok(CHILD="B", SW_DECOM="01/01/2026"),
                            ok(CHILD="B", SW_DECOM="02/01/2025"), fail(CHILD="A", SW_DECOM="2026-01-01"),
                            ok(CHILD="C", SW_DECOM=None), ok(CHILD="C", SW_DECOM=None)]}),
])
def two_episodes_start_same_day(r: Return) -> pl.LazyFrame:
    # The first of the pair is kept; later ones with the same start are flagged.
    repeated = ~pl.struct("CHILD", "SW_DECOM").is_first_distinct()
    return r.sw_episodes.lazy().sort("_row").filter(pl.col("SW_DECOM").is_not_null() & repeated)
