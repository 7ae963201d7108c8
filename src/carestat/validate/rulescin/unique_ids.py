"""ChildIdentifiers: identifiers that must be unique (UPN) or of a set form (LA child ID, from 2024/25)."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("1520", tables=("ChildIdentifiers",), fields=("UPN",), examples=[
    Example({"ChildIdentifiers": [
        fail(LAchildID="A", UPN="B801200005001"), ok(LAchildID="B", UPN="H801200001001"),
        fail(LAchildID="C", UPN="b801200005001"), ok(LAchildID="D", UPN=None), ok(LAchildID="E", UPN=None),
        fail(LAchildID="F", UPN="A80120000500A"), fail(LAchildID="F", UPN="A80120000500A")]},
        note="UPNs compared case-free; blanks are not a shared UPN; the same child twice is still two records"),
])
def upn_unique(r: CinReturn) -> Where:
    # Each record with a UPN another ChildIdentifiers record also has (the DfE: unique across all pupils).
    upn = pl.col("UPN").str.to_uppercase()
    return where(r.children, upn.is_not_null() & (pl.len().over(upn) > 1))


@cin_rule("1570", tables=("ChildIdentifiers",), fields=("LAchildID",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A" * 20), fail(LAchildID="A" * 21), ok(LAchildID="X1"),
                                  ok(LAchildID=None)]}),
])
def la_child_id_length(r: CinReturn) -> Where:
    return where(r.children, (pl.col("LAchildID").str.len_chars() > 20).fill_null(False))


@cin_rule("1580", tables=("ChildIdentifiers",), fields=("LAchildID",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="AB12cd34"), ok(LAchildID="123"), ok(LAchildID=None),
                                  fail(LAchildID="AB-12"), fail(LAchildID="AB 12"), fail(LAchildID="AB_12"),
                                  fail(LAchildID="AB/12"), fail(LAchildID="ÄB12")]},
            note="alphanumeric means the letters A-Z (either case) and digits 0-9"),
])
def la_child_id_alphanumeric(r: CinReturn) -> Where:
    return where(r.children, pl.col("LAchildID").is_not_null() & ~pl.col("LAchildID").str.contains(r"^[A-Za-z0-9]+$"))
