"""ChildProtectionPlans' categories of abuse (initial and latest), from the year's code list."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


def _missing_or_invalid(r: CinReturn, field: str) -> Where:
    valid = pl.col(field).is_in(r.codes("ChildProtectionPlans", field)).fill_null(False)
    return where(r.cpp, ~valid)


@cin_rule("8905", tables=("ChildProtectionPlans",), fields=("InitialCategoryOfAbuse",), examples=[
    Example({"ChildProtectionPlans": [ok(InitialCategoryOfAbuse="NEG"), ok(InitialCategoryOfAbuse="mul"),
                                      fail(InitialCategoryOfAbuse="ABC"), fail(InitialCategoryOfAbuse=None),
                                      fail(InitialCategoryOfAbuse=" "), ok(InitialCategoryOfAbuse="EMO",
                                                                           LatestCategoryOfAbuse="XYZ")]}),
])
def initial_category_valid(r: CinReturn) -> Where:
    return _missing_or_invalid(r, "InitialCategoryOfAbuse")


@cin_rule("8910", tables=("ChildProtectionPlans",), fields=("LatestCategoryOfAbuse",), examples=[
    Example({"ChildProtectionPlans": [ok(LatestCategoryOfAbuse="PHY"), ok(LatestCategoryOfAbuse="sab"),
                                      fail(LatestCategoryOfAbuse="XYZ"), fail(LatestCategoryOfAbuse=None),
                                      ok(LatestCategoryOfAbuse="EMO", InitialCategoryOfAbuse="ABC")]}),
])
def latest_category_valid(r: CinReturn) -> Where:
    return _missing_or_invalid(r, "LatestCategoryOfAbuse")
