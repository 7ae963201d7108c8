"""ChildIdentifiers: the form of the child's former UPN (often the temporary UPN a permanent one replaced)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where

# A UPN's shape: a check letter (no I, O or S), 11 digits, then a digit or (a temporary UPN) a letter.
UPN_FORM = r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$"


@cin_rule("1560Q", tables=("ChildIdentifiers",), fields=("FormerUPN",), examples=[
    Example({"ChildIdentifiers": [
        ok(FormerUPN="B801200005001"), ok(FormerUPN="m80120000500a"), ok(FormerUPN=None),
        fail(FormerUPN="1801200005001"), fail(FormerUPN="I801200005001"), fail(FormerUPN="B80120000500"),
        fail(FormerUPN="B8012000050011"), fail(FormerUPN="B8012X0005001"), fail(FormerUPN="B80120000500S"),
        fail(FormerUPN="UN1")]},
        note="the form only: a former UPN's check letter is not checked (no rule asks for it)"),
])
def former_upn_form(r: CinReturn) -> Where:
    former = pl.col("FormerUPN").str.to_uppercase()  # free text in the spec: either case
    return where(r.children, former.is_not_null() & ~former.str.contains(UPN_FORM))
