"""Column helpers shared by the table builders: optional strings and dates as the DfE writes them."""

from __future__ import annotations

import numpy as np
import polars as pl


def date_str(expr: pl.Expr) -> pl.Expr:
    """Day numbers (days since 1970-01-01) to dd/mm/yyyy strings."""
    return expr.cast(pl.Int32).cast(pl.Date).dt.strftime("%d/%m/%Y")


def opt_str(mask: np.ndarray, values: np.ndarray | str) -> pl.Series:
    """Strings where ``mask`` is true, nulls elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    vals = np.broadcast_to(np.asarray(values).astype(str), mask.shape)
    return pl.select(pl.when(pl.lit(pl.Series(mask))).then(pl.lit(pl.Series(vals)))).to_series()


def object_str(values: np.ndarray) -> pl.Series:
    """An object array of strings (numpy or Python) and Nones as a string Series."""
    return pl.Series([None if v is None else str(v) for v in values], dtype=pl.Utf8)
