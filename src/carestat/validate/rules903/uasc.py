"""Unaccompanied asylum-seeking children: UASC status and the date it ceased (DUC).

Header ``UASC`` is the child's status ("1"/"0"): from the XML's HEADER/UASC, or for CSV and
XLSX input "1" when the child has a UASC record. The UASC table holds DUC.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_UASC_TABLES = ("Header", "UASC", "Header_last", "UASC_last")


def _given(field: str) -> pl.Expr:
    """A value was entered, readable or not."""
    return pl.col(field).is_not_null() | invalid(field)


def _of_children(frame: pl.DataFrame | pl.LazyFrame, flagged: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    return frame.lazy().join(flagged.lazy().select("CHILD").unique(), on="CHILD", how="semi")


def _status_both_years(r: Return) -> pl.DataFrame:
    """One row per Header record: CHILD, _row, UASC and DUC (DUC_given: entered, readable or not)
    this year, and UASC_last, DUC_last and DOB_last (from last year's UASC record), when the
    child was in last year's Header (``in_last``). Built once for the rules that share it."""
    return r.view("uasc_both_years", _build_status_both_years)


def _build_status_both_years(r: Return) -> pl.DataFrame:
    now = r.header.lazy().select("CHILD", "_row", "UASC").join(
        r.uasc.lazy().select("CHILD", "DUC", DUC_given=_given("DUC")), on="CHILD", how="left")
    last = r.table("Header_last").lazy().select(
        "CHILD", pl.col("UASC").alias("UASC_last"), in_last=pl.lit(True)).join(
        r.table("UASC_last").lazy().select("CHILD", pl.col("DUC").alias("DUC_last"),
                                           pl.col("DOB").alias("DOB_last")),
        on="CHILD", how="left")
    return (now.join(last, on="CHILD", how="left").with_columns(pl.col("in_last").fill_null(False))
            .collect(engine="in-memory"))


def _flag_uasc_and_header(r: Return, flagged: pl.DataFrame | pl.LazyFrame) -> dict[str, pl.LazyFrame]:
    return {"Header": flagged.lazy().select("_row"), "UASC": _of_children(r.uasc, flagged)}


@rule("104", tables=("UASC",), fields=("DUC",), examples=[
    Example({"UASC": [ok(DUC="01/04/2024"), ok(DUC=None), fail(DUC="31/03/2024"), fail(DUC="31/02/2025"),
                      ok(DUC="01/01/2030")]}, year=2025),
])
def duc_invalid(r: Return) -> Where:
    # DUC may not fall before the collection year (it may be a future 18th birthday).
    return where(r.uasc, invalid("DUC") | (pl.col("DUC") < r.start))


@rule("105", tables=("Header",), fields=("UASC",), examples=[
    Example({"Header": [ok(UASC="0"), ok(UASC="1"), fail(UASC=None), fail(UASC="2"), fail(UASC="Y")]},
            note="as the XML gives it"),
    Example({"Header": [ok(CHILD="A"), ok(CHILD="B")], "UASC": [ok(CHILD="B")]},
            note="derived from the UASC table for CSV input: always valid"),
])
def uasc_status_invalid(r: Return) -> Where:
    return where(r.header, ~pl.col("UASC").is_in(["0", "1"]).fill_null(False))


@rule("205A", tables=_UASC_TABLES, fields=("CHILD", "UASC"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="0"), fail(CHILD="B", UASC="0"), fail(CHILD="C", UASC="0"),
                   ok(CHILD="D", UASC="1"), ok(CHILD="E", UASC="0"), fail(CHILD="F", UASC=None),
                   ok(CHILD="G", UASC="0")],
        "UASC": [ok(CHILD="A"), fail(CHILD="B", DUC="10/07/2023"), fail(CHILD="C"), ok(CHILD="D"), ok(CHILD="E"),
                 ok(CHILD="G")],
        "Header_last": [ok(CHILD="A", UASC="1"), ok(CHILD="B", UASC="1"), ok(CHILD="C", UASC="1"),
                        ok(CHILD="D", UASC="1"), ok(CHILD="E", UASC="0"), ok(CHILD="F", UASC="1"),
                        ok(CHILD="G", UASC="1")],
        "UASC_last": [ok(CHILD="A", DUC="20/01/2023"), ok(CHILD="B", DUC="10/07/2022"),
                      ok(CHILD="C", DUC="01/04/2023"), ok(CHILD="D", DUC="01/01/2025"),
                      ok(CHILD="F", DUC="20/01/2022"), ok(CHILD="G", DUC="01/04/2022")],
    }, year=2024, note="XML: every child has a UASC status; F has no UASC record this year"),
    Example({
        "Header": [ok(CHILD="A"), fail(CHILD="B"), ok(CHILD="C")],
        "UASC": [ok(CHILD="C", DUC="01/05/2025")],
        "Header_last": [ok(CHILD="A"), ok(CHILD="B"), ok(CHILD="C")],
        "UASC_last": [ok(CHILD="A", DUC="31/03/2023"), ok(CHILD="B", DUC="01/05/2025"), ok(CHILD="C")],
    }, year=2024, note="CSV: a child with a UASC record last year and none this year"),
])
def uasc_ceased_without_duc_last_year(r: Return) -> dict[str, pl.DataFrame]:
    # No longer UASC: DUC must have fallen in last year's collection year and not be given now.
    last_start, last_end = dt.date(r.start.year - 1, 4, 1), dt.date(r.end.year - 1, 3, 31)
    flagged = _status_both_years(r).filter(
        pl.col("UASC").ne_missing(pl.lit("1")) & (pl.col("UASC_last") == "1")
        & (pl.col("DUC_given").fill_null(False) | ~pl.col("DUC_last").is_between(last_start, last_end).fill_null(False))
    )
    return _flag_uasc_and_header(r, flagged)


