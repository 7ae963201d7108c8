"""OC3: care leavers around their 17th to 21st birthdays."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.registry import Example, fail, ok, rule


@rule("131", tables=("OC3",), fields=("IN_TOUCH",), examples=[
    Example({"OC3": [ok(IN_TOUCH="YES"), ok(IN_TOUCH="rhom"), fail(IN_TOUCH="MAYBE"), fail(IN_TOUCH=None)]}),
])
def in_touch_code_valid(r: Return) -> pl.DataFrame:
    return r.oc3.filter(~pl.col("IN_TOUCH").is_in(r.codes("OC3", "IN_TOUCH")).fill_null(False))
