"""``carestat outcomes``: the overlapping-outcomes analysis of the linked data in the warehouse,
every figure through disclosure control, written as CSV, JSON and SVG.

Counts are suppressed (``c``) where fewer than six young people in the linked data stand behind
them (the DfE's 1 to 5 rule, applied to people, not weighted estimates), and so are percentages
built on them. Every output is labelled synthetic when the linked data are.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from carestat.disclosure import Rules, protect
from carestat.linkage import latent
from carestat.linkage.outcomes import (
    LABELS,
    OUTCOME_IDS,
    co_occurrence,
    combinations,
    labour_market,
    pathways,
    people_table,
)
from carestat.linkage.store import load_linked
from carestat.linkage.upset import Bar, upset_chart
from carestat.provenance import LABEL

CLASS_OUTCOMES = OUTCOME_IDS[1:]  # the classes are found without care status, then compared by it
MAX_CLASSES = 8


@dataclass
class OutcomesResult:
    out: Path
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    classes: int = 0
    people: int = 0
    synthetic: bool = True

    def describe(self) -> str:
        label = " (synthetic)" if self.synthetic else ""
        return (f"Analysed overlapping outcomes of {self.people:,} linked young people{label}: "
                f"{self.classes} clusters of need chosen by BIC; tables and charts after disclosure control "
                f"in {self.out}")


def disclose(frame: pl.DataFrame, numerator: str, denominator: str | None, value: str, unit: str,
             year: int) -> pl.DataFrame:
    """``frame`` with ``<value>_display`` and ``<value>_flag`` after primary suppression of small
    numbers of people (``numerator``; ``denominator`` too for a percentage)."""
    ind = f"linkage_{value}"
    cells = frame.with_row_index("_n").select(
        indicator_id=pl.lit(ind), year=pl.lit(year), geographic_level=pl.lit("National"),
        country_code=pl.lit("E92000001"), region_code=pl.lit(None, dtype=pl.Utf8),
        old_la_code=pl.lit(None, dtype=pl.Utf8), breakdown=pl.lit("cell"), category=pl.col("_n").cast(pl.Utf8),
        numerator=pl.col(numerator).cast(pl.Float64),
        denominator=(pl.col(denominator) if denominator else pl.lit(None)).cast(pl.Float64),
        value=pl.col(value).cast(pl.Float64))
    rules = Rules(units={ind: unit}, decimal_places={ind: 1 if unit == "%" else 0},
                  suppress_levels=("National",), secondary=False, auto_link=False)
    done = protect(cells, rules)  # rows stay in their input order
    return frame.with_columns(done["value_display"].alias(f"{value}_display"), done["flag"].alias(f"{value}_flag"))


def _classes(people: pl.DataFrame, year: int) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    x = people.select(CLASS_OUTCOMES).to_numpy().astype(float)
    best, fits = latent.choose(x, people["weight"].to_numpy(), max_k=MAX_CLASSES)
    bic = pl.DataFrame({"classes": [f.k for f in fits], "bic": [f.bic for f in fits],
                        "log_likelihood": [f.log_likelihood for f in fits],
                        "chosen": [f.k == best.k for f in fits]})
    member = people.with_columns(latent_class=pl.Series(best.membership + 1))
    rows = []
    for c in range(best.k):
        m = member.filter(pl.col("latent_class") == c + 1)
        rows.append({"latent_class": c + 1, "people": m.height, "all_people": people.height,
                     "share_pct": 100 * float(best.shares[c]),
                     "looked_after_people": int(m["looked_after"].sum()),
                     "looked_after_pct": 100 * float(m["looked_after"].mean()) if m.height else None,
                     **{f"{o}_pct": round(100 * float(best.probabilities[c, i]), 1)
                        for i, o in enumerate(CLASS_OUTCOMES)}})
    profile = disclose(pl.DataFrame(rows), "people", "all_people", "share_pct", "%", year)
    profile = disclose(profile, "looked_after_people", "people", "looked_after_pct", "%", year)
    return withhold_small_profiles(profile), bic, best.k


def withhold_small_profiles(profile: pl.DataFrame) -> pl.DataFrame:
    """Blank the outcome profile of every cluster whose size is suppressed: a profile of one to five
    people would give away their outcomes (the model's probabilities are not counts, so they get no
    flag of their own and follow the size's)."""
    held = pl.col("share_pct_flag").is_not_null()
    return profile.with_columns(pl.when(~held).then(pl.col(f"{o}_pct")) for o in CLASS_OUTCOMES)


def analyse(records: pl.DataFrame, events: pl.DataFrame, window_end: dt.date, share: float
            ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, int]:
    """Every table of the analysis, disclosure-controlled, and the people table (unpublished)."""
    people = people_table(records, events, window_end, share)
    year = window_end.year
    co = disclose(co_occurrence(people), "people", "people_with_outcome", "pct_of_row", "%", year)
    co = disclose(co, "people", None, "weighted", "count", year)
    combos = disclose(combinations(people), "people", None, "weighted", "count", year)
    work = disclose(labour_market(records, events, people, window_end), "in_work", "people", "pct_in_work", "%",
                    year)
    paths = disclose(pathways(people), "first_before_then", "people", "pct_first_before_then", "%", year)
    # A median from fewer than six people is not published either.
    paths = paths.with_columns(median_months_between=pl.when(pl.col("first_before_then") >= 6)
                               .then(pl.col("median_months_between").round(1)))
    profile, bic, k = _classes(people, year)
    tables = {"co_occurrence": co, "combinations": combos, "labour_market": work, "pathways": paths,
              "latent_classes": profile, "latent_class_bic": bic}
    return tables, people, k


def _published(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the unpublished figures: every value that has a ``_display`` twin, and raw counts."""
    hidden = {c.removesuffix("_display") for c in frame.columns if c.endswith("_display")}
    counts = {"people", "people_with_outcome", "in_work", "first_before_then", "looked_after_people", "all_people"}
    return frame.drop([c for c in frame.columns if c in hidden | counts])


def _upset(combos: pl.DataFrame) -> str:
    bars = [Bar(tuple(c.split("+")), None if f == "c" else float(v), d)
            for c, v, d, f in combos.select("combination", "weighted", "weighted_display", "weighted_flag").iter_rows()]
    used = [o for o in OUTCOME_IDS if any(o in b.members for b in bars)]
    return upset_chart(bars, used, LABELS, "Young people aged 10 to 21 by their combination of outcomes"
                       " (estimated number)", chart_id="linkage-upset")


def _work_chart(work: pl.DataFrame) -> str:
    from carestat.analysis.charts import Series, line_chart

    series = [Series(group, tuple((int(a), float(v)) for a, v, f in
                                  work.filter(pl.col("group") == group).select("age", "pct_in_work", "pct_in_work_flag")
                                  .iter_rows() if v is not None and f is None), role)
              for group, role in (("care leavers", "la"), ("all young people", "england"))]
    return line_chart(series, "In paid work on their birthday, by age (%)", unit="%",
                      summary="Care leavers compared with all young people, by age from 16 to 21.",
                      chart_id="linkage-work")


def write_outcomes(db: Path | str | None, out: Path) -> OutcomesResult:
    """Analyse the warehouse's linked data and write the results to ``out``."""
    records, events, run = load_linked(db)
    records = records.rename({"record_key": "record", "cluster_key": "person"})
    events = events.rename({"record_key": "record"})
    window_end = run["window_end"] or dt.date.today()
    tables, people, k = analyse(records, events, window_end, float(run["general_population_share"] or 1.0))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    synthetic = bool(run["synthetic"])
    for name, frame in tables.items():
        _published(frame).write_csv(out / f"{name}.csv")
    (out / "upset.svg").write_text(_upset(tables["combinations"]))
    (out / "labour_market.svg").write_text(_work_chart(tables["labour_market"]))
    summary: dict[str, Any] = {"label": LABEL if synthetic else None, "people": people.height,
                               "window_end": window_end.isoformat(), "latent_classes": k,
                               "class_choice": f"lowest BIC among 1 to {MAX_CLASSES} classes",
                               "weighting": "general-population sample weighted by 1/share",
                               "tables": {n: _published(f).to_dicts() for n, f in tables.items()}}
    (out / "outcomes.json").write_text(json.dumps(summary, indent=1, default=_json) + "\n")
    return OutcomesResult(out, tables, k, people.height, synthetic)


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value))