@rule("205B", tables=_UASC_TABLES, fields=("DUC", "UASC"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="1"), ok(CHILD="B", UASC="1"), fail(CHILD="C", UASC="1"),
                   fail(CHILD="D", UASC="1"), fail(CHILD="E", UASC="1"), ok(CHILD="F", UASC="0"),
                   ok(CHILD="G", UASC="1")],
        "UASC": [ok(CHILD="A", DUC="16/04/2022"), ok(CHILD="B", DUC="23/07/2023"), fail(CHILD="C", DUC="16/06/2023"),
                 fail(CHILD="D", DUC="01/06/2024"), fail(CHILD="E"), ok(CHILD="F", DUC="14/06/2021"),
                 ok(CHILD="G", DUC="28/02/2026")],
        "Header_last": [ok(CHILD=c, UASC="1") for c in "ABCDEFG"],
        "UASC_last": [ok(CHILD="A", DOB="16/04/2004", DUC="16/04/2022"),
                      ok(CHILD="B", DOB="23/07/2005", DUC="23/07/2023"),
                      ok(CHILD="C", DOB="04/11/2005", DUC="04/11/2024"),
                      ok(CHILD="D", DOB="01/05/2006", DUC="01/05/2024"),
                      ok(CHILD="E", DOB="01/05/2008"),
                      ok(CHILD="F", DOB="14/06/2003", DUC="01/01/2020"),
                      ok(CHILD="G", DOB="29/02/2008", DUC="28/02/2026")],
    }, year=2024, note="C: last year's DUC not the 18th birthday; D: this year's neither in the year nor repeated"),
])
def uasc_both_years_duc_inconsistent(r: Return) -> dict[str, pl.LazyFrame]:
    # Last year's DUC must be the 18th birthday; this year's must fall in the year or repeat it.
    duc, duc_last = pl.col("DUC"), pl.col("DUC_last")
    in_year = duc.is_between(r.start, r.end).fill_null(False)
    repeated = (duc == duc_last).fill_null(False)
    at_18 = (duc_last == add_years("DOB_last", 18)).fill_null(False)
    flagged = _status_both_years(r).lazy().filter(
        (pl.col("UASC") == "1") & (pl.col("UASC_last") == "1") & ((~in_year & ~repeated) | ~at_18)
    )
    return _flag_uasc_and_header(r, flagged)


