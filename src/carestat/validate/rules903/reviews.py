"""Reviews: statutory reviews of the care plan and how the child took part (REVIEW_CODE)."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, child_in, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_UNDER_4 = "PN0"  # the child was under 4 at the review
_AGED_4_OR_OVER = ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]


def _given(field: str) -> pl.Expr:
    """A value was entered, readable or not."""
    return pl.col(field).is_not_null() | invalid(field)


@rule("166", tables=("Reviews",), fields=("REVIEW",), examples=[
    Example({"Reviews": [ok(REVIEW="01/01/2021"), ok(REVIEW="2010-02-19"), fail(REVIEW="38/04/2019"),
                         fail(REVIEW=None), fail(REVIEW="soon")]}),
])
def review_date_invalid(r: Return) -> Where:
    return where(r.reviews, pl.col("REVIEW").is_null())


@rule("167", tables=("Reviews",), fields=("REVIEW_CODE",), examples=[
    Example({"Reviews": [fail(REVIEW="01/02/2020", REVIEW_CODE="PR0"), fail(REVIEW="31/03/2020", REVIEW_CODE="too young"),
                         ok(REVIEW="12/12/2019", REVIEW_CODE="pn3"), fail(REVIEW="05/07/2020"), ok(),
                         fail(REVIEW_CODE="PN1"), ok(REVIEW="31/02/2020", REVIEW_CODE="PN7")]},
            note="a review without a date is left to 166"),
])
def participation_code_invalid(r: Return) -> Where:
    # A review needs a valid participation code; a blank record needs none.
    code = pl.col("REVIEW_CODE")
    valid = (_given("REVIEW") & code.is_in(r.codes("Reviews", "REVIEW_CODE")).fill_null(False)) | (
        ~_given("REVIEW") & code.is_null())
    return where(r.reviews, ~valid)


@rule("399", tables=("Episodes", "Header", "Reviews"), fields=("MOTHER", "LS", "REVIEW", "REVIEW_CODE"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", LS="V4"), fail(CHILD="A", LS="v4"), ok(CHILD="B", LS="V3"), ok(CHILD="C", LS="L4"),
                     ok(CHILD="D", LS=None), fail(CHILD="E", LS="V4"), ok(CHILD="F", LS="V3"), ok(CHILD="F", LS="C2"),
                     fail(CHILD="G", LS="V3")],
        "Header": [fail(CHILD="A", MOTHER="0"), ok(CHILD="B"), ok(CHILD="C"), ok(CHILD="D", MOTHER="1"),
                   fail(CHILD="E"), ok(CHILD="F", MOTHER="1"), fail(CHILD="G", MOTHER="1")],
        "Reviews": [fail(CHILD="A", REVIEW="31/12/2008", REVIEW_CODE="PN1"), fail(CHILD="A"), ok(CHILD="B"),
                    ok(CHILD="C", REVIEW="01/01/2009", REVIEW_CODE="PN4"),
                    ok(CHILD="D", REVIEW="01/01/2012", REVIEW_CODE="PN5"), fail(CHILD="E", REVIEW_CODE="PN6"),
                    ok(CHILD="E"), ok(CHILD="F", REVIEW="01/01/2021", REVIEW_CODE="PN7")],
    }, note="A: MOTHER given, so all its reviews; E: only the review with details; G has no reviews"),
])
def short_breaks_only_with_mother_or_reviews(r: Return) -> dict[str, Where]:
    # Children looked after only under short-break legal statuses (V3/V4) have no reviews or
    # motherhood details. The children are found once; each table's records are then a condition.
    short_breaks = r.episodes.group_by("CHILD").agg(
        only=pl.col("LS").is_in(["V3", "V4"]).fill_null(False).all()).filter("only")["CHILD"]
    mothers = r.header.filter(pl.col("MOTHER").is_not_null() & child_in(short_breaks))["CHILD"]
    filled = _given("REVIEW") | pl.col("REVIEW_CODE").is_not_null()
    reviews = child_in(short_breaks) & (filled | child_in(mothers))
    children = pl.concat([mothers, r.reviews.filter(reviews)["CHILD"]])
    return {"Episodes": where(r.episodes, child_in(children)), "Header": where(r.header, child_in(children)),
            "Reviews": where(r.reviews, reviews)}


@rule("440", tables=("Reviews",), fields=("DOB", "REVIEW", "REVIEW_CODE"), examples=[
    Example({"Reviews": [ok(DOB="01/01/2004", REVIEW="31/12/2007", REVIEW_CODE="PN0"),
                         ok(DOB="01/01/2006", REVIEW="01/01/2010", REVIEW_CODE="PN0"),
                         ok(DOB="01/01/2007", REVIEW_CODE="PN0"),
                         fail(DOB="01/01/2008", REVIEW="02/01/2012", REVIEW_CODE="pn0"),
                         fail(DOB="01/01/2010", REVIEW="01/01/2015", REVIEW_CODE="PN0"),
                         ok(DOB="01/01/2014", REVIEW="01/01/2020", REVIEW_CODE="PN1")]}),
])
def under_4_code_but_aged_4_or_over(r: Return) -> Where:
    return where(r.reviews, (pl.col("REVIEW_CODE") == _UNDER_4) & (pl.col("REVIEW") > add_years("DOB", 4)))


@rule("441", tables=("Reviews",), fields=("DOB", "REVIEW", "REVIEW_CODE"), examples=[
    Example({"Reviews": [ok(DOB="01/01/2004", REVIEW="31/12/2008", REVIEW_CODE="PN1"),
                         ok(DOB="01/01/2006", REVIEW="01/01/2010", REVIEW_CODE="PN2"),
                         ok(DOB="01/01/2007", REVIEW_CODE="PN3"),
                         fail(DOB="01/01/2008", REVIEW="31/12/2011", REVIEW_CODE="pn4"),
                         fail(DOB="01/01/2010", REVIEW="01/01/2012", REVIEW_CODE="PN7"),
                         ok(DOB="01/06/2014", REVIEW="01/01/2015", REVIEW_CODE="PN0")]}),
])
def aged_4_code_but_under_4(r: Return) -> Where:
    return where(r.reviews, pl.col("REVIEW_CODE").is_in(_AGED_4_OR_OVER)
                 & (pl.col("REVIEW") < add_years("DOB", 4)))
