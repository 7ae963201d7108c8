"""Property tests: random count tables with categories summing to totals, LAs to regions and
regions to England; after protection no suppressed cell can be worked out."""

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carestat.disclosure import Rules, protect, recoverable
from tests.disclosure.builders import constraints, counts_table, derivable

RULES = Rules(units={"n": "count", "p": "percent"}, decimal_places={"n": 0, "p": 1})
SMALL = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 40])


@st.composite
def hierarchies(draw):
    n_a = draw(st.integers(1, 3))
    n_b = draw(st.integers(1, 3))
    regions = {}
    for r in range(draw(st.integers(1, 3))):
        regions[f"R{r}"] = {
            f"{r}{la:02d}": np.array(draw(st.lists(SMALL, min_size=n_a * n_b, max_size=n_a * n_b))).reshape(n_a, n_b)
            for la in range(draw(st.integers(1, 4)))
        }
    if draw(st.booleans()):  # sometimes LAs that the reference data place in no region
        regions[""] = {f"9{la:02d}": np.array(draw(st.lists(SMALL, min_size=n_a * n_b, max_size=n_a * n_b)))
                       .reshape(n_a, n_b) for la in range(draw(st.integers(1, 2)))}
    return counts_table(regions)


COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(hierarchies())
def test_no_constraint_has_exactly_one_suppressed_cell(table):
    flags = protect(table, RULES)["flag"].to_list()
    for members, total in constraints(table):
        hidden = sum(flags[i] == "c" for i in [*members, total])
        assert hidden != 1, (members, total)


@COMMON
@given(hierarchies())
def test_no_suppressed_cell_can_be_derived(table):
    out = protect(table, RULES)
    assert derivable(out) == []
    assert recoverable(out, RULES).is_empty()


@COMMON
@given(hierarchies())
def test_every_small_la_count_is_suppressed_and_nothing_else_changes(table):
    before = table.clone()
    out = protect(table, RULES)
    assert table.equals(before)  # the input is never changed
    assert out.select(table.columns).equals(table)
    small = out.filter((pl.col("geographic_level") == "Local authority") & pl.col("numerator").is_between(1, 5))
    assert (small["flag"] == "c").all()
    shown = out.filter(pl.col("flag").is_null())
    assert (shown["value_display"] == shown["numerator"].cast(pl.Int64).cast(pl.Utf8)).all()
    # National and regional counts are not suppressed for being small...
    assert out.filter((pl.col("geographic_level") != "Local authority") & (pl.col("suppression") == "primary")).is_empty()


@COMMON
@given(hierarchies(), st.integers(0, 2**32 - 1))
def test_percentages_built_on_suppressed_counts_are_suppressed(table, seed):
    # A percentage whose numerator is the count, over a larger denominator.
    rng = np.random.default_rng(seed)
    den = table["numerator"] + pl.Series(rng.integers(6, 30, len(table))).cast(pl.Float64)
    pct = table.with_columns(indicator_id=pl.lit("p"), denominator=den, value=100 * pl.col("numerator") / den)
    out = protect(pl.concat([table, pct]), RULES)
    counts, pcts = out.filter(pl.col("indicator_id") == "n"), out.filter(pl.col("indicator_id") == "p")
    hidden_count = counts["flag"] == "c"
    assert (pcts.filter(hidden_count)["flag"] == "c").all()
    # ...and the pair is still safe, counting the equal numerators as a constraint.
    n = len(table)
    assert derivable(out, extra=[(i, n + i) for i in range(n)]) == []
