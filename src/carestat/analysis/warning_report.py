"""Text tables and files (CSV, JSON, Markdown) for ``carestat early-warning`` and ``carestat
providers``: the CLI chooses the inputs and calls these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from carestat.analysis.backtest import Backtest, report_markdown
from carestat.analysis.early_warning import CUSUM_H, CUSUM_K, MEASURES, THRESHOLD, EarlyWarning
from carestat.analysis.report import text_table, write_csv, write_json
from carestat.errors import OutputError, UsageError
from carestat.provenance import LABEL

_SIGNAL_COLUMNS = [("old_la_code", "LA"), ("area_name", "Name"), ("year", "Year"), ("alert", "Signal"),
                   ("score", "Domains"), ("flagged", "Measures flagged")]


def choose_view(result: EarlyWarning, values: pl.DataFrame, year: int | None,
                own_only: bool) -> tuple[list[str] | None, int]:
    """Which LAs and year to show: with ``own_only``, the LAs whose figures are carestat's own (not
    published) and their latest year; otherwise every signalled LA in the latest year."""
    years = result.signals["year"]
    if year is not None and year not in years.to_list():
        raise UsageError(f"no early-warning figures for {year}: the years run {years.min()} to {years.max()}")
    # carestat's own figures carry the source "carestat" (or "carestat (synthetic)"); published ones
    # their LAIT/EES file.
    own = values.filter((pl.col("geographic_level") == "Local authority") & pl.col("source").str.starts_with("carestat"))
    if own_only and own.height:
        return sorted(own["old_la_code"].unique().to_list()), year or int(own["year"].max())
    return None, year or int(years.max())


def early_warning_text(result: EarlyWarning, year: int, las: list[str] | None = None, synthetic: bool = False) -> str:
    """The year's signals as a table: every LA in ``las``, else the signalled LAs and a count of the rest."""
    s = result.signals.filter(pl.col("year") == year)
    shown = s.filter(pl.col("old_la_code").is_in(las)) if las else s.filter(pl.col("signal"))
    shown = shown.sort(["score", "old_la_code"], descending=[True, False]).with_columns(
        alert=pl.when(pl.col("signal")).then(pl.lit("ALERT")).otherwise(pl.lit("-")))
    lines = [f"Early warning, collection year {year}: {int(s['signal'].sum())} of {s.height} LAs signalled "
             f"(flagged measures in {THRESHOLD}+ domains; flag = beyond the 99.8% funnel limit on the worse side "
             f"or a CUSUM alarm on the trend)."]
    if shown.height:
        lines += ["", text_table(shown.to_dicts(), _SIGNAL_COLUMNS, widest=110)]
    if synthetic:
        lines += ["", LABEL]
    return "\n".join(lines)


def _meta(synthetic: bool) -> dict[str, Any]:
    return {"method": {"funnel_limits": ["95%", "99.8%"], "cusum_k": CUSUM_K, "cusum_h": CUSUM_H,
                       "signal": f"flagged measures in at least {THRESHOLD} domains",
                       "measures": [{"id": m.id, "domain": m.domain, "worse": m.worse, "kind": m.kind,
                                     "denominator_from": list(m.denominator_from), "numerator_from": m.numerator_from,
                                     "note": m.note} for m in MEASURES]},
            "synthetic": synthetic, "label": LABEL if synthetic else None,
            "docs": "docs/early-warning.md"}


def write_early_warning(result: EarlyWarning, out: Path, synthetic: bool) -> list[Path]:
    """signals.csv (LA and year), funnels.csv (measure, LA and year) and early_warning.json."""
    label = pl.lit(synthetic)
    signals = result.signals.with_columns(synthetic=label)
    return [write_csv(out / "signals.csv", signals),
            write_csv(out / "funnels.csv", result.funnels.with_columns(synthetic=label)),
            write_json(out / "early_warning.json", {**_meta(synthetic), "signals": signals.to_dicts()})]


def _write_text(path: Path, text: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def backtest_text(result: Backtest) -> str:
    cols = [("comparison", "Comparison"), ("inspections", "Inspections"), ("precision_pct", "Precision %"),
            ("recall_pct", "Recall %"), ("prevalence_pct", "Adverse %"), ("flag_rate_pct", "Flagged %"),
            ("lead_median_months", "Lead (median months)"), ("auc", "AUC")]
    return ("Backtest against Ofsted's SIF and ILACS judgements (adverse = requires improvement or inadequate):\n\n"
            + text_table(result.summary.to_dicts(), cols, widest=60))


def write_backtest(result: Backtest, out: Path) -> list[Path]:
    """backtest_summary.csv, backtest_cases.csv (one row per inspection), backtest.json, backtest.md."""
    return [write_csv(out / "backtest_summary.csv", result.summary),
            write_csv(out / "backtest_cases.csv", result.cases),
            write_json(out / "backtest.json", {"summary": result.summary.to_dicts(), "docs": "docs/early-warning.md"}),
            _write_text(out / "backtest.md", report_markdown(result))]


def providers_text(protected: pl.DataFrame, synthetic: bool) -> str:
    """Latest year's share placed with good or outstanding providers, per LA (as published)."""
    year = protected["year"].max()
    la = protected.filter((pl.col("year") == year) & (pl.col("geographic_level") == "Local authority")
                          & (pl.col("breakdown") == "Total"))
    wide = (la.filter(pl.col("indicator_id") == "cla_provider_good_outstanding_pct")
            .select("old_la_code", "la_name", good="value_display",
                    judged=pl.col("denominator").cast(pl.Int64).cast(pl.Utf8))
            .join(la.filter(pl.col("indicator_id") == "cla_provider_judged_pct")
                  .select("old_la_code", matched="value_display",
                          children=pl.col("denominator").cast(pl.Int64).cast(pl.Utf8)), on="old_la_code", how="full",
                  coalesce=True)
            .sort("old_la_code"))
    # A suppressed percentage hides its counts too.
    wide = wide.with_columns(judged=pl.when(pl.col("good") == "c").then(pl.lit("c")).otherwise(pl.col("judged")),
                             children=pl.when(pl.col("matched") == "c").then(pl.lit("c")).otherwise(pl.col("children")))
    cols = [("old_la_code", "LA"), ("la_name", "Name"), ("children", "Children looked after"),
            ("matched", "% with a judged provider"), ("judged", "Children with a judged provider"),
            ("good", "% good or outstanding")]
    lines = [f"Placements with providers Ofsted judged good or outstanding, 31 March {year} "
             "(c = suppressed: a count of 1 to 5, or a figure it could be worked out from):", "",
             text_table(wide.to_dicts(), cols)]
    if synthetic:
        lines += ["", LABEL]
    return "\n".join(lines)


def write_providers(protected: pl.DataFrame, out: Path, synthetic: bool, note: str,
                    unsuppressed: pl.DataFrame | None = None) -> list[Path]:
    """provider_quality.csv (disclosure-controlled), provider_quality.json, and with ``unsuppressed``
    provider_quality_unsuppressed.csv (not for publication)."""
    framed = protected.with_columns(synthetic=pl.lit(synthetic))
    paths = [write_csv(out / "provider_quality.csv", framed),
             write_json(out / "provider_quality.json", {"note": note, "synthetic": synthetic,
                                                         "label": LABEL if synthetic else None,
                                                         "values": framed.to_dicts()})]
    if unsuppressed is not None:
        paths.append(write_csv(out / "provider_quality_unsuppressed.csv",
                               unsuppressed.with_columns(synthetic=pl.lit(synthetic))))
    return paths
