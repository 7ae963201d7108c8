"""Legal status: who may be looked after under which legal status, and for how long; and the
ages at which care may end for each reason."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, days_between, invalid
from carestat.validate.registry import Example, Where, fail, ok, rule, where


def _with_dob(r: Return, episodes: pl.Expr) -> pl.LazyFrame:
    """The ``episodes`` selected, with the Header's date of birth as DOB_H."""
    dob = r.dob.lazy().select("CHILD", DOB_H="DOB")
    return r.episodes.lazy().filter(episodes).join(dob, on="CHILD", how="left")


def _episodes_and_header(r: Return, condition: pl.Expr) -> dict[str, pl.LazyFrame | Where]:
    """Episodes meeting ``condition`` (on episodes with DOB_H) and the Header records of their children."""
    children = r.episodes_dob.lazy().filter(condition).select("CHILD").unique()
    return {"Episodes": where(r.episodes_dob, condition),
            "Header": r.header.lazy().join(children, on="CHILD", how="semi").select("_row")}


def _ended_at_age(r: Return, reasons: list[str], age_test: pl.Expr) -> pl.LazyFrame:
    """Episodes ending for one of ``reasons`` where ``age_test`` (on DEC and DOB_H) holds."""
    return _with_dob(r, pl.col("REC").is_in(reasons)).filter(age_test)


def _end_or_year_end(r: Return) -> pl.Expr:
    """DEC, or the year's end for an episode still open (null for an unreadable date)."""
    return pl.when(~invalid("DEC")).then(pl.col("DEC").fill_null(r.end))


def _spells_longer_than(r: Return, status: str, days: int) -> pl.LazyFrame:
    """Episodes in a continuous spell under ``status`` lasting more than ``days`` days.

    A spell is a run of the child's consecutive episodes under that status, each starting the
    day the previous one ended; an open episode counts up to the year's end (an unreadable end
    date is not counted).
    """
    end = _end_or_year_end(r)
    continues = (pl.col("prev_LS") == status) & (pl.col("DECOM") == pl.col("prev_DEC"))
    spells = (
        r.episodes_seq.lazy()
        .filter((pl.col("LS") == status) & pl.col("DECOM").is_not_null())
        .with_columns(_spell=(~continues.fill_null(False)).cast(pl.UInt32).cum_sum().over("CHILD"))
    )
    length = days_between(pl.col("DECOM").min(), end.max()).over("CHILD", "_spell")
    return spells.filter(length > days).select("_row")


# -- legal status and age ---------------------------------------------------------------

@rule("358", tables=("Episodes", "Header"), fields=("LS", "DECOM", "DOB"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/01/2010"), fail(CHILD="B", DOB="01/06/2014"),
                   ok(CHILD="C", DOB="02/06/2014"), ok(CHILD="D", DOB=None)],
        "Episodes": [ok(CHILD="A", LS="J1", DECOM="01/06/2024"), fail(CHILD="B", LS="j2", DECOM="01/06/2024"),
                     ok(CHILD="B", LS="C2", DECOM="01/05/2024"), ok(CHILD="C", LS="J3", DECOM="03/06/2024"),
                     ok(CHILD="D", LS="J3", DECOM="03/06/2024")],
    }, year=2025),
])
def custody_status_under_10(r: Return) -> dict[str, pl.LazyFrame | Where]:
    # J1-J3 need the child to be over 10 when the episode began (the 10th birthday itself fails).
    return _episodes_and_header(r, pl.col("LS").is_in(["J1", "J2", "J3"])
                                & (add_years("DOB_H", 10) >= pl.col("DECOM")))


@rule("359", tables=("Episodes", "Header"), fields=("DEC", "LS", "PLACE"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="30/03/2007"), ok(CHILD="B", DOB="31/03/2007"), ok(CHILD="C", DOB=None)],
        "Episodes": [fail(CHILD="A", LS="C2", PLACE="K2", DECOM="01/04/2024"),
                     ok(CHILD="A", LS="v2", PLACE="k2", DECOM="01/05/2024"),
                     ok(CHILD="A", LS="C2", PLACE="U1", DECOM="01/04/2024", DEC="01/05/2024", REC="X1"),
                     fail(CHILD="A", LS=None, PLACE="K2", DECOM="01/06/2024"),
                     ok(CHILD="B", LS="C2", PLACE="U1", DECOM="01/04/2024"),
                     ok(CHILD="C", LS="C2", PLACE="U1", DECOM="01/04/2024")],
    }, year=2025),
])
def over_18_not_accommodated_in_community_home(r: Return) -> Where:
    # Still looked after at the year end after turning 18: only V2 in a K2 home is allowed.
    allowed = ((pl.col("LS") == "V2") & (pl.col("PLACE") == "K2")).fill_null(False)
    open_episodes = pl.col("DEC").is_null() & ~invalid("DEC") & ~allowed
    return where(r.episodes_dob, open_episodes & (add_years("DOB_H", 18) < r.end))


