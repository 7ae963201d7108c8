"""OC3: care leavers around their 17th to 21st birthdays."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, age_on, between, child_in, invalid, present
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_OC3 = ("IN_TOUCH", "ACTIV", "ACCOM")
_AD1 = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
_TWELVE_MONTH = ("CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
                 "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
# Accommodation in custody or with no fixed abode is never suitable: S1 and X1 are not DfE codes.
_NEVER_SUITABLE = ("S1", "X1")


def _any_given(fields: tuple[str, ...]) -> pl.Expr:
    """Any of the fields was entered (a date or number that could not be read counts as entered)."""
    return pl.any_horizontal(present(f) | invalid(f) for f in fields)


_CARE_LEAVER_DATA = _any_given(_OC3)


def _with_children(frame: pl.DataFrame | pl.LazyFrame, children: pl.LazyFrame) -> pl.LazyFrame:
    """Rows of ``frame`` whose CHILD is in ``children``."""
    return frame.lazy().join(children.select("CHILD"), on="CHILD", how="semi")


def _final_episodes(episodes: pl.DataFrame) -> pl.LazyFrame:
    """Each child's latest-starting episode (episodes without a start date ignored)."""
    return episodes.lazy().filter(pl.col("DECOM") == pl.col("DECOM").max().over("CHILD"))


def _aged_17_or_18_with_data(r: Return) -> pl.LazyFrame:
    """Care leaver records of young people aged 17 or 18 on 31 March, with their latest birthday."""
    return (r.oc3.lazy().with_columns(_age=age_on("DOB", r.end))
            .filter(pl.col("_age").is_between(17, 18) & _CARE_LEAVER_DATA)
            .with_columns(_bday=add_years("DOB", pl.col("_age"))))


# -- codes -----------------------------------------------------------------------------------

@rule("131", tables=("OC3",), fields=("IN_TOUCH",), examples=[
    Example({"OC3": [ok(IN_TOUCH="YES"), ok(IN_TOUCH="rhom"), fail(IN_TOUCH="MAYBE"), fail(IN_TOUCH=None)]}),
])
def in_touch_code_valid(r: Return) -> Where:
    return where(r.oc3, ~pl.col("IN_TOUCH").is_in(r.codes("OC3", "IN_TOUCH")).fill_null(False))


@rule("132", tables=("OC3",), fields=("ACTIV",), examples=[
    Example({"OC3": [ok(ACTIV="F1"), ok(ACTIV="g6"), ok(ACTIV="0"), fail(ACTIV="1"), fail(ACTIV="F3"),
                     fail(ACTIV=None)]}),
])
def activity_code_valid(r: Return) -> Where:
    return where(r.oc3, ~pl.col("ACTIV").is_in(r.codes("OC3", "ACTIV")).fill_null(False))


@rule("133", tables=("OC3",), fields=("ACCOM",), examples=[
    Example({"OC3": [ok(ACCOM="B1"), ok(ACCOM="s2"), ok(ACCOM="0"), fail(ACCOM="S1"), fail(ACCOM="X1"),
                     fail(ACCOM="X"), fail(ACCOM="1"), fail(ACCOM=None)]}),
])
def accommodation_code_valid(r: Return) -> Where:
    codes = [c for c in r.codes("OC3", "ACCOM") if c not in _NEVER_SUITABLE]
    return where(r.oc3, ~pl.col("ACCOM").is_in(codes).fill_null(False))


# -- consistency within the record -----------------------------------------------------------

@rule("153", tables=("OC3",), fields=_OC3, examples=[
    Example({"OC3": [ok(IN_TOUCH="YES", ACTIV="F1", ACCOM="B1"), ok(),
                     fail(IN_TOUCH="YES"), fail(ACTIV="F1", ACCOM="B1"), fail(IN_TOUCH="NO", ACTIV="0")]}),
])
def care_leaver_items_partly_blank(r: Return) -> Where:
    given = pl.sum_horizontal(present(f).cast(pl.Int8) for f in _OC3)
    return where(r.oc3, given.is_between(1, len(_OC3) - 1))


