"""Early warning: funnel limits, CUSUM and the combined signal, each against figures worked by hand."""

import math

import numpy as np
import polars as pl
import pytest

from carestat.analysis.early_warning import (
    Z95,
    Z998,
    Measure,
    cusum,
    cusum_path,
    funnel,
    overdispersion,
    signals,
)
from carestat.analysis.values import ENGLAND_CODE, VALUE_COLUMNS

PCT = Measure("p", "Domain", "higher")
RATE = Measure("r", "Context", None, kind="rate")
MEAN = Measure("m", "Domain", "higher", kind="mean")


def values(rows: list[dict]) -> pl.DataFrame:
    """A values frame from short rows: (indicator_id, la or "England", value, numerator, denominator)."""
    out = []
    for r in rows:
        national = r["la"] == "England"
        out.append({"indicator_id": r["id"], "year": r.get("year", 2024),
                    "geographic_level": "National" if national else "Local authority",
                    "area_code": ENGLAND_CODE if national else f"E0{r['la']}", "old_la_code": None if national else r["la"],
                    "area_name": r["la"], "value": r["value"], "numerator": r.get("num"), "denominator": r.get("den"),
                    "source": "test"})
    return pl.DataFrame(out, schema=VALUE_COLUMNS)


def row(frame: pl.DataFrame, la: str, indicator: str = "p", year: int = 2024) -> dict:
    return frame.filter((pl.col("old_la_code") == la) & (pl.col("indicator_id") == indicator)
                        & (pl.col("year") == year)).row(0, named=True)


def test_binomial_limits_by_hand():
    # England 20%. se = sqrt(20 x 80 / n) percentage points: n = 100 -> 4, n = 400 -> 2.
    # n = 100: 95% 20 +- 7.839856, 99.8% 20 +- 12.360928; n = 400: 20 +- 3.919928 and 20 +- 6.180464.
    # 95%: 20 +- 1.959964 x se; 99.8%: 20 +- 3.090232 x se. Every LA sits on 20%, so the
    # over-dispersion factor is 0 and the limits are not widened.
    f = funnel(values([{"id": "p", "la": "England", "value": 20.0},
                       {"id": "p", "la": "101", "value": 20.0, "num": 20, "den": 100},
                       {"id": "p", "la": "102", "value": 20.0, "num": 80, "den": 400}]), (PCT,))
    small, big = row(f, "101"), row(f, "102")
    assert small["method"] == "binomial" and small["target"] == 20.0
    assert small["se"] == pytest.approx(4.0)
    assert (small["lower_95"], small["upper_95"]) == pytest.approx((12.160144, 27.839856))
    assert (small["lower_998"], small["upper_998"]) == pytest.approx((7.639072, 32.360928))
    assert (big["lower_95"], big["upper_95"]) == pytest.approx((16.080072, 23.919928))
    assert (big["lower_998"], big["upper_998"]) == pytest.approx((13.819536, 26.180464))
    assert small["band"] == "within" and small["z"] == 0


def test_poisson_limits_by_hand():
    # England 50 per 10,000; an LA of 40,000 children: se = sqrt(50 x 10,000 / 40,000) = 3.535534.
    # 95%: 50 +- 6.929519; 99.8%: 50 +- 10.925773. An LA with 300 children looked after (75 per
    # 10,000): z = 25 / 3.535534 = 7.07 on its own, but the over-dispersion factor (two LAs,
    # z = 0 and 7.07, winsorised at the 10th and 90th percentiles 0.707 and 6.364) is
    # (0.707^2 + 6.364^2) / 2 = 20.5, so its limits widen by sqrt(20.5).
    f = funnel(values([{"id": "r", "la": "England", "value": 50.0},
                       {"id": "r", "la": "101", "value": 50.0, "num": 200, "den": 40_000},
                       {"id": "r", "la": "102", "value": 75.0, "num": 300, "den": 40_000}]), (RATE,))
    a, b = row(f, "101", "r"), row(f, "102", "r")
    assert a["method"] == "poisson" and a["se"] == pytest.approx(3.535534)
    z = 25 / 3.535534
    phi = ((0.1 * z) ** 2 + (0.9 * z) ** 2) / 2
    assert a["phi"] == pytest.approx(phi, rel=1e-4)
    assert (a["lower_95"], a["upper_95"]) == pytest.approx((50 - 6.929519 * math.sqrt(phi), 50 + 6.929519 * math.sqrt(phi)),
                                                           rel=1e-5)
    assert b["z"] == pytest.approx(z / math.sqrt(phi), rel=1e-4)
    assert b["deviation"] is None  # a context measure is never "worse"


