"""Turn raw string columns into typed columns, once, following the spec.

Rules of reading (the DfE's conventions): codes are upper-cased, surrounding spaces dropped,
and an empty string is a blank (null). Dates are dd/mm/yyyy, ISO yyyy-mm-dd also accepted.
A value that cannot be read as its type becomes null and its field name is listed in the
row's ``_invalid`` column, so rules can tell "blank" from "not a valid date".
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

from carestat.spec import Table

PROVENANCE = ("_file", "_row")


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """dd/mm/yyyy, or ISO yyyy-mm-dd (optionally with a time, as spreadsheets give).

    A four-digit year is required: "01/01/24" must not read as the year 24."""
    return parse_stripped_date(expr.str.strip_chars())  # a blank reads as no date anyway


def parse_stripped_date(text: pl.Expr) -> pl.Expr:
    """``parse_date`` of text already stripped. Faster on a column than on an expression: Polars
    does not always compute an expression used twice only once."""
    dmy = text.str.to_date("%d/%m/%Y", strict=False)
    iso = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    date = pl.coalesce(dmy, iso)  # ISO only where dd/mm/yyyy does not read at all
    return pl.when(date >= _YEAR_1000).then(date)


_YEAR_1000 = dt.date(1000, 1, 1)


def _typed(name: str, ftype: str) -> pl.Expr:
    """The typed value of a column already stripped, blanks null."""
    text = pl.col(name)
    if ftype == "date":
        return parse_stripped_date(text)
    if ftype == "int":
        return text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    if ftype == "code":
        return text.str.to_uppercase()
    if ftype == "postcode":
        return text.str.to_uppercase().str.replace_all(r"\s+", " ")
    return text


def schema_for(table: Table) -> dict[str, pl.DataType]:
    """The typed schema of a table (provenance first, then fields, then ``_invalid``)."""
    kinds = {"date": pl.Date(), "int": pl.Int64()}
    schema: dict[str, pl.DataType] = {"_file": pl.Utf8(), "_row": pl.UInt32()}
    for f in table.fields:
        schema[f.name] = kinds.get(f.type, pl.Utf8())
    schema["_invalid"] = pl.List(pl.Utf8)
    return schema


def empty_frame(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=schema_for(table))


def apply_types(raw: pl.DataFrame, table: Table) -> pl.DataFrame:
    """``raw`` has one string column per field plus ``_file`` and ``_row``."""
    return typed_plan(raw, table).collect(engine="in-memory")


def typed_plan(raw: pl.DataFrame, table: Table) -> pl.LazyFrame:
    """The query of :func:`apply_types`, in steps so that each column is stripped and parsed once:
    strip (blanks null), type, read ISO dates where dd/mm/yyyy did not read, flag what could not
    be read. A date or number is typed from its stripped text as it is (an empty string reads
    as nothing), sparing the blanking of those columns."""
    schema = schema_for(table)
    strip, typed, iso, years, invalid = _typing_steps(tuple((f.name, f.type) for f in table.fields))
    return (
        raw.lazy().with_columns(strip).with_columns(typed).with_columns(iso).with_columns(years)
        .with_columns(invalid)
        .select(pl.col(f"__typed_{c}").alias(c) if c not in (*PROVENANCE, "_invalid") else pl.col(c)
                for c in schema)
        .cast(schema)  # type: ignore[arg-type]
    )


@cache
def _typing_steps(kinds: tuple[tuple[str, str], ...]) -> tuple[list[pl.Expr], ...]:
    """The expressions of each step for a table's (field, type)s, built once per table."""
    checked = [name for name, kind in kinds if kind in ("date", "int")]
    dates = [name for name, kind in kinds if kind == "date"]

    def typed(name: str) -> pl.Expr:
        return pl.col(f"__typed_{name}")

    def step_type(name: str, kind: str) -> pl.Expr:
        if kind == "date":
            return pl.col(name).str.to_date("%d/%m/%Y", strict=False)
        return _typed(name, kind)

    flags = [pl.when((pl.col(n) != "") & typed(n).is_null()).then(pl.lit(n)) for n in checked]
    invalid = pl.concat_list(flags).list.drop_nulls() if flags else None
    return (
        [(pl.col(n).str.strip_chars() if n in checked else blank_to_null(pl.col(n))).alias(n) for n, _ in kinds],
        [step_type(n, kind).alias(f"__typed_{n}") for n, kind in kinds],
        [typed(n).fill_null(pl.when(typed(n).is_null()).then(pl.col(n)).str.slice(0, 10)
                            .str.to_date("%Y-%m-%d", strict=False)) for n in dates],
        [pl.when(typed(n) >= _YEAR_1000).then(typed(n)).name.keep() for n in dates],
        [(pl.when(invalid.list.len() > 0).then(invalid) if invalid is not None
          else pl.lit(None, dtype=pl.List(pl.Utf8))).alias("_invalid")],
    )
