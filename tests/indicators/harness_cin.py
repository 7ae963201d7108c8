"""Indicator inputs from hand-written CIN censuses, through the reader and the warehouse's own
preparation (identifiers hashed, tables and columns as stored), as ``Inputs.from_warehouse``
would hand them over."""

from __future__ import annotations

import polars as pl

from carestat.indicators import Inputs
from carestat.indicators.inputs import CIN_INPUT_COLUMNS
from carestat.ingest import read_cin
from carestat.ingest.sources import Source
from carestat.refdata import resolve_la
from carestat.warehouse.returns import prepare
from carestat.warehouse.schema import table_name
from tests.cin_returns import Record, cin_xml

KEY = b"harness-key-0123456789-0123456789"


def cin_inputs(censuses: dict[tuple[str, int], list[Record]]) -> Inputs:
    """``{(la_code, year): [child(...), ...]}`` -> Inputs holding those CIN censuses only."""
    stored = {table_name("cin", name): name for name in CIN_INPUT_COLUMNS}
    frames: dict[str, list[pl.DataFrame]] = {}
    for (la, year), children in censuses.items():
        source = Source(f"cin_{la}_{year}.xml", cin_xml(year, la, children).encode())
        for name, frame in prepare(read_cin(source, year, resolve_la(la, year)), la, KEY).items():
            if name in stored:
                frames.setdefault(stored[name], []).append(frame.select(CIN_INPUT_COLUMNS[stored[name]]))
    return Inputs({}, {name: pl.concat(parts) for name, parts in frames.items()})
