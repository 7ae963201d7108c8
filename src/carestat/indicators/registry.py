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

from carestat.indicators.inputs import CHILD_ID, Inputs

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
    # Breakdowns whose categories overlap (an assessment records several factors, a child several
    # disabilities): they do not add up to the Total, which disclosure control must know.
    overlapping: tuple[str, ...] = ()

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


def _by_la_year(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``_g``, one integer per LA and year: grouping by it is cheaper than by the two."""
    if CHILD_ID in frame.columns:  # its high bits number the LA
        la = (pl.col(CHILD_ID) // (1 << 32)).cast(pl.Int64)
    else:
        la = pl.col("la_code").cast(pl.Categorical).to_physical().cast(pl.Int64)
    return frame.with_columns(_g=la * 1_000_000 + pl.col("year").cast(pl.Int64).fill_null(-1))


def with_breakdowns(frame: pl.DataFrame, by: dict[str, pl.Expr | str], numerator: pl.Expr,
                    denominator: pl.Expr | None = None) -> pl.DataFrame:
    """Totals per LA and year, then the same by each breakdown column in ``by``."""
    aggs = [numerator.alias("numerator")] + ([denominator.alias("denominator")] if denominator is not None else [])
    # One lazy query: the groupings run in parallel, reading only the columns they need.
    g = _by_la_year(frame).lazy()
    total = g.group_by("_g").agg(*aggs, pl.col("la_code").first(), pl.col("year").first())
    la_year = total.select("_g", "la_code", "year")
    parts = [total.with_columns(breakdown=pl.lit("Total"), category=pl.lit("Total"))]
    for name, expr in by.items():
        col = pl.col(expr) if isinstance(expr, str) else expr
        parts.append(g.with_columns(category=col.cast(pl.Utf8).fill_null("Not known"))
                     .group_by("_g", "category").agg(aggs).join(la_year, on="_g")
                     .with_columns(breakdown=pl.lit(name)))
    return counts(pl.concat(parts, how="diagonal_relaxed"))


def distribution(frame: pl.DataFrame, breakdown: str, column: str) -> pl.DataFrame:
    """Share of each LA and year's rows in each category of ``column`` (the breakdown ``breakdown``),
    numerator the category's rows and denominator all rows; Total is all rows over all rows."""
    g = _by_la_year(frame)
    total = g.group_by("_g").agg(pl.col("la_code").first(), pl.col("year").first(), denominator=pl.len())
    parts = [total.with_columns(numerator=pl.col("denominator"), breakdown=pl.lit("Total"), category=pl.lit("Total")),
             g.with_columns(category=pl.col(column).cast(pl.Utf8).fill_null("Not known"))
             .group_by("_g", "category").agg(numerator=pl.len())
             .join(total, on="_g").with_columns(breakdown=pl.lit(breakdown))]
    return counts(pl.concat(parts, how="diagonal_relaxed"))
