"""Column helpers shared by the table builders: optional strings and dates as the returns write them."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import polars as pl

_FIRST, _DAYS = (dt.date(1900, 1, 1) - dt.date(1970, 1, 1)).days, 73415  # 1900-2100


@cache
def _day_strings(iso: bool) -> pl.Series:
    """Every day 1900-2100 written out: looked up rather than formatted, several times faster."""
    days = pl.Series(np.arange(_FIRST, _FIRST + _DAYS, dtype=np.int32)).cast(pl.Date)
    return days.cast(pl.String) if iso else days.dt.strftime("%d/%m/%Y")


def date_str(expr: pl.Expr, iso: bool = False) -> pl.Expr:
    """Day numbers (days since 1970-01-01) as dd/mm/yyyy (the SSDA903) or yyyy-mm-dd (``iso``, the CIN
    census) strings."""
    return pl.lit(_day_strings(iso)).gather(expr - _FIRST)


def day_strings(days: np.ndarray) -> pl.Series:
    """Day numbers as dd/mm/yyyy strings (a Series)."""
    return _day_strings(False).gather(np.asarray(days, dtype=np.int64) - _FIRST)


def in_run(group: str, expr: pl.Expr, n: int = 1) -> pl.Expr:
    """``expr`` shifted by ``n`` rows, null where that crosses into another ``group`` value: the same as
    ``expr.shift(n).over(group)`` when rows are sorted by ``group``, without a window's grouping."""
    return pl.when(pl.col(group).shift(n) == pl.col(group)).then(expr.shift(n))


def opt_str(mask: np.ndarray, values: np.ndarray | str) -> pl.Series:
    """Strings where ``mask`` is true, nulls elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    vals = np.broadcast_to(np.asarray(values).astype(str), mask.shape)
    return pl.select(pl.when(pl.lit(pl.Series(mask))).then(pl.lit(pl.Series(vals)))).to_series()


def object_str(values: np.ndarray) -> pl.Series:
    """An object array of strings (numpy or Python) and Nones as a string Series."""
    return pl.Series([None if v is None else str(v) for v in values], dtype=pl.Utf8)
