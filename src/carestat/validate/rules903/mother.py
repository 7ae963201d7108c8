"""Motherhood: the MOTHER flag and the date of birth of the mother's first child (MC_DOB)."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import age_on, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_SHORT_BREAKS = ["V3", "V4"]
_OLD_CODES = range(2023, 2025)  # SEX 1 (male) / 2 (female)
_NEW_CODES = range(2025, 2028)  # SEX M / F / U


def _male(year: int) -> str:
    return "1" if year <= 2024 else "M"


def _female(year: int) -> str:
    return "2" if year <= 2024 else "F"


def _given(field: str) -> pl.Expr:
    """A value was entered, readable or not."""
    return pl.col(field).is_not_null() | invalid(field)


def _not_short_break() -> pl.Expr:
    return ~pl.col("LS").is_in(_SHORT_BREAKS).fill_null(False)


def _oc3_given() -> pl.Expr:
    return pl.any_horizontal(pl.col("IN_TOUCH", "ACTIV", "ACCOM").is_not_null())


def _of_children(frame: pl.DataFrame | pl.LazyFrame, flagged: pl.LazyFrame) -> pl.LazyFrame:
    return frame.lazy().join(flagged.select("CHILD").unique(), on="CHILD", how="semi")


@rule("165", tables=("Header", "Episodes", "OC3"), fields=("MOTHER", "SEX", "ACTIV", "ACCOM", "IN_TOUCH", "DECOM"),
      examples=[
    Example({
        "Header": [ok(CHILD="A", SEX="1"), ok(CHILD="B", SEX="2", MOTHER="0"), ok(CHILD="C", SEX="2", MOTHER="1"),
                   fail(CHILD="D", SEX="2"), fail(CHILD="E", SEX="2", MOTHER="2"),
                   fail(CHILD="F", SEX="1", MOTHER="1"), fail(CHILD="G", SEX="2"), ok(CHILD="H", SEX="2"),
                   ok(CHILD="I", SEX="2", MOTHER="1"), ok(CHILD="J", SEX="2"), fail(CHILD="K", SEX="2", MOTHER="0"),
                   ok(CHILD="L", SEX="2")],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", DEC="01/05/2024", LS="C2"),
                     ok(CHILD="B", DECOM="01/01/2024", DEC="01/05/2024", LS="C2"),
                     ok(CHILD="C", DECOM="30/03/2024", DEC="30/05/2024", LS="C2"),
                     ok(CHILD="D", DECOM="01/01/2024", DEC="01/04/2024", LS="C2"),
                     ok(CHILD="E", DECOM="22/01/2024", DEC="22/05/2024", LS="C2"),
                     ok(CHILD="F", DECOM="11/01/2024", DEC="11/05/2024", LS="C2"),
                     ok(CHILD="G", DECOM="31/03/2024", LS="C2"),
                     ok(CHILD="H", DECOM="25/03/2023", DEC="31/03/2023", LS="C2"),
                     ok(CHILD="I", DECOM="01/01/2024", DEC="01/05/2024", LS="V3"),
                     ok(CHILD="I", DECOM="01/11/2025", DEC="01/11/2025", LS="C2"),
                     ok(CHILD="J", DECOM="01/11/2024", DEC="01/11/2024", LS="V4"),
                     ok(CHILD="K", DECOM="01/01/2020", DEC="01/02/2020", LS="C2")],
        "OC3": [fail(CHILD="G", IN_TOUCH="YES"), ok(CHILD="H", ACCOM="B1"), ok(CHILD="L", IN_TOUCH="YES"),
                fail(CHILD="K", IN_TOUCH="YES")],
    }, year=2024),
    Example({
        "Header": [ok(CHILD="A", SEX="M"), fail(CHILD="B", SEX="F"), fail(CHILD="C", SEX="M", MOTHER="0"),
                   ok(CHILD="D", SEX="F", MOTHER="1"), ok(CHILD="E", SEX="U")],
        "Episodes": [ok(CHILD=c, DECOM="01/06/2024", LS="C2") for c in "ABCDE"],
        "OC3": [],
    }, year=2025),
])
def mother_status_invalid(r: Return) -> dict[str, pl.LazyFrame]:
    # Only children with episodes other than short breaks are checked; care leavers with no
    # episodes at all are left to 628.
    in_year = (pl.col("DEC").is_null() | (pl.col("DEC") >= r.start)) & (pl.col("DECOM") <= r.end)
    looked_after = r.episodes.lazy().filter(_not_short_break()).group_by("CHILD").agg(
        in_year=in_year.fill_null(False).any())
    oc3 = r.oc3.lazy().group_by("CHILD").agg(has_oc3=_oc3_given().any())
    mother, sex = pl.col("MOTHER"), pl.col("SEX")
    given, female = mother.is_not_null(), sex == _female(r.year)
    flagged = (
        r.header.lazy().join(looked_after, on="CHILD", how="inner").join(oc3, on="CHILD", how="left")
        .filter((
            (given & ~mother.is_in(r.codes("Header", "MOTHER")))
            | (given & (sex == _male(r.year)))
            | (~given & female & pl.col("in_year"))
            | (given & female & ~pl.col("in_year") & pl.col("has_oc3").fill_null(False))
        ).fill_null(False))
    )
    return {"Header": flagged, "OC3": _of_children(r.oc3, flagged)}


def _mother_is_male(r: Return) -> Where:
    return where(r.header, (pl.col("SEX") == _male(r.year)) & _given("MC_DOB"))


@rule("174", tables=("Header",), fields=("SEX", "MC_DOB"), years=_OLD_CODES, examples=[
    Example({"Header": [ok(SEX="2", MC_DOB="01/01/2020"), fail(SEX="1", MC_DOB="01/01/2020"),
                        ok(SEX="1", MC_DOB=None), fail(SEX="1", MC_DOB="31/02/2020")]}, year=2024),
])
def mother_is_male(r: Return) -> Where:
    return _mother_is_male(r)


@rule("174", tables=("Header",), fields=("SEX", "MC_DOB"), years=_NEW_CODES, examples=[
    Example({"Header": [ok(SEX="F", MC_DOB="01/01/2020"), fail(SEX="M", MC_DOB="01/01/2020"),
                        fail(SEX="m", MC_DOB="01/01/2020"), ok(SEX="M", MC_DOB=None),
                        ok(SEX="1", MC_DOB="01/01/2020")]}, year=2025),
])
def mother_is_male_2025(r: Return) -> Where:
    return _mother_is_male(r)


@rule("171", tables=("Header",), fields=("MC_DOB",), examples=[
    Example({"Header": [ok(MC_DOB="01/01/2021"), ok(MC_DOB=None), fail(MC_DOB="38/04/2019"),
                        fail(MC_DOB="31/02/2020"), fail(MC_DOB="01/01/19")]}),
])
def first_child_dob_valid(r: Return) -> Where:
    return where(r.header, invalid("MC_DOB"))


@rule("207", tables=("Header", "Header_last", "Episodes"), fields=("MOTHER",), examples=[
    Example({
        "Header": [ok(CHILD="A", MOTHER="1"), fail(CHILD="B", MOTHER="0"), ok(CHILD="C", MOTHER="1"),
                   fail(CHILD="D", MOTHER=None), ok(CHILD="E", MOTHER=None), ok(CHILD="F", MOTHER="1"),
                   ok(CHILD="G", MOTHER="0"), ok(CHILD="H", MOTHER=None)],
        "Header_last": [ok(CHILD="A", MOTHER="1"), ok(CHILD="B", MOTHER="1"), ok(CHILD="C", MOTHER="0"),
                        ok(CHILD="D", MOTHER="1"), ok(CHILD="E", MOTHER=None), ok(CHILD="G", MOTHER=None),
                        ok(CHILD="H", MOTHER="1")],
        "Episodes": [ok(CHILD=c) for c in "AABCDEFG"],
    }, note="H has no episodes"),
])
def mother_status_changed_from_last_year(r: Return) -> pl.LazyFrame:
    # Once a mother, always a mother (checked for children with episodes this year).
    last = r.table("Header_last").lazy().filter(pl.col("MOTHER") == "1").select("CHILD")
    return (r.header.lazy().filter(pl.col("MOTHER").ne_missing(pl.lit("1")))
            .join(last, on="CHILD", how="semi").join(r.episodes.lazy().select("CHILD"), on="CHILD", how="semi"))


def _mother_not_recorded(r: Return) -> pl.DataFrame:
    looked_after = r.episodes.lazy().filter(_not_short_break()).select("CHILD")
    return (r.header.lazy().filter((pl.col("SEX") == _female(r.year)) & pl.col("MOTHER").is_null())
            .join(looked_after, on="CHILD", how="semi"))


@rule("393", tables=("Header", "Episodes"), fields=("MOTHER",), years=_OLD_CODES, examples=[
    Example({
        "Header": [ok(CHILD="A", SEX="2", MOTHER="1"), ok(CHILD="B", SEX="1"), ok(CHILD="C", SEX="2", MOTHER="0"),
                   fail(CHILD="D", SEX="2"), ok(CHILD="E", SEX="2"), fail(CHILD="F", SEX="2"),
                   ok(CHILD="G", SEX="2")],
        "Episodes": [ok(CHILD="A", LS="C2"), ok(CHILD="B", LS="C2"), ok(CHILD="C", LS="c2"),
                     ok(CHILD="D", LS="C1"), ok(CHILD="E", LS="v4"), ok(CHILD="F", LS=None)],
    }, year=2024),
])
def mother_not_recorded(r: Return) -> pl.LazyFrame:
    return _mother_not_recorded(r)


@rule("393", tables=("Header", "Episodes"), fields=("MOTHER",), years=_NEW_CODES, examples=[
    Example({
        "Header": [ok(CHILD="A", SEX="F", MOTHER="1"), ok(CHILD="B", SEX="M"), fail(CHILD="C", SEX="f"),
                   ok(CHILD="D", SEX="F"), ok(CHILD="E", SEX="U")],
        "Episodes": [ok(CHILD="A", LS="C2"), ok(CHILD="B", LS="C2"), ok(CHILD="C", LS="C1"),
                     ok(CHILD="D", LS="V3"), ok(CHILD="E", LS="C2")],
    }, year=2025),
])
def mother_not_recorded_2025(r: Return) -> pl.LazyFrame:
    return _mother_not_recorded(r)


def _left_care_mother_not_recorded(r: Return) -> dict[str, pl.DataFrame]:
    ceased = r.episodes.lazy().filter(
        pl.col("DEC").is_between(r.start, r.end) & (pl.col("REC") != "X1") & _not_short_break()
    )
    mothers_unknown = r.header.lazy().filter((pl.col("SEX") == _female(r.year)) & pl.col("MOTHER").is_null())
    episodes = ceased.join(mothers_unknown.select("CHILD").unique(), on="CHILD", how="semi")
    return {"Episodes": episodes, "Header": _of_children(mothers_unknown, episodes)}


def _607_episodes(y: int) -> list[dict[str, object]]:
    """Episodes for 607's examples in the collection year ending 31 March ``y``."""
    return [
        fail(CHILD="A", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC="E11", LS="C2"),
        ok(CHILD="B", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC="E11", LS="C2"),
        ok(CHILD="C", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC="E11", LS="V3"),
        ok(CHILD="D", DECOM=f"01/01/{y - 2}", DEC=f"31/03/{y - 1}", REC="E11", LS="C2"),
        fail(CHILD="E", DECOM=f"01/01/{y}", DEC=f"31/03/{y}", REC="E2", LS=None),
        ok(CHILD="F", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC="X1", LS="C2"),
        ok(CHILD="G", DECOM=f"01/01/{y - 1}", DEC=None, REC=None, LS="C2"),
        ok(CHILD="H", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC=None, LS="C2"),
        ok(CHILD="I", DECOM=f"01/01/{y - 1}", DEC=f"01/06/{y - 1}", REC="E11", LS="C2"),
        fail(CHILD="J", DECOM=f"01/01/{y - 1}", DEC=f"01/04/{y - 1}", REC="E3", LS="C2"),
    ]