@rule("378", tables=("Episodes",), fields=("PLACE", "LS"), examples=[
    Example({"Episodes": [fail(PLACE="P1", LS="V2"), fail(PLACE="p1", LS="v2"), ok(PLACE="P1", LS="C2"),
                          ok(PLACE="U1", LS="V2"), ok(PLACE=None, LS="V2")]}),
])
def placed_with_parents_under_section_20(r: Return) -> Where:
    return where(r.episodes, (pl.col("PLACE") == "P1") & (pl.col("LS") == "V2"))


@rule("445", tables=("Episodes",), fields=("LS", "DECOM"), examples=[
    Example({"Episodes": [ok(LS="D1", DECOM="31/12/2005"), fail(LS="D1", DECOM="01/01/2006"),
                          fail(LS="d1", DECOM="01/05/2023"), ok(LS="E1", DECOM="01/05/2023"),
                          ok(LS="D1", DECOM=None)]}, year=2024),
])
def freed_for_adoption_after_2005(r: Return) -> Where:
    return where(r.episodes, (pl.col("LS") == "D1") & (pl.col("DECOM") > dt.date(2005, 12, 31)))


@rule("446", tables=("Episodes",), fields=("LS", "DECOM"), examples=[
    Example({"Episodes": [ok(LS="E1", DECOM="01/12/2005"), fail(LS="E1", DECOM="30/11/2005"),
                          fail(LS="e1", DECOM="01/01/2000"), ok(LS="D1", DECOM="01/01/2000"),
                          ok(LS="E1", DECOM=None)]}),
])
def placement_order_before_dec_2005(r: Return) -> Where:
    return where(r.episodes, (pl.col("LS") == "E1") & (pl.col("DECOM") < dt.date(2005, 12, 1)))


@rule("451", tables=("Episodes",), fields=("DEC", "REC", "LS"), examples=[
    Example({"Episodes": [fail(LS="D1", DEC=None, REC=None), fail(LS="d1", DEC=None, REC=None),
                          ok(LS="D1", DEC="01/05/2023", REC="E11"), ok(LS="D1", DEC="31/02/2023", REC=None),
                          ok(LS="E1", DEC=None, REC=None)]}, year=2024),
])
def still_freed_for_adoption(r: Return) -> Where:
    return where(r.episodes, (pl.col("LS") == "D1") & pl.col("DEC").is_null() & ~invalid("DEC")
                 & pl.col("REC").is_null())


# -- how long a legal status may last -----------------------------------------------------

@rule("361", tables=("Episodes",), fields=("DECOM", "LS", "DEC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", LS="L1", DECOM="01/06/2024", DEC="04/06/2024"),
        fail(CHILD="B", LS="L1", DECOM="01/06/2024", DEC="03/06/2024"),
        fail(CHILD="B", LS="l1", DECOM="03/06/2024", DEC="05/06/2024"),
        ok(CHILD="B", LS="C2", DECOM="05/06/2024", DEC="06/06/2024"),
        ok(CHILD="B", LS="L1", DECOM="06/06/2024", DEC="08/06/2024"),
        fail(CHILD="C", LS="L1", DECOM="27/03/2025", DEC=None),
        ok(CHILD="E", LS="L1", DECOM="28/03/2025", DEC=None),
        ok(CHILD="D", LS="L1", DECOM="01/06/2024", DEC="02/06/2024"),
        ok(CHILD="D", LS="L1", DECOM="03/06/2024", DEC="05/06/2024"),
    ]}, year=2025),
])
def police_protection_over_72_hours(r: Return) -> pl.LazyFrame:
    return _spells_longer_than(r, "L1", 3)


@rule("362", tables=("Episodes",), fields=("DECOM", "LS", "DEC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", LS="L2", DECOM="01/06/2024", DEC="22/06/2024"),
        fail(CHILD="B", LS="L2", DECOM="01/06/2024", DEC="10/06/2024"),
        fail(CHILD="B", LS="L2", DECOM="10/06/2024", DEC="23/06/2024"),
        ok(CHILD="B", LS="C2", DECOM="23/06/2024", DEC=None),
        fail(CHILD="C", LS="L2", DECOM="01/03/2025", DEC=None),
    ]}, year=2025),
])
def emergency_protection_over_21_days(r: Return) -> pl.LazyFrame:
    return _spells_longer_than(r, "L2", 21)


