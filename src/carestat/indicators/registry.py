"""The indicator registry: each indicator declared once, with what it means and how it is counted.

An indicator's ``compute`` returns, for every LA and year it can, the numerator and (where the
unit needs one) the denominator, overall (breakdown "Total") and by each breakdown it declares.
The engine (``compute.py``) turns those into values, and adds regions and England by summing
numerators and denominators, so every geography follows the same definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from carestat.indicators.inputs import Inputs

Unit = Literal["count", "percent", "rate_per_10k", "mean", "days", "months", "score"]
Polarity = Literal["higher is better", "lower is better", "neutral"]

COUNT_COLUMNS = {"la_code": pl.Utf8, "year": pl.Int64, "breakdown": pl.Utf8, "category": pl.Utf8,
                 "numerator": pl.Float64, "denominator": pl.Float64}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    definition: str  # plain English, for the public
    numerator: str
    denominator: str
    unit: Unit
    polarity: Polarity
    compute: Callable[[Inputs], pl.DataFrame]
    breakdowns: tuple[str, ...] = ()
    first_year: int = 2015
    source: str = "SSDA903"
    published_id: str | None = None  # the matching indicator in the published LA figures
    decimal_places: int = 0
    topic: str = "Children looked after"

    @property
    def needs_denominator(self) -> bool:
        return self.unit not in ("count", "rate_per_10k")


REGISTRY: dict[str, Indicator] = {}


def indicator(**kwargs: object) -> Callable[[Callable[[Inputs], pl.DataFrame]], Callable[[Inputs], pl.DataFrame]]:
    """Declare an indicator; the decorated function is its ``compute``."""

    def register(func: Callable[[Inputs], pl.DataFrame]) -> Callable[[Inputs], pl.DataFrame]:
        item = Indicator(compute=func, **kwargs)  # type: ignore[arg-type]
        if item.id in REGISTRY:
            raise ValueError(f"indicator {item.id} declared twice")
        REGISTRY[item.id] = item
        return func

    return register


def all_indicators() -> dict[str, Indicator]:
    import importlib
    import pkgutil

    import carestat.indicators.definitions as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(REGISTRY)


def counts(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Normalise a compute result to the standard count columns."""
    f = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    if "breakdown" not in f.columns:
        f = f.with_columns(breakdown=pl.lit("Total"), category=pl.lit("Total"))
    if "denominator" not in f.columns:
        f = f.with_columns(denominator=pl.lit(None, dtype=pl.Float64))
    return f.select([pl.col(c).cast(t) for c, t in COUNT_COLUMNS.items()])


def with_breakdowns(frame: pl.DataFrame, by: dict[str, pl.Expr | str], numerator: pl.Expr,
                    denominator: pl.Expr | None = None) -> pl.DataFrame:
    """Totals per LA and year, then the same by each breakdown column in ``by``."""
    aggs = [numerator.alias("numerator")] + ([denominator.alias("denominator")] if denominator is not None else [])
    parts = [frame.group_by("la_code", "year").agg(aggs).with_columns(
        breakdown=pl.lit("Total"), category=pl.lit("Total"))]
    for name, expr in by.items():
        col = pl.col(expr) if isinstance(expr, str) else expr
        parts.append(frame.with_columns(category=col.cast(pl.Utf8).fill_null("Not known"))
                     .group_by("la_code", "year", "category").agg(aggs).with_columns(breakdown=pl.lit(name)))
    return counts(pl.concat(parts, how="diagonal_relaxed"))


def distribution(frame: pl.DataFrame, breakdown: str, column: str) -> pl.DataFrame:
    """Share of each LA and year's rows in each category of ``column`` (the breakdown ``breakdown``),
    numerator the category's rows and denominator all rows; Total is all rows over all rows."""
    total = frame.group_by("la_code", "year").agg(denominator=pl.len())
    parts = [total.with_columns(numerator=pl.col("denominator"), breakdown=pl.lit("Total"), category=pl.lit("Total")),
             frame.with_columns(category=pl.col(column).cast(pl.Utf8).fill_null("Not known"))
             .group_by("la_code", "year", "category").agg(numerator=pl.len())
             .join(total, on=["la_code", "year"]).with_columns(breakdown=pl.lit(breakdown))]
    return counts(pl.concat(parts, how="diagonal_relaxed"))
