"""Publication tables: which indicators go together, and the tidy wide frame of each.

A table holds the indicators of one registry topic. Its rows are one per year, area and
category, its filter columns one per breakdown (the category on that breakdown's rows, "Total"
elsewhere, as the explore-education-statistics standard wants), and its indicator columns the
published text of each figure (a number, or a symbol).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from carestat.indicators.registry import Indicator

TIME_IDENTIFIER = "Reporting year"  # CLA and CIN years end on 31 March; EES wants a 4-digit period
GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "new_la_code", "old_la_code", "la_name")
LEVEL_ORDER = {"National": 0, "Regional": 1, "Local authority": 2}
TOTAL = "Total"
# Topics whose national and regional counts are published rounded to the nearest 10 (DfE practice
# for the children looked after headline tables).
ROUNDED_TOPICS = frozenset({"Children looked after"})
# The DfE's children in need tables round England and regional totals to the nearest 10 too.
ROUNDED_TOPICS |= {"Children in need", "Children in need: referrals", "Children in need: assessments",
                   "Child protection"}

BREAKDOWN_LABELS = {
    "age_band": "Age group", "age": "Age", "sex": "Sex", "ethnic_group": "Ethnicity",
    "legal_status": "Legal status", "category_of_need": "Category of need",
    "placement": "Placement type", "placement_provider": "Placement provider",
    "uasc": "Unaccompanied asylum-seeking children", "reason": "Reason",
    "time_in_care": "Time in care", "location": "Placement location", "provider": "Provider",
    "distance": "Distance from home", "sdq_band": "SDQ band",
    # CIN census
    "referral_source": "Source of referral", "duration": "Duration", "factor": "Factor identified at assessment",
    "factor_group": "Factor identified at assessment (grouped)",
    "combination": "Domestic abuse, mental health and substance misuse", "timeliness": "Working days from enquiry",
    "initial_category": "Initial category of abuse", "latest_category": "Latest category of abuse",
    "primary_need": "Primary need", "disabled": "Disabled", "disability": "Disability",
}
BREAKDOWN_HINTS = {
    "category_of_need": "The main reason the child came into care",
    "legal_status": "Legal status code (SSDA903 LS)",
    "factor": "An assessment can record several factors, so these do not add up to the total",
    "disability": "A child can have several disabilities, so these do not add up to the total",
}
UNIT_GROUPS = {"count": "Numbers", "percent": "Percentages", "rate_per_10k": "Rates per 10,000 children",
               "mean": "Averages", "days": "Averages", "months": "Averages", "score": "Averages"}


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    topic: str
    indicators: tuple[str, ...]
    breakdowns: tuple[str, ...]
    round_counts: bool = False


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_") or "table"


def breakdown_label(name: str) -> str:
    return BREAKDOWN_LABELS.get(name, name.replace("_", " ").capitalize())


def _breakdowns(ids: list[str], frame: pl.DataFrame, registry: dict[str, Indicator]) -> tuple[str, ...]:
    """Breakdowns present for these indicators, in the order their declarations list them."""
    present = set(frame.filter(pl.col("indicator_id").is_in(ids))["breakdown"].unique().to_list()) - {TOTAL}
    declared = [b for i in ids if i in registry for b in registry[i].breakdowns]
    ordered = list(dict.fromkeys(b for b in declared if b in present))
    return tuple(ordered + sorted(present - set(ordered)))


def topic_tables(frame: pl.DataFrame, registry: dict[str, Indicator]) -> list[Table]:
    """One table per topic for the indicators in ``frame`` (registry order; unknown ids last)."""
    present = set(frame["indicator_id"].unique().to_list())
    topics: dict[str, list[str]] = {}
    for item in registry.values():
        if item.id in present:
            topics.setdefault(item.topic, []).append(item.id)
    unknown = sorted(present - set(registry))
    if unknown:
        topics.setdefault("Other indicators", []).extend(unknown)
    return [Table(slug=slug(topic), title=topic, topic=topic, indicators=tuple(ids),
                  breakdowns=_breakdowns(ids, frame, registry), round_counts=topic in ROUNDED_TOPICS)
            for topic, ids in topics.items()]


def _area() -> pl.Expr:
    return pl.coalesce("old_la_code", "region_code", "country_code").alias("_area")


def wide(protected: pl.DataFrame, table: Table, units: dict[str, str]) -> pl.DataFrame:
    """The table as published: geography, one filter column per breakdown, one text column per
    indicator. Where an indicator has no row: ``x`` if it has no figure for that area and year or
    is not broken down that way, else the category simply had nobody (0 for counts and rates,
    ``z`` for percentages and averages)."""
    sub = (protected.filter(pl.col("indicator_id").is_in(table.indicators)
                            & pl.col("breakdown").is_in([TOTAL, *table.breakdowns]))
           .with_columns(_area()))
    area_cols = ["year", "geographic_level", "_area"]
    areas = sub.select(*area_cols, *[c for c in GEOGRAPHY[2:] if c != "geographic_level"]).unique(area_cols)
    cats = sub.select("year", "breakdown", "category").unique()
    keys = [*area_cols, "breakdown", "category"]
    grid = areas.join(cats, on="year")
    values = sub.pivot(on="indicator_id", index=keys, values="value_display", aggregate_function="first")
    grid = grid.join(values, on=keys, how="left")
    has_total = (sub.filter(pl.col("breakdown") == TOTAL).select(*area_cols, "indicator_id")
                 .with_columns(_t=pl.lit(True)).pivot(on="indicator_id", index=area_cols, values="_t",
                                                      aggregate_function="first"))
    has_total = has_total.rename({i: f"_t_{i}" for i in table.indicators if i in has_total.columns})
    grid = grid.join(has_total, on=area_cols, how="left")
    by = {i: set(sub.filter(pl.col("indicator_id") == i)["breakdown"].unique().to_list())
          for i in table.indicators}
    fills = []
    for i in table.indicators:
        col = pl.col(i) if i in grid.columns else pl.lit(None, pl.Utf8)
        nobody = pl.lit("0") if units.get(i) in ("count", "rate_per_10k") else pl.lit("z")
        known = pl.col(f"_t_{i}").fill_null(False) if f"_t_{i}" in grid.columns else pl.lit(False)
        fills.append(pl.when(col.is_not_null()).then(col)
                     .when(known & pl.col("breakdown").is_in(list(by[i]))).then(nobody)
                     .otherwise(pl.lit("x")).alias(i))
    filters = [pl.when(pl.col("breakdown") == b).then(pl.col("category")).otherwise(pl.lit(TOTAL)).alias(b)
               for b in table.breakdowns]
    order = {b: n for n, b in enumerate([TOTAL, *table.breakdowns])}
    return (grid.with_columns(*fills, *filters,
                              time_period=pl.col("year"), time_identifier=pl.lit(TIME_IDENTIFIER),
                              _level=pl.col("geographic_level").replace_strict(LEVEL_ORDER, return_dtype=pl.Int8),
                              _bd=pl.col("breakdown").replace_strict(order, return_dtype=pl.Int32),
                              _cat=pl.col("category") != TOTAL)
            .sort("year", "_level", "region_code", "old_la_code", "_bd", "_cat", "category", nulls_last=False)
            .select(*GEOGRAPHY, *table.breakdowns, *table.indicators))


def metadata(table: Table, registry: dict[str, Indicator], units: dict[str, str],
             decimal_places: dict[str, int], *, synthetic: bool) -> pl.DataFrame:
    """The EES metadata file: a Filter row per breakdown, an Indicator row per indicator."""
    suffix = " (synthetic data)" if synthetic else ""
    rows = [{"col_name": b, "col_type": "Filter", "label": breakdown_label(b) + suffix, "indicator_grouping": "",
             "indicator_unit": "", "indicator_dp": "", "filter_hint": BREAKDOWN_HINTS.get(b, ""),
             "filter_grouping_column": ""} for b in table.breakdowns]
    for i in table.indicators:
        item, unit = registry.get(i), units.get(i, "count")
        rows.append({"col_name": i, "col_type": "Indicator", "label": (item.name if item else i) + suffix,
                     "indicator_grouping": UNIT_GROUPS.get(unit, ""),
                     "indicator_unit": "%" if unit == "percent" else "",
                     "indicator_dp": str(decimal_places.get(i, 0)), "filter_hint": "", "filter_grouping_column": ""})
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in ("col_name", "col_type", "label", "indicator_grouping",
                                                           "indicator_unit", "indicator_dp", "filter_hint",
                                                           "filter_grouping_column")})
