"""Header: the census's reference date."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("100", tables=("Header",), fields=("ReferenceDate",), examples=[
    Example({"Header": [ok(ReferenceDate="2024-03-31"), ok(ReferenceDate="31/03/2024"),
                        fail(ReferenceDate="2023-03-31"), fail(ReferenceDate=None), fail(ReferenceDate="2024-02-30")]},
            year=2024),
])
def reference_date_is_year_end(r: CinReturn) -> Where:
    # The collection year is the one validated (--year), whose end is 31 March.
    return where(r.header, pl.col("ReferenceDate").ne_missing(pl.lit(r.end)))