@rule("344", tables=("OC3",), fields=_OC3, examples=[
    Example({"OC3": [ok(IN_TOUCH="DIED", ACTIV="0", ACCOM="0"), ok(IN_TOUCH="rhom", ACTIV="0", ACCOM="0"),
                     ok(IN_TOUCH="YES", ACTIV="F1", ACCOM="B1"),
                     fail(IN_TOUCH="RHOM", ACTIV="F1", ACCOM="0"), fail(IN_TOUCH="DIED", ACTIV="0", ACCOM="B1"),
                     fail(IN_TOUCH="DIED")]}),
])
def died_or_home_with_activity(r: Return) -> Where:
    activity = pl.col("ACTIV").ne_missing("0") | pl.col("ACCOM").ne_missing("0")
    return where(r.oc3, pl.col("IN_TOUCH").is_in(["DIED", "RHOM"]) & activity)


@rule("345", tables=("OC3",), fields=_OC3, examples=[
    Example({"OC3": [ok(IN_TOUCH="YES", ACTIV="F1", ACCOM="B1"), ok(IN_TOUCH="NO", ACTIV="0", ACCOM="0"),
                     ok(IN_TOUCH="YES"),
                     fail(IN_TOUCH="yes", ACTIV="0", ACCOM="B1"), fail(IN_TOUCH="YES", ACTIV="F1", ACCOM="0")]}),
])
def in_touch_with_zero_activity(r: Return) -> Where:
    return where(r.oc3, (pl.col("IN_TOUCH") == "YES") & ((pl.col("ACTIV") == "0") | (pl.col("ACCOM") == "0")))


# -- age -------------------------------------------------------------------------------------

@rule("391", tables=("OC3",), fields=("DOB", *_OC3), examples=[
    Example({"OC3": [ok(DOB="31/03/2008", IN_TOUCH="YES"), ok(DOB="01/04/2008"),
                     fail(DOB="01/04/2008", IN_TOUCH="YES"), fail(DOB="01/01/2010", ACCOM="B1")]}, year=2025),
])
def care_leaver_under_17(r: Return) -> Where:
    # Too young: the 17th birthday falls after 31 March.
    return where(r.oc3, (add_years("DOB", 17) > r.end) & _CARE_LEAVER_DATA)


@rule("347", tables=("OC3",), fields=("DOB", "ACCOM"), examples=[
    Example({"OC3": [ok(DOB="01/04/2006", ACCOM="T1"), ok(DOB="01/01/2000", ACCOM="t2"),
                     ok(DOB="01/01/2008", ACCOM="B1"),
                     fail(DOB="02/04/2006", ACCOM="T2"), fail(DOB="01/01/2008", ACCOM="T1")]}, year=2025),
])
def foyer_under_18(r: Return) -> Where:
    # Under 18 on 1 April: the 18th birthday falls after the year began.
    return where(r.oc3, pl.col("ACCOM").is_in(["T1", "T2"]) & (add_years("DOB", 18) > r.start))


@rule("3001", tables=("OC3", "Header"), fields=("REC",), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/04/2007"), ok(CHILD="B", DOB="31/03/2008"), ok(CHILD="C", DOB="02/04/2008"),
                   ok(CHILD="D", DOB="31/03/2007"), ok(CHILD="E", DOB="01/06/2007")],
        "OC3": [fail(CHILD="A", ACCOM="Z1"), fail(CHILD="B", ACCOM="z2"), ok(CHILD="C", ACCOM="Z1"),
                ok(CHILD="D", ACCOM="Z1"), ok(CHILD="E", ACCOM="B1")],
    }, year=2025),
])
def former_foster_carers_at_17(r: Return) -> pl.LazyFrame:
    turns_17 = between(add_years("DOB_H", 17), r.start, r.end)
    return r.with_dob(r.oc3.lazy()).filter(pl.col("ACCOM").is_in(["Z1", "Z2"]) & turns_17).select("_row")


