"""Plans that must not run at the same time: child in need plans with each other, and with child
protection plans (and their reviews).

A plan without an end date runs to the end of the census year (31 March). A child in need plan
and a protection plan may meet on one day (one ends as the other starts), never overlap; rules
4001, 4003 and 4004 are checked within an episode, as the guide words them, the others across
all the child's episodes (a child is never on two plans at once, whichever episode holds them).
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule, overlapping
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("4001", tables=("ChildProtectionPlans", "CINplanDates"), fields=("CINPlanEndDate", "CPPendDate"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2"), ok(CINdetailsID="E3")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-05-01"),
                              ok(CINdetailsID="E1", CINPlanStartDate="2024-04-01", CINPlanEndDate="2024-04-30"),
                              ok(CINdetailsID="E2", CINPlanStartDate="2024-05-01"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-06-03")],
             "ChildProtectionPlans": [fail(CINdetailsID="E1", CPPstartDate="2024-06-03"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-04-01", CPPendDate="2024-05-01"),
                                      ok(CINdetailsID="E3", CPPstartDate="2024-06-03")]}),
])
def open_cin_plan_and_open_protection_plan(r: CinReturn) -> RuleResult:
    # Both open in one episode: its open protection plans against its open child in need plans.
    plans = r.cin_plans.lazy().filter(pl.col("CINPlanEndDate").is_null()).select("_row", "CINdetailsID")
    cpp = r.cpp.lazy().filter(pl.col("CPPendDate").is_null()).select(pl.col("_row").alias("_row_cpp"), "CINdetailsID")
    pairs = plans.join(cpp, on="CINdetailsID")
    return {"ChildProtectionPlans": pairs.select(pl.col("_row_cpp").alias("_row")), "CINplanDates": pairs.select("_row")}


@cin_rule("4003", tables=("Reviews", "CINplanDates"),
          fields=("CINPlanStartDate", "CINPlanEndDate", "CPPreviewDate"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2"), ok(CINdetailsID="E3")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-09-02"),
                              ok(CINdetailsID="E1", CINPlanStartDate="2024-11-04"),
                              fail(CINdetailsID="E2", CINPlanStartDate="2024-10-01"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-06-03")],
             "ChildProtectionPlans": [ok(CPPID="P1", CINdetailsID="E1", CPPstartDate="2024-04-01",
                                         CPPendDate="2024-12-02"),
                                      ok(CPPID="P2", CINdetailsID="E2", CPPstartDate="2024-04-01")],
             "Reviews": [ok(CPPID="P1", CPPreviewDate="2024-06-03"), fail(CPPID="P1", CPPreviewDate="2024-07-01"),
                         ok(CPPID="P1", CPPreviewDate="2024-09-02"), ok(CPPID="P1", CPPreviewDate="2024-12-02"),
                         ok(CPPID="P2", CPPreviewDate="2024-09-30"), fail(CPPID="P2", CPPreviewDate="2025-03-31")]},
            year=2025, note="a review on a plan's first or last day is not inside it, nor one on the day the "
                            "protection plan ended (2 December, inside E1's open plan); E3 has no reviews"),
])
def review_outside_cin_plans(r: CinReturn) -> RuleResult:
    # Within an episode; a plan not yet ended runs to 31 March (a review that day is inside it).
    reviews = r.reviews_cpp.lazy().select("_row", "CINdetailsID", "CPPreviewDate", "CPPendDate")
    until = pl.col("CINPlanEndDate").fill_null(pl.lit(r.end) + pl.duration(days=1))
    plans = r.cin_plans.lazy().select(pl.col("_row").alias("_row_plan"), "CINdetailsID", "CINPlanStartDate",
                                      until.alias("_until"))
    inside = ((pl.col("CPPreviewDate") > pl.col("CINPlanStartDate")) & (pl.col("CPPreviewDate") < pl.col("_until"))
              & pl.col("CPPreviewDate").ne_missing(pl.col("CPPendDate")))
    pairs = reviews.join(plans, on="CINdetailsID").filter(inside)
    return {"Reviews": pairs.select("_row"), "CINplanDates": pairs.select(pl.col("_row_plan").alias("_row"))}


@cin_rule("4004", tables=("CINplanDates",), fields=("CINPlanEndDate",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-05-01"),
                              fail(CINdetailsID="E1", CINPlanStartDate="2024-07-01"),
                              ok(CINdetailsID="E1", CINPlanStartDate="2024-04-01", CINPlanEndDate="2024-04-30"),
                              ok(CINdetailsID="E2", CINPlanStartDate="2024-05-01")]}),
])
def one_open_cin_plan(r: CinReturn) -> Where:
    open_plan = pl.col("CINPlanEndDate").is_null()
    return where(r.cin_plans, open_plan & (open_plan.sum().over("CINdetailsID") > 1))


@cin_rule("4014", tables=("CINplanDates",), fields=("CINPlanStartDate", "CINPlanEndDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C")],
             "CINdetails": [ok(CINdetailsID="E1", LAchildID="A"), ok(CINdetailsID="E2", LAchildID="A"),
                            ok(CINdetailsID="E3", LAchildID="B"), ok(CINdetailsID="E4", LAchildID="C")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-07-01"),
                              fail(CINdetailsID="E1", CINPlanStartDate="2024-07-01"),
                              ok(CINdetailsID="E2", CINPlanStartDate="2023-05-01", CINPlanEndDate="2024-04-30"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-06-30"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-07-01"),
                              fail(CINdetailsID="E4", CINPlanStartDate="2024-05-01"),
                              fail(CINdetailsID="E4", CINPlanStartDate="2025-03-31")]},
            year=2025, note="a plan starting the day another ends overlaps it (the guide: 'start to end date')"),
])
def cin_plans_do_not_overlap(r: CinReturn) -> pl.LazyFrame:
    return overlapping(r.cin_plans, "_child", "CINPlanStartDate", pl.col("CINPlanEndDate").fill_null(pl.lit(r.end)))


def _pairs(r: CinReturn) -> pl.LazyFrame:
    """Each child's child in need plans beside their protection plans (any episode)."""
    plans = r.cin_plans.lazy().select("_child", "_row", "CINPlanStartDate", "CINPlanEndDate")
    cpp = r.cpp.lazy().select("_child", pl.col("_row").alias("_row_cpp"), "CPPstartDate", "CPPendDate")
    return plans.join(cpp, on="_child")


