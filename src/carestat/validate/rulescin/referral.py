"""CINdetails: the referral (its date and the no-further-action flag) and the episode's codes
(primary need, reason for closure)."""

from __future__ import annotations

import polars as pl

from carestat.refdata.workdays import add_working_days_to
from carestat.validate.cin_context import NO, YES, CinReturn, also, cin_rule, no
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("8555Q", tables=("CINdetails", "ChildIdentifiers"), fields=("PersonDeathDate", "CINreferralDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2024-10-01"),
                                  fail(LAchildID="B", PersonDeathDate="2024-10-01"), ok(LAchildID="C")],
             "CINdetails": [ok(LAchildID="A", CINreferralDate="2024-10-01"),
                            ok(LAchildID="B", CINreferralDate="2024-05-01"),
                            fail(LAchildID="B", CINreferralDate="2024-10-02"),
                            ok(LAchildID="C", CINreferralDate="2024-10-02")]}, year=2025),
])
def referral_not_after_death(r: CinReturn) -> RuleResult:
    v = r.cin_episodes
    late = (pl.col("CINreferralDate") > pl.col("PersonDeathDate")).fill_null(False)
    return {"CINdetails": where(v, late), "ChildIdentifiers": also(v, late, "_child")}


@cin_rule("8568", tables=("CINdetails",), fields=("ReferralNFA",), examples=[
    Example({"CINdetails": [ok(ReferralNFA="true"), ok(ReferralNFA="False"), ok(ReferralNFA="1"), ok(ReferralNFA="0"),
                            fail(ReferralNFA=None), fail(ReferralNFA="maybe"), fail(ReferralNFA="Y")]}),
])
def referral_nfa_flag_valid(r: CinReturn) -> Where:
    return where(r.cin_details, ~pl.col("ReferralNFA").is_in(YES + NO).fill_null(False))


@cin_rule("8569Q", tables=("CINdetails",), fields=("CINreferralDate", "ReferralNFA"), examples=[
    # 2024/25 starts on Monday 1 April 2024, Easter Monday: the working day before is Thursday 28 March.
    Example({"CINdetails": [ok(CINreferralDate="2024-03-28", ReferralNFA="true"),
                            fail(CINreferralDate="2024-03-27", ReferralNFA="true"),
                            fail(CINreferralDate="2023-01-01", ReferralNFA="1"),
                            fail(CINreferralDate="2023-01-01", ReferralNFA=None),
                            ok(CINreferralDate="2023-01-01", ReferralNFA="false"),
                            ok(CINreferralDate="2024-06-01", ReferralNFA="true")]}, year=2025,
            note="the flag must be false: a blank (rule 8568) is not false either"),
    # 2025/26 starts on Tuesday 1 April 2025: the working day before is Monday 31 March.
    Example({"CINdetails": [ok(CINreferralDate="2025-03-31", ReferralNFA="true"),
                            fail(CINreferralDate="2025-03-28", ReferralNFA="true")]}, year=2026),
])
def early_referral_not_nfa(r: CinReturn) -> Where:
    cutoff = pl.lit(add_working_days_to(r.start, -1), dtype=pl.Date)
    early = (pl.col("CINreferralDate") < cutoff).fill_null(False)
    return where(r.cin_details, early & ~no("ReferralNFA"))


@cin_rule("8600", tables=("CINdetails",), fields=("CINreferralDate",), examples=[
    Example({"CINdetails": [ok(CINreferralDate="2025-03-31"), ok(CINreferralDate="2010-01-01"),
                            fail(CINreferralDate="2025-04-01"), fail(CINreferralDate=None),
                            fail(CINreferralDate="2024-13-01")]}, year=2025),
])
def referral_date_present_in_period(r: CinReturn) -> Where:
    referral = pl.col("CINreferralDate")
    return where(r.cin_details, referral.is_null() | (referral > pl.lit(r.end)))


@cin_rule("8640", tables=("CINdetails",), fields=("ReasonForClosure",), examples=[
    Example({"CINdetails": [ok(ReasonForClosure="RC1"), ok(ReasonForClosure="rc9"), ok(ReasonForClosure=None),
                            fail(ReasonForClosure="RC0"), fail(ReasonForClosure="RC10")]}),
])
def reason_for_closure_valid(r: CinReturn) -> Where:
    return where(r.cin_details, _invalid_code(r, "ReasonForClosure"))


@cin_rule("8650", tables=("CINdetails",), fields=("PrimaryNeedCode",), examples=[
    Example({"CINdetails": [ok(PrimaryNeedCode="N0"), ok(PrimaryNeedCode="n9"), ok(PrimaryNeedCode=None),
                            fail(PrimaryNeedCode="N10"), fail(PrimaryNeedCode="9")]}),
])
def primary_need_valid(r: CinReturn) -> Where:
    return where(r.cin_details, _invalid_code(r, "PrimaryNeedCode"))


def _invalid_code(r: CinReturn, field: str) -> pl.Expr:
    """A CINdetails code present but not in the year's list."""
    return pl.col(field).is_not_null() & ~pl.col(field).is_in(r.codes("CINdetails", field))