# -- care leaver data that should not be there -----------------------------------------------

@rule("134", tables=("AD1", "OC3"), fields=(*_OC3, *_AD1), examples=[
    Example({
        "OC3": [ok(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B"), ok(CHILD="C", ACCOM="B1")],
        "AD1": [fail(CHILD="A", DATE_INT="01/01/2024"), ok(CHILD="B", DATE_MATCH="01/01/2024"),
                fail(CHILD="C", DATE_MATCH="31/02/2024"), ok(CHILD="D", FOSTER_CARE="1")],
    }),
])
def adoption_data_for_care_leaver(r: Return) -> pl.LazyFrame:
    leavers = r.oc3.lazy().filter(_CARE_LEAVER_DATA)
    return _with_children(r.ad1.lazy().filter(_any_given(_AD1)), leavers).select("_row")


@rule("215", tables=("OC3", "OC2"), fields=(*_OC3, *_TWELVE_MONTH), examples=[
    Example({
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C"),
                ok(CHILD="D", IN_TOUCH="NO")],
        "OC2": [fail(CHILD="A", CONVICTED="0"), ok(CHILD="B", SDQ_SCORE="10"), ok(CHILD="C", TEETH_CHECK="1"),
                ok(CHILD="E", TEETH_CHECK="1")],
    }),
])
def care_leaver_with_twelve_month_items(r: Return) -> dict[str, pl.LazyFrame]:
    leavers = r.oc3.lazy().filter(_CARE_LEAVER_DATA)
    twelve_month = r.oc2.lazy().filter(pl.any_horizontal(present(f) for f in _TWELVE_MONTH))
    return {"OC3": leavers.join(twelve_month.select("CHILD"), on="CHILD", how="semi").select("_row"),
            "OC2": twelve_month.join(leavers.select("CHILD"), on="CHILD", how="semi").select("_row")}


@rule("187", tables=("OC3", "AD1", "Episodes"), fields=(*_AD1, *_OC3), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", RNE="S", LS="C2"),
                     ok(CHILD="B", DECOM="02/04/2024", RNE="S", LS="C2"),
                     ok(CHILD="C", DECOM="01/01/2024", RNE="S", LS="C2")],
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C")],
        "AD1": [fail(CHILD="A", DATE_INT="01/01/2025"), ok(CHILD="B", DATE_INT="01/01/2025"),
                fail(CHILD="C", NB_ADOPTR="1"), ok(CHILD="C")],
    }, year=2025, note="A and C are looked after continuously all year; B started in the year"),
])
def care_leaver_or_adoption_data_while_looked_after_12_months(r: Return) -> dict[str, Where]:
    cla = child_in(r.continuously_looked_after["CHILD"])
    return {"OC3": where(r.oc3, _CARE_LEAVER_DATA & cla), "AD1": where(r.ad1, _any_given(_AD1) & cla)}


@rule("1007", tables=("OC3", "Episodes"), fields=_OC3, examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", DEC="01/03/2025"),   # in care on 17th birthday
                     ok(CHILD="B", DECOM="01/01/2024", DEC="01/09/2024"),   # left before it
                     ok(CHILD="C", DECOM="01/01/2024"),                     # still in care
                     ok(CHILD="D", DECOM="01/01/2024", DEC="01/03/2025"),   # no care leaver data
                     ok(CHILD="E", DECOM="01/01/2024", DEC="01/03/2025"),   # 19
                     ok(CHILD="F", DECOM="01/01/2023", DEC="01/09/2023"),
                     ok(CHILD="F", DECOM="01/01/2024", DEC="01/10/2024")],  # in care on 18th birthday
        "OC3": [fail(CHILD="A", DOB="01/10/2007", IN_TOUCH="YES"), ok(CHILD="B", DOB="01/10/2007", IN_TOUCH="YES"),
                fail(CHILD="C", DOB="01/10/2007", ACCOM="B1"), ok(CHILD="D", DOB="01/10/2007"),
                ok(CHILD="E", DOB="01/10/2005", IN_TOUCH="YES"), fail(CHILD="F", DOB="01/06/2006", IN_TOUCH="NO")],
    }, year=2025),
])
def care_leaver_still_looked_after_on_birthday(r: Return) -> pl.LazyFrame:
    episodes = r.episodes.lazy().select("CHILD", "DECOM", "DEC")
    on_birthday = (pl.col("DECOM") <= pl.col("_bday")) & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("_bday")))
    return _aged_17_or_18_with_data(r).join(episodes, on="CHILD").filter(on_birthday).select("_row")


