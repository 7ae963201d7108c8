"""The optional Ofsted provider list used by the URN rules (219, 221, 224, 227-229, 241-243, 1008).

Give it as a CSV with columns ``URN, PLACE_CODES, PROVIDER_CODES, REG_START, REG_END,
POSTCODE, LA_CODES`` (codes comma-separated; dates dd/mm/yyyy or ISO; LA_CODES the 3-digit
codes of the LAs where the provider has premises). Rules see one row per URN with
``PLACE_CODES``/``PROVIDER_CODES``/``LA_CODES`` as lists, ``REG_START``/``REG_END`` as dates
and ``PL_SECTOR`` the provider's postcode sector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from carestat.errors import InputError
from carestat.ingest.derived903 import sector_of
from carestat.ingest.typing import blank_to_null, parse_date

PROVIDER_COLUMNS = ("URN", "PLACE_CODES", "PROVIDER_CODES", "REG_START", "REG_END", "POSTCODE", "LA_CODES")


def _split(name: str) -> pl.Expr:
    return (blank_to_null(pl.col(name)).str.to_uppercase().str.replace_all(r"[/;]", ",")
            .str.split(",").list.eval(pl.element().str.strip_chars()).list.drop_nulls())


def providers_from_frame(raw: pl.DataFrame) -> pl.DataFrame:
    columns = {c.strip().upper(): c for c in raw.columns}
    missing = [c for c in PROVIDER_COLUMNS if c not in columns]
    if missing:
        raise InputError(f"provider list lacks the column(s) {', '.join(missing)}")
    raw = raw.select([pl.col(columns[c]).cast(pl.Utf8).alias(c) for c in PROVIDER_COLUMNS])
    return raw.select(
        URN=blank_to_null(pl.col("URN")).str.to_uppercase(),
        PLACE_CODES=_split("PLACE_CODES"), PROVIDER_CODES=_split("PROVIDER_CODES"),
        REG_START=parse_date(pl.col("REG_START")), REG_END=parse_date(pl.col("REG_END")),
        PL_SECTOR=sector_of(blank_to_null(pl.col("POSTCODE"))),
        LA_CODES=_split("LA_CODES"),
    ).filter(pl.col("URN").is_not_null()).unique("URN", keep="first", maintain_order=True)


def providers_from_records(records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    rows = [{c: (None if rec.get(c) is None else str(rec.get(c))) for c in PROVIDER_COLUMNS} for rec in records]
    return providers_from_frame(pl.DataFrame(rows, schema={c: pl.Utf8 for c in PROVIDER_COLUMNS}, orient="row"))


def read_providers(path: str | Path) -> pl.DataFrame:
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"could not be read as a provider list CSV ({str(exc).splitlines()[0][:120]})",
                         file=str(path)) from None
    return providers_from_frame(raw)
