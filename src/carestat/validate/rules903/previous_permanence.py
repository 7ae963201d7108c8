"""Previous permanence: the adoption, SGO or child arrangements order a child had before care.

DATE_PERM is a partial date: dd/mm/yyyy where the day or month may be "ZZ" and the year
"ZZZZ" when unknown.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

from carestat.ingest.typing import parse_stripped_date
from carestat.refdata import local_authorities
from carestat.validate.context import Return
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_OUTSIDE_ENGLAND = ("WAL", "SCO", "NUK", "NIR")
_PERMANENCE_FIELDS = ("PREV_PERM", "LA_PERM", "DATE_PERM")
_FIRST_RECORDED_FROM = dt.date(2016, 4, 1)


@cache
def _la_perm_codes() -> list[str]:
    """Every LA's 3-digit code (predecessors too: the order may be years old), 999, and the
    codes for places outside England."""
    codes = set(local_authorities()["old_la_code"].drop_nulls().to_list())
    return sorted(codes | {"999", *_OUTSIDE_ENGLAND})


def _with_date_perm(prev_perm: pl.DataFrame) -> pl.LazyFrame:
    """PrevPerm with ``_latest``, the latest date DATE_PERM can mean (null when the year is
    unknown or DATE_PERM cannot be read), and ``_unreadable``.

    Unknown parts are taken at their latest (ZZ day: the month's last day; ZZ month: December),
    so the order is only called later than care began when it must be. A year of ZZZZ reads as
    2000 (a leap year, so 29/02/ZZZZ is readable) to tell an unreadable date from an unknown one.
    Built in steps: one nested expression is many times slower for Polars to plan.
    """
    parts = pl.col("DATE_PERM").str.to_uppercase().str.split("/")
    day, month, year = pl.col("_day"), pl.col("_month"), pl.col("_year")

    def first_day(unknown_year: str | None) -> pl.Expr:
        return (pl.concat_str(
            pl.when(day == "ZZ").then(pl.lit("01")).otherwise(day), pl.lit("/"),
            pl.when(month == "ZZ").then(pl.lit("12")).otherwise(month), pl.lit("/"),
            pl.when(year == "ZZZZ").then(pl.lit(unknown_year, dtype=pl.Utf8)).otherwise(year),
        ))

    def latest(first: str) -> pl.Expr:
        partial = (pl.when(pl.col("_parts") != 3).then(None)
                   .when(day == "ZZ").then(pl.col(first).dt.month_end()).otherwise(pl.col(first)))
        return pl.coalesce(pl.col("_whole"), partial)

    return (
        prev_perm.lazy()
        .with_columns(*(parts.list.get(i, null_on_oob=True).alias(n)
                        for i, n in enumerate(("_day", "_month", "_year"))),
                      _parts=parts.list.len(), _whole=pl.col("DATE_PERM").str.strip_chars())
        .with_columns(_whole=parse_stripped_date(pl.col("_whole")))
        .with_columns(_first=first_day(None).str.strip_chars(), _first_2000=first_day("2000").str.strip_chars())
        .with_columns(_first=parse_stripped_date(pl.col("_first")),
                      _first_2000=parse_stripped_date(pl.col("_first_2000")))
        .with_columns(_latest=latest("_first"),
                      _unreadable=pl.col("DATE_PERM").is_not_null() & latest("_first_2000").is_null())
    )


@rule("630", tables=("Episodes", "PrevPerm"), fields=("RNE",), examples=[
    Example({
        "Episodes": [ok(CHILD="A", RNE="T", DECOM="01/04/2024"), fail(CHILD="B", RNE="S", DECOM="01/04/2024"),
                     ok(CHILD="C", RNE="S", DECOM="01/04/2024"), ok(CHILD="D", RNE="P", DECOM="01/04/2024"),
                     ok(CHILD="E", RNE="S", DECOM="31/03/2024"), fail(CHILD="F", RNE="S", DECOM="01/05/2024"),
                     ok(CHILD="G", RNE="S", DECOM="01/04/2024"), fail(CHILD="H", RNE="S", DECOM="01/04/2024"),
                     ok(CHILD="I", RNE="S", DECOM="01/04/2024"), fail(CHILD="J", RNE="s", DECOM="01/04/2024")],
        "PrevPerm": [ok(CHILD="C", PREV_PERM="Z1"), ok(CHILD="E", PREV_PERM="P1", LA_PERM="352"),
                     ok(CHILD="F", PREV_PERM="P1", DATE_PERM="01/05/2000"), ok(CHILD="G", PREV_PERM="Z1"),
                     ok(CHILD="H", LA_PERM="352", DATE_PERM="01/05/2000"),
                     ok(CHILD="I", PREV_PERM="P1", LA_PERM="352", DATE_PERM="ZZ/05/2020"),
                     ok(CHILD="J", PREV_PERM="P2", LA_PERM="352")]},
        year=2025, note="B has no PrevPerm record; E started before the year"),
])
def prev_perm_missing_for_new_period(r: Return) -> pl.LazyFrame:
    # Children starting a period of care this year need PREV_PERM, and LA_PERM and DATE_PERM
    # too unless PREV_PERM is Z1 (no previous permanence option).
    started = r.episodes.lazy().filter((pl.col("RNE") == "S") & (pl.col("DECOM") >= r.start)).select("CHILD", "_row")
    perm = r.prev_perm.lazy().select("CHILD", *_PERMANENCE_FIELDS, _recorded=pl.lit(True))
    incomplete = (
        pl.col("_recorded").is_null() | pl.col("PREV_PERM").is_null()
        | ((pl.col("PREV_PERM") != "Z1") & (pl.col("LA_PERM").is_null() | pl.col("DATE_PERM").is_null()))
    )
    return started.join(perm, on="CHILD", how="left").filter(incomplete)


@rule("631", tables=("PrevPerm",), fields=("PREV_PERM",), examples=[
    Example({"PrevPerm": [fail(PREV_PERM="P0"), ok(PREV_PERM="P1"), ok(PREV_PERM="p1"), ok(PREV_PERM=None),
                          ok(PREV_PERM="Z1"), fail(PREV_PERM="Z2")]}),
])
def prev_perm_code_valid(r: Return) -> Where:
    codes = r.codes("PrevPerm", "PREV_PERM")
    return where(r.prev_perm, pl.col("PREV_PERM").is_not_null() & ~pl.col("PREV_PERM").is_in(codes))


@rule("632", tables=("Episodes", "PrevPerm"), fields=("DATE_PERM", "DECOM"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", DECOM="20/10/2011"), ok(CHILD="B", DECOM="19/11/2021"),
                     fail(CHILD="B", DECOM="17/06/2001"), ok(CHILD="C", DECOM=None), ok(CHILD="D", DECOM="11/09/2015"),
                     ok(CHILD="E", DECOM="01/01/2021"), ok(CHILD="F", DECOM="01/06/2021"),
                     fail(CHILD="G", DECOM="30/05/2021"), ok(CHILD="H", DECOM="01/07/2021"),
                     ok(CHILD="I", DECOM="01/01/1994"), fail(CHILD="J", DECOM="01/07/2021"),
                     fail(CHILD="K", DECOM="01/07/2021"), fail(CHILD="L", DECOM="05/12/2020"),
                     ok(CHILD="M", DECOM="01/07/2021")],
        "PrevPerm": [fail(CHILD="A", DATE_PERM="xx/10/2011"), fail(CHILD="B", DATE_PERM="17/06/2001"),
                     ok(CHILD="C", DATE_PERM="01/05/2000"), ok(CHILD="D"), ok(CHILD="E", DATE_PERM="05/zz/2020"),
                     ok(CHILD="F", DATE_PERM="ZZ/05/2021"), fail(CHILD="G", DATE_PERM="ZZ/05/2021"),
                     ok(CHILD="H", DATE_PERM="ZZ/ZZ/ZZZZ"), ok(CHILD="I", DATE_PERM="ZZ/ZZ/1993"),
                     fail(CHILD="J", DATE_PERM="ZZ/ZZ/ZZ"), fail(CHILD="K", DATE_PERM="01/13/2000"),
                     fail(CHILD="L", DATE_PERM="05/ZZ/2020"), ok(CHILD="M", DATE_PERM="2020-05-01"),
                     ok(CHILD="N", DATE_PERM="99/99/9999")],
    }, note="C's only episode has no DECOM; N has no episodes"),
])
def prev_perm_date_invalid_or_not_before_care(r: Return) -> dict[str, pl.LazyFrame]:
    # Against the start of the child's first episode in this return.
    first = (r.episodes_seq.lazy().filter((pl.col("_seq") == 1) & pl.col("DECOM").is_not_null())
             .select("CHILD", "DECOM", "_row"))
    perm = _with_date_perm(r.prev_perm.select("CHILD", "DATE_PERM", "_row"))
    flagged = first.join(perm, on="CHILD", how="inner", suffix="_perm").filter(
        pl.col("_unreadable") | (pl.col("_latest") >= pl.col("DECOM")).fill_null(False)
    )
    return {"Episodes": flagged.select("CHILD", "_row"),
            "PrevPerm": flagged.select("CHILD", pl.col("_row_perm").alias("_row"))}


@rule("633", tables=("PrevPerm",), fields=("LA_PERM",), examples=[
    Example({"PrevPerm": [ok(LA_PERM=None), ok(LA_PERM="SCO"), ok(LA_PERM="wal"), ok(LA_PERM="204"),
                          fail(LA_PERM="458"), fail(LA_PERM="176"), ok(LA_PERM="940"), ok(LA_PERM="909"),
                          ok(LA_PERM="999"), fail(LA_PERM="E09000027")]}),
])
def la_perm_valid(r: Return) -> pl.DataFrame:
    la = pl.col("LA_PERM").str.to_uppercase()
    return r.prev_perm.filter(la.is_not_null() & ~la.is_in(_la_perm_codes()))


@rule("634", tables=("PrevPerm", "Episodes"), fields=("LA_PERM", "PREV_PERM", "DATE_PERM", "DECOM"), examples=[
    Example({
        "PrevPerm": [fail(CHILD="A", PREV_PERM="Z1"), ok(CHILD="B", LA_PERM="352"),
                     fail(CHILD="C", DATE_PERM="01/05/2000"), ok(CHILD="D", PREV_PERM="Z1"), ok(CHILD="E"),
                     ok(CHILD="F", PREV_PERM="P1"), ok(CHILD="G", PREV_PERM="P1")],
        "Episodes": [fail(CHILD="A", DECOM="20/10/2011"), ok(CHILD="B", DECOM="19/11/2021"),
                     ok(CHILD="B", DECOM="17/06/2001"), fail(CHILD="C", DECOM="04/04/2002"),
                     fail(CHILD="C", DECOM="31/03/2016"), ok(CHILD="E", DECOM="01/03/2010"),
                     ok(CHILD="F", DECOM="01/04/2016"), ok(CHILD="G", DECOM="01/06/2020")],
    }, year=2025, note="D has no episodes; G started before this year but after April 2016"),
])
def prev_perm_for_care_before_2016(r: Return) -> dict[str, pl.LazyFrame]:
    # Previous permanence is recorded only for children who started care from 1 April 2016.
    given = r.prev_perm.lazy().filter(pl.any_horizontal(pl.col(_PERMANENCE_FIELDS).is_not_null()))
    old = r.episodes.lazy().group_by("CHILD").agg(last_start=pl.col("DECOM").max()).filter(
        pl.col("last_start") < _FIRST_RECORDED_FROM)
    flagged = given.join(old, on="CHILD", how="semi")
    return {"PrevPerm": flagged,
            "Episodes": r.episodes.lazy().join(flagged.select("CHILD").unique(), on="CHILD", how="semi")}


@rule("635", tables=("PrevPerm",), fields=("LA_PERM", "DATE_PERM", "PREV_PERM"), examples=[
    Example({"PrevPerm": [ok(PREV_PERM="Z1"), fail(LA_PERM="352"), fail(DATE_PERM="01/05/2000"), ok(),
                          fail(PREV_PERM="Z1", LA_PERM="352"), fail(PREV_PERM="z1", DATE_PERM="ZZ/ZZ/2000"),
                          ok(PREV_PERM="P1", LA_PERM="352", DATE_PERM="05/05/2020")]}),
])
def order_details_without_previous_permanence(r: Return) -> Where:
    # Z1 means no previous permanence option, so there is no order to date or place;
    # a blank PREV_PERM with order details is contradictory in the same way.
    details = pl.col("LA_PERM").is_not_null() | pl.col("DATE_PERM").is_not_null()
    return where(r.prev_perm, details & (pl.col("PREV_PERM") == "Z1").fill_null(True))