@rule("1016", tables=("OC3", "Episodes"), fields=_OC3, examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", DEC="31/03/2025"), ok(CHILD="B", DECOM="01/01/2024",
                                                                           DEC="30/03/2025"),
                     ok(CHILD="C", DECOM="01/01/2024", DEC="31/03/2025"), ok(CHILD="D", DECOM="01/01/2024"),
                     ok(CHILD="E", DECOM="01/01/2024", DEC="01/02/2025"),
                     ok(CHILD="F", DECOM="01/01/2024", DEC="01/02/2025")],
        "OC3": [fail(CHILD="A", DOB="31/03/2007", IN_TOUCH="YES"),    # left care on 18th birthday
                ok(CHILD="B", DOB="31/03/2007", IN_TOUCH="YES"),      # left the day before
                ok(CHILD="C", DOB="31/03/2007"),
                ok(CHILD="D", DOB="31/03/2007", IN_TOUCH="YES"),
                fail(CHILD="E", DOB="01/01/2008", ACTIV="F1"),        # left after 17th birthday
                ok(CHILD="F", DOB="01/01/2006", IN_TOUCH="YES")],     # 19
    }, year=2025),
])
def care_leaver_left_care_after_birthday(r: Return) -> pl.LazyFrame:
    episodes = r.episodes.lazy().select("CHILD", "DEC")
    return (_aged_17_or_18_with_data(r).join(episodes, on="CHILD")
            .filter(pl.col("DEC") >= pl.col("_bday")).select("_row"))


@rule("1000", tables=("OC3", "Episodes"), fields=_OC3, examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", DEC="01/06/2024", REC="e2"),
                     ok(CHILD="B", DECOM="01/01/2024", DEC="01/06/2024", REC="E4A")],
        "OC3": [fail(CHILD="A", IN_TOUCH="DIED"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C", IN_TOUCH="YES")],
    }),
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/01/2023", DEC="01/06/2023", REC="E2")],
        "Episodes": [ok(CHILD="B", DECOM="01/01/2024", DEC="01/06/2024", REC="E4A")],
        "OC3": [fail(CHILD="A", IN_TOUCH="DIED"), ok(CHILD="B", IN_TOUCH="YES")],
    }, year=2025, note="the previous year's episodes are used when supplied"),
])
def care_leaver_died_in_care(r: Return) -> pl.LazyFrame:
    died = [r.episodes.lazy().filter(pl.col("REC") == "E2").select("CHILD")]
    if r.has("Episodes_last"):
        died.append(r.last("Episodes").lazy().filter(pl.col("REC") == "E2").select("CHILD"))
    return _with_children(r.oc3, pl.concat(died)).select("_row")


@rule("1011", tables=("OC3", "Episodes"), fields=_OC3, examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", DEC="01/06/2024", REC="X1"),
                     ok(CHILD="A", DECOM="01/06/2024", DEC="01/07/2024", REC="e3"),
                     ok(CHILD="B", DECOM="01/01/2024", DEC="01/06/2024", REC="E3"),
                     ok(CHILD="B", DECOM="01/06/2024", DEC="01/07/2024", REC="E4A"),
                     ok(CHILD="C", DECOM="01/01/2024", DEC="01/06/2024", REC="E3")],
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C")],
    }, year=2025),
])
def care_leaver_transferred_to_another_la(r: Return) -> pl.LazyFrame:
    transferred = _final_episodes(r.episodes).filter(pl.col("REC") == "E3")
    return _with_children(r.oc3.lazy().filter(_CARE_LEAVER_DATA), transferred).select("_row")


