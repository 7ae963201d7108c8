"""When assessments and section 47 enquiries start and finish: in order, within the census year,
and (for those still open) not overdue; factors only for a completed assessment."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule, no
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where


def _outside_year(r: CinReturn, field: str) -> pl.Expr:
    """``field`` outside the census year (1 April to 31 March); null for a blank."""
    return (pl.col(field) < pl.lit(r.start)) | (pl.col(field) > pl.lit(r.end))


def _awaiting_conference() -> pl.Expr:
    """A section 47 enquiry with no initial conference yet, one being required (ICPCnotRequired false)."""
    return pl.col("DateOfInitialCPC").is_null() & no("ICPCnotRequired")


@cin_rule("8608", tables=("Assessments",), fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
          examples=[
    Example({"Assessments": [ok(AssessmentActualStartDate="2024-06-01", AssessmentAuthorisationDate="2024-06-01"),
                             fail(AssessmentActualStartDate="2024-06-01", AssessmentAuthorisationDate="2024-05-31"),
                             ok(AssessmentActualStartDate="2024-06-01"),
                             ok(AssessmentAuthorisationDate="2024-05-31")]}),
])
def assessment_start_not_after_end(r: CinReturn) -> Where:
    late = pl.col("AssessmentActualStartDate") > pl.col("AssessmentAuthorisationDate")
    return where(r.assessments, late.fill_null(False))


@cin_rule("8614", tables=("AssessmentFactorsList", "Assessments"),
          fields=("AssessmentAuthorisationDate", "AssessmentFactors"), examples=[
    Example({"Assessments": [ok(AssessmentID="X", AssessmentAuthorisationDate="2024-07-01"),
                             fail(AssessmentID="Y"), ok(AssessmentID="Z")],
             "AssessmentFactorsList": [ok(AssessmentID="X", AssessmentFactors="2A"),
                                       fail(AssessmentID="Y", AssessmentFactors="2A"),
                                       fail(AssessmentID="Y", AssessmentFactors="21"),
                                       ok(AssessmentID="Z", AssessmentFactors=None)]}),
])
def factors_only_when_completed(r: CinReturn) -> RuleResult:
    sets = r.factor_sets
    open_with = pl.col("AssessmentAuthorisationDate").is_null() & (pl.col("factors").list.len() > 0)
    ids = sets.filter(open_with)["AssessmentID"].implode()
    return {"AssessmentFactorsList": where(r.factors, pl.col("AssessmentFactors").is_not_null()
                                           & pl.col("AssessmentID").is_in(ids)),
            "Assessments": where(sets, open_with)}


@cin_rule("8615", tables=("Section47",), fields=("S47ActualStartDate", "DateOfInitialCPC"), examples=[
    Example({"Section47": [ok(S47ActualStartDate="2024-06-01", DateOfInitialCPC="2024-06-01"),
                           fail(S47ActualStartDate="2024-06-02", DateOfInitialCPC="2024-06-01"),
                           fail(S47ActualStartDate=None, DateOfInitialCPC="2024-06-01"),
                           ok(S47ActualStartDate="2024-06-02"), ok()]}),
])
def enquiry_starts_by_conference(r: CinReturn) -> Where:
    start, conference = pl.col("S47ActualStartDate"), pl.col("DateOfInitialCPC")
    return where(r.section47, conference.is_not_null() & (start.is_null() | (start > conference)).fill_null(False))


@cin_rule("8675Q", tables=("Section47",), fields=("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"),
          examples=[
    # 15 working days before Monday 31 March 2025 is Monday 10 March 2025.
    Example({"Section47": [ok(S47ActualStartDate="2025-03-10", ICPCnotRequired="false"),
                           fail(S47ActualStartDate="2025-03-07", ICPCnotRequired="false"),
                           fail(S47ActualStartDate="2024-06-01", ICPCnotRequired="0"),
                           ok(S47ActualStartDate="2024-06-01", ICPCnotRequired="true"),
                           ok(S47ActualStartDate="2024-06-01", ICPCnotRequired="false", DateOfInitialCPC="2024-06-20")]},
            year=2025),
])
def enquiry_conference_not_overdue(r: CinReturn) -> Where:
    overdue = (pl.col("S47ActualStartDate") < r.working_days_before_end(15)).fill_null(False)
    return where(r.section47, _awaiting_conference() & overdue)


@cin_rule("8696", tables=("Assessments",), fields=("AssessmentAuthorisationDate",), examples=[
    Example({"Assessments": [ok(AssessmentAuthorisationDate="2024-04-01"), ok(AssessmentAuthorisationDate="2025-03-31"),
                             fail(AssessmentAuthorisationDate="2024-03-31"),
                             fail(AssessmentAuthorisationDate="2025-04-01"), ok()]}, year=2025),
])
def assessment_end_in_census_year(r: CinReturn) -> Where:
    return where(r.assessments, _outside_year(r, "AssessmentAuthorisationDate").fill_null(False))


@cin_rule("8736", tables=("Assessments",), fields=("AssessmentAuthorisationDate", "AssessmentActualStartDate"),
          examples=[
    Example({"Assessments": [ok(AssessmentActualStartDate="2024-04-01"), ok(AssessmentActualStartDate="2025-03-31"),
                             fail(AssessmentActualStartDate="2024-03-31"),
                             fail(AssessmentActualStartDate="2025-04-01"), fail(),
                             ok(AssessmentActualStartDate="2024-03-01", AssessmentAuthorisationDate="2024-04-10")]},
            year=2025, note="an open assessment with no start date has none within the year"),
])
def open_assessment_started_in_year(r: CinReturn) -> Where:
    outside = _outside_year(r, "AssessmentActualStartDate").fill_null(True)
    return where(r.assessments, pl.col("AssessmentAuthorisationDate").is_null() & outside)


@cin_rule("8740", tables=("Section47",), fields=("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"),
          examples=[
    Example({"Section47": [ok(S47ActualStartDate="2024-04-01", ICPCnotRequired="false"),
                           fail(S47ActualStartDate="2024-03-31", ICPCnotRequired="false"),
                           fail(S47ActualStartDate="2025-04-01", ICPCnotRequired="0"),
                           fail(S47ActualStartDate=None, ICPCnotRequired="false"),
                           ok(S47ActualStartDate="2024-03-20", ICPCnotRequired="false", DateOfInitialCPC="2024-04-03"),
                           ok(S47ActualStartDate="2024-03-20", ICPCnotRequired="true")]}, year=2025),
])
def open_enquiry_started_in_year(r: CinReturn) -> Where:
    outside = _outside_year(r, "S47ActualStartDate").fill_null(True)
    return where(r.section47, _awaiting_conference() & outside)

