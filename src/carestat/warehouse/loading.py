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
from carestat.ingest import Source, read_903, read_cin
from carestat.provenance import is_synthetic_path
from carestat.refdata import resolve_la
from carestat.warehouse.db import insert_frame, query, run, scalar
from carestat.warehouse.returns import (
    RETURN_DIRS,
    cin_header,
    files_of,
    is_cin_file,
    one_cin_file,
    prepare,
)
from carestat.warehouse.schema import table_name

FIRST_RULES_YEAR = 2023  # the first year carestat holds the DfE's rules for (both returns)


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


def discover(paths: list[Path], year: int | None = None, la: str | None = None) -> list[ReturnFolder]:
    """Returns under the paths given: a generated tree (YEAR/LA/ssda903 and YEAR/LA/cin), one
    year or one LA-year of it, one return's folder, a CIN census XML file, or any folder of
    return files when --year and --la say what it is (a CIN file's header can say it too)."""
    found: list[ReturnFolder] = []
    for path in (Path(p) for p in paths):
        if not path.exists():
            raise UsageError(f"{path} does not exist")
        laid_out = _laid_out(path)
        if laid_out:
            found.extend(_from_layout(folder) for folder in laid_out)
        elif is_cin_file(path):
            found.append(_cin_file(path, year, la))
        elif year is not None and la is not None:
            files = files_of(path, "ssda903") if path.is_dir() else (path,)
            kind = "cin" if files and all(is_cin_file(f) for f in files) else "ssda903"
            found.append(ReturnFolder(kind, year, resolve_la(la, year).old_la_code, files, ()))
        else:
            raise UsageError(_which_return(path))
    found = [replace(f, synthetic=bool(f.files) and is_synthetic_path(f.files[0].parent)) for f in found]
    return sorted(found, key=lambda r: (r.year, r.la_code, r.return_name))


def _laid_out(path: Path) -> list[Path]:
    """The return folders (``ssda903``, ``cin``) a path is, holds, or holds by YEAR/LA."""
    kinds = list(RETURN_DIRS.values())
    if not path.is_dir():
        return []
    if path.name in kinds:
        return [path]
    here = [path / k for k in kinds if (path / k).is_dir()]
    if here:
        return here
    pattern = "*/{}" if re.fullmatch(r"[12]\d{3}", path.name) else "[12][0-9][0-9][0-9]/*/{}"
    return sorted(f for k in kinds for f in path.glob(pattern.format(k)))


def _from_layout(folder: Path) -> ReturnFolder:
    """A return folder laid out YEAR/LA/<return>; an SSDA903 return's previous year beside it."""
    return_name = next(r for r, d in RETURN_DIRS.items() if d == folder.name)
    year, code = int(folder.parent.parent.name), folder.parent.name
    previous = folder.parent.parent.parent / str(year - 1) / code / folder.name
    earlier = files_of(previous, return_name) if return_name == "ssda903" and previous.is_dir() else ()
    return ReturnFolder(return_name, year, code, files_of(folder, return_name), earlier)


def _cin_file(path: Path, year: int | None, la: str | None) -> ReturnFolder:
    """A CIN census file: its year and LA from --year/--la, else YEAR/LA/cin above it, else its header."""
    la_dir, year_dir = path.parent.parent, path.parent.parent.parent
    if (year is None or la is None) and path.parent.name == "cin" and re.fullmatch(r"[12]\d{3}", year_dir.name):
        year, la = year or int(year_dir.name), la or la_dir.name
    if year is None or la is None:
        header = cin_header(path)
        year, la = year or header.year, la or header.la_code
    if year is None or la is None:
        raise UsageError(f"cannot tell which LA and year {path} holds (its header does not say): "
                         "say --year and --la")
    return ReturnFolder("cin", year, resolve_la(la, year).old_la_code, (path,), ())


def _which_return(path: Path) -> str:
    match = re.search(r"(\d{4})\D+(\d{3})", str(path))
    return (f"cannot tell which LA and year {path} holds: give a folder laid out YEAR/LA/ssda903 or "
            "YEAR/LA/cin (as `carestat generate` writes), a CIN census XML file, or say --year and --la"
            + (f" (did you mean --year {match.group(1)} --la {match.group(2)}?)" if match else ""))


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
    """Read, validate (an SSDA903 return against the previous year when it sits beside it) and
    pseudonymise."""
    from carestat.validate import Return, build_cin_report, build_report

    la = resolve_la(folder.la_code, folder.year)
    if folder.return_name == "cin":
        source = Source.from_path(one_cin_file(folder.files))  # read once; the schema check reuses it
        data = read_cin(source, folder.year, la)
    else:
        data = read_903(list(folder.files), folder.year, la)
    n_errors = 0
    note = ""
    if folder.year >= FIRST_RULES_YEAR:
        if folder.return_name == "cin":
            report = build_cin_report(data, source, la)  # the DfE's XML schema too, as its collection does
        else:
            previous = read_903(list(folder.previous), folder.year - 1, la) if folder.previous else None
            report = build_report(Return(data, previous, la))
        # Queries (codes ending in Q) ask the LA to check a figure; only errors stop a load.
        severity = report.errors.join(report.severities, on="code", how="left")["severity"]
        n_errors = int((severity.fill_null("error") != "query").sum())
        n_queries = report.errors.height - n_errors
        note = f"{n_queries} queries to check (see `carestat validate`)" if n_queries else ""
    else:
        note = "not validated: carestat holds the DfE rules from 2022/23"
    return prepare(data, folder.la_code, key), data.n_children, n_errors, note


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
        try:
            out[table] = query(con, sql, params).rechunk()  # DuckDB hands over many chunks
        except duckdb.BinderException:
            raise WarehouseError(f"the warehouse's {table} table predates carestat's current layout: open it "
                                 "for writing once (any `carestat load`) to bring it up to date") from None
    if not any(frame.height for frame in out.values()):
        raise WarehouseError("the warehouse holds no current submissions for that selection")
    return out
