"""calibration.csv: every declared measure produced, added up per LA and for England, set beside its target."""

from pathlib import Path

import polars as pl
import pytest

from carestat import refdata
from carestat.synth import measures903, measures_cin
from carestat.synth.calibration import MEASURES, rows, summarise
from carestat.synth.cin_model import simulate_cin
from carestat.synth.history import simulate_history
from carestat.synth.options import GenerateOptions
from carestat.synth.tables903 import YearCut
from carestat.synth.targets import simulated_years, unit_targets


def test_every_declared_measure_is_measured_and_no_other():
    code, year = "805", 2025
    targets = unit_targets(refdata.resolve_la(code), simulated_years([year]))
    h = simulate_history(code, targets, 1.0, 1, year)
    cut = YearCut(h, year).tables()
    produced = set(measures903.measure(h, year, cut["OC3"]))
    produced |= set(measures_cin.measure(simulate_cin(code, targets, h, 1.0, 1, [year]), year))
    assert produced == set(MEASURES)
    with pytest.raises(KeyError, match="undeclared"):
        rows(code, year, {"no_such_measure": (1, None)})


def _population(la: str, year: int) -> float:
    pop = refdata.child_population().filter(pl.col("old_la_code") == la, pl.col("year") == year)
    return pop["population"].item()


def test_summary_adds_up_units_and_sets_targets(tmp_path):
    # Two simulated units reporting as one LA (as Northamptonshire's successors do before 2021/22)
    # and a second LA: counts and numerators add up, percentages are recomputed from the sums.
    measured = [*rows("928", 2020, {"stock": (600, None), "missing_pct": (50, 500), "referrals_rate": (3000, None)}),
                *rows("928", 2020, {"stock": (400, None), "missing_pct": (70, 500), "referrals_rate": (2000, None)}),
                *rows("805", 2020, {"stock": (250, None), "missing_pct": (30, 300)})]
    options = GenerateOptions(out=tmp_path, las=None, scale=0.5)
    cal = summarise(measured, options)
    pick = {(r["indicator"], r["old_la_code"]): r for r in cal.iter_rows(named=True)}
    published = refdata.published_la_indicators().filter(pl.col("year") == 2020)

    def target(la: str, indicator: str) -> float:
        return published.filter(pl.col("old_la_code") == la, pl.col("indicator_id") == indicator)["value"].item()

    assert pick[("stock", "928")]["produced"] == 1000
    assert pick[("stock", "928")]["target"] == pytest.approx(0.5 * target("928", "cla_count_31mar"), abs=0.01)
    assert pick[("missing_pct", "928")]["produced"] == pytest.approx(12.0)  # (50 + 70) / (500 + 500)
    assert pick[("missing_pct", "928")]["target"] == target("928", "cla_missing_pct")
    # A rate is per 10,000 children, at scale 1: 5,000 referrals at scale 0.5 are 10,000.
    assert pick[("referrals_rate", "928")]["produced"] == pytest.approx(1e4 * 1e4 / _population("928", 2020), abs=0.01)
    england = pick[("missing_pct", "E92000001")]
    assert england["geography"] == "England" and england["produced"] == pytest.approx(100 * 150 / 1300, abs=0.01)
    assert pick[("stock", "E92000001")]["produced"] == 1250
    # Children looked after at 31 March: within 10% for an LA, 3% for England.
    stock = pick[("stock", "805")]
    assert stock["within_tolerance"] == (abs(250 - stock["target"]) <= 0.1 * stock["target"])
    assert pick[("missing_pct", "805")]["within_tolerance"] is None


def test_national_only_targets_and_notes(tmp_path):
    measured = rows("805", 2020, {"care_order_pct": (77, 100), "leavers_17_18": (10, None)})
    everyone = summarise(measured, GenerateOptions(out=tmp_path, las=None))
    england = everyone.filter(pl.col("geography") == "England", pl.col("indicator") == "care_order_pct")
    assert england["target"].item() == 77 and england["produced"].item() == 77
    la = everyone.filter(pl.col("geography") == "Local authority", pl.col("indicator") == "care_order_pct")
    assert la["target"].item() is None  # legal status is published for England only
    note = everyone.filter(pl.col("indicator") == "leavers_17_18")["note"][0]
    assert "1007" in note and "1016" in note
    some = summarise(measured, GenerateOptions(out=tmp_path, las=(refdata.resolve_la("805"),)))
    assert some.filter(pl.col("geography") == "England")["target"].is_null().all()  # not every LA generated


def test_calibration_csv_columns(tmp_path):
    cal = summarise(rows("805", 2024, {"stock": (100, None)}), GenerateOptions(out=Path(tmp_path)))
    assert cal.columns == ["indicator", "geography", "old_la_code", "year", "target", "produced", "difference_pct",
                           "within_tolerance", "note"]
