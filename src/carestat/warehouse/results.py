"""Computed results kept beside the returns: the latest indicator values, and whether the data
they come from is synthetic (so every output can say so)."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from carestat.errors import WarehouseError
from carestat.warehouse.db import insert_frame, query, run, scalar


def holds_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any current submission was written by ``carestat generate``."""
    return bool(scalar(con, "SELECT coalesce(bool_or(synthetic), false) FROM submissions WHERE current"))


def store_indicator_values(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, synthetic: bool) -> None:
    """Replace the stored indicator values with ``frame`` in one transaction."""
    stamped = frame.with_columns(computed_at=pl.lit(dt.datetime.now()), synthetic=pl.lit(synthetic))
    run(con, "BEGIN TRANSACTION")
    try:
        run(con, "DELETE FROM indicator_values")
        insert_frame(con, "indicator_values", stamped)
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise


def stored_indicator_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The indicator values last computed by ``carestat indicators`` (with computed_at, synthetic)."""
    frame = query(con, "SELECT * FROM indicator_values") if _has_indicator_values(con) else pl.DataFrame()
    if frame.is_empty():
        raise WarehouseError("the warehouse holds no indicator values yet; run `carestat indicators` first")
    return frame


def _has_indicator_values(con: duckdb.DuckDBPyConnection) -> bool:
    # A warehouse opened read-only may predate the table.
    return bool(scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'indicator_values'"))


def indicator_values_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when indicator values were computed after the latest load or supersession."""
    if not _has_indicator_values(con):
        return False
    computed = scalar(con, "SELECT max(computed_at) FROM indicator_values")
    changed = scalar(con, "SELECT max(greatest(loaded_at, coalesce(superseded_at, loaded_at))) FROM submissions")
    return computed is not None and (changed is None or computed >= changed)
