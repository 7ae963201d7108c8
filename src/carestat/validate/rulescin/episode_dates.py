"""Dates of an episode of need and what happens in it: closure within the census year and after
the referral and all the episode's activity, conferences and plan starts within the period."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


def _after(field: str, closure: str = "CINclosureDate") -> pl.Expr:
    """``field`` later than the episode's closure date (false when either is blank)."""
    return (pl.col(field) > pl.col(closure)).fill_null(False)


@cin_rule("8565", tables=("CINdetails", "Assessments", "Section47", "ChildProtectionPlans", "CINplanDates"),
          fields=("CINclosureDate", "DateOfInitialCPC", "AssessmentActualStartDate", "AssessmentAuthorisationDate",
                  "S47ActualStartDate", "CPPendDate", "CINPlanStartDate", "CINPlanEndDate"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINclosureDate="2024-09-30", DateOfInitialCPC="2024-09-30"),
                            fail(CINdetailsID="E2", CINclosureDate="2024-09-30", DateOfInitialCPC="2024-10-01"),
                            fail(CINdetailsID="E3", CINclosureDate="2024-09-30"),
                            fail(CINdetailsID="E4", CINclosureDate="2024-09-30"),
                            fail(CINdetailsID="E5", CINclosureDate="2024-09-30"),
                            fail(CINdetailsID="E6", CINclosureDate="2024-09-30"),
                            ok(CINdetailsID="E7")],
             "Assessments": [ok(CINdetailsID="E1", AssessmentActualStartDate="2024-09-01",
                                AssessmentAuthorisationDate="2024-09-30"),
                             fail(CINdetailsID="E3", AssessmentActualStartDate="2024-09-01",
                                  AssessmentAuthorisationDate="2024-10-01"),
                             ok(CINdetailsID="E3", AssessmentActualStartDate="2024-08-01",
                                AssessmentAuthorisationDate="2024-08-20"),
                             ok(CINdetailsID="E7", AssessmentActualStartDate="2024-10-01")],
             "Section47": [ok(CINdetailsID="E1", S47ActualStartDate="2024-09-10", DateOfInitialCPC="2024-09-30"),
                           fail(CINdetailsID="E4", S47ActualStartDate="2024-09-10", DateOfInitialCPC="2024-10-02"),
                           fail(CINdetailsID="E4", S47ActualStartDate="2024-10-01")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-09-01", CPPendDate="2024-09-30"),
                                      fail(CINdetailsID="E5", CPPstartDate="2024-09-01", CPPendDate="2024-10-01")],
             "CINplanDates": [ok(CINdetailsID="E1", CINPlanStartDate="2024-09-01", CINPlanEndDate="2024-09-30"),
                              fail(CINdetailsID="E6", CINPlanStartDate="2024-09-01", CINPlanEndDate="2024-10-01"),
                              fail(CINdetailsID="E6", CINPlanStartDate="2024-10-01")]}, year=2025,
            note="a CPP's start is not among the dates the rule checks; an open episode has no closure to pass"),
])
def no_activity_after_closure(r: CinReturn) -> RuleResult:
    episode_icpc = _after("DateOfInitialCPC")
    assessment = _after("AssessmentActualStartDate") | _after("AssessmentAuthorisationDate")
    enquiry = _after("S47ActualStartDate") | _after("DateOfInitialCPC")
    plan = _after("CPPendDate")
    cin_plan = _after("CINPlanStartDate") | _after("CINPlanEndDate")
    views = ((r.assessments_episode, assessment), (r.section47_episode, enquiry), (r.cpp_episode, plan),
             (r.cin_plans_episode, cin_plan))
    episodes = pl.concat([r.cin_details.lazy().filter(episode_icpc).select("_row"),
                          *(also(view, condition, "CINdetailsID") for view, condition in views)])
    return {"CINdetails": episodes, "Assessments": where(r.assessments_episode, assessment),
            "Section47": where(r.section47_episode, enquiry), "ChildProtectionPlans": where(r.cpp_episode, plan),
            "CINplanDates": where(r.cin_plans_episode, cin_plan)}


@cin_rule("8620", tables=("CINdetails",), fields=("CINclosureDate",), examples=[
    Example({"CINdetails": [ok(CINclosureDate="2024-04-01"), ok(CINclosureDate="2025-03-31"), ok(CINclosureDate=None),
                            fail(CINclosureDate="2024-03-31"), fail(CINclosureDate="2025-04-01")]}, year=2025),
])
def closure_in_census_year(r: CinReturn) -> Where:
    return where(r.cin_details, _outside_year(r, "CINclosureDate"))


@cin_rule("8630", tables=("CINdetails",), fields=("CINreferralDate", "CINclosureDate"), examples=[
    Example({"CINdetails": [ok(CINreferralDate="2024-05-01", CINclosureDate="2024-05-01"),
                            fail(CINreferralDate="2024-05-01", CINclosureDate="2024-04-30"),
                            ok(CINreferralDate="2024-05-01"), ok(CINclosureDate="2024-04-30")]}),
])
def closure_not_before_referral(r: CinReturn) -> Where:
    return where(r.cin_details, (pl.col("CINclosureDate") < pl.col("CINreferralDate")).fill_null(False))


@cin_rule("8715", tables=("Section47", "CINdetails"), fields=("DateOfInitialCPC",), examples=[
    Example({"Section47": [ok(DateOfInitialCPC="2024-04-01"), ok(DateOfInitialCPC="2025-03-31"),
                           fail(DateOfInitialCPC="2024-03-28"), fail(DateOfInitialCPC="2025-04-01"),
                           ok(DateOfInitialCPC=None)],
             "CINdetails": [ok(DateOfInitialCPC="2024-06-03"), fail(DateOfInitialCPC="2024-03-28"),
                            ok(DateOfInitialCPC=None)]}, year=2025,
            note="the conference date is held in Section47 or, without an enquiry, in CINdetails: both checked"),
])
def conference_in_census_year(r: CinReturn) -> RuleResult:
    return {"Section47": where(r.section47, _outside_year(r, "DateOfInitialCPC")),
            "CINdetails": where(r.cin_details, _outside_year(r, "DateOfInitialCPC"))}


@cin_rule("8720", tables=("ChildProtectionPlans",), fields=("CPPstartDate",), examples=[
    Example({"ChildProtectionPlans": [ok(CPPstartDate="2025-03-31"), ok(CPPstartDate="2022-01-10"),
                                      fail(CPPstartDate="2025-04-01"), fail(CPPstartDate=None)]}, year=2025,
            note="a plan open on 1 April started in an earlier year"),
])
def plan_start_in_period(r: CinReturn) -> Where:
    start = pl.col("CPPstartDate")
    return where(r.cpp, start.is_null() | (start > pl.lit(r.end)))


def _outside_year(r: CinReturn, field: str) -> pl.Expr:
    """``field`` present and outside the census year (1 April to 31 March)."""
    return ((pl.col(field) < pl.lit(r.start)) | (pl.col(field) > pl.lit(r.end))).fill_null(False)
