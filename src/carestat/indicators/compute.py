"""Compute every indicator for every LA, region and England from the warehouse's current returns."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from itertools import zip_longest

import polars as pl

from carestat import refdata
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import Indicator, all_indicators, counts

OUTPUT_COLUMNS = ("indicator_id", "year", "geographic_level", "country_code", "country_name", "region_code",
                  "region_name", "new_la_code", "old_la_code", "la_name", "breakdown", "category",
                  "numerator", "denominator", "value")


def _geography(years: list[int]) -> pl.DataFrame:
    """(old_la_code, year) -> codes, name and region in force on 31 March of that year."""
    rows = []
    for year in years:
        for la in refdata.las_in_year(year):
            rows.append((la.old_la_code, year, la.new_la_code, la.name, la.region_code, la.region_name))
    return pl.DataFrame(rows, schema=["la_code", "year", "new_la_code", "la_name", "region_code", "region_name"],
                        orient="row")


def _sum_or_null(name: str) -> pl.Expr:
    return pl.when(pl.col(name).is_null().all()).then(None).otherwise(pl.col(name).sum()).alias(name)


def _value(unit: str) -> pl.Expr:
    num, den = pl.col("numerator"), pl.col("denominator")
    if unit == "count":
        return num
    if unit == "percent":
        return pl.when(den > 0).then(100 * num / den)
    if unit == "rate_per_10k":
        return pl.when(den > 0).then(10_000 * num / den)
    return pl.when(den > 0).then(num / den)


def compute_indicator(item: Indicator, inputs: Inputs) -> pl.DataFrame:
    raw = counts(item.compute(inputs)).filter(pl.col("year") >= item.first_year)
    if item.unit == "rate_per_10k":
        raw = raw.drop("denominator").join(inputs.population.rename({"population": "denominator"}),
                                           on=["la_code", "year"], how="left")
    geo = inputs.view("compute.geography", lambda i: _geography(sorted({*i.years, *i.cin_returns["year"]})))
    la = raw.join(geo, on=["la_code", "year"], how="left")
    keys = ["year", "breakdown", "category"]
    region = (la.filter(pl.col("region_code").is_not_null())
              .group_by(["region_code", "region_name", *keys])
              .agg(pl.col("numerator").sum(), _sum_or_null("denominator")))
    england = la.group_by(keys).agg(pl.col("numerator").sum(), _sum_or_null("denominator"))
    parts = [
        la.with_columns(geographic_level=pl.lit("Local authority"), old_la_code=pl.col("la_code")),
        region.with_columns(geographic_level=pl.lit("Regional")),
        england.with_columns(geographic_level=pl.lit("National")),
    ]
    out = pl.concat(parts, how="diagonal_relaxed").with_columns(
        indicator_id=pl.lit(item.id), country_code=pl.lit(refdata.ENGLAND_CODE), country_name=pl.lit("England"),
        value=_value(item.unit))
    for col in OUTPUT_COLUMNS:
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Utf8).alias(col))
    return out.select(OUTPUT_COLUMNS)


def compute(inputs: Inputs, ids: list[str] | None = None, workers: int | None = None) -> pl.DataFrame:
    """Every registered indicator (or those in ``ids``), tidy, for every geography and year.

    Indicators are computed in ``workers`` threads (default: one per core, up to 4): Polars runs
    outside Python's lock, and a shared view is built once, by the first indicator that needs it.
    """
    registry = all_indicators()
    chosen = [registry[i] for i in ids] if ids else list(registry.values())
    chosen = [item for item in chosen if inputs.has(item.source)]  # a return not loaded has no figures
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers > 1:
        # Modules in turn, so that the threads start on different shared views, not the same one.
        by_module: dict[str, list[Indicator]] = {}
        for item in chosen:
            by_module.setdefault(item.compute.__module__, []).append(item)
        chosen = [item for turn in zip_longest(*by_module.values()) for item in turn if item is not None]
        with ThreadPoolExecutor(workers) as pool:
            frames = list(pool.map(lambda item: compute_indicator(item, inputs), chosen))
    else:
        frames = [compute_indicator(item, inputs) for item in chosen]
    level = {"National": 0, "Regional": 1, "Local authority": 2}
    return pl.concat(frames, how="vertical_relaxed").with_columns(
        _level=pl.col("geographic_level").replace_strict(level, return_dtype=pl.Int8)
    ).sort("indicator_id", "year", "_level", "region_code", "old_la_code", "breakdown", "category",
           nulls_last=False).drop("_level")


def compute_warehouse(db: str | os.PathLike[str] | None = None, store: bool = True) -> tuple[pl.DataFrame, bool]:
    """Every indicator from the warehouse's current returns, stored back in it (``indicator_values``)
    for the analysis and the web service. Returns the values and whether they are synthetic."""
    from carestat.warehouse import connect, holds_synthetic, store_indicator_values

    frame = compute(Inputs.from_warehouse(db))
    con = connect(db, read_only=not store)
    try:
        synthetic = holds_synthetic(con)
        if store:
            store_indicator_values(con, frame, synthetic)
    finally:
        con.close()
    return frame, synthetic


def current_values(db: str | os.PathLike[str] | None = None) -> tuple[pl.DataFrame, bool]:
    """The warehouse's indicator values, recomputed (and stored) only when returns have been
    loaded since they were last computed. Returns the values and whether they are synthetic."""
    from carestat.warehouse import connect, holds_synthetic
    from carestat.warehouse.results import indicator_values_fresh, stored_indicator_values

    con = connect(db, read_only=True)
    try:
        if indicator_values_fresh(con):
            return stored_indicator_values(con).select(OUTPUT_COLUMNS), holds_synthetic(con)
    finally:
        con.close()
    return compute_warehouse(db)