@rule("607", tables=("Header", "Episodes"), fields=("DEC", "REC", "MOTHER", "LS", "SEX"), years=_OLD_CODES,
      examples=[
    Example({
        "Header": [fail(CHILD="A", SEX="2"), ok(CHILD="B", SEX="2", MOTHER="0"), ok(CHILD="C", SEX="2"),
                   ok(CHILD="D", SEX="2"), fail(CHILD="E", SEX="2"), ok(CHILD="F", SEX="2"), ok(CHILD="G", SEX="2"),
                   ok(CHILD="H", SEX="2"), ok(CHILD="I", SEX="1"), fail(CHILD="J", SEX="2")],
        "Episodes": _607_episodes(2024),
    }, year=2024),
])
def left_care_mother_not_recorded(r: Return) -> dict[str, pl.LazyFrame]:
    return _left_care_mother_not_recorded(r)


@rule("607", tables=("Header", "Episodes"), fields=("DEC", "REC", "MOTHER", "LS", "SEX"), years=_NEW_CODES,
      examples=[
    Example({
        "Header": [fail(CHILD="A", SEX="F"), ok(CHILD="B", SEX="F", MOTHER="0"), ok(CHILD="C", SEX="F"),
                   ok(CHILD="D", SEX="F"), fail(CHILD="E", SEX="f"), ok(CHILD="F", SEX="F"), ok(CHILD="G", SEX="F"),
                   ok(CHILD="H", SEX="F"), ok(CHILD="I", SEX="M"), fail(CHILD="J", SEX="F")],
        "Episodes": _607_episodes(2025),
    }, year=2025),
])
def left_care_mother_not_recorded_2025(r: Return) -> dict[str, pl.LazyFrame]:
    return _left_care_mother_not_recorded(r)


