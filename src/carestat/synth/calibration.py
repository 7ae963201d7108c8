"""How close the synthetic returns come to the published figures: ``calibration.csv``.

Every calibration target is declared once in ``MEASURES``: how its value is built from a
numerator and a denominator (``kind``), which published figure it is set beside, and what to
know when reading it. The measures themselves are counted by :mod:`carestat.synth.measures903`
(children looked after, from each year's tables and the simulated histories) and
:mod:`carestat.synth.measures_cin` (the CIN census, from the simulated CIN histories), one row
per simulated LA, year and measure; ``summarise`` adds them up per reporting LA and for England
and sets them beside the targets.

Kinds: ``count`` (the numerator; targets scale with ``--scale``), ``percent`` (100 x numerator /
denominator), ``rate`` (numerator per 10,000 children aged 0-17, ONS mid-year estimates, the
numerator taken back to scale 1), ``mean`` (numerator / denominator; for medians the numerator
is the median times the denominator, so England's figure is the average of the LAs' medians
weighted by their numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from carestat import refdata
from carestat.synth.options import GenerateOptions

_LEGAL_SOURCE = ("national only: DfE, Children looked after in England including adoptions 2020 (legal status at "
                 "31 March 2019 and 2020; later years carry 2020's figure)")


@dataclass(frozen=True)
class Measure:
    kind: str  # count, percent, rate or mean
    published: str | tuple[str, str] | None = None  # indicator id, or (numerator id, denominator id)
    national: Mapping[int, float] = field(default_factory=dict)  # England-only targets, by year
    tolerance: tuple[float, float] | None = None  # relative: (LA, England)
    note: str = ""


MEASURES: dict[str, Measure] = {
    # --- children looked after -------------------------------------------------------------------------
    "stock": Measure("count", "cla_count_31mar", tolerance=(0.10, 0.03),
                     note="children looked after at 31 March, not short breaks only"),
    "cla_rate": Measure("rate", "cla_rate_per_10k"),
    "starts": Measure("count", "cla_starts_count"),
    "ceased": Measure("count", "cla_ceased_count"),
    "starts_per_stock": Measure("mean", ("cla_starts_count", "cla_count_31mar"), note="about 0.4"),
    "ceased_per_stock": Measure("mean", ("cla_ceased_count", "cla_count_31mar"), note="about 0.4"),
    "foster_pct": Measure("percent", "cla_placement_foster_pct", note="placement at 31 March"),
    "homes_pct": Measure("percent", "cla_placement_secure_and_childrens_homes_pct", note="K1, K2"),
    "independent_pct": Measure("percent", "cla_placement_independent_semi_independent_pct", note="H5, P2, K3"),
    "parents_pct": Measure("percent", "cla_placement_with_parents_pct"),
    "other_residential_pct": Measure("percent", "cla_placement_other_residential_pct", note="R1, R2, R3, S1"),
    "other_placement_pct": Measure("percent", "cla_placement_other_pct", note="R5, P3, Z1"),
    "care_order_pct": Measure("percent", national={2019: 75, 2020: 77, 2021: 77, 2022: 77, 2023: 77, 2024: 77,
                                                   2025: 77}, note=f"C1, C2; {_LEGAL_SOURCE}"),
    "placement_order_pct": Measure("percent", national={2019: 7, 2020: 6, 2021: 6, 2022: 6, 2023: 6, 2024: 6,
                                                        2025: 6}, note=f"E1, D1; {_LEGAL_SOURCE}"),
    "section20_pct": Measure("percent", national={2019: 18, 2020: 17, 2021: 17, 2022: 17, 2023: 17, 2024: 17,
                                                  2025: 17}, note=f"V2; {_LEGAL_SOURCE}"),
    "other_legal_pct": Measure("percent", national={2019: 0.5, 2020: 0.5}, note="L1-L3, J1-J3; DfE: under 0.5%"),
    "three_plus_pct": Measure("percent", "cla_3plus_placements_pct"),
    "stability_pct": Measure("percent", "cla_long_term_stability_pct",
                             note="under 16, in care 2.5 years, same carer 2 years (or placed for adoption)"),
    "missing_pct": Measure("percent", "cla_missing_pct", note="of children looked after during the year"),
    "away_pct": Measure("percent", "cla_away_without_authorisation_pct"),
    "missing_incidents_per_child": Measure("mean", "cla_missing_incidents_per_missing_child"),
    "uasc_stock": Measure("count", "cla_uasc_count_31mar"),
    "uasc_pct": Measure("percent", "cla_uasc_pct"),
    "uasc_male_pct": Measure("percent", national={2022: 95}, note="national only: DfE 2022, 95% boys"),
    "uasc_16_17_pct": Measure("percent", national={2022: 87}, note="national only: DfE 2022, 13% under 16"),
    "adopted": Measure("count", "cla_adopted_count"),
    "sgo": Measure("count", "cla_ceased_sgo_count"),
    "adoption_months_entry_to_decision": Measure("mean", "adoption_avg_months_entry_to_decision"),
    "adoption_months_decision_to_match": Measure("mean", "adoption_avg_months_decision_to_match"),
    "adoption_months_match_to_placed": Measure("mean", "adoption_avg_months_match_to_placed"),
    "adoption_months_placed_to_adopted": Measure("mean", "adoption_avg_months_placed_to_adopted"),
    "adoption_months_entry_to_placed": Measure("mean", "adoption_avg_months_entry_to_placed"),
    "adoption_months_entry_to_adoption": Measure("mean", "adoption_avg_months_entry_to_adoption"),
    "leavers_19_21": Measure("count", "care_leavers_19_21_count"),
    "leavers_17_18": Measure("count", "care_leavers_17_18_count", note=(
        "well under the published figure (about 0.3x in 2020-2025): the generator follows DfE validation rules "
        "1007 and 1016, so a young person who leaves care on their 18th birthday, as most do, has no care "
        "leaver record that year")),
    "leavers_eet_pct": Measure("percent", "care_leavers_19_21_eet_pct"),
    "leavers_suitable_pct": Measure("percent", "care_leavers_19_21_suitable_accommodation_pct"),
    "leavers_not_in_touch_pct": Measure("percent", "care_leavers_19_21_not_in_touch_pct"),
    # --- children in need ------------------------------------------------------------------------------
    "referrals": Measure("count", "referrals_count"),
    "referrals_rate": Measure("rate", "referrals_rate_per_10k"),
    "rereferral_pct": Measure("percent", "rereferrals_12m_pct"),
    "referrals_nfa_pct": Measure("percent", "referrals_nfa_pct"),
    "referrals_not_in_need_pct": Measure("percent", "referrals_assessed_not_in_need_pct",
                                         note="closed after assessment (RC8, or RC9 from 2021/22) by 31 March"),
    "assessments_45_pct": Measure("percent", "assessments_within_45_days_pct"),
    "assessment_median_days": Measure("mean", national={2025: 33}, note=(
        "working days, start to authorisation; national only: DfE children in need 2025 table C2 (quartiles 17 "
        "and 43); England = LAs' medians weighted by assessments")),
    "cin_31mar": Measure("count", "cin_count_31mar"),
    "cin_rate": Measure("rate", "cin_rate_per_10k"),
    "cin_anytime": Measure("count", "cin_children_anytime_count", note="children with an episode open in the "
                           "year, not no further action, not closed after assessment"),
    "cin_started": Measure("count", "cin_episodes_started_count", note="referrals in the year that became "
                           "episodes of need (not no further action, not closed after assessment)"),
    "s47_rate": Measure("rate", "s47_rate_per_10k"),
    "icpc_rate": Measure("rate", "icpc_rate_per_10k"),
    "icpc_15d_pct": Measure("percent", "icpc_within_15_days_pct"),
    "cpp_starts": Measure("count", "cpp_starts_count"),
    "cpp_starts_rate": Measure("rate", "cpp_starts_rate_per_10k"),
    "cpp_31mar": Measure("count", "cpp_count_31mar"),
    "cpp_rate": Measure("rate", "cpp_rate_per_10k"),
    "cpp_second_pct": Measure("percent", "cpp_second_subsequent_pct"),
    "cpp_2yrs_pct": Measure("percent", "cpp_2yrs_plus_31mar_pct"),
}

ROW_SCHEMA = {"old_la_code": pl.String, "year": pl.Int64, "indicator": pl.String, "numerator": pl.Float64,
              "denominator": pl.Float64}


def rows(la: str, year: int, values: Mapping[str, tuple[float, float | None]]) -> list[dict]:
    """Measure rows for one LA and year from ``{name: (numerator, denominator)}``."""
    unknown = set(values) - set(MEASURES)
    if unknown:
        raise KeyError(f"undeclared calibration measures: {sorted(unknown)}")
    return [{"old_la_code": la, "year": year, "indicator": k, "numerator": float(n),
             "denominator": None if d is None else float(d)} for k, (n, d) in values.items()]


def _published_ids() -> list[str]:
    ids: set[str] = set()
    for m in MEASURES.values():
        ids.update((m.published,) if isinstance(m.published, str) else m.published or ())
    return sorted(ids)


def _targets(published: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each measure's target from wide published figures (one column per indicator id)."""
    exprs = []
    for name, m in MEASURES.items():
        if isinstance(m.published, str):
            value = pl.col(m.published) if m.published in published.columns else pl.lit(None)
        elif m.published:
            num, den = m.published
            value = pl.col(num) / pl.col(den) if {num, den} <= set(published.columns) else pl.lit(None)
        else:
            value = pl.lit(None)
        exprs.append(value.cast(pl.Float64).alias(name))
    return published.select(*keys, *exprs).unpivot(index=keys, variable_name="indicator", value_name="target")


