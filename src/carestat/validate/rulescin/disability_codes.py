"""Disabilities: the child's disability codes, present and valid for a child in need, and NONE
never beside another code."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("8540", tables=("ChildIdentifiers", "Disabilities"), fields=("Disability", "PersonBirthDate", "ReferralNFA"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonBirthDate="2015-01-01"),
                                  fail(LAchildID="B", PersonBirthDate="2015-01-01"),
                                  ok(LAchildID="C", PersonBirthDate="2015-01-01"),
                                  ok(LAchildID="D", PersonBirthDate="2015-01-01"),
                                  ok(LAchildID="E", ExpectedPersonBirthDate="2025-06-01"),
                                  fail(LAchildID="F", PersonBirthDate="2015-01-01")],
             "Disabilities": [ok(LAchildID="A", Disability="none"), ok(LAchildID="A", Disability="HAND"),
                              ok(LAchildID="C", Disability="MOB"), fail(LAchildID="C", Disability="XYZ"),
                              ok(LAchildID="D", Disability="XYZ"), fail(LAchildID="F", Disability=None)],
             "CINdetails": [ok(LAchildID="A", ReferralNFA="false"), ok(LAchildID="B", ReferralNFA="true"),
                            ok(LAchildID="B", ReferralNFA="0"), ok(LAchildID="C", ReferralNFA="false"),
                            ok(LAchildID="D", ReferralNFA="true"), ok(LAchildID="E", ReferralNFA="false"),
                            ok(LAchildID="F", ReferralNFA="false")]},
            note="B has none; C an invalid code beside a valid one; D and E are out of scope (no further "
                 "action, unborn); F only a blank Disability"),
])
def disability_present_and_valid(r: CinReturn) -> RuleResult:
    in_scope = pl.col("_child").is_in(r.children_further_action) & pl.col("PersonBirthDate").is_not_null()
    born = r.children.filter(in_scope)["_child"].implode()
    recorded = r.disabilities.filter(pl.col("Disability").is_not_null())["_child"].unique().implode()
    valid = r.codes("Disabilities", "Disability")
    return {"ChildIdentifiers": where(r.children, in_scope & ~pl.col("_child").is_in(recorded)),
            "Disabilities": where(r.disabilities, pl.col("_child").is_in(born)
                                  & ~pl.col("Disability").is_in(valid).fill_null(False))}


@cin_rule("8790", tables=("Disabilities",), fields=("Disability",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B"), ok(LAchildID="C")],
             "Disabilities": [fail(LAchildID="A", Disability="NONE"), fail(LAchildID="A", Disability="HAND"),
                              fail(LAchildID="A", Disability="vis"), ok(LAchildID="B", Disability="NONE"),
                              ok(LAchildID="B", Disability=None), ok(LAchildID="C", Disability="HAND"),
                              ok(LAchildID="C", Disability="VIS")]},
            note="NONE and the codes beside it are all flagged; a blank is no code"),
])
def none_alone(r: CinReturn) -> Where:
    code = pl.col("Disability")
    has_none = (code == "NONE").any().over("_child")
    has_other = (code != "NONE").any().over("_child")
    return where(r.disabilities, code.is_not_null() & has_none.fill_null(False) & has_other.fill_null(False))
