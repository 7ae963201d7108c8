"""Turn raw string columns into typed columns, once, following the spec.

Rules of reading (the DfE's conventions): codes are upper-cased, surrounding spaces dropped,
and an empty string is a blank (null). Dates are dd/mm/yyyy, ISO yyyy-mm-dd also accepted.
A value that cannot be read as its type becomes null and its field name is listed in the
row's ``_invalid`` column, so rules can tell "blank" from "not a valid date".
"""

from __future__ import annotations

import polars as pl

from carestat.spec import Table

PROVENANCE = ("_file", "_row")


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """dd/mm/yyyy, or ISO yyyy-mm-dd (optionally with a time, as spreadsheets give).

    A four-digit year is required: "01/01/24" must not read as the year 24."""
    text = blank_to_null(expr)
    dmy = text.str.to_date("%d/%m/%Y", strict=False)
    iso = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    four_digit = (lambda d: pl.when(d.dt.year() >= 1000).then(d))
    return pl.coalesce(four_digit(dmy), pl.when(dmy.is_null()).then(four_digit(iso)))


def _typed(name: str, ftype: str) -> pl.Expr:
    raw = pl.col(name)
    if ftype == "date":
        return parse_date(raw)
    if ftype == "int":
        return blank_to_null(raw).str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    if ftype == "code":
        return blank_to_null(raw).str.to_uppercase()
    if ftype == "postcode":
        return blank_to_null(raw).str.to_uppercase().str.replace_all(r"\s+", " ")
    return blank_to_null(raw)


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
    typed_cols = [_typed(f.name, f.type).alias(f.name) for f in table.fields]
    checked = [f for f in table.fields if f.type in ("date", "int")]
    frame = raw.with_columns(typed_cols, **{f"__raw_{f.name}": blank_to_null(pl.col(f.name))
                                           for f in checked}) if checked else raw.with_columns(typed_cols)
    if checked:
        flags = [
            pl.when(pl.col(f"__raw_{f.name}").is_not_null() & pl.col(f.name).is_null()).then(pl.lit(f.name))
            for f in checked
        ]
        invalid = pl.concat_list(flags).list.drop_nulls()
        frame = frame.with_columns(_invalid=pl.when(invalid.list.len() > 0).then(invalid))
    else:
        frame = frame.with_columns(_invalid=pl.lit(None, dtype=pl.List(pl.Utf8)))
    return frame.select(list(schema_for(table))).cast(schema_for(table))  # type: ignore[arg-type]
