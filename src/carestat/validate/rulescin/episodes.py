"""CINdetails: episodes of need (referral, primary need, closure)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, no
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where

_FORTY_WEEKS = dt.timedelta(days=280)


@cin_rule("8606", tables=("CINdetails", "ChildIdentifiers"),
          fields=("CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonBirthDate="2024-01-01"),
                                  fail(LAchildID="B", ExpectedPersonBirthDate="2025-01-01"),
                                  ok(LAchildID="C")],
             "CINdetails": [ok(LAchildID="A", CINreferralDate="2023-03-28"),  # 279 days before
                            ok(LAchildID="A", CINreferralDate="2023-03-27"),  # 280 days: not more
                            fail(LAchildID="B", CINreferralDate="2024-03-26"),
                            ok(LAchildID="C", CINreferralDate="2000-01-01")]}),
])
def referral_not_long_before_birth(r: CinReturn) -> RuleResult:
    v = r.cin_episodes
    early = pl.any_horizontal(pl.col("CINreferralDate") < pl.col(b) - _FORTY_WEEKS
                              for b in ("PersonBirthDate", "ExpectedPersonBirthDate")).fill_null(False)
    return {"CINdetails": where(v, early), "ChildIdentifiers": also(v, early, "_child")}


@cin_rule("8610", tables=("CINdetails",), fields=("ReferralNFA", "PrimaryNeedCode"), examples=[
    Example({"CINdetails": [ok(ReferralNFA="false", PrimaryNeedCode="N1"), ok(ReferralNFA="true"),
                            ok(ReferralNFA="1"), fail(ReferralNFA="false"), fail(ReferralNFA="0"),
                            fail(ReferralNFA="FALSE", PrimaryNeedCode=" ")]}),
])
def primary_need_when_further_action(r: CinReturn) -> Where:
    return where(r.cin_details, no("ReferralNFA") & pl.col("PrimaryNeedCode").is_null())
