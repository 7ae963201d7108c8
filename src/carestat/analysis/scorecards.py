"""Scorecards for lay readers: foster care, residential care and adoption, per LA.

Each measure (declared in ``scorecard_measures``) shows what it means, the LA's latest figure with a
Wilson 95% interval where the numbers behind it are known, England, the region and similar councils
beside it, its band and the last five years: context, not a league table. Works on any values
frame, so the same scorecard reads the published figures or carestat's own.

>>> data = prepare(values.published())                       # doctest: +SKIP
>>> cards = la_scorecards("318", data)                          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from carestat import refdata
from carestat.analysis.comparators import compare, is_percentage
from carestat.analysis.formatting import format_interval, format_value, polarity_phrase
from carestat.analysis.intervals import wilson_interval
from carestat.analysis.scorecard_measures import (
    SCORECARDS,
    THRESHOLDS_FROM_YEAR,
    ScorecardMeasure,
    ScorecardSpec,
    scorecard_indicator_ids,
)
from carestat.analysis.values import indicator_meta, is_synthetic
from carestat.provenance import LABEL

SMALL_DENOMINATOR = 30  # a proportion of 30 or fewer children gets the small-numbers caveat
SMALL_LA = 100  # ... and so does any percentage for an LA looking after fewer children than this
COUNT_TOLERANCE = 1.0  # percentage points between a published percentage and its counts (rounding)
MIN_RANKED = 30  # a band among fewer LAs than this (a warehouse holding a few LAs) is not shown
TREND_YEARS = 5
SUPPRESS_NUMERATOR, SUPPRESS_DENOMINATOR = 5, 10  # DfE adoption scorecard rule
LA_SIZE_ID = "cla_count_31mar"
BAND_WORDS = {"A": "among the best quarter of councils", "B": "in the second quarter", "C": "in the third quarter",
              "D": "among the quarter furthest from the best"}


def adoption_suppressed(numerator: float | None, denominator: float | None, unit: str) -> bool:
    """The DfE adoption scorecard's rule: suppress where the numerator is 5 or fewer or the
    denominator 10 or fewer. An average's numerator is a sum of days, not children, so only its
    denominator (the children) counts; figures whose counts are unknown are left as published."""
    small_denominator = denominator is not None and denominator <= SUPPRESS_DENOMINATOR
    counts_children = unit not in ("days", "months", "mean", "score")
    small_numerator = counts_children and numerator is not None and numerator <= SUPPRESS_NUMERATOR
    return small_denominator or small_numerator


def _suppression_flags(values: pl.DataFrame) -> pl.DataFrame:
    ids = [i for spec in SCORECARDS for m in spec.measures if m.suppress_small for i in m.indicator_ids]
    meta = indicator_meta()
    rows = values.filter((pl.col("geographic_level") == "Local authority") & pl.col("indicator_id").is_in(ids))
    flags = [adoption_suppressed(r["numerator"], r["denominator"], meta[r["indicator_id"]].unit if r["indicator_id"] in meta else "")
             for r in rows.select("indicator_id", "numerator", "denominator").iter_rows(named=True)]
    return rows.filter(pl.Series(flags, dtype=pl.Boolean)).select("indicator_id", "year", "area_code")


@dataclass(frozen=True)
class ScorecardData:
    """Everything the scorecards read, worked out once for all LAs (``prepare``)."""

    comparison: pl.DataFrame
    suppressed: pl.DataFrame  # indicator_id, year, area_code of LA figures held back
    la_sizes: pl.DataFrame  # old_la_code, year, children looked after at 31 March
    synthetic: bool


def prepare(values: pl.DataFrame, neighbour_list: int = 2025) -> ScorecardData:
    """Compare every scorecard indicator for every LA, after holding back small adoption figures
    (so they feed no neighbour average or rank either)."""
    suppressed = _suppression_flags(values)
    safe = values.join(suppressed.with_columns(geographic_level=pl.lit("Local authority")),
                       on=["indicator_id", "year", "geographic_level", "area_code"], how="anti")
    comparison = compare(safe, scorecard_indicator_ids(), neighbour_list=neighbour_list)
    sizes = compare(values, [LA_SIZE_ID], neighbour_list=neighbour_list).select("old_la_code", "year", la_size="value")
    return ScorecardData(comparison, suppressed, sizes, is_synthetic(values))


@dataclass
class MeasureResult:
    measure: ScorecardMeasure
    indicator_id: str
    name: str
    unit: str
    polarity: str
    year: int | None = None
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    source: str | None = None
    ci_low: float | None = None  # proportions, 0-1
    ci_high: float | None = None
    england_value: float | None = None
    region_value: float | None = None
    region_name: str | None = None
    neighbour_average: float | None = None
    neighbours_with_value: int = 0
    neighbours_listed: int = 0
    rank: int | None = None
    n_ranked: int | None = None
    quartile: str | None = None
    direction: str | None = None
    trend: list[tuple[int, float]] = field(default_factory=list)
    suppressed: bool = False
    meets_threshold: bool | None = None
    caveats: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> float | None:
        applies = self.year is None or self.year >= THRESHOLDS_FROM_YEAR
        return self.measure.threshold if applies else None

    def fmt(self, value: float | None) -> str:
        return format_value(value, self.unit, self.indicator_id)

    def summary(self) -> str:
        """The measure in one or two plain sentences."""
        if self.suppressed:
            return f"Not shown for {self.year}: the figure rests on too few children to publish."
        if self.value is None:
            return "No figure for this council in the data."
        parts = [f"{self.year}: {self.fmt(self.value)}"]
        if self.numerator is not None and self.denominator is not None and is_percentage(self.indicator_id, self.unit):
            parts[0] += f" ({self.numerator:,.0f} of {self.denominator:,.0f})"
        if self.ci_low is not None:
            parts[0] += f", likely range (95%) {format_interval(self.ci_low, self.ci_high)}"
        beside = [f"England {self.fmt(self.england_value)}" if self.england_value is not None else None,
                  (f"{self.region_name or 'region'} {self.fmt(self.region_value)}"
                   if self.region_value is not None else None),
                  (f"similar councils {self.fmt(self.neighbour_average)} ({self.neighbours_with_value} of "
                   f"{self.neighbours_listed})") if self.neighbour_average is not None else None]
        text = parts[0] + ". " + (", ".join(b for b in beside if b) + ". " if any(beside) else "")
        text += polarity_phrase(self.polarity) + "."
        if self.quartile:
            text += (f" Band {self.quartile}: {BAND_WORDS[self.quartile]} (ranked {self.rank} of {self.n_ranked}"
                     " councils).")
        if self.direction:
            text += f" Over three years: {self.direction}."
        if self.threshold is not None:
            verdict = "within" if self.meets_threshold else "slower than"
            text += f" {verdict.capitalize()} the government's expectation of {self.fmt(self.threshold)}."
        return text

    def as_row(self) -> dict[str, Any]:
        return {
            "measure": self.measure.key, "question": self.measure.question, "explanation": self.measure.explanation,
            "indicator_id": self.indicator_id, "indicator_name": self.name, "unit": self.unit,
            "polarity": self.polarity, "year": self.year, "value": None if self.suppressed else self.value,
            "value_text": "suppressed" if self.suppressed else self.fmt(self.value),
            "numerator": None if self.suppressed else self.numerator,
            "denominator": None if self.suppressed else self.denominator,
            "ci_low_pct": None if self.ci_low is None else round(100 * self.ci_low, 2),
            "ci_high_pct": None if self.ci_high is None else round(100 * self.ci_high, 2),
            "england": self.england_value, "region": self.region_value, "region_name": self.region_name,
            "neighbour_average": self.neighbour_average, "neighbours_with_value": self.neighbours_with_value,
            "neighbours_listed": self.neighbours_listed, "rank": self.rank, "n_ranked": self.n_ranked,
            "quartile": self.quartile, "direction": self.direction,
            "trend": "; ".join(f"{y}: {self.fmt(v)}" for y, v in self.trend),
            "threshold": self.threshold, "meets_threshold": self.meets_threshold, "suppressed": self.suppressed,
            "source": self.source, "caveats": " ".join(self.caveats), "summary": self.summary(),
        }


@dataclass
class Scorecard:
    spec: ScorecardSpec
    la: refdata.LocalAuthority
    measures: list[MeasureResult]
    synthetic: bool

    def as_dict(self) -> dict[str, Any]:
        return {"scorecard": self.spec.key, "title": self.spec.title, "introduction": self.spec.introduction,
                "la_name": self.la.name, "old_la_code": self.la.old_la_code, "new_la_code": self.la.new_la_code,
                "synthetic": self.synthetic, "notice": LABEL if self.synthetic else None,
                "measures": [m.as_row() for m in self.measures]}


@cache
def published_indicator_ids() -> frozenset[str]:
    """Indicators the DfE publishes for LAs (in carestat's reference data)."""
    return frozenset(refdata.indicator_dictionary()["indicator_id"].to_list())


def _pick(rows: dict[str, list[dict[str, Any]]], measure: ScorecardMeasure) -> str:
    """The first of the measure's indicators the LA has a figure for (else the first)."""
    return next((i for i in measure.indicator_ids if rows.get(i)), measure.indicator_ids[0])


def _caveats(result: MeasureResult, la_size: float | None) -> list[str]:
    notes = []
    percent = is_percentage(result.indicator_id, result.unit)
    if percent and result.denominator is not None and result.denominator <= SMALL_DENOMINATOR:
        notes.append(f"Based on {result.denominator:,.0f} children: with numbers this small the figure can move "
                     "a lot from year to year by chance.")
    elif percent and la_size == 0:
        notes.append("This council looked after no children on 31 March that year, so this figure says little.")
    elif percent and result.denominator is None and la_size is not None and la_size < SMALL_LA:
        notes.append(f"This council looks after few children ({la_size:,.0f} on 31 March), so its percentages "
                     "can swing from year to year.")
    if percent and result.ci_low is None:
        notes.append("No confidence interval: the figure comes without the numbers it was worked out from.")
    if result.source and "synthetic" in result.source:
        notes.append("Computed from synthetic data: it describes no real council.")
    return notes


def _measure(measure: ScorecardMeasure, rows: dict[str, list[dict[str, Any]]], suppressed: set[tuple[str, int]],
             la_sizes: dict[int, float], year: int | None) -> MeasureResult:
    indicator_id = _pick(rows, measure)
    meta = indicator_meta().get(indicator_id)
    result = MeasureResult(measure, indicator_id, meta.name if meta else indicator_id, meta.unit if meta else "",
                           meta.polarity if meta else "neutral")
    mine = [r for r in rows.get(indicator_id, []) if year is None or r["year"] <= year]
    held = [y for (i, y) in suppressed if i == indicator_id and (year is None or y <= year)]
    result.trend = [(r["year"], r["value"]) for r in mine[-TREND_YEARS:]]
    latest = mine[-1] if mine else None
    if held and (latest is None or max(held) > latest["year"]):
        result.year, result.suppressed = max(held), True
        return result
    if latest is None:
        if not any(i in published_indicator_ids() for i in measure.indicator_ids):
            result.caveats = ["Not in the published figures: carestat works this out from the council's own "
                              "SSDA903 returns (`carestat scorecard --db`)."]
        return result
    for name in ("year", "value", "numerator", "denominator", "source", "england_value", "region_value", "region_name",
                 "neighbour_average", "neighbours_with_value", "neighbours_listed", "rank", "n_ranked",
                 "quartile", "direction"):
        setattr(result, name, latest[name])
    n, d = result.numerator, result.denominator
    mismatch = False
    if is_percentage(indicator_id, result.unit) and n is not None and d is not None and 0 <= n <= d and d > 0:
        # Some published counts are not the ones the percentage was worked out from (SDQ "cause for
        # concern" gives all children in care 12 months as its denominator): no interval from those.
        if abs(100 * n / d - result.value) <= COUNT_TOLERANCE:
            result.ci_low, result.ci_high = wilson_interval(n, d)
        else:
            result.numerator = result.denominator = None
            mismatch = True
    if result.threshold is not None:
        result.meets_threshold = result.value <= result.threshold
    result.caveats = _caveats(result, la_sizes.get(result.year))
    if mismatch:
        result.caveats.append(f"The published counts ({n:,.0f} of {d:,.0f}) do not give this percentage, so they "
                              "are not shown and no interval is given.")
    if result.n_ranked is not None and result.n_ranked < MIN_RANKED:
        result.caveats.append(f"Only {result.n_ranked} councils have this figure: too few to place this one in a band.")
        result.rank = result.n_ranked = result.quartile = None
    return result


def la_scorecards(la: str | refdata.LocalAuthority, data: ScorecardData, year: int | None = None) -> list[Scorecard]:
    """The foster, residential and adoption scorecards for one LA (latest figures, or those up to
    ``year``)."""
    authority = la if isinstance(la, refdata.LocalAuthority) else refdata.resolve_la(la)
    frame = data.comparison.filter(pl.col("old_la_code") == authority.old_la_code).sort("year")
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in frame.iter_rows(named=True):
        rows.setdefault(r["indicator_id"], []).append(r)
    codes = {authority.new_la_code, *frame["area_code"].unique().to_list()}
    suppressed = {(i, y) for i, y, a in data.suppressed.iter_rows() if a in codes}
    sizes = dict(data.la_sizes.filter(pl.col("old_la_code") == authority.old_la_code)
                 .select("year", "la_size").iter_rows())
    return [Scorecard(spec, authority, [_measure(m, rows, suppressed, sizes, year) for m in spec.measures],
                      data.synthetic) for spec in SCORECARDS]


def scorecards_for(la: str | refdata.LocalAuthority, values: pl.DataFrame, year: int | None = None,
                   neighbour_list: int = 2025) -> list[Scorecard]:
    """``la_scorecards`` for one LA straight from a values frame."""
    return la_scorecards(la, prepare(values, neighbour_list), year)
