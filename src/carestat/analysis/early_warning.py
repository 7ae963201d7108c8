"""Early warning: which LAs' services show signs of faltering, from their indicator values.

Three steps, each over every LA, measure and year at once (see ``docs/early-warning.md``):

1. :func:`funnel` sets each LA's value against England's by the size of its denominator, with
   95% and 99.8% control limits: binomial (normal approximation) for percentages, Poisson for
   rates per 10,000 children, and a robust z-score across LAs where no denominator can be had.
   LAs differ far more than chance allows, so limits are widened by Spiegelhalter's
   multiplicative over-dispersion factor (from z-scores winsorised at 10%/90%).
2. :func:`cusum` runs a one-sided CUSUM over each LA's trend: its year-on-year change in standardised
   deviation from England, in the measure's worse direction, scaled by how much LAs moved that
   year. A sustained slide raises an alarm that no single year's funnel would. (A CUSUM of the
   deviations themselves alarms on every LA that is persistently a little below England, more
   so the longer the history: its alarm rate rose from 2% to 16% of measure-years over 2016-2025.)
3. :func:`signals` combines them per LA and year: a measure is *flagged* when it lies beyond the
   99.8% limit on the worse side or its CUSUM is in alarm; the score is the number of service
   areas (domains) with a flagged measure, and the signal is raised at ``threshold`` domains.

The measures are declared once in ``MEASURES`` (which published indicator, its domain, which way
is worse, and how its denominator is found when the published figure lacks one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat import refdata
from carestat.analysis.values import ENGLAND_CODE

Z95 = 1.959964  # two-sided 95%
Z998 = 3.090232  # two-sided 99.8%
CUSUM_K = 0.5  # allowance: half a (robust) standard deviation of the yearly changes
CUSUM_H = 3.0  # decision interval: about 2.5% of measure-years alarm (set before any backtest)
THRESHOLD = 2  # domains with a flagged measure for the signal
POPULATION = "population"  # denominator_from: children aged 0-17 (refdata.child_population)
KEYS = ["indicator_id", "old_la_code", "year"]


@dataclass(frozen=True)
class Measure:
    """One indicator as the early warning uses it.

    ``kind``: "proportion" (a percentage), "rate" (per 10,000 children) or "mean" (no binomial or
    Poisson model: z-score across LAs). ``worse``: "higher", "lower", or None for a context measure
    that is shown but never flagged. Where the published row has no denominator it is found, in
    order, from the row's own numerator and value, from ``denominator_from`` (the sum of those
    count indicators, or the child population), or from ``numerator_from`` (a count indicator
    holding the numerator) and the value; failing all, the z-score is used.
    """

    id: str
    domain: str
    worse: str | None
    kind: str = "proportion"
    denominator_from: tuple[str, ...] = ()
    numerator_from: str | None = None
    note: str = ""


MEASURES: tuple[Measure, ...] = (
    Measure("cla_3plus_placements_pct", "Placement stability", "higher", denominator_from=("cla_count_31mar",)),
    Measure("cla_long_term_stability_pct", "Placement stability", "lower",
            numerator_from="cla_long_term_stability_count"),
    Measure("cla_missing_pct", "Missing from care", "higher",
            note="The DfE calls this neutral (better recording raises it); counted as worse when higher. "
                 "Denominator published 2020-2024 only."),
    Measure("care_leavers_19_21_eet_pct", "Care leavers", "lower",
            denominator_from=("care_leavers_former_relevant_count",)),
    Measure("care_leavers_19_21_suitable_accommodation_pct", "Care leavers", "lower",
            denominator_from=("care_leavers_former_relevant_count",)),
    Measure("care_leavers_19_21_not_in_touch_pct", "Care leavers", "higher",
            denominator_from=("care_leavers_former_relevant_count",)),
    Measure("rereferrals_12m_pct", "Referral and assessment", "higher", denominator_from=("referrals_count",)),
    Measure("assessments_within_45_days_pct", "Referral and assessment", "lower",
            note="No count of assessments is published: z-score across LAs."),
    Measure("icpc_within_15_days_pct", "Child protection", "lower",
            denominator_from=("lait_10_icpc", "lait_15_icpc", "lait_20_icpc", "lait_21_icpc")),
    Measure("cpp_second_subsequent_pct", "Child protection", "higher", denominator_from=("cpp_starts_count",)),
    Measure("cpp_2yrs_plus_31mar_pct", "Child protection", "higher", denominator_from=("cpp_count_31mar",)),
    Measure("cpp_reviewed_in_timescales_pct", "Child protection", "lower",
            denominator_from=("lait_cpp_31march_3mnthormore",)),
    Measure("sw_turnover_rate_pct", "Workforce", "higher", denominator_from=("sw_fte_count",)),
    Measure("sw_agency_rate_pct", "Workforce", "higher", denominator_from=("sw_fte_count",),
            note="Denominator approximated by FTE social workers (the true base adds agency workers)."),
    Measure("sw_vacancy_rate_pct", "Workforce", "higher", denominator_from=("sw_fte_count",),
            note="Denominator approximated by FTE social workers (the true base adds vacancies)."),
    Measure("sw_average_caseload", "Workforce", "higher", kind="mean"),
    Measure("cla_12m_health_assessment_pct", "Health of children in care", "lower"),
    Measure("cla_rate_per_10k", "Context", None, kind="rate", denominator_from=(POPULATION,)),
    Measure("cin_rate_per_10k", "Context", None, kind="rate", denominator_from=(POPULATION,)),
    Measure("cpp_rate_per_10k", "Context", None, kind="rate", denominator_from=(POPULATION,)),
)


def measures_frame(measures: tuple[Measure, ...] = MEASURES) -> pl.DataFrame:
    """indicator_id, domain, worse, kind: one row per measure."""
    return pl.DataFrame([{"indicator_id": m.id, "domain": m.domain, "worse": m.worse, "kind": m.kind}
                         for m in measures],
                        schema={"indicator_id": pl.Utf8, "domain": pl.Utf8, "worse": pl.Utf8, "kind": pl.Utf8})


def _population() -> pl.DataFrame:
    """old_la_code, year -> children aged 0-17, for every year 2000-2030 (nearest year published)."""
    pop = refdata.child_population().select("old_la_code", pl.col("year").cast(pl.Int64), "population")
    grid = pop.select("old_la_code").unique().join(
        pl.DataFrame({"year": list(range(2000, 2031))}, schema={"year": pl.Int64}), how="cross")
    return grid.sort("old_la_code", "year").join_asof(
        pop.sort("old_la_code", "year"), on="year", by="old_la_code", strategy="nearest", check_sortedness=False)


def _derived_denominators(la: pl.DataFrame, measures: tuple[Measure, ...]) -> pl.DataFrame:
    """indicator_id, old_la_code, year -> a denominator built from other published figures."""
    values = la.select("indicator_id", "old_la_code", "year", "value")
    parts = []
    for m in measures:
        if m.denominator_from == (POPULATION,):
            found = _population().select("old_la_code", "year", den=pl.col("population"),
                                         den_source=pl.lit("child population"))
        elif m.denominator_from:
            need = len(m.denominator_from)
            found = (values.filter(pl.col("indicator_id").is_in(m.denominator_from))
                     .group_by("old_la_code", "year")
                     .agg(den=pl.col("value").sum(), n=pl.len())
                     .filter(pl.col("n") == need)  # every part published, or no denominator
                     .select("old_la_code", "year", "den", den_source=pl.lit(" + ".join(m.denominator_from))))
        elif m.numerator_from:
            share = values.filter(pl.col("indicator_id") == m.id).select("old_la_code", "year", share="value")
            found = (values.filter(pl.col("indicator_id") == m.numerator_from)
                     .join(share, on=["old_la_code", "year"])
                     .filter(pl.col("share") > 0)
                     .select("old_la_code", "year", den=pl.col("value") / pl.col("share") * 100,
                             den_source=pl.lit(f"{m.numerator_from} / value")))
        else:
            continue
        parts.append(found.with_columns(indicator_id=pl.lit(m.id)))
    schema = {"old_la_code": pl.Utf8, "year": pl.Int64, "den": pl.Float64, "den_source": pl.Utf8, "indicator_id": pl.Utf8}
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat([p.select([pl.col(c).cast(t) for c, t in schema.items()]) for p in parts])


def funnel(values: pl.DataFrame, measures: tuple[Measure, ...] = MEASURES) -> pl.DataFrame:
    """Funnel-plot position of every LA's value for every measure and year.

    ``values`` has ``carestat.analysis.values.VALUE_COLUMNS`` (LA rows, and National rows for
    England's figure; without one the target is the LAs' pooled value). Columns out: the value,
    ``observed`` (numerator / denominator where both are published, else the value), ``denominator``
    and where it came from, ``method`` (binomial, poisson or z-score), ``target``, ``se``, ``phi``
    (over-dispersion, >= 1), ``z`` (after over-dispersion), the limits ``lower_95``... ``upper_998``,
    ``band`` and ``deviation`` (z signed so that positive is worse; null for context measures).
    """
    meta = measures_frame(measures)
    la = values.filter(pl.col("geographic_level") == "Local authority").unique(KEYS, keep="first")
    rows = la.join(meta, on="indicator_id", how="inner")
    scale = pl.when(pl.col("kind") == "rate").then(10_000.0).otherwise(100.0)
    num, den = pl.col("numerator"), pl.col("denominator")
    own = (pl.when((pl.col("kind") == "proportion") & num.is_not_null() & (pl.col("value") > 0))
           .then(num / pl.col("value") * 100))
    rows = (rows.join(_derived_denominators(la, measures), on=KEYS, how="left")
            .with_columns(
                n=pl.when(pl.col("kind") == "mean").then(None).otherwise(pl.coalesce(den, own, pl.col("den"))),
                denominator_source=pl.when(pl.col("kind") == "mean").then(None)
                .when(den.is_not_null()).then(pl.lit("published"))
                .when(own.is_not_null()).then(pl.lit("numerator / value"))
                .otherwise(pl.col("den_source")))
            .with_columns(observed=pl.when(num.is_not_null() & (den > 0) & (pl.col("kind") != "mean"))
                          .then(num / den * scale).otherwise(pl.col("value"))))
    method = (pl.when(pl.col("n").is_null() | (pl.col("n") <= 0)).then(pl.lit("z-score"))
              .when(pl.col("kind") == "rate").then(pl.lit("poisson")).otherwise(pl.lit("binomial")))
    rows = rows.with_columns(method=method)
    return _limits(_targets(rows, values))


def _targets(rows: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    """England's published value where there is one, else the LAs' pooled value; the LA median for
    the z-score."""
    england = (values.filter((pl.col("geographic_level") == "National") & (pl.col("area_code") == ENGLAND_CODE))
               .unique(["indicator_id", "year"]).select("indicator_id", "year", england="value"))
    group = ["indicator_id", "year"]
    has_n = pl.col("n").is_not_null()
    pooled = ((pl.col("observed") * pl.col("n")).filter(has_n).sum() / pl.col("n").filter(has_n).sum()).over(group)
    median = pl.col("observed").median().over(group)
    return rows.join(england, on=group, how="left").with_columns(
        target=pl.when(pl.col("method") == "z-score").then(median)
        .otherwise(pl.coalesce(pl.col("england"), pooled)))


def _limits(rows: pl.DataFrame) -> pl.DataFrame:
    group = ["indicator_id", "year"]
    t, n = pl.col("target"), pl.col("n")
    mad = (pl.col("observed") - pl.col("observed").median()).abs().median().over(group) * 1.4826
    se = (pl.when(pl.col("method") == "binomial").then((t * (100 - t) / n).sqrt())
          .when(pl.col("method") == "poisson").then((t * 10_000 / n).sqrt())
          .otherwise(mad))
    rows = rows.with_columns(se=pl.when(se > 0).then(se))
    rows = rows.with_columns(z_raw=(pl.col("observed") - t) / pl.col("se"))
    rows = rows.with_columns(phi=overdispersion(pl.col("z_raw")).over([*group, "method"]))
    inflate = pl.when(pl.col("method") == "z-score").then(1.0).otherwise(pl.max_horizontal(pl.col("phi"), 1.0)).sqrt()
    upper = pl.when(pl.col("kind") == "proportion").then(100.0).otherwise(None)

    def limit(sign: float, z: float) -> pl.Expr:
        return (t + sign * z * pl.col("se") * inflate).clip(0.0, upper)

    rows = rows.with_columns(
        phi=pl.when(pl.col("method") == "z-score").then(1.0).otherwise(pl.col("phi")),
        z=pl.col("z_raw") / inflate,
        lower_95=limit(-1, Z95), upper_95=limit(1, Z95), lower_998=limit(-1, Z998), upper_998=limit(1, Z998))
    z = pl.col("z").abs()
    return rows.with_columns(
        band=pl.when(pl.col("z").is_null()).then(None).when(z > Z998).then(pl.lit("outside 99.8%"))
        .when(z > Z95).then(pl.lit("outside 95%")).otherwise(pl.lit("within")),
        deviation=pl.when(pl.col("worse") == "higher").then(pl.col("z"))
        .when(pl.col("worse") == "lower").then(-pl.col("z")),
    ).select("indicator_id", "domain", "worse", "year", "area_code", "old_la_code", "area_name", "source",
             "value", "observed", pl.col("n").alias("denominator"), "denominator_source", "method", "target",
             "se", "phi", "z", "lower_95", "upper_95", "lower_998", "upper_998", "band", "deviation"
             ).sort("indicator_id", "year", "old_la_code")


def overdispersion(z: pl.Expr) -> pl.Expr:
    """Spiegelhalter's multiplicative over-dispersion factor: the mean square of the z-scores
    after winsorising them at their 10th and 90th percentiles (linear interpolation)."""
    low, high = z.quantile(0.1, interpolation="linear"), z.quantile(0.9, interpolation="linear")
    return z.clip(low, high).pow(2).mean()


def cusum_path(x: np.ndarray, k: float = CUSUM_K) -> np.ndarray:
    """One-sided CUSUM along the columns (years) of ``x``, every row (series) at once:
    S_t = max(0, S_{t-1} + x_t - k), starting from 0. A missing value (NaN) leaves S unchanged
    and gives NaN in the output."""
    s = np.zeros(x.shape[0])
    out = np.full(x.shape, np.nan)
    for j in range(x.shape[1]):
        present = ~np.isnan(x[:, j])
        s = np.where(present, np.maximum(0.0, s + np.nan_to_num(x[:, j]) - k), s)
        out[present, j] = s[present]
    return out


def trend(funnels: pl.DataFrame) -> pl.DataFrame:
    """Each LA's year-on-year change in its deviation from England (worse = positive), divided by
    the robust spread (1.4826 x MAD) of that year's changes across LAs: how unusually it moved."""
    d = (funnels.filter(pl.col("deviation").is_not_null() & pl.col("deviation").is_finite())
         .select([*KEYS, "deviation"]).sort(KEYS)
         .with_columns(change=pl.col("deviation") - pl.col("deviation").shift(1).over("indicator_id", "old_la_code")))
    spread = (pl.col("change") - pl.col("change").median()).abs().median().over("indicator_id", "year") * 1.4826
    return d.with_columns(trend=pl.when(spread > 0).then(pl.col("change") / spread)).select([*KEYS, "trend"])