@rule("363", tables=("Episodes",), fields=("LS", "DECOM", "DEC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", LS="L3", DECOM="01/06/2024", DEC="08/06/2024"),
        fail(CHILD="B", LS="L3", DECOM="01/06/2024", DEC="05/06/2024"),
        fail(CHILD="B", LS="L3", DECOM="05/06/2024", DEC="09/06/2024"),
        ok(CHILD="C", LS="L3", DECOM="01/06/2024", DEC="05/06/2024"),
        ok(CHILD="C", LS="L3", DECOM="06/06/2024", DEC="09/06/2024"),
        fail(CHILD="D", LS="L3", DECOM="20/03/2025", DEC=None),
    ]}, year=2025),
])
def assessment_order_over_7_days(r: Return) -> pl.LazyFrame:
    return _spells_longer_than(r, "L3", 7)


@rule("364", tables=("Episodes",), fields=("LS", "DECOM", "DEC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", LS="J2", DECOM="01/06/2024", DEC="22/06/2024"),
        fail(CHILD="B", LS="J2", DECOM="01/06/2024", DEC="20/06/2024"),
        fail(CHILD="B", LS="j2", DECOM="20/06/2024", DEC="23/06/2024"),
        ok(CHILD="C", LS="J1", DECOM="01/06/2024", DEC="01/08/2024"),
        ok(CHILD="D", LS="J2", DECOM="01/06/2024", DEC="10/06/2024"),
        ok(CHILD="D", LS="J2", DECOM="11/06/2024", DEC="23/06/2024"),
        ok(CHILD="E", LS="J2", DECOM="01/06/2024", DEC="31/13/2024"),
    ]}, year=2025),
])
def pace_custody_over_21_days(r: Return) -> pl.LazyFrame:
    return _spells_longer_than(r, "J2", 21)


# -- short breaks (respite) -------------------------------------------------------------

@rule("365", tables=("Episodes",), fields=("LS", "DECOM", "DEC"), examples=[
    Example({"Episodes": [ok(LS="V3", DECOM="01/06/2024", DEC="18/06/2024"),
                          fail(LS="V3", DECOM="01/06/2024", DEC="19/06/2024"),
                          fail(LS="v3", DECOM="01/03/2025", DEC=None), ok(LS="V3", DECOM="20/03/2025", DEC=None),
                          ok(LS="V3", DECOM="01/06/2024", DEC="45/01/2025"),
                          ok(LS="V4", DECOM="01/06/2024", DEC="19/07/2024")]}, year=2025),
])
def short_break_over_17_days(r: Return) -> Where:
    return where(r.episodes, (pl.col("LS") == "V3") & (days_between("DECOM", _end_or_year_end(r)) > 17))


@rule("366", tables=("Episodes",), fields=("RNE",), examples=[
    Example({"Episodes": [ok(LS="V3", RNE="S"), ok(LS="v3", RNE="s"), fail(LS="V3", RNE="P"), fail(LS="V3", RNE=None),
                          ok(LS="V4", RNE="P")]}),
])
def short_break_changes_placement(r: Return) -> Where:
    # Each V3 short break is its own period of care, so it must start one.
    return where(r.episodes, (pl.col("LS") == "V3") & (pl.col("RNE") != "S").fill_null(True))


@rule("367", tables=("Episodes",), fields=("LS", "DECOM", "DEC"), examples=[
    Example({"Episodes": [
        fail(CHILD="A", LS="V3", DECOM="01/03/2024", DEC="20/05/2024"),
        fail(CHILD="A", LS="V3", DECOM="01/06/2024", DEC="17/06/2024"),
        fail(CHILD="A", LS="V3", DECOM="01/07/2024", DEC="12/07/2024"),
        ok(CHILD="A", LS="V3", DECOM="01/08/2024", DEC="01/08/2024"),
        ok(CHILD="A", LS="C2", DECOM="01/09/2024", DEC="01/12/2024"),
        ok(CHILD="B", LS="V3", DECOM="01/03/2024", DEC="20/05/2024"),
        ok(CHILD="B", LS="V3", DECOM="01/06/2024", DEC="17/06/2024"),
        ok(CHILD="B", LS="V3", DECOM="01/07/2024", DEC="10/07/2024"),
        fail(CHILD="C", LS="V3", DECOM="01/01/2025", DEC=None),
        ok(CHILD="D", LS="V3", DECOM="01/01/2025", DEC="01/13/2025"),
    ]}, year=2025),
])
def short_breaks_over_75_days_in_year(r: Return) -> pl.LazyFrame:
    # Days of V3 care within this collection year, summed per child.
    start = pl.col("DECOM").clip(lower_bound=pl.lit(r.start))
    end = _end_or_year_end(r).clip(upper_bound=pl.lit(r.end))
    breaks = (r.episodes.lazy().filter((pl.col("LS") == "V3") & pl.col("DECOM").is_not_null())
              .with_columns(_days=days_between(start, end)).filter(pl.col("_days") > 0))
    return breaks.filter(pl.col("_days").sum().over("CHILD") > 75).select("_row")


