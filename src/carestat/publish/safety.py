"""Text that a spreadsheet must never run as a formula.

Names and categories come from returns and reference data; a value such as ``=HYPERLINK(...)``
would run when a CSV is opened in a spreadsheet. Text starting with = + - @ tab or carriage return
is prefixed with an apostrophe (the OWASP advice for CSV injection); numbers are left alone.
"""

from __future__ import annotations

import re

import polars as pl

RISKY = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_text(value: str) -> str:
    if value and value.startswith(RISKY) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_expr(column: str) -> pl.Expr:
    """The same rule as ``safe_text`` for a text column."""
    col = pl.col(column)
    risky = col.str.contains(r"^[=+\-@\t\r]") & ~col.str.contains(r"^-?\d+(\.\d+)?$")
    return pl.when(risky.fill_null(False)).then(pl.lit("'") + col).otherwise(col).alias(column)


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(safe_expr(c) for c, t in frame.schema.items() if t == pl.Utf8)