@rule("205C", tables=_UASC_TABLES, fields=("DUC", "UASC"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="0"), fail(CHILD="B", UASC="0"), fail(CHILD="C", UASC="0"),
                   ok(CHILD="D", UASC="1"), fail(CHILD="E", UASC=None), ok(CHILD="F", UASC="0")],
        "UASC": [ok(CHILD="A"), fail(CHILD="B", DUC="01/05/2024"), fail(CHILD="C"), ok(CHILD="D", DUC="01/05/2024"),
                 fail(CHILD="E", DUC="01/05/2024"), ok(CHILD="F", DUC="32/05/2024")],
        "Header_last": [ok(CHILD="A", UASC="0"), ok(CHILD="B", UASC="0"), ok(CHILD="C", UASC="0"),
                        ok(CHILD="D", UASC="0"), ok(CHILD="F", UASC="0")],
        "UASC_last": [ok(CHILD="A"), ok(CHILD="B"), ok(CHILD="C", DUC="01/05/2024"), ok(CHILD="D"), ok(CHILD="F")],
    }, year=2025, note="E: not in last year's return"),
])
def duc_but_never_uasc(r: Return) -> dict[str, pl.LazyFrame]:
    never = (pl.col("UASC") == "0").fill_null(True) & (pl.col("UASC_last") == "0").fill_null(True)
    flagged = _status_both_years(r).lazy().filter(
        never & (pl.col("DUC").is_not_null() | pl.col("DUC_last").is_not_null()))
    return _flag_uasc_and_header(r, flagged)


@rule("205D", tables=("Header", "Header_last", "UASC", "UASC_last"), fields=("UASC", "CHILD"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="1"), fail(CHILD="B", UASC="1"), ok(CHILD="C", UASC="0"),
                   ok(CHILD="D", UASC="1"), fail(CHILD="E", UASC="1")],
        "UASC": [ok(CHILD=c) for c in "ABCDE"],
        "Header_last": [ok(CHILD="A", UASC="1"), ok(CHILD="B", UASC="0"), ok(CHILD="C", UASC="0"),
                        ok(CHILD="E", UASC=None)],
        "UASC_last": [ok(CHILD=c) for c in "ABC"],
    }, note="D: not in last year's return"),
    Example({
        "Header": [ok(CHILD="A"), fail(CHILD="B"), ok(CHILD="C")],
        "UASC": [ok(CHILD="A"), ok(CHILD="B")],
        "Header_last": [ok(CHILD="A"), ok(CHILD="B"), ok(CHILD="C")],
        "UASC_last": [ok(CHILD="A"), ok(CHILD="C")],
    }, note="CSV: status from the UASC records"),
])
def uasc_now_but_not_last_year(r: Return) -> pl.LazyFrame:
    last = r.table("Header_last").lazy().select("CHILD", pl.col("UASC").alias("UASC_last"))
    return r.header.lazy().filter(pl.col("UASC") == "1").join(last, on="CHILD", how="inner").filter(
        pl.col("UASC_last").ne_missing(pl.lit("1")))


@rule("231", tables=("Header",), fields=("DOB", "UASC"), severity="query", examples=[
    Example({"Header": [fail(DOB="01/04/2014", UASC="1"), ok(DOB="31/03/2014", UASC="1"),
                        ok(DOB="01/04/2014", UASC="0"), ok(DOB="30/03/2014", UASC="1"), ok(DOB=None, UASC="1")]},
            year=2025),
    Example({"Header": [fail(CHILD="A", DOB="01/04/2020"), ok(CHILD="B", DOB="01/04/2020")],
             "UASC": [ok(CHILD="A")]}, year=2026),
])
def uasc_under_11(r: Return) -> Where:
    # Under 11 at the end of the year (born after 31 March eleven years earlier).
    return where(r.header, (pl.col("UASC") == "1") & (pl.col("DOB") > dt.date(r.end.year - 11, 3, 31)))


