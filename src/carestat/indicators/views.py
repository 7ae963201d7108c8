"""Cohorts many indicators share: who was looked after on 31 March, who started or left care.

All take the deduplicated episode history (``Inputs.episodes``) and return one row per child
per year with ``la_code``, ``year``, ``child_key`` and the fields of the relevant episode.
Children looked after only under short breaks (legal status V3/V4) are left out, as in the
DfE's national statistics.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.inputs import CHILD_ID, Inputs, collection_year_of, first_of, return_key
from carestat.spec import code_groups

SHORT_BREAKS = ("V3", "V4")
AGE_BANDS = ((1, "Under 1"), (5, "1 to 4 years"), (10, "5 to 9 years"), (16, "10 to 15 years"))


def age_on(dob: pl.Expr, day: pl.Expr) -> pl.Expr:
    before_birthday = (day.dt.month() < dob.dt.month()) | (
        (day.dt.month() == dob.dt.month()) & (day.dt.day() < dob.dt.day()))
    return day.dt.year() - dob.dt.year() - before_birthday.cast(pl.Int32)


def age_on_31_march(dob: pl.Expr, year: pl.Expr) -> pl.Expr:
    """``age_on(dob, 31 March of year)``: a birthday after 31 March is in the collection year
    named by the next calendar year, so the age is the years between the two collection years."""
    return (year - collection_year_of(dob)).cast(pl.Int32)


def age_band(age: pl.Expr) -> pl.Expr:
    """The band's label; a null age falls in the last band."""
    # ``age`` is evaluated once (it is often a computation): each whole age up to the last band's
    # start is looked up, ages past it clipped to it.
    last = AGE_BANDS[-1][0]
    labels = {a: next((label for upper, label in AGE_BANDS if a < upper), "16 and over") for a in range(last + 1)}
    return age.clip(0, last).replace_strict(labels, return_dtype=pl.Utf8).fill_null("16 and over")


def placement_group(place: pl.Expr) -> pl.Expr:
    groups = code_groups()[("Episodes", "PLACE")]
    return place.replace_strict(groups, default="other")


def sex_label(code: pl.Expr) -> pl.Expr:
    """Header SEX (1/2 to 2023/24, M/F/U from 2024/25) as a label."""
    return code.replace_strict({"1": "Male", "2": "Female", "M": "Male", "F": "Female"}, default="Not known")


def in_returns(frame: pl.DataFrame, inputs: Inputs) -> pl.DataFrame:
    """Only the LA-years that have a return loaded (see ``Inputs.returns``)."""
    if CHILD_ID in frame.columns:  # the LA is in the child's id: no string join
        return frame.filter(return_key(pl.col(CHILD_ID), pl.col("year")).is_in(inputs.return_keys))
    return frame.join(inputs.returns.select("la_code", "year"), on=["la_code", "year"], how="semi")


def not_short_breaks() -> pl.Expr:
    return ~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False)


def first_per_child_year(rows: pl.DataFrame) -> pl.DataFrame:
    """The first row (in the frame's order) of each child and year, ordered by child and year."""
    return rows.sort(CHILD_ID, "year", maintain_order=True).filter(first_of(CHILD_ID, "year"))


def open_on_31_march(inputs: Inputs) -> pl.DataFrame:
    """``_ep`` (a row of ``Inputs.episodes``), ``CHILD_ID``, ``year``: every episode (not short breaks)
    open on 31 March of each loaded year up to the latest return holding it, in episode order."""
    return inputs.view("open_on_31_march", _open_on_31_march)


def _open_on_31_march(inputs: Inputs) -> pl.DataFrame:
    # Open on 31 March of year y: DECOM <= 31 March y < DEC, and y no later than the return's year.
    first = collection_year_of(pl.col("DECOM"))
    last = pl.min_horizontal(collection_year_of(pl.col("DEC")) - 1, pl.col("collection_year").cast(pl.Int64))
    e = inputs.episodes.filter(pl.col("DECOM").is_not_null() & not_short_breaks())
    rows = (e.select("_ep", CHILD_ID, year=pl.int_ranges(pl.max_horizontal(first, min(inputs.years)),
                                                        pl.min_horizontal(last, max(inputs.years)) + 1))
            .explode("year").filter(pl.col("year").is_in(inputs.years)))
    return rows.with_columns(pl.col("year").cast(pl.Int64))


def looked_after_at_31_march(inputs: Inputs) -> pl.DataFrame:
    """Children with an episode open on 31 March of each year (not short breaks only):
    the open episode's fields, the child's age and age band on that day."""
    return inputs.view("looked_after_at_31_march", _looked_after_at_31_march)


def _looked_after_at_31_march(inputs: Inputs) -> pl.DataFrame:
    rows = first_per_child_year(open_on_31_march(inputs))
    out = inputs.episodes[rows["_ep"]].with_columns(rows["year"])
    out = in_returns(out, inputs).with_columns(age=age_on_31_march(pl.col("DOB"), pl.col("year")))
    return out.with_columns(age_band=age_band(pl.col("age")), placement=placement_group(pl.col("PLACE")))


def started_in_year(inputs: Inputs) -> pl.DataFrame:
    """Each child's first start of a period of care (RNE S) in each year, with age at start."""
    return inputs.view("started_in_year", _started_in_year)


def _started_in_year(inputs: Inputs) -> pl.DataFrame:
    starts = (pl.col("RNE") == "S") & not_short_breaks()
    return _one_per_child_year(inputs, starts, "DECOM", latest=False).with_columns(
        age=age_on(pl.col("DOB"), pl.col("DECOM"))).with_columns(age_band=age_band(pl.col("age")))


def _one_per_child_year(inputs: Inputs, where: pl.Expr, day: str, latest: bool) -> pl.DataFrame:
    """The episodes ``where`` is true of, one per child and collection year of ``day``: the earliest
    (or ``latest``) that year, for LA-years with a return. Chosen on the few columns needed, then
    gathered whole."""
    rows = (inputs.episodes.select("_ep", CHILD_ID, "RNE", "LS", "REC", "DECOM", "DEC").filter(where)
            .with_columns(year=collection_year_of(pl.col(day))).filter(pl.col("year").is_in(inputs.years))
            .sort(CHILD_ID, "year", day, descending=[False, False, latest], maintain_order=True)
            .filter(first_of(CHILD_ID, "year")))
    rows = in_returns(rows, inputs)
    return inputs.episodes[rows["_ep"]].with_columns(rows["year"])


def ceased_in_year(inputs: Inputs) -> pl.DataFrame:
    """Each child's last ceasing of care (REC not X1) in each year, with age at leaving."""
    return inputs.view("ceased_in_year", _ceased_in_year)


def _ceased_in_year(inputs: Inputs) -> pl.DataFrame:
    groups = code_groups()[("Episodes", "REC")]
    ceases = pl.col("REC").is_not_null() & (pl.col("REC") != "X1") & pl.col("DEC").is_not_null() & not_short_breaks()
    return _one_per_child_year(inputs, ceases, "DEC", latest=True).with_columns(
        age=age_on(pl.col("DOB"), pl.col("DEC"))).with_columns(
        age_band=age_band(pl.col("age")), reason=pl.col("REC").replace_strict(groups, default="other"))