def _starts_within(start: str, other_start: str, other_end: str, r: CinReturn) -> pl.Expr:
    """``start`` on or after ``other_start`` and before ``other_end`` (ending that day is not
    overlapping), or on or before 31 March when the other has not ended."""
    until = pl.when(pl.col(other_end).is_null()).then(pl.col(start) <= pl.lit(r.end)).otherwise(
        pl.col(start) < pl.col(other_end))
    return ((pl.col(start) >= pl.col(other_start)) & until).fill_null(False)


@cin_rule("4016", tables=("CINplanDates", "ChildProtectionPlans"),
          fields=("CINPlanStartDate", "CPPstartDate", "CPPendDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "CINdetails": [ok(CINdetailsID="E1", LAchildID="A"), ok(CINdetailsID="E2", LAchildID="A"),
                            ok(CINdetailsID="E3", LAchildID="B")],
             "ChildProtectionPlans": [fail(CINdetailsID="E1", CPPstartDate="2024-05-01", CPPendDate="2024-09-02"),
                                      fail(CINdetailsID="E3", CPPstartDate="2024-05-01")],
             "CINplanDates": [ok(CINdetailsID="E1", CINPlanStartDate="2024-09-02"),
                              fail(CINdetailsID="E2", CINPlanStartDate="2024-06-03", CINPlanEndDate="2024-07-01"),
                              ok(CINdetailsID="E1", CINPlanStartDate="2024-04-01", CINPlanEndDate="2024-05-01"),
                              fail(CINdetailsID="E3", CINPlanStartDate="2025-03-31"),
                              ok(CINdetailsID="E3", CINPlanStartDate="2024-04-30")]},
            year=2025, note="a child in need plan starting the day a protection plan ends follows it"),
])
def cin_plan_not_during_protection_plan(r: CinReturn) -> RuleResult:
    pairs = _pairs(r).filter(_starts_within("CINPlanStartDate", "CPPstartDate", "CPPendDate", r))
    return {"CINplanDates": pairs.select("_row"), "ChildProtectionPlans": pairs.select(pl.col("_row_cpp").alias("_row"))}


@cin_rule("4017", tables=("ChildProtectionPlans", "CINplanDates"),
          fields=("CINPlanStartDate", "CINPlanEndDate", "CPPstartDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "CINdetails": [ok(CINdetailsID="E1", LAchildID="A"), ok(CINdetailsID="E2", LAchildID="A"),
                            ok(CINdetailsID="E3", LAchildID="B")],
             "CINplanDates": [fail(CINdetailsID="E1", CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-09-02"),
                              fail(CINdetailsID="E3", CINPlanStartDate="2024-05-01")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-09-02"),
                                      fail(CINdetailsID="E2", CPPstartDate="2024-06-03", CPPendDate="2024-07-01"),
                                      ok(CINdetailsID="E1", CPPstartDate="2024-04-01", CPPendDate="2024-05-01"),
                                      fail(CINdetailsID="E3", CPPstartDate="2025-03-31"),
                                      ok(CINdetailsID="E3", CPPstartDate="2024-04-30")]},
            year=2025, note="a protection plan starting the day a child in need plan ends replaces it"),
])
def protection_plan_not_during_cin_plan(r: CinReturn) -> RuleResult:
    pairs = _pairs(r).filter(_starts_within("CPPstartDate", "CINPlanStartDate", "CINPlanEndDate", r))
    return {"ChildProtectionPlans": pairs.select(pl.col("_row_cpp").alias("_row")), "CINplanDates": pairs.select("_row")}
