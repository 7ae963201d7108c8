"""Decisions to place a child for adoption (PlacedAdoption): their dates, reversals, the
adoption details (AD1) they must agree with, and the previous year's decisions. Decisions
against the child's episodes are in placed_for_adoption_episodes.py."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import invalid, not_in
from carestat.validate.registry import Example, Where, fail, ok, rule, where
from carestat.validate.rules903.adoption import AD1_FIELDS, _given, _pairs

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
