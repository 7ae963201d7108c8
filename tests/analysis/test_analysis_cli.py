"""``carestat benchmark``, ``scorecard`` and ``profile``: tables, files, one-line errors, and
carestat's own figures from a warehouse of synthetic returns, labelled so."""

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from carestat.cli import app
from carestat.provenance import LABEL

runner = CliRunner()


def test_benchmark_writes_csv_and_json(tmp_path):
    result = runner.invoke(app, ["benchmark", "--out", str(tmp_path), "--indicator", "cla_3plus_placements_pct",
                                 "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "Richmond upon Thames" in result.output and "more rows in the CSV" in result.output
    table = pl.read_csv(tmp_path / "benchmark.csv", schema_overrides={"old_la_code": pl.Utf8})
    assert table.height == 151 and table["rank"].min() == 1
    payload = json.loads((tmp_path / "benchmark.json").read_text())
    assert payload["synthetic"] is False and len(payload["rows"]) == 151


def test_scorecard_and_profile_write_files(tmp_path):
    result = runner.invoke(app, ["scorecard", "--la", "318", "--published", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "Foster care scorecard: Richmond upon Thames (318)" in result.output
    assert (tmp_path / "s" / "scorecards.json").exists() and list((tmp_path / "s" / "charts").glob("*.svg"))
    result = runner.invoke(app, ["profile", "--la", "E06000062", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "West Northamptonshire" in result.output and "Northamptonshire (928)" in result.output
    assert (tmp_path / "p" / "profile_ofsted.csv").exists()


@pytest.mark.parametrize("args", [
    ["scorecard", "--la", "999", "--out", "x"],
    ["profile", "--la", "318", "--published", "--db", "w.duckdb", "--out", "x"],
    ["benchmark", "--indicator", "no_such_indicator", "--out", "x"],
    ["benchmark", "--neighbours", "2019", "--out", "x"],
    ["scorecard", "--la", "318", "--db", "missing.duckdb", "--out", "x"],
])
def test_errors_are_one_line_and_status_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().startswith("carestat: ") and len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_own_figures_from_a_synthetic_warehouse(tmp_path, monkeypatch):
    from carestat.synth import GenerateOptions, generate, parse_las
    from carestat.warehouse import load

    monkeypatch.setenv("CARESTAT_KEY", "test-key-0123456789-0123456789-0123456789")
    returns = tmp_path / "returns"
    generate(GenerateOptions(out=returns, years=(2023, 2024, 2025), las=parse_las("805"), seed=3, cin=False,
                             workers=1))
    db = tmp_path / "w.duckdb"
    load([returns], db=db, workers=1)
    result = runner.invoke(app, ["scorecard", "--la", "805", "--db", str(db), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert LABEL in result.output
    rows = pl.read_csv(tmp_path / "s" / "scorecards.csv", infer_schema_length=None)
    assert rows["synthetic"].all()
    a1 = rows.filter(pl.col("measure") == "a1").row(0, named=True)
    # carestat's A1 for 2025 (three years loaded): either shown with its source, or held back as too few.
    assert a1["suppressed"] or (a1["source"] == "carestat (synthetic)" and a1["value"] > 0)
    own = rows.filter(pl.col("source") == "carestat (synthetic)")
    assert own.height >= 10  # the LA's own figures replaced the published ones
    result = runner.invoke(app, ["benchmark", "--la", "805", "--db", str(db), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0 and LABEL in result.output
