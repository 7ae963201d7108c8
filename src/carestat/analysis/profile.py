"""An LA's profile (the "data matrix"): who it is, its neighbours, its Ofsted history, and its key
indicators against their comparators.

>>> p = la_profile("318", values.published())              # doctest: +SKIP
>>> p.as_dict()["ofsted"][0]["overall_effectiveness"]    # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from carestat import refdata
from carestat.analysis.comparators import compare, neighbours
from carestat.analysis.formatting import format_value
from carestat.analysis.values import indicator_meta, is_synthetic


@dataclass(frozen=True)
class KeyIndicator:
    indicator_ids: tuple[str, ...]  # best first, as for scorecard measures
    label: str


KEY_INDICATORS: tuple[KeyIndicator, ...] = (
    KeyIndicator(("referrals_rate_per_10k",), "Referrals per 10,000 children"),
    KeyIndicator(("rereferrals_12m_pct",), "Re-referrals within 12 months"),
    KeyIndicator(("assessments_within_45_days_pct",), "Assessments completed within 45 working days"),
    KeyIndicator(("cin_rate_per_10k",), "Children in need per 10,000 children"),
    KeyIndicator(("cpp_rate_per_10k",), "Child protection plans per 10,000 children"),
    KeyIndicator(("cpp_second_subsequent_pct",), "Second or later child protection plans"),
    KeyIndicator(("cla_rate_per_10k",), "Children in care per 10,000 children"),
    KeyIndicator(("cla_placement_foster_pct",), "Children in care living in foster care"),
    KeyIndicator(("cla_3plus_placements_pct",), "Children in care with three or more placements in the year"),
    KeyIndicator(("cla_long_term_stability_pct",), "Children in care in long-term stable placements"),
    KeyIndicator(("cla_placed_20miles_outside_la_pct",), "Placed more than 20 miles from home, outside the area"),
    KeyIndicator(("care_leavers_19_21_eet_pct",), "Care leavers aged 19-21 in education, employment or training"),
    KeyIndicator(("care_leavers_19_21_suitable_accommodation_pct",), "Care leavers aged 19-21 in suitable accommodation"),
    KeyIndicator(("sw_turnover_rate_pct",), "Social worker turnover"),
    KeyIndicator(("sw_agency_rate_pct",), "Agency social workers"),
    KeyIndicator(("sw_average_caseload",), "Average caseload per social worker"),
)
JUDGEMENT_COLUMNS = ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care",
                     "care_leavers")


def key_indicator_ids() -> list[str]:
    return sorted({i for k in KEY_INDICATORS for i in k.indicator_ids})


@dataclass
class Profile:
    la: refdata.LocalAuthority
    year: int | None
    child_population: float | None
    predecessors: list[refdata.LocalAuthority]
    successors: list[refdata.LocalAuthority]
    neighbours: dict[int, list[dict[str, Any]]]
    ofsted: list[dict[str, Any]]  # newest first
    indicators: list[dict[str, Any]]
    comparison: pl.DataFrame = field(repr=False)
    synthetic: bool = False

    @property
    def latest_judgement(self) -> dict[str, Any] | None:
        return next((j for j in self.ofsted if j["old_la_code"] == self.la.old_la_code), None)

    def as_dict(self) -> dict[str, Any]:
        la = self.la
        return {
            "la_name": la.name, "old_la_code": la.old_la_code, "new_la_code": la.new_la_code,
            "region_code": la.region_code, "region_name": la.region_name,
            "exists": la.valid_to is None, "valid_from": la.valid_from, "valid_to": la.valid_to,
            "predecessors": [{"old_la_code": p.old_la_code, "name": p.name} for p in self.predecessors],
            "successors": [{"old_la_code": s.old_la_code, "name": s.name} for s in self.successors],
            "year": self.year, "child_population": self.child_population,
            "child_population_note": ("Children aged 0 to 17, worked out from the published children looked after "
                                      "count and rate (ONS mid-year estimates), nearest year to the profile's"),
            "neighbours": {str(v): rows for v, rows in self.neighbours.items()},
            "latest_ofsted": self.latest_judgement, "ofsted": self.ofsted,
            "indicators": self.indicators, "synthetic": self.synthetic,
        }


def _judgement_text(row: dict[str, Any]) -> str:
    if row.get("overall_effectiveness"):
        return row["overall_effectiveness"]
    parts = [f"{label}: {row[c]}" for c, label in (("slac_safeguarding_oe", "safeguarding"),
                                                   ("slac_looked_after_children_oe", "looked after children"))
             if row.get(c)]
    return "; ".join(parts) or "not graded overall"


def ofsted_history(codes: list[str]) -> list[dict[str, Any]]:
    """Every graded inspection of the LAs with these 3-digit codes, newest first."""
    rows = (refdata.ofsted_judgement_history().filter(pl.col("old_la_code").is_in(codes))
            .sort("publication_date", descending=True))
    keep = ("old_la_code", "la_name", "inspection_framework", "inspection_type", "inspection_date",
            "publication_date", *JUDGEMENT_COLUMNS, "source")
    return [{**{k: r.get(k) for k in keep}, "judgement": _judgement_text(r)} for r in rows.iter_rows(named=True)]


def _related(la: refdata.LocalAuthority) -> tuple[list[refdata.LocalAuthority], list[refdata.LocalAuthority]]:
    before = [code for code, after in refdata.SUCCESSORS.items() if la.old_la_code in after and code != la.old_la_code]
    after = sorted(refdata.SUCCESSORS.get(la.old_la_code, frozenset()) - {la.old_la_code})
    return [refdata.resolve_la(c) for c in sorted(before)], [refdata.resolve_la(c) for c in after]


def _indicator_rows(rows: pl.DataFrame, year: int | None) -> list[dict[str, Any]]:
    meta = indicator_meta()
    latest_of: dict[str, dict[str, Any]] = {}
    for r in rows.sort("year").iter_rows(named=True):
        if year is None or r["year"] <= year:
            latest_of[r["indicator_id"]] = r
    out = []
    for key in KEY_INDICATORS:
        indicator_id = next((i for i in key.indicator_ids if i in latest_of), key.indicator_ids[0])
        latest = latest_of.get(indicator_id)
        m = meta.get(indicator_id)
        unit = m.unit if m else ""
        row: dict[str, Any] = {"indicator_id": indicator_id, "label": key.label, "unit": unit,
                               "polarity": m.polarity if m else "neutral"}
        if latest is not None:
            row.update({k: latest[k] for k in ("year", "value", "numerator", "denominator", "neighbour_average",
                                                "neighbours_with_value", "region_value", "england_value", "rank",
                                                "n_ranked", "quartile", "direction", "source")})
            row.update({f"{k}_text": format_value(latest[k], unit, indicator_id)
                        for k in ("value", "neighbour_average", "region_value", "england_value")})
        out.append(row)
    return out


def prepare(values: pl.DataFrame, neighbour_list: int = 2025) -> pl.DataFrame:
    """``compare`` output for the profile's key indicators, for all LAs (work it out once)."""
    return compare(values, key_indicator_ids(), neighbour_list=neighbour_list)


