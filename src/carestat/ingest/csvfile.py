"""CSV tables: one file per table, recognised by its header."""

from __future__ import annotations

import csv
import io

import polars as pl

from carestat.errors import InputError
from carestat.ingest.detect import match_header
from carestat.ingest.sources import Source, decode_text
from carestat.spec import ReturnSpec


def read_csv_table(source: Source, spec: ReturnSpec) -> tuple[str, pl.DataFrame, tuple[str, ...]]:
    """(table name, raw string frame with _file/_row, extra columns ignored)."""
    text, encoding = decode_text(source)
    if not text.strip():
        raise InputError("is empty", file=source.name)
    try:
        header_cells = next(csv.reader([text[:65536].splitlines()[0]]))
    except (csv.Error, IndexError, StopIteration):
        raise InputError("has no readable header row", file=source.name) from None
    match = match_header([c or "" for c in header_cells], spec, source.name)
    # Polars parses UTF-8 bytes directly; other encodings go through the decoded text.
    payload: bytes | io.StringIO = io.StringIO(text)
    if encoding == "utf-8":
        payload = source.data[3:] if source.data.startswith(b"\xef\xbb\xbf") else source.data
    try:
        frame = pl.read_csv(
            payload, infer_schema=False, has_header=True, empty_string_is_null=True,
            truncate_ragged_lines=False, raise_if_empty=False, quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise InputError(f"could not be read as CSV ({first})", file=source.name) from None
    renamed = {written: canonical for canonical, written in match.columns.items()}
    by_norm = {c.strip().strip('"').upper(): c for c in frame.columns}
    selected = [pl.col(by_norm[written.strip().strip('"').upper()]).alias(renamed[written])
                for written in match.columns.values()]
    frame = frame.select(
        pl.lit(source.name).alias("_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("_row"),
        *selected,
    )
    return match.table, frame, match.extra
