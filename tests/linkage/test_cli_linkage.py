"""The joined-up data commands: a whole run on the small extracts, and one-line errors."""

import json

import polars as pl
from typer.testing import CliRunner

from carestat.cli import app
from carestat.warehouse import connect

runner = CliRunner()


def test_link_then_outcomes(small_extracts, tmp_path, monkeypatch):
    extracts, truth, _ = small_extracts
    monkeypatch.setenv("CARESTAT_KEY", "a test key of at least thirty-two characters")
    db = tmp_path / "w.duckdb"
    linked = runner.invoke(app, ["link", "--extracts", str(extracts), "--db", str(db), "--truth", str(truth),
                                 "--out", str(tmp_path / "eval")])
    assert linked.exit_code == 0, linked.output
    assert "precision" in linked.output and "identifiers dropped" in linked.output
    bias = pl.read_csv(tmp_path / "eval" / "linkage_bias.csv")
    assert set(bias["threshold"]) == {0.5, 0.8, 0.9, 0.95, 0.99, 0.999}
    done = runner.invoke(app, ["outcomes", "--db", str(db), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "Synthetic data" in done.output
    summary = json.loads((tmp_path / "out" / "outcomes.json").read_text())
    assert summary["label"] and summary["latent_classes"] >= 1
    svg = (tmp_path / "out" / "upset.svg").read_text()
    assert svg.startswith("<svg") and 'role="img"' in svg
    # published tables carry no raw counts of people, only disclosure-controlled figures
    co = pl.read_csv(tmp_path / "out" / "co_occurrence.csv", infer_schema=False)
    assert "people" not in co.columns and "pct_of_row_display" in co.columns


def test_outcomes_without_linked_data_is_one_line(tmp_path):
    db = tmp_path / "w.duckdb"
    connect(db).close()
    result = runner.invoke(app, ["outcomes", "--db", str(db), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "run `carestat link` first" in result.output


def test_partners_without_returns_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["partners", "--returns", str(tmp_path / "empty"), "--out", str(tmp_path / "p")])
    assert result.exit_code == 2 and "holds no generated returns" in result.output


def test_link_refuses_an_unknown_backend(small_extracts, tmp_path, monkeypatch):
    extracts, _, _ = small_extracts
    monkeypatch.setenv("CARESTAT_KEY", "a test key of at least thirty-two characters")
    result = runner.invoke(app, ["link", "--extracts", str(extracts), "--db", str(tmp_path / "w.duckdb"),
                                 "--backend", "oracle"])
    assert result.exit_code == 2 and "--backend must be one of duckdb, spark" in result.output
