"""CIN census publication tables: one per topic beside the SSDA903 ones, under the same
disclosure control, and breakdowns whose categories overlap treated as such."""

import csv

import polars as pl
import pytest

from carestat.disclosure import protect, recoverable
from carestat.indicators import compute
from carestat.publish import default_rules, publish, topic_tables
from carestat.publish.tables import BREAKDOWN_LABELS
from tests.indicators.harness_cin import cin_inputs
from tests.indicators.test_cin import CENSUS_2024, CENSUS_2025
from tests.publish.conftest import REGISTRY

CIN_TABLES = {"children_in_need_referrals", "children_in_need_assessments", "child_protection", "children_in_need"}


@pytest.fixture(scope="module")
def figures() -> pl.DataFrame:
    # Two London boroughs with the same small censuses (their children are different children).
    inputs = cin_inputs({(la, year): census for la in ("318", "319")
                         for year, census in ((2024, CENSUS_2024), (2025, CENSUS_2025))})
    return compute(inputs, workers=1)


@pytest.fixture(scope="module")
def published(tmp_path_factory, figures):
    out = tmp_path_factory.mktemp("cin")
    return out, publish(figures, out, synthetic=True)


def test_a_table_per_cin_topic(figures, published):
    out, paths = published
    assert {t.slug for t in topic_tables(figures, REGISTRY)} >= CIN_TABLES
    for slug in CIN_TABLES:
        assert out / f"{slug}.csv" in paths and out / f"{slug}.meta.csv" in paths
    with (out / "children_in_need_assessments.meta.csv").open(encoding="utf-8") as f:
        meta = {row["col_name"]: row for row in csv.DictReader(f)}
    assert meta["factor"]["col_type"] == "Filter" and meta["cin_assessments_45d_pct"]["indicator_unit"] == "%"
    assert "(synthetic data)" in meta["factor"]["label"]
    for table in topic_tables(figures, REGISTRY):
        if table.slug in CIN_TABLES:
            assert all(b in BREAKDOWN_LABELS for b in table.breakdowns), table.breakdowns


def test_small_la_counts_are_never_shown(figures, published):
    out, _ = published
    for slug in CIN_TABLES:
        rows = pl.read_csv(out / f"{slug}.csv", infer_schema=False).filter(
            pl.col("geographic_level") == "Local authority")
        counts = [c for c in rows.columns if c in REGISTRY and REGISTRY[c].unit == "count"]
        for column in counts:
            shown = rows[column].filter(~rows[column].is_in(["c", "x", "z", "low"])).cast(pl.Float64)
            assert not shown.is_between(1, 5).any(), f"{slug}.{column} shows a count of 1 to 5"
    # The hand-worked censuses are tiny: most LA figures are hidden, and none can be worked back.
    protected = protect(figures, default_rules(topic_tables(figures, REGISTRY)))
    assert protected.filter(pl.col("flag") == "c").height > 100
    assert recoverable(protected, default_rules(topic_tables(figures, REGISTRY))).is_empty()


def _one_la(indicator: str, breakdown: str) -> pl.DataFrame:
    """An LA's Total (10) and three categories (3, 8 and 9): they add up to 20, not 10."""
    rows = [("Total", "Total", 10), (breakdown, "a", 3), (breakdown, "b", 8), (breakdown, "c", 9)]
    return pl.DataFrame([{
        "indicator_id": indicator, "year": 2025, "geographic_level": "Local authority", "country_code": "E92000001",
        "region_code": "E12000007", "old_la_code": "318", "breakdown": b, "category": c, "numerator": float(n),
        "denominator": None, "value": float(n)} for b, c, n in rows])


def test_overlapping_categories_need_no_secondary_suppression():
    # Factors overlap: hiding the 3 needs no partner, since the others do not sum to the Total.
    factors = protect(_one_la("cin_assessment_factors", "factor"))
    assert factors.filter(pl.col("flag") == "c")["category"].to_list() == ["a"]
    # Referral sources do not overlap: the smallest other source is hidden with it.
    sources = protect(_one_la("cin_referrals", "referral_source"))
    assert sorted(sources.filter(pl.col("flag") == "c")["category"].to_list()) == ["a", "b"]
