"""Section47 enquiries' dates: one open enquiry per episode, none starting while another is
ongoing, each concluded (conference date or ICPC not required) once the episode closed, and
conference targets on weekdays.

An enquiry is open until its initial child protection conference (DateOfInitialCPC), or for good
once ICPCnotRequired is true; one with neither is still ongoing at the reference date.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, also, cin_rule, overlapping, yes
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where

_ONGOING = pl.col("DateOfInitialCPC").is_null() & ~yes("ICPCnotRequired")


@cin_rule("8839", tables=("Section47",), fields=("DateOfInitialCPC",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2"), ok(CINdetailsID="E3")],
             "Section47": [fail(CINdetailsID="E1", S47ActualStartDate="2024-05-01"),
                           fail(CINdetailsID="E1", S47ActualStartDate="2024-07-01", ICPCnotRequired="false"),
                           ok(CINdetailsID="E1", S47ActualStartDate="2024-04-01", DateOfInitialCPC="2024-04-20"),
                           ok(CINdetailsID="E2", S47ActualStartDate="2024-05-01"),
                           ok(CINdetailsID="E2", S47ActualStartDate="2024-04-01", ICPCnotRequired="true"),
                           ok(CINdetailsID="E2", S47ActualStartDate="2024-03-01", ICPCnotRequired="1"),
                           ok(CINdetailsID="E3", S47ActualStartDate="2024-05-01")]}),
])
def one_open_enquiry(r: CinReturn) -> Where:
    return where(r.section47, _ONGOING & (_ONGOING.sum().over("CINdetailsID") > 1))


@cin_rule("8868", tables=("Section47", "CINdetails"), fields=("ICPCnotRequired", "CINclosureDate", "DateOfInitialCPC"),
          examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1", CINclosureDate="2024-09-01"),
                            fail(CINdetailsID="E2", CINclosureDate="2024-09-01"),
                            ok(CINdetailsID="E3")],
             "Section47": [ok(CINdetailsID="E1", S47ActualStartDate="2024-05-01", DateOfInitialCPC="2024-05-20"),
                           ok(CINdetailsID="E1", S47ActualStartDate="2024-06-01", ICPCnotRequired="true"),
                           ok(CINdetailsID="E2", S47ActualStartDate="2024-05-01", ICPCnotRequired="1"),
                           fail(CINdetailsID="E2", S47ActualStartDate="2024-06-01", ICPCnotRequired="false"),
                           ok(CINdetailsID="E3", S47ActualStartDate="2024-06-01")]}),
])
def closed_episode_enquiries_concluded(r: CinReturn) -> RuleResult:
    v = r.section47_episode
    unconcluded = pl.col("CINclosureDate").is_not_null() & _ONGOING
    return {"Section47": where(v, unconcluded), "CINdetails": also(v, unconcluded, "CINdetailsID")}


@cin_rule("8870Q", tables=("Section47",), fields=("InitialCPCtarget",), examples=[
    Example({"Section47": [ok(InitialCPCtarget="2024-06-14"), fail(InitialCPCtarget="2024-06-15"),
                           fail(InitialCPCtarget="2024-06-16"), ok(InitialCPCtarget="2024-06-17"),
                           ok(InitialCPCtarget=None)]}),
])
def conference_target_on_a_weekday(r: CinReturn) -> Where:
    return where(r.section47, (pl.col("InitialCPCtarget").dt.weekday() >= 6).fill_null(False))


@cin_rule("8890", tables=("Section47",), fields=("S47ActualStartDate",), examples=[
    Example({"CINdetails": [ok(CINdetailsID="E1"), ok(CINdetailsID="E2"), ok(CINdetailsID="E3"), ok(CINdetailsID="E4")],
             "Section47": [
                 # E1: the second starts on the day of the first's conference.
                 fail(CINdetailsID="E1", S47ActualStartDate="2024-05-01", DateOfInitialCPC="2024-05-20"),
                 fail(CINdetailsID="E1", S47ActualStartDate="2024-05-20", DateOfInitialCPC="2024-06-10"),
                 # E2: after the conference; and after an enquiry that needed no conference.
                 ok(CINdetailsID="E2", S47ActualStartDate="2024-05-01", DateOfInitialCPC="2024-05-20"),
                 ok(CINdetailsID="E2", S47ActualStartDate="2024-05-21", ICPCnotRequired="true"),
                 ok(CINdetailsID="E2", S47ActualStartDate="2024-07-01"),
                 # E3: one starting while another, with no conference yet, is ongoing.
                 fail(CINdetailsID="E3", S47ActualStartDate="2024-05-01", ICPCnotRequired="false"),
                 fail(CINdetailsID="E3", S47ActualStartDate="2024-09-01", DateOfInitialCPC="2024-09-20"),
                 # E4: one other episode's enquiry on the same days is no overlap.
                 ok(CINdetailsID="E4", S47ActualStartDate="2024-05-10", DateOfInitialCPC="2024-05-25")]}, year=2025),
])
def enquiry_starts_when_none_ongoing(r: CinReturn) -> pl.LazyFrame:
    until = (pl.when(pl.col("DateOfInitialCPC").is_not_null()).then(pl.col("DateOfInitialCPC"))
             .when(~yes("ICPCnotRequired")).then(pl.lit(r.end)))
    return overlapping(r.section47, "CINdetailsID", "S47ActualStartDate", until)
