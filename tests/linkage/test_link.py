"""Linkage end to end on a small synthetic set: Splink finds the people, the stored result holds
no identifiers, and the Spark backend gives the same answer as DuckDB."""

import polars as pl
import pytest

from carestat.linkage import link
from carestat.linkage.evaluate import pairwise_metrics, read_truth
from carestat.linkage.linker import read_identities, run_linkage
from carestat.linkage.store import TABLES
from carestat.warehouse import connect


@pytest.fixture(scope="module")
def duckdb_result(small_extracts):
    extracts, _, _ = small_extracts
    return run_linkage(read_identities(extracts), backend="duckdb")


def test_splink_links_the_small_set_well(small_extracts, duckdb_result):
    _, truth, _ = small_extracts
    metrics = pairwise_metrics(duckdb_result.pairs, read_truth(truth), thresholds=(0.9,))
    clusters = metrics.filter(pl.col("level") == "clusters").row(0, named=True)
    assert clusters["precision"] > 0.98 and clusters["recall"] > 0.95
    assert set(duckdb_result.records) == {"school", "employment", "justice"}


def test_stored_linkage_holds_no_identifiers(small_extracts, tmp_path, monkeypatch):
    extracts, truth, people = small_extracts
    monkeypatch.setenv("CARESTAT_KEY", "a test key of at least thirty-two characters")
    db = tmp_path / "w.duckdb"
    summary = link(extracts, db, truth=truth, out=tmp_path / "eval")
    assert (tmp_path / "eval" / "linkage_metrics.csv").exists() and summary.metrics is not None
    con = connect(db, read_only=True)
    try:
        stored = {t: con.sql(f"SELECT * FROM {t}").pl() for t in TABLES}
    finally:
        con.close()
    assert stored["linkage_records"].height == sum(summary.records.values())
    text = " ".join(str(v) for t in ("linkage_records", "linkage_pairs", "linkage_events")
                    for v in stored[t].head(2000).to_dicts())
    for column in ("surname", "upn", "ni_number", "postcode_early"):
        assert not any(v in text for v in people[column].head(200).to_list() if v and len(v) > 5), column
    pupils = pl.read_csv(extracts / "school" / "pupils.csv")
    assert not any(p in text for p in pupils["pupil_id"].head(200).to_list())
    # keys are keyed hashes (24 hex characters)
    assert stored["linkage_records"]["record_key"].str.contains(r"^[0-9a-f]{24}$").all()


@pytest.mark.spark
@pytest.mark.slow
def test_spark_backend_matches_duckdb(small_extracts, duckdb_result):
    extracts, _, _ = small_extracts
    from carestat.linkage.spark import local_session

    spark = local_session()
    try:
        result = run_linkage(read_identities(extracts), backend="spark", spark=spark,
                             trained=duckdb_result.model)
    finally:
        spark.stop()
    # The same trained model on the same records: the same links at the threshold.
    ours = result.pairs.filter(pl.col("match_probability") >= 0.9).select("unique_id_l", "unique_id_r").sort("*")
    theirs = duckdb_result.pairs.filter(pl.col("match_probability") >= 0.9).select(
        "unique_id_l", "unique_id_r").sort("*")
    assert ours.height == theirs.height and ours.equals(theirs)
    # Clustered in Polars on Spark, by Splink on DuckDB: the same people either way.
    assert result.clusters["cluster_id"].n_unique() == duckdb_result.clusters["cluster_id"].n_unique()