@rule("611", tables=("Header",), fields=("MOTHER", "MC_DOB"), examples=[
    Example({"Header": [fail(MOTHER="1"), ok(MOTHER="1", MC_DOB="01/01/2020"), ok(MOTHER="0"), ok(MOTHER=None),
                        ok(MOTHER="1", MC_DOB="32/01/2020")]}, note="an unreadable MC_DOB is left to 171"),
])
def mother_without_first_child_dob(r: Return) -> Where:
    return where(r.header, (pl.col("MOTHER") == "1") & ~_given("MC_DOB"))


def _not_mother_with_first_child_dob(r: Return) -> Where:
    return where(r.header, (pl.col("MOTHER") == "0").fill_null(True) & (pl.col("SEX") == _female(r.year))
                 & _given("MC_DOB"))


@rule("612", tables=("Header",), fields=("SEX", "MOTHER", "MC_DOB"), years=_OLD_CODES, examples=[
    Example({"Header": [fail(SEX="2", MOTHER="0", MC_DOB="01/01/2020"), fail(SEX="2", MC_DOB="01/01/2020"),
                        ok(SEX="2", MOTHER="1", MC_DOB="01/01/2020"), ok(SEX="1", MC_DOB="01/01/2020"),
                        ok(SEX="2", MOTHER="0"), fail(SEX="2", MOTHER="0", MC_DOB="99/99/2020")]}, year=2024),
])
def not_mother_with_first_child_dob(r: Return) -> Where:
    return _not_mother_with_first_child_dob(r)


