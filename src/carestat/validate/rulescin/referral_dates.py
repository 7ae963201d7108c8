"""Nothing in an episode of need starts before its referral: conferences, section 47 enquiries,
protection plans and child in need plans (rule 1103, assessments, is in ``assessments``).

Each rule flags the record that starts too early and the episode (CINdetails) whose referral date
it is compared with."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, fail, ok, where


def _before_referral(field: str) -> pl.Expr:
    return (pl.col(field) < pl.col("CINreferralDate")).fill_null(False)


@cin_rule("1104", tables=("Section47", "CINdetails"), fields=("CINreferralDate", "DateOfInitialCPC"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E2", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E3", CINreferralDate="2024-05-01", DateOfInitialCPC="2024-04-30"),
                            ok(CINdetailsID="E4", CINreferralDate="2024-05-01", DateOfInitialCPC="2024-05-01"),
                            ok(CINdetailsID="E5", CINreferralDate=None, DateOfInitialCPC="2024-04-30")],
             "Section47": [ok(CINdetailsID="E1", DateOfInitialCPC="2024-05-01"),
                           ok(CINdetailsID="E1", DateOfInitialCPC=None),
                           fail(CINdetailsID="E2", DateOfInitialCPC="2024-04-30"),
                           ok(CINdetailsID="E2", DateOfInitialCPC="2024-05-20"),
                           ok(CINdetailsID="E5", DateOfInitialCPC="2024-04-01")]},
            note="the conference date is checked where it is held: Section47 and, without an enquiry, CINdetails"),
])
def conference_not_before_referral(r: CinReturn) -> RuleResult:
    s47 = r.section47_episode
    early = _before_referral("DateOfInitialCPC")
    # CINdetails holds the date of a conference with no enquiry in the episode (a transfer-in, say).
    own = (pl.col("DateOfInitialCPC") < pl.col("CINreferralDate")).fill_null(False)
    return {"Section47": where(s47, early),
            "CINdetails": pl.concat([also(s47, early, "CINdetailsID"), r.cin_details.lazy().filter(own).select("_row")])}


@cin_rule("1105", tables=("ChildProtectionPlans", "CINdetails"), fields=("CPPstartDate", "CINreferralDate"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E2", CINreferralDate="2024-05-01"),
                            ok(CINdetailsID="E3", CINreferralDate=None)],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-05-01"),
                                      fail(CINdetailsID="E2", CPPstartDate="2024-04-30"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-06-01"),
                                      ok(CINdetailsID="E3", CPPstartDate="2024-04-30"),
                                      ok(CINdetailsID="E1", CPPstartDate=None)]}),
])
def protection_plan_not_before_referral(r: CinReturn) -> RuleResult:
    v = r.cpp_episode
    early = _before_referral("CPPstartDate")
    return {"ChildProtectionPlans": where(v, early), "CINdetails": also(v, early, "CINdetailsID")}


@cin_rule("2889", tables=("Section47", "CINdetails"), fields=("S47ActualStartDate", "CINreferralDate"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E2", CINreferralDate="2024-05-01")],
             "Section47": [ok(CINdetailsID="E1", S47ActualStartDate="2024-05-01"),
                           ok(CINdetailsID="E1", S47ActualStartDate=None),
                           fail(CINdetailsID="E2", S47ActualStartDate="2024-04-01"),
                           ok(CINdetailsID="E2", S47ActualStartDate="2024-05-02")]}),
])
def enquiry_not_before_referral(r: CinReturn) -> RuleResult:
    v = r.section47_episode
    early = _before_referral("S47ActualStartDate")
    return {"Section47": where(v, early), "CINdetails": also(v, early, "CINdetailsID")}


@cin_rule("4015", tables=("CINplanDates", "CINdetails"), fields=("CINPlanStartDate", "CINreferralDate"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E2", CINreferralDate="2024-05-01")],
             "CINplanDates": [ok(CINdetailsID="E1", CINPlanStartDate="2024-05-01"),
                              fail(CINdetailsID="E2", CINPlanStartDate="2024-04-30"),
                              ok(CINdetailsID="E2", CINPlanStartDate=None)]}),
])
def cin_plan_not_before_referral(r: CinReturn) -> RuleResult:
    v = r.cin_plans_episode
    early = _before_referral("CINPlanStartDate")
    return {"CINplanDates": where(v, early), "CINdetails": also(v, early, "CINdetailsID")}
