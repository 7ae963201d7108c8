"""Episodes carried over from last year: the episode open on 31 March must continue unchanged
as this year's first episode, and a child in care before 1 April must appear in last year's return."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import child_in, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_LAST = ("Episodes", "Episodes_last")


def _first_this_year(r: Return) -> pl.LazyFrame:
    """Each child's earliest episode in this year's return (unreadable starts sort last)."""
    return r.episodes_seq.lazy().filter(pl.col("_seq") == 1)


def _open_at_end_of_last_year(r: Return) -> pl.LazyFrame:
    """Each child's latest-starting episode in last year's return (the first in the file of
    those starting that day), where it had not ended."""
    # In (CHILD, DECOM, _row) order a child's latest start is that of its last dated episode.
    last_dated = pl.col("DECOM").is_not_null() & pl.col("next_DECOM").is_null()
    latest_start = pl.when(last_dated).then(pl.col("DECOM")).backward_fill()
    return r.episodes_last_order.lazy().filter(
        (pl.col("DECOM") == latest_start) & pl.col("prev_DECOM").ne_missing(pl.col("DECOM"))
        & pl.col("DEC").is_null() & ~invalid("DEC"))


_COMPARED = ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "URN", "PL_DISTANCE", "PL_LA", "PL_LOCATION")


def _carried_over(r: Return) -> pl.DataFrame:
    """This year's first episodes with the ``_COMPARED`` fields and last year's as ``*_last``, for
    children whose last episode last year was open (built once per return for the 503 rules)."""
    return r.view("carried_over", _build_carried_over)


def _build_carried_over(r: Return) -> pl.DataFrame:
    last = _open_at_end_of_last_year(r).select("CHILD", *[pl.col(f).alias(f"{f}_last") for f in _COMPARED])
    first = _first_this_year(r).select("CHILD", "_row", *_COMPARED)
    return first.join(last, on="CHILD", how="inner").collect(engine="in-memory")


def _changed_since_last_year(r: Return, field: str) -> Where:
    return where(_carried_over(r), pl.col(field).ne_missing(pl.col(f"{field}_last")))


def _example(field: str, same: str | None, other: str | None, **fixed: str) -> Example:
    """Last year's open episode against this year's first: the same value passes, a different
    one (or a blank for a value) fails; a closed episode last year is not compared."""
    return Example({
        "Episodes_last": [
            ok(CHILD="A", DECOM="01/05/2023", DEC="01/06/2023", REC="X1", **fixed, **{field: other}),
            ok(CHILD="A", DECOM="01/06/2023", **fixed, **{field: same}),
            ok(CHILD="B", DECOM="01/06/2023", **fixed, **{field: same}),
            ok(CHILD="C", DECOM="01/06/2023", **fixed, **{field: same}),
            ok(CHILD="D", DECOM="01/06/2023", DEC="01/07/2023", REC="E11", **fixed, **{field: same}),
        ],
        "Episodes": [
            ok(CHILD="A", DECOM="01/06/2023", DEC="01/07/2024", REC="X1", **fixed, **{field: same}),
            ok(CHILD="A", DECOM="01/07/2024", **fixed, **{field: other}),
            fail(CHILD="B", DECOM="01/06/2023", **fixed, **{field: other}),
            fail(CHILD="C", DECOM="01/06/2023", **fixed, **{field: None}),
            ok(CHILD="D", DECOM="01/09/2024", **fixed, **{field: other}),
            ok(CHILD="E", DECOM="01/09/2024", **fixed, **{field: other}),
        ],
    }, year=2025)


@rule("502", tables=_LAST, fields=("DECOM",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/06/2022", DEC="05/06/2023", REC="X1"),
                          ok(CHILD="A", DECOM="05/06/2023"),
                          ok(CHILD="B", DECOM="09/06/2023"),
                          ok(CHILD="C", DECOM="06/06/2023", DEC="07/06/2023", REC="E11"),
                          ok(CHILD="D", DECOM="08/06/2023")],
        "Episodes": [ok(CHILD="A", DECOM="05/06/2023", DEC="01/05/2024", REC="X1"),
                     ok(CHILD="A", DECOM="01/05/2024"),
                     fail(CHILD="B", DECOM="08/06/2023", DEC="01/05/2024", REC="X1"),
                     ok(CHILD="B", DECOM="01/05/2024"),
                     ok(CHILD="C", DECOM="01/05/2024"),
                     fail(CHILD="D", DECOM="01/05/2024")],
    }, year=2025),
])
def first_episode_start_differs_from_last_years_open(r: Return) -> pl.LazyFrame:
    # Any of the child's episodes left open last year must be this year's first.
    open_last = (r.last("Episodes").lazy().filter(pl.col("DEC").is_null() & ~invalid("DEC"))
                 .select("CHILD", DECOM_last="DECOM"))
    return (_first_this_year(r).join(open_last, on="CHILD", how="inner")
            .filter(pl.col("DECOM").ne_missing(pl.col("DECOM_last"))).select("_row"))


@rule("503A", tables=_LAST, fields=("RNE",), examples=[_example("RNE", "L", "S")])
def first_episode_new_episode_reason_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "RNE")


@rule("503B", tables=_LAST, fields=("LS",), examples=[_example("LS", "C2", "V2")])
def first_episode_legal_status_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "LS")


@rule("503C", tables=_LAST, fields=("CIN",), examples=[_example("CIN", "N1", "N2")])
def first_episode_need_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "CIN")


# Placement codes the DfE renamed between years: last year's code may continue as the new one.
_RECODED_PLACEMENTS = {2024: {"H5": ["K3"]}, 2025: {"H5": ["K3"]},
                       2026: {"Z1": ["Z11", "Z12", "Z13", "Z14"]}}


@rule("503D", tables=_LAST, fields=("PLACE",), examples=[
    _example("PLACE", "U1", "U2"),
    Example({"Episodes_last": [ok(CHILD="A", DECOM="01/06/2023", PLACE="H5"),
                               ok(CHILD="B", DECOM="01/06/2023", PLACE="H5")],
             "Episodes": [ok(CHILD="A", DECOM="01/06/2023", PLACE="K3"),
                          fail(CHILD="B", DECOM="01/06/2023", PLACE="K2")]}, year=2025),
    Example({"Episodes_last": [ok(CHILD="A", DECOM="01/06/2024", PLACE="Z1"),
                               ok(CHILD="B", DECOM="01/06/2024", PLACE="H5")],
             "Episodes": [ok(CHILD="A", DECOM="01/06/2024", PLACE="z12"),
                          fail(CHILD="B", DECOM="01/06/2024", PLACE="K3")]}, year=2026),
    Example({"Episodes_last": [ok(CHILD="A", DECOM="01/06/2025", PLACE="Z1")],
             "Episodes": [fail(CHILD="A", DECOM="01/06/2025", PLACE="Z12")]}, year=2027),
])
def first_episode_placement_differs(r: Return) -> Where:
    recoded = [(pl.col("PLACE_last") == old) & pl.col("PLACE").is_in(new)
               for old, new in _RECODED_PLACEMENTS.get(r.year, {}).items()]
    allowed = pl.any_horizontal(recoded).fill_null(False) if recoded else pl.lit(False)
    return where(_carried_over(r), pl.col("PLACE").ne_missing(pl.col("PLACE_last")) & ~allowed)


@rule("503E", tables=_LAST, fields=("PLACE_PROVIDER",), examples=[_example("PLACE_PROVIDER", "PR1", "PR2")])
def first_episode_provider_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "PLACE_PROVIDER")


@rule("503F", tables=_LAST, fields=("URN",), examples=[_example("URN", "SC123456", "SC654321")])
def first_episode_urn_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "URN")


@rule("503G", tables=_LAST, fields=("PL_DISTANCE",), examples=[
    # From TW9 1: TW9 1 is 0.0 miles, TW9 2 0.4 miles, ZZ9 9 unknown (no distance).
    Example({
        "Episodes_last": [ok(CHILD=c, DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST=p)
                          for c, p in [("A", "TW9 2AA"), ("B", "TW9 1AB"), ("C", "TW9 1AB"), ("D", "ZZ9 9ZZ"),
                                       ("E", "ZZ9 9ZZ")]],
        "Episodes": [ok(CHILD="A", DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST="TW9 2AB"),
                     fail(CHILD="B", DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST="TW9 2AB"),
                     fail(CHILD="C", DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST="ZZ9 9ZZ"),
                     fail(CHILD="D", DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST="TW9 1AB"),
                     ok(CHILD="E", DECOM="01/06/2023", HOME_POST="TW9 1AA", PL_POST="ZZ9 8ZZ")],
    }, year=2025),
])
def first_episode_distance_differs(r: Return) -> Where:
    # Distances are to 0.1 mile; compare in whole tenths so 0.2 is not lost to float error.
    tenths = (pl.col("PL_DISTANCE") * 10).round(0) - (pl.col("PL_DISTANCE_last") * 10).round(0)
    one_blank = pl.col("PL_DISTANCE").is_null() != pl.col("PL_DISTANCE_last").is_null()
    return where(_carried_over(r), (tenths.abs() >= 2).fill_null(False) | one_blank)


@rule("503H", tables=_LAST, fields=("PL_LA",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/06/2023", PL_POST="TW9 1AA"),
                          ok(CHILD="B", DECOM="01/06/2023", PL_POST="TW9 1AA"),
                          ok(CHILD="C", DECOM="01/06/2023", PL_POST="TW9 1AA")],
        "Episodes": [ok(CHILD="A", DECOM="01/06/2023", PL_POST="TW1 1AA"),
                     fail(CHILD="B", DECOM="01/06/2023", PL_POST="SW1A 1AA"),
                     fail(CHILD="C", DECOM="01/06/2023", PL_POST=None)],
    }, year=2025),
])
def first_episode_placement_la_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "PL_LA")


@rule("503J", tables=_LAST, fields=("PL_LOCATION",), needs=("la",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/06/2023", PL_POST="TW9 1AA"),
                          ok(CHILD="B", DECOM="01/06/2023", PL_POST="TW9 1AA"),
                          ok(CHILD="C", DECOM="01/06/2023", PL_POST="SW1A 1AA")],
        "Episodes": [ok(CHILD="A", DECOM="01/06/2023", PL_POST="TW1 1AA"),
                     fail(CHILD="B", DECOM="01/06/2023", PL_POST="SW1A 1AA"),
                     ok(CHILD="C", DECOM="01/06/2023", PL_POST="M1 1AE")],
    }, year=2025, la="318"),
])
def first_episode_placement_location_differs(r: Return) -> Where:
    return _changed_since_last_year(r, "PL_LOCATION")


@rule("562", tables=_LAST, fields=("DECOM",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/06/2023", DEC="15/03/2024", REC="X1"),
                          ok(CHILD="A", DECOM="15/03/2024"),
                          ok(CHILD="B", DECOM="01/02/2024", DEC="11/03/2024", REC="X1"),
                          ok(CHILD="B", DECOM="11/03/2024"),
                          ok(CHILD="C", DECOM="06/06/2023")],
        "Episodes": [ok(CHILD="A", DECOM="15/03/2024", DEC="05/06/2024", REC="X1"),
                     ok(CHILD="A", DECOM="05/06/2024"),
                     fail(CHILD="B", DECOM="13/03/2024", DEC="05/06/2024", REC="X1"),
                     ok(CHILD="B", DECOM="05/06/2024"),
                     fail(CHILD="C", DECOM="01/01/2024"),
                     ok(CHILD="D", DECOM="01/05/2024"),
                     fail(CHILD="E", DECOM="31/03/2024")],
    }, year=2025),
])
def continuing_episode_missing_from_last_year(r: Return) -> pl.LazyFrame:
    # The earliest episode begun before 1 April must be last year's latest episode.
    latest_last = (r.last("Episodes").lazy()
                   .filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")).select("CHILD", "DECOM"))
    return (_first_this_year(r).filter(pl.col("DECOM") < r.start)
            .join(latest_last, on=["CHILD", "DECOM"], how="anti").select("_row"))


@rule("NoE", tables=_LAST, fields=("DECOM",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="14/03/2024"), ok(CHILD="B", DECOM="16/06/2022")],
        "Episodes": [ok(CHILD="A", DECOM="14/03/2024"), ok(CHILD="B", DECOM="08/09/2024"),
                     fail(CHILD="C", DECOM="03/10/2023"), fail(CHILD="C", DECOM="31/03/2024"),
                     ok(CHILD="C", DECOM="01/04/2024"), ok(CHILD="D", DECOM=None)],
    }, year=2025),
])
def in_care_before_year_but_not_in_last_return(r: Return) -> Where:
    return where(r.episodes, (pl.col("DECOM") < r.start) & ~child_in(r.last("Episodes")["CHILD"]))
