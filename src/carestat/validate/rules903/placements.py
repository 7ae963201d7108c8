"""Placements: types, providers and the ages and legal statuses they allow."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import not_in
from carestat.validate.registry import Example, fail, ok, rule


@rule("178", tables=("Episodes",), fields=("PLACE_PROVIDER", "PLACE"), examples=[
    Example({"Episodes": [ok(PLACE="U1", PLACE_PROVIDER="PR1"), fail(PLACE="U1", PLACE_PROVIDER="PR9"),
                          ok(PLACE="T0", PLACE_PROVIDER=None), ok(PLACE="U1", PLACE_PROVIDER=None)]}),
])
def provider_code_valid(r: Return) -> pl.DataFrame:
    # Blank is checked by 526; here only a supplied code must be valid.
    return r.episodes.filter(not_in("PLACE_PROVIDER", r.spec.codes("Episodes", "PLACE_PROVIDER")))
