"""Codes against the census's code lists, and the DfE's return-level checks of how codes are used
(sex recorded, disability codes).

A return-level check is reported once, about the return as a whole (no table, no row): the rule
returns ``{None: frame}``, a frame with one row when the return fails. In examples the pseudo-table
``"_return"`` (``WHOLE_RETURN`` of the test harness) says whether that error is expected.
"""

from __future__ import annotations

import polars as pl

from carestat.validate.cin_context import CinReturn, cin_rule
from carestat.validate.registry import Example, RuleResult, Where, fail, ok, where

WHOLE_RETURN = "_return"  # the examples' pseudo-table for an error about the whole return


def _return_fails(counts: pl.LazyFrame, condition: pl.Expr) -> RuleResult:
    """A return-level result: ``counts`` (one row of figures) kept when ``condition`` holds."""
    return {None: counts.filter(condition)}


@cin_rule("4220", tables=("ChildCharacteristics",), fields=("Ethnicity",), examples=[
    Example({"ChildCharacteristics": [ok(Ethnicity="WBRI"), ok(Ethnicity="refu"), ok(Ethnicity="NOBT"),
                                      fail(Ethnicity="ZZZZ"), fail(Ethnicity=None), fail(Ethnicity="White")]}),
])
def ethnicity_code_valid(r: CinReturn) -> Where:
    # Every Child has a ChildCharacteristics record, blank when the element is missing: flagged too.
    codes = r.codes("ChildCharacteristics", "Ethnicity")
    return where(r.characteristics, ~pl.col("Ethnicity").is_in(codes).fill_null(False))


def _no_sex_share(r: CinReturn, field: str, unknown: str) -> RuleResult:
    # The children, unborn excluded, whose sex is blank or the "not known" code, against every
    # child record (the guide's denominator); more than 2% is queried.
    unrecorded = (pl.col(field).is_null() | (pl.col(field) == unknown)) & pl.col("ExpectedPersonBirthDate").is_null()
    counts = r.children.lazy().select(unrecorded=unrecorded.sum(), children=pl.len())
    return _return_fails(counts, pl.col("unrecorded") * 50 > pl.col("children"))


def _sex_examples(year: int, field: str, unknown: str, known: str) -> list[Example]:
    born = {field: known, "PersonBirthDate": "2015-01-01"}
    unborn = {field: unknown, "ExpectedPersonBirthDate": f"{year}-06-01"}
    return [
        # 1 of 50 children is 2%: not more than 2%.
        Example({"ChildIdentifiers": [ok(**{**born, field: None}), *[ok(**born)] * 49], WHOLE_RETURN: [ok()]},
                year=year),
        Example({"ChildIdentifiers": [ok(**{**born, field: unknown}), ok(**{**born, field: None}),
                                      *[ok(**born)] * 97], WHOLE_RETURN: [fail()]}, year=year),
        Example({"ChildIdentifiers": [ok(**unborn), ok(**unborn), *[ok(**born)] * 8], WHOLE_RETURN: [ok()]},
                year=year, note="unborn children have no sex recorded yet"),
        Example({"ChildIdentifiers": [], WHOLE_RETURN: [ok()]}, year=year),
    ]


@cin_rule("2886Q", tables=("ChildIdentifiers",), fields=("GenderCurrent", "ExpectedPersonBirthDate"),
          years=(2023, 2024), examples=_sex_examples(2024, "GenderCurrent", "0", "1"))
def gender_unrecorded_share(r: CinReturn) -> RuleResult:
    # To 2023/24: GenderCurrent blank or 0 ("not known").
    return _no_sex_share(r, "GenderCurrent", "0")


@cin_rule("2886Q", tables=("ChildIdentifiers",), fields=("Sex", "ExpectedPersonBirthDate"),
          years=range(2025, 2028), examples=_sex_examples(2025, "Sex", "U", "F"))
def sex_unrecorded_share(r: CinReturn) -> RuleResult:
    # From 2024/25: Sex blank or U ("unknown", which unborn children are given).
    return _no_sex_share(r, "Sex", "U")


def _disabilities(r: CinReturn) -> pl.LazyFrame:
    """Disability records with a valid code other than NONE."""
    codes = [c for c in r.codes("Disabilities", "Disability") if c != "NONE"]
    return r.disabilities.lazy().filter(pl.col("Disability").is_in(codes))


_EIGHT = ["AUT", "BEH", "COMM", "CON", "DDA", "HAND", "HEAR", "INC"]


@cin_rule("2887Q", tables=("Disabilities",), fields=("Disability",), examples=[
    Example({"Disabilities": [ok(Disability=c) for c in _EIGHT], WHOLE_RETURN: [ok()]}),
    Example({"Disabilities": [*[ok(Disability=c) for c in _EIGHT[:7]], ok(Disability="aut"), ok(Disability="NONE"),
                              ok(Disability="XYZ"), ok(Disability=None)], WHOLE_RETURN: [fail()]},
            note="seven codes: NONE, invalid codes and repeats do not count"),
    Example({"Disabilities": [], WHOLE_RETURN: [fail()]}, note="no disability code used at all"),
])
def disability_codes_used(r: CinReturn) -> RuleResult:
    counts = _disabilities(r).select(used=pl.col("Disability").n_unique())
    return _return_fails(counts, pl.col("used") < 8)


@cin_rule("2888Q", tables=("Disabilities",), fields=("Disability",), examples=[
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "Disabilities": [ok(LAchildID="A", Disability="AUT"), ok(LAchildID="B", Disability="AUT"),
                              ok(LAchildID="B", Disability="LD")], WHOLE_RETURN: [ok()]}),
    Example({"ChildIdentifiers": [ok(LAchildID="A"), ok(LAchildID="B")],
             "Disabilities": [ok(LAchildID="A", Disability="AUT"), ok(LAchildID="A", Disability="AUT"),
                              ok(LAchildID="B", Disability="LD"), ok(LAchildID="B", Disability="NONE")],
             WHOLE_RETURN: [fail()]}, note="a repeated code (8794) or NONE is not a second disability"),
    Example({"Disabilities": [ok(Disability="NONE")], WHOLE_RETURN: [ok()]},
            note="no child has a disability: nothing to record more of"),
])
def several_disabilities_recorded(r: CinReturn) -> RuleResult:
    per_child = _disabilities(r).group_by("_child").agg(codes=pl.col("Disability").n_unique())
    counts = per_child.select(disabled=pl.len(), most=pl.col("codes").max())
    return _return_fails(counts, (pl.col("disabled") > 0) & (pl.col("most") <= 1))
