"""CINplanDates: a child in need plan's own dates, against the census year, its episode and the
child's death (the plan against other plans: ``plans_overlap``)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, starts_after_death, yes
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("4000", tables=("CINdetails", "CINplanDates"), fields=("ReferralNFA",), examples=[
    Example({"CINdetails": [fail(CINdetailsID="E1", ReferralNFA="true"), ok(CINdetailsID="E2", ReferralNFA="false"),
                            ok(CINdetailsID="E3", ReferralNFA="1"), fail(CINdetailsID="E4", ReferralNFA="1")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-06-03"),
                              ok(CINdetailsID="E2", CINPlanStartDate="2024-06-03"),
                              fail(CINdetailsID="E4", CINPlanStartDate=None)]},
            note="E3, no further action, has no plan"),
])
def no_cin_plan_after_no_further_action(r: CinReturn) -> RuleResult:
    v = r.cin_plans_episode
    nfa = yes("ReferralNFA")
    return {"CINplanDates": where(v, nfa), "CINdetails": also(v, nfa, "CINdetailsID")}


@cin_rule("4008", tables=("CINplanDates", "ChildIdentifiers"), fields=("PersonDeathDate", "CINPlanStartDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2024-09-01"),
                                  fail(LAchildID="B", PersonDeathDate="2024-09-01"), ok(LAchildID="C")],
             "CINdetails": [ok(CINdetailsID="E1", LAchildID="A"), ok(CINdetailsID="E2", LAchildID="B"),
                            ok(CINdetailsID="E3", LAchildID="C")],
             "CINplanDates": [ok(CINdetailsID="E1", CINPlanStartDate="2024-09-01"),
                              fail(CINdetailsID="E2", CINPlanStartDate="2024-09-02"),
                              ok(CINdetailsID="E2", CINPlanStartDate="2024-08-02"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-09-02")]}),
])
def cin_plan_starts_before_death(r: CinReturn) -> RuleResult:
    return starts_after_death(r.cin_plans_episode, "CINPlanStartDate", "CINplanDates")


@cin_rule("4009Q", tables=("CINplanDates", "ChildIdentifiers"), fields=("PersonDeathDate", "CINPlanEndDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2024-09-01"),
                                  fail(LAchildID="B", PersonDeathDate="2024-09-01"), ok(LAchildID="C"),
                                  fail(LAchildID="D", PersonDeathDate="2024-09-01")],
             "CINdetails": [ok(CINdetailsID="E1", LAchildID="A"), ok(CINdetailsID="E2", LAchildID="B"),
                            ok(CINdetailsID="E3", LAchildID="C"), ok(CINdetailsID="E4", LAchildID="D")],
             "CINplanDates": [ok(CINdetailsID="E1", CINPlanStartDate="2024-06-01", CINPlanEndDate="2024-09-01"),
                              fail(CINdetailsID="E2", CINPlanStartDate="2024-06-01", CINPlanEndDate="2024-09-02"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-06-01", CINPlanEndDate="2024-09-02"),
                              fail(CINdetailsID="E4", CINPlanStartDate="2024-06-01")]},
            note="a plan still open after the child's death has not ended by it either"),
])
def cin_plan_ends_by_death(r: CinReturn) -> RuleResult:
    v = r.cin_plans_episode
    died = pl.col("PersonDeathDate").is_not_null()
    after = (died & (pl.col("CINPlanEndDate").is_null() | (pl.col("CINPlanEndDate") > pl.col("PersonDeathDate"))))
    return {"CINplanDates": where(v, after), "ChildIdentifiers": also(v, after, "_child")}


@cin_rule("4010", tables=("CINplanDates",), fields=("CINPlanStartDate",), examples=[
    Example({"CINplanDates": [ok(CINPlanStartDate="2025-03-31"), ok(CINPlanStartDate="2020-01-01"),
                              fail(CINPlanStartDate="2025-04-01"), fail(CINPlanStartDate=None),
                              fail(CINPlanStartDate="2025-02-30", CINPlanEndDate="2025-03-01")]}, year=2025,
            note="a plan may start before the year; an unreadable date is no date"),
])
def cin_plan_start_in_period(r: CinReturn) -> Where:
    return where(r.cin_plans, pl.col("CINPlanStartDate").is_null() | (pl.col("CINPlanStartDate") > pl.lit(r.end)))


@cin_rule("4011", tables=("CINplanDates",), fields=("CINPlanEndDate", "CINPlanStartDate"), examples=[
    Example({"CINplanDates": [ok(CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-06-03"),
                              ok(CINPlanStartDate="2024-06-03"), ok(CINPlanEndDate="2024-06-03"),
                              fail(CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-06-02")]}),
])
def cin_plan_ends_after_start(r: CinReturn) -> Where:
    return where(r.cin_plans, (pl.col("CINPlanEndDate") < pl.col("CINPlanStartDate")).fill_null(False))


@cin_rule("4012Q", tables=("CINplanDates",), fields=("CINPlanStartDate", "CINPlanEndDate"), examples=[
    Example({"CINplanDates": [fail(CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-06-03"),
                              ok(CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-06-04"),
                              ok(CINPlanStartDate="2024-06-03")]}),
])
def cin_plan_not_one_day(r: CinReturn) -> Where:
    return where(r.cin_plans, (pl.col("CINPlanEndDate") == pl.col("CINPlanStartDate")).fill_null(False))


@cin_rule("4013", tables=("CINplanDates",), fields=("CINPlanEndDate",), examples=[
    Example({"CINplanDates": [ok(CINPlanEndDate="2024-04-01"), ok(CINPlanEndDate="2025-03-31"), ok(),
                              fail(CINPlanEndDate="2024-03-31"), fail(CINPlanEndDate="2025-04-01")]}, year=2025),
])
def cin_plan_end_in_year(r: CinReturn) -> Where:
    outside = ~pl.col("CINPlanEndDate").is_between(pl.lit(r.start), pl.lit(r.end))
    return where(r.cin_plans, outside.fill_null(False))
