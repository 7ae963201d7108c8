"""explore-education-statistics open data files: a tidy CSV and its metadata CSV per table."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carestat.indicators.registry import Indicator
from carestat.publish.safety import safe_frame
from carestat.publish.tables import Table, metadata, wide

SYNTHETIC_NOTE = ("Synthetic data: computed from synthetic returns made by carestat; "
                  "it describes no real child and is not official statistics")


def write_table(protected: pl.DataFrame, table: Table, out_dir: Path, registry: dict[str, Indicator],
                units: dict[str, str], decimal_places: dict[str, int], *, synthetic: bool) -> list[Path]:
    """``<slug>.csv`` and ``<slug>.meta.csv``. Synthetic data carry a ``data_status`` column
    (one value, so outside the metadata as EES allows) and labels saying so."""
    data = wide(protected, table, units)
    if synthetic:
        data = data.with_columns(data_status=pl.lit(SYNTHETIC_NOTE))
    meta = metadata(table, registry, units, decimal_places, synthetic=synthetic)
    data_path, meta_path = out_dir / f"{table.slug}.csv", out_dir / f"{table.slug}.meta.csv"
    safe_frame(data).write_csv(data_path)
    # Empty metadata fields are written empty rather than as "" (nulls).
    safe_frame(meta).with_columns(pl.all().replace("", None)).write_csv(meta_path)
    return [data_path, meta_path]