def la_profile(la: str | refdata.LocalAuthority, values: pl.DataFrame, comparison: pl.DataFrame | None = None,
            year: int | None = None, neighbour_list: int = 2025) -> Profile:
    """One LA's profile from a values frame (pass ``comparison`` from ``prepare`` when profiling many)."""
    authority = la if isinstance(la, refdata.LocalAuthority) else refdata.resolve_la(la)
    comparison = prepare(values, neighbour_list) if comparison is None else comparison
    rows = comparison.filter(pl.col("old_la_code") == authority.old_la_code)
    latest = year if year is not None else (int(rows["year"].max()) if rows.height else None)
    predecessors, successors = _related(authority)
    population_year = latest or (authority.valid_to.year if authority.valid_to else None)
    population = refdata.population_for(authority, population_year) if population_year else None
    lists = {v: [{k: r[k] for k in ("neighbour_rank", "neighbour_old_la_code", "neighbour_la_code",
                                    "neighbour_name", "closeness")}
                 for r in neighbours(authority, v).iter_rows(named=True)] for v in (2025, 2021)}
    codes = [authority.old_la_code, *(p.old_la_code for p in predecessors)]
    return Profile(authority, latest, population, predecessors, successors, lists, ofsted_history(codes),
                   _indicator_rows(rows, year), comparison, is_synthetic(values))
