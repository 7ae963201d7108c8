"""Deprivation of liberty orders (DoLOs, from 2026/27): their dates, and the placements a
child may be in while one is in force.

706 (an open DoLO in last year's return must continue this year) is not declared: 2026/27 is
the first year DoLOs are collected, so no previous return holds one; see
docs/validation-differences.md.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import invalid
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


def _overlapping_placements(r: Return, wrong: pl.Expr) -> dict[str, pl.LazyFrame]:
    """DoLOs with both dates and the episodes overlapping them whose placement is ``wrong``;
    both records are flagged."""
    dolos = (r.dolo.lazy().filter(pl.col("DOLO_START").is_not_null() & pl.col("DOLO_END").is_not_null())
             .select("CHILD", "DOLO_START", "DOLO_END", _dolo_row="_row"))
    overlap = ((pl.col("DOLO_START") <= pl.col("DEC")) | pl.col("DEC").is_null()) & (
        pl.col("DOLO_END") >= pl.col("DECOM"))
    pairs = (r.episodes.lazy().select("_row", "CHILD", "DECOM", "DEC", "PLACE")
             .join(dolos, on="CHILD").filter(overlap & wrong))
    return {"DoLo": pairs.select(pl.col("_dolo_row").alias("_row")), "Episodes": pairs.select("_row")}


# -- the record itself --------------------------------------------------------------------

@rule("700", tables=("DoLo",), fields=("DOLO_START",), examples=[
    Example({"DoLo": [ok(DOLO_START="01/01/2027"), fail(DOLO_START=None), fail(DOLO_START="2000/12/10"),
                      fail(DOLO_START="30/02/2027")]}),
])
def dolo_start_not_a_date(r: Return) -> Where:
    # The start is required, so a blank is not a valid date either.
    return where(r.dolo, pl.col("DOLO_START").is_null())


@rule("701", tables=("DoLo",), fields=("DOLO_END",), examples=[
    Example({"DoLo": [ok(DOLO_END="01/01/2027"), ok(DOLO_END=None), fail(DOLO_END="2000/12/10")]}),
])
def dolo_end_not_a_date(r: Return) -> Where:
    return where(r.dolo, invalid("DOLO_END"))


@rule("702", tables=("DoLo",), fields=("DOLO_START", "DOLO_END"), examples=[
    Example({"DoLo": [fail(DOLO_START="01/01/2027", DOLO_END="01/01/2027"), ok(DOLO_START="01/01/2027"),
                      ok(DOLO_START=None, DOLO_END="10/12/2026"), fail(DOLO_START="02/01/2027", DOLO_END="01/01/2027"),
                      ok(DOLO_START="01/01/2027", DOLO_END="02/01/2027")]}),
])
def dolo_ends_before_it_starts(r: Return) -> Where:
    # The DfE's coding: the end must be after the start, so the same day fails too.
    return where(r.dolo, pl.col("DOLO_END") <= pl.col("DOLO_START"))


@rule("703", tables=("DoLo",), fields=("DOLO_START",), examples=[
    Example({"DoLo": [ok(DOLO_START="01/01/2020"), ok(DOLO_START=None), ok(DOLO_START="31/03/2027"),
                      fail(DOLO_START="01/04/2027")]}),
])
def dolo_starts_after_year_end(r: Return) -> Where:
    return where(r.dolo, pl.col("DOLO_START") > r.end)


@rule("704", tables=("DoLo",), fields=("DOLO_END",), examples=[
    Example({"DoLo": [ok(DOLO_END="01/01/2027"), ok(DOLO_END=None), fail(DOLO_END="31/03/2026"),
                      ok(DOLO_END="01/04/2026"), ok(DOLO_END="31/03/2027"), fail(DOLO_END="01/04/2027")]}),
])
def dolo_ends_outside_year(r: Return) -> Where:
    return where(r.dolo, (pl.col("DOLO_END") < r.start) | (pl.col("DOLO_END") > r.end))


@rule("708", tables=("DoLo",), fields=("DOLO_START", "DOB"), examples=[
    Example({"DoLo": [fail(DOLO_START="01/01/2010", DOB="01/01/2010"), ok(DOLO_START=None, DOB="01/01/2010"),
                      ok(DOLO_START="01/01/2027", DOB=None), ok(DOLO_START="01/01/2027", DOB="01/01/2010"),
                      fail(DOLO_START="01/01/2009", DOB="01/01/2010")]}),
])
def dolo_before_birth(r: Return) -> Where:
    # The DfE's coding: the start must be after the date of birth.
    return where(r.dolo, pl.col("DOLO_START") <= pl.col("DOB"))


# -- DoLOs against each other and against care ---------------------------------------------

@rule("705", tables=("DoLo",), fields=("DOLO_START", "DOLO_END"), examples=[
    Example({"DoLo": [
        ok(CHILD="A", DOLO_START="01/05/2026", DOLO_END="02/05/2026"),
        ok(CHILD="A", DOLO_START="04/05/2026", DOLO_END="04/05/2026"),
        fail(CHILD="A", DOLO_START="03/05/2026", DOLO_END="06/05/2026"),  # overlaps the one before
        ok(CHILD="B", DOLO_START="01/05/2026", DOLO_END=None),
        fail(CHILD="B", DOLO_START="02/05/2026", DOLO_END="02/05/2026"),  # the previous is open
        ok(CHILD="C", DOLO_START="01/05/2026", DOLO_END="02/05/2026"),
        ok(CHILD="D", DOLO_START="01/04/2026", DOLO_END="o2/04/2026"),
        fail(CHILD="D", DOLO_START="04/04/2026", DOLO_END=None),
        fail(CHILD="D", DOLO_START="08/04/2026", DOLO_END="10/04/2026"),
    ]}),
])
def dolo_starts_while_previous_open(r: Return) -> pl.LazyFrame:
    # In order of end (an open DoLO ordered at its start), each must start on or after the
    # previous one ended, and the previous one must have ended.
    has_prev = (pl.col("CHILD") == pl.col("CHILD").shift(1)).fill_null(False)
    prev_end = pl.col("DOLO_END").shift(1)
    return (
        r.dolo.lazy()
        .with_columns(_order=pl.coalesce("DOLO_END", "DOLO_START"))
        .sort("CHILD", "_order", "DOLO_START", "_row", nulls_last=True)
        .filter(has_prev & (prev_end.is_null() | (pl.col("DOLO_START") < prev_end)).fill_null(False))
        .select("_row")
    )


@rule("707", tables=("DoLo", "Episodes"), fields=("DOLO_END", "DOLO_START", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/04/2020", DEC="31/03/2027", REC="E11"),
                     ok(CHILD="B", DECOM="01/04/2026", DEC="01/06/2026", REC="X1"),
                     ok(CHILD="B", DECOM="01/06/2026", DEC=None),
                     ok(CHILD="C", DECOM="01/04/2026", DEC="04/06/2026", REC="E4A"),
                     ok(CHILD="C", DECOM="22/12/2026", DEC=None),
                     ok(CHILD="D", DECOM="01/05/2026", DEC="04/06/2026", REC="E4A")],
        "DoLo": [fail(CHILD="A", DOLO_START="01/01/2027", DOLO_END=None),
                 ok(CHILD="A", DOLO_START="01/02/2027", DOLO_END="xx"),
                 ok(CHILD="B", DOLO_START="01/05/2026", DOLO_END=None),
                 fail(CHILD="C", DOLO_START="01/05/2026", DOLO_END=None),
                 ok(CHILD="C", DOLO_START="22/12/2026", DOLO_END=None),
                 ok(CHILD="D", DOLO_START="01/05/2026", DOLO_END="01/01/2027"),  # has an end date
                 ok(CHILD="E", DOLO_START="01/05/2026", DOLO_END=None)],  # no episodes
    }),
])
def dolo_open_after_care_ended(r: Return) -> pl.LazyFrame:
    # Open DoLOs are fine only within a period of care still open that began by their start.
    open_dolos = (r.dolo.lazy().filter(~_given("DOLO_END") & pl.col("DOLO_START").is_not_null())
                  .select("_row", "CHILD", "DOLO_START"))
    in_open_care = pl.col("poc_end").is_null() & (pl.col("poc_start") <= pl.col("DOLO_START"))
    return (open_dolos.join(_periods_of_care(r), on="CHILD")
            .group_by("_row").agg(ok=in_open_care.any())
            .filter(~pl.col("ok")).select("_row"))


_PLACEMENT_DOLOS = [
    fail(CHILD="A", DOLO_START="02/01/2027", DOLO_END="03/01/2027"),  # within the episode
    fail(CHILD="A", DOLO_START="02/01/2027", DOLO_END="05/01/2027"),  # starts within, ends after
    fail(CHILD="A", DOLO_START="31/12/2026", DOLO_END="01/01/2027"),  # ends the day it began
    ok(CHILD="A", DOLO_START="25/12/2026", DOLO_END="31/12/2026"),
    ok(CHILD="A", DOLO_START="05/01/2027", DOLO_END="07/01/2027"),
    ok(CHILD="A", DOLO_START="02/01/2027", DOLO_END=None),  # only DoLOs with both dates
    fail(CHILD="B", DOLO_START="01/02/2027", DOLO_END="02/02/2027"),  # the episode is open
]


@rule("709", tables=("DoLo", "Episodes"), fields=("DOLO_START", "DOLO_END", "PLACE", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", DECOM="01/01/2027", DEC="04/01/2027", PLACE="U1"),
                     ok(CHILD="A", DECOM="01/01/2027", DEC="04/01/2027", PLACE="k2"),
                     fail(CHILD="B", DECOM="01/01/2027", PLACE="R5"),
                     ok(CHILD="C", DECOM="01/01/2027", DEC="03/01/2027", PLACE="U1"),
                     ok(CHILD="D", DECOM="01/01/2027", PLACE="Z12")],
        "DoLo": [*_PLACEMENT_DOLOS, ok(CHILD="D", DOLO_START="01/02/2027", DOLO_END="02/02/2027")],
    }),
])
def dolo_in_unexpected_placement(r: Return) -> dict[str, pl.LazyFrame]:
    # The DfE's coding: placements overlapping a DoLO should be K2, Z12 or Z13.
    return _overlapping_placements(r, ~pl.col("PLACE").is_in(["K2", "Z12", "Z13"]).fill_null(False))


@rule("710", tables=("DoLo", "Episodes"), fields=("DOLO_START", "DOLO_END", "PLACE", "DECOM", "DEC"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", DECOM="01/01/2027", DEC="04/01/2027", PLACE="p1"),
                     ok(CHILD="A", DECOM="01/01/2027", DEC="04/01/2027", PLACE="K2"),
                     fail(CHILD="B", DECOM="01/01/2027", PLACE="K3"),
                     ok(CHILD="C", DECOM="01/01/2027", DEC="03/01/2027", PLACE="P1"),
                     ok(CHILD="D", DECOM="01/01/2027", PLACE="U1")],
        "DoLo": [*_PLACEMENT_DOLOS, ok(CHILD="D", DOLO_START="01/02/2027", DOLO_END="02/02/2027")],
    }),
])
def dolo_in_barred_placement(r: Return) -> dict[str, pl.LazyFrame]:
    # Secure children's homes (K1), with parents (P1), young offender institutions (R5) and
    # supported accommodation (K3).
    return _overlapping_placements(r, pl.col("PLACE").is_in(["K1", "P1", "R5", "K3"]))
