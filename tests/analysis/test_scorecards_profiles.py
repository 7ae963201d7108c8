"""Scorecards and profiles: every LA renders from the published figures; small adoption figures
are held back; carestat's own (synthetic) figures flow through with their label."""

import json
import xml.etree.ElementTree as ET

import polars as pl
import pytest

from carestat import refdata
from carestat.analysis import profile as profiles
from carestat.analysis import scorecards as cards
from carestat.analysis import values
from carestat.analysis.charts import trend_chart, where_chart
from carestat.analysis.report import write_profile, write_scorecards
from carestat.analysis.scorecard_measures import A1_THRESHOLD_DAYS, A2_THRESHOLD_DAYS, SCORECARDS
from carestat.analysis.scorecards import adoption_suppressed


@pytest.fixture(scope="module")
def published():
    return values.published()


@pytest.fixture(scope="module")
def data(published):
    return cards.prepare(published)


@pytest.fixture(scope="module")
def profile_comparison(published):
    return profiles.prepare(published)


def every_la() -> list[str]:
    return refdata.local_authorities()["new_la_code"].unique().sort().to_list()


def test_a_scorecard_and_a_profile_for_every_la(published, data, profile_comparison):
    assert len(every_la()) >= 153
    with_figures = 0
    for code in every_la():
        la = refdata.resolve_la(code)
        made = cards.la_scorecards(la, data)
        assert [c.spec.key for c in made] == ["foster", "residential", "adoption"]
        for card, spec in zip(made, SCORECARDS, strict=True):
            assert [m.measure.key for m in card.measures] == [m.key for m in spec.measures]
            for m in card.measures:
                assert m.summary() and m.as_row()["question"]
                if m.value is not None and m.ci_low is not None:  # the interval holds the published figure
                    assert m.ci_low * 100 <= m.value + 1 and m.value - 1 <= m.ci_high * 100
        json.dumps([c.as_dict() for c in made], default=str)
        p = profiles.la_profile(la, published, profile_comparison)
        assert p.la.old_la_code == la.old_la_code and len(p.indicators) == len(profiles.KEY_INDICATORS)
        json.dumps(p.as_dict(), default=str)
        if la.valid_to is None:
            with_figures += 1
            assert any(m.value is not None for m in made[0].measures), la.name
            assert p.neighbours[2025] and p.ofsted, la.name
            assert p.child_population and p.child_population > 0
    assert with_figures == 153


def test_richmond_scorecard_reads_as_worked_out(data):
    foster = cards.la_scorecards("318", data)[0]
    moves = next(m for m in foster.measures if m.measure.key == "three_plus_placements")
    # 9 of 121 children in 2025; Wilson 95%: 3.96% to 13.53%.
    assert (moves.year, moves.value, moves.numerator, moves.denominator) == (2025, 7.0, 9.0, 121.0)
    assert moves.ci_low == pytest.approx(0.0396, abs=1e-4) and moves.ci_high == pytest.approx(0.1353, abs=1e-4)
    assert moves.quartile == "A" and moves.direction == "improving" and moves.england_value == 10.0
    assert "9 of 121" in moves.summary() and "similar councils 8.9% (10 of 10)" in moves.summary()
    assert [y for y, _ in moves.trend] == [2021, 2022, 2023, 2024, 2025]
    # A published percentage without its numbers gets no interval, and says so.
    foster_care = next(m for m in foster.measures if m.measure.key == "in_foster_care")
    assert foster_care.ci_low is None and any("No confidence interval" in c for c in foster_care.caveats)
    # SDQ: the published counts (28 of 53) do not give the published 61%: no counts, no interval.
    sdq = next(m for m in foster.measures if m.measure.key == "emotional_health")
    assert sdq.value == 61.0 and sdq.numerator is None and sdq.ci_low is None
    assert any("do not give this percentage" in c for c in sdq.caveats)
    # 16 of 25 children: the small-numbers caveat.
    stability = next(m for m in foster.measures if m.measure.key == "long_term_stability")
    assert any("Based on 25 children" in c for c in stability.caveats)


def test_published_figures_have_no_adoption_timeliness_and_say_why(data):
    adoption = cards.la_scorecards("805", data)[2]
    a1 = next(m for m in adoption.measures if m.measure.key == "a1")
    assert a1.value is None and "carestat works this out" in " ".join(a1.caveats)


