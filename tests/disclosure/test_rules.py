"""Each disclosure rule on a table small enough to check by eye."""

import numpy as np
import polars as pl
import pytest

from carestat.disclosure import (
    ADOPTION_SCORECARD,
    IndicatorRule,
    Rules,
    Threshold,
    protect,
    recoverable,
)
from carestat.errors import UsageError
from tests.disclosure.builders import cell, counts_table, derivable

RULES = Rules(units={"n": "count", "p": "percent", "r": "rate_per_10k", "m": "days"},
              decimal_places={"n": 0, "p": 1, "r": 0, "m": 0})


def one_la(values_a, region_extra=None):
    """One region: LA 101 with categories a0.. given, plus other LAs (single category)."""
    las = {"101": np.array(values_a).reshape(-1, 1)}
    for i, v in enumerate(region_extra or [50, 60]):
        las[f"1{i + 2:02d}"] = np.array([[v]] + [[0]] * (len(values_a) - 1))
    return counts_table({"R1": las})


def pct_row(num, den, *, level="Local authority", ind="p", breakdown="Total", category="Total"):
    value = None if den in (None, 0) or num is None else 100 * num / den
    return {"indicator_id": ind, "year": 2025, "geographic_level": level, "country_code": "E92000001",
            "country_name": "England", "region_code": "R1", "region_name": "Region R1",
            "new_la_code": "E0101", "old_la_code": "101", "la_name": "LA 101", "breakdown": breakdown,
            "category": category, "numerator": num, "denominator": den, "value": value}


def single(rows, rules=RULES):
    frame = pl.DataFrame(rows, schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64,
                                                 "value": pl.Float64})
    return protect(frame, rules).to_dicts()


# Primary suppression -------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "c"), (3, "c"), (5, "c"), (6, "6"), (120, "120")])
def test_la_counts_of_one_to_five_are_suppressed(count, shown):
    out = protect(one_la([count]), RULES)
    assert cell(out, la="101")["value_display"] == shown


@pytest.mark.parametrize(("num", "den", "shown"), [
    (3, 50, "c"),      # numerator 1-5
    (0, 4, "c"),       # denominator 1-5
    (0, 50, "0.0"),
    (10, 40, "25.0"),
    (1, 3, "c"),
    (0, 0, "z"),       # a percentage of nobody: not applicable
    (None, 40, "x"),   # no numerator: not available
])
def test_percentages_with_small_numerator_or_denominator_are_suppressed(num, den, shown):
    assert single([pct_row(num, den)])[0]["value_display"] == shown


def test_averages_follow_the_same_thresholds():
    rows = [pct_row(900, 4, ind="m") | {"value": 225.0}, pct_row(3000, 12, ind="m") | {"value": 250.0}]
    rows[1]["old_la_code"] = "102"
    out = single(rows, Rules(units={"m": "days"}, decimal_places={"m": 0}, secondary=False))
    assert [r["value_display"] for r in out] == ["c", "250"]


@pytest.mark.parametrize(("num", "den", "shown"), [(0, 20, "c"), (5, 20, "c"), (6, 10, "c"), (6, 11, "54.5")])
def test_adoption_scorecard_thresholds_are_configurable_per_indicator(num, den, shown):
    rules = RULES.with_rule(["p"], ADOPTION_SCORECARD)
    assert single([pct_row(num, den)], rules)[0]["value_display"] == shown
    # Other indicators keep the standard thresholds (numerator or denominator 1 to 5).
    standard = single([pct_row(num, den, ind="q")], Rules(units={"q": "percent"}, decimal_places={"q": 1}))
    assert standard[0]["value_display"] == ("c" if 1 <= num <= 5 else f"{100 * num / den:.1f}")


def test_national_and_regional_figures_are_not_suppressed_for_being_small():
    table = counts_table({"R1": {"101": np.array([[2]]), "102": np.array([[1]])}})
    out = protect(table, RULES)
    assert cell(out, level="National")["value_display"] == "3"
    assert cell(out, level="Regional", region="R1")["value_display"] == "3"