@rule("426", tables=("Episodes",), fields=("LS",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", LS="V3", DECOM="01/06/2024"), fail(CHILD="A", LS="v4", DECOM="01/07/2024"),
        ok(CHILD="A", LS="C2", DECOM="01/08/2024"),
        ok(CHILD="B", LS="V3", DECOM="01/06/2024"), ok(CHILD="B", LS="V3", DECOM="01/07/2024"),
        ok(CHILD="C", LS="V4", DECOM="01/06/2024"),
    ]}),
])
def both_kinds_of_short_break(r: Return) -> Where:
    short_break = pl.col("LS").is_in(["V3", "V4"])
    return where(r.episodes, short_break & (pl.col("LS").filter(short_break).n_unique().over("CHILD") == 2))


# -- age when care ends -------------------------------------------------------------------

@rule("386", tables=("Episodes", "Header"), fields=("REC",), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/06/2006"), ok(CHILD="B", DOB=None)],
        "Episodes": [ok(CHILD="A", REC="E11", DECOM="01/04/2024", DEC="31/05/2024"),
                     fail(CHILD="A", REC="e12", DECOM="01/04/2024", DEC="01/06/2024"),
                     ok(CHILD="A", REC="E4A", DECOM="01/04/2024", DEC="01/07/2024"),
                     ok(CHILD="B", REC="E11", DECOM="01/04/2024", DEC="01/07/2024")],
    }, year=2025),
])
def adopted_at_18_or_over(r: Return) -> Where:
    return where(r.episodes_dob, pl.col("REC").is_in(["E11", "E12"])
                 & (add_years("DOB_H", 18) <= pl.col("DEC")))


@rule("387", tables=("Episodes", "Header"), fields=("REC",), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/06/2010"), ok(CHILD="B", DOB=None)],
        "Episodes": [fail(CHILD="A", REC="E5", DECOM="01/04/2024", DEC="31/05/2024"),
                     ok(CHILD="A", REC="e6", DECOM="01/04/2024", DEC="01/06/2024"),
                     fail(CHILD="A", REC="E6", DECOM="01/04/2024", DEC="01/05/2024"),
                     ok(CHILD="A", REC="E4A", DECOM="01/04/2024", DEC="01/05/2024"),
                     ok(CHILD="A", REC="E5", DECOM="01/04/2024", DEC=None),
                     ok(CHILD="B", REC="E5", DECOM="01/04/2024", DEC="01/07/2024")],
    }, year=2025),
])
def independent_living_under_14(r: Return) -> pl.LazyFrame:
    return _ended_at_age(r, ["E5", "E6"], pl.col("DEC") < add_years("DOB_H", 14)).select("_row")


@rule("389", tables=("Episodes", "Header"), fields=("REC",), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/06/2008"), ok(CHILD="B", DOB=None)],
        "Episodes": [fail(CHILD="A", REC="E7", DECOM="01/04/2024", DEC="31/05/2024"),
                     ok(CHILD="A", REC="e7", DECOM="01/04/2024", DEC="01/06/2024"),
                     ok(CHILD="A", REC="E4A", DECOM="01/04/2024", DEC="01/05/2024"),
                     ok(CHILD="A", REC="E7", DECOM="01/04/2024", DEC=None),
                     ok(CHILD="B", REC="E7", DECOM="01/04/2024", DEC="01/07/2024")],
    }, year=2025),
])
def adult_social_care_under_16(r: Return) -> pl.LazyFrame:
    return _ended_at_age(r, ["E7"], pl.col("DEC") < add_years("DOB_H", 16)).select("_row")


