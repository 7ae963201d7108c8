"""Calibration targets: the published figures each simulated LA and year should reproduce.

The generator simulates today's 153 LAs ("units"). For years before a reorganisation, a unit's
target is its share of its predecessor's published figure, and its children are reported in
the predecessor's return (Northamptonshire 928 before 2021/22, Cumbria 909 before 2023/24,
Dorset 835 and Bournemouth 837/Poole 836 before 2019/20). Years after the last published year
repeat it; years before the first go back along the national time series.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cache

import polars as pl

from carestat import refdata
from carestat.refdata import LocalAuthority

# unit -> (predecessor old_la_code(s), first collection year the unit itself reports)
PREDECESSORS: dict[str, tuple[tuple[str, ...], int]] = {
    "838": (("835",), 2020),
    "839": (("836", "837"), 2020),
    "940": (("928",), 2022),
    "941": (("928",), 2022),
    "942": (("909",), 2024),
    "943": (("909",), 2024),
}

# Indicators used as targets, by the name the generator uses.
LA_INDICATORS = {
    "stock": "cla_count_31mar",
    "starts": "cla_starts_count",
    "ceased": "cla_ceased_count",
    "uasc_stock": "cla_uasc_count_31mar",
    "uasc_start_pct": "cla_starts_uasc_pct",
    "three_plus_pct": "cla_3plus_placements_pct",
    "stability_pct": "cla_long_term_stability_pct",
    "missing_pct": "cla_missing_pct",
    "away_pct": "cla_away_without_authorisation_pct",
    "dist20_pct": "cla_placed_20miles_outside_la_pct",
    "foster_pct": "cla_placement_foster_pct",
    "homes_pct": "cla_placement_secure_and_childrens_homes_pct",
    "independent_pct": "cla_placement_independent_semi_independent_pct",
    "parents_pct": "cla_placement_with_parents_pct",
    "adopted": "cla_adopted_count",
    "sgo": "cla_ceased_sgo_count",
    "leavers_eet_pct": "care_leavers_19_21_eet_pct",
    "leavers_suitable_pct": "care_leavers_19_21_suitable_accommodation_pct",
    "leavers_not_in_touch_pct": "care_leavers_19_21_not_in_touch_pct",
    "health_assessment_pct": "cla_12m_health_assessment_pct",
    "sdq_average": "cla_sdq_average_score",
    "referrals": "referrals_count",
    "rereferral_pct": "rereferrals_12m_pct",
    "assessments_45_pct": "assessments_within_45_days_pct",
    "cin_31mar": "cin_count_31mar",
    "cpp_31mar": "cpp_count_31mar",
    "cpp_starts": "cpp_starts_count",
    "s47_rate": "s47_rate_per_10k",
    "icpc_rate": "icpc_rate_per_10k",
    "icpc_15d_pct": "icpc_within_15_days_pct",
    "nfa_pct": "referrals_nfa_pct",
    "not_in_need_pct": "referrals_assessed_not_in_need_pct",
    "cpp_second_pct": "cpp_second_subsequent_pct",
}
YEARS_BEFORE = 19  # simulated before the first year written: every child then in care has a full history
YEARS_AFTER = 1  # and after the last: children coming into care after 31 March were referred before it
COUNTS = ("stock", "starts", "ceased", "uasc_stock", "adopted", "sgo", "referrals", "cin_31mar",
          "cpp_31mar", "cpp_starts")


def simulated_years(written: Sequence[int]) -> range:
    """The collection years to simulate for returns of the ``written`` years."""
    return range(min(written) - YEARS_BEFORE, max(written) + 1 + YEARS_AFTER)


def reporting_la(unit: LocalAuthority, year: int) -> str:
    """The 3-digit code whose return holds a unit's children in a collection year."""
    before = PREDECESSORS.get(unit.old_la_code)
    if before and year < before[1]:
        return before[0][0]
    return unit.old_la_code


def _wide(frame: pl.DataFrame, index: list[str]) -> pl.DataFrame:
    """Published values of the target indicators, one column per target name."""
    ids = {v: k for k, v in LA_INDICATORS.items()}
    long = (frame.filter(pl.col("indicator_id").is_in(list(ids)))
            .with_columns(name=pl.col("indicator_id").replace_strict(ids))
            .group_by(*index, "name").agg(pl.col("value").first()))
    return long.pivot(on="name", index=index, values="value", aggregate_function="first").sort(index)