def test_overdispersion_by_hand():
    # z = -3 -2 -1 0 0 0 0 0 1 2 3: the 10th and 90th percentiles (linear) are -2 and 2, so the
    # winsorised squares are 4 4 1 0 0 0 0 0 1 4 4 = 18, over 11 LAs: phi = 1.636364.
    z = pl.DataFrame({"z": [-3.0, -2, -1, 0, 0, 0, 0, 0, 1, 2, 3]})
    assert z.select(overdispersion(pl.col("z"))).item() == pytest.approx(18 / 11)
    # The same LAs as percentages about England's 20% with n = 100 (se 4): value = 20 + 4z.
    rows = [{"id": "p", "la": "England", "value": 20.0}]
    rows += [{"id": "p", "la": str(100 + i), "value": 20 + 4 * v, "num": (20 + 4 * v), "den": 100}
             for i, v in enumerate(z["z"])]
    f = funnel(values(rows), (PCT,))
    top = row(f, "110")  # z = 3 before widening
    assert top["phi"] == pytest.approx(18 / 11)
    assert top["z"] == pytest.approx(3 / math.sqrt(18 / 11))  # 2.345: outside 95%, inside 99.8%
    assert top["band"] == "outside 95%"
    assert top["upper_998"] == pytest.approx(20 + Z998 * 4 * math.sqrt(18 / 11))
    assert top["deviation"] == pytest.approx(top["z"])  # higher is worse
    assert row(f, "100")["deviation"] == pytest.approx(-top["z"])


def test_z_score_when_no_denominator():
    # Caseloads 10 12 14 16 30: median 14, absolute deviations 4 2 0 2 16, MAD 2, robust sd
    # 1.4826 x 2 = 2.9652. The LA at 30 has z = 16 / 2.9652 = 5.396 (beyond 99.8%).
    f = funnel(values([{"id": "m", "la": str(100 + i), "value": v} for i, v in enumerate([10.0, 12, 14, 16, 30])]),
               (MEAN,))
    high = row(f, "104", "m")
    assert high["method"] == "z-score" and high["target"] == 14
    assert high["se"] == pytest.approx(2.9652)
    assert high["z"] == pytest.approx(16 / 2.9652)
    assert high["band"] == "outside 99.8%" and high["deviation"] > 0
    assert (high["lower_95"], high["upper_95"]) == pytest.approx((14 - Z95 * 2.9652, 14 + Z95 * 2.9652))


def test_denominators_derived_from_other_published_figures():
    summed = Measure("p", "Domain", "higher", denominator_from=("c1", "c2"))
    frame = values([
        {"id": "p", "la": "101", "value": 25.0}, {"id": "c1", "la": "101", "value": 60.0},
        {"id": "c2", "la": "101", "value": 40.0},                       # n = 60 + 40 = 100
        {"id": "p", "la": "102", "value": 25.0}, {"id": "c1", "la": "102", "value": 60.0},  # c2 missing
        {"id": "p", "la": "103", "value": 50.0, "num": 30.0},         # n = 30 / 50% = 60
    ])
    f = funnel(frame, (summed,))
    assert (row(f, "101")["denominator"], row(f, "101")["denominator_source"]) == (100, "c1 + c2")
    assert row(f, "102")["method"] == "z-score"  # one part missing: no denominator
    assert (row(f, "103")["denominator"], row(f, "103")["denominator_source"]) == (60, "numerator / value")
    # No England figure: the target is the pooled value (25 x 100 + 50 x 60) / 160 = 34.375.
    assert row(f, "101")["target"] == pytest.approx(34.375)
    counted = Measure("p", "Domain", "lower", numerator_from="k")
    g = funnel(values([{"id": "p", "la": "101", "value": 80.0}, {"id": "k", "la": "101", "value": 40.0}]), (counted,))
    assert row(g, "101")["denominator"] == pytest.approx(50)  # 40 stable children / 80%


def test_cusum_path_by_hand():
    # k = 0.5: S = 0.5, 0.5 + 1.5 = 2, max(0, 2 - 1.5) = 0.5, 0.5 + 2.5 = 3, 3 + 2 = 5.
    got = cusum_path(np.array([[1.0, 2.0, -1.0, 3.0, 2.5], [-1.0, np.nan, 1.0, 0.2, 0.6]]), k=0.5)
    assert got[0] == pytest.approx([0.5, 2.0, 0.5, 3.0, 5.0])
    # A missing year keeps S: 0, (missing), 0.5, 0.2, 0.3.
    assert np.isnan(got[1, 1])
    assert got[1, [0, 2, 3, 4]] == pytest.approx([0.0, 0.5, 0.2, 0.3])


