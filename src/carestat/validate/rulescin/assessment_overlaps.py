"""Assessments within one episode: at most one still open, and none starting while another is
ongoing."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule, overlapping
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("8863Q", tables=("Assessments",), fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2"), ok(CINdetailsID="E3"), ok(CINdetailsID="E4")],
             "Assessments": [
                 # E1: the second starts on the day the first was authorised.
                 fail(CINdetailsID="E1", AssessmentActualStartDate="2024-05-01", AssessmentAuthorisationDate="2024-06-01"),
                 fail(CINdetailsID="E1", AssessmentActualStartDate="2024-06-01", AssessmentAuthorisationDate="2024-07-01"),
                 # E2: one after the other.
                 ok(CINdetailsID="E2", AssessmentActualStartDate="2024-05-01", AssessmentAuthorisationDate="2024-06-01"),
                 ok(CINdetailsID="E2", AssessmentActualStartDate="2024-06-02"),
                 # E3: one starting while another, not yet authorised, is ongoing.
                 fail(CINdetailsID="E3", AssessmentActualStartDate="2024-05-01"),
                 fail(CINdetailsID="E3", AssessmentActualStartDate="2024-09-01", AssessmentAuthorisationDate="2024-10-01"),
                 # E4 and another episode's: only assessments of the same episode are compared.
                 ok(CINdetailsID="E4", AssessmentActualStartDate="2024-05-15", AssessmentAuthorisationDate="2024-05-20"),
                 ok(CINdetailsID="E4", AssessmentActualStartDate=None)]}, year=2025),
])
def assessment_starts_when_none_ongoing(r: CinReturn) -> pl.LazyFrame:
    # An assessment is ongoing from its start to its authorisation, or to the reference date.
    until = pl.coalesce(pl.col("AssessmentAuthorisationDate"), pl.lit(r.end))
    return overlapping(r.assessments, "CINdetailsID", "AssessmentActualStartDate", until)


@cin_rule("8896", tables=("Assessments",), fields=("AssessmentAuthorisationDate",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2")],
             "Assessments": [fail(CINdetailsID="E1", AssessmentActualStartDate="2024-05-01"),
                             fail(CINdetailsID="E1", AssessmentActualStartDate="2024-09-01"),
                             ok(CINdetailsID="E1", AssessmentActualStartDate="2024-04-01",
                                AssessmentAuthorisationDate="2024-04-20"),
                             ok(CINdetailsID="E2", AssessmentActualStartDate="2024-05-01"),
                             ok(CINdetailsID="E2", AssessmentActualStartDate="2024-04-01",
                                AssessmentAuthorisationDate="2024-04-20")]}),
])
def one_open_assessment(r: CinReturn) -> Where:
    open_ = pl.col("AssessmentAuthorisationDate").is_null()
    return where(r.assessments, open_ & (open_.sum().over("CINdetailsID") > 1))
