"""Integrity: every record belongs to a child in the Header, agrees with the Header's date of
birth and sex, and one-per-child tables hold one record per child.

These matter for CSV and XLSX input; the XML nests every record in its child, and the readers
copy CHILD, DOB and SEX from its HEADER.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import child_in
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, rule, where

_CHILD_IN_HEADER = {"INT01": "AD1", "INT02": "PlacedAdoption", "INT03": "Episodes", "INT04": "Missing",
                    "INT05": "OC2", "INT06": "OC3", "INT07": "PrevPerm", "INT08": "Reviews", "INT09": "UASC"}
_SAME_DOB = {"INT11": "AD1", "INT12": "PlacedAdoption", "INT13": "Missing", "INT14": "OC2", "INT15": "OC3",
             "INT16": "PrevPerm", "INT17": "Reviews", "INT18": "UASC"}
_ONCE_PER_CHILD = {"INT31": "AD1", "INT32": "Header", "INT33": "OC2", "INT34": "OC3", "INT35": "PrevPerm",
                   "INT36": "UASC"}


def _snake(table: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", table).lower()


def _named(name: str, func: Callable[[Return], RuleResult]) -> Callable[[Return], RuleResult]:
    """Give a rule made by a factory its own name (the test ids and reports use it)."""
    func.__name__ = func.__qualname__ = name
    return func


def _register_child_in_header(code: str, table: str) -> None:
    def check(r: Return) -> RuleResult:
        return where(r.table(table), ~child_in(r.header["CHILD"]))

    rule(code, tables=(table, "Header"), fields=("CHILD",), examples=[
        Example({"Header": [ok(CHILD="A"), ok(CHILD="B")],
                 table: [ok(CHILD="A"), ok(CHILD="B"), fail(CHILD="C"), fail(CHILD="a")]}),
    ])(_named(f"{_snake(table)}_child_not_in_header", check))


def _register_same_dob(code: str, table: str) -> None:
    def check(r: Return) -> RuleResult:
        header = r.header.lazy().select("CHILD", pl.col("DOB").alias("DOB_H"))
        return (r.table(table).lazy().select("CHILD", "DOB", "_row").join(header, on="CHILD", how="inner")
                .filter(pl.col("DOB") != pl.col("DOB_H")))

    rule(code, tables=(table, "Header"), fields=("DOB",), examples=[
        Example({"Header": [ok(CHILD="A", DOB="01/04/2020"), ok(CHILD="B"), ok(CHILD="C", DOB="01/04/2020"),
                            ok(CHILD="D", DOB="01/04/2020")],
                 table: [ok(CHILD="A", DOB="2020-04-01"), ok(CHILD="B", DOB="01/01/2020"),
                         fail(CHILD="C", DOB="04/01/2020"), ok(CHILD="D"), ok(CHILD="E", DOB="01/04/2020")]},
                note="blank or missing on either side is left to other rules"),
    ])(_named(f"{_snake(table)}_dob_differs_from_header", check))


def _register_once_per_child(code: str, table: str) -> None:
    def check(r: Return) -> RuleResult:
        return where(r.table(table), pl.col("CHILD").is_not_null() & (pl.len().over("CHILD") > 1))

    rule(code, tables=(table,), fields=("CHILD",), examples=[
        Example({table: [fail(CHILD="A"), ok(CHILD="B"), fail(CHILD="A"), ok(CHILD="a"), ok(CHILD=None),
                         ok(CHILD=None)]}),
    ])(_named(f"{_snake(table)}_child_repeated", check))


for _code, _table in _CHILD_IN_HEADER.items():
    _register_child_in_header(_code, _table)
for _code, _table in _SAME_DOB.items():
    _register_same_dob(_code, _table)
for _code, _table in _ONCE_PER_CHILD.items():
    _register_once_per_child(_code, _table)


@rule("INT21", tables=("UASC", "Header"), fields=("SEX",), examples=[
    Example({"Header": [ok(CHILD="A", SEX="M"), ok(CHILD="B", SEX="F"), ok(CHILD="C", SEX="M"), ok(CHILD="D")],
             "UASC": [ok(CHILD="A", SEX="m"), fail(CHILD="B", SEX="M"), ok(CHILD="C"), ok(CHILD="D", SEX="F"),
                      ok(CHILD="E", SEX="F")]}),
])
def uasc_sex_differs_from_header(r: Return) -> pl.LazyFrame:
    header = r.header.lazy().select("CHILD", pl.col("SEX").alias("SEX_H"))
    return (r.uasc.lazy().select("CHILD", "SEX", "_row").join(header, on="CHILD", how="inner")
            .filter(pl.col("SEX") != pl.col("SEX_H")))


@rule("EPI", tables=("Header",), fields=("CHILD",), severity="query", examples=[
    Example({"Header": [ok(CHILD="A"), fail(CHILD="B"), ok(CHILD="C"), fail(CHILD="D"), ok(CHILD="E")],
             "Episodes": [ok(CHILD="A"), ok(CHILD="A"), ok(CHILD="C")], "OC3": [ok(CHILD="E")]}),
    Example({"Header": [fail(CHILD="A")]}, note="no Episodes or OC3 supplied"),
])
def child_without_episodes(r: Return) -> Where:
    # A child needs episodes, or OC3 as a care leaver; the DfE portal validates no further without.
    return where(r.header, ~child_in(r.episodes["CHILD"]) & ~child_in(r.oc3["CHILD"]))
