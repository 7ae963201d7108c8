"""Joined-up data: synthetic partner data sets, record linkage with Splink, its evaluation, and
the overlapping adverse outcomes of young people aged 10 to 21.

>>> from carestat.linkage import make_partner_data, link, write_outcomes      # doctest: +SKIP
>>> make_partner_data("returns/", "partners/")              # extracts + ground truth apart
>>> link("partners/", db="carestat.duckdb", truth="partners-ground-truth/")
>>> write_outcomes("carestat.duckdb", "outcomes/")
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from carestat.linkage.analysis import OutcomesResult, write_outcomes
from carestat.linkage.partners import PartnerResult, make_partner_data
from carestat.provenance import is_synthetic_path


@dataclass
class LinkSummary:
    records: dict[str, int]
    clusters: int
    pairs: int
    threshold: float
    backend: str
    seconds: dict[str, float]
    metrics: pl.DataFrame | None = None
    bias: pl.DataFrame | None = None
    written: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        counts = ", ".join(f"{k} {v:,}" for k, v in self.records.items())
        text = (f"Linked {sum(self.records.values()):,} records ({counts}) with Splink on {self.backend} in "
                f"{sum(self.seconds.values()):.1f}s: {self.pairs:,} scored pairs, {self.clusters:,} people at match "
                f"probability {self.threshold}. Stored pseudonymised in the warehouse; identifiers dropped.")
        if self.metrics is not None:
            row = self.metrics.filter(pl.col("level") == "clusters").with_columns(
                gap=(pl.col("threshold") - self.threshold).abs()).sort("gap").row(0, named=True)
            text += (f" Against the ground truth at {row['threshold']}: precision {row['precision']:.4f}, "
                     f"recall {row['recall']:.4f}, F1 {row['f1']:.4f}.")
        if self.written:
            text += f" Evaluation: {self.written[0].parent}"
        return text


def link(extracts: Path | str, db: Path | str | None = None, *, backend: str = "duckdb",
         threshold: float | None = None, truth: Path | str | None = None, out: Path | str | None = None,
         key_file: Path | None = None, spark: Any = None) -> LinkSummary:
    """Link the extracts' identity records, store the pseudonymised result in the warehouse, and
    (with ``truth``) measure the linkage against the ground truth (see ``carestat link --help``)."""
    from carestat.linkage import evaluate, store
    from carestat.linkage.linker import DEFAULT_THRESHOLD, read_identities, run_linkage
    from carestat.warehouse.keys import load_key

    key = load_key(key_file)  # refuse before the work when there is no key
    extracts = Path(extracts)
    identities = read_identities(extracts)
    result = run_linkage(identities, backend=backend, threshold=threshold or DEFAULT_THRESHOLD, spark=spark)
    records, events = store.analysis_frames(extracts, identities)
    manifest = store.read_manifest(extracts)
    summary = LinkSummary(result.records, result.clusters["cluster_id"].n_unique(), result.pairs.height,
                          result.threshold, backend, result.seconds)
    evaluation = None
    if truth is not None:
        started = time.perf_counter()
        truth_records = evaluate.read_truth(Path(truth))
        summary.metrics = evaluate.pairwise_metrics(result.pairs, truth_records)
        window_end = store.run_details(result, manifest, True)["window_end"]
        if window_end is not None:
            summary.bias = evaluate.linkage_bias(records, events, result.pairs, truth_records, window_end,
                                                 float(manifest.get("general_population_share", 1.0)))
        summary.seconds["evaluate"] = time.perf_counter() - started
        evaluation = {"metrics": summary.metrics.to_dicts(),
                      "bias": summary.bias.to_dicts() if summary.bias is not None else None}
        if out is not None:
            target = Path(out)
            target.mkdir(parents=True, exist_ok=True)
            summary.metrics.write_csv(target / "linkage_metrics.csv")
            summary.written.append(target / "linkage_metrics.csv")
            if summary.bias is not None:
                summary.bias.write_csv(target / "linkage_bias.csv")
                summary.written.append(target / "linkage_bias.csv")
    frames = store.pseudonymise(key, records, events, result.clusters, result.pairs)
    store.store(db, frames, store.run_details(result, manifest, is_synthetic_path(extracts), evaluation))
    return summary


__all__ = ["LinkSummary", "OutcomesResult", "PartnerResult", "link", "make_partner_data", "write_outcomes"]
