"""ChildIdentifiers: the child's identifier, dates of birth and sex, and that it has an episode."""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, Where, fail, ok, where


@cin_rule("8500", tables=("ChildIdentifiers",), fields=("LAchildID",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A1"), fail(LAchildID=None), fail(LAchildID="  ")]}),
])
def la_child_id_present(r: CinReturn) -> Where:
    return where(r.children, pl.col("LAchildID").is_null())


@cin_rule("8525Q", tables=("ChildIdentifiers",), fields=("PersonBirthDate", "ExpectedPersonBirthDate"), examples=[
    Example({"ChildIdentifiers": [
        ok(PersonBirthDate="2015-03-27"), ok(ExpectedPersonBirthDate="2025-06-01"),
        fail(PersonBirthDate="2015-03-27", ExpectedPersonBirthDate="2015-04-01"), fail(),
        fail(PersonBirthDate="2015-02-30"),  # not a date: no date of birth given
    ]}),
])
def one_birth_date(r: CinReturn) -> Where:
    return where(r.children, pl.col("PersonBirthDate").is_null() == pl.col("ExpectedPersonBirthDate").is_null())


@cin_rule("4180", tables=("ChildIdentifiers",), fields=("GenderCurrent", "Sex"), examples=[
    Example({"ChildIdentifiers": [ok(GenderCurrent="1"), ok(GenderCurrent="0"), ok(GenderCurrent="9"),
                                  fail(GenderCurrent="M"), fail(GenderCurrent=None)]}, year=2024),
    Example({"ChildIdentifiers": [ok(Sex="M"), ok(Sex="f"), ok(Sex="U"), fail(Sex="1"), fail(Sex=None)]},
            year=2025),
])
def sex_recorded(r: CinReturn) -> Where:
    # GenderCurrent (0/1/2/9) to 2023/24, Sex (M/F/U) from 2024/25: the year's spec has one of them.
    name = "Sex" if "Sex" in r.children.columns else "GenderCurrent"
    return where(r.children, ~pl.col(name).is_in(r.codes("ChildIdentifiers", name)).fill_null(False))


@cin_rule("8590", tables=("ChildIdentifiers",), fields=("LAchildID",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), fail(LAchildID="B"), ok(LAchildID=None)],
             "CINdetails": [ok(LAchildID="A"), ok(LAchildID="A"), ok(LAchildID=None)]},
            note="a child with a blank ID still has its own episodes"),
])
def child_has_episode(r: CinReturn) -> Where:
    # By the Child element (_child), not LAchildID: exact even when IDs are blank or repeated.
    return where(r.children, ~pl.col("_child").is_in(r.cin_details["_child"].implode()))
