"""Backtest: which signal each inspection is judged against, and the metrics, worked by hand."""

import datetime as dt

import polars as pl
import pytest

from carestat.analysis.backtest import auc, available_from, inspections, match, metrics, summarise

D = dt.date


def signals(rows):
    """(LA, year, signal, score) -> a signals frame with the columns match() reads."""
    return pl.DataFrame([{"old_la_code": la, "year": y, "signal": s, "score": sc, "mean_deviation": 0.0,
                          "domains": "", "flagged": "", "measures_assessed": 10} for la, y, s, sc in rows])


def cases(rows):
    """(LA, inspection start, adverse) -> cases with the columns inspections() gives."""
    return pl.DataFrame([{"old_la_code": la, "la_name": la, "framework": "ILACS", "inspection_type": "ILACS",
                          "start": start, "start_estimated": False, "publication_date": start, "judgement": "x",
                          "adverse": adverse, "inadequate": False, "previous": None, "previous_adverse": False}
                         for la, start, adverse in rows],
                        schema_overrides={"previous": pl.Utf8})


def test_available_from():
    # Collection year 2021 (to 31 March 2021): CLA/CIN out by the autumn, workforce in February.
    assert available_from(2021) == D(2022, 3, 1)


@pytest.fixture
def matched():
    s = signals([("A", 2019, False, 1), ("A", 2020, True, 2), ("A", 2021, True, 3),
                 ("B", 2019, True, 2), ("B", 2020, False, 0),
                 ("C", 2019, False, 0), ("C", 2020, False, 0), ("C", 2021, False, 1)])
    c = cases([
        ("A", D(2022, 6, 1), True),   # 2021 known (1 March 2022): signal, run since 2020 -> TP
        ("A", D(2020, 5, 1), False),  # 2019 known (1 March 2020), 2020 not yet: no signal -> TN
        ("B", D(2021, 2, 1), False),  # 2019 known, 2020 only from 1 March 2021: signal -> FP
        ("C", D(2022, 4, 1), True),   # 2021 known: no signal -> FN
        ("D", D(2022, 1, 1), True),   # no figures at all: not covered
    ])
    return match(s, c)


def test_match_uses_only_figures_known_before_the_inspection(matched):
    got = {(r["old_la_code"], r["start"]): r for r in matched.iter_rows(named=True)}
    assert got[("A", D(2022, 6, 1))]["signal_year"] == 2021
    assert got[("A", D(2020, 5, 1))]["signal_year"] == 2019
    assert got[("B", D(2021, 2, 1))]["signal_year"] == 2019
    assert got[("D", D(2022, 1, 1))]["covered"] is False
    # Lead time: the run of signals began with 2020, known from 1 March 2021; the inspection began
    # 1 June 2022: 30 + 31 + 30 + ... = 457 days.
    assert got[("A", D(2022, 6, 1))]["lead_days"] == (D(2022, 6, 1) - D(2021, 3, 1)).days == 457
    assert got[("B", D(2021, 2, 1))]["lead_days"] == (D(2021, 2, 1) - D(2020, 3, 1)).days


def test_metrics_by_hand(matched):
    covered = matched.filter(pl.col("covered"))
    m = metrics(covered)
    # TP: A 2022; FP: B; FN: C; TN: A 2020.
    assert (m.n, m.adverse, m.flagged, m.tp, m.fp, m.fn, m.tn) == (4, 2, 2, 1, 1, 1, 1)
    assert (m.precision, m.recall, m.prevalence, m.flag_rate) == (0.5, 0.5, 0.5, 0.5)
    assert m.lead_median_days == 457  # the one true positive
    summary = summarise(matched)
    first = summary.row(0, named=True)
    assert (first["precision_pct"], first["recall_pct"], first["inspections"]) == (50.0, 50.0, 4)
    assert first["lead_median_months"] == round(457 / 30.44, 1)


def test_lead_time_quartiles():
    c = pl.DataFrame({"signal": [True] * 4 + [False], "adverse": [True] * 5, "lead_days": [100, 200, 300, 400, None]})
    m = metrics(c)
    # Four true positives: median 250, quartiles (linear) 175 and 325.
    assert (m.lead_median_days, m.lead_q1_days, m.lead_q3_days) == (250, 175, 325)
    assert (m.tp, m.fn) == (4, 1)
    assert metrics(c, lead=False).lead_median_days is None


def test_auc_by_hand():
    perfect = pl.DataFrame({"s": [1.0, 2, 3, 4], "adverse": [False, False, True, True]})
    assert auc(perfect, "s") == 1.0
    # Ranks 1, 2.5, 2.5, 4; adverse ranks 2.5 + 4 = 6.5; (6.5 - 3) / (2 x 2) = 0.875.
    tied = pl.DataFrame({"s": [1.0, 2, 2, 3], "adverse": [False, True, False, True]})
    assert auc(tied, "s") == 0.875
    assert auc(tied.filter(pl.col("adverse")), "s") is None  # no negatives


def test_inspections_estimate_sif_start_and_previous_judgement():
    history = pl.DataFrame({
        "old_la_code": ["900"] * 4, "la_name": ["X"] * 4,
        "inspection_framework": ["CPI", "SIF", "ILACS", "ILACS"],
        "inspection_type": ["CPI", "SIF inspection", "ILACS Standard Inspection", "ILACS Short Inspection"],
        "inspection_date": [None, None, D(2019, 3, 4), D(2023, 1, 9)],
        "publication_date": [D(2013, 5, 1), D(2016, 4, 1), D(2019, 5, 1), D(2023, 3, 1)],
        "overall_effectiveness": ["Inadequate", "Good", "Requires improvement to be good", None],
    })
    got = inspections(history).sort("start")
    assert got.height == 2  # CPI is before the backtest's frameworks; the ungraded short inspection is left out
    sif, ilacs = got.row(0, named=True), got.row(1, named=True)
    # SIF gives only the publication date: the inspection is taken to have begun 90 days before
    # (1 April 2016 less 90 days, 2016 a leap year, is 2 January 2016).
    assert (sif["start"], sif["start_estimated"]) == (D(2016, 1, 2), True)
    assert (sif["previous"], sif["previous_adverse"], sif["adverse"]) == ("Inadequate", True, False)
    assert (ilacs["start"], ilacs["previous"], ilacs["adverse"], ilacs["inadequate"]) == (
        D(2019, 3, 4), "Good", True, False)


def test_backtest_runs_on_the_published_history():
    from carestat.analysis.backtest import run_backtest

    result = run_backtest()
    covered = result.cases.filter(pl.col("covered"))
    assert covered.height > 400  # graded SIF and ILACS inspections with figures known before them
    # Nothing is matched to figures published after the inspection began.
    known = covered["signal_year"].map_elements(available_from, return_dtype=pl.Date)
    assert (known <= covered["start"]).all()
    assert {"Signal (2+ domains flagged)", "Previous judgement RI or inadequate (baseline)"} <= set(
        result.summary["comparison"].to_list())


def test_auc_standard_error_by_hand():
    from carestat.analysis.backtest import auc_se

    # A = 0.75, 10 adverse and 20 others: Q1 = 0.75 / 1.25 = 0.6, Q2 = 2 x 0.5625 / 1.75 = 0.642857;
    # var = (0.1875 + 9 x (0.6 - 0.5625) + 19 x (0.642857 - 0.5625)) / 200 = 0.010259; se = 0.101287.
    assert auc_se(0.75, 10, 20) == pytest.approx(0.101287, abs=1e-6)
