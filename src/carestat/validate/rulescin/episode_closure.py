"""CINdetails: closure date and reason, open episodes (at most one, the latest), overlapping
episodes, and what a closed episode's assessments and closure reason imply."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, no, overlapping
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where

_ONE_DAY = dt.timedelta(days=1)
# An episode still open that went on to further action: the one a child may have at a time.
_OPEN = pl.col("CINclosureDate").is_null() & no("ReferralNFA")


@cin_rule("8805", tables=("CINdetails",), fields=("CINclosureDate", "ReasonForClosure"), examples=[
    Example({"CINdetails": [ok(CINclosureDate="2024-06-01", ReasonForClosure="RC1"), ok(),
                            ok(ReasonForClosure="RC1"),  # 8810's concern
                            fail(CINclosureDate="2024-06-01"), fail(CINclosureDate="2024-06-01", ReasonForClosure=" ")]}),
])
def closure_date_has_reason(r: CinReturn) -> Where:
    return where(r.cin_details, pl.col("CINclosureDate").is_not_null() & pl.col("ReasonForClosure").is_null())


@cin_rule("8810", tables=("CINdetails",), fields=("ReasonForClosure", "CINclosureDate"), examples=[
    Example({"CINdetails": [ok(CINclosureDate="2024-06-01", ReasonForClosure="RC1"), ok(),
                            ok(CINclosureDate="2024-06-01"),  # 8805's concern
                            fail(ReasonForClosure="RC8"),
                            fail(ReasonForClosure="RC8", CINclosureDate="2024-06-31")]},  # not a date: none given
            note="an unreadable closure date is no closure date"),
])
def closure_reason_has_date(r: CinReturn) -> Where:
    return where(r.cin_details, pl.col("ReasonForClosure").is_not_null() & pl.col("CINclosureDate").is_null())


@cin_rule("8815", tables=("CINdetails",), fields=("ReferralNFA", "CINclosureDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C")],
             "CINdetails": [
                 fail(LAchildID="A", CINreferralDate="2024-05-01", ReferralNFA="false"),
                 fail(LAchildID="A", CINreferralDate="2024-07-01", ReferralNFA="0"),
                 ok(LAchildID="A", CINreferralDate="2024-08-01", ReferralNFA="true"),  # open NFA referrals may be several
                 ok(LAchildID="B", CINreferralDate="2024-05-01", ReferralNFA="false", CINclosureDate="2024-06-01"),
                 ok(LAchildID="B", CINreferralDate="2024-07-01", ReferralNFA="false"),
                 ok(LAchildID="B", CINreferralDate="2024-08-01", ReferralNFA="1"),
                 ok(LAchildID="C", CINreferralDate="2024-05-01", ReferralNFA="false")]}),
])
def one_open_episode(r: CinReturn) -> Where:
    # Per Child element (_child), so children with blank or repeated IDs are kept apart.
    return where(r.cin_details, _OPEN & (_OPEN.sum().over("_child") > 1))


@cin_rule("8816", tables=("CINdetails",), fields=("CINreferralDate", "ReferralNFA"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C")],
             "CINdetails": [
                 fail(LAchildID="A", CINreferralDate="2024-05-01", ReferralNFA="false"),
                 ok(LAchildID="A", CINreferralDate="2024-07-01", ReferralNFA="false", CINclosureDate="2024-08-01"),
                 ok(LAchildID="B", CINreferralDate="2024-05-01", ReferralNFA="false", CINclosureDate="2024-06-01"),
                 ok(LAchildID="B", CINreferralDate="2024-07-01", ReferralNFA="false"),
                 ok(LAchildID="C", CINreferralDate="2024-03-01", ReferralNFA="false", CINclosureDate="2024-04-01"),
                 ok(LAchildID="C", CINreferralDate="2024-04-01", ReferralNFA="false")]}),
    Example({"ChildIdentifiers": [ok(LAchildID="A")],
             "CINdetails": [fail(LAchildID="A", CINreferralDate="2024-04-01", ReferralNFA="false"),
                            ok(LAchildID="A", CINreferralDate="2024-05-01", ReferralNFA="true")]},
            note="a later referral, even one with no further action, makes the open episode not the latest"),
    Example({"ChildIdentifiers": [ok(LAchildID="A")],
             "CINdetails": [ok(LAchildID="A", CINreferralDate="2024-07-01", ReferralNFA="false"),
                            ok(LAchildID="A", CINreferralDate="2024-07-01", ReferralNFA="true")]},
            note="an open episode sharing the latest referral date is the latest"),
])
def open_episode_is_latest(r: CinReturn) -> Where:
    later = pl.col("CINreferralDate") < pl.col("CINreferralDate").max().over("_child")
    return where(r.cin_details, _OPEN & later.fill_null(False))


@cin_rule("8820", tables=("CINdetails",), fields=("CINreferralDate", "CINclosureDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C"), ok(LAchildID="D")],
             "CINdetails": [
                 # A: the second referral starts before the first closed.
                 fail(LAchildID="A", CINreferralDate="2024-05-01", CINclosureDate="2024-07-01", ReferralNFA="false"),
                 fail(LAchildID="A", CINreferralDate="2024-06-30", CINclosureDate="2024-09-01", ReferralNFA="false"),
                 # B: a closure on the day of the next referral is allowed.
                 ok(LAchildID="B", CINreferralDate="2024-05-01", CINclosureDate="2024-07-01", ReferralNFA="false"),
                 ok(LAchildID="B", CINreferralDate="2024-07-01", ReferralNFA="false"),
                 # C: a referral after one still open (and not NFA).
                 fail(LAchildID="C", CINreferralDate="2024-05-01", ReferralNFA="false"),
                 fail(LAchildID="C", CINreferralDate="2024-08-01", CINclosureDate="2024-09-01", ReferralNFA="false"),
                 # D: an open NFA referral spans nothing.
                 ok(LAchildID="D", CINreferralDate="2024-05-01", ReferralNFA="true"),
                 ok(LAchildID="D", CINreferralDate="2024-08-01", ReferralNFA="false")]}, year=2025),
])
def episodes_do_not_overlap(r: CinReturn) -> pl.LazyFrame:
    # A referral may not fall on or after another's referral and before its closure, or (that one
    # open and not NFA) on or before the reference date: a closure day may be the next referral's.
    until = (pl.when(pl.col("CINclosureDate").is_not_null()).then(pl.col("CINclosureDate") - _ONE_DAY)
             .when(no("ReferralNFA")).then(pl.lit(r.end)))
    return overlapping(r.cin_details, "_child", "CINreferralDate", until)


@cin_rule("8825Q", tables=("CINdetails", "Assessments"), fields=("ReasonForClosure",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", ReasonForClosure="RC8"), fail(CINdetailsID="E2", ReasonForClosure="rc9"),
                            ok(CINdetailsID="E3", ReasonForClosure="RC1"), fail(CINdetailsID="E4", ReasonForClosure="RC8")],
             "Assessments": [ok(CINdetailsID="E1", AssessmentActualStartDate="2024-05-01")]}),
])
def closed_after_assessment_has_one(r: CinReturn) -> Where:
    assessed = pl.col("_row").is_in(r.assessments["CINdetailsID"].implode())
    return where(r.cin_details, pl.col("ReasonForClosure").is_in(("RC8", "RC9")).fill_null(False) & ~assessed)


@cin_rule("8867", tables=("Assessments", "CINdetails"), fields=("CINclosureDate", "AssessmentAuthorisationDate"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINclosureDate="2024-09-01"),
                            fail(CINdetailsID="E2", CINclosureDate="2024-09-01"),
                            ok(CINdetailsID="E3")],
             "Assessments": [ok(CINdetailsID="E1", AssessmentActualStartDate="2024-05-01",
                                AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E2", AssessmentActualStartDate="2024-05-01",
                                AssessmentAuthorisationDate="2024-06-01"),
                             fail(CINdetailsID="E2", AssessmentActualStartDate="2024-07-01"),
                             ok(CINdetailsID="E3", AssessmentActualStartDate="2024-07-01")]}),
])
def closed_episode_assessments_completed(r: CinReturn) -> RuleResult:
    v = r.assessments_episode
    open_ = pl.col("CINclosureDate").is_not_null() & pl.col("AssessmentAuthorisationDate").is_null()
    return {"Assessments": where(v, open_), "CINdetails": also(v, open_, "CINdetailsID")}
