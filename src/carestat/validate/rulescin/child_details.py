"""ChildIdentifiers' details: unique IDs, dates of birth and death, unborn children's sex, UPNs,
and age. Rules that compare the child with its episodes flag both records."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, yes
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("8510", tables=("ChildIdentifiers",), fields=("LAchildID",), examples=[
    Example({"ChildIdentifiers": [fail(LAchildID="A"), ok(LAchildID="B"), fail(LAchildID="A"),
                                  ok(LAchildID=None), ok(LAchildID=None), ok(LAchildID="a")]},
            note="blank IDs are rule 8500's concern; IDs are compared as given"),
])
def la_child_id_unique(r: CinReturn) -> Where:
    return where(r.children, pl.col("LAchildID").is_not_null() & (pl.len().over("LAchildID") > 1))


@cin_rule("8520", tables=("ChildIdentifiers",), fields=("PersonBirthDate",), examples=[
    Example({"ChildIdentifiers": [ok(PersonBirthDate="2025-03-31"), fail(PersonBirthDate="2025-04-01"),
                                  ok(PersonBirthDate=None, ExpectedPersonBirthDate="2025-06-01")]}, year=2025),
])
def born_by_reference_date(r: CinReturn) -> Where:
    return where(r.children, (pl.col("PersonBirthDate") > pl.lit(r.end)).fill_null(False))


@cin_rule("8530Q", tables=("ChildIdentifiers",), fields=("ExpectedPersonBirthDate",), examples=[
    # Reference date 31 March 2025: from 30 days before (1 March) to 9 months after (31 December).
    Example({"ChildIdentifiers": [ok(ExpectedPersonBirthDate="2025-03-01"), fail(ExpectedPersonBirthDate="2025-02-28"),
                                  ok(ExpectedPersonBirthDate="2025-12-31"), fail(ExpectedPersonBirthDate="2026-01-01"),
                                  ok(PersonBirthDate="2020-01-01")]}, year=2025),
])
def expected_birth_in_range(r: CinReturn) -> Where:
    earliest = r.end - dt.timedelta(days=30)
    latest = pl.lit(r.end).dt.offset_by("9mo")
    expected = pl.col("ExpectedPersonBirthDate")
    return where(r.children, ((expected < pl.lit(earliest)) | (expected > latest)).fill_null(False))


@cin_rule("8535Q", tables=("ChildIdentifiers",), fields=("PersonDeathDate", "PersonBirthDate"), examples=[
    Example({"ChildIdentifiers": [ok(PersonBirthDate="2020-05-01", PersonDeathDate="2020-05-01"),
                                  fail(PersonBirthDate="2020-05-01", PersonDeathDate="2020-04-30"),
                                  ok(PersonBirthDate="2020-05-01"),
                                  ok(ExpectedPersonBirthDate="2025-06-01", PersonDeathDate="2025-01-01")]},
            year=2025, note="no date of birth to compare with: rule 8525Q's concern"),
])
def death_not_before_birth(r: CinReturn) -> Where:
    return where(r.children, (pl.col("PersonDeathDate") < pl.col("PersonBirthDate")).fill_null(False))


@cin_rule("8545Q", tables=("ChildIdentifiers",), fields=("PersonDeathDate",), examples=[
    Example({"ChildIdentifiers": [ok(PersonDeathDate="2024-04-01"), ok(PersonDeathDate="2025-03-31"),
                                  fail(PersonDeathDate="2024-03-31"), fail(PersonDeathDate="2025-04-01"),
                                  ok(PersonDeathDate=None)]}, year=2025),
])
def death_in_census_year(r: CinReturn) -> Where:
    death = pl.col("PersonDeathDate")
    return where(r.children, ((death < pl.lit(r.start)) | (death > pl.lit(r.end))).fill_null(False))


@cin_rule("8585Q", tables=("CINdetails", "ChildIdentifiers"), fields=("ReasonForClosure", "PersonDeathDate"),
          examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", PersonDeathDate="2025-01-10"), fail(LAchildID="B"),
                                  ok(LAchildID="C"), fail(LAchildID="D", PersonDeathDate="2025-02-30")],
             "CINdetails": [ok(LAchildID="A", ReasonForClosure="RC2"), fail(LAchildID="B", ReasonForClosure="rc2"),
                            ok(LAchildID="B", ReasonForClosure="RC1"), ok(LAchildID="C", ReasonForClosure="RC1"),
                            fail(LAchildID="D", ReasonForClosure="RC2")]},
            year=2025, note="a date of death that is not a date is no valid date of death"),
])
def died_closure_has_death_date(r: CinReturn) -> RuleResult:
    v = r.cin_episodes
    died = (pl.col("ReasonForClosure") == "RC2").fill_null(False) & pl.col("PersonDeathDate").is_null()
    return {"CINdetails": where(v, died), "ChildIdentifiers": also(v, died, "_child")}


@cin_rule("8750", tables=("ChildIdentifiers",), fields=("GenderCurrent", "PersonBirthDate", "ExpectedPersonBirthDate"),
          years=range(2023, 2025), examples=[
    Example({"ChildIdentifiers": [ok(ExpectedPersonBirthDate="2024-06-01", GenderCurrent="0"),
                                  fail(ExpectedPersonBirthDate="2024-06-01", GenderCurrent="1"),
                                  fail(ExpectedPersonBirthDate="2024-06-01", GenderCurrent=None),
                                  ok(PersonBirthDate="2020-01-01", GenderCurrent="2"),
                                  ok(PersonBirthDate="2020-01-01", ExpectedPersonBirthDate="2020-01-05",
                                     GenderCurrent="1")]}, year=2024),
])
def unborn_gender_not_known(r: CinReturn) -> Where:
    return where(r.children, _unborn() & pl.col("GenderCurrent").ne_missing("0"))


@cin_rule("8750", tables=("ChildIdentifiers",), fields=("Sex", "PersonBirthDate", "ExpectedPersonBirthDate"),
          years=range(2025, 2028), examples=[
    Example({"ChildIdentifiers": [ok(ExpectedPersonBirthDate="2025-06-01", Sex="U"),
                                  ok(ExpectedPersonBirthDate="2025-06-01", Sex="u"),
                                  fail(ExpectedPersonBirthDate="2025-06-01", Sex="F"),
                                  fail(ExpectedPersonBirthDate="2025-06-01", Sex="0"),
                                  ok(PersonBirthDate="2020-01-01", Sex="M")]}, year=2025),
])
def unborn_sex_unknown(r: CinReturn) -> Where:
    return where(r.children, _unborn() & pl.col("Sex").ne_missing("U"))


def _unborn() -> pl.Expr:
    return pl.col("ExpectedPersonBirthDate").is_not_null() & pl.col("PersonBirthDate").is_null()


@cin_rule("8770Q", tables=("ChildIdentifiers",), fields=("UPN", "UPNunknown", "PersonBirthDate", "ReferralNFA"),
          years=range(2023, 2025), examples=[
    # 31 March 2024 less 6 years is 31 March 2018: a child born before then needs a UPN or a reason.
    Example({"ChildIdentifiers": [fail(LAchildID="A", PersonBirthDate="2018-03-30"),
                                  ok(LAchildID="B", PersonBirthDate="2018-03-31"),
                                  ok(LAchildID="C", PersonBirthDate="2010-01-01", UPN="A123456789012"),
                                  ok(LAchildID="D", PersonBirthDate="2010-01-01", UPNunknown="UN2"),
                                  ok(LAchildID="E", PersonBirthDate="2010-01-01", UPNunknown="UN1"),
                                  fail(LAchildID="F", PersonBirthDate="2010-01-01", UPNunknown="UN9"),
                                  ok(LAchildID="G", PersonBirthDate="2010-01-01")],
             "CINdetails": [ok(LAchildID="A", ReferralNFA="false"), ok(LAchildID="B", ReferralNFA="0"),
                            ok(LAchildID="C", ReferralNFA="false"), ok(LAchildID="D", ReferralNFA="false"),
                            ok(LAchildID="E", ReferralNFA="false"), ok(LAchildID="F", ReferralNFA="true"),
                            ok(LAchildID="F", ReferralNFA="0"), ok(LAchildID="G", ReferralNFA="true")]},
            year=2024, note="to 2023/24 any valid reason will do, UN1 included"),
])
def upn_or_reason_over_six(r: CinReturn) -> Where:
    over_six = pl.col("PersonBirthDate") < pl.lit(dt.date(r.end.year - 6, r.end.month, r.end.day))
    return _upn_missing(r, over_six, r.codes("ChildIdentifiers", "UPNunknown"))


@cin_rule("8770Q", tables=("ChildIdentifiers",), fields=("UPN", "UPNunknown", "PersonBirthDate", "ReferralNFA"),
          years=range(2025, 2028), examples=[
    # 2024/25: of school age when born by 31 August 2019 (in year 1 or above that school year).
    Example({"ChildIdentifiers": [fail(LAchildID="A", PersonBirthDate="2019-08-31"),
                                  ok(LAchildID="B", PersonBirthDate="2019-09-01"),
                                  ok(LAchildID="C", PersonBirthDate="2010-01-01", UPN="A123456789012"),
                                  ok(LAchildID="D", PersonBirthDate="2010-01-01", UPNunknown="UN3"),
                                  fail(LAchildID="E", PersonBirthDate="2010-01-01", UPNunknown="UN1"),
                                  ok(LAchildID="F", PersonBirthDate="2010-01-01"),
                                  ok(LAchildID="G", ExpectedPersonBirthDate="2025-06-01")],
             "CINdetails": [ok(LAchildID="A", ReferralNFA="false"), ok(LAchildID="B", ReferralNFA="false"),
                            ok(LAchildID="C", ReferralNFA="false"), ok(LAchildID="D", ReferralNFA="false"),
                            ok(LAchildID="E", ReferralNFA="0"), ok(LAchildID="F", ReferralNFA="1"),
                            ok(LAchildID="G", ReferralNFA="false")]}, year=2025),
])
def upn_or_reason_school_age(r: CinReturn) -> Where:
    school_age = pl.col("PersonBirthDate") <= pl.lit(dt.date(r.end.year - 6, 8, 31))
    valid = [c for c in r.codes("ChildIdentifiers", "UPNunknown") if c != "UN1"]  # UN1: not of school age
    return _upn_missing(r, school_age, valid)


def _upn_missing(r: CinReturn, in_scope: pl.Expr, reasons: list[str]) -> Where:
    no_upn = pl.col("UPN").is_null() & ~pl.col("UPNunknown").is_in(reasons).fill_null(False)
    further = pl.col("_child").is_in(r.children_further_action)
    return where(r.children, further & in_scope.fill_null(False) & no_upn)


@cin_rule("8772", tables=("ChildIdentifiers", "CINdetails"), fields=("UPNunknown", "ReferralNFA"), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A", UPNunknown="UN7"), fail(LAchildID="B", UPNunknown="un7"),
                                  ok(LAchildID="C", UPNunknown="UN2")],
             "CINdetails": [ok(LAchildID="A", ReferralNFA="true"), ok(LAchildID="A", ReferralNFA="1"),
                            ok(LAchildID="B", ReferralNFA="true"), fail(LAchildID="B", ReferralNFA="false"),
                            ok(LAchildID="C", ReferralNFA="false")]}),
])
def un7_only_for_no_further_action(r: CinReturn) -> RuleResult:
    v = r.view("cin_episodes_upn", lambda r: r.with_child(r.cin_details, ("UPNunknown",)))
    further = (pl.col("UPNunknown") == "UN7").fill_null(False) & ~yes("ReferralNFA")
    return {"ChildIdentifiers": also(v, further, "_child"), "CINdetails": where(v, further)}


@cin_rule("8775Q", tables=("ChildIdentifiers", "CINdetails"), fields=("PersonBirthDate", "CINclosureDate"), examples=[
    # 31 March 2025 less 25 years is 31 March 2000.
    Example({"ChildIdentifiers": [fail(LAchildID="A", PersonBirthDate="2000-03-30"),
                                  ok(LAchildID="B", PersonBirthDate="2000-03-31"),
                                  ok(LAchildID="C", PersonBirthDate="1999-06-01"),
                                  fail(LAchildID="D", PersonBirthDate="1999-06-01")],
             "CINdetails": [fail(LAchildID="A"), ok(LAchildID="B"),
                            ok(LAchildID="C", CINclosureDate="2024-06-01"),
                            fail(LAchildID="D", CINclosureDate="2024-06-02"),
                            ok(LAchildID="D", CINclosureDate="2024-05-01")]}, year=2025),
])
def child_over_25(r: CinReturn) -> RuleResult:
    v = r.cin_episodes
    birth = pl.col("PersonBirthDate")
    old = birth < pl.lit(dt.date(r.end.year - 25, r.end.month, r.end.day))
    after_25 = pl.col("CINclosureDate").is_null() | (pl.col("CINclosureDate") > birth.dt.offset_by("25y"))
    over = (old & after_25).fill_null(False)
    return {"ChildIdentifiers": also(v, over, "_child"), "CINdetails": where(v, over)}
