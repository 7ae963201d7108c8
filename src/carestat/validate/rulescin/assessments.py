"""Assessments and the factors identified at assessment (a set per assessment)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


@cin_rule("1103", tables=("Assessments", "CINdetails"), fields=("AssessmentActualStartDate", "CINreferralDate"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINreferralDate="2024-05-01"),
                            fail(CINdetailsID="E2", CINreferralDate="2024-05-01"),
                            ok(CINdetailsID="E3", CINreferralDate=None)],
             "Assessments": [ok(CINdetailsID="E1", AssessmentActualStartDate="2024-05-01"),
                             ok(CINdetailsID="E2", AssessmentActualStartDate="2024-06-01"),
                             fail(CINdetailsID="E2", AssessmentActualStartDate="2024-04-30"),
                             ok(CINdetailsID="E3", AssessmentActualStartDate="2024-04-30")]}),
])
def assessment_not_before_referral(r: CinReturn) -> RuleResult:
    v = r.assessments_episode
    early = (pl.col("AssessmentActualStartDate") < pl.col("CINreferralDate")).fill_null(False)
    return {"Assessments": where(v, early), "CINdetails": also(v, early, "CINdetailsID")}


@cin_rule("8670Q", tables=("Assessments",), fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
          examples=[
    # 45 working days before 31 March 2025 (a Monday) is 27 January 2025.
    Example({"Assessments": [ok(AssessmentActualStartDate="2025-01-27"),
                             fail(AssessmentActualStartDate="2025-01-24"),
                             ok(AssessmentActualStartDate="2024-06-01", AssessmentAuthorisationDate="2024-07-01"),
                             ok(AssessmentActualStartDate=None)]}, year=2025),
    # 31 March 2024 is Easter Sunday, 29 March Good Friday: the 45th working day before is 26 January.
    Example({"Assessments": [ok(AssessmentActualStartDate="2024-01-26"),
                             fail(AssessmentActualStartDate="2024-01-25")]}, year=2024),
])
def open_assessment_not_overdue(r: CinReturn) -> Where:
    overdue = pl.col("AssessmentActualStartDate") < r.working_days_before_end(45)
    return where(r.assessments, pl.col("AssessmentAuthorisationDate").is_null() & overdue.fill_null(False))


@cin_rule("8869", tables=("AssessmentFactorsList",), fields=("AssessmentFactors",), examples=[
    Example({"Assessments": [ok(AssessmentID="X"), ok(AssessmentID="Y"), ok(AssessmentID="Z")],
             "AssessmentFactorsList": [ok(AssessmentID="X", AssessmentFactors="21"),
                                       fail(AssessmentID="X", AssessmentFactors="1A"),
                                       ok(AssessmentID="Y", AssessmentFactors="21"),
                                       ok(AssessmentID="Y", AssessmentFactors="21"),
                                       ok(AssessmentID="Z", AssessmentFactors="1A"),
                                       ok(AssessmentID="Z", AssessmentFactors="2B")]},
            note="a repeated 21 is rule 8898's concern, not another factor"),
])
def factor_21_alone(r: CinReturn) -> Where:
    # Factors are a set per assessment: 21 ("no factors identified") with any other code.
    sets = r.factor_sets
    mixed = sets.filter(pl.col("factors").list.contains("21") & (pl.col("factors").list.len() > 1))
    return where(r.factors, pl.col("AssessmentID").is_in(mixed["AssessmentID"].implode())
                 & (pl.col("AssessmentFactors") != "21"))