def test_national_and_regional_counts_rounded_to_nearest_ten_where_asked():
    table = counts_table({"R1": {"101": np.array([[1234]]), "102": np.array([[11]])},
                          "R2": {"201": np.array([[3]]), "202": np.array([[40]])}})
    out = protect(table, Rules(units={"n": "count"}, round_counts_to=10))
    assert cell(out, level="National")["value_display"] == "1290"   # 1288
    assert cell(out, level="Regional", region="R1")["value_display"] == "1250"  # 1245: halves go up
    assert cell(out, la="101")["value_display"] == "1234"  # LAs stay exact
    assert cell(out, level="National")["value_published"] == 1290
    # A table that does not ask keeps exact figures.
    other = Rules(units={"n": "count"}, round_counts_to=10, round_indicators=frozenset({"other"}))
    assert cell(protect(table, other), level="National")["value_display"] == "1288"


def test_low_marks_a_non_zero_figure_that_rounds_to_zero():
    out = single([pct_row(2, 10_000, level="National") | {"old_la_code": None, "region_code": None}])
    assert out[0]["value_display"] == "low" and out[0]["flag"] == "low" and out[0]["value_published"] is None
    national = counts_table({"R1": {"101": np.array([[3]])}}).filter(pl.col("geographic_level") == "National")
    rounded = protect(national, Rules(units={"n": "count"}, round_counts_to=10))
    assert cell(rounded, level="National")["value_display"] == "low"


def test_display_uses_the_indicators_decimal_places():
    out = single([pct_row(1, 8) | {"numerator": 10.0, "denominator": 80.0, "value": 12.5}],
                 Rules(units={"p": "percent"}, decimal_places={"p": 2}))
    assert out[0]["value_display"] == "12.50" and out[0]["value_published"] == 12.5


def test_unknown_indicator_needs_its_unit():
    with pytest.raises(UsageError, match=r"Rules\.units"):
        protect(pl.DataFrame([pct_row(3, 40, ind="not_registered")]))


# Secondary suppression -----------------------------------------------------------------------

def test_one_suppressed_category_takes_the_next_smallest_non_zero_with_it():
    only_la = one_la([3, 0, 7, 20]).filter(pl.col("old_la_code") == "101")  # categories and Total only
    out = protect(only_la, RULES)
    shown = {c: cell(out, la="101", breakdown="a", category=c)["value_display"] for c in ("a0", "a1", "a2", "a3")}
    assert shown == {"a0": "c", "a1": "0", "a2": "c", "a3": "20"}
    assert cell(out, la="101", breakdown="a", category="a2")["suppression"] == "secondary"
    assert cell(out, la="101")["value_display"] == "30"


def test_a_lone_category_equal_to_its_total_suppresses_the_total():
    out = protect(one_la([3, 0]), RULES)
    assert cell(out, la="101", breakdown="a", category="a0")["flag"] == "c"
    assert cell(out, la="101")["flag"] == "c"  # the Total would give a0 away
    assert derivable(out) == []


def test_a_region_with_one_suppressed_la_loses_its_smallest_other_la():
    table = counts_table({"R1": {"101": np.array([[4]]), "102": np.array([[30]]), "103": np.array([[12]])},
                          "R2": {"201": np.array([[50]]), "202": np.array([[60]])}})
    out = protect(table, RULES)
    assert [cell(out, la=la)["value_display"] for la in ("101", "102", "103")] == ["c", "30", "c"]
    assert cell(out, la="103")["suppression"] == "secondary"
    assert cell(out, level="Regional", region="R1")["value_display"] == "46"
    assert derivable(out) == []


def test_suppression_spreads_to_regions_when_a_region_has_one_la():
    table = counts_table({"R1": {"101": np.array([[4]])}, "R2": {"201": np.array([[50]])},
                          "R3": {"301": np.array([[70]])}})
    out = protect(table, RULES)
    assert cell(out, level="Regional", region="R1")["flag"] == "c"
    assert cell(out, level="Regional", region="R2")["flag"] == "c"  # else England - R2 - R3 = R1
    assert derivable(out) == []


def test_las_outside_every_region_count_towards_england():
    table = counts_table({"R1": {"101": np.array([[30]]), "102": np.array([[40]])},
                          "": {"901": np.array([[3]]), "902": np.array([[50]])}})
    out = protect(table, RULES)
    assert cell(out, la="901")["flag"] == "c"
    assert cell(out, la="902")["flag"] == "c"  # else England - R1 - 902 gives 901 away
    assert derivable(out) == []