# -- care leavers without the episodes that make them care leavers ---------------------------

@rule("1002", tables=("OC3", "Episodes", "Episodes_last"), fields=_OC3, examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/01/2023", DEC="01/06/2023", REC="E4A")],
        "Episodes": [ok(CHILD="B", DECOM="01/01/2024", DEC="01/06/2024", REC="E4A")],
        "OC3": [ok(CHILD="A", DOB="01/06/2007", IN_TOUCH="YES"), ok(CHILD="B", DOB="01/06/2007", IN_TOUCH="YES"),
                fail(CHILD="C", DOB="01/06/2007", IN_TOUCH="YES"), ok(CHILD="D", DOB="01/01/2004", IN_TOUCH="YES")],
    }, year=2025, note="D turned 16 before the two years loaded: their care may lie earlier"),
])
def care_leaver_never_looked_after(r: Return) -> Where:
    # A care leaver was looked after after their 16th birthday. Only young people whose 16th
    # birthday falls inside the two loaded years can be shown to have no such episode.
    window_start = add_years(pl.lit(r.start), -1)
    return where(r.oc3, (add_years("DOB", 16) >= window_start) & ~child_in(r.episodes["CHILD"])
                 & ~child_in(r.last("Episodes")["CHILD"]))


@rule("1010", tables=("OC3", "Episodes", "Episodes_last"), fields=_OC3, examples=[
    Example({
        "Episodes_last": [ok(CHILD="A", DECOM="01/01/2023", DEC="01/03/2023", REC="X1"),
                          ok(CHILD="A", DECOM="01/03/2023"),                        # open at 31 March 2024
                          ok(CHILD="B", DECOM="01/03/2023", DEC="01/04/2023", REC="E4A"),
                          ok(CHILD="B", DECOM="01/01/2023"),                        # open, but not the latest
                          ok(CHILD="C", DECOM="01/03/2023")],
        "Episodes": [ok(CHILD="C", DECOM="01/03/2023", DEC="01/06/2024", REC="E4A")],
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C", IN_TOUCH="YES")],
    }, year=2025),
])
def care_leaver_missing_current_episodes(r: Return) -> pl.LazyFrame:
    still_open = _final_episodes(r.last("Episodes")).filter(pl.col("DEC").is_null())
    return (_with_children(r.oc3, still_open)
            .join(r.episodes.lazy().select("CHILD"), on="CHILD", how="anti").select("_row"))


