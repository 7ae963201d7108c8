"""Wilson intervals against published values, and the SVG charts' structure and accessibility."""

import xml.etree.ElementTree as ET

import polars as pl
import pytest

from carestat.analysis.charts import STYLES, Series, line_chart, nice_ticks, position_chart
from carestat.analysis.intervals import wilson_exprs, wilson_interval

SVG = "{http://www.w3.org/2000/svg}"


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
# Medicine 17:857-872, table I, method 3 (Wilson score): the examples 81/263, 15/148, 0/20, 1/29.
@pytest.mark.parametrize(("x", "n", "low", "high"), [
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(x, n, low, high):
    got = wilson_interval(x, n)
    assert got == pytest.approx((low, high), abs=5e-5)
    frame = pl.DataFrame({"numerator": [float(x)], "denominator": [float(n)]})
    lo, hi = wilson_exprs()
    assert frame.select(lo, hi).row(0) == pytest.approx(got)


def test_wilson_refuses_what_is_not_a_proportion():
    with pytest.raises(ValueError):
        wilson_interval(5, 0)
    with pytest.raises(ValueError):
        wilson_interval(6, 5)
    frame = pl.DataFrame({"numerator": [6.0, None], "denominator": [5.0, 10.0]})
    lo, _ = wilson_exprs()
    assert frame.select(lo).to_series().to_list() == [None, None]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_line_chart_is_accessible_and_escapes_names():
    series = [Series("Brighton & Hove", ((2023, 10.0), (2024, 12.0), (2025, 9.0)), "la"),
              Series("Similar councils", ((2023, 11.0), (2025, 10.5)), "neighbours"),
              Series("England", ((2023, 10.0), (2024, 10.0), (2025, 10.0)), "england")]
    root = parse(line_chart(series, "3+ placements <in> care", "percent", "cla_3plus_placements_pct",
                            chart_id="c1"))
    assert root.find(f"{SVG}title").text == "3+ placements <in> care"
    desc = root.find(f"{SVG}desc").text
    assert "Brighton & Hove: 2023 10%, 2024 12%, 2025 9%" in desc and "Similar councils: 2023 11%" in desc
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Brighton & Hove 9%" in labels and "England 10%" in labels  # each line named at its end
    assert len(list(root.iter(f"{SVG}polyline"))) == 3


def test_lines_differ_by_more_than_colour():
    assert len({s.dash for s in STYLES.values()}) == len(STYLES)
    assert len({s.marker for s in STYLES.values()}) == len(STYLES)


def test_position_chart_marks_the_la_and_comparators():
    values = [5.0, 7.0, 7.0, 9.0, 10.0, 12.0, 18.0]
    root = parse(position_chart(values, 7.0, "Richmond upon Thames", "Where it sits", "percent",
                                "cla_3plus_placements_pct", "lower is better", england=10.0, neighbour_average=8.9))
    assert len([c for c in root.iter(f"{SVG}circle")]) == len(values)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Richmond upon Thames 7%" in labels and "England 10%" in labels and "Similar councils 8.9%" in labels
    assert "← Better" in labels and "Lower is better." in root.find(f"{SVG}desc").text


def test_empty_charts_say_so():
    for svg in (line_chart([], "Nothing"), position_chart([], None, "Nowhere", "Nothing")):
        assert "No figures to show" in svg and parse(svg) is not None


def test_nice_ticks_cover_the_range():
    assert nice_ticks(0, 18) == [0, 5, 10, 15, 20]
    ticks = nice_ticks(13.1, 19.6)
    assert ticks[0] <= 13.1 and ticks[-1] >= 19.6


def test_a_threshold_is_drawn_and_described():
    svg = line_chart([Series("Hartlepool", ((2024, 520.0), (2025, 505.0)), "la")], "A1", "days",
                     "adoption_a1_days", reference=("Government expectation", 426.0))
    root = parse(svg)
    assert "Government expectation: 426 days." in root.find(f"{SVG}desc").text
    assert "Government expectation 426 days" in [t.text for t in root.iter(f"{SVG}text")]
