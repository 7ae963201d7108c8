"""Child protection (CIN census): section 47 enquiries, initial child protection conferences, and
child protection plans.

A conference counts in the year it was held (DateOfInitialCPC of a Section47 record); its
timeliness is the working days from the start of the enquiry that led to it (England's bank
holidays excluded, the start day counted and the conference day not), within 15 being on time.
Conferences recorded only on the episode (CINdetails' DateOfInitialCPC, e.g. for a child
transferred in) are not counted: they have no enquiry to time from.

Plans are counted as plans (a child starting two plans in a year counts twice), except at
31 March, where each child is counted once. A plan is second or subsequent when its
NumberOfPreviousCPP is 1 or more (plans with any LA, as the LA records them). A plan lasted 2
years or more when it ended (or, still open, reached 31 March) on or after the second anniversary
of its start: a plan from 1 June 2022 to 1 June 2024 lasted 2 years.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.cin_views import (
    FIRST_YEAR,
    RECORDS,
    SOURCE,
    conferences,
    enquiries,
    plans,
    tally,
)
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import indicator, with_breakdowns

_COMMON = dict(source=SOURCE, first_year=FIRST_YEAR, topic="Child protection")
_RATE = dict(unit="rate_per_10k", polarity="neutral", decimal_places=1,
             denominator="Children aged 0 to 17 (ONS mid-year estimate)", **_COMMON)
_PCT = dict(unit="percent", decimal_places=1, **_COMMON)
_ENQUIRIES = "Section 47 enquiries started in the year (S47ActualStartDate 1 April to 31 March)"
_CONFERENCES = "Initial child protection conferences held in the year after a section 47 enquiry (its DateOfInitialCPC)"
_STARTS = "Child protection plans starting in the year (CPPstartDate 1 April to 31 March)"
_AT_31_MARCH = "Children with a child protection plan open on 31 March (each child once)"
_CEASED = "Child protection plans ending in the year (CPPendDate 1 April to 31 March)"


@indicator(id="cin_s47", name="Section 47 enquiries",
           definition="How many section 47 enquiries (to decide whether to act to protect a child who may be "
                      "suffering significant harm) started during the year.",
           numerator=_ENQUIRIES, denominator="", unit="count", polarity="neutral", **_COMMON)
def cin_s47(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(enquiries(inputs), {}, RECORDS)


@indicator(id="cin_s47_rate", name="Section 47 enquiries per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many section 47 enquiries "
                      "started during the year.",
           numerator=_ENQUIRIES, published_id="s47_rate_per_10k", **_RATE)
def cin_s47_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(enquiries(inputs), {}, RECORDS)


@indicator(id="cin_icpc", name="Initial child protection conferences",
           definition="How many initial child protection conferences were held during the year after a section 47 "
                      "enquiry, by how many working days after the enquiry started.",
           numerator=_CONFERENCES, denominator="", unit="count", polarity="neutral", breakdowns=("timeliness",),
           **_COMMON)
def cin_icpc(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(conferences(inputs), {"timeliness": "timeliness"}, RECORDS)


@indicator(id="cin_icpc_rate", name="Initial child protection conferences per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many initial child "
                      "protection conferences were held during the year.",
           numerator=_CONFERENCES, published_id="icpc_rate_per_10k", **_RATE)
def cin_icpc_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(conferences(inputs), {}, RECORDS)


@indicator(id="cin_icpc_15d_pct", name="Initial child protection conferences within 15 working days (%)",
           definition="Of the initial child protection conferences held during the year, the percentage held "
                      "within 15 working days of the start of the section 47 enquiry that led to them.",
           numerator="Conferences held 15 working days or fewer after S47ActualStartDate", denominator=_CONFERENCES,
           polarity="higher is better", published_id="icpc_within_15_days_pct", **_PCT)
def cin_icpc_15d_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(conferences(inputs), {}, tally("within_15"), RECORDS)


@indicator(id="cin_cpp_starts", name="Child protection plans starting",
           definition="How many child protection plans started during the year, by the initial category of abuse.",
           numerator=_STARTS, denominator="", unit="count", polarity="neutral", breakdowns=("initial_category",),
           published_id="cpp_starts_count", **_COMMON)
def cin_cpp_starts(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(plans(inputs).filter("started"), {"initial_category": "initial_category"}, pl.len())


@indicator(id="cin_cpp_starts_rate", name="Child protection plans starting per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many child protection plans "
                      "started during the year.",
           numerator=_STARTS, published_id="cpp_starts_rate_per_10k", **_RATE)
def cin_cpp_starts_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(plans(inputs).filter("started"), {}, pl.len())


_SUBSEQUENT = dict(numerator="Plans starting in the year with NumberOfPreviousCPP of 1 or more",
                   breakdowns=("initial_category",), **_COMMON)


@indicator(id="cin_cpp_second", name="Child protection plans that were a second or subsequent plan",
           definition="How many of the child protection plans that started during the year were for a child who "
                      "had been the subject of a plan before.",
           denominator="", unit="count", polarity="neutral", published_id="cpp_second_subsequent_count", **_SUBSEQUENT)
def cin_cpp_second(inputs: Inputs) -> pl.DataFrame:
    starts = plans(inputs).filter("started")
    return with_breakdowns(starts, {"initial_category": "initial_category"}, pl.col("subsequent").sum())


@indicator(id="cin_cpp_second_pct", name="Child protection plans that were a second or subsequent plan (%)",
           definition="Of the child protection plans that started during the year, the percentage for a child who "
                      "had been the subject of a plan before (at any time, with any local authority).",
           denominator=_STARTS, unit="percent", polarity="lower is better", published_id="cpp_second_subsequent_pct",
           decimal_places=1, **_SUBSEQUENT)
def cin_cpp_second_pct(inputs: Inputs) -> pl.DataFrame:
    starts = plans(inputs).filter("started")
    return with_breakdowns(starts, {"initial_category": "initial_category"}, pl.col("subsequent").sum(), pl.len())


def _open_31_march(inputs: Inputs) -> pl.DataFrame:
    """One plan per child open on 31 March (the latest started, when records overlap)."""
    return inputs.view("cin.plans_31_march", lambda i: plans(i).filter("open_31_march")
                       .sort("_child_row", "CPPstartDate").filter(pl.col("_child_row").is_last_distinct()))


@indicator(id="cin_cpp_31mar", name="Children with a child protection plan at 31 March",
           definition="How many children were the subject of a child protection plan on 31 March, by the initial "
                      "and the latest category of abuse of their plan.",
           numerator=_AT_31_MARCH, denominator="", unit="count", polarity="neutral",
           breakdowns=("initial_category", "latest_category"), published_id="cpp_count_31mar", **_COMMON)
def cin_cpp_31mar(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_open_31_march(inputs), {b: b for b in ("initial_category", "latest_category")}, pl.len())


@indicator(id="cin_cpp_31mar_rate", name="Children with a child protection plan at 31 March per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many were the subject of a "
                      "child protection plan on 31 March.",
           numerator=_AT_31_MARCH, published_id="cpp_rate_per_10k", **_RATE)
def cin_cpp_31mar_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_open_31_march(inputs), {}, pl.len())


@indicator(id="cin_cpp_31mar_2yrs_pct", name="Child protection plans at 31 March lasting 2 years or more (%)",
           definition="Of the children with a child protection plan on 31 March, the percentage whose plan had "
                      "lasted 2 years or more by then.",
           numerator="Children whose plan open on 31 March started on or before 31 March two years earlier",
           denominator=_AT_31_MARCH, polarity="lower is better", published_id="cpp_2yrs_plus_31mar_pct", **_PCT)
def cin_cpp_31mar_2yrs_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_open_31_march(inputs), {}, pl.col("two_years").sum(), pl.len())


@indicator(id="cin_cpp_ceased", name="Child protection plans ending",
           definition="How many child protection plans ended during the year, by how long they had lasted.",
           numerator=_CEASED, denominator="", unit="count", polarity="neutral", breakdowns=("duration",), **_COMMON)
def cin_cpp_ceased(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(plans(inputs).filter("ceased"), {"duration": "duration"}, pl.len())


@indicator(id="cin_cpp_ceased_2yrs_pct", name="Child protection plans ending that lasted 2 years or more (%)",
           definition="Of the child protection plans that ended during the year, the percentage that had lasted 2 "
                      "years or more.",
           numerator="Plans ending in the year on or after the second anniversary of their CPPstartDate",
           denominator=_CEASED, polarity="lower is better", published_id="cpp_ceased_2yrs_plus_pct", **_PCT)
def cin_cpp_ceased_2yrs_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(plans(inputs).filter("ceased"), {}, pl.col("two_years").sum(), pl.len())
