"""The one seam to DuckDB: opening the warehouse, bound parameters, frames in and out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from carestat.errors import WarehouseError
from carestat.warehouse.schema import INDICATOR_VALUES, MIGRATIONS, SUBMISSIONS, ddl

DEFAULT_DB = "carestat.duckdb"


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``--db``, else ``CARESTAT_DB``, else carestat.duckdb in the working folder."""
    return Path(path or os.environ.get("CARESTAT_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike[str] | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    target = db_path(path)
    if read_only and not target.exists():
        raise WarehouseError(f"there is no warehouse at {target}; load returns first with `carestat load`")
    try:
        con = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        raise WarehouseError(f"cannot open the warehouse {target}: {str(exc).splitlines()[0]}") from None
    if not read_only:
        for statement in [SUBMISSIONS, *MIGRATIONS, INDICATOR_VALUES, *ddl("ssda903"), *ddl("cin")]:
            run(con, statement)
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame; values always travel as bound parameters."""
    return con.sql(sql, params=params or None).pl()


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame whose columns are a subset of the table's (the rest stay null)."""
    con.register("_incoming", frame.to_arrow())
    try:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        run(con, f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        con.unregister("_incoming")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    rows = con.sql(sql, params=params or None).fetchall()
    return rows[0][0] if rows else None


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """A statement, run to completion (DuckDB keeps a result open until it is fetched)."""
    con.execute(sql, params or []).fetchall()
