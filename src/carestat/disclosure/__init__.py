"""Statistical disclosure control in the DfE's manner, for the tidy indicator frame.

>>> from carestat.disclosure import Rules, protect          # doctest: +SKIP
>>> published = protect(compute(inputs), Rules(round_counts_to=10))

``protect`` never changes its input: it returns a copy with ``value_published`` (the number shown,
null where a symbol is shown), ``value_display`` (the text as published: a number at the
indicator's decimal places, or a symbol), ``flag`` (``c``, ``x``, ``z``, ``low`` or null) and
``suppression`` (``primary``, ``secondary`` or ``linked`` for suppressed cells).
"""

from __future__ import annotations

import polars as pl

from carestat.disclosure import audit, primary, secondary
from carestat.disclosure.rules import (
    ADOPTION_SCORECARD,
    CONFIDENTIAL,
    DFE_STANDARD,
    LOW,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SYMBOLS,
    IndicatorRule,
    Rules,
    Threshold,
    indicator_properties,
)
from carestat.errors import UsageError

REQUIRED = ("indicator_id", "year", "geographic_level", "country_code", "region_code", "old_la_code",
            "breakdown", "category", "numerator", "denominator", "value")
ADDED = ("value_published", "value_display", "flag", "suppression")


def _cells(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise UsageError(f"protect needs the indicator frame's columns; missing: {', '.join(missing)}")
    props = indicator_properties(frame["indicator_id"].unique().to_list(), rules)
    return (frame.drop([c for c in ADDED if c in frame.columns])
            .with_row_index("_cell")
            .with_columns(primary.geo_key())
            .join(props, on="indicator_id", how="left"))


def protect(frame: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """Apply primary and secondary suppression, rounding and symbols to an indicator frame."""
    rules = rules or Rules()
    cells = _cells(frame, rules)
    cells = cells.with_columns(flag=primary.status(rules)).with_columns(
        primary.size(),
        suppression=pl.when(pl.col("flag") == CONFIDENTIAL).then(pl.lit("primary")).otherwise(None))
    if rules.secondary:
        cells = secondary.suppress(cells, rules)
    out = primary.finish(cells, rules).sort("_cell")
    return out.select(*[c for c in frame.columns if c not in ADDED], *ADDED)


def recoverable(protected: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """The rows of a protected frame whose suppressed value could be worked out exactly from the
    published totals (empty when protection holds)."""
    rules = rules or Rules()
    cells = _cells(protected, rules).with_columns(
        primary.size(), flag=pl.lit(None, pl.Utf8)).with_columns(flag=protected["flag"])
    membership = secondary.constraints(cells)
    edges = secondary.link_edges(cells, rules)
    pinned = list(audit.determined(cells.filter(pl.col("flag").eq_missing(CONFIDENTIAL))["_cell"], membership, edges))
    return protected.with_row_index("_cell").filter(pl.col("_cell").is_in(pinned)).drop("_cell")


__all__ = ["ADOPTION_SCORECARD", "CONFIDENTIAL", "DFE_STANDARD", "LOW", "NOT_APPLICABLE", "NOT_AVAILABLE",
           "SYMBOLS", "IndicatorRule", "Rules", "Threshold", "protect", "recoverable"]
