"""Confidence intervals for proportions.

The Wilson score interval (Wilson 1927) is used rather than the textbook "p ± 1.96 SE" because it
stays inside 0-100% and behaves well for the small numbers and extreme percentages common in one
LA's figures (Newcombe 1998 compares the methods; the ONS and PHE recommend Wilson for proportions).
"""

from __future__ import annotations

import math

import polars as pl

Z95 = 1.959963984540054  # the two-sided 95% point of the standard normal


def wilson_interval(numerator: float, denominator: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``numerator`` successes out of ``denominator``, as proportions
    (0 to 1). ``denominator`` must be positive and ``numerator`` between 0 and it."""
    if denominator <= 0 or not 0 <= numerator <= denominator:
        raise ValueError(f"no proportion: {numerator} out of {denominator}")
    p = numerator / denominator
    z2 = z * z
    centre = (p + z2 / (2 * denominator)) / (1 + z2 / denominator)
    half = z / (1 + z2 / denominator) * math.sqrt(p * (1 - p) / denominator + z2 / (4 * denominator ** 2))
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_exprs(numerator: str = "numerator", denominator: str = "denominator",
                 z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """The same interval as Polars expressions ``ci_low`` and ``ci_high`` (null where there is no
    valid proportion)."""
    n = pl.col(denominator)
    p = pl.col(numerator) / n
    z2 = z * z
    valid = (n > 0) & (pl.col(numerator) >= 0) & (pl.col(numerator) <= n)
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    low = pl.when(valid).then(pl.max_horizontal(centre - half, pl.lit(0.0))).alias("ci_low")
    high = pl.when(valid).then(pl.min_horizontal(centre + half, pl.lit(1.0))).alias("ci_high")
    return low, high
