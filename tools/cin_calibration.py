"""Set the CIN census indicators of generated censuses beside England's published figures.

    uv run python tools/cin_calibration.py GENERATED_DIR [--year 2025] [--out table.csv]

Reads every YEAR/LA/cin/*.xml under GENERATED_DIR (as `carestat generate` writes them) through
the reader and the warehouse's preparation (no validation, nothing stored), computes the CIN
indicators for England, and prints each beside the published national figure of its
``published_id`` (refdata national_figures). Every figure it prints is synthetic. Re-referrals
need the year before the one compared, so generate both (e.g. --years 2024-2025).
"""

from __future__ import annotations

import argparse
import secrets
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from carestat import refdata
from carestat.indicators import Inputs, all_indicators, compute
from carestat.indicators.inputs import CIN_INPUT_COLUMNS
from carestat.ingest import read_cin
from carestat.warehouse.returns import prepare
from carestat.warehouse.schema import table_name

KEY = secrets.token_bytes(32)  # a throwaway pseudonymisation key: nothing is kept


def _census(path: Path) -> dict[str, pl.DataFrame]:
    year, la = int(path.parent.parent.parent.name), path.parent.parent.name
    stored = {table_name("cin", name): name for name in CIN_INPUT_COLUMNS}
    prepared = prepare(read_cin(path, year, refdata.resolve_la(la, year)), la, KEY)
    return {stored[n]: f.select(CIN_INPUT_COLUMNS[stored[n]]) for n, f in prepared.items() if n in stored}


def calibration(folder: Path, year: int, workers: int = 2) -> pl.DataFrame:
    files = sorted(folder.glob("[12][0-9][0-9][0-9]/*/cin/*.xml"))
    with ProcessPoolExecutor(workers) as pool:
        censuses = list(pool.map(_census, files, chunksize=4))
    cin = {name: pl.concat([c[name] for c in censuses]) for name in CIN_INPUT_COLUMNS}
    registry = all_indicators()
    ids = [i for i, item in registry.items() if item.source == "CIN census"]
    figures = compute(Inputs({}, cin), ids).filter(
        (pl.col("geographic_level") == "National") & (pl.col("breakdown") == "Total") & (pl.col("year") == year))
    published = refdata.published_national_figures().filter(pl.col("year") == year).select(
        published_id="indicator_id", published=pl.col("value").cast(pl.Float64, strict=False))
    return (figures.select("indicator_id", synthetic="value")
            .with_columns(published_id=pl.col("indicator_id").replace_strict(
                {i: registry[i].published_id for i in ids}, default=None, return_dtype=pl.Utf8))
            .join(published, on="published_id", how="left")
            .with_columns(difference=pl.col("synthetic") - pl.col("published"),
                          ratio=pl.col("synthetic") / pl.col("published"))
            .sort(pl.col("published").is_null(), "indicator_id"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    table = calibration(args.folder, args.year)
    if args.out:
        table.write_csv(args.out)
    with pl.Config(tbl_rows=100, tbl_width_chars=160, float_precision=1):
        print(f"CIN indicators for England, {args.year} (synthetic) beside the published figures")
        print(table)
