"""Primary suppression, rounding and the published form of each figure.

Works on the engine's tidy indicator frame (one row per indicator, year, area and category) joined
with each indicator's unit, decimal places and thresholds (``rules.indicator_properties``).
"""

from __future__ import annotations

import polars as pl

from carestat.disclosure.rules import CONFIDENTIAL, LOW, NOT_APPLICABLE, NOT_AVAILABLE, Rules

_AVERAGES = ("mean", "days", "months", "score")


def geo_key() -> pl.Expr:
    """One code per area whatever its level (3-digit LA code, region code, country code)."""
    level = pl.col("geographic_level")
    return (pl.when(level == "Local authority").then(pl.col("old_la_code"))
            .when(level == "Regional").then(pl.col("region_code"))
            .otherwise(pl.col("country_code"))).alias("_geo")


def small_numerator() -> pl.Expr:
    """The count itself (or a figure's numerator) is in its suppression range."""
    return pl.col("numerator").is_between(pl.col("_num_low"), pl.col("_num_high")).fill_null(False)


def status(rules: Rules) -> pl.Expr:
    """x / z where no figure exists, c where a count is too small to publish, else null."""
    unit, num, den = pl.col("_unit"), pl.col("numerator"), pl.col("denominator")
    is_count = unit == "count"
    small = small_numerator() | (~is_count & den.is_between(pl.col("_den_low"), pl.col("_den_high"))).fill_null(False)
    return (pl.when(num.is_null() | (~is_count & den.is_null())).then(pl.lit(NOT_AVAILABLE))
            .when(~is_count & (den == 0)).then(pl.lit(NOT_APPLICABLE))
            .when(pl.col("value").is_null() | pl.col("value").is_nan()).then(pl.lit(NOT_AVAILABLE))
            .when(pl.col("geographic_level").is_in(rules.suppress_levels) & small).then(pl.lit(CONFIDENTIAL))
            .otherwise(None))


def size() -> pl.Expr:
    """How big a cell is when choosing a partner to suppress: its count of children (an average's
    denominator; everything else's numerator)."""
    return (pl.when(pl.col("_unit").is_in(_AVERAGES)).then(pl.col("denominator"))
            .otherwise(pl.col("numerator"))).fill_null(0).alias("_size")


def rounded(rules: Rules) -> pl.Expr:
    """The figure at its published precision: counts at the rounded levels to the nearest
    ``round_counts_to`` (halves up), everything else to its decimal places."""
    value = pl.col("value")
    # Decimal places differ by indicator; round per row by scaling (Polars' round takes one value).
    scale = pl.lit(10.0).pow(pl.col("_dp"))
    exact = (value * scale).round(0, mode="half_away_from_zero") / scale
    if rules.round_counts_to:
        base = float(rules.round_counts_to)
        to_base = (value / base).round(0, mode="half_away_from_zero") * base
        chosen = (pl.col("_unit") == "count") & pl.col("geographic_level").is_in(rules.round_levels)
        if rules.round_indicators is not None:
            chosen = chosen & pl.col("indicator_id").is_in(sorted(rules.round_indicators))
        return pl.when(chosen).then(to_base).otherwise(exact)
    return exact


def display(published: pl.Expr) -> pl.Expr:
    """The published figure as text with its decimal places (no thousands separators, as EES)."""
    dp = pl.col("_dp")
    scaled = (published.abs() * pl.lit(10.0).pow(dp)).round(0).cast(pl.Int64)
    unit = pl.lit(10).pow(dp).cast(pl.Int64)
    whole = (scaled // unit).cast(pl.Utf8)
    frac = (scaled % unit).cast(pl.Utf8).str.zfill(dp)
    sign = pl.when(published < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(dp > 0).then(pl.concat_str(sign, whole, pl.lit("."), frac)).otherwise(pl.concat_str(sign, whole))


def finish(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Add ``value_published`` (the number shown, or null), ``value_display`` and the final flag
    (``low`` where a non-zero figure rounds to zero)."""
    out = frame.with_columns(_pub=rounded(rules))
    low = pl.col("flag").is_null() & (pl.col("value") != 0) & (pl.col("_pub") == 0)
    out = out.with_columns(flag=pl.when(low).then(pl.lit(LOW)).otherwise(pl.col("flag")))
    return out.with_columns(
        value_published=pl.when(pl.col("flag").is_null()).then(pl.col("_pub")),
        value_display=pl.when(pl.col("flag").is_null()).then(display(pl.col("_pub"))).otherwise(pl.col("flag")),
    ).drop("_pub")