def test_cells_pinned_by_combining_several_totals_are_protected():
    # Suppressing only within single constraints can still leave a cell recoverable by differencing
    # totals; the exact audit finds it.
    rng = np.random.default_rng(7)
    regions = {f"R{r}": {f"{r}{i:02d}": rng.choice([0, 1, 2, 3, 8, 30], size=(3, 2)) for i in range(3)}
               for r in range(2)}
    out = protect(counts_table(regions), RULES)
    assert derivable(out) == [] and recoverable(out, RULES).is_empty()


def test_without_secondary_suppression_cells_are_recoverable():
    out = protect(one_la([3, 0, 7, 20]), Rules(units={"n": "count"}, secondary=False))
    assert len(recoverable(out, RULES)) == 1


# Linked indicators ---------------------------------------------------------------------------

def _rate(table):
    pop = 10_000.0
    return table.filter(pl.col("breakdown") == "Total").with_columns(
        indicator_id=pl.lit("r"), denominator=pl.lit(pop), value=pl.col("numerator") * 10_000 / pop)


def test_a_rate_on_a_suppressed_count_is_suppressed_declared_or_found():
    table = counts_table({"R1": {"101": np.array([[4]]), "102": np.array([[30]]), "103": np.array([[12]])}})
    both = pl.concat([table, _rate(table)])
    # The rate's own thresholds would publish it; only the link to the count protects it.
    never = IndicatorRule(numerator=Threshold(1, 0), denominator=Threshold(1, 0))
    for rules in (RULES.with_rule(["r"], never),
                  Rules(units=RULES.units, decimal_places=RULES.decimal_places, auto_link=False).with_rule(["r"], never).linked("n", "r")):
        out = protect(both, rules)
        assert [cell(out, la=la, ind="r")["flag"] for la in ("101", "102", "103")] == ["c", None, "c"]
        assert cell(out, la="101", ind="r")["suppression"] == "linked"
    out = protect(both, Rules(units=RULES.units, decimal_places=RULES.decimal_places, auto_link=False).with_rule(["r"], never))
    assert cell(out, la="101", ind="r")["value_display"] == "4"  # no link: the count is given away


def test_a_percentage_whose_denominator_is_a_suppressed_count_is_suppressed():
    table = counts_table({"R1": {"101": np.array([[9], [4]]), "102": np.array([[30], [10]])}})
    # p = (children with some outcome) / (the count n)
    pct = table.with_columns(indicator_id=pl.lit("p"), denominator=pl.col("numerator"),
                             numerator=(pl.col("numerator") * 0.5).floor())
    pct = pct.with_columns(value=pl.when(pl.col("denominator") > 0).then(100 * pl.col("numerator") / pl.col("denominator")))
    out = protect(pl.concat([table, pct]), RULES)
    hidden = out.filter((pl.col("indicator_id") == "n") & (pl.col("flag") == "c")).select(
        "old_la_code", "region_code", "geographic_level", "breakdown", "category")
    assert not hidden.is_empty()
    linked = out.filter(pl.col("indicator_id") == "p").join(
        hidden, on=["old_la_code", "region_code", "geographic_level", "breakdown", "category"], nulls_equal=True)
    assert len(linked) == len(hidden) and (linked["flag"] == "c").all()


def test_protect_returns_new_columns_and_keeps_row_order():
    table = one_la([3, 0, 7, 20])
    out = protect(table, RULES)
    assert out.columns == [*table.columns, "value_published", "value_display", "flag", "suppression"]
    assert out.select(table.columns).equals(table)
    # Protecting an already protected frame gives the same result.
    assert protect(out, RULES).equals(out)


def test_the_result_does_not_depend_on_row_order():
    rng = np.random.default_rng(11)
    regions = {f"R{r}": {f"{r}{i:02d}": rng.choice([0, 1, 2, 4, 7, 30], size=(3, 2)) for i in range(3)}
               for r in range(2)}
    table = counts_table(regions)
    keys = ["geographic_level", "region_code", "old_la_code", "breakdown", "category"]
    first = protect(table, RULES).sort(keys, nulls_last=True)
    shuffled = protect(table.sample(fraction=1.0, shuffle=True, seed=1), RULES).sort(keys, nulls_last=True)
    assert first.equals(shuffled)
