"""The warehouse: validated returns in DuckDB, versioned per LA and year, children pseudonymised.

>>> from carestat.warehouse import load
>>> outcomes = load(["out/"], db="carestat.duckdb")      # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

from carestat.warehouse.db import DEFAULT_DB, connect, db_path, query
from carestat.warehouse.keys import load_key, new_key_file
from carestat.warehouse.loading import (
    LoadOutcome,
    current_tables,
    discover,
    load_folders,
    submissions,
)
from carestat.warehouse.results import (
    holds_synthetic,
    store_indicator_values,
    stored_indicator_values,
)


def load(paths: list[str | os.PathLike[str]], db: str | os.PathLike[str] | None = None, *,
         accept_errors: bool = False, key_file: Path | None = None, year: int | None = None,
         la: str | None = None, workers: int = 0,
         progress: Callable[[LoadOutcome], None] | None = None) -> list[LoadOutcome]:
    """Validate and store returns (see ``carestat load --help``)."""
    key = load_key(key_file)
    folders = discover([Path(p) for p in paths], year=year, la=la)
    con = connect(db)
    try:
        return load_folders(con, folders, key, accept_errors=accept_errors,
                            workers=workers or min(os.cpu_count() or 1, 4), progress=progress)
    finally:
        con.close()


def indicator_values(db: str | os.PathLike[str] | None = None) -> pl.DataFrame:
    """The stored indicator values (see ``carestat indicators``)."""
    con = connect(db, read_only=True)
    try:
        return stored_indicator_values(con)
    finally:
        con.close()


def is_synthetic(db: str | os.PathLike[str] | None = None) -> bool:
    """True when the warehouse's current returns include synthetic ones."""
    con = connect(db, read_only=True)
    try:
        return holds_synthetic(con)
    finally:
        con.close()


def tables(db: str | os.PathLike[str] | None = None, return_name: str = "ssda903",
           years: list[int] | None = None,
           only: Mapping[str, Sequence[str]] | None = None) -> dict[str, pl.DataFrame]:
    """The current submissions' tables (see ``current_tables``; ``only`` picks tables and columns)."""
    con = connect(db, read_only=True)
    try:
        return current_tables(con, return_name, years, only)
    finally:
        con.close()


__all__ = ["DEFAULT_DB", "LoadOutcome", "connect", "current_tables", "db_path", "discover", "holds_synthetic",
           "indicator_values", "is_synthetic", "load", "load_key", "new_key_file", "query", "store_indicator_values",
           "submissions", "tables"]
