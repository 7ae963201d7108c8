"""Disabilities: the child's disability codes (a set per child)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("8794", tables=("Disabilities",), fields=("Disability",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "Disabilities": [fail(LAchildID="A", Disability="HAND"), ok(LAchildID="A", Disability="HEAR"),
                              fail(LAchildID="A", Disability="hand"), ok(LAchildID="B", Disability="HAND"),
                              ok(LAchildID="B", Disability=None), ok(LAchildID="B", Disability=None)]}),
])
def disability_codes_distinct(r: CinReturn) -> Where:
    repeated = pl.len().over("_child", "Disability") > 1
    return where(r.disabilities, pl.col("Disability").is_not_null() & repeated)