def reporting_shares(unit: LocalAuthority, year: int) -> dict[str, float]:
    """The LAs whose returns hold a unit's children in a collection year, with the share each holds:
    one LA, or for BCP before 2019/20 Poole and Bournemouth by their children looked after in their
    last year."""
    before = PREDECESSORS.get(unit.old_la_code)
    if not before or year >= before[1] or len(before[0]) == 1:
        return {reporting_la(unit, year): 1.0}
    predecessors, first_own = before
    pub = _published().filter(pl.col("year") == first_own - 1, pl.col("old_la_code").is_in(list(predecessors)))
    stock = {la: v or 0 for la, v in pub.select("old_la_code", "stock").iter_rows()}
    total = sum(stock.get(p, 0) for p in predecessors)
    return {p: stock.get(p, 0) / total if total else 1 / len(predecessors) for p in predecessors}


@cache
def _published() -> pl.DataFrame:
    return _wide(refdata.published_la_indicators(), ["old_la_code", "year"])


@cache
def _national() -> pl.DataFrame:
    return _wide(refdata.published_national_figures(), ["year"])


def _unit_share(unit: LocalAuthority) -> float:
    """A successor's share of its predecessors' combined figures, from its first own year."""
    before = PREDECESSORS.get(unit.old_la_code)
    if not before:
        return 1.0
    predecessors, first_own = before
    siblings = [u for u, (p, _) in PREDECESSORS.items() if p == predecessors]
    pub = _published().filter(pl.col("year") == first_own)
    stock = {r["old_la_code"]: r["stock"] for r in pub.select("old_la_code", "stock").iter_rows(named=True)}
    total = sum(stock.get(s) or 0 for s in siblings)
    return (stock.get(unit.old_la_code) or 0) / total if total else 1 / len(siblings)


def unit_targets(unit: LocalAuthority, years: range) -> pl.DataFrame:
    """One row per year for a simulated LA: every target, filled for every year in ``years``."""
    before = PREDECESSORS.get(unit.old_la_code)
    if before:
        pub = _published()
        own = pub.filter(pl.col("old_la_code") == unit.old_la_code)
        predecessors, first_own = before
        share = _unit_share(unit)
        pred = (pub.filter(pl.col("old_la_code").is_in(list(predecessors)), pl.col("year") < first_own)
                .group_by("year").agg([
                    pl.when(pl.col(c).is_null().all()).then(None)
                    .otherwise(pl.col(c).sum() if c in COUNTS else pl.col(c).mean()).alias(c)
                    for c in pub.columns if c not in ("old_la_code", "year")]))
        pred = pred.with_columns([(pl.col(c) * share) for c in COUNTS if c in pred.columns])
        # The unit's own published figures win where both exist (LAIT back-casts some years).
        pred = pred.filter(~pl.col("year").is_in(own["year"].implode()))
        own = pl.concat([own.drop("old_la_code"), pred.select(own.drop("old_la_code").columns)],
                        how="vertical_relaxed")
        rows = {r["year"]: r for r in own.iter_rows(named=True)}
    else:
        rows = _published_rows().get(unit.old_la_code, {})
    national = _national_values()
    # Counts before the first published year follow the national series; rates carry backwards.
    filled = {}
    for name in LA_INDICATORS:
        series = [rows[y].get(name) if y in rows else None for y in years]
        known = [(y, v) for y, v in zip(years, series, strict=True) if v is not None]
        known_years = [y for y, _ in known]
        nat = national.get(name, {})
        out = []
        for y, v in zip(years, series, strict=True):
            if v is not None:
                out.append(float(v))
                continue
            if not known:
                out.append(None)
                continue
            # The nearest published year (the earlier of two as near).
            i = bisect.bisect_left(known_years, y)
            ky, kv = known[i - 1] if i == len(known) or (i > 0 and y - known_years[i - 1] <= known_years[i] - y) \
                else known[i]
            if name in COUNTS and nat.get(y) and nat.get(ky):
                out.append(float(kv) * nat[y] / nat[ky])
            else:
                out.append(float(kv))
        filled[name] = pl.Series(name, out, dtype=pl.Float64)
    return pl.DataFrame({"year": list(years), **filled, "unit": [unit.old_la_code] * len(years),
                         "reporting_la": [reporting_la(unit, y) for y in years]},
                        schema_overrides={"unit": pl.String, "reporting_la": pl.String})


@cache
def _published_rows() -> dict[str, dict[int, dict]]:
    """Published figures by LA and year (each year's row as a dict)."""
    out: dict[str, dict[int, dict]] = {}
    for row in _published().iter_rows(named=True):
        out.setdefault(row["old_la_code"], {})[row["year"]] = row
    return out


@cache
def _national_values() -> dict[str, dict[int, float]]:
    """Published national figures: target name -> year -> value (where published)."""
    national = _national()
    return {name: dict(national.select("year", name).drop_nulls().iter_rows()) for name in LA_INDICATORS
            if name in national.columns}