@rule("612", tables=("Header",), fields=("SEX", "MOTHER", "MC_DOB"), years=_NEW_CODES, examples=[
    Example({"Header": [fail(SEX="F", MOTHER="0", MC_DOB="01/01/2020"), fail(SEX="f", MC_DOB="01/01/2020"),
                        ok(SEX="F", MOTHER="1", MC_DOB="01/01/2020"), ok(SEX="M", MC_DOB="01/01/2020"),
                        ok(SEX="2", MOTHER="0", MC_DOB="01/01/2020")]}, year=2025),
])
def not_mother_with_first_child_dob_2025(r: Return) -> Where:
    return _not_mother_with_first_child_dob(r)


@rule("620", tables=("Header",), fields=("MOTHER", "DOB"), examples=[
    Example({"Header": [ok(MOTHER="1", DOB="01/04/2013"), fail(MOTHER="1", DOB="02/04/2013"),
                        fail(MOTHER="1", DOB="01/01/2020"), ok(MOTHER="0", DOB="02/04/2020"),
                        ok(MOTHER=None, DOB="02/04/2020"), ok(MOTHER="1", DOB=None)]}, year=2025),
])
def mother_under_11(r: Return) -> Where:
    # Under 11 at the start of the collection year.
    return where(r.header, (pl.col("MOTHER") == "1") & (age_on("DOB", r.start) < 11))