def cusum(funnels: pl.DataFrame, k: float = CUSUM_K, h: float = CUSUM_H) -> pl.DataFrame:
    """One-sided CUSUM of each LA's standardised changes (:func:`trend`) in the worse direction, per
    measure; ``alarm`` when it exceeds ``h``. It tracks how far the LA has slipped against England
    since its recent best, less ``k`` for each year, so one bad year that recovers does not alarm
    but a sustained slide does. A year without a change (the first, or no value) leaves it as it was."""
    out_schema = {"indicator_id": pl.Utf8, "old_la_code": pl.Utf8, "year": pl.Int64, "trend": pl.Float64,
                  "cusum": pl.Float64, "alarm": pl.Boolean}
    d = trend(funnels)
    moved = d.filter(pl.col("trend").is_not_null())
    if moved.is_empty():
        return pl.DataFrame(schema=out_schema)
    years = sorted(moved["year"].unique().to_list())
    wide = moved.pivot(on="year", index=["indicator_id", "old_la_code"], values="trend", aggregate_function="first")
    x = wide.select([pl.col(str(y)).cast(pl.Float64) for y in years]).to_numpy()
    path = cusum_path(x, k)
    long = (wide.select("indicator_id", "old_la_code")
            .with_columns([pl.Series(str(y), path[:, j]) for j, y in enumerate(years)])
            .unpivot(index=["indicator_id", "old_la_code"], variable_name="year", value_name="cusum")
            .filter(pl.col("cusum").is_not_nan()).with_columns(pl.col("year").cast(pl.Int64)))
    return (d.join(long, on=KEYS, how="left")
            .with_columns(alarm=(pl.col("cusum") > h).fill_null(False))
            .select(list(out_schema)).sort(KEYS))


