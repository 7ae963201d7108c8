"""ChildProtectionPlans' dates: a plan's own span, the child's death, the census year, and a
child's plans (at most one open, none overlapping)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, overlapping, starts_after_death
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("8840", tables=("ChildProtectionPlans",), fields=("CPPstartDate", "CPPendDate"), examples=[
    Example({"ChildProtectionPlans": [ok(CPPstartDate="2024-05-01", CPPendDate="2024-05-02"),
                                      ok(CPPstartDate="2024-05-01"),
                                      ok(CPPstartDate="2024-05-01", CPPendDate="2024-04-30"),  # 8925's concern
                                      fail(CPPstartDate="2024-05-01", CPPendDate="2024-05-01")]}),
])
def plan_not_one_day(r: CinReturn) -> Where:
    return where(r.cpp, (pl.col("CPPstartDate") == pl.col("CPPendDate")).fill_null(False))


@cin_rule("8915", tables=("ChildProtectionPlans", "ChildIdentifiers"), fields=("CPPstartDate", "PersonDeathDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2024-06-01"),
                                  fail(LAchildID="B", PersonDeathDate="2024-06-01"), ok(LAchildID="C")],
             "ChildProtectionPlans": [ok(LAchildID="A", CPPstartDate="2024-06-01"),
                                      fail(LAchildID="B", CPPstartDate="2024-06-02"),
                                      ok(LAchildID="C", CPPstartDate="2024-06-02")]}),
])
def plan_starts_before_death(r: CinReturn) -> RuleResult:
    return starts_after_death(r.cpp_episode, "CPPstartDate", "ChildProtectionPlans")


@cin_rule("8920", tables=("ChildProtectionPlans", "ChildIdentifiers"), fields=("PersonDeathDate", "CPPendDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2024-06-01"),
                                  fail(LAchildID="B", PersonDeathDate="2024-06-01"), ok(LAchildID="C")],
             "ChildProtectionPlans": [ok(LAchildID="A", CPPstartDate="2024-05-01", CPPendDate="2024-06-01"),
                                      ok(LAchildID="A", CPPstartDate="2024-05-01"),
                                      fail(LAchildID="B", CPPstartDate="2024-05-01", CPPendDate="2024-06-02"),
                                      ok(LAchildID="C", CPPstartDate="2024-05-01", CPPendDate="2024-06-02")]}),
])
def plan_ends_before_death(r: CinReturn) -> RuleResult:
    v = r.cpp_episode
    late = (pl.col("CPPendDate") > pl.col("PersonDeathDate")).fill_null(False)
    return {"ChildProtectionPlans": where(v, late), "ChildIdentifiers": also(v, late, "_child")}


@cin_rule("8930", tables=("ChildProtectionPlans",), fields=("CPPendDate", "ReferenceDate"), examples=[
    Example({"ChildProtectionPlans": [ok(CPPstartDate="2023-05-01", CPPendDate="2024-04-01"),
                                      ok(CPPstartDate="2023-05-01", CPPendDate="2025-03-31"),
                                      ok(CPPstartDate="2023-05-01"),
                                      fail(CPPstartDate="2023-05-01", CPPendDate="2024-03-31"),
                                      fail(CPPstartDate="2023-05-01", CPPendDate="2025-04-01")]}, year=2025),
])
def plan_ends_in_census_year(r: CinReturn) -> Where:
    outside = (pl.col("CPPendDate") < r.start) | (pl.col("CPPendDate") > r.end)
    return where(r.cpp, outside.fill_null(False))


@cin_rule("8935", tables=("ChildProtectionPlans",), fields=("CPPendDate",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "CINdetails": [ok(LAchildID="A", CINdetailsID="E1"), ok(LAchildID="A", CINdetailsID="E2"),
                            ok(LAchildID="B", CINdetailsID="E3")],
             "ChildProtectionPlans": [fail(CINdetailsID="E1", CPPstartDate="2024-05-01"),
                                      fail(CINdetailsID="E2", CPPstartDate="2024-08-01"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-06-01", CPPendDate="2024-07-01"),
                                      ok(CINdetailsID="E3", CPPstartDate="2024-05-01"),
                                      ok(CINdetailsID="E3", CPPstartDate="2024-03-01", CPPendDate="2024-04-01")]},
            note="plans are counted per child, across episodes"),
])
def one_open_plan(r: CinReturn) -> Where:
    open_ = pl.col("CPPendDate").is_null()
    return where(r.cpp, open_ & (open_.sum().over("_child") > 1))


@cin_rule("8940", tables=("ChildProtectionPlans",), fields=("CPPstartDate", "CPPendDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C")],
             "ChildProtectionPlans": [
                 # A: the second starts on the day the first ended.
                 fail(LAchildID="A", CPPstartDate="2024-05-01", CPPendDate="2024-07-01"),
                 fail(LAchildID="A", CPPstartDate="2024-07-01", CPPendDate="2024-09-01"),
                 # B: one after the other, then one still open.
                 ok(LAchildID="B", CPPstartDate="2024-05-01", CPPendDate="2024-07-01"),
                 ok(LAchildID="B", CPPstartDate="2024-07-02"),
                 # C: one starting while an open plan runs to the reference date.
                 fail(LAchildID="C", CPPstartDate="2024-05-01"),
                 fail(LAchildID="C", CPPstartDate="2024-10-01", CPPendDate="2024-12-01")]}, year=2025),
])
def plans_do_not_overlap(r: CinReturn) -> pl.LazyFrame:
    # A plan runs from its start to its end (inclusive), or to the reference date when open.
    until = pl.coalesce(pl.col("CPPendDate"), pl.lit(r.end))
    return overlapping(r.cpp, "_child", "CPPstartDate", until)