@rule("1001", tables=("OC3", "Episodes", "Header", "Episodes_last"), fields=_OC3, examples=[
    Example({
        "Header": [ok(CHILD=c, DOB="01/06/2007") for c in "ABCDEF"] + [ok(CHILD="G", DOB="01/01/2006")],
        "Episodes_last": [
            ok(CHILD="A", DECOM="01/01/2023", DEC="01/09/2023", REC="E4A", LS="C2"),   # in care after 16
            ok(CHILD="B", DECOM="01/01/2023", DEC="01/05/2023", REC="E4A", LS="C2"),   # left before 16
            ok(CHILD="D", DECOM="01/01/2023", DEC="01/09/2023", REC="E4A", LS="V3"),   # short breaks only
            ok(CHILD="E", DECOM="01/03/2023", REC="X1", LS="C2", DEC="01/06/2023"),
            ok(CHILD="G", DECOM="01/01/2022", DEC="01/02/2022", REC="E4A", LS="C2"),   # 16 before the data
        ],
        "Episodes": [
            ok(CHILD="E", DECOM="01/06/2023", DEC="01/06/2024", REC="E11", LS="E1"),   # adopted
            ok(CHILD="F", DECOM="01/12/2024", LS="C2"),                                # in care after 16
        ],
        "OC3": [ok(CHILD="A", IN_TOUCH="YES"), fail(CHILD="B", IN_TOUCH="YES"), ok(CHILD="C", IN_TOUCH="YES"),
                fail(CHILD="D", IN_TOUCH="YES"), fail(CHILD="E", IN_TOUCH="YES"), ok(CHILD="F", IN_TOUCH="YES"),
                ok(CHILD="G", IN_TOUCH="YES")],
    }, year=2025, note="C has no episodes loaded: 1002's concern, not this rule's"),
])
def care_leaver_not_relevant_child(r: Return) -> pl.LazyFrame:
    # A (former) relevant child was looked after for 13 weeks since age 14, some of it after 16,
    # and was not adopted. With two years of returns carestat tests only what they can decide:
    # a final episode ending in adoption, or no care after the 16th birthday for a young person
    # whose 16th birthday falls inside the two years. (The DfE, holding every year, tests the rest.)
    fields = ["CHILD", "DECOM", "DEC", "LS", "REC"]
    # Only OC3's young people can fail and every step below is per child: keep only theirs.
    both_years = pl.concat([r.episodes.lazy().select(fields), r.last("Episodes").lazy().select(fields)]).filter(
        child_in(r.oc3["CHILD"]))
    latest = pl.col("DECOM") == pl.col("DECOM").max().over("CHILD")
    episodes = (
        # An episode in both returns: keep the copy that has an end date.
        both_years.sort("DEC", nulls_last=True).unique(["CHILD", "DECOM"], keep="first", maintain_order=True)
        .with_columns(DEC=pl.when(latest & pl.col("DEC").is_null()).then(pl.lit(r.end)).otherwise("DEC"))
    )
    adopted = episodes.filter(latest & pl.col("REC").is_in(["E11", "E12"]))
    window_start = add_years(pl.lit(r.start), -1)
    tested = r.dob.lazy().filter(add_years("DOB", 16) >= window_start)
    after_16 = (
        episodes.filter(~pl.col("LS").is_in(["V3", "V4"]).fill_null(False)).join(tested, on="CHILD")
        .filter(pl.col("DEC") > add_years("DOB", 16)).select("CHILD").unique()
    )
    never_after_16 = tested.join(after_16, on="CHILD", how="anti").join(
        episodes.select("CHILD").unique(), on="CHILD", how="semi")
    return _with_children(r.oc3, pl.concat([adopted.select("CHILD"), never_after_16.select("CHILD")])).select("_row")


@rule("348", tables=("OC3", "OC3_last"), fields=("IN_TOUCH",), examples=[
    Example({
        "OC3_last": [ok(CHILD="A", IN_TOUCH="DIED"), ok(CHILD="B", IN_TOUCH="DIED"), ok(CHILD="C", IN_TOUCH="YES"),
                     ok(CHILD="D", IN_TOUCH="died")],
        "OC3": [fail(CHILD="A", IN_TOUCH="YES"), ok(CHILD="B", IN_TOUCH="DIED"), ok(CHILD="C", IN_TOUCH="NO"),
                fail(CHILD="D")],
    }, year=2026),
])
def care_leaver_previously_died(r: Return) -> pl.LazyFrame:
    died = r.last("OC3").lazy().filter(pl.col("IN_TOUCH") == "DIED")
    return _with_children(r.oc3.lazy().filter(pl.col("IN_TOUCH").ne_missing("DIED")), died).select("_row")


# -- other tables for children with no episodes ----------------------------------------------

_NEEDS_EPISODES = ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2")


@rule("1012", tables=("Episodes",), fields=("CHILD",), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024")],
        "OC2": [ok(CHILD="A"), fail(CHILD="B")],
        "Reviews": [ok(CHILD="A", REVIEW="01/06/2024"), fail(CHILD="B", REVIEW="01/06/2024")],
        "Missing": [fail(CHILD="C")],
        "OC3": [ok(CHILD="D", IN_TOUCH="YES")],
    }),
])
def other_data_without_episodes(r: Return) -> dict[str, Where]:
    # Only the tables that were supplied are checked: a table not given holds no records.
    return {name: where(r.table(name), ~child_in(r.episodes["CHILD"])) for name in _NEEDS_EPISODES if r.has(name)}
