"""What an episode of need holds against how it went: no enquiry, conference or plan after a case
closed at assessment, and an assessment wherever there was an enquiry."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, fail, ok, where

# RC8 case closed after assessment, no further action; RC9 ... referred to early help.
CLOSED_AT_ASSESSMENT = ("RC8", "RC9")


@cin_rule("2990", tables=("CINdetails", "Section47", "ChildProtectionPlans", "CINplanDates"),
          fields=("ReasonForClosure",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", ReasonForClosure="RC8"),
                            fail(CINdetailsID="E2", ReasonForClosure="RC8"),
                            fail(CINdetailsID="E3", ReasonForClosure="rc9"),
                            fail(CINdetailsID="E4", ReasonForClosure="RC9", DateOfInitialCPC="2024-06-03"),
                            fail(CINdetailsID="E5", ReasonForClosure="RC8"),
                            ok(CINdetailsID="E6", ReasonForClosure="RC7", DateOfInitialCPC="2024-06-03"),
                            ok(CINdetailsID="E7")],
             "Assessments": [ok(CINdetailsID="E1")],
             "Section47": [fail(CINdetailsID="E2", S47ActualStartDate="2024-05-01"), ok(CINdetailsID="E6")],
             "ChildProtectionPlans": [fail(CINdetailsID="E3", CPPstartDate="2024-06-03"), ok(CINdetailsID="E6"),
                                      ok(CINdetailsID="E7")],
             "CINplanDates": [fail(CINdetailsID="E5", CINPlanStartDate="2024-06-03"), ok(CINdetailsID="E7")]}),
])
def no_activity_after_closed_at_assessment(r: CinReturn) -> RuleResult:
    closed = pl.col("ReasonForClosure").is_in(CLOSED_AT_ASSESSMENT).fill_null(False)
    # The records holding the activity (from their episode's view), and the episode itself.
    views = {"Section47": r.section47_episode, "ChildProtectionPlans": r.cpp_episode,
             "CINplanDates": r.cin_plans_episode}
    conference = r.cin_details.lazy().filter(closed & pl.col("DateOfInitialCPC").is_not_null()).select("_row")
    episodes = pl.concat([*(also(v, closed, "CINdetailsID") for v in views.values()), conference])
    return {**{name: where(v, closed) for name, v in views.items()}, "CINdetails": episodes}


@cin_rule("2991Q", tables=("CINdetails", "Section47"), fields=("CINdetailsID",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), fail(CINdetailsID="E2"), ok(CINdetailsID="E3"),
                            ok(CINdetailsID="E4")],
             "Assessments": [ok(CINdetailsID="E1"), ok(CINdetailsID="E3")],
             "Section47": [ok(CINdetailsID="E1"), fail(CINdetailsID="E2"), fail(CINdetailsID="E2")]},
            note="E3 has an assessment and no enquiry; E4 neither"),
])
def enquiry_has_assessment(r: CinReturn) -> RuleResult:
    unassessed = ~pl.col("CINdetailsID").is_in(r.assessments["CINdetailsID"].implode())
    with_enquiry = pl.col("_row").is_in(r.section47["CINdetailsID"].implode())
    episode_unassessed = ~pl.col("_row").is_in(r.assessments["CINdetailsID"].implode())
    return {"CINdetails": where(r.cin_details, with_enquiry & episode_unassessed),
            "Section47": where(r.section47, unassessed)}
