"""XLSX workbooks with one sheet per table (sheet names are free; headers decide)."""

from __future__ import annotations

import polars as pl

from carestat.errors import InputError
from carestat.ingest.detect import match_header
from carestat.ingest.sources import Source
from carestat.spec import ReturnSpec


def read_xlsx_tables(source: Source, spec: ReturnSpec) -> list[tuple[str, pl.DataFrame, tuple[str, ...]]]:
    import fastexcel

    if not source.data.startswith(b"PK"):
        raise InputError("is not an XLSX workbook", file=source.name)
    try:
        reader = fastexcel.read_excel(source.data)
        names = reader.sheet_names
    except Exception as exc:  # fastexcel raises several unrelated types for corrupt files
        raise InputError(f"could not be opened as a workbook ({type(exc).__name__})",
                         file=source.name) from None
    tables = []
    for sheet_name in names:
        label = f"{source.name} sheet {sheet_name!r}"
        try:
            sheet = reader.load_sheet(sheet_name, dtypes="string", header_row=0)
            frame = sheet.to_polars()
        except Exception as exc:
            raise InputError(f"could not be read ({type(exc).__name__})", file=label) from None
        if frame.width == 0:
            continue
        match = match_header([str(c) for c in frame.columns], spec, label)
        by_norm = {str(c).strip().upper(): c for c in frame.columns}
        frame = frame.select(
            pl.lit(label).alias("_file"),
            pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("_row"),
            *[pl.col(by_norm[written.strip().upper()]).cast(pl.Utf8).alias(canonical)
              for canonical, written in match.columns.items()],
        )
        tables.append((match.table, frame, match.extra))
    if not tables:
        raise InputError("has no sheets with data", file=source.name)
    return tables