@rule("621", tables=("Header",), fields=("DOB", "MC_DOB"), examples=[
    Example({"Header": [fail(DOB="01/12/2021", MC_DOB="01/01/2021"), ok(DOB="19/02/2006", MC_DOB="19/12/2022"),
                        fail(DOB="31/01/2019", MC_DOB="31/01/2019"), ok(DOB="31/01/2019", MC_DOB=None),
                        ok(DOB="31/01/2019", MC_DOB="01/02/2019"), ok(DOB=None, MC_DOB="01/02/2019")]}),
])
def mother_younger_than_child(r: Return) -> pl.DataFrame:
    return r.header.filter(pl.col("MC_DOB") <= pl.col("DOB"))


@rule("624", tables=("Header", "Header_last", "Episodes"), fields=("MC_DOB",), examples=[
    Example({
        "Header": [ok(CHILD="A", MC_DOB="01/06/2020"), fail(CHILD="B", MC_DOB=None),
                   fail(CHILD="C", MC_DOB="08/09/2020"), ok(CHILD="D", MC_DOB=None), ok(CHILD="E", MC_DOB="01/02/2020"),
                   ok(CHILD="F", MC_DOB="01/02/2020"), ok(CHILD="G", MC_DOB=None)],
        "Header_last": [ok(CHILD="A", MC_DOB="2020-06-01"), ok(CHILD="B", MC_DOB="01/06/2019"),
                        ok(CHILD="C", MC_DOB="10/09/2020"), ok(CHILD="D", MC_DOB=None), ok(CHILD="E", MC_DOB=None),
                        ok(CHILD="F", MC_DOB="01/02/2020"), ok(CHILD="G", MC_DOB="01/02/2019")],
        "Episodes": [ok(CHILD=c, DECOM="01/01/2023") for c in "ABCDEF"],
    }, note="G left care: motherhood details are not needed (628), so a blank is no contradiction"),
])
def first_child_dob_changed(r: Return) -> pl.LazyFrame:
    # A blank this year contradicts last year only for a child still looked after: care leavers
    # not looked after this year leave motherhood details out (628).
    last = r.table("Header_last").lazy().filter(pl.col("MC_DOB").is_not_null()).select(
        "CHILD", pl.col("MC_DOB").alias("MC_DOB_last"))
    looked_after = pl.col("CHILD").is_in(r.episodes["CHILD"].implode())
    changed = pl.col("MC_DOB").is_not_null() & (pl.col("MC_DOB") != pl.col("MC_DOB_last"))
    dropped = pl.col("MC_DOB").is_null() & looked_after
    return r.header.lazy().join(last, on="CHILD", how="inner").filter(changed | dropped)


