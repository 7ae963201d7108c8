"""Social worker episodes (from 2023/24) at the end of the year and against care episodes: a
successor to an episode that ended near 31 March, an open episode for a child looked after on
31 March, and a social worker in place when care started or ended."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import days_between
from carestat.validate.registry import Example, Where, fail, ok, rule, where
from carestat.validate.rules903.social_workers import (
    _given,
    _looked_after_at_31_march,
    _reporting_start,
    _sw_seq,
)

# -- the end of the year -----------------------------------------------------------------------

_WINDOW = 5  # days before 31 March within which an ended episode needs a successor


@rule("SW11aSTG2", tables=("SWEpisodes",), fields=("SW_DEC", "SW_DECOM"), years=[2024], examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/05/2023", SW_DEC="26/03/2024"), fail(CHILD="A", SW_DECOM=None),
        ok(CHILD="B", SW_DECOM="01/05/2023", SW_DEC="25/03/2024"), fail(CHILD="B", SW_DECOM="02/04/2024"),
        ok(CHILD="C", SW_DECOM="01/05/2023", SW_DEC="20/03/2024"), ok(CHILD="C", SW_DECOM="21/03/2024", SW_DEC="22/03/2024"),
        fail(CHILD="C", SW_DECOM="29/03/2024"),
        ok(CHILD="D", SW_DECOM="01/05/2023", SW_DEC="25/03/2024"), ok(CHILD="D", SW_DECOM="30/03/2024"),
        ok(CHILD="E", SW_DECOM="01/05/2023", SW_DEC="27/03/2024"), ok(CHILD="E", SW_DECOM=None),
        ok(CHILD="F", SW_DECOM="01/05/2023", SW_DEC="01/06/2023"),
    ]}),
])
def no_successor_to_episode_ended_early(r: Return) -> Where:
    # After an episode ended 5 or more days before 31 March, the next must begin within 5 days.
    ended_early = pl.col("prev_DEC") <= r.end - dt.timedelta(days=_WINDOW)
    near = days_between("prev_DEC", "SW_DECOM").abs() <= _WINDOW
    return where(_sw_seq(r), ended_early & ~near.fill_null(False) & (pl.col("_seq") > 1))


@rule("SW11bSTG2", tables=("SWEpisodes",), fields=("SW_DEC", "SW_DECOM"), examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/04/2024", SW_DEC="26/03/2025"), ok(CHILD="A", SW_DECOM="01/05/2025"),
        ok(CHILD="B", SW_DECOM="01/04/2024", SW_DEC="25/03/2025"), ok(CHILD="B", SW_DECOM="02/04/2025", SW_DEC="03/04/2025"),
        fail(CHILD="C", SW_DECOM="01/04/2024", SW_DEC="30/03/2025"),
        ok(CHILD="D", SW_DECOM="01/04/2024", SW_DEC="26/03/2025"), fail(CHILD="D", SW_DECOM=None),
        ok(CHILD="E", SW_DECOM="01/04/2024", SW_DEC="25/03/2025"), ok(CHILD="E", SW_DECOM=None),
        ok(CHILD="F", SW_DECOM="01/03/2025", SW_DEC="25/03/2025"), fail(CHILD="F", SW_DECOM="26/03/2025", SW_DEC="27/03/2025"),
        ok(CHILD="G", SW_DECOM="01/03/2025", SW_DEC="27/03/2025"), ok(CHILD="G", SW_DECOM="28/03/2025", SW_DEC="31/03/2025"),
        ok(CHILD="G", SW_DECOM="31/03/2025"),
        fail(CHILD="H", SW_DECOM="01/03/2025", SW_DEC="31/03/2025"),
        ok(CHILD="I", SW_DECOM="01/03/2025", SW_DEC="20/03/2025"), ok(CHILD="I", SW_DECOM=None, SW_DEC="28/03/2025"),
        fail(CHILD="J", SW_DECOM=None, SW_DEC="28/03/2025"),
    ]}, year=2025),
])
def no_successor_to_episode_ended_at_year_end(r: Return) -> Where:
    # An episode ending in the last 5 days of the year needs a next episode with a start date:
    # the episode is flagged when it is the child's last, or the next episode when it has no
    # start. (An episode with no start of its own is the last only if it is the only one.)
    in_window = pl.col("SW_DEC").is_between(r.end - dt.timedelta(days=_WINDOW), r.end)
    prev_in_window = pl.col("prev_DEC").is_between(r.end - dt.timedelta(days=_WINDOW), r.end)
    last = in_window & (pl.col("_seq") == pl.col("_n")) & (pl.col("SW_DECOM").is_not_null() | (pl.col("_n") == 1))
    next_undated = prev_in_window & pl.col("SW_DECOM").is_null()
    return where(_sw_seq(r), (last | next_undated).fill_null(False))


@rule("SW14STG2", tables=("SWEpisodes",), fields=("SW_DEC",), years=[2024], examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/01/2024", SW_DEC="01/01/2024"), ok(CHILD="A", SW_DECOM="02/01/2024"),
        fail(CHILD="B", SW_DECOM="01/01/2024"), ok(CHILD="B", SW_DECOM="02/01/2024"),
        ok(CHILD="C", SW_DECOM="01/01/2024"),
        ok(CHILD="D", SW_DECOM="01/01/2024", SW_DEC="31/02/2024"), ok(CHILD="D", SW_DECOM="02/01/2024"),
    ]}),
])
def earlier_episode_end_blank(r: Return) -> Where:
    return where(_sw_seq(r), ~_given("SW_DEC") & (pl.col("_seq") < pl.col("_n")))


@rule("SW17STG2", tables=("SWEpisodes", "Episodes"), fields=("SW_DEC", "SW_DECOM"), years=range(2026, 2028), examples=[
    Example({"SWEpisodes": [
        ok(CHILD="A", SW_DECOM="01/01/2027"), ok(CHILD="A", SW_DECOM="01/01/2026", SW_DEC="01/01/2027"),
        ok(CHILD="B", SW_DECOM="01/01/2026", SW_DEC="01/01/2027"), fail(CHILD="B", SW_DECOM="02/01/2026", SW_DEC="01/01/2027"),
        ok(CHILD="C", SW_DECOM="02/01/2026", SW_DEC="05/01/2026"), ok(CHILD="C", SW_DECOM="02/01/2026"),
        fail(CHILD="D", SW_DECOM="02/01/2026", SW_DEC="xx"), ok(CHILD="D", SW_DECOM=None),
        ok(CHILD="E", SW_DECOM="01/01/2026", SW_DEC="01/01/2027"),
    ], "Episodes": [ok(CHILD=c, DECOM="01/01/2026") for c in "ABCD"]
       + [ok(CHILD="E", DECOM="01/01/2026", DEC="01/02/2027", REC="E4A")]},
        note="E left care before 31 March: no open social worker episode is needed"),
])
def latest_episode_not_open(r: Return) -> pl.LazyFrame:
    # For a child looked after on 31 March (an open episode, not a short break), the latest-
    # starting social worker episode (an open one first among equals) must have no end.
    looked_after = r.episodes.lazy().filter(
        pl.col("DEC").is_null() & ~pl.col("LS").is_in(["V3", "V4"]).fill_null(False)).select("CHILD").unique()
    latest = (r.sw_episodes.lazy()
              .sort("CHILD", "SW_DECOM", "SW_DEC", "_row", nulls_last=[False, False, True, False])
              .unique("CHILD", keep="last", maintain_order=True))
    return latest.join(looked_after, on="CHILD", how="semi").filter(_given("SW_DEC")).select("_row")


# -- social worker episodes against care episodes ------------------------------------------------

def _care_changes_without_social_worker(r: Return, since: dt.date | None) -> pl.LazyFrame:
    """For children looked after on 31 March: episodes starting care (RNE S) with no social
    worker episode beginning or still running at or after that start, and episodes ending care
    (DEC given, REC not X1) with no social worker episode begun by that end."""
    starts = pl.col("RNE") == "S"
    ends = pl.col("DEC").is_not_null() & pl.col("REC").ne_missing("X1")
    scope = ~pl.col("LS").is_in(["V3", "V4"]).fill_null(False) & (starts | ends).fill_null(False)
    if since is not None:
        scope = scope & (pl.col("DEC").is_null() | pl.col("DEC").is_between(since, r.end))
    children = _looked_after_at_31_march(r).select("CHILD").unique()
    events = (r.episodes.lazy().filter(scope).join(children, on="CHILD", how="semi")
              .select("_row", "CHILD", "DECOM", "DEC", _starts=starts, _ends=ends))
    sw = r.sw_episodes.lazy().select("CHILD", "SW_DECOM", "SW_DEC", _sw=pl.lit(True))
    covers = (
        (pl.col("_starts") & pl.col("_sw") & (pl.col("SW_DEC").is_null() | (pl.col("SW_DEC") >= pl.col("DECOM"))
                                              | (pl.col("SW_DECOM") >= pl.col("DECOM"))))
        | (pl.col("_ends") & (pl.col("SW_DECOM") <= pl.col("DEC")))
    )
    return (events.join(sw, on="CHILD", how="left")
            .group_by("_row").agg(covered=covers.fill_null(False).any())
            .filter(~pl.col("covered")).select("_row"))


@rule("SW12STG2", tables=("Episodes", "SWEpisodes"), fields=("DECOM", "DEC", "RNE", "REC", "SW_DECOM"),
      years=[2024], examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", RNE="S", LS="C1"),
                     fail(CHILD="B", DECOM="01/01/2024", RNE="S", LS="C1"),
                     ok(CHILD="C", DECOM="01/01/2024", RNE="S", LS="V4"),
                     ok(CHILD="D", DECOM="01/01/2024", DEC="10/01/2024", REC="X1", RNE="P", LS="C1"),
                     ok(CHILD="D", DECOM="10/01/2024", RNE="P", LS="C1"),
                     fail(CHILD="E", DECOM="01/05/2023", DEC="10/06/2023", REC="E4A", RNE="P", LS="C1"),
                     ok(CHILD="E", DECOM="01/01/2024", RNE="S", LS="C1"),
                     ok(CHILD="F", DECOM="01/01/2024", RNE="S", LS="C1"),
                     ok(CHILD="G", DECOM="01/05/2023", DEC="10/06/2023", REC="E4A", RNE="S", LS="C1")],
        "SWEpisodes": [ok(CHILD="A", SW_DECOM="01/01/2024"),
                       ok(CHILD="E", SW_DECOM="01/02/2024"),
                       ok(CHILD="F", SW_DECOM="01/06/2023"),  # running from before care began
                       ok(CHILD="F", SW_DECOM="01/03/2023", SW_DEC="31/05/2023"),
                       ok(CHILD="G", SW_DECOM="01/02/2024")],  # G left care: not in scope
    }),
])
def care_changes_without_social_worker(r: Return) -> pl.LazyFrame:
    return _care_changes_without_social_worker(r, since=None)


@rule("SW12STG2", tables=("Episodes", "SWEpisodes"), fields=("DECOM", "DEC", "RNE", "REC", "SW_DECOM"),
      years=range(2025, 2028), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2023", RNE="S", LS="C1"),
                     fail(CHILD="B", DECOM="01/01/2023", RNE="S", LS="C1"),
                     fail(CHILD="E", DECOM="01/01/2023", DEC="01/04/2023", REC="E4A", RNE="P", LS="C1"),
                     ok(CHILD="E", DECOM="01/01/2024", RNE="S", LS="C1"),
                     ok(CHILD="H", DECOM="01/01/2022", DEC="31/03/2023", REC="E4A", RNE="P", LS="C1"),
                     ok(CHILD="H", DECOM="01/01/2024", RNE="S", LS="C1")],
        "SWEpisodes": [ok(CHILD="A", SW_DECOM="01/01/2023"), ok(CHILD="E", SW_DECOM="01/02/2024"),
                       ok(CHILD="H", SW_DECOM="01/02/2024")],
    }, year=2025),
])
def care_changes_in_reporting_period_without_social_worker(r: Return) -> pl.LazyFrame:
    return _care_changes_without_social_worker(r, since=_reporting_start(r))
