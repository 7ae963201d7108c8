"""Statistical disclosure control in the DfE's manner, for the tidy indicator frame.

>>> from carestat.disclosure import Rules, protect          # doctest: +SKIP
>>> published = protect(compute(inputs), Rules(round_counts_to=10))

``protect`` never changes its input: it returns a copy with ``value_published`` (the number shown,
null where a symbol is shown), ``value_display`` (the text as published: a number at the
indicator's decimal places, or a symbol), ``flag`` (``c``, ``x``, ``z``, ``low`` or null) and
``suppression`` for suppressed cells: ``primary`` (a small count or numerator), ``denominator``
(a small denominator, or one suppressed as a count elsewhere), ``secondary`` (protecting another
cell from differencing) or ``linked`` (the same count as a suppressed cell elsewhere).
"""

from __future__ import annotations

import polars as pl

from carestat.disclosure import audit, primary, secondary
from carestat.disclosure.rules import (
    ADOPTION_SCORECARD,
    CONFIDENTIAL,
    DENOMINATOR,
    DFE_STANDARD,
    LINKED,
    LOW,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    PRIMARY,
    SECONDARY,
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
    # Cells are numbered in a canonical order (ties between equal candidates go to the lower
    # number), so the result does not depend on the order of the input rows.
    return (frame.drop([c for c in ADDED if c in frame.columns])
            .with_row_index("_input")
            .with_columns(primary.geo_key())
            .sort("indicator_id", "year", "geographic_level", "_geo", "breakdown", "category", "_input",
                  nulls_last=True)
            .with_row_index("_cell")
            .join(props, on="indicator_id", how="left"))


def protect(frame: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """Apply primary and secondary suppression, rounding and symbols to an indicator frame."""
    rules = rules or Rules()
    cells = _cells(frame, rules)
    cells = cells.with_columns(flag=primary.status(rules)).with_columns(
        primary.size(),
        suppression=pl.when(pl.col("flag").eq_missing(CONFIDENTIAL))
        .then(pl.when(primary.small_numerator()).then(pl.lit(PRIMARY)).otherwise(pl.lit(DENOMINATOR))))
    if rules.secondary:
        cells = secondary.suppress(cells, rules)
    out = primary.finish(cells, rules).sort("_input")
    return out.select(*[c for c in frame.columns if c not in ADDED], *ADDED)


def recoverable(protected: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """The rows of a protected frame whose hidden count could be worked out exactly from the
    published totals (empty when protection holds). Figures hidden for their denominator are left
    out: their numerator is not what they hide."""
    rules = rules or Rules()
    cells = (_cells(protected, rules).join(protected.select("flag", "suppression").with_row_index("_input"),
                                           on="_input").with_columns(primary.size()))
    membership = secondary.constraints(cells)
    edges = secondary.link_edges(cells, rules)
    hidden = cells.filter(pl.col("flag").eq_missing(CONFIDENTIAL))["_cell"]
    den = set(cells.filter(pl.col("suppression").eq_missing(DENOMINATOR))["_cell"].to_list())
    pinned = [c for c in audit.determined(hidden, membership, edges) if c not in den]
    rows = cells.filter(pl.col("_cell").is_in(pinned))["_input"]
    return protected.with_row_index("_input").filter(pl.col("_input").is_in(rows.implode())).drop("_input")


__all__ = ["ADOPTION_SCORECARD", "CONFIDENTIAL", "DENOMINATOR", "DFE_STANDARD", "LINKED", "LOW", "NOT_APPLICABLE",
           "NOT_AVAILABLE", "PRIMARY", "SECONDARY", "SYMBOLS", "IndicatorRule", "Rules", "Threshold", "protect",
           "recoverable"]
