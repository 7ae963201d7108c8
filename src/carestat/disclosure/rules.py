"""What to protect and how: the declarative half of disclosure control.

A ``Rules`` value says which counts are too small to publish (per indicator where needed), at which
geographic levels, whether national and regional counts are rounded, and which indicators share
their counts (so that one cannot be used to undo the other's suppression). ``protect`` applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import polars as pl

# GSS harmonised symbols, as the DfE's explore-education-statistics files use them.
CONFIDENTIAL = "c"  # suppressed to protect confidentiality
NOT_AVAILABLE = "x"  # the figure does not exist in the data (not computed, not collected)
NOT_APPLICABLE = "z"  # no figure could exist (a percentage of nobody)
LOW = "low"  # a non-zero figure that rounds to zero at the published precision

# Why a cell is suppressed (the ``suppression`` column).
PRIMARY = "primary"  # its own count (or numerator) is small
DENOMINATOR = "denominator"  # its denominator is small, or a count suppressed elsewhere
SECONDARY = "secondary"  # chosen so that another suppressed cell cannot be worked out
LINKED = "linked"  # holds the same count as a suppressed cell of another indicator

SYMBOLS: dict[str, str] = {
    CONFIDENTIAL: "Confidential: suppressed to protect the identity of individual children "
                  "(a small number, or a figure from which a small number could be worked out).",
    LOW: "A non-zero figure that rounds to zero at the precision shown.",
    NOT_AVAILABLE: "Not available: the figure is not produced for this breakdown or area.",
    NOT_APPLICABLE: "Not applicable: no figure can exist (for example a percentage of no children).",
}

LEVELS = ("National", "Regional", "Local authority")


@dataclass(frozen=True)
class Threshold:
    """Suppress a count when ``low <= count <= high`` (DfE: 1 to 5; zero is published)."""

    low: float = 1
    high: float = 5


@dataclass(frozen=True)
class IndicatorRule:
    """Primary suppression for one indicator: its numerator and its denominator thresholds.

    For a count the numerator is the count itself and the denominator threshold is unused.
    """

    numerator: Threshold = Threshold(1, 5)
    denominator: Threshold = Threshold(1, 5)


DFE_STANDARD = IndicatorRule()
# Adoption scorecard measures: numerator 5 or fewer (zero included), denominator 10 or fewer.
ADOPTION_SCORECARD = IndicatorRule(numerator=Threshold(0, 5), denominator=Threshold(0, 10))


@dataclass(frozen=True)
class Rules:
    """Disclosure control for a set of indicator tables.

    - ``default`` / ``per_indicator``: primary suppression thresholds.
    - ``suppress_levels``: geographic levels where small numbers are suppressed (DfE: LAs only).
    - ``round_counts_to`` / ``round_levels`` / ``round_indicators``: round count indicators (all, or
      those listed) at those levels, e.g. national and regional counts to the nearest 10 where a
      table says so; ``None`` publishes them exactly.
    - ``secondary``: protect suppressed cells from recovery through totals (categories summing to
      the Total, LAs to their region, regions to England).
    - ``links``: groups of indicator ids whose cells hold the same count (a count and the rate
      built on it, say), so a cell suppressed in one is suppressed in all.
    - ``auto_link``: also link indicators whose overall numerators agree everywhere they overlap.
    - ``units`` / ``decimal_places``: override the registry (needed for indicators not in it).
    """

    default: IndicatorRule = DFE_STANDARD
    per_indicator: Mapping[str, IndicatorRule] = field(default_factory=lambda: MappingProxyType({}))
    suppress_levels: tuple[str, ...] = ("Local authority",)
    round_counts_to: int | None = None
    round_levels: tuple[str, ...] = ("National", "Regional")
    round_indicators: frozenset[str] | None = None
    secondary: bool = True
    links: tuple[tuple[str, ...], ...] = ()
    auto_link: bool = True
    units: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    decimal_places: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def rule_for(self, indicator_id: str) -> IndicatorRule:
        return self.per_indicator.get(indicator_id, self.default)

    def with_rule(self, ids: Iterable[str], rule: IndicatorRule) -> Rules:
        """A copy with ``rule`` for each of ``ids`` (e.g. the adoption scorecard measures)."""
        return replace(self, per_indicator=MappingProxyType({**self.per_indicator, **dict.fromkeys(ids, rule)}))

    def linked(self, *ids: str) -> Rules:
        """A copy that also treats ``ids`` as sharing their counts."""
        return replace(self, links=(*self.links, tuple(ids)))


def indicator_properties(ids: Iterable[str], rules: Rules) -> pl.DataFrame:
    """unit, decimal places and thresholds for each indicator id (registry, then ``rules``)."""
    from carestat.errors import UsageError
    from carestat.indicators.registry import all_indicators

    registry = all_indicators()
    rows = []
    for i in sorted(set(ids)):
        item = registry.get(i)
        unit = rules.units.get(i, item.unit if item else None)
        if unit is None:
            raise UsageError(f"Indicator {i!r} is not in the registry: give its unit in Rules.units")
        dp = rules.decimal_places.get(i, item.decimal_places if item else (0 if unit == "count" else 1))
        r = rules.rule_for(i)
        rows.append((i, unit, dp, r.numerator.low, r.numerator.high, r.denominator.low, r.denominator.high))
    return pl.DataFrame(rows, schema={"indicator_id": pl.Utf8, "_unit": pl.Utf8, "_dp": pl.Int64,
                                      "_num_low": pl.Float64, "_num_high": pl.Float64,
                                      "_den_low": pl.Float64, "_den_high": pl.Float64}, orient="row")
