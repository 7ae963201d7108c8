"""Reviews of child protection plans: each review record has its date."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("8842Q", tables=("Reviews",), fields=("CPPreviewDate",), examples=[
    Example({"ChildProtectionPlans": [ok(CPPID="P1", CPPstartDate="2024-05-01")],
             "Reviews": [ok(CPPID="P1", CPPreviewDate="2024-06-01"), fail(CPPID="P1", CPPreviewDate=None),
                         fail(CPPID="P1", CPPreviewDate=" "), fail(CPPID="P1", CPPreviewDate="2024-06-31")]},
            note="an unreadable date is a missing date"),
])
def review_has_date(r: CinReturn) -> Where:
    return where(r.reviews, pl.col("CPPreviewDate").is_null())
