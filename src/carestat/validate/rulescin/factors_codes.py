"""The factors identified at assessment: present and valid on a completed assessment, no code
twice, retired codes queried, and the closure reason an assessment finding no factors implies.

Factors are a set per assessment (``r.factor_sets``); rules that flag a code flag its
AssessmentFactorsList records.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, dfe_years, fail, ok, where

# Codes retired in 2020/21 (split by who abused the child) that the DfE queries from 2024/25.
_RETIRED = {"18A": "8945Q", "19A": "8950Q"}


def _factor_sets_episode(r: CinReturn) -> pl.DataFrame:
    """Factor sets with their episode's closure and the number of assessments in the episode."""
    v = r.with_episode(r.factor_sets, ("CINclosureDate", "ReasonForClosure"))
    return v.with_columns(pl.len().over("CINdetailsID").alias("assessments_in_episode"))


@cin_rule("8873Q", tables=("CINdetails", "AssessmentFactorsList", "Assessments"),
          fields=("ReasonForClosure", "AssessmentFactors"), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINclosureDate="2024-07-01", ReasonForClosure="RC8"),
                            fail(CINdetailsID="E2", CINclosureDate="2024-07-01", ReasonForClosure="RC1"),
                            ok(CINdetailsID="E3", CINclosureDate="2024-07-01", ReasonForClosure="RC1"),
                            ok(CINdetailsID="E4", CINclosureDate="2024-07-01", ReasonForClosure="RC1"),
                            ok(CINdetailsID="E5"),
                            ok(CINdetailsID="E6", CINclosureDate="2024-07-01", ReasonForClosure="RC1"),
                            ok(CINdetailsID="E7", CINclosureDate="2024-07-01")],
             "Assessments": [ok(CINdetailsID="E1", AssessmentID="A1", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E2", AssessmentID="A2", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E3", AssessmentID="A3", AssessmentAuthorisationDate="2024-05-01"),
                             ok(CINdetailsID="E3", AssessmentID="A4", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E4", AssessmentID="A5", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E5", AssessmentID="A6", AssessmentAuthorisationDate="2024-06-01"),
                             ok(CINdetailsID="E6", AssessmentID="A7"),
                             ok(CINdetailsID="E7", AssessmentID="A8", AssessmentAuthorisationDate="2024-06-01")],
             "AssessmentFactorsList": [ok(AssessmentID="A1", AssessmentFactors="21"),
                                       fail(AssessmentID="A2", AssessmentFactors="21"),
                                       ok(AssessmentID="A3", AssessmentFactors="21"),  # two assessments
                                       ok(AssessmentID="A4", AssessmentFactors="21"),
                                       ok(AssessmentID="A5", AssessmentFactors="2A"),  # factors identified
                                       ok(AssessmentID="A6", AssessmentFactors="21"),  # episode still open
                                       ok(AssessmentID="A7", AssessmentFactors="21"),  # not completed
                                       ok(AssessmentID="A8", AssessmentFactors="21")]}),  # no reason: 8805's
])
def no_factors_closed_after_assessment(r: CinReturn) -> RuleResult:
    # Only assessment in the episode, completed, finding no factors (its set is just 21), and the
    # episode closed for a reason other than RC8/RC9 (an open episode has no reason yet; a closure
    # date without a reason is 8805's concern).
    v = r.view("cin:factor_sets_episode", _factor_sets_episode)
    only_21 = (pl.col("factors").list.len() == 1) & (pl.col("factors").list.first() == "21")
    other_reason = pl.col("ReasonForClosure").is_not_null() & ~pl.col("ReasonForClosure").is_in(("RC8", "RC9"))
    query = ((pl.col("assessments_in_episode") == 1) & only_21 & pl.col("AssessmentAuthorisationDate").is_not_null()
             & other_reason)
    flagged = also(v, query, "AssessmentID").rename({"_row": "AssessmentID"})
    factors = (r.factors.lazy().join(flagged, on="AssessmentID", how="semi")
               .filter(pl.col("AssessmentFactors") == "21").select("_row"))
    return {"CINdetails": also(v, query, "CINdetailsID"), "AssessmentFactorsList": factors}


