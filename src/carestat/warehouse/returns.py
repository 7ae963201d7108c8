"""Which return a path holds, and each return's tables made ready to store.

SSDA903 returns are a folder of CSV files (or one XML or XLSX file); a CIN census is one XML
file, usually in a ``cin`` folder beside the ``ssda903`` one. ``prepare`` replaces every child
identifier with its keyed hash, the same way for both returns, so the same LA identifier in
CHILD and LAchildID gives the same ``child_key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carestat.errors import InputError
from carestat.ingest import ReturnData
from carestat.ingest.safexml import iter_elements
from carestat.ingest.sources import Source
from carestat.warehouse.keys import child_keys, upn_keys
from carestat.warehouse.schema import CIN_KEYS, columns, table_name

# Folder names under YEAR/LA that hold each return (as `carestat generate` writes them).
RETURN_DIRS = {"ssda903": "ssda903", "cin": "cin"}
RETURN_FILES = {"ssda903": ("*.csv", "*.xml", "*.xlsx"), "cin": ("*.xml",)}
# A child's identifiers and what replaces them (UPNs through ``upn_keys``, which keeps UN codes).
CHILD_IDS = ("CHILD", "LAchildID")
UPNS = {"UPN": "upn_key", "FormerUPN": "former_upn_key"}
RENAMED = {"_row": "row_number", "_child": CIN_KEYS["_child"][0]}


@dataclass(frozen=True)
class CinHeader:
    year: int | None
    la_code: str | None


def files_of(folder: Path, return_name: str) -> tuple[Path, ...]:
    found: list[Path] = []
    for pattern in RETURN_FILES[return_name]:
        found.extend(sorted(folder.glob(pattern)))
    return tuple(found)


def is_cin_file(path: Path) -> bool:
    """A CIN census XML (Message > Header > CollectionDetails), not an SSDA903 XML (EXPSSDA903)."""
    if path.suffix.lower() != ".xml" or not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(65536)
    return b"CollectionDetails" in head or b"<Children" in head


def cin_header(path: Path) -> CinHeader:
    """The collection year and LA (LEA) a CIN census file's header names (either may be missing)."""
    source = Source.from_path(path)
    for element in iter_elements(source, "{*}Header"):
        year = element.findtext("{*}CollectionDetails/{*}Year")
        lea = element.findtext("{*}Source/{*}LEA")
        year = year.strip() if year else ""
        return CinHeader(int(year) if year.isdigit() else None, (lea or "").strip() or None)
    return CinHeader(None, None)


def one_cin_file(files: tuple[Path, ...]) -> Path:
    if len(files) != 1:
        where = files[0].parent if files else "the folder"
        raise InputError(f"a CIN census return is one XML file, and {where} holds {len(files)}: "
                         "load the file itself")
    return files[0]


def prepare(data: ReturnData, la_code: str, key: bytes) -> dict[str, pl.DataFrame]:
    """Typed tables with identifiers replaced by keys, named and laid out as stored."""
    return_name = data.spec.return_name
    out = {}
    for name, frame in data.tables.items():
        wanted = columns(return_name, name)
        f = frame.rename({k: v for k, v in RENAMED.items() if k in frame.columns}).with_columns(
            la_code=pl.lit(la_code), collection_year=pl.lit(data.spec.year, dtype=pl.Int32))
        for column in CHILD_IDS:
            if column in f.columns:
                f = f.with_columns(child_key=child_keys(key, la_code, f[column]))
        for column, hashed in UPNS.items():
            if column in f.columns:
                f = f.with_columns(upn_keys(key, f[column]).alias(hashed))
        # Only the stored columns are kept: raw identifiers (CHILD, LAchildID, UPN...) never are.
        out[table_name(return_name, name)] = f.select([c for c in wanted if c in f.columns and c != "submission_id"])
    return out
