"""Indicator values in one shape, whether carestat computed them or the DfE published them.

Everything in ``carestat.analysis`` (comparators, scorecards, profiles, early warning) takes a
*values* frame with ``VALUE_COLUMNS``: one row per indicator, year and area (England, a region or
an LA), the headline figure only (no breakdowns). ``published()`` reads the LA, regional and
national figures vendored from the DfE (LAIT and explore-education-statistics); ``computed()``
takes the output of ``carestat.indicators.compute``. ``combined()`` sets an LA's own new figures
beside everyone's published ones, so a return can be benchmarked before the DfE publishes it;
``from_warehouse()`` does that for the warehouse's LAs (the analysis's one seam to the warehouse).

``indicator_meta()`` says what each indicator is (name, unit, polarity, definition): the
registry's declaration for carestat's own indicators, the published dictionary for the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import polars as pl

from carestat import refdata
from carestat.errors import UsageError

ENGLAND_CODE = "E92000001"
LEVELS = ("National", "Regional", "Local authority")
VALUE_COLUMNS = {"indicator_id": pl.Utf8, "year": pl.Int64, "geographic_level": pl.Utf8, "area_code": pl.Utf8,
                 "old_la_code": pl.Utf8, "area_name": pl.Utf8, "value": pl.Float64, "numerator": pl.Float64,
                 "denominator": pl.Float64, "source": pl.Utf8}


@dataclass(frozen=True)
class IndicatorMeta:
    id: str
    name: str
    unit: str
    polarity: str  # "higher is better", "lower is better" or "neutral"
    definition: str
    topic: str
    source: str  # "carestat" (computed from returns) or "published"


def _polarity(text: str | None) -> str:
    return text if text in ("higher is better", "lower is better") else "neutral"


@cache
def indicator_meta() -> dict[str, IndicatorMeta]:
    """Every indicator either side knows, by id (carestat's declaration wins)."""
    from carestat.indicators.registry import all_indicators

    meta = {}
    for row in refdata.indicator_dictionary().iter_rows(named=True):
        meta[row["indicator_id"]] = IndicatorMeta(
            row["indicator_id"], row["name"], row["unit"] or "", _polarity(row["polarity"]),
            row["description"] or "", row["topic"] or "", "published")
    for item in all_indicators().values():
        meta[item.id] = IndicatorMeta(item.id, item.name, item.unit, _polarity(item.polarity), item.definition,
                                      getattr(item, "topic", "") or "", "carestat")
    return meta


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c)
                         for c, t in VALUE_COLUMNS.items()])


@cache
def published() -> pl.DataFrame:
    """The DfE's published figures for every LA, region and England (vendored reference data)."""
    las = refdata.local_authorities().select("new_la_code", "name").unique("new_la_code")
    la = (refdata.published_la_indicators()
          .join(las, left_on="la_code", right_on="new_la_code", how="left")
          .select("indicator_id", "year", pl.lit("Local authority").alias("geographic_level"),
                  pl.col("la_code").alias("area_code"), "old_la_code", pl.col("name").alias("area_name"),
                  "value", "numerator", "denominator", "source"))
    region = refdata.published_regional_figures().select(
        "indicator_id", "year", pl.lit("Regional").alias("geographic_level"), "area_code", "area_name",
        "value", "numerator", "denominator", "source")
    nation = refdata.published_national_figures().select(
        "indicator_id", "year", pl.lit("National").alias("geographic_level"), "area_code",
        pl.lit("England").alias("area_name"), "value", "numerator", "denominator", "source")
    frames = [_conform(f) for f in (nation, region, la)]
    return pl.concat(frames).filter(pl.col("value").is_not_null())


def published_ids() -> dict[str, str]:
    """carestat indicator id -> the id of the same measure in the published figures."""
    from carestat.indicators.registry import all_indicators

    return {i.id: i.published_id for i in all_indicators().values() if i.published_id}


def computed(indicators: pl.DataFrame, source: str = "carestat", as_published: bool = False) -> pl.DataFrame:
    """Headline values (breakdown Total) from ``carestat.indicators.compute`` output; with
    ``as_published`` the indicators the DfE also publishes take the published id, to sit beside
    (or replace) the published figures."""
    total = indicators.filter(pl.col("breakdown") == "Total")
    if as_published:
        total = total.with_columns(pl.col("indicator_id").replace(published_ids()))
    out = total.select(
        "indicator_id", pl.col("year").cast(pl.Int64), "geographic_level",
        area_code=pl.when(pl.col("geographic_level") == "National").then(pl.col("country_code"))
        .when(pl.col("geographic_level") == "Regional").then(pl.col("region_code"))
        .otherwise(pl.col("new_la_code")),
        old_la_code=pl.when(pl.col("geographic_level") == "Local authority").then(pl.col("old_la_code")),
        area_name=pl.when(pl.col("geographic_level") == "National").then(pl.col("country_name"))
        .when(pl.col("geographic_level") == "Regional").then(pl.col("region_name"))
        .otherwise(pl.col("la_name")),
        value="value", numerator="numerator", denominator="denominator", source=pl.lit(source))
    return _conform(out).filter(pl.col("value").is_not_null())


def combined(own: pl.DataFrame, base: pl.DataFrame | None = None) -> pl.DataFrame:
    """``own`` values (e.g. one LA's new return) over ``base`` (default: the published figures):
    where both give a figure for the same indicator, year and area, ``own`` wins."""
    base = published() if base is None else base
    keys = ["indicator_id", "year", "geographic_level", "area_code"]
    return pl.concat([_conform(own), base.join(own.select(keys), on=keys, how="anti")])


def la_values(values: pl.DataFrame) -> pl.DataFrame:
    return values.filter(pl.col("geographic_level") == "Local authority")


SYNTHETIC_SOURCE = "carestat (synthetic)"


def own_indicators(db: str | os.PathLike[str] | None = None) -> tuple[pl.DataFrame, bool]:
    """carestat's own indicator values for the warehouse's current returns, and whether they come
    from synthetic data (see ``carestat.indicators.current_values``): the analysis's one seam to
    the warehouse."""
    from carestat.indicators import current_values

    return current_values(db)


def from_warehouse(db: str | os.PathLike[str] | None = None, synthetic: bool = False) -> pl.DataFrame:
    """carestat's own LA figures from the warehouse set over the published figures for everyone else
    (regions and England stay the published ones: a warehouse rarely holds every LA). Figures from
    synthetic returns (or with ``synthetic``) carry the source ``SYNTHETIC_SOURCE``."""
    frame, from_synthetic = own_indicators(db)
    source = SYNTHETIC_SOURCE if (synthetic or from_synthetic) else "carestat"
    own = la_values(computed(frame, source=source, as_published=True))
    if own.is_empty():
        raise UsageError("The warehouse holds no LA figures yet: load returns with `carestat load` first")
    return combined(own)


def is_synthetic(values: pl.DataFrame) -> bool:
    """Whether any figure in a values frame was computed from synthetic data."""
    return bool(values["source"].str.contains("synthetic").any())
