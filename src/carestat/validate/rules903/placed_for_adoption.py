"""Decisions to place a child for adoption (PlacedAdoption): their dates, reversals, the
previous year's decisions, and the episodes and adoption details they must agree with."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import invalid, not_in
from carestat.validate.registry import Example, Where, fail, ok, rule, where
from carestat.validate.rules903.adoption import (
    AD1_FIELDS,
    ADOPTED,
    PLACED_FOR_ADOPTION,
    _given,
    _one_per_child,
    _pairs,
)

_DECISION = ("CHILD", "DATE_PLACED", "_row")


def _reversed() -> pl.Expr:
    """The decision was reversed: a date or a reason for no longer placing for adoption."""
    return _given("DATE_PLACED_CEASED") | _given("REASON_PLACED_CEASED")


def _same_child_as_previous() -> pl.Expr:
    """In a frame sorted by CHILD: the record is not the child's first (a plain shift is much
    faster than a window over CHILD)."""
    return (pl.col("CHILD") == pl.col("CHILD").shift(1)).fill_null(False)


# -- single records ----------------------------------------------------------------------------

@rule("115", tables=("PlacedAdoption",), fields=("DATE_PLACED",), examples=[
    Example({"PlacedAdoption": [ok(DATE_PLACED="01/01/2024"), ok(DATE_PLACED=None),
                                fail(DATE_PLACED="31/02/2024"), fail(DATE_PLACED="tomorrow")]}),
])
def decision_date_invalid(r: Return) -> Where:
    return where(r.placed_adoption, invalid("DATE_PLACED"))


@rule("116", tables=("PlacedAdoption",), fields=("DATE_PLACED_CEASED",), examples=[
    Example({"PlacedAdoption": [ok(DATE_PLACED_CEASED="01/01/2024"), ok(DATE_PLACED_CEASED=None),
                                fail(DATE_PLACED_CEASED="30/02/2024"), fail(DATE_PLACED_CEASED="1st Jan 2024")]}),
])
def reversal_date_invalid(r: Return) -> Where:
    return where(r.placed_adoption, invalid("DATE_PLACED_CEASED"))


@rule("119", tables=("PlacedAdoption",), fields=("REASON_PLACED_CEASED", "DATE_PLACED_CEASED"), examples=[
    Example({"PlacedAdoption": [
        ok(DATE_PLACED_CEASED="01/01/2024", REASON_PLACED_CEASED="RD1"), ok(),
        fail(DATE_PLACED_CEASED="01/01/2024"), fail(REASON_PLACED_CEASED="RD2"),
        ok(DATE_PLACED_CEASED="31/02/2024", REASON_PLACED_CEASED="RD1"),
    ]}),
])
def reversal_date_or_reason_missing(r: Return) -> Where:
    return where(r.placed_adoption, _given("DATE_PLACED_CEASED") != _given("REASON_PLACED_CEASED"))


@rule("120", tables=("PlacedAdoption",), fields=("REASON_PLACED_CEASED",), examples=[
    Example({"PlacedAdoption": [ok(REASON_PLACED_CEASED="RD1"), ok(REASON_PLACED_CEASED="rd4"),
                                ok(REASON_PLACED_CEASED=None), fail(REASON_PLACED_CEASED="RD5"),
                                fail(REASON_PLACED_CEASED="X")]}),
])
def reversal_reason_code_valid(r: Return) -> Where:
    codes = r.codes("PlacedAdoption", "REASON_PLACED_CEASED")
    return where(r.placed_adoption, not_in("REASON_PLACED_CEASED", codes))


@rule("522", tables=("PlacedAdoption",), fields=("DATE_PLACED", "DATE_PLACED_CEASED"), examples=[
    Example({"PlacedAdoption": [
        ok(DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/01/2024"),
        fail(DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="31/12/2023"),
        ok(DATE_PLACED="01/01/2024"), ok(DATE_PLACED_CEASED="01/01/2024"),
    ]}),
])
def decision_reversed_before_made(r: Return) -> Where:
    return where(r.placed_adoption, pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED"))


@rule("563", tables=("PlacedAdoption",), fields=("DATE_PLACED", "REASON_PLACED_CEASED", "DATE_PLACED_CEASED"),
      examples=[
    Example({"PlacedAdoption": [
        ok(DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024", REASON_PLACED_CEASED="RD1"),
        fail(DATE_PLACED_CEASED="01/02/2024", REASON_PLACED_CEASED="RD1"),
        ok(DATE_PLACED_CEASED="01/02/2024"),
        ok(DATE_PLACED="31/02/2024", DATE_PLACED_CEASED="01/03/2024", REASON_PLACED_CEASED="RD1"),
    ]}),
])
def reversal_without_decision_date(r: Return) -> Where:
    return where(r.placed_adoption, _given("REASON_PLACED_CEASED") & _given("DATE_PLACED_CEASED")
                 & ~_given("DATE_PLACED"))


@rule("184", tables=("PlacedAdoption", "Header"), fields=("DATE_PLACED", "DOB"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/01/2020"), ok(CHILD="B", DOB="01/01/2020"), ok(CHILD="C", DOB=None)],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2020"), fail(CHILD="B", DATE_PLACED="31/12/2019"),
                           ok(CHILD="C", DATE_PLACED="01/01/2019"), ok(CHILD="D", DATE_PLACED="01/01/2019")],
    }),
])
def decision_before_birth(r: Return) -> pl.DataFrame:
    return r.with_dob(r.placed_adoption).filter(pl.col("DATE_PLACED") < pl.col("DOB_H"))


# -- several decisions for one child -----------------------------------------------------------

@rule("579", tables=("PlacedAdoption",), fields=("DATE_PLACED", "DATE_PLACED_CEASED"), examples=[
    Example({"PlacedAdoption": [
        ok(CHILD="A", DATE_PLACED="01/06/2020", DATE_PLACED_CEASED="05/06/2020"),
        fail(CHILD="A", DATE_PLACED="04/06/2020"),
        ok(CHILD="B", DATE_PLACED="03/06/2020", DATE_PLACED_CEASED="04/06/2020"),
        ok(CHILD="B", DATE_PLACED="04/06/2020"),
        fail(CHILD="B", DATE_PLACED="07/06/2020", DATE_PLACED_CEASED="09/06/2020"),
        ok(CHILD="C", DATE_PLACED_CEASED="05/06/2020"), ok(CHILD="C", DATE_PLACED_CEASED="05/06/2020"),
        ok(CHILD="D", DATE_PLACED="10/06/2020"),
        ok(CHILD="D", DATE_PLACED="01/06/2020", DATE_PLACED_CEASED="05/06/2020"),
        ok(CHILD="E", DATE_PLACED="01/06/2020", DATE_PLACED_CEASED="31/02/2020"),
        fail(CHILD="E", DATE_PLACED="10/06/2020"),
    ]}),
])
def decisions_overlap(r: Return) -> pl.LazyFrame:
    # Each decision, in date order, must follow the reversal of the one before it.
    ordered = r.placed_adoption.lazy().sort("CHILD", "DATE_PLACED", "_row", nulls_last=True)
    before = pl.col("DATE_PLACED_CEASED").shift(1)
    return ordered.filter(_same_child_as_previous()
                          & (before.is_null() | (pl.col("DATE_PLACED") < before)).fill_null(False))


@rule("583", tables=("PlacedAdoption",), fields=("DATE_PLACED", "DATE_PLACED_CEASED"), severity="query",
      examples=[
    Example({"PlacedAdoption": [
        ok(CHILD="A", DATE_PLACED="01/02/2020", DATE_PLACED_CEASED="02/02/2020"),
        ok(CHILD="A", DATE_PLACED="03/02/2020", DATE_PLACED_CEASED="04/02/2020"),
        fail(CHILD="B", DATE_PLACED="01/02/2020"), ok(CHILD="B", DATE_PLACED="02/02/2020"),
        ok(CHILD="C", DATE_PLACED="01/02/2020", DATE_PLACED_CEASED="02/02/2020"),
        ok(CHILD="C", DATE_PLACED="03/02/2020"),
        ok(CHILD="D", DATE_PLACED="01/02/2020", DATE_PLACED_CEASED="02/02/2020"),
        fail(CHILD="D", DATE_PLACED="01/01/2020"),
        fail(CHILD="E", DATE_PLACED="15/01/2020"), ok(CHILD="E", DATE_PLACED="02/02/2020"),
        ok(CHILD="F", DATE_PLACED="01/01/2020"),
    ]}),
])
def earlier_decision_not_reversed(r: Return) -> pl.LazyFrame:
    # All but each child's latest decision must have been reversed.
    latest_first = r.placed_adoption.lazy().sort("CHILD", "DATE_PLACED", "_row", descending=[False, True, False],
                                          nulls_last=True)
    return latest_first.filter(_same_child_as_previous() & ~_given("DATE_PLACED_CEASED"))


# -- decisions and episodes --------------------------------------------------------------------

@rule("117", tables=("PlacedAdoption", "Episodes"),
      fields=("DATE_PLACED_CEASED", "DATE_PLACED", "DEC", "REC", "DECOM"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/05/2024", DEC="01/12/2024", REC="E11"),
                     ok(CHILD="B", DECOM="01/05/2024", DEC="01/08/2024", REC="X1"),
                     fail(CHILD="B", DECOM="01/08/2024", DEC="01/10/2024", REC="E4A"),
                     fail(CHILD="C", DECOM="01/05/2024"), ok(CHILD="D", DECOM="01/05/2024"),
                     ok(CHILD="F", DECOM="01/05/2024", DEC="01/10/2024", REC="E4A"),
                     ok(CHILD="F", DECOM="01/10/2024", DEC="01/11/2024", REC="X1")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/06/2024"),
                           fail(CHILD="B", DATE_PLACED="01/06/2024", DATE_PLACED_CEASED="02/10/2024"),
                           fail(CHILD="C", DATE_PLACED="01/04/2025"), ok(CHILD="D", DATE_PLACED="31/03/2025"),
                           fail(CHILD="E", DATE_PLACED="01/04/2025"),
                           ok(CHILD="F", DATE_PLACED="01/06/2024", DATE_PLACED_CEASED="01/10/2024")],
    }, year=2025),
])
def decision_after_year_or_care_ended(r: Return) -> dict[str, pl.LazyFrame]:
    # Care ended with the child's latest episode that did not continue into another (REC not X1).
    latest = _one_per_child(r.episodes.lazy().filter(pl.col("REC").ne_missing("X1")), "DECOM", latest=True)
    decisions = r.placed_adoption.lazy().select(*_DECISION, "DATE_PLACED_CEASED").join(
        latest.select("CHILD", "DEC", pl.col("_row").alias("_row_ep")), on="CHILD", how="left")
    late = [(pl.col(f) > r.end) | (pl.col(f) > pl.col("DEC")) for f in ("DATE_PLACED", "DATE_PLACED_CEASED")]
    bad = decisions.filter((late[0] | late[1]).fill_null(False))
    return {"PlacedAdoption": bad.select("_row"),
            "Episodes": bad.select(pl.col("_row_ep").alias("_row")).drop_nulls()}


@rule("118", tables=("PlacedAdoption", "Episodes"), fields=("DATE_PLACED_CEASED", "DECOM", "LS"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", LS="V3"), fail(CHILD="A", DECOM="01/06/2024", LS="C2"),
                     fail(CHILD="B", DECOM="01/01/2024", LS="C2"), ok(CHILD="C", DECOM="01/01/2024", LS="C2"),
                     ok(CHILD="D", DECOM="01/01/2024", LS="C2"), ok(CHILD="F", DECOM="01/06/2024", LS="E1"),
                     ok(CHILD="F", DECOM="01/08/2024", LS="E1")],
        "PlacedAdoption": [fail(CHILD="A", DATE_PLACED_CEASED="01/05/2024"),
                           fail(CHILD="B", DATE_PLACED_CEASED="31/03/2024"),
                           ok(CHILD="C", DATE_PLACED_CEASED="01/04/2024"), ok(CHILD="D"),
                           fail(CHILD="E", DATE_PLACED_CEASED="01/01/2024"),
                           ok(CHILD="F", DATE_PLACED_CEASED="01/06/2024")],
    }, year=2025),
])
def decision_reversed_before_year_or_care(r: Return) -> dict[str, pl.LazyFrame]:
    # Care began with the child's first episode that is not a short break (LS V3/V4).
    first = _one_per_child(r.episodes.lazy().filter(~pl.col("LS").is_in(["V3", "V4"]).fill_null(False)),
                           "DECOM", latest=False)
    reversals = r.placed_adoption.lazy().filter(pl.col("DATE_PLACED_CEASED").is_not_null()).select(
        "CHILD", "DATE_PLACED_CEASED", "_row").join(
        first.select("CHILD", "DECOM", pl.col("_row").alias("_row_ep")), on="CHILD", how="left")
    early = (pl.col("DATE_PLACED_CEASED") < r.start) | (pl.col("DATE_PLACED_CEASED") < pl.col("DECOM"))
    bad = reversals.filter(early.fill_null(False))
    return {"PlacedAdoption": bad.select("_row"),
            "Episodes": bad.select(pl.col("_row_ep").alias("_row")).drop_nulls()}


@rule("1003", tables=("Episodes", "PlacedAdoption"), fields=("DATE_PLACED", "DECOM", "RNE"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/05/2024", RNE="S"), fail(CHILD="B", DECOM="01/05/2024", RNE="s"),
                     ok(CHILD="C", DECOM="01/01/2020", RNE="S"), ok(CHILD="C", DECOM="01/01/2024", RNE="S"),
                     ok(CHILD="D", DECOM="01/05/2024", RNE="P")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/05/2024"), fail(CHILD="B", DATE_PLACED="30/04/2024"),
                           ok(CHILD="C", DATE_PLACED="01/06/2022"), ok(CHILD="D", DATE_PLACED="01/01/2020")],
    }, year=2025),
])
def decision_before_care_began(r: Return) -> dict[str, pl.LazyFrame]:
    # Compared with the child's first episode starting a period of care (RNE S) in the return.
    starts = _one_per_child(r.episodes.lazy().filter(pl.col("RNE") == "S"), "DECOM", latest=False)
    return _pairs(starts.select("CHILD", "DECOM", "_row"), r.placed_adoption.lazy().select(*_DECISION),
                  pl.col("DATE_PLACED") < pl.col("DECOM"), ("Episodes", "PlacedAdoption"))


@rule("551", tables=("Episodes", "PlacedAdoption"), fields=("DATE_PLACED", "PLACE"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", PLACE="A3"), fail(CHILD="B", PLACE="a4"), fail(CHILD="C", PLACE="A5"),
                     ok(CHILD="D", PLACE="U1"), fail(CHILD="E", PLACE="A6"), ok(CHILD="F", PLACE="A3")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2024"), ok(CHILD="C"),
                           ok(CHILD="E", DATE_PLACED="01/01/2024"), ok(CHILD="E"),
                           ok(CHILD="F", DATE_PLACED="31/02/2024")],
    }),
])
def adoption_placement_without_decision(r: Return) -> pl.LazyFrame:
    # Every decision recorded for the child must have its date (a record without one fails too).
    dated = r.placed_adoption.lazy().group_by("CHILD").agg(_dated=_given("DATE_PLACED").all())
    return r.episodes.lazy().filter(pl.col("PLACE").is_in(PLACED_FOR_ADOPTION)).join(
        dated, on="CHILD", how="left").filter(~pl.col("_dated").fill_null(False))


@rule("552", tables=("PlacedAdoption", "Episodes"), fields=("DATE_PLACED", "DECOM"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", PLACE="A3", DECOM="01/06/2024"), ok(CHILD="A", PLACE="A4", DECOM="01/08/2024"),
                     fail(CHILD="B", PLACE="A5", DECOM="01/06/2024"), ok(CHILD="C", PLACE="U1", DECOM="01/06/2024"),
                     fail(CHILD="D", PLACE="A3", DECOM="01/06/2024"), ok(CHILD="D", PLACE="A6", DECOM="01/08/2024")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/06/2024"), ok(CHILD="B", DATE_PLACED="01/01/2024"),
                           fail(CHILD="B", DATE_PLACED="02/06/2024"), ok(CHILD="C", DATE_PLACED="01/01/2025"),
                           fail(CHILD="D", DATE_PLACED="01/07/2024")],
    }, year=2025),
])
def decision_after_adoption_placement(r: Return) -> dict[str, pl.LazyFrame]:
    # The child's latest decision against their first placement for adoption.
    placed = _one_per_child(r.episodes.lazy().filter(pl.col("PLACE").is_in(PLACED_FOR_ADOPTION)), "DECOM",
                            latest=False)
    decision = _one_per_child(r.placed_adoption, "DATE_PLACED", latest=True)
    return _pairs(decision.select(*_DECISION), placed.select("CHILD", "DECOM", "_row"),
                  pl.col("DECOM") < pl.col("DATE_PLACED"), ("PlacedAdoption", "Episodes"))


def _order_without_decision(r: Return, legal_status: str) -> dict[str, pl.DataFrame]:
    """Episodes under the order with no decision recorded for the child, and the reversals
    recorded for a child whose episode under the order is still open."""
    orders = r.episodes.lazy().filter(pl.col("LS") == legal_status)
    open_orders = orders.filter(~_given("DEC")).select("CHILD").unique()
    return {"Episodes": orders.join(r.placed_adoption.lazy().select("CHILD"), on="CHILD", how="anti"),
            "PlacedAdoption": r.placed_adoption.lazy().filter(_reversed()).join(open_orders, on="CHILD", how="semi")}


_ORDER_EXAMPLE = {
    "Episodes": [ok(CHILD="A", LS="E1", DEC="01/06/2024"), fail(CHILD="B", LS="E1"), ok(CHILD="C", LS="E1"),
                 ok(CHILD="D", LS="E1"), ok(CHILD="E", LS="C2"), ok(CHILD="F", LS="e1")],
    "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024",
                          REASON_PLACED_CEASED="RD1"),
                       fail(CHILD="C", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024"),
                       fail(CHILD="D", DATE_PLACED="01/01/2024", REASON_PLACED_CEASED="RD2"),
                       ok(CHILD="F", DATE_PLACED="01/01/2024")],
}


def _for_freeing_order(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {name: [{**rec, "LS": "D1"} if rec.get("LS") in ("E1", "e1") else rec for rec in recs]
            for name, recs in tables.items()}


@rule("553", tables=("Episodes", "PlacedAdoption"),
      fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"), examples=[
    Example(_ORDER_EXAMPLE, year=2025),
])
def placement_order_without_decision(r: Return) -> dict[str, pl.LazyFrame]:
    return _order_without_decision(r, "E1")


@rule("555", tables=("Episodes", "PlacedAdoption"),
      fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"), examples=[
    Example(_for_freeing_order(_ORDER_EXAMPLE), year=2024),
])
def freeing_order_without_decision(r: Return) -> dict[str, pl.LazyFrame]:
    return _order_without_decision(r, "D1")


@rule("554", tables=("Episodes", "PlacedAdoption"), fields=("DATE_PLACED", "DECOM", "LS"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", LS="E1", DECOM="01/06/2024"), ok(CHILD="A", LS="E1", DECOM="01/08/2024"),
                     fail(CHILD="B", LS="e1", DECOM="01/06/2024"), ok(CHILD="C", LS="C2", DECOM="01/06/2024"),
                     fail(CHILD="D", LS="E1", DECOM="01/06/2024"), ok(CHILD="D", LS="E1", DECOM="01/08/2024")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/06/2024"), fail(CHILD="B", DATE_PLACED="02/06/2024"),
                           ok(CHILD="C", DATE_PLACED="01/07/2024"), fail(CHILD="D", DATE_PLACED="01/07/2024")],
    }, year=2025),
])
def decision_after_placement_order(r: Return) -> dict[str, pl.LazyFrame]:
    # Against the first episode under a placement order in the return.
    first = _one_per_child(r.episodes.lazy().filter(pl.col("LS") == "E1"), "DECOM", latest=False)
    return _pairs(first.select("CHILD", "DECOM", "_row"), r.placed_adoption.lazy().select(*_DECISION),
                  pl.col("DATE_PLACED") > pl.col("DECOM"), ("Episodes", "PlacedAdoption"))


@rule("556", tables=("Episodes", "PlacedAdoption"), fields=("DATE_PLACED", "DECOM"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", LS="D1", DECOM="01/06/2023"), fail(CHILD="B", LS="d1", DECOM="01/06/2023"),
                     ok(CHILD="B", LS="D1", DECOM="01/07/2023"), ok(CHILD="C", LS="C2", DECOM="01/06/2023")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/06/2023"), ok(CHILD="B", DATE_PLACED="02/06/2023"),
                           ok(CHILD="C", DATE_PLACED="01/07/2023")],
    }, year=2024),
])
def decision_after_freeing_order(r: Return) -> pl.LazyFrame:
    # Unlike 554, every episode under the order is tested, and only episodes are flagged.
    orders = r.episodes.lazy().filter(pl.col("LS") == "D1")
    return orders.join(r.placed_adoption.lazy().select("CHILD", "DATE_PLACED"), on="CHILD").filter(
        pl.col("DATE_PLACED") > pl.col("DECOM"))


def _left_care_decision_open(r: Return, orders: list[str]) -> dict[str, pl.DataFrame]:
    """Episodes placed for adoption or under an order that ended care other than by adoption,
    whose child has no decision recorded or one not fully reversed (date and reason)."""
    left = r.episodes.lazy().filter(
        (pl.col("PLACE").is_in(PLACED_FOR_ADOPTION) | pl.col("LS").is_in(orders)).fill_null(False)
        & pl.col("REC").is_not_null() & ~pl.col("REC").is_in([*ADOPTED, "X1"]))
    open_decisions = r.placed_adoption.lazy().filter(
        ~(_given("DATE_PLACED_CEASED") & _given("REASON_PLACED_CEASED")))
    recorded = r.placed_adoption.lazy().select("CHILD").unique()
    episodes = pl.concat([left.join(recorded, on="CHILD", how="anti"),
                          left.join(open_decisions.select("CHILD").unique(), on="CHILD", how="semi")])
    return {"Episodes": episodes.select("_row"),
            "PlacedAdoption": open_decisions.join(left.select("CHILD").unique(), on="CHILD", how="semi")}


_LEFT_CARE_EPISODES = [
    fail(CHILD="A", PLACE="A3", REC="E4A"), ok(CHILD="B", PLACE="U1", LS="D1", REC="E4A"),
    ok(CHILD="C", PLACE="A4", LS="D1", REC="E12"), fail(CHILD="D", PLACE="a5", REC="E4A"),
    ok(CHILD="E", PLACE="A6", REC="X1"), ok(CHILD="F", PLACE="A6"), ok(CHILD="G", PLACE="U1", LS="D1", REC="E4A"),
    fail(CHILD="H", PLACE="U1", LS="E1", REC="E13")]
_LEFT_CARE_DECISIONS = [
    fail(CHILD="A", DATE_PLACED="01/01/2024"),
    ok(CHILD="B", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024", REASON_PLACED_CEASED="RD1"),
    ok(CHILD="C", DATE_PLACED="01/01/2024"), ok(CHILD="E", DATE_PLACED="01/01/2024"),
    ok(CHILD="F", DATE_PLACED="01/01/2024"), ok(CHILD="G", DATE_PLACED="01/01/2024"),
    fail(CHILD="H", DATE_PLACED="01/01/2024", REASON_PLACED_CEASED="RD1")]


def _with_failing(records: list[dict], children: set[str]) -> list[dict]:
    return [fail(**{k: v for k, v in rec.items() if k != "_fails"}) if rec["CHILD"] in children else rec
            for rec in records]


@rule("557", tables=("Episodes", "PlacedAdoption"), years=range(2023, 2025),
      fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"), examples=[
    Example({"Episodes": _with_failing(_LEFT_CARE_EPISODES, {"G"}),
             "PlacedAdoption": _with_failing(_LEFT_CARE_DECISIONS, {"G"})}, year=2024),
])
def left_care_unadopted_decision_open(r: Return) -> dict[str, pl.LazyFrame]:
    return _left_care_decision_open(r, ["D1", "E1"])


@rule("557", tables=("Episodes", "PlacedAdoption"), years=range(2025, 2028),
      fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"), examples=[
    Example({"Episodes": _LEFT_CARE_EPISODES, "PlacedAdoption": _LEFT_CARE_DECISIONS}, year=2025),
])
def left_care_unadopted_decision_open_placement_order(r: Return) -> dict[str, pl.LazyFrame]:
    # From 2024/25 freeing orders (D1) no longer count.
    return _left_care_decision_open(r, ["E1"])


@rule("558", tables=("Episodes", "PlacedAdoption"), fields=("DATE_PLACED_CEASED", "REC"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", REC="E11"), ok(CHILD="B", REC="E12"), ok(CHILD="C", REC="E11"),
                     ok(CHILD="D", REC="E4A"), fail(CHILD="E", REC="e11"), ok(CHILD="F", REC="E11")],
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED_CEASED="01/01/2024"), ok(CHILD="A", DATE_PLACED_CEASED="01/03/2024"),
                           ok(CHILD="B", DATE_PLACED_CEASED="01/01/2024"), ok(CHILD="B"),
                           ok(CHILD="C", DATE_PLACED_CEASED="01/01/2024"),
                           ok(CHILD="D", DATE_PLACED_CEASED="01/01/2024"), ok(CHILD="D", DATE_PLACED_CEASED="01/03/2024"),
                           ok(CHILD="E", DATE_PLACED_CEASED="01/01/2024"), ok(CHILD="E", DATE_PLACED_CEASED="31/02/2024")],
    }),
])
def adopted_after_every_decision_reversed(r: Return) -> pl.LazyFrame:
    # With more than one decision, one (the latest) must still stand if the child was adopted.
    all_reversed = r.placed_adoption.lazy().group_by("CHILD").agg(
        _all=_given("DATE_PLACED_CEASED").all(), _n=pl.len()).filter(pl.col("_all") & (pl.col("_n") > 1))
    return r.episodes.lazy().filter(pl.col("REC").is_in(ADOPTED)).join(all_reversed, on="CHILD", how="semi")


# -- decisions and the adoption details (AD1) --------------------------------------------------

@rule("523", tables=("PlacedAdoption", "AD1"), fields=("DATE_PLACED", "DATE_INT"), examples=[
    Example({
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2024"), fail(CHILD="B", DATE_PLACED="01/01/2024"),
                           ok(CHILD="C"), ok(CHILD="D", DATE_PLACED="01/01/2024")],
        "AD1": [ok(CHILD="A", DATE_INT="01/01/2024"), fail(CHILD="B", DATE_INT="02/01/2024"),
                ok(CHILD="C", DATE_INT="01/01/2024"), ok(CHILD="D")],
    }),
])
def decision_date_differs_from_should_be_placed(r: Return) -> dict[str, pl.LazyFrame]:
    return _pairs(r.placed_adoption.lazy().select(*_DECISION), r.ad1.lazy().select("CHILD", "DATE_INT", "_row"),
                  pl.col("DATE_PLACED") != pl.col("DATE_INT"), ("PlacedAdoption", "AD1"))


@rule("525", tables=("PlacedAdoption", "AD1"), fields=("DATE_PLACED_CEASED", *AD1_FIELDS), examples=[
    Example({
        "PlacedAdoption": [fail(CHILD="A", DATE_PLACED_CEASED="01/01/2024", REASON_PLACED_CEASED="RD1"),
                           ok(CHILD="B"), ok(CHILD="C", DATE_PLACED_CEASED="01/01/2024"),
                           ok(CHILD="D", DATE_PLACED_CEASED="01/01/2024"),
                           fail(CHILD="E", DATE_PLACED_CEASED="31/02/2024")],
        "AD1": [fail(CHILD="A", DATE_INT="01/01/2023", LS_ADOPTR="L0"), ok(CHILD="B", DATE_INT="01/01/2023"),
                ok(CHILD="C"), fail(CHILD="E", FOSTER_CARE="1")],
    }),
])
def adopted_after_decision_reversed(r: Return) -> dict[str, pl.LazyFrame]:
    return _pairs(r.placed_adoption.lazy().filter(_given("DATE_PLACED_CEASED")).select("CHILD", "_row"),
                  r.ad1.lazy().filter(pl.any_horizontal([_given(f) for f in AD1_FIELDS])).select("CHILD", "_row"),
                  pl.lit(True), ("PlacedAdoption", "AD1"))


# -- this year's decisions against last year's -------------------------------------------------

@rule("559", tables=("PlacedAdoption", "PlacedAdoption_last"), fields=("DATE_PLACED",), examples=[
    Example({
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2024"), fail(CHILD="B", DATE_PLACED="01/01/2024"),
                           ok(CHILD="C", DATE_PLACED="01/04/2024"), fail(CHILD="D", DATE_PLACED="31/03/2024"),
                           ok(CHILD="E", DATE_PLACED="01/01/2024")],
        "PlacedAdoption_last": [ok(CHILD="A", DATE_PLACED="01/01/2024"), ok(CHILD="D"),
                                ok(CHILD="E", DATE_PLACED="01/01/2024"), ok(CHILD="E")],
    }, year=2025),
])
def earlier_decision_missing_last_year(r: Return) -> pl.LazyFrame:
    dated_last_year = r.last("PlacedAdoption").lazy().filter(pl.col("DATE_PLACED").is_not_null()).select("CHILD")
    return r.placed_adoption.lazy().filter(pl.col("DATE_PLACED") < r.start).join(
        dated_last_year.unique(), on="CHILD", how="anti")


@rule("560", tables=("PlacedAdoption", "PlacedAdoption_last"), fields=("DATE_PLACED", "DATE_PLACED_CEASED"),
      examples=[
    Example({
        "PlacedAdoption": [ok(CHILD="A", DATE_PLACED="01/01/2024"), fail(CHILD="B", DATE_PLACED="02/01/2024"),
                           ok(CHILD="C", DATE_PLACED="01/03/2024"),
                           ok(CHILD="D", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/05/2024"),
                           ok(CHILD="D", DATE_PLACED="01/06/2024"), fail(CHILD="E"),
                           ok(CHILD="F", DATE_PLACED="01/06/2024")],
        "PlacedAdoption_last": [ok(CHILD="A", DATE_PLACED="01/01/2024"), ok(CHILD="B", DATE_PLACED="01/01/2024"),
                                ok(CHILD="C", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024",
                                   REASON_PLACED_CEASED="RD1"),
                                ok(CHILD="D", DATE_PLACED="01/01/2024"), ok(CHILD="E", DATE_PLACED="01/01/2024")],
    }, year=2025),
])
def open_decision_date_changed(r: Return) -> pl.DataFrame:
    # A decision still open last year must be reported again with the same date; if it is not
    # among the child's decisions this year, each of them differs from it.
    still_open = r.last("PlacedAdoption").filter(
        pl.col("DATE_PLACED").is_not_null() & ~_given("DATE_PLACED_CEASED")).select("CHILD", "DATE_PLACED")
    missing = still_open.join(r.placed_adoption.select("CHILD", "DATE_PLACED"), on=["CHILD", "DATE_PLACED"],
                              how="anti")
    return r.placed_adoption.join(missing.select("CHILD").unique(), on="CHILD", how="semi")


@rule("561", tables=("PlacedAdoption", "PlacedAdoption_last"), fields=("DATE_PLACED",), examples=[
    Example({
        "PlacedAdoption": [fail(CHILD="A", DATE_PLACED="01/01/2024"), ok(CHILD="B", DATE_PLACED="01/01/2024"),
                           fail(CHILD="C", DATE_PLACED="01/01/2024"), ok(CHILD="D", DATE_PLACED="01/03/2024")],
        "PlacedAdoption_last": [ok(CHILD="A", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024",
                                   REASON_PLACED_CEASED="RD1"),
                                ok(CHILD="B", DATE_PLACED="01/01/2024"),
                                ok(CHILD="C", DATE_PLACED="01/01/2024", REASON_PLACED_CEASED="RD1"),
                                ok(CHILD="D", DATE_PLACED="01/01/2024", DATE_PLACED_CEASED="01/02/2024",
                                   REASON_PLACED_CEASED="RD1")],
    }, year=2025),
])
def reversed_decision_reported_as_current(r: Return) -> pl.LazyFrame:
    reversed_last_year = r.last("PlacedAdoption").lazy().filter(_reversed()).select("CHILD", "DATE_PLACED").unique()
    return r.placed_adoption.lazy().join(reversed_last_year, on=["CHILD", "DATE_PLACED"], how="semi")


@rule("584", tables=("PlacedAdoption", "PlacedAdoption_last"), fields=("DATE_PLACED",), examples=[
    Example({
        "PlacedAdoption": [fail(CHILD="A", DATE_PLACED="01/02/2023"), fail(CHILD="B", DATE_PLACED="01/02/2024"),
                           ok(CHILD="C", DATE_PLACED="01/03/2023"), ok(CHILD="D", DATE_PLACED="01/01/2023"),
                           ok(CHILD="E", DATE_PLACED="01/02/2023"), fail(CHILD="F"),
                           ok(CHILD="G", DATE_PLACED="01/01/2023")],
        "PlacedAdoption_last": [ok(CHILD="A", DATE_PLACED="01/02/2024", DATE_PLACED_CEASED="01/03/2024",
                                   REASON_PLACED_CEASED="RD1"),
                                ok(CHILD="B", DATE_PLACED="01/02/2024", REASON_PLACED_CEASED="RD1"),
                                ok(CHILD="C", DATE_PLACED="01/02/2023", DATE_PLACED_CEASED="01/03/2023"),
                                ok(CHILD="D", DATE_PLACED="01/02/2023"),
                                ok(CHILD="E", DATE_PLACED_CEASED="01/01/2023"),
                                ok(CHILD="F", DATE_PLACED="01/02/2023", DATE_PLACED_CEASED="01/03/2023")],
    }, year=2025),
])
def new_decision_not_after_reversed_one(r: Return) -> pl.LazyFrame:
    # After a decision reversed last year, this year's decisions must be dated after it.
    reversed_last_year = r.last("PlacedAdoption").lazy().filter(_reversed()).select(
        "CHILD", pl.col("DATE_PLACED").alias("_last"))
    return r.placed_adoption.lazy().join(reversed_last_year, on="CHILD").filter(
        (~_given("DATE_PLACED") | (pl.col("DATE_PLACED") <= pl.col("_last"))).fill_null(False))
