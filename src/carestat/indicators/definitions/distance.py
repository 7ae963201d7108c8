"""How far from home children in care live: more than 20 miles away, outside the LA, or both.

Distances are the DfE's derived ``PL_DISTANCE`` (straight-line miles between the postcode sectors of
the child's home and placement, see :mod:`carestat.ingest.derived903`) and ``PL_LOCATION`` (IN or
OUT of the responsible LA's area, from the placement postcode). Following the DfE, distance measures
leave out children placed for adoption (PLACE A3-A6) and children whose distance is not known (a
home or placement postcode blank or not found; unaccompanied asylum-seeking children have no home
postcode). Whether the placement is outside the LA needs only the placement postcode, so that
measure keeps children placed for adoption and UASC whenever the placement's LA is known.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.history import ADOPTION
from carestat.indicators.inputs import CHILD_ID, Inputs
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import looked_after_at_31_march

_BREAKDOWNS = ("placement", "age_band")
MILES = 20


def _cla(inputs: Inputs) -> pl.DataFrame:
    return inputs.view(f"{__name__}._cla", _build)


def _build(inputs: Inputs) -> pl.DataFrame:
    cla = looked_after_at_31_march(inputs).select("la_code", CHILD_ID, "year", *_BREAKDOWNS, "PLACE", "PL_DISTANCE",
                                                  "PL_LOCATION")
    return cla.with_columns(
        _distance_known=~pl.col("PLACE").is_in(ADOPTION).fill_null(False) & pl.col("PL_DISTANCE").is_not_null(),
        _far=(pl.col("PL_DISTANCE") > MILES).fill_null(False),
        _outside=(pl.col("PL_LOCATION") == "OUT").fill_null(False),
    )


_COMMON = dict(unit="percent", breakdowns=_BREAKDOWNS, topic="Placement location")


@indicator(id="cla_placed_20miles_pct", name="Children looked after placed more than 20 miles from home (%)",
           definition="Of children in care on 31 March, the percentage living more than 20 miles (in a straight "
                      "line) from the home they came from. Children placed for adoption, and children whose home "
                      "or placement postcode is not known, are left out.",
           numerator="Children looked after on 31 March with PL_DISTANCE over 20 miles",
           denominator="Children looked after on 31 March (not short breaks only), not placed for adoption "
                       "(A3-A6), with a known distance", polarity="lower is better", **_COMMON)
def cla_placed_20miles_pct(inputs: Inputs) -> pl.DataFrame:
    cohort = _cla(inputs).filter(pl.col("_distance_known"))
    return with_breakdowns(cohort, {b: b for b in _BREAKDOWNS}, pl.col("_far").sum(), pl.len())


@indicator(id="cla_placed_outside_la_pct", name="Children looked after placed outside the local authority (%)",
           definition="Of children in care on 31 March, the percentage whose placement is outside the area of "
                      "the local authority looking after them. Children whose placement postcode is not known "
                      "are left out.",
           numerator="Children looked after on 31 March with PL_LOCATION OUT",
           denominator="Children looked after on 31 March (not short breaks only) whose placement LA is known",
           polarity="lower is better", **_COMMON)
def cla_placed_outside_la_pct(inputs: Inputs) -> pl.DataFrame:
    cohort = _cla(inputs).filter(pl.col("PL_LOCATION").is_not_null())
    return with_breakdowns(cohort, {b: b for b in _BREAKDOWNS}, pl.col("_outside").sum(), pl.len())


@indicator(id="cla_placed_20miles_outside_la_pct",
           name="Children looked after placed more than 20 miles from home and outside the local authority (%)",
           definition="Of children in care on 31 March, the percentage living both more than 20 miles from home "
                      "and outside the area of the local authority looking after them. Children placed for "
                      "adoption, and children whose home or placement postcode is not known, are left out.",
           numerator="Children looked after on 31 March with PL_DISTANCE over 20 miles and PL_LOCATION OUT",
           denominator="Children looked after on 31 March (not short breaks only), not placed for adoption "
                       "(A3-A6), with a known distance and placement LA", polarity="lower is better",
           published_id="cla_placed_20miles_outside_la_pct", **_COMMON)
def cla_placed_20miles_outside_la_pct(inputs: Inputs) -> pl.DataFrame:
    cohort = _cla(inputs).filter(pl.col("_distance_known") & pl.col("PL_LOCATION").is_not_null())
    return with_breakdowns(cohort, {b: b for b in _BREAKDOWNS}, (pl.col("_far") & pl.col("_outside")).sum(),
                           pl.len())