@pytest.mark.parametrize(("numerator", "denominator", "unit", "held"), [
    (4, 30, "percent", True),     # 5 or fewer in the numerator
    (5, 30, "percent", True),
    (6, 11, "percent", False),
    (6, 10, "percent", True),     # 10 or fewer in the denominator
    (4000, 8, "days", True),      # an average over 8 children
    (3, 12, "days", False),       # an average's numerator is days, not children
    (None, None, "percent", False),  # published without counts: as published
])
def test_adoption_suppression_rule(numerator, denominator, unit, held):
    assert adoption_suppressed(numerator, denominator, unit) is held


def own_adoption_rows(published) -> pl.DataFrame:
    """carestat-style A1/A2 rows (three-year sums of days over children) for a few LAs, as
    ``values.computed`` would give them, marked synthetic."""
    rows = []
    for code, children, a1, a2 in [("318", 8, 500.0, 150.0), ("314", 20, 400.0, 100.0), ("805", 25, 430.0, 120.0),
                                   ("319", 30, 460.0, 140.0)]:
        la = refdata.resolve_la(code)
        for year in (2023, 2024, 2025):
            for indicator, days in (("adoption_a1_days", a1), ("adoption_a2_days", a2)):
                rows.append({"indicator_id": indicator, "year": year, "geographic_level": "Local authority",
                             "area_code": la.new_la_code, "old_la_code": code, "area_name": la.name,
                             "value": days, "numerator": days * children, "denominator": float(children),
                             "source": values.SYNTHETIC_SOURCE})
    return pl.DataFrame(rows, schema=values.VALUE_COLUMNS)


def test_small_adoption_figures_are_held_back_everywhere(published):
    data = cards.prepare(values.combined(own_adoption_rows(published)))
    assert data.synthetic
    richmond = cards.la_scorecards("318", data)[2]
    a1 = next(m for m in richmond.measures if m.measure.key == "a1")
    assert a1.suppressed and a1.year == 2025 and a1.as_row()["value"] is None
    assert "too few children" in a1.summary()
    # Kingston (314) has Richmond among its neighbours: Richmond's held-back 500 days feeds no average.
    kingston = cards.la_scorecards("314", data)[2]
    k1 = next(m for m in kingston.measures if m.measure.key == "a1")
    assert k1.value == 400.0 and k1.neighbours_with_value == 1 and k1.neighbour_average == 460.0  # Sutton (319)
    assert k1.meets_threshold and k1.threshold == A1_THRESHOLD_DAYS
    # Only three LAs have the figure: too few for a band, and the scorecard says so.
    assert k1.quartile is None and any("too few to place" in c for c in k1.caveats)
    hartlepool = cards.la_scorecards("805", data)[2]
    h1, h2 = (next(m for m in hartlepool.measures if m.measure.key == k) for k in ("a1", "a2"))
    assert h1.value == 430.0 and h1.meets_threshold is False and "Slower than" in h1.summary()
    assert h2.value == 120.0 and h2.threshold == A2_THRESHOLD_DAYS and h2.meets_threshold
    assert any("synthetic" in c for c in h1.caveats)


def test_outputs_and_charts_are_well_formed(tmp_path, data, published, profile_comparison):
    made = cards.la_scorecards("Brighton and Hove", data)
    written = write_scorecards(made, data.comparison, tmp_path / "s")
    p = profiles.la_profile("846", published, profile_comparison)
    written += write_profile(p, tmp_path / "p")
    svgs = [w for w in written if w.suffix == ".svg"]
    assert len(svgs) > 20
    for path in svgs:
        root = ET.fromstring(path.read_text())
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "img"
        ns = "{http://www.w3.org/2000/svg}"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    rows = pl.read_csv(tmp_path / "s" / "scorecards.csv")
    assert rows.height == sum(len(c.measures) for c in made)
    assert json.loads((tmp_path / "p" / "profile.json").read_text())["la_name"] == "Brighton and Hove"
    # Charts with no figures still render, and say so.
    assert "No figures to show" in trend_chart(data.comparison, "846", "adoption_a1_days")
    assert "No figures to show" in where_chart(data.comparison, "846", "adoption_a1_days")


def test_every_measure_is_documented():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "benchmarking.md").read_text()
    for spec in SCORECARDS:
        for m in spec.measures:
            assert f"| `{m.key}` |" in doc, m.key
            assert all(f"`{i}`" in doc for i in m.indicator_ids), m.key
