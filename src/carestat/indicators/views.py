"""Cohorts many indicators share: who was looked after on 31 March, who started or left care.

All take the deduplicated episode history (``Inputs.episodes``) and return one row per child
per year with ``la_code``, ``year``, ``child_key`` and the fields of the relevant episode.
Children looked after only under short breaks (legal status V3/V4) are left out, as in the
DfE's national statistics.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.inputs import Inputs, year_bounds
from carestat.spec import code_groups

SHORT_BREAKS = ("V3", "V4")
AGE_BANDS = ((1, "Under 1"), (5, "1 to 4 years"), (10, "5 to 9 years"), (16, "10 to 15 years"))


def age_on(dob: pl.Expr, day: pl.Expr) -> pl.Expr:
    before_birthday = (day.dt.month() < dob.dt.month()) | (
        (day.dt.month() == dob.dt.month()) & (day.dt.day() < dob.dt.day()))
    return day.dt.year() - dob.dt.year() - before_birthday.cast(pl.Int32)


def age_band(age: pl.Expr) -> pl.Expr:
    expr = pl.when(age < AGE_BANDS[0][0]).then(pl.lit(AGE_BANDS[0][1]))
    for upper, label in AGE_BANDS[1:]:
        expr = expr.when(age < upper).then(pl.lit(label))
    return expr.otherwise(pl.lit("16 and over"))


def placement_group(place: pl.Expr) -> pl.Expr:
    groups = code_groups()[("Episodes", "PLACE")]
    return place.replace_strict(groups, default="other")


def sex_label(code: pl.Expr) -> pl.Expr:
    """Header SEX (1/2 to 2023/24, M/F/U from 2024/25) as a label."""
    return code.replace_strict({"1": "Male", "2": "Female", "M": "Male", "F": "Female"}, default="Not known")


def in_returns(frame: pl.DataFrame, inputs: Inputs) -> pl.DataFrame:
    """Only the LA-years that have a return loaded (see ``Inputs.returns``)."""
    return frame.join(inputs.returns.select("la_code", "year"), on=["la_code", "year"], how="semi")


def looked_after_at_31_march(inputs: Inputs) -> pl.DataFrame:
    """Children with an episode open on 31 March of each year (not short breaks only):
    the open episode's fields, the child's age and age band on that day."""
    return inputs.view("looked_after_at_31_march", _looked_after_at_31_march)


def _looked_after_at_31_march(inputs: Inputs) -> pl.DataFrame:
    parts = []
    e = inputs.episodes
    for year in inputs.years:
        _, end = year_bounds(year)
        open_then = e.filter((pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))
                             & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)
                             & (pl.col("collection_year") >= year))
        parts.append(open_then.unique(["la_code", "child_key"], keep="first").with_columns(
            year=pl.lit(year, dtype=pl.Int64), age=age_on(pl.col("DOB"), pl.lit(end))))
    out = in_returns(pl.concat(parts), inputs)
    return out.with_columns(age_band=age_band(pl.col("age")), placement=placement_group(pl.col("PLACE")))


def started_in_year(inputs: Inputs) -> pl.DataFrame:
    """Each child's first start of a period of care (RNE S) in each year, with age at start."""
    return inputs.view("started_in_year", _started_in_year)


def _started_in_year(inputs: Inputs) -> pl.DataFrame:
    parts = []
    e = inputs.episodes.filter((pl.col("RNE") == "S") & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    for year in inputs.years:
        start, end = year_bounds(year)
        parts.append(e.filter(pl.col("DECOM").is_between(start, end)).sort("DECOM")
                     .unique(["la_code", "child_key"], keep="first")
                     .with_columns(year=pl.lit(year, dtype=pl.Int64), age=age_on(pl.col("DOB"), pl.col("DECOM"))))
    return in_returns(pl.concat(parts), inputs).with_columns(age_band=age_band(pl.col("age")))


def ceased_in_year(inputs: Inputs) -> pl.DataFrame:
    """Each child's last ceasing of care (REC not X1) in each year, with age at leaving."""
    return inputs.view("ceased_in_year", _ceased_in_year)


def _ceased_in_year(inputs: Inputs) -> pl.DataFrame:
    groups = code_groups()[("Episodes", "REC")]
    parts = []
    e = inputs.episodes.filter(pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & pl.col("DEC").is_not_null()
                               & ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    for year in inputs.years:
        start, end = year_bounds(year)
        parts.append(e.filter(pl.col("DEC").is_between(start, end)).sort("DEC", descending=True)
                     .unique(["la_code", "child_key"], keep="first")
                     .with_columns(year=pl.lit(year, dtype=pl.Int64), age=age_on(pl.col("DOB"), pl.col("DEC"))))
    return in_returns(pl.concat(parts), inputs).with_columns(
        age_band=age_band(pl.col("age")), reason=pl.col("REC").replace_strict(groups, default="other"))
