"""Initial child protection conferences and the protection plans they start.

A conference's date is held in the Section47 record of the enquiry that led to it or, for a
conference without an enquiry in the episode (a transfer-in, say), in CINdetails. A plan starts
on the day of the conference that decided it.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, RuleResult, fail, ok

WHOLE_RETURN = "_return"  # the examples' pseudo-table for an error about the whole return


def _in_year(r: CinReturn, field: str) -> pl.Expr:
    return pl.col(field).is_between(pl.lit(r.start), pl.lit(r.end)).fill_null(False)


@cin_rule("2883", tables=("ChildProtectionPlans", "CINdetails", "Section47"),
          fields=("CPPstartDate", "DateOfInitialCPC"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", DateOfInitialCPC="2024-06-03"), ok(CINdetailsID="E2")],
             "Section47": [ok(CINdetailsID="E2", DateOfInitialCPC="2024-07-01")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-06-03"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-07-01"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-03-01")],
             WHOLE_RETURN: [ok()]}, year=2025, note="a plan that started before the year is not counted"),
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2")],
             "Section47": [ok(CINdetailsID="E1", DateOfInitialCPC="2024-06-03"),
                           ok(CINdetailsID="E2", DateOfInitialCPC="2024-03-28")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-06-03"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-04-01")],
             WHOLE_RETURN: [fail()]}, year=2025,
            note="two plans started in the year, one conference held in it (the other was in March)"),
])
def more_plans_than_conferences(r: CinReturn) -> RuleResult:
    # Return level: plans starting in the year against conferences held in it (either place).
    def count(frame: pl.DataFrame, field: str, name: str) -> pl.LazyFrame:
        return frame.lazy().select(_in_year(r, field).sum().cast(pl.Int64).alias(name))

    counts = pl.concat([count(r.cpp, "CPPstartDate", "plans"),
                        count(r.cin_details, "DateOfInitialCPC", "at_episode"),
                        count(r.section47, "DateOfInitialCPC", "at_enquiry")], how="horizontal")
    return {None: counts.filter(pl.col("plans") > pl.col("at_episode") + pl.col("at_enquiry"))}


@cin_rule("2884", tables=("Section47", "CINdetails"), fields=("DateOfInitialCPC",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "CINdetails": [fail(CINdetailsID="E1", LAchildID="A", DateOfInitialCPC="2024-06-03"),
                            ok(CINdetailsID="E2", LAchildID="A", DateOfInitialCPC="2024-09-02"),
                            ok(CINdetailsID="E3", LAchildID="B", DateOfInitialCPC="2024-07-01"),
                            ok(CINdetailsID="E4", LAchildID="B")],
             "Section47": [fail(CINdetailsID="E1", DateOfInitialCPC="2024-06-03"),
                           ok(CINdetailsID="E2", DateOfInitialCPC="2024-09-03"),
                           ok(CINdetailsID="E4", DateOfInitialCPC="2024-06-03"),
                           ok(CINdetailsID="E4", DateOfInitialCPC=None)]},
            note="the same conference (same child, same date) at both levels; another child's is its own"),
    Example({"ChildIdentifiers": [ok(LAchildID="A")],
             "CINdetails": [fail(CINdetailsID="E1", LAchildID="A", DateOfInitialCPC="2024-06-03"),
                            ok(CINdetailsID="E2", LAchildID="A")],
             "Section47": [fail(CINdetailsID="E2", DateOfInitialCPC="2024-06-03")]},
            note="recorded in two episodes of the same child is still one conference recorded twice"),
])
def conference_recorded_once(r: CinReturn) -> RuleResult:
    # A conference is the child's: one date recorded both in an enquiry and at episode level.
    enquiries = r.section47.lazy().select("_child", "_row", "DateOfInitialCPC").drop_nulls("DateOfInitialCPC")
    episodes = r.cin_details.lazy().select("_child", pl.col("_row").alias("_row_episode"), "DateOfInitialCPC")
    pairs = enquiries.join(episodes.drop_nulls("DateOfInitialCPC"), on=["_child", "DateOfInitialCPC"])
    return {"Section47": pairs.select("_row"), "CINdetails": pairs.select(pl.col("_row_episode").alias("_row"))}


@cin_rule("2885", tables=("ChildProtectionPlans", "Section47", "CINdetails"), fields=("CPPstartDate", "DateOfInitialCPC"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2", DateOfInitialCPC="2024-07-01"),
                            ok(CINdetailsID="E3"), fail(CINdetailsID="E4", DateOfInitialCPC="2024-08-01"),
                            ok(CINdetailsID="E5")],
             "Section47": [ok(CINdetailsID="E1", DateOfInitialCPC="2024-06-03"),
                           ok(CINdetailsID="E1", DateOfInitialCPC="2024-09-02"),
                           fail(CINdetailsID="E3", DateOfInitialCPC="2024-06-03"),
                           ok(CINdetailsID="E3", DateOfInitialCPC=None),
                           ok(CINdetailsID="E5", DateOfInitialCPC="2024-11-04")],
             "ChildProtectionPlans": [ok(CINdetailsID="E1", CPPstartDate="2024-06-03"),
                                      ok(CINdetailsID="E1", CPPstartDate="2024-09-02"),
                                      fail(CINdetailsID="E1", CPPstartDate="2024-10-01"),
                                      ok(CINdetailsID="E2", CPPstartDate="2024-07-01"),
                                      fail(CINdetailsID="E3", CPPstartDate="2024-06-04"),
                                      fail(CINdetailsID="E4", CPPstartDate="2024-07-01"),
                                      ok(CINdetailsID="E4", CPPstartDate="2024-03-01"),
                                      ok(CINdetailsID="E4", CPPstartDate=None)]}, year=2025,
            note="the conferences of a failing plan's episode that started no plan are flagged with it; plans "
                 "that started before the year are not checked; E5's conference decided on no plan"),
])
def plan_starts_at_conference(r: CinReturn) -> RuleResult:
    # A plan starting in the year starts on the day of a conference recorded in its episode, in an
    # enquiry or (a conference without one) at episode level.
    held = {"Section47": r.section47.lazy().select("_row", "CINdetailsID", "DateOfInitialCPC"),
            "CINdetails": r.cin_details.lazy().select("_row", pl.col("_row").alias("CINdetailsID"), "DateOfInitialCPC")}
    conferences = {name: frame.drop_nulls("DateOfInitialCPC").rename({"DateOfInitialCPC": "CPPstartDate"})
                   for name, frame in held.items()}
    on = ["CINdetailsID", "CPPstartDate"]
    plans = r.cpp.lazy().select("_row", "CINdetailsID", "CPPstartDate")
    failing = (plans.filter(_in_year(r, "CPPstartDate"))
               .join(pl.concat(conferences.values()).select(on), on=on, how="anti"))
    # With each failing plan, its episode's conferences that started no plan (the ones it should match).
    unmatched = {name: frame.join(failing.select("CINdetailsID").unique(), on="CINdetailsID", how="semi")
                 .join(plans.select(on), on=on, how="anti").select("_row") for name, frame in conferences.items()}
    return {"ChildProtectionPlans": failing.select("_row"), **unmatched}
