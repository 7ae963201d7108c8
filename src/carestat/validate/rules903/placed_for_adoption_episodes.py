"""Decisions to place a child for adoption (PlacedAdoption) against the child's episodes: when
care began and ended, placements for adoption, placement and freeing orders, and adoption."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.registry import Example, fail, ok, rule
from carestat.validate.rules903.adoption import (
    ADOPTED,
    PLACED_FOR_ADOPTION,
    _given,
    _one_per_child,
    _pairs,
)
from carestat.validate.rules903.placed_for_adoption import _DECISION, _reversed

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