@rule("407", tables=("Episodes", "Header"), fields=("DEC", "DOB", "REC"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="02/06/2006"), fail(CHILD="B", DOB="01/06/2006"),
                   fail(CHILD="C", DOB="01/01/2000"), ok(CHILD="D", DOB=None)],
        "Episodes": [ok(CHILD="A", REC="E45", DECOM="01/04/2024", DEC="01/06/2024"),
                     fail(CHILD="B", REC="e46", DECOM="01/04/2024", DEC="01/06/2024"),
                     ok(CHILD="B", REC="E4A", DECOM="01/04/2024", DEC="01/07/2024"),
                     fail(CHILD="C", REC="E48", DECOM="01/04/2024", DEC="01/06/2024"),
                     ok(CHILD="D", REC="E47", DECOM="01/04/2024", DEC="01/06/2024")],
    }, year=2025),
])
def special_guardianship_at_18_or_over(r: Return) -> dict[str, pl.LazyFrame | Where]:
    return _episodes_and_header(r, pl.col("REC").is_in(["E45", "E46", "E47", "E48"])
                                & (add_years("DOB_H", 18) <= pl.col("DEC")))


@rule("460", tables=("Episodes", "Header"), fields=("DEC", "REC"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/06/2006"), ok(CHILD="B", DOB=None)],
        "Episodes": [fail(CHILD="A", REC="E17", DECOM="01/04/2024", DEC="31/05/2024"),
                     ok(CHILD="A", REC="e17", DECOM="01/04/2024", DEC="01/06/2024"),
                     ok(CHILD="A", REC="E4A", DECOM="01/04/2024", DEC="01/05/2024"),
                     ok(CHILD="A", REC="E17", DECOM="01/04/2024", DEC=None),
                     ok(CHILD="B", REC="E17", DECOM="01/04/2024", DEC="01/07/2024")],
    }, year=2025),
])
def staying_put_under_18(r: Return) -> Where:
    return where(r.episodes_dob, pl.col("REC").is_in(["E17"]) & (pl.col("DEC") < add_years("DOB_H", 18)))


@rule("199", tables=("Episodes",), fields=("CHILD",), examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/05/2023", DEC="01/06/2023", REC="E11"),
                          ok(CHILD="B", DECOM="01/05/2023", DEC="01/06/2023", REC="E4A"),
                          ok(CHILD="C", DECOM="01/05/2023", DEC="31/13/2024", REC="E11")],
        "Episodes": [fail(CHILD="A", DECOM="01/05/2024", DEC="01/06/2024", REC="E3"),
                     ok(CHILD="B", DECOM="01/05/2024", DEC="01/06/2024", REC="E12"),
                     fail(CHILD="B", DECOM="01/07/2024", DEC="01/08/2024", REC="e11"),
                     fail(CHILD="B", DECOM="01/09/2024", DEC=None, REC=None),
                     ok(CHILD="C", DECOM="01/05/2023", DEC="01/05/2024", REC="E11")],
    }, year=2025),
    Example({"Episodes": [ok(CHILD="A", DECOM="01/05/2024", DEC="01/06/2024", REC="E11"),
                          fail(CHILD="A", DECOM="02/06/2024", DEC=None, REC=None),
                          ok(CHILD="B", DECOM=None, DEC=None, REC=None)]}, year=2025,
            note="without last year's return, only this year's episodes are checked"),
])
def previously_adopted(r: Return) -> pl.LazyFrame:
    # The DfE's test reads last year's episodes too when they are loaded (hence not a
    # declared input: without them the rule still checks this year's).
    cols = ("CHILD", "DECOM", "REC", "_row")
    this_year = r.episodes.lazy().select(*cols).with_columns(_this_year=pl.lit(True))
    # An episode open last March is in both returns: this year's copy has how it ended.
    last_year = (r.last("Episodes").lazy().select(*cols).with_columns(_this_year=pl.lit(False))
                 .join(this_year, on=["CHILD", "DECOM"], how="anti"))
    both = pl.concat([last_year, this_year]).filter(pl.col("DECOM").is_not_null())
    adopted = both.filter(pl.col("REC").is_in(["E11", "E12"])).select("CHILD").unique()
    adoption = pl.col("REC").is_in(["E11", "E12"]).fill_null(False).cast(pl.UInt32)
    earlier = (adoption.cum_sum() - adoption).over("CHILD")
    return (both.join(adopted, on="CHILD", how="semi").sort("CHILD", "DECOM", "_this_year", "_row")
            .filter((earlier > 0) & pl.col("_this_year")).select("_row"))
