"""Readers: CSV sets, DfE XML and XLSX workbooks into typed Polars frames, parsed once.

Each table's frame has the spec's fields (typed), ``_file`` and ``_row`` (its 1-based data
row in its own input) and ``_invalid`` (fields whose value could not be read as its type).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import polars as pl

from carestat.errors import InputError
from carestat.ingest.csvfile import read_csv_table
from carestat.ingest.derived903 import add_episode_geography
from carestat.ingest.sources import Source
from carestat.ingest.typing import empty_frame, typed_plan
from carestat.ingest.xlsxfile import read_xlsx_tables
from carestat.ingest.xml903 import read_903_xml
from carestat.ingest.xmlcin import assemble_cin, read_cin
from carestat.refdata import LocalAuthority
from carestat.spec import ReturnSpec, spec

PathOrSource = str | PathLike[str] | Source


@dataclass(frozen=True)
class ReturnData:
    """One LA's return for one year, as typed frames (only the tables that were supplied)."""

    spec: ReturnSpec
    tables: dict[str, pl.DataFrame]
    format: str
    notes: tuple[str, ...] = field(default=())

    def table(self, name: str) -> pl.DataFrame:
        """The table's frame; an empty frame of the right schema when it was not supplied."""
        frame = self.tables.get(name)
        return frame if frame is not None else empty_frame(self.spec.table(name))

    def has(self, name: str) -> bool:
        return name in self.tables

    @property
    def n_children(self) -> int:
        # The CIN census's Header is the file's; its children are its ChildIdentifiers records.
        return self.table("ChildIdentifiers" if self.spec.return_name == "cin" else "Header").height


def _source(item: PathOrSource) -> Source:
    return item if isinstance(item, Source) else Source.from_path(item)


def _format_of(source: Source) -> str:
    suffix = Path(source.name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xml":
        return "xml"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    head = source.data.lstrip()[:5]
    if head.startswith(b"<"):
        return "xml"
    if head.startswith(b"PK"):
        return "xlsx"
    return "csv"


def read_903(paths: Sequence[PathOrSource], year: int, la: LocalAuthority | None = None) -> ReturnData:
    """Read an SSDA903 return: a set of CSV files, one DfE XML file, or an XLSX workbook."""
    return_spec = spec("903", year)
    sources = [_source(p) for p in paths]
    if not sources:
        raise InputError("No input files were given")
    formats = {_format_of(s) for s in sources}
    if len(formats) > 1:
        raise InputError(f"The files mix formats ({', '.join(sorted(formats))}); give one format at a time")
    fmt = formats.pop()
    raw: dict[str, pl.DataFrame] = {}
    notes: list[str] = []
    origin: dict[str, str] = {}

    def add(table: str, frame: pl.DataFrame, extra: tuple[str, ...], name: str) -> None:
        if table in raw:
            raise InputError(f"holds the {table} table, which {origin[table]} holds too", file=name)
        raw[table], origin[table] = frame, name
        if extra:
            notes.append(f"{name}: extra column(s) {', '.join(extra)} ignored")

    if fmt == "xml":
        if len(sources) > 1:
            raise InputError("Give one XML file per return")
        frames, _ = read_903_xml(sources[0], return_spec)
        raw.update(frames)
    elif fmt == "xlsx":
        for source in sources:
            for table, frame, extra in read_xlsx_tables(source, return_spec):
                add(table, frame, extra, frame["_file"][0] if frame.height else source.name)
    else:
        for source in sources:
            table, frame, extra = read_csv_table(source, return_spec)
            add(table, frame, extra, source.name)

    return assemble_903(raw, return_spec, la, fmt, tuple(notes))


def assemble_903(raw: dict[str, pl.DataFrame], return_spec: ReturnSpec, la: LocalAuthority | None,
                 fmt: str = "csv", notes: tuple[str, ...] = ()) -> ReturnData:
    """Type raw string tables and add the derived fields (Header UASC flag, placement geography)."""
    # Every table's query in one collect_all: one table's fixed costs overlap another's work.
    plans = {name: typed_plan(frame, return_spec.table(name)) for name, frame in raw.items()}
    if "Header" in plans:
        if "UASC" in raw["Header"].columns:
            flag = raw["Header"]["UASC"].str.strip_chars().str.to_uppercase()
            plans["Header"] = plans["Header"].with_columns(flag.replace("", None).alias("UASC"))
        else:
            uasc_children = raw["UASC"]["CHILD"].str.strip_chars() if "UASC" in raw else pl.Series([], dtype=pl.Utf8)
            plans["Header"] = plans["Header"].with_columns(
                UASC=pl.when(pl.col("CHILD").is_in(uasc_children.implode())).then(pl.lit("1")).otherwise(pl.lit("0"))
            )
    typed = dict(zip(plans, pl.collect_all(plans.values(), engine="in-memory"), strict=True))
    if "Episodes" in typed:
        typed["Episodes"] = add_episode_geography(typed["Episodes"], la)
    return ReturnData(return_spec, typed, fmt, notes)


__all__ = ["ReturnData", "Source", "assemble_903", "assemble_cin", "read_903", "read_cin"]
