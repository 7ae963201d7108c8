"""What a referral records: its source, and no activity below one with no further action."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, yes
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where

_SOURCE_REQUIRED_FROM = dt.date(2013, 4, 1)


@cin_rule("8831", tables=("CINdetails", "Assessments", "Section47"),
          fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate", "S47ActualStartDate", "DateOfInitialCPC"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", ReferralNFA="true"),
                            fail(CINdetailsID="E2", ReferralNFA="1"),
                            fail(CINdetailsID="E3", ReferralNFA="true"),
                            fail(CINdetailsID="E4", ReferralNFA="true", DateOfInitialCPC="2024-06-03"),
                            ok(CINdetailsID="E5", ReferralNFA="false", DateOfInitialCPC="2024-06-03")],
             "Assessments": [fail(CINdetailsID="E2", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E5", AssessmentActualStartDate="2024-05-01")],
             "Section47": [ok(CINdetailsID="E1"),  # an empty Section47 group carries no activity
                           fail(CINdetailsID="E3", S47ActualStartDate="2024-05-01"),
                           ok(CINdetailsID="E5", S47ActualStartDate="2024-05-01", DateOfInitialCPC="2024-06-03")]}),
])
def no_activity_after_nfa(r: CinReturn) -> RuleResult:
    # "It cannot have" the dates: those of its Assessments and Section47 groups, and the episode's
    # own DateOfInitialCPC (a conference without an enquiry in the episode).
    assessed = yes("ReferralNFA") & (pl.col("AssessmentActualStartDate").is_not_null()
                                     | pl.col("AssessmentAuthorisationDate").is_not_null())
    enquired = yes("ReferralNFA") & (pl.col("S47ActualStartDate").is_not_null()
                                     | pl.col("DateOfInitialCPC").is_not_null())
    a, s = r.assessments_episode, r.section47_episode
    conference = r.cin_details.lazy().filter(yes("ReferralNFA") & pl.col("DateOfInitialCPC").is_not_null())
    episodes = pl.concat([also(a, assessed, "CINdetailsID"), also(s, enquired, "CINdetailsID"),
                          conference.select("_row")])
    return {"CINdetails": episodes, "Assessments": where(a, assessed), "Section47": where(s, enquired)}


@cin_rule("8832", tables=("ChildProtectionPlans", "CINdetails"), fields=("CINdetailsID", "ReferralNFA"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", ReferralNFA="false"), fail(CINdetailsID="E2", ReferralNFA="true"),
                            ok(CINdetailsID="E3", ReferralNFA="true")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-05-01"),
                                      fail(CINdetailsID="E2", CPPstartDate="2024-05-01")]}),
])
def no_protection_plan_after_nfa(r: CinReturn) -> RuleResult:
    v = r.cpp_episode
    return {"ChildProtectionPlans": where(v, yes("ReferralNFA")), "CINdetails": also(v, yes("ReferralNFA"), "CINdetailsID")}


@cin_rule("8866", tables=("CINdetails",), fields=("CINreferralDate", "ReferralSource"), examples=[
    Example({"CINdetails": [ok(CINreferralDate="2024-05-01", ReferralSource="1A"),
                            ok(CINreferralDate="2024-05-01", ReferralSource="5d"),
                            fail(CINreferralDate="2024-05-01", ReferralSource="99"),
                            fail(CINreferralDate="2013-04-01"),
                            ok(CINreferralDate="2013-03-31"),  # before the source was collected
                            ok(ReferralSource="1A")]}),
])
def referral_source_valid(r: CinReturn) -> Where:
    invalid = ~pl.col("ReferralSource").is_in(r.codes("CINdetails", "ReferralSource")).fill_null(False)
    return where(r.cin_details, (pl.col("CINreferralDate") >= _SOURCE_REQUIRED_FROM).fill_null(False) & invalid)
