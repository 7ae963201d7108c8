"""Assessments (CIN census): how many were completed, how long they took in working days, and the
factors social workers identified at the end of them.

An assessment is completed on its authorisation date; its duration is the working days from its
start to that date (England's bank holidays excluded; the start day counts, the end day does not,
so one authorised the day it started took 0 days), in the DfE's bands. Working Together asks for
assessments to be completed within 45 working days.

Factors are a set per assessment. Counts and rates by factor count completed assessments that
recorded the factor, so the factors of one assessment overlap and do not add up to the Total,
which is the number of completed assessments that recorded any factor (code 21, "no factors
identified", included). The combinations table reads three factors together, whoever they concern
(the child, a parent or carer, or another person in the household): domestic abuse (3A-3C), mental
health (4A-4C) and substance misuse (alcohol 1A-1C or drugs 2A-2C); its categories do not overlap.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.cin_views import (
    FIRST_YEAR,
    RECORDS,
    SOURCE,
    assessments,
    factor_groups,
    factors,
    shares,
    tally,
    with_overlapping,
)
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import indicator, with_breakdowns

_COMMON = dict(source=SOURCE, first_year=FIRST_YEAR, topic="Children in need: assessments")
_COMPLETED = "Assessments authorised (completed) in the year (AssessmentAuthorisationDate 1 April to 31 March)"
_WITH_FACTORS = "Assessments completed in the year that recorded at least one factor"
_FACTOR_BREAKDOWNS = ("factor_group", "factor")


@indicator(id="cin_assessments", name="Assessments completed",
           definition="How many assessments of children's needs children's social care completed during the year, "
                      "and how long they took in working days.",
           numerator=_COMPLETED, denominator="", unit="count", polarity="neutral", breakdowns=("duration",),
           **_COMMON)
def cin_assessments(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(assessments(inputs), {"duration": "duration"}, RECORDS)


@indicator(id="cin_assessments_45d_pct", name="Assessments completed within 45 working days (%)",
           definition="Of the assessments completed during the year, the percentage completed within 45 working "
                      "days of starting (weekends and bank holidays in England not counted).",
           numerator="Completed assessments taking 45 working days or fewer from AssessmentActualStartDate to "
                     "AssessmentAuthorisationDate",
           denominator=_COMPLETED, unit="percent", polarity="higher is better",
           published_id="assessments_within_45_days_pct", decimal_places=1, **_COMMON)
def cin_assessments_45d_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(assessments(inputs), {}, tally("within_45"), RECORDS)


def _by_factor(inputs: Inputs) -> pl.DataFrame:
    with_factors = assessments(inputs).filter("has_factors")
    overlapping = {"factor_group": (factor_groups(inputs), "factor_group"), "factor": (factors(inputs), "factor")}
    return with_overlapping(with_factors, {}, overlapping, RECORDS)


@indicator(id="cin_assessment_factors", name="Factors identified at the end of assessment",
           definition="How many of the assessments completed during the year identified each factor (such as "
                      "domestic abuse, mental health or neglect). An assessment can identify several factors.",
           numerator="Completed assessments recording the factor (Total: those recording any factor)",
           denominator="", unit="count", polarity="neutral", breakdowns=_FACTOR_BREAKDOWNS,
           overlapping=_FACTOR_BREAKDOWNS, **_COMMON)
def cin_assessment_factors(inputs: Inputs) -> pl.DataFrame:
    return _by_factor(inputs)


@indicator(id="cin_assessment_factors_rate", name="Factors identified at the end of assessment per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many completed assessments "
                      "during the year identified each factor.",
           numerator="Completed assessments recording the factor (Total: those recording any factor)",
           denominator="Children aged 0 to 17 (ONS mid-year estimate)", unit="rate_per_10k", polarity="neutral",
           breakdowns=_FACTOR_BREAKDOWNS, overlapping=_FACTOR_BREAKDOWNS, decimal_places=1, **_COMMON)
def cin_assessment_factors_rate(inputs: Inputs) -> pl.DataFrame:
    return _by_factor(inputs)


_TRIO = ("domestic abuse (3A-3C), mental health (4A-4C) and substance misuse (alcohol 1A-1C or drugs 2A-2C), "
         "whoever they concern")


@indicator(id="cin_factor_combinations", name="Domestic abuse, mental health and substance misuse together",
           definition="How many of the assessments completed during the year identified domestic abuse, mental "
                      "health and substance misuse together, two of them, one, or none.",
           numerator=f"Completed assessments recording factors, by which of {_TRIO} they recorded",
           denominator="", unit="count", polarity="neutral", breakdowns=("combination",), **_COMMON)
def cin_factor_combinations(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(assessments(inputs).filter("has_factors"), {"combination": "combination"}, RECORDS)


@indicator(id="cin_factor_combinations_pct",
           name="Domestic abuse, mental health and substance misuse together (%)",
           definition="Of the assessments completed during the year that recorded factors, the percentage that "
                      "identified domestic abuse, mental health and substance misuse together, two of them, one, "
                      "or none.",
           numerator=f"Completed assessments recording factors, by which of {_TRIO} they recorded",
           denominator=_WITH_FACTORS, unit="percent", polarity="neutral", breakdowns=("combination",),
           decimal_places=1, **_COMMON)
def cin_factor_combinations_pct(inputs: Inputs) -> pl.DataFrame:
    return shares(assessments(inputs).filter("has_factors"), "combination", "combination")