@cin_rule("8897Q", tables=("Assessments", "AssessmentFactorsList"),
          fields=("AssessmentAuthorisationDate", "AssessmentFactors"), examples=[
    Example({"Assessments": [ok(AssessmentID="A1", AssessmentAuthorisationDate="2024-04-01"),
                             fail(AssessmentID="A2", AssessmentAuthorisationDate="2024-04-01"),
                             fail(AssessmentID="A3", AssessmentAuthorisationDate="2025-03-31"),
                             fail(AssessmentID="A4", AssessmentAuthorisationDate="2024-06-01"),
                             ok(AssessmentID="A5", AssessmentAuthorisationDate="2024-03-31"),  # last year's
                             ok(AssessmentID="A6"),  # not completed
                             ok(AssessmentID="A7", AssessmentAuthorisationDate="2024-06-01")],
             "AssessmentFactorsList": [ok(AssessmentID="A1", AssessmentFactors="2A"),
                                       ok(AssessmentID="A1", AssessmentFactors="3B"),
                                       ok(AssessmentID="A3", AssessmentFactors=None),
                                       ok(AssessmentID="A4", AssessmentFactors="2A"),
                                       ok(AssessmentID="A4", AssessmentFactors="99"),
                                       ok(AssessmentID="A7", AssessmentFactors="18A")]},  # 8945Q's concern
            year=2025),
    Example({"Assessments": [fail(AssessmentID="A1", AssessmentAuthorisationDate="2023-06-01")],
             "AssessmentFactorsList": [ok(AssessmentID="A1", AssessmentFactors="19A")]},
            year=2024, note="before the DfE queried 18A and 19A (8945Q, 8950Q) they are simply not valid codes"),
])
def completed_assessment_has_factors(r: CinReturn) -> Where:
    # From 2024/25 the retired 18A and 19A are left to their own queries (8945Q, 8950Q).
    valid = set(r.codes("AssessmentFactorsList", "AssessmentFactors"))
    valid |= {code for code, rule in _RETIRED.items() if r.year in dfe_years("cin", rule)}
    all_valid = pl.col("factors").list.eval(pl.element().is_in(sorted(valid))).list.all()
    missing = (pl.col("factors").list.len() == 0) | ~all_valid
    completed = (pl.col("AssessmentAuthorisationDate") >= r.start).fill_null(False)
    return where(r.factor_sets, completed & missing)


@cin_rule("8898", tables=("AssessmentFactorsList",), fields=("AssessmentFactors",), examples=[
    Example({"Assessments": [ok(AssessmentID="X"), ok(AssessmentID="Y")],
             "AssessmentFactorsList": [fail(AssessmentID="X", AssessmentFactors="2A"),
                                       ok(AssessmentID="X", AssessmentFactors="3A"),
                                       fail(AssessmentID="X", AssessmentFactors="2a"),
                                       ok(AssessmentID="Y", AssessmentFactors="2A"),
                                       ok(AssessmentID="Y", AssessmentFactors=None),
                                       ok(AssessmentID="Y", AssessmentFactors=None)]},
            note="the same code in two assessments is no repeat"),
])
def factor_codes_distinct(r: CinReturn) -> Where:
    repeated = pl.len().over("AssessmentID", "AssessmentFactors") > 1
    return where(r.factors, pl.col("AssessmentFactors").is_not_null() & repeated)


def _retired_code(r: CinReturn, code: str) -> Where:
    return where(r.factors, (pl.col("AssessmentFactors") == code).fill_null(False))


@cin_rule("8945Q", tables=("AssessmentFactorsList",), fields=("AssessmentFactors",), examples=[
    Example({"AssessmentFactorsList": [fail(AssessmentFactors="18A"), fail(AssessmentFactors="18a"),
                                       ok(AssessmentFactors="18B"), ok(AssessmentFactors="18C"),
                                       ok(AssessmentFactors="19A"), ok(AssessmentFactors=None)]}),
])
def factor_18a_retired(r: CinReturn) -> Where:
    return _retired_code(r, "18A")


@cin_rule("8950Q", tables=("AssessmentFactorsList",), fields=("AssessmentFactors",), examples=[
    Example({"AssessmentFactorsList": [fail(AssessmentFactors="19A"), fail(AssessmentFactors="19a"),
                                       ok(AssessmentFactors="19B"), ok(AssessmentFactors="19C"),
                                       ok(AssessmentFactors="18A"), ok(AssessmentFactors=None)]}),
])
def factor_19a_retired(r: CinReturn) -> Where:
    return _retired_code(r, "19A")
