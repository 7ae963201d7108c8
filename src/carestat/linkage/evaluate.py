"""How good the linkage is, against the synthetic ground truth: pairwise precision, recall and F1
at several match thresholds, for the scored pairs and for the clusters they make.

A true pair is two records in different data sets that belong to the same person; recall counts
every such pair, including those the blocking rules never put forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from carestat.errors import InputError
from carestat.linkage.clusters import connected_components

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def read_truth(truth: Path) -> pl.DataFrame:
    """The ground truth's records: unique_id (data set:record id), person_id."""
    path = Path(truth) / "records.csv"
    if not path.exists():
        raise InputError("has no records.csv (the ground truth written by `carestat partners`)", file=str(truth))
    return pl.read_csv(path, infer_schema=False).select(
        unique_id=pl.concat_str("dataset", pl.lit(":"), "record_id"), person_id="person_id")


def ordered(pairs: pl.DataFrame, left: str = "unique_id_l", right: str = "unique_id_r") -> pl.DataFrame:
    """Pairs with the smaller id first, so that (a, b) and (b, a) are one pair."""
    return pairs.select(a=pl.min_horizontal(left, right), b=pl.max_horizontal(left, right)).unique()


def _dataset(col: str) -> pl.Expr:
    return pl.col(col).str.split(":").list.first()


def true_pairs(truth: pl.DataFrame) -> pl.DataFrame:
    """Every pair of records in different data sets that belong to the same person."""
    joined = truth.join(truth, on="person_id", suffix="_r").filter(pl.col("unique_id") < pl.col("unique_id_r"))
    return joined.filter(_dataset("unique_id") != _dataset("unique_id_r")).select(a="unique_id", b="unique_id_r")


def _scores(predicted: pl.DataFrame, truth_pairs: pl.DataFrame) -> dict[str, float]:
    tp = predicted.join(truth_pairs, on=["a", "b"], how="semi").height
    precision = tp / predicted.height if predicted.height else 1.0
    recall = tp / truth_pairs.height if truth_pairs.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"predicted": predicted.height, "true_positives": tp, "true_pairs": truth_pairs.height,
            "precision": precision, "recall": recall, "f1": f1}


def cluster_pairs(clusters: pl.DataFrame) -> pl.DataFrame:
    """The cross-data-set pairs a clustering implies (every two records in one cluster)."""
    c = clusters.select("unique_id", "cluster_id")
    joined = c.join(c, on="cluster_id", suffix="_r").filter(pl.col("unique_id") < pl.col("unique_id_r"))
    return joined.filter(_dataset("unique_id") != _dataset("unique_id_r")).select(a="unique_id", b="unique_id_r")


def pairwise_metrics(pairs: pl.DataFrame, truth: pl.DataFrame,
                     thresholds: Sequence[float] = THRESHOLDS) -> pl.DataFrame:
    """Precision, recall and F1 of the scored pairs and of their clusters at each threshold."""
    truth_pairs = true_pairs(truth)
    ids = truth["unique_id"]
    rows = []
    for t in thresholds:
        kept = pairs.filter(pl.col("match_probability") >= t)
        rows.append({"threshold": t, "level": "pairs", **_scores(ordered(kept), truth_pairs)})
        clusters = connected_components(kept, ids)
        rows.append({"threshold": t, "level": "clusters", **_scores(cluster_pairs(clusters), truth_pairs)})
    return pl.DataFrame(rows)


# Headline figures whose bias from linkage error is measured: (name, outcome, population flag).
HEADLINES = (
    ("Care leavers not in work at 19 to 21 (%)", "not_in_work", "care_leaver"),
    ("Looked-after young people cautioned or convicted (%)", "offending", "looked_after"),
    ("Looked-after young people permanently excluded (%)", "permanent_exclusion", "looked_after"),
    ("All young people not in work at 19 to 21 (%)", "not_in_work", None),
)


def headline_figures(people: pl.DataFrame) -> dict[str, float | None]:
    from carestat.linkage.outcomes import weighted

    out = {}
    for name, outcome, population in HEADLINES:
        base = people.filter(pl.col(population)) if population else people
        if outcome == "not_in_work":  # only people seen at 19 have the outcome defined
            base = base.filter(pl.col("birth_month").dt.offset_by("19y") <= pl.col("_window_end"))
        total = float(base["weight"].sum())
        out[name] = 100 * float(base.select(weighted(pl.col(outcome))).item()) / total if total else None
    return out


def linkage_bias(records: pl.DataFrame, events: pl.DataFrame, pairs: pl.DataFrame, truth: pl.DataFrame,
                 window_end: dt.date, share: float, thresholds: Sequence[float] = THRESHOLDS) -> pl.DataFrame:
    """Each headline figure from the true people and from the linkage at each threshold, and the
    difference (percentage points): how linkage error biases what the study reports."""
    from carestat.linkage.outcomes import people_table

    def figures(person: pl.DataFrame) -> dict[str, float | None]:
        rec = records.join(person, on="unique_id", how="left").select(
            record="unique_id", person=pl.col("person").fill_null(pl.col("unique_id")), dataset="dataset",
            la_code="la_code", birth_month="birth_month")
        people = people_table(rec, events.rename({"unique_id": "record"}), window_end, share)
        return headline_figures(people.with_columns(_window_end=pl.lit(window_end)))

    true = figures(truth.select("unique_id", person="person_id"))
    rows = []
    for t in thresholds:
        kept = pairs.filter(pl.col("match_probability") >= t)
        linked = figures(connected_components(kept, records["unique_id"]).rename({"cluster_id": "person"}))
        for name, value in linked.items():
            truth_value = true[name]
            rows.append({"threshold": t, "figure": name, "truth": truth_value, "linked": value,
                         "bias_points": None if value is None or truth_value is None else value - truth_value})
    return pl.DataFrame(rows, schema_overrides={"truth": pl.Float64, "linked": pl.Float64, "bias_points": pl.Float64})