def _wide(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    ids = _published_ids()
    long = frame.filter(pl.col("indicator_id").is_in(ids)).group_by(*keys, "indicator_id").agg(
        pl.col("value").first().cast(pl.Float64))
    return long.pivot(on="indicator_id", index=keys, values="value")


def _value(kind: pl.Expr, scale: float) -> pl.Expr:
    num, den = pl.col("numerator"), pl.col("denominator")
    return (pl.when(kind == "count").then(num)
            .when(kind == "percent").then(100 * num / den)
            .when(kind == "rate").then(1e4 * num / (den * scale))
            .otherwise(num / den))


def summarise(measured: list[dict], options: GenerateOptions) -> pl.DataFrame:
    """Per measure, reporting LA and year (and England when every LA was generated): target, produced,
    difference, tolerance and note."""
    frame = pl.DataFrame(measured, schema=ROW_SCHEMA).group_by("old_la_code", "year", "indicator").agg(
        pl.col("numerator").sum(), pl.col("denominator").sum())
    kinds = {k: m.kind for k, m in MEASURES.items()}
    kind = pl.col("indicator").replace_strict(kinds)
    pop = refdata.child_population().select("old_la_code", "year", "population")
    keys = frame.select("old_la_code", "year").unique()
    nearest = (keys.join(pop, on="old_la_code", how="left", suffix="_pop")
               .sort(pl.col("year").sub(pl.col("year_pop")).abs(), "year_pop")
               .group_by("old_la_code", "year").agg(pl.col("population").first()))
    frame = frame.join(nearest, on=["old_la_code", "year"], how="left").with_columns(
        denominator=pl.when(kind == "rate").then(pl.col("population")).otherwise(pl.col("denominator")))
    la_published = _wide(refdata.published_la_indicators(), ["old_la_code", "year"])
    la = frame.join(_targets(la_published, ["old_la_code", "year"]), on=["old_la_code", "year", "indicator"],
                    how="left").with_columns(geography=pl.lit("Local authority"))
    england = frame.group_by("year", "indicator").agg(pl.col("numerator").sum(), pl.col("denominator").sum(),
                                                      old_la_code=pl.lit("E92000001"))
    national = _targets(_wide(refdata.published_national_figures(), ["year"]), ["year"])
    constants = pl.DataFrame([{"year": y, "indicator": k, "constant": float(v)} for k, m in MEASURES.items()
                              for y, v in m.national.items()],
                             schema={"year": pl.Int64, "indicator": pl.String, "constant": pl.Float64})
    england = (england.join(national, on=["year", "indicator"], how="left")
               .join(constants, on=["year", "indicator"], how="left")
               .with_columns(target=pl.coalesce("target", "constant"), geography=pl.lit("England")).drop("constant"))
    if options.las is not None:  # England's figures need every LA
        england = england.with_columns(target=pl.lit(None, dtype=pl.Float64))
    out = pl.concat([la.select(england.columns), england], how="vertical_relaxed").with_columns(
        produced=_value(kind, options.scale),
        target=pl.when(kind == "count").then(pl.col("target") * options.scale).otherwise("target"))
    tolerance = pl.col("indicator").replace_strict(
        {k: (m.tolerance[0] if m.tolerance else None) for k, m in MEASURES.items()}, return_dtype=pl.Float64)
    tolerance = pl.when(pl.col("geography") == "England").then(pl.col("indicator").replace_strict(
        {k: (m.tolerance[1] if m.tolerance else None) for k, m in MEASURES.items()}, return_dtype=pl.Float64)
    ).otherwise(tolerance)
    off = (pl.col("produced") - pl.col("target")).abs() / pl.col("target")
    return out.with_columns(
        difference_pct=((pl.col("produced") - pl.col("target")) / pl.col("target") * 100).round(1),
        within_tolerance=pl.when(tolerance.is_not_null() & (pl.col("target") > 0)).then(off <= tolerance),
        produced=pl.col("produced").round(2), target=pl.col("target").round(2),
        note=pl.col("indicator").replace_strict({k: m.note for k, m in MEASURES.items()}, return_dtype=pl.String),
    ).select("indicator", "geography", "old_la_code", "year", "target", "produced", "difference_pct",
             "within_tolerance", "note").sort("indicator", "geography", "old_la_code", "year")