def signals(funnels: pl.DataFrame, cusums: pl.DataFrame, threshold: int = THRESHOLD) -> pl.DataFrame:
    """Per LA and year: measures assessed, their mean deviation from England (z, positive worse),
    those beyond the 99.8% limit on the worse side, those in CUSUM alarm, the domains with a flagged
    measure (``score``) and ``signal`` (score >= threshold). Context measures are left out."""
    f = (funnels.filter(pl.col("worse").is_not_null() & pl.col("z").is_not_null())
         .join(cusums, on=KEYS, how="left")
         .with_columns(beyond=(pl.col("band") == "outside 99.8%") & (pl.col("deviation") > 0),
                       alarm=pl.col("alarm").fill_null(False))
         .with_columns(flagged=pl.col("beyond") | pl.col("alarm")))
    tag = (pl.col("indicator_id") + pl.when(pl.col("beyond") & pl.col("alarm")).then(pl.lit(" (99.8%, CUSUM)"))
           .when(pl.col("beyond")).then(pl.lit(" (99.8%)")).otherwise(pl.lit(" (CUSUM)")))
    out = (f.sort("indicator_id").group_by("old_la_code", "year").agg(
        area_code=pl.col("area_code").first(), area_name=pl.col("area_name").first(),
        measures_assessed=pl.len(), mean_deviation=pl.col("deviation").filter(pl.col("deviation").is_finite()).mean(),
        beyond_998=pl.col("beyond").sum(), cusum_alarms=pl.col("alarm").sum(),
        score=pl.col("domain").filter(pl.col("flagged")).n_unique(),
        domains=pl.col("domain").filter(pl.col("flagged")).unique().sort().str.join("; "),
        flagged=tag.filter(pl.col("flagged")).str.join("; "),
        sources=pl.col("source").unique().sort().str.join("; "),
    ))
    return out.with_columns(signal=pl.col("score") >= threshold).select(
        "old_la_code", "area_code", "area_name", "year", "signal", "score", "measures_assessed", "mean_deviation",
        "beyond_998",
        "cusum_alarms", "domains", "flagged", "sources").sort("old_la_code", "year")


@dataclass(frozen=True)
class EarlyWarning:
    funnels: pl.DataFrame  # one row per measure, LA and year, with CUSUM and alarm
    signals: pl.DataFrame  # one row per LA and year


def early_warning(values: pl.DataFrame | None = None, measures: tuple[Measure, ...] = MEASURES,
                  k: float = CUSUM_K, h: float = CUSUM_H, threshold: int = THRESHOLD) -> EarlyWarning:
    """Funnels, CUSUMs and the combined signal for every LA and year in ``values`` (default: the
    DfE's published figures)."""
    if values is None:
        from carestat.analysis.values import published

        values = published()
    f = funnel(values, measures)
    c = cusum(f, k, h)
    return EarlyWarning(f.join(c, on=KEYS, how="left"), signals(f, c, threshold))
