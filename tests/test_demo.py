"""`carestat demo` runs every stage end to end (on a smaller set than the real demo)."""

import json

import polars as pl

from carestat.demo import run_demo


def test_demo_runs_every_stage(tmp_path):
    out = tmp_path / "demo"
    result = run_demo(out, echo=lambda _: None, las="805", years=(2024, 2025))
    steps = [line.split(".")[0] for line in result.lines if line[:1].isdigit()]
    assert steps == ["1", "2", "3", "4", "5", "6", "7", "8"]
    summary = pl.read_csv(out / "validation" / "summary.csv")
    assert summary["errors"].sum() == 0
    assert sorted(summary.select("return", "year").rows()) == [("cin", 2024), ("cin", 2025), ("ssda903", 2024),
                                                                ("ssda903", 2025)]
    assert (out / "validation" / "2025" / "805" / "report.html").exists()
    assert (out / "validation" / "2025" / "805" / "cin" / "report.html").exists()
    assert "3. Loaded 2 SSDA903 and 2 CIN census returns" in result.lines[2]
    indicators = pl.read_csv(out / "indicators" / "indicators.csv", infer_schema_length=None,
                             schema_overrides={"old_la_code": pl.Utf8})
    assert indicators["synthetic"].all() and indicators["indicator_id"].n_unique() > 80
    # The CIN census's figures for the LA: referrals in both years, re-referrals once a year before is loaded.
    la = indicators.filter((pl.col("old_la_code") == "805") & (pl.col("breakdown") == "Total"))
    referrals = la.filter(pl.col("indicator_id") == "cin_referrals").sort("year")
    assert referrals["year"].to_list() == [2024, 2025] and (referrals["value"] > 100).all()
    assert la.filter(pl.col("indicator_id") == "cin_rereferrals_12m_pct")["year"].to_list() == [2025]
    assert "synthetic" in (out / "publication" / "README.txt").read_text().lower()
    protection = pl.read_csv(out / "publication" / "child_protection.csv", infer_schema=False)
    assert {"cin_cpp_31mar", "cin_icpc_15d_pct"} <= set(protection.columns) and protection["data_status"].is_not_null().all()
    cards = json.loads(next((out / "analysis" / "805" / "scorecards").glob("*.json")).read_text())
    assert cards  # scorecards written for the demo LA
    assert any((out / "analysis" / "early-warning").iterdir())
    assert pl.read_csv(out / "linkage" / "evaluation" / "linkage_metrics.csv")["precision"].min() > 0.9
    assert (out / "linkage" / "outcomes" / "upset.svg").exists()
