"""`carestat demo` runs every stage end to end (on a smaller set than the real demo)."""

import json

import polars as pl

from carestat.demo import run_demo


def test_demo_runs_every_stage(tmp_path):
    out = tmp_path / "demo"
    result = run_demo(out, echo=lambda _: None, las="805", years=(2024, 2025))
    steps = [line.split(".")[0] for line in result.lines if line[:1].isdigit()]
    assert steps == ["1", "2", "3", "4", "5", "6", "7"]
    assert pl.read_csv(out / "validation" / "summary.csv")["errors"].sum() == 0
    assert (out / "validation" / "2025" / "805" / "report.html").exists()
    indicators = pl.read_csv(out / "indicators" / "indicators.csv", infer_schema_length=None)
    assert indicators["synthetic"].all() and indicators["indicator_id"].n_unique() > 50
    assert "synthetic" in (out / "publication" / "README.txt").read_text().lower()
    cards = json.loads(next((out / "analysis" / "805" / "scorecards").glob("*.json")).read_text())
    assert cards  # scorecards written for the demo LA
    assert any((out / "analysis" / "early-warning").iterdir())
