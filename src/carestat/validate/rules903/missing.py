"""Missing: periods a child was missing (M) or away from placement without authorisation (A),
their dates, and how they fit the child's episodes and periods of care."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where


def _given(field: str) -> pl.Expr:
    """A value was entered (even one that is not a valid date)."""
    return pl.col(field).is_not_null() | invalid(field)


def _periods_of_care(r: Return) -> pl.LazyFrame:
    """CHILD, poc_start, poc_end (null while open): runs of episodes each starting on or
    before the previous one ended; the period ends with the DEC of its last episode."""
    new_period = (pl.col("_seq") == 1) | (pl.col("DECOM") > pl.col("prev_DEC")).fill_null(False)
    return (
        r.episodes_seq.lazy()
        .filter(pl.col("DECOM").is_not_null())
        .with_columns(_poc=new_period.cast(pl.UInt32).cum_sum())  # unique across children too
        .group_by("CHILD", "_poc")
        .agg(poc_start=pl.col("DECOM").first(), poc_end=pl.col("DEC").last())
        .drop("_poc")
    )


# -- the record itself --------------------------------------------------------------------

@rule("564", tables=("Missing",), fields=("MISSING", "MIS_START"), examples=[
    Example({"Missing": [fail(MISSING="M", MIS_START=None), fail(MISSING="a", MIS_START=None),
                         ok(MISSING="A", MIS_START="07/02/2025"), ok(MISSING=None, MIS_START=None),
                         ok(MISSING="M", MIS_START="31/02/2025")]}),
])
def missing_without_start(r: Return) -> Where:
    # An unreadable start date is reported by 1004, not as blank.
    return where(r.missing, pl.col("MISSING").is_in(["M", "A"]) & ~_given("MIS_START"))


@rule("565", tables=("Missing",), fields=("MISSING", "MIS_START"), examples=[
    Example({"Missing": [fail(MISSING=None, MIS_START="07/02/2025"), fail(MISSING=None, MIS_START="xx"),
                         ok(MISSING="A", MIS_START="07/02/2025"), ok(MISSING=None, MIS_START=None)]}),
])
def start_without_missing_type(r: Return) -> Where:
    return where(r.missing, _given("MIS_START") & pl.col("MISSING").is_null())


@rule("566", tables=("Missing",), fields=("MISSING", "MIS_END"), examples=[
    Example({"Missing": [fail(MISSING=None, MIS_END="07/02/2025"), fail(MISSING=None, MIS_END="7th Feb"),
                         ok(MISSING="M", MIS_END="07/02/2025"), ok(MISSING=None, MIS_END=None)]}),
])
def end_without_missing_type(r: Return) -> Where:
    return where(r.missing, _given("MIS_END") & pl.col("MISSING").is_null())


@rule("567", tables=("Missing",), fields=("MIS_START", "MIS_END"), examples=[
    Example({"Missing": [ok(MIS_START="01/06/2025", MIS_END="05/06/2025"), ok(MIS_START="02/06/2025"),
                         ok(MIS_START="03/06/2025", MIS_END="03/06/2025"),
                         fail(MIS_START="03/06/2025", MIS_END="02/06/2025"), ok(MIS_END="05/06/2025")]}),
])
def missing_ends_before_it_starts(r: Return) -> Where:
    return where(r.missing, pl.col("MIS_START") > pl.col("MIS_END"))


@rule("570", tables=("Missing",), fields=("MIS_START",), examples=[
    Example({"Missing": [ok(MIS_START="31/03/2025"), fail(MIS_START="01/04/2025"), ok(MIS_START=None),
                         ok(MIS_START="13/10/2005")]}, year=2025),
])
def missing_starts_after_year_end(r: Return) -> Where:
    return where(r.missing, pl.col("MIS_START") > r.end)


@rule("571", tables=("Missing",), fields=("MIS_END",), examples=[
    Example({"Missing": [fail(MIS_END="31/03/2024"), ok(MIS_END="01/04/2024"), ok(MIS_END="31/03/2025"),
                         fail(MIS_END="01/04/2025"), ok(MIS_END=None)]}, year=2025),
])
def missing_ends_outside_year(r: Return) -> Where:
    return where(r.missing, (pl.col("MIS_END") < r.start) | (pl.col("MIS_END") > r.end))


@rule("586", tables=("Missing",), fields=("MIS_START", "DOB"), examples=[
    Example({"Missing": [ok(DOB="01/02/2020", MIS_START=None), ok(DOB="02/02/2020", MIS_START="07/02/2020"),
                         fail(DOB="04/02/2020", MIS_START="03/02/2020"),
                         fail(DOB="07/02/2020", MIS_START="07/02/2020")]}),
])
def missing_before_birth(r: Return) -> Where:
    # The DfE's coding: the start must be after the date of birth, so the birthday itself fails.
    return where(r.missing, pl.col("MIS_START") <= pl.col("DOB"))


@rule("1004", tables=("Missing",), fields=("MIS_START",), examples=[
    Example({"Missing": [ok(MIS_START="08/03/2025"), fail(MIS_START=None), fail(MIS_START="10/24/2024"),
                         ok(MIS_START="2025-01-31")]}),
])
def missing_start_not_a_date(r: Return) -> Where:
    # The start is required, so a blank is not a valid date either.
    return where(r.missing, pl.col("MIS_START").is_null())


@rule("1005", tables=("Missing",), fields=("MIS_END",), examples=[
    Example({"Missing": [ok(MIS_END="08/03/2025"), ok(MIS_END=None), fail(MIS_END="2025/10/13"), fail(MIS_END="13/10/21"),
                         fail(MIS_END="31/02/2025")]}),
])
def missing_end_not_a_date(r: Return) -> Where:
    return where(r.missing, invalid("MIS_END"))


@rule("1006", tables=("Missing",), fields=("MISSING",), examples=[
    Example({"Missing": [ok(MISSING="M"), ok(MISSING="A"), ok(MISSING="m"), fail(MISSING="AWAY"),
                         fail(MISSING="NA"), ok(MISSING=None)]}),
])
def missing_type_valid(r: Return) -> Where:
    codes = r.codes("Missing", "MISSING")
    return where(r.missing, pl.col("MISSING").is_not_null() & ~pl.col("MISSING").is_in(codes))


# -- periods against each other ----------------------------------------------------------

@rule("574", tables=("Missing",), fields=("MIS_START", "MIS_END"), examples=[
    Example({"Missing": [
        fail(CHILD="A", MIS_START="01/06/2024", MIS_END="05/06/2024"),  # the open one ends first
        ok(CHILD="A", MIS_START="04/06/2024", MIS_END=None),
        ok(CHILD="B", MIS_START="03/06/2024", MIS_END="04/06/2024"),
        ok(CHILD="B", MIS_START="04/06/2024", MIS_END=None),  # starts the day the last ended
        fail(CHILD="B", MIS_START="07/06/2024", MIS_END="09/06/2024"),
        ok(CHILD="C", MIS_START="02/06/2024", MIS_END="04/06/2024"),
        fail(CHILD="C", MIS_START="03/06/2024", MIS_END="09/06/2024"),
        ok(CHILD="D", MIS_START="06/06/2024", MIS_END="08/06/2024"),
        ok(CHILD="D", MIS_START="10/06/2024", MIS_END="10/06/2024"),
        fail(CHILD="D", MIS_START="08/06/2024", MIS_END="10/08/2024"),
        ok(CHILD="E", MIS_START=None, MIS_END="05/06/2024"), ok(CHILD="E", MIS_START=None, MIS_END="05/06/2024"),
        ok(CHILD="F", MIS_START="01/06/2024", MIS_END=None),
    ]}),
])
def missing_periods_overlap(r: Return) -> pl.LazyFrame:
    # In order of end (an open period ordered at its start), each period must start on or
    # after the previous one ended, and the previous one must have ended.
    has_prev = (pl.col("CHILD") == pl.col("CHILD").shift(1)).fill_null(False)
    prev_end = pl.col("MIS_END").shift(1)
    return (
        r.missing.lazy()
        .with_columns(_order=pl.coalesce("MIS_END", "MIS_START"))
        .sort("CHILD", "_order", "MIS_START", "_row", nulls_last=True)
        .filter(has_prev & (prev_end.is_null() | (pl.col("MIS_START") < prev_end)).fill_null(False))
        .select("_row")
    )


@rule("576", tables=("Missing", "Missing_last"), fields=("CHILD", "MIS_START"), examples=[
    Example({
        "Missing_last": [ok(CHILD="A", MIS_START="07/02/2025", MIS_END="07/02/2025"),
                         ok(CHILD="B", MIS_START="07/02/2025", MIS_END=None),
                         ok(CHILD="C", MIS_START="03/02/2025", MIS_END="07/02/2025"),
                         ok(CHILD="D", MIS_START="07/02/2025", MIS_END=None),
                         ok(CHILD="E", MIS_START="01/02/2025", MIS_END=None),
                         ok(CHILD="F", MIS_START="20/03/2025", MIS_END=None)],
        "Missing": [ok(CHILD="A", MIS_START="07/02/2025"),
                    fail(CHILD="B", MIS_START="08/02/2025"), ok(CHILD="B", MIS_START="01/05/2025"),
                    ok(CHILD="C", MIS_START="03/02/2025"),
                    fail(CHILD="D", MIS_START=None),
                    ok(CHILD="E", MIS_START="01/06/2025"), ok(CHILD="E", MIS_START="01/02/2025", MIS_END="02/04/2025")],
    }, year=2026),
])
def open_missing_not_carried_forward(r: Return) -> pl.LazyFrame:
    # The child's first period this year must be the one left open last year.
    first = (r.missing.lazy().sort("CHILD", "MIS_START", "_row", nulls_last=True)
             .unique("CHILD", keep="first", maintain_order=True))
    still_open = (r.last("Missing").lazy()
                  .filter(pl.col("MIS_END").is_null() & pl.col("MIS_START").is_not_null())
                  .select("CHILD", last_start="MIS_START"))
    return (first.join(still_open, on="CHILD")
            .filter(pl.col("MIS_START").ne_missing(pl.col("last_start")))
            .select("_row").unique())


# -- periods against episodes and periods of care ------------------------------------------

@rule("575", tables=("Missing", "Episodes"), fields=("MIS_END", "MIS_START", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/06/2025", DEC="10/06/2025"),
                     ok(CHILD="B", DECOM="08/06/2025", DEC="10/06/2025"),
                     ok(CHILD="C", DECOM="06/06/2025", DEC=None),
                     ok(CHILD="D", DECOM="08/06/2025", DEC="10/06/2025"), ok(CHILD="D", DECOM="10/06/2025")],
        "Missing": [ok(CHILD="A", MIS_START="01/06/2025", MIS_END="05/06/2025"),
                    fail(CHILD="B", MIS_START="10/06/2025", MIS_END=None),
                    ok(CHILD="B", MIS_START="09/06/2025", MIS_END="31/06/2025"),  # 1005's concern
                    ok(CHILD="C", MIS_START="06/06/2025", MIS_END=None),
                    fail(CHILD="D", MIS_START="09/06/2025", MIS_END=None),
                    ok(CHILD="D", MIS_START="19/06/2025", MIS_END=None)],
    }),
])
def missing_open_after_placement_ended(r: Return) -> pl.LazyFrame:
    still_missing = r.missing.lazy().filter(~_given("MIS_END") & pl.col("MIS_START").is_not_null())
    ended = r.episodes.lazy().filter(pl.col("DEC").is_not_null()).select("CHILD", "DECOM", "DEC")
    return (still_missing.join(ended, on="CHILD")
            .filter(pl.col("MIS_START").is_between(pl.col("DECOM"), pl.col("DEC")))
            .select("_row").unique())


@rule("577", tables=("Missing", "Episodes"), fields=("MIS_END", "MIS_START", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/04/2020", DEC="31/03/2025", REC="E11"),
                     ok(CHILD="B", DECOM="01/04/2024", DEC="01/06/2025", REC="X1"),
                     ok(CHILD="B", DECOM="01/06/2025", DEC=None),
                     ok(CHILD="C", DECOM="01/01/2025", DEC="04/06/2025", REC="E4A"),
                     ok(CHILD="C", DECOM="22/12/2025", DEC=None),
                     ok(CHILD="D", DECOM="01/05/2025", DEC="04/06/2025", REC="E4A")],
        "Missing": [fail(CHILD="A", MIS_START="01/01/2025", MIS_END=None),
                    ok(CHILD="A", MIS_START="01/02/2025", MIS_END="xx"),
                    ok(CHILD="B", MIS_START="01/05/2025", MIS_END=None),
                    fail(CHILD="C", MIS_START="01/05/2025", MIS_END=None),
                    ok(CHILD="C", MIS_START="22/12/2025", MIS_END=None),
                    ok(CHILD="D", MIS_START="01/01/2025", MIS_END="01/01/2026"),  # has an end date
                    ok(CHILD="D", MIS_START=None, MIS_END=None),
                    ok(CHILD="E", MIS_START="01/05/2025", MIS_END=None)],  # no episodes
    }),
])
def missing_open_after_care_ended(r: Return) -> pl.LazyFrame:
    # Open periods are fine only within a period of care still open that began by their start.
    still_missing = (r.missing.lazy().filter(~_given("MIS_END") & pl.col("MIS_START").is_not_null())
                     .select("_row", "CHILD", "MIS_START"))
    in_open_care = pl.col("poc_end").is_null() & (pl.col("poc_start") <= pl.col("MIS_START"))
    return (still_missing.join(_periods_of_care(r), on="CHILD")
            .group_by("_row").agg(ok=in_open_care.any())
            .filter(~pl.col("ok")).select("_row"))


@rule("578", tables=("Missing", "Episodes"), fields=("MIS_START", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/04/2020", DEC="31/03/2025", REC="E11"),
                     ok(CHILD="B", DECOM="01/04/2020", DEC="01/01/2025", REC="E11"),
                     ok(CHILD="B", DECOM="01/06/2025", DEC="01/10/2025", REC="E11"),
                     ok(CHILD="C", DECOM="01/06/2025", DEC=None),
                     ok(CHILD="D", DECOM="01/04/2024", DEC="01/06/2025", REC="X1"),
                     ok(CHILD="D", DECOM="01/06/2025", DEC="01/07/2025", REC="E11")],
        "Missing": [fail(CHILD="A", MIS_START="01/04/2025"), ok(CHILD="A", MIS_START="31/03/2025"),
                    fail(CHILD="B", MIS_START="01/02/2025"), ok(CHILD="B", MIS_START="01/07/2025"),
                    fail(CHILD="B", MIS_START="02/10/2025"),
                    ok(CHILD="C", MIS_START="01/05/2025"),  # before care began: 581's concern
                    ok(CHILD="C", MIS_START="01/01/2026"), ok(CHILD="D", MIS_START="01/07/2025"),
                    ok(CHILD="E", MIS_START="01/05/2025"), ok(CHILD="A", MIS_START=None)],
    }),
])
def missing_starts_after_care_ended(r: Return) -> pl.LazyFrame:
    # Outside every period of care, and after (at least) one had ended.
    start = pl.col("MIS_START")
    within = (pl.col("poc_start") <= start) & (pl.col("poc_end").is_null() | (start <= pl.col("poc_end")))
    return (
        r.missing.lazy().filter(start.is_not_null()).select("_row", "CHILD", "MIS_START")
        .join(_periods_of_care(r), on="CHILD")
        .group_by("_row").agg(within=within.any(), after_end=(pl.col("poc_end") < start).any())
        .filter(~pl.col("within") & pl.col("after_end")).select("_row")
    )


@rule("580", tables=("Episodes", "Missing"), fields=("REC", "DEC", "MIS_END", "DOB"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", DEC="01/06/2025", REC="E7"), ok(CHILD="B", DEC="05/06/2025", REC="E8"),
                     fail(CHILD="C", DEC="06/06/2025", REC=None), ok(CHILD="D", DEC="07/06/2025", REC="E7"),
                     ok(CHILD="E", DEC="29/02/2028", REC="E4A"), fail(CHILD="F", DEC="28/02/2026", REC="E4A"),
                     ok(CHILD="A", DEC="01/05/2025", REC="X1")],
        "Missing": [ok(CHILD="A", MISSING="M", MIS_END="01/06/2025", DOB="01/06/2007"),
                    ok(CHILD="B", MISSING="M", MIS_END="05/06/2025", DOB="05/06/2007"),
                    ok(CHILD="C", MISSING="A", MIS_END="06/06/2025", DOB="06/06/2007"),
                    ok(CHILD="D", MISSING="M", MIS_END="07/06/2025", DOB="08/06/2007"),  # not 18 yet
                    ok(CHILD="F", MISSING="M", MIS_END="28/02/2026", DOB="29/02/2008")],
    }),
])
def missing_at_18th_birthday_not_e8(r: Return) -> pl.LazyFrame:
    # Still missing when care ended at 18: the period closes on the 18th birthday, with care
    # ending the same day for reason E8.
    at_18 = (r.missing.lazy().filter(pl.col("MIS_END") == add_years("DOB", 18))
             .select("CHILD", DEC="MIS_END").unique())
    return (r.episodes.lazy()
            .filter(pl.col("DEC").is_not_null() & pl.col("REC").ne_missing("E8"))
            .join(at_18, on=["CHILD", "DEC"], how="semi").select("_row"))


@rule("581", tables=("Missing", "Episodes"), fields=("MIS_START", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/06/2025", DEC="10/06/2025"),
                     ok(CHILD="B", DECOM="06/06/2025", DEC="10/06/2025"),
                     ok(CHILD="C", DECOM="06/06/2025", DEC=None), ok(CHILD="C", DECOM="07/06/2025", DEC="10/06/2025"),
                     ok(CHILD="D", DECOM="08/06/2025", DEC="10/06/2025"), ok(CHILD="D", DECOM="12/06/2025", DEC=None),
                     ok(CHILD="E", DECOM="15/06/2025", DEC="20/06/2025")],
        "Missing": [ok(CHILD="A", MIS_START="01/06/2025"), ok(CHILD="A", MIS_START="10/06/2025"),
                    fail(CHILD="B", MIS_START="05/06/2025"), ok(CHILD="C", MIS_START="12/06/2025"),
                    ok(CHILD="D", MIS_START="08/06/2025"), fail(CHILD="D", MIS_START="11/06/2025"),
                    ok(CHILD="D", MIS_START="19/06/2025"), fail(CHILD="E", MIS_START="21/06/2025"),
                    ok(CHILD="E", MIS_START=None), ok(CHILD="F", MIS_START="01/01/2026")],
    }),
])
def missing_while_not_looked_after(r: Return) -> pl.LazyFrame:
    start = pl.col("MIS_START")
    within = (pl.col("DECOM") <= start) & (pl.col("DEC").is_null() | (start <= pl.col("DEC")))
    return (
        r.missing.lazy().filter(start.is_not_null()).select("_row", "CHILD", "MIS_START")
        .join(r.episodes.lazy().select("CHILD", "DECOM", "DEC"), on="CHILD")
        .group_by("_row").agg(within=within.any())
        .filter(~pl.col("within")).select("_row")
    )
