"""Section47 enquiries and initial child protection conferences."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, RuleResult, fail, ok, where


@cin_rule("8875", tables=("Section47", "CINdetails"), fields=("DateOfInitialCPC",), examples=[
    Example({"Section47": [ok(DateOfInitialCPC="2024-06-14"), fail(DateOfInitialCPC="2024-06-15"),
                           fail(DateOfInitialCPC="2024-06-16"), ok(DateOfInitialCPC=None)],
             "CINdetails": [ok(DateOfInitialCPC="2024-06-17"), fail(DateOfInitialCPC="2024-06-22")]}),
])
def conference_on_a_weekday(r: CinReturn) -> RuleResult:
    # The date is held in Section47 and, for a conference without an enquiry in the episode, in
    # CINdetails: both are checked (the reference validator checks Section47 only).
    weekend = (pl.col("DateOfInitialCPC").dt.weekday() >= 6).fill_null(False)
    return {"Section47": where(r.section47, weekend), "CINdetails": where(r.cin_details, weekend)}
