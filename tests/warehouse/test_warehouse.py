"""The warehouse: versioned loads, refusals, pseudonymisation, and loads that die part-way."""

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from carestat.errors import WarehouseError
from carestat.indicators import compute_warehouse
from carestat.synth import GenerateOptions, generate, parse_las
from carestat.warehouse import (
    connect,
    current_tables,
    indicator_values,
    is_synthetic,
    load,
    submissions,
)
from tests.warehouse.killing import kill_load_mid_insert

KEY = "test-key-0123456789-0123456789-0123456789"


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("w") / "returns"
    generate(GenerateOptions(out=out, years=(2024, 2025), las=parse_las("805"), seed=9, cin=False, workers=1))
    return out


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CARESTAT_KEY", KEY)


def test_refuses_without_a_key(returns, tmp_path, monkeypatch):
    monkeypatch.delenv("CARESTAT_KEY", raising=False)
    monkeypatch.setenv("CARESTAT_KEY_FILE", str(tmp_path / "no-such-key"))
    monkeypatch.setattr("carestat.warehouse.keys.DEFAULT_KEY_FILE", tmp_path / "nor-this")
    with pytest.raises(WarehouseError, match="no pseudonymisation key"):
        load([returns], db=tmp_path / "w.duckdb", workers=1)


def test_load_versions_and_history(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    first = load([returns], db=db, workers=1)
    assert [(o.year, o.status, o.version) for o in first] == [(2024, "loaded", 1), (2025, "loaded", 1)]
    again = load([returns], db=db, workers=1)
    assert {o.status for o in again} == {"unchanged"}
    # A resubmission with a changed record becomes version 2 and the old one is kept, superseded.
    resubmission = tmp_path / "resubmitted" / "2025" / "805" / "ssda903"
    shutil.copytree(returns / "2025" / "805" / "ssda903", resubmission)
    reviews = pl.read_csv(resubmission / "reviews.csv", infer_schema=False)
    reviews.with_columns(REVIEW_CODE=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("PN2"))
                         .otherwise("REVIEW_CODE")).write_csv(resubmission / "reviews.csv")
    third = load([resubmission], db=db, workers=1)
    assert [(o.status, o.version) for o in third] == [("loaded", 2)]
    con = connect(db)
    history = submissions(con, la="805", year=2025)
    assert history["version"].to_list() == [1, 2] and history["current"].to_list() == [False, True]
    current = current_tables(con)["Reviews"].filter(pl.col("collection_year") == 2025)
    assert current["submission_id"].n_unique() == 1
    con.close()


def test_synthetic_returns_are_flagged_and_indicators_stored(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([returns], db=db, workers=1)
    con = connect(db)
    assert submissions(con)["synthetic"].to_list() == [True, True]
    con.close()
    frame, synthetic = compute_warehouse(db)
    assert synthetic
    stored = indicator_values(db)
    assert stored.height == frame.height and stored["synthetic"].all()
    assert set(stored["indicator_id"]) == set(frame["indicator_id"])
    # A real return (no generator's marker above it) is not flagged.
    real = tmp_path / "real" / "2025" / "805" / "ssda903"
    shutil.copytree(returns / "2025" / "805" / "ssda903", real)
    db2 = tmp_path / "w2.duckdb"
    load([real], db=db2, workers=1)
    assert not is_synthetic(db2)


def test_returns_with_errors_need_accept_errors(tmp_path, key):
    out = tmp_path / "faulty"
    generate(GenerateOptions(out=out, years=(2025,), las=parse_las("805"), seed=4, error_rate=0.05, cin=False,
                             workers=1))
    db = tmp_path / "w.duckdb"
    refused = load([out], db=db, workers=1)
    assert refused[0].status == "refused" and refused[0].n_errors > 0
    accepted = load([out], db=db, accept_errors=True, workers=1)
    assert accepted[0].status == "loaded"
    con = connect(db)
    flagged = submissions(con)
    assert flagged["accepted_with_errors"].to_list() == [True]
    con.close()


def test_no_raw_identifiers_in_the_warehouse(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([returns], db=db, workers=1)
    children = set(pl.read_csv(returns / "2025" / "805" / "ssda903" / "header.csv", infer_schema=False)["CHILD"])
    upns = set(pl.read_csv(returns / "2025" / "805" / "ssda903" / "header.csv", infer_schema=False)["UPN"]) - {"UN1"}
    con = duckdb.connect(str(db), read_only=True)
    for (table,) in con.sql("SELECT table_name FROM information_schema.tables WHERE table_type='BASE TABLE'").fetchall():
        cols = [c for c, t in con.sql(f"SELECT column_name, data_type FROM information_schema.columns "
                                      f"WHERE table_name='{table}'").fetchall() if t == "VARCHAR"]
        for col in cols:
            values = {v for (v,) in con.sql(f'SELECT DISTINCT "{col}" FROM {table}').fetchall()}
            assert not values & children, f"raw CHILD in {table}.{col}"
            assert not values & upns, f"raw UPN in {table}.{col}"
    con.close()


def test_killed_load_loses_nothing(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([returns / "2024"], db=db, workers=1)  # version 1 of 2024 only
    con = connect(db)
    before = current_tables(con)["Episodes"].height
    con.close()
    kill_load_mid_insert(returns, db, tmp_path, KEY)
    con = connect(db)
    assert current_tables(con)["Episodes"].height == before
    assert submissions(con)["year"].to_list() == [2024]
    con.close()
    # And the next load completes normally.
    outcomes = load([returns], db=db, workers=1)
    assert {o.status for o in outcomes} == {"unchanged", "loaded"}


def test_indicators_then_publish_from_the_command_line(returns, tmp_path, key):
    from typer.testing import CliRunner

    from carestat.cli import app

    db = tmp_path / "w.duckdb"
    load([returns], db=db, workers=1)
    runner = CliRunner()
    computed = runner.invoke(app, ["indicators", "--db", str(db)])
    assert computed.exit_code == 0 and "Synthetic data" in computed.output, computed.output
    out = tmp_path / "publication"
    published = runner.invoke(app, ["publish", "--db", str(db), "--out", str(out)])
    assert published.exit_code == 0, published.output
    readme = (out / "README.txt").read_text()
    assert "synthetic" in readme.lower()
    assert (out / "childrens_social_care_tables.xlsx").exists()
    data_files = [p for p in out.glob("*.csv") if not p.name.endswith(".meta.csv")]
    assert data_files and all("data_status" in pl.read_csv(p, infer_schema=False).columns for p in data_files)
