"""Column helpers shared by the table builders: optional strings and dates as the returns write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import TypeVar

import numpy as np
import polars as pl

Frame = TypeVar("Frame", pl.Series, pl.DataFrame)
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
    return take(_day_strings(False), _day_index(days))


def day_strings_or_null(days: np.ndarray, blank: np.ndarray) -> pl.Series:
    """Day numbers as dd/mm/yyyy strings, null where ``blank`` (whose days need not be real)."""
    return take(_day_strings_and_null(), np.where(blank, _DAYS, _day_index(np.where(blank, 0, days))))


def _day_index(days: np.ndarray) -> np.ndarray:
    i = np.asarray(days, dtype=np.int64) - _FIRST
    if i.size and (i.min() < 0 or i.max() >= _DAYS):
        raise pl.exceptions.OutOfBoundsError("a day falls outside 1900-2100")
    return i


@cache
def _day_strings_and_null() -> pl.Series:
    return pl.concat([_day_strings(False), pl.Series([None], dtype=pl.String)], rechunk=True)


def in_run(group: str, expr: pl.Expr, n: int = 1) -> pl.Expr:
    """``expr`` shifted by ``n`` rows, null where that crosses into another ``group`` value: the same as
    ``expr.shift(n).over(group)`` when rows are sorted by ``group``, without a window's grouping."""
    return pl.when(pl.col(group).shift(n) == pl.col(group)).then(expr.shift(n))


def opt_str(mask: np.ndarray, values: np.ndarray | str) -> pl.Series:
    """Strings where ``mask`` is true, nulls elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    vals = np.broadcast_to(np.asarray(values).astype(str), mask.shape)
    return pl.select(pl.when(pl.lit(pl.Series(mask))).then(pl.lit(pl.Series(vals)))).to_series()


def take(data: Frame, idx: np.ndarray) -> Frame:
    """Rows ``idx`` (non-negative) of a Series or DataFrame: given as a Polars index, which Polars
    takes as it is (a numpy index is converted and checked first, at several times the cost)."""
    return data[pl.Series(np.asarray(idx, dtype=np.uint32))]


def codes(values: Sequence[str], idx: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    """``values[idx]`` as a string Series (null where ``blank``): a column of codes built by position,
    much faster than from numpy strings."""
    if blank is None:
        return take(_vocabulary(tuple(values)), idx)
    return take(_vocabulary((*values, None)), np.where(blank, len(values), idx))


@cache
def _vocabulary(values: tuple[str | None, ...]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


def object_str(values: np.ndarray) -> pl.Series:
    """An object array of strings (numpy or Python) and Nones as a string Series."""
    try:
        return pl.Series(values, dtype=pl.Utf8)  # strings and Nones: read directly
    except (TypeError, pl.exceptions.ComputeError):  # other objects, or only Nones
        return pl.Series([None if v is None else str(v) for v in values], dtype=pl.Utf8)
