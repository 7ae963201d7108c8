"""Header: the child's sex, date of birth, ethnicity and UPN."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, age_on
from carestat.validate.registry import Example, fail, ok, rule


@rule("101", tables=("Header",), fields=("SEX",), examples=[
    Example({"Header": [ok(SEX="1"), ok(SEX="2"), fail(SEX="3"), fail(SEX=None), fail(SEX="M")]}, year=2024),
    Example({"Header": [ok(SEX="M"), ok(SEX="f"), ok(SEX="U"), fail(SEX="1"), fail(SEX=None)]}, year=2025),
])
def sex_code_valid(r: Return) -> pl.DataFrame:
    return r.header.filter(~pl.col("SEX").is_in(r.codes("Header", "SEX")).fill_null(False))


@rule("102", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="01/01/2010"), ok(DOB="2010-01-31"), fail(DOB="31/02/2010"),
                        fail(DOB=None), fail(DOB="yesterday")]}),
])
def dob_valid(r: Return) -> pl.DataFrame:
    return r.header.filter(pl.col("DOB").is_null())


@rule("103", tables=("Header",), fields=("ETHNIC",), examples=[
    Example({"Header": [ok(ETHNIC="WBRI"), ok(ETHNIC="wbri"), fail(ETHNIC="White British"),
                        fail(ETHNIC=None)]}),
])
def ethnicity_code_valid(r: Return) -> pl.DataFrame:
    return r.header.filter(~pl.col("ETHNIC").is_in(r.codes("Header", "ETHNIC")).fill_null(False))


@rule("232", tables=("Header",), fields=("SEX",), severity="query", examples=[
    Example({"Header": [ok(SEX="M"), ok(SEX="F"), fail(SEX="U")]}),
])
def sex_unknown(r: Return) -> pl.DataFrame:
    return r.header.filter(pl.col("SEX") == "U")


@rule("301", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="31/03/2025"), fail(DOB="01/04/2025"), ok(DOB=None)]}, year=2025),
])
def born_after_year_end(r: Return) -> pl.DataFrame:
    return r.header.filter(pl.col("DOB") > r.end)


@rule("351", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="02/04/1999"), ok(DOB="01/04/1999"), fail(DOB="31/03/1999"),
                        fail(DOB="01/01/1990")]}, year=2025),
])
def over_25_at_year_start(r: Return) -> pl.DataFrame:
    # Over 25 on 1 April: the 25th birthday fell before the collection year began.
    return r.header.filter(add_years("DOB", 25) < r.start)


@rule("174", tables=("Header",), fields=("SEX", "MC_DOB"), examples=[
    Example({"Header": [ok(SEX="2", MC_DOB="01/01/2020"), fail(SEX="1", MC_DOB="01/01/2020"),
                        ok(SEX="1", MC_DOB=None)]}, year=2024),
    Example({"Header": [ok(SEX="F", MC_DOB="01/01/2020"), fail(SEX="M", MC_DOB="01/01/2020")]}, year=2025),
])
def mother_is_male(r: Return) -> pl.DataFrame:
    male = "1" if r.year <= 2024 else "M"
    return r.header.filter((pl.col("SEX") == male) & pl.col("MC_DOB").is_not_null())


@rule("620", tables=("Header",), fields=("MOTHER", "DOB"), examples=[
    Example({"Header": [ok(MOTHER="1", DOB="01/04/2010"), fail(MOTHER="1", DOB="02/04/2014"),
                        ok(MOTHER="0", DOB="02/04/2020"), ok(MOTHER=None, DOB="02/04/2020")]}, year=2025),
])
def mother_under_11(r: Return) -> pl.DataFrame:
    # Under 11 at the start of the collection year.
    return r.header.filter((pl.col("MOTHER") == "1") & (age_on("DOB", r.start) < 11))
