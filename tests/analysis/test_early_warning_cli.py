"""`carestat early-warning` on the published figures: a table, CSV and JSON; one-line errors."""

import json

import polars as pl
from typer.testing import CliRunner

from carestat.cli import app

runner = CliRunner()


def test_published_early_warning_writes_table_csv_and_json(tmp_path):
    result = runner.invoke(app, ["early-warning", "--published", "--year", "2024", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Early warning, collection year 2024" in result.output
    signals = pl.read_csv(tmp_path / "signals.csv", schema_overrides={"old_la_code": pl.Utf8})
    shown = [line.split()[0] for line in result.output.splitlines() if "ALERT" in line]
    expected = signals.filter((pl.col("year") == 2024) & pl.col("signal"))["old_la_code"].to_list()
    assert sorted(shown) == sorted(expected)  # the table lists exactly the signalled LAs
    payload = json.loads((tmp_path / "early_warning.json").read_text())
    assert payload["synthetic"] is False and len(payload["signals"]) == signals.height
    assert (tmp_path / "funnels.csv").exists()


def test_db_and_published_together_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["early-warning", "--published", "--db", str(tmp_path / "w.duckdb"),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "either --db or --published" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_year_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["early-warning", "--year", "1999", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "1999" in result.stderr
