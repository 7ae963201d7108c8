"""ChildProtectionPlans and their reviews."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("8925", tables=("ChildProtectionPlans",), fields=("CPPstartDate", "CPPendDate"), examples=[
    Example({"ChildProtectionPlans": [ok(CPPstartDate="2024-05-01", CPPendDate="2024-05-01"),
                                      ok(CPPstartDate="2024-05-01", CPPendDate=None),
                                      fail(CPPstartDate="2024-05-01", CPPendDate="2024-04-30")]}),
])
def plan_ends_after_start(r: CinReturn) -> Where:
    return where(r.cpp, (pl.col("CPPendDate") < pl.col("CPPstartDate")).fill_null(False))


@cin_rule("8841", tables=("Reviews", "ChildProtectionPlans"), fields=("CPPstartDate", "CPPreviewDate"), examples=[
    Example({"ChildProtectionPlans": [ok(CPPID="P1", CPPstartDate="2024-05-01"),
                                      fail(CPPID="P2", CPPstartDate="2024-05-01")],
             "Reviews": [ok(CPPID="P1", CPPreviewDate="2024-05-02"), ok(CPPID="P2", CPPreviewDate="2024-07-01"),
                         fail(CPPID="P2", CPPreviewDate="2024-05-01"), ok(CPPID="P2", CPPreviewDate=None)]}),
])
def review_after_plan_start(r: CinReturn) -> RuleResult:
    v = r.reviews_cpp
    early = (pl.col("CPPreviewDate") <= pl.col("CPPstartDate")).fill_null(False)
    return {"Reviews": where(v, early), "ChildProtectionPlans": also(v, early, "CPPID")}
