"""Children in need (CIN census): how many on 31 March and during the year, by primary need and
disability.

A child is in need while an episode of need is open (from the referral to its closure), except an
episode whose referral led to no further action or that closed when the assessment found the child
not in need (RC8, or RC9 referred to early help): as the DfE counts them, children in need are
children assessed to be in need. Each child is counted once: on 31 March by the
episode open then, during the year by any episode open at some time in it. The primary need is
the one recorded on that episode (the latest referral's, when several were open). Disabilities
are a set per child: a child with two is counted under both (so they overlap), while the
"disabled" breakdown counts each child once (any disability other than NONE).
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.cin_views import (
    FIRST_YEAR,
    RECORDS,
    SOURCE,
    disabilities,
    in_need,
    with_overlapping,
)
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import indicator

_COMMON = dict(source=SOURCE, first_year=FIRST_YEAR, topic="Children in need")
_BREAKDOWNS = ("primary_need", "disabled", "disability")
_AT_31_MARCH = "Children with an episode of need open on 31 March (not a referral with no further action)"
_NOT_IN_NEED = "not a referral with no further action, nor an episode closed after assessment (RC8, RC9)"


def _counts(inputs: Inputs, at_31_march: bool) -> pl.DataFrame:
    """Children in need (on 31 March, or at any time in the year) by need and disability."""
    def chosen(tallies: pl.DataFrame) -> pl.DataFrame:
        return tallies.filter("at_31_march") if at_31_march else tallies
    return with_overlapping(chosen(in_need(inputs)), {"primary_need": "primary_need", "disabled": "disabled"},
                            {"disability": (chosen(disabilities(inputs)), "disability")}, RECORDS)


@indicator(id="cin_31mar", name="Children in need at 31 March",
           definition="How many children were in need (receiving children's social care services, including "
                      "children on child in need or child protection plans and children looked after) on 31 March.",
           numerator=_AT_31_MARCH, denominator="", unit="count", polarity="neutral", breakdowns=_BREAKDOWNS,
           overlapping=("disability",), published_id="cin_count_31mar", **_COMMON)
def cin_31mar(inputs: Inputs) -> pl.DataFrame:
    return _counts(inputs, at_31_march=True)


@indicator(id="cin_31mar_rate", name="Children in need at 31 March per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many were in need on "
                      "31 March.",
           numerator=_AT_31_MARCH, denominator="Children aged 0 to 17 (ONS mid-year estimate)", unit="rate_per_10k",
           polarity="neutral", breakdowns=_BREAKDOWNS, overlapping=("disability",), published_id="cin_rate_per_10k",
           decimal_places=1, **_COMMON)
def cin_31mar_rate(inputs: Inputs) -> pl.DataFrame:
    return _counts(inputs, at_31_march=True)


@indicator(id="cin_in_year", name="Children in need at any time during the year",
           definition="How many children were in need at some time during the year (each child once).",
           numerator=f"Children with an episode of need open at some time from 1 April to 31 March ({_NOT_IN_NEED})",
           denominator="", unit="count", polarity="neutral", breakdowns=_BREAKDOWNS, overlapping=("disability",),
           published_id="cin_children_anytime_count", **_COMMON)
def cin_in_year(inputs: Inputs) -> pl.DataFrame:
    return _counts(inputs, at_31_march=False)