@rule("625", tables=("Header", "Episodes"), fields=("MC_DOB", "DEC"), examples=[
    Example({
        "Header": [fail(CHILD="A", MC_DOB="01/11/2024"), fail(CHILD="B", MC_DOB="19/12/2023"),
                   ok(CHILD="C", MC_DOB=None), ok(CHILD="D", MC_DOB="01/09/2023"), ok(CHILD="E", MC_DOB="31/03/2024"),
                   ok(CHILD="F", MC_DOB="11/11/2015")],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2012", DEC="11/11/2012"), fail(CHILD="A", DECOM="01/01/2024"),
                     ok(CHILD="B", DECOM="03/10/2014", DEC="03/10/2015"),
                     fail(CHILD="B", DECOM="03/10/2015", DEC="11/11/2023"),
                     ok(CHILD="C", DECOM="01/01/2020", DEC="01/01/2021"),
                     ok(CHILD="D", DECOM="01/01/2023", DEC="01/06/2023"), ok(CHILD="D", DECOM="01/06/2023"),
                     ok(CHILD="E", DECOM="01/01/2023"), ok(CHILD="F", DECOM="01/01/2015", DEC="11/11/2015")],
    }, year=2024, note="D is still looked after, so only the year end bounds MC_DOB"),
])
def first_child_born_after_care_ended(r: Return) -> dict[str, pl.LazyFrame]:
    # Compare with the child's latest episode (its DEC, if the child has left care).
    latest = r.episodes_seq.lazy().filter(pl.col("_seq") == pl.col("_n")).select("CHILD", "DEC", "_row")
    mc_dob = r.header.lazy().filter(pl.col("MC_DOB").is_not_null()).select("CHILD", "MC_DOB", "_row")
    flagged = latest.join(mc_dob, on="CHILD", how="inner", suffix="_h").filter(
        (pl.col("MC_DOB") > r.end) | (pl.col("MC_DOB") > pl.col("DEC")).fill_null(False))
    return {"Episodes": flagged.select("CHILD", "_row"),
            "Header": flagged.select("CHILD", pl.col("_row_h").alias("_row"))}


@rule("626", tables=("Header", "Header_last"), fields=("MOTHER", "MC_DOB"), examples=[
    Example({
        "Header": [ok(CHILD="A", MOTHER="1"), fail(CHILD="B", MOTHER="1", MC_DOB="31/03/2024"),
                   ok(CHILD="C", MOTHER="0"), ok(CHILD="D", MOTHER="1", MC_DOB="01/04/2024"),
                   ok(CHILD="E", MOTHER="1", MC_DOB="01/01/2020")],
        "Header_last": [ok(CHILD="A", MOTHER="1"), ok(CHILD="B", MOTHER="0"), ok(CHILD="C", MOTHER="1"),
                        ok(CHILD="D", MOTHER="0"), ok(CHILD="E", MOTHER="1")],
    }, year=2025),
])
def became_mother_before_this_year(r: Return) -> pl.LazyFrame:
    # A first child born before this year contradicts "not a mother" last year.
    last = r.table("Header_last").lazy().filter(pl.col("MOTHER") == "0").select("CHILD")
    return r.header.lazy().filter((pl.col("MOTHER") == "1") & (pl.col("MC_DOB") < r.start)).join(
        last, on="CHILD", how="semi")


@rule("628", tables=("Header", "Episodes", "OC3"), fields=("MOTHER",), examples=[
    Example({
        "Header": [fail(CHILD="A", MOTHER="1"), ok(CHILD="B"), ok(CHILD="C", MOTHER="0"),
                   ok(CHILD="D", MOTHER="1"), fail(CHILD="E", MOTHER="0"), ok(CHILD="F", MOTHER="1")],
        "Episodes": [ok(CHILD="B"), ok(CHILD="D"), ok(CHILD="X")],
        "OC3": [ok(CHILD="A", IN_TOUCH="YES", ACCOM="B1"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C"),
                ok(CHILD="E", ACTIV="F1"), ok(CHILD="D", IN_TOUCH="YES")],
    }, note="F has no OC3 record, C an empty one"),
])
def mother_details_for_care_leaver(r: Return) -> pl.LazyFrame:
    # Care leavers: in OC3 with details, and no episode at all in this return.
    leavers = r.oc3.lazy().filter(_oc3_given()).select("CHILD")
    return (r.header.lazy().filter(pl.col("MOTHER").is_not_null())
            .join(r.episodes.lazy().select("CHILD"), on="CHILD", how="anti")
            .join(leavers, on="CHILD", how="semi"))

