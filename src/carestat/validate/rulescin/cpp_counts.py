"""ChildProtectionPlans: the number of previous plans the child has had."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("8730", tables=("ChildProtectionPlans",), fields=("NumberOfPreviousCPP",), examples=[
    Example({"ChildProtectionPlans": [ok(NumberOfPreviousCPP="0"), ok(NumberOfPreviousCPP="3"),
                                      fail(NumberOfPreviousCPP=None), fail(NumberOfPreviousCPP="-1"),
                                      fail(NumberOfPreviousCPP="two")]},
            note="a value that is not a whole number is no number of plans"),
])
def previous_plans_recorded(r: CinReturn) -> Where:
    count = pl.col("NumberOfPreviousCPP")
    return where(r.cpp, count.is_null() | (count < 0))
