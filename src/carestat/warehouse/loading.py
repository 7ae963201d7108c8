"""Loading returns: validate, pseudonymise, and store each LA-year as a new version, atomically.

A resubmission supersedes the LA-year's current version in the same transaction that inserts it;
older versions stay in the warehouse (``carestat submissions`` lists them). A load that fails or
is killed part-way leaves the previous state as it was: nothing is visible until COMMIT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import duckdb
import polars as pl

from carestat.errors import CarestatError, UsageError, WarehouseError
from carestat.ingest import ReturnData, read_903
from carestat.provenance import is_synthetic_path
from carestat.refdata import resolve_la
from carestat.warehouse.db import insert_frame, query, run, scalar
from carestat.warehouse.keys import child_keys, upn_keys
from carestat.warehouse.schema import columns, table_name


@dataclass(frozen=True)
class ReturnFolder:
    return_name: str
    year: int
    la_code: str
    files: tuple[Path, ...]
    previous: tuple[Path, ...]
    synthetic: bool = False  # written by `carestat generate`


@dataclass(frozen=True)
class LoadOutcome:
    la_code: str
    year: int
    return_name: str
    status: str  # loaded, unchanged, refused, unreadable
    version: int | None
    n_children: int
    n_errors: int
    message: str = ""


_RETURN_FILES = {"ssda903": ("*.csv", "*.xml", "*.xlsx")}


def _files(folder: Path, return_name: str) -> tuple[Path, ...]:
    found: list[Path] = []
    for pattern in _RETURN_FILES[return_name]:
        found.extend(sorted(folder.glob(pattern)))
    return tuple(found)


def discover(paths: list[Path], year: int | None = None, la: str | None = None) -> list[ReturnFolder]:
    """Return folders under the paths given: a generated tree (YEAR/LA/ssda903), one LA-year
    folder, or any folder of return files when --year and --la say what it is."""
    found: list[ReturnFolder] = []
    for path in (Path(p) for p in paths):
        if not path.exists():
            raise UsageError(f"{path} does not exist")
        trees = sorted(path.glob("[12][0-9][0-9][0-9]/*/ssda903"))
        if re.fullmatch(r"[12]\d{3}", path.name):  # one year of a generated tree
            trees = sorted(path.glob("*/ssda903"))
        if path.name == "ssda903":
            trees = [path]
        elif (path / "ssda903").is_dir():
            trees = [path / "ssda903"]
        if trees:
            for folder in trees:
                y, code = int(folder.parent.parent.name), folder.parent.name
                prev = folder.parent.parent.parent / str(y - 1) / code / "ssda903"
                found.append(ReturnFolder("ssda903", y, code, _files(folder, "ssda903"),
                                          _files(prev, "ssda903") if prev.is_dir() else ()))
        elif year is not None and la is not None:
            found.append(ReturnFolder("ssda903", year, la, _files(path, "ssda903") if path.is_dir() else (path,), ()))
        else:
            match = re.search(r"(\d{4})\D+(\d{3})", str(path))
            raise UsageError(f"cannot tell which LA and year {path} holds: give a folder laid out YEAR/LA/ssda903 "
                             "(as `carestat generate` writes) or say --year and --la"
                             + (f" (did you mean --year {match.group(1)} --la {match.group(2)}?)" if match else ""))
    found = [replace(f, synthetic=bool(f.files) and is_synthetic_path(f.files[0].parent)) for f in found]
    return sorted(found, key=lambda r: (r.year, r.la_code))


def prepare_903(data: ReturnData, la_code: str, key: bytes) -> dict[str, pl.DataFrame]:
    """Typed tables with identifiers replaced by keys, ready to insert."""
    out = {}
    for name, frame in data.tables.items():
        wanted = columns("ssda903", name)
        f = frame.rename({"_row": "row_number"}).with_columns(
            la_code=pl.lit(la_code), collection_year=pl.lit(data.spec.year, dtype=pl.Int32))
        if "CHILD" in f.columns:
            f = f.with_columns(child_key=child_keys(key, la_code, f["CHILD"]))
        if "UPN" in f.columns:
            f = f.with_columns(upn_key=upn_keys(key, f["UPN"]))
        out[table_name("ssda903", name)] = f.select([c for c in wanted if c in f.columns and c != "submission_id"])
    return out


def content_hash(prepared: dict[str, pl.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in sorted(prepared):
        buffer = io.BytesIO()
        prepared[name].write_csv(buffer)
        digest.update(name.encode())
        digest.update(buffer.getvalue())
    return digest.hexdigest()


def store(con: duckdb.DuckDBPyConnection, prepared: dict[str, pl.DataFrame], *, return_name: str, la_code: str,
          year: int, source: str, n_children: int, n_errors: int, accepted_with_errors: bool,
          synthetic: bool = False) -> tuple[str, int]:
    """Insert a version and make it current, in one transaction. Returns (status, version)."""
    digest = content_hash(prepared)
    current = query(con, "SELECT version, content_sha256 FROM submissions WHERE return_name=? AND la_code=? "
                    "AND year=? AND current", [return_name, la_code, year])
    if current.height and current["content_sha256"][0] == digest:
        return "unchanged", int(current["version"][0])
    run(con, "BEGIN TRANSACTION")
    try:
        sid = scalar(con, "SELECT coalesce(max(submission_id), 0) + 1 FROM submissions")
        version = scalar(con, "SELECT coalesce(max(version), 0) + 1 FROM submissions WHERE return_name=? AND "
                         "la_code=? AND year=?", [return_name, la_code, year])
        for name, frame in prepared.items():
            insert_frame(con, name, frame.with_columns(submission_id=pl.lit(sid, dtype=pl.Int32)))
        now = dt.datetime.now()
        run(con, "UPDATE submissions SET current = false, superseded_at = ? WHERE return_name=? AND la_code=? "
            "AND year=? AND current", [now, return_name, la_code, year])
        run(con, "INSERT INTO submissions (submission_id, return_name, la_code, year, version, loaded_at, source, "
            "content_sha256, n_children, n_errors, accepted_with_errors, current, synthetic) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?)",
            [sid, return_name, la_code, year, version, now, source, digest, n_children, n_errors,
             accepted_with_errors, synthetic])
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise
    return "loaded", version


def read_and_check(folder: ReturnFolder, key: bytes) -> tuple[dict[str, pl.DataFrame], int, int, str]:
    """Read, validate (against the previous year when it sits beside it) and pseudonymise."""
    from carestat.validate import Return, build_report

    la = resolve_la(folder.la_code, folder.year)
    data = read_903(list(folder.files), folder.year, la)
    previous = read_903(list(folder.previous), folder.year - 1, la) if folder.previous else None
    n_errors = 0
    note = ""
    if folder.year >= 2023:  # the years carestat holds the DfE's rules for
        report = build_report(Return(data, previous, la))
        n_errors = report.errors.height
    else:
        note = "not validated: carestat holds the DfE rules from 2022/23"
    return prepare_903(data, folder.la_code, key), data.n_children, n_errors, note


def _work(folder: ReturnFolder, key: bytes) -> tuple[dict[str, pl.DataFrame] | None, int, int, str]:
    try:
        return read_and_check(folder, key)
    except CarestatError as exc:
        return None, 0, 0, str(exc)


def load_folders(con: duckdb.DuckDBPyConnection, folders: list[ReturnFolder], key: bytes, *,
                 accept_errors: bool = False, workers: int = 1,
                 progress: Callable[[LoadOutcome], None] | None = None) -> list[LoadOutcome]:
    """Validate in parallel (processes), store one by one (DuckDB has one writer)."""
    outcomes = []
    if workers > 1 and len(folders) > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
        results = pool.map(_work, folders, [key] * len(folders))
    else:
        pool = None
        results = (_work(f, key) for f in folders)
    try:
        for folder, (prepared, n_children, n_errors, note) in zip(folders, results, strict=True):
            common = dict(la_code=folder.la_code, year=folder.year, return_name=folder.return_name)
            if prepared is None:
                outcome = LoadOutcome(**common, status="unreadable", version=None, n_children=0, n_errors=0,
                                      message=note)
            elif n_errors and not accept_errors:
                outcome = LoadOutcome(**common, status="refused", version=None, n_children=n_children,
                                      n_errors=n_errors, message="has validation errors (use --accept-errors to "
                                      "store it, flagged)")
            else:
                status, version = store(con, prepared, source=str(folder.files[0].parent) if folder.files else "",
                                        n_children=n_children, n_errors=n_errors,
                                        accepted_with_errors=bool(n_errors), synthetic=folder.synthetic, **common)
                outcome = LoadOutcome(**common, status=status, version=version, n_children=n_children,
                                      n_errors=n_errors, message=note)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        if pool is not None:
            pool.shutdown()
    return outcomes


def submissions(con: duckdb.DuckDBPyConnection, la: str | None = None, year: int | None = None) -> pl.DataFrame:
    sql = ("SELECT return_name, la_code, year, version, current, loaded_at, n_children, n_errors, "
           "accepted_with_errors, superseded_at, synthetic, source FROM submissions WHERE 1=1")
    params: list = []
    if la:
        sql += " AND la_code = ?"
        params.append(resolve_la(la).old_la_code)
    if year:
        sql += " AND year = ?"
        params.append(year)
    return query(con, sql + " ORDER BY return_name, year, la_code, version", params)


def current_tables(con: duckdb.DuckDBPyConnection, return_name: str = "ssda903",
                   years: list[int] | None = None,
                   only: Mapping[str, Sequence[str]] | None = None) -> dict[str, pl.DataFrame]:
    """Every table of the current submissions, across all LAs (and the chosen years); with
    ``only`` ({table: [column, ...]}), just those tables and columns (less to read and hold)."""
    from carestat.warehouse.schema import tables

    out = {}
    for table in tables(return_name) if only is None else list(only):
        select = "*" if only is None else ", ".join(f'"{c}"' for c in only[table])
        sql = f"SELECT {select} FROM current_{table_name(return_name, table)}"
        params: list = []
        if years:
            sql += f" WHERE collection_year IN ({', '.join('?' for _ in years)})"
            params = list(years)
        out[table] = query(con, sql, params).rechunk()  # DuckDB hands over many chunks
    if not any(frame.height for frame in out.values()):
        raise WarehouseError("the warehouse holds no current submissions for that selection")
    return out