@rule("303", tables=("Header", "UASC"), fields=("DUC", "UASC"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="0"), ok(CHILD="B", UASC="1"), fail(CHILD="C", UASC="0"),
                   ok(CHILD="D", UASC="1"), fail(CHILD="E", UASC=None), fail(CHILD="F", UASC="0")],
        "UASC": [ok(CHILD="A"), ok(CHILD="B", DUC="04/04/2021"), fail(CHILD="C", DUC="01/06/2020"),
                 ok(CHILD="D"), fail(CHILD="E", DUC="10/04/2020"), fail(CHILD="F", DUC="40/04/2020"),
                 ok(CHILD="G", DUC="01/06/2020")],
    }, note="G has no Header record"),
])
def duc_without_uasc_status(r: Return) -> dict[str, pl.LazyFrame]:
    duc_given = r.uasc.lazy().filter(_given("DUC")).select("CHILD").unique()
    flagged = r.header.lazy().filter(pl.col("UASC").ne_missing(pl.lit("1"))).join(duc_given, on="CHILD", how="semi")
    return {"Header": flagged, "UASC": _of_children(r.uasc.lazy().filter(_given("DUC")), flagged)}


@rule("304", tables=("UASC",), fields=("DUC",), examples=[
    Example({"UASC": [fail(DOB="01/06/2000", DUC="05/06/2018"), ok(DOB="02/06/2000"),
                      ok(DOB="03/06/2000", DUC="03/06/2018"), fail(DOB="04/06/2000", DUC="02/06/2020"),
                      ok(DOB=None, DUC="05/06/2020"), ok(DOB="29/02/2004", DUC="28/02/2022"),
                      fail(DOB="29/02/2004", DUC="01/03/2022")]}),
])
def duc_after_18th_birthday(r: Return) -> Where:
    return where(r.uasc, pl.col("DUC") > add_years("DOB", 18))


@rule("1014", tables=("UASC", "OC3", "Episodes", "Header"), fields=("ACTIV", "ACCOM", "IN_TOUCH", "DUC"), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="1"), ok(CHILD="B", UASC="1"), ok(CHILD="C", UASC="0"),
                   ok(CHILD="D", UASC="0"), ok(CHILD="E", UASC="1"), ok(CHILD="F", UASC="1"),
                   ok(CHILD="G", UASC="1")],
        "UASC": [fail(CHILD="A"), ok(CHILD="B"), ok(CHILD="C"), fail(CHILD="D", DUC="05/06/2024"),
                 fail(CHILD="E"), ok(CHILD="F"), ok(CHILD="G")],
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C", IN_TOUCH="YES"),
                fail(CHILD="D", ACTIV="F2"), fail(CHILD="E", ACCOM="B1"), ok(CHILD="F"), ok(CHILD="G", IN_TOUCH="YES")],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2023", DEC="31/03/2024"),
                     ok(CHILD="B", DECOM="01/01/2023", DEC="01/04/2024"),
                     ok(CHILD="C", DECOM="01/01/2023", DEC="01/01/2024"),
                     ok(CHILD="F", DECOM="01/01/2023", DEC="01/01/2024"),
                     ok(CHILD="G", DECOM="31/03/2025")],
    }, year=2025, note="E has no episodes at all; C is not UASC"),
])
def uasc_details_for_care_leaver(r: Return) -> dict[str, pl.LazyFrame]:
    # Care leavers: OC3 details given and no episode during the collection year.
    during = (pl.col("DECOM") <= r.end) & (pl.col("DEC").is_null() | (pl.col("DEC") >= r.start))
    looked_after = r.episodes.lazy().filter(during).select("CHILD")
    leavers = r.oc3.lazy().filter(pl.any_horizontal(pl.col("IN_TOUCH", "ACTIV", "ACCOM").is_not_null())).join(
        looked_after, on="CHILD", how="anti")
    # UASC information: a DUC, or a UASC status of 1 (in XML every child has a UASC record).
    status = r.header.lazy().select("CHILD", "UASC").unique("CHILD", keep="first")
    uasc_info = r.uasc.lazy().join(status, on="CHILD", how="left").filter(
        _given("DUC") | (pl.col("UASC") == "1").fill_null(False))
    flagged = uasc_info.join(leavers.select("CHILD").unique(), on="CHILD", how="semi").select("CHILD", "_row")
    return {"UASC": flagged, "OC3": _of_children(leavers, flagged)}