def test_cusum_of_standardised_changes_by_hand():
    # Three LAs level with England in 2023 (deviation 0) move by 1, 2 and 4 in 2024. The changes'
    # median is 2 and MAD median(1, 0, 2) = 1, so they are divided by 1.4826: 0.674, 1.349, 2.698.
    # CUSUM with k = 0.5: 0.174, 0.849, 2.198; with h = 2 only the third alarms.
    d = pl.DataFrame({"indicator_id": ["p"] * 6, "old_la_code": ["A", "B", "C"] * 2,
                      "year": [2023] * 3 + [2024] * 3, "deviation": [0.0, 0, 0, 1, 2, 4]})
    got = cusum(d, k=0.5, h=2.0).filter(pl.col("year") == 2024).sort("old_la_code")
    assert got["trend"].to_list() == pytest.approx([1 / 1.4826, 2 / 1.4826, 4 / 1.4826])
    assert got["cusum"].to_list() == pytest.approx([1 / 1.4826 - 0.5, 2 / 1.4826 - 0.5, 4 / 1.4826 - 0.5])
    assert got["alarm"].to_list() == [False, False, True]
    first = cusum(d, k=0.5, h=2.0).filter(pl.col("year") == 2023)
    assert first["cusum"].null_count() == 3 and not first["alarm"].any()  # nothing to compare with yet


def _funnel_row(la, indicator, domain, band, deviation, worse="higher"):
    return {"indicator_id": indicator, "domain": domain, "worse": worse, "year": 2024, "area_code": f"E0{la}",
            "old_la_code": la, "area_name": la, "source": "test", "z": deviation, "band": band,
            "deviation": deviation if worse else None}


def test_combined_signal_by_hand():
    funnels = pl.DataFrame([
        # A: two stability measures beyond 99.8% on the worse side (one domain), workforce in CUSUM
        # alarm (a second domain): score 2, signal.
        _funnel_row("A", "m1", "Stability", "outside 99.8%", 3.5),
        _funnel_row("A", "m2", "Stability", "outside 99.8%", 4.0),
        _funnel_row("A", "m3", "Workforce", "within", 0.5),
        _funnel_row("A", "ctx", "Context", "outside 99.8%", 9.0, worse=None),  # context: ignored
        # B: beyond 99.8% but on the better side, outside 95% only, and one CUSUM alarm: score 1.
        _funnel_row("B", "m1", "Stability", "outside 99.8%", -3.5),
        _funnel_row("B", "m2", "Stability", "outside 95%", 2.5),
        _funnel_row("B", "m3", "Workforce", "within", 1.0),
    ])
    cusums = pl.DataFrame({"indicator_id": ["m3", "m3", "m1"], "old_la_code": ["A", "B", "B"], "year": [2024] * 3,
                           "alarm": [True, True, False]})
    s = signals(funnels, cusums, threshold=2).sort("old_la_code")
    a, b = s.row(0, named=True), s.row(1, named=True)
    assert (a["score"], a["signal"], a["beyond_998"], a["cusum_alarms"], a["measures_assessed"]) == (2, True, 2, 1, 3)
    assert a["domains"] == "Stability; Workforce"
    assert a["flagged"] == "m1 (99.8%); m2 (99.8%); m3 (CUSUM)"
    assert a["mean_deviation"] == pytest.approx((3.5 + 4.0 + 0.5) / 3)
    assert (b["score"], b["signal"], b["beyond_998"], b["cusum_alarms"]) == (1, False, 0, 1)
    assert b["flagged"] == "m3 (CUSUM)"
    assert signals(funnels, cusums, threshold=1).filter(pl.col("old_la_code") == "B")["signal"].item() is True


def test_published_figures_give_a_signal_for_every_la_and_year():
    from carestat.analysis.early_warning import early_warning

    result = early_warning()
    s = result.signals
    assert s["year"].min() == 2013 and s["year"].max() == 2025
    latest = s.filter(pl.col("year") == 2025)
    assert latest.height >= 150  # every LA with published figures
    # Every flagged measure is named, and the score counts distinct domains among them.
    flagged = latest.filter(pl.col("signal"))
    assert flagged.height and (flagged["score"] >= 2).all()
    assert (flagged["domains"].str.count_matches("; ") + 1 == flagged["score"]).all()
