"""Changes of placement: the reason for changing placement, and temporary placements (T0-T4):
how long they last, how care starts and ends in them, and the return to the placement before."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, days_between, invalid, not_in
from carestat.validate.registry import Example, Where, fail, ok, rule, where
from carestat.validate.rules903.placements import _SHORT_BREAKS, _TEMPORARY, _in

# -- reason for placement change ---------------------------------------------------------------

@rule("1009", tables=("Episodes",), fields=("REASON_PLACE_CHANGE",), examples=[
    Example({"Episodes": [ok(REASON_PLACE_CHANGE="CARPL"), ok(REASON_PLACE_CHANGE="custod"),
                          ok(REASON_PLACE_CHANGE=None), fail(REASON_PLACE_CHANGE="CARER"),
                          fail(REASON_PLACE_CHANGE="X")]}),
])
def reason_place_change_valid(r: Return) -> Where:
    return where(r.episodes, not_in("REASON_PLACE_CHANGE", r.codes("Episodes", "REASON_PLACE_CHANGE")))


@rule("225", tables=("Episodes",), fields=("REASON_PLACE_CHANGE",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", DECOM="01/04/2024", REC="X1", PLACE="U1", REASON_PLACE_CHANGE=None),
        ok(CHILD="A", DECOM="01/06/2024", RNE="P", PLACE="U3", REC="X1", REASON_PLACE_CHANGE="CARPL"),
        ok(CHILD="A", DECOM="01/08/2024", RNE="T", PLACE="U3", REC="X1"),
        ok(CHILD="A", DECOM="01/09/2024", RNE="L", PLACE="U3"),
        # Into or out of a temporary placement, or ending care, needs no reason.
        ok(CHILD="B", DECOM="01/04/2024", REC="X1", PLACE="U1"),
        ok(CHILD="B", DECOM="01/05/2024", RNE="P", PLACE="T1", REC="X1"),
        ok(CHILD="B", DECOM="01/06/2024", RNE="P", PLACE="U1", REC="E11"),
        ok(CHILD="C", DECOM="01/04/2024", REC="X1", PLACE="U1"),
    ]}, year=2025),
])
def placement_change_without_reason(r: Return) -> Where:
    return where(r.episodes_seq, (pl.col("REC") == "X1") & pl.col("REASON_PLACE_CHANGE").is_null()
                 & ~_in("PLACE", _TEMPORARY) & _in("next_RNE", ["P", "B", "T", "U"])
                 & ~_in("next_PLACE", _TEMPORARY))


@rule("226", tables=("Episodes",), fields=("REASON_PLACE_CHANGE", "PLACE"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/04/2024", PLACE="U1"),
        fail(CHILD="A", DECOM="01/05/2024", PLACE="T1", REASON_PLACE_CHANGE="CARPL"),
        ok(CHILD="A", DECOM="01/06/2024", PLACE="U1", REASON_PLACE_CHANGE="CHILD"),
        fail(CHILD="A", DECOM="01/07/2024", PLACE="t3"),
        ok(CHILD="B", DECOM="01/04/2024", PLACE="T2"),
    ]}, year=2025),
    Example({"Episodes": [ok(CHILD="A", DECOM="01/04/2025", PLACE="U1"),
                          fail(CHILD="A", DECOM="01/05/2025", PLACE="T4", REASON_PLACE_CHANGE="OTHER")]},
            year=2026),
])
def reason_place_change_for_temporary_placement(r: Return) -> Where:
    # Neither the temporary episode nor the one before it takes a reason for changing placement.
    return where(r.episodes_seq, _in("PLACE", _TEMPORARY)
                 & (pl.col("REASON_PLACE_CHANGE").is_not_null() | pl.col("prev_REASON_PLACE_CHANGE").is_not_null()))


@rule("233", tables=("Episodes",), fields=("REASON_PLACE_CHANGE",), examples=[
    Example({"Episodes": [fail(DEC=None, REASON_PLACE_CHANGE="CARPL"), ok(DEC="01/05/2025", REASON_PLACE_CHANGE="CARPL"),
                          ok(DEC=None, REASON_PLACE_CHANGE=None), ok(DEC="32/05/2025", REASON_PLACE_CHANGE="CLOSE")]}),
])
def reason_place_change_for_open_episode(r: Return) -> Where:
    # An unreadable DEC is not a blank one (that is a date error, reported elsewhere).
    return where(r.episodes, pl.col("DEC").is_null() & ~invalid("DEC")
                 & pl.col("REASON_PLACE_CHANGE").is_not_null())


@rule("234", tables=("Episodes", "Header"), fields=("REASON_PLACE_CHANGE", "DOB"), examples=[
    Example({
        "Header": [fail(CHILD="A", DOB="15/06/2016"), ok(CHILD="B", DOB="14/06/2016"), ok(CHILD="C", DOB="15/06/2016")],
        "Episodes": [
            # Moved the day before the 10th birthday, though the episode's DEC was left blank.
            fail(CHILD="A", DECOM="01/04/2026", REASON_PLACE_CHANGE="CUSTOD"),
            ok(CHILD="A", DECOM="14/06/2026", RNE="P", PLACE="R5"),
            # Moved on the 10th birthday: not under 10.
            ok(CHILD="B", DECOM="01/04/2026", DEC="14/06/2026", REASON_PLACE_CHANGE="custod"),
            ok(CHILD="B", DECOM="14/06/2026", RNE="P", PLACE="R5"),
            ok(CHILD="C", DECOM="01/04/2026", DEC="01/05/2026", REASON_PLACE_CHANGE="CARPL"),
        ],
    }, year=2027),
    Example({
        "Header": [fail(CHILD="A", DOB="15/06/2015")],
        "Episodes": [fail(CHILD="A", DECOM="01/04/2025", DEC="14/06/2025", REASON_PLACE_CHANGE="CUSTOD")],
    }, year=2026),
])
def custody_placement_change_under_10(r: Return) -> dict[str, pl.LazyFrame]:
    # The reason sits on the episode that ends; the child moved when the next episode began.
    moved_on = pl.coalesce("next_DECOM", "DEC")
    custody = r.episodes_seq.lazy().filter(pl.col("REASON_PLACE_CHANGE") == "CUSTOD")
    flagged = r.with_dob(custody).filter(moved_on < add_years("DOB_H", 10))
    return {"Episodes": flagged.select("_row"),
            "Header": r.header.lazy().join(flagged.select("CHILD").unique(), on="CHILD", how="semi")}


# -- temporary placements ----------------------------------------------------------------------

def _temporary_too_long(r: Return, place: str, days: int) -> Where:
    return where(r.episodes, (pl.col("PLACE") == place) & (days_between("DECOM", "DEC") > days))


def _duration_example(place: str, days: int) -> Example:
    def day(n: int) -> str:
        return (dt.date(2024, 5, 1) + dt.timedelta(days=n)).strftime("%d/%m/%Y")

    return Example({"Episodes": [
        ok(PLACE=place, DECOM=day(0), DEC=day(days)), fail(PLACE=place, DECOM=day(0), DEC=day(days + 1)),
        fail(PLACE=place.lower(), DECOM=day(0), DEC=day(days + 30)), ok(PLACE=place, DECOM=day(0), DEC=None),
        ok(PLACE="U1", DECOM=day(0), DEC=day(days + 30)),
    ]}, year=2025)


@rule("375", tables=("Episodes",), fields=("DECOM", "PLACE"), examples=[_duration_example("T1", 42)])
def temporary_hospital_over_six_weeks(r: Return) -> Where:
    return _temporary_too_long(r, "T1", 42)


@rule("376", tables=("Episodes",), fields=("DECOM", "PLACE"), examples=[_duration_example("T3", 21)])
def temporary_carer_holiday_over_three_weeks(r: Return) -> Where:
    return _temporary_too_long(r, "T3", 21)


@rule("379", tables=("Episodes",), fields=("DECOM", "PLACE"), examples=[_duration_example("T4", 7)])
def temporary_unspecified_over_seven_days(r: Return) -> Where:
    return _temporary_too_long(r, "T4", 7)


@rule("377", tables=("Episodes",), fields=("PLACE",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", PLACE="T3"), fail(CHILD="A", PLACE="T3"), fail(CHILD="A", PLACE="t3"), ok(CHILD="A", PLACE="U1"),
        ok(CHILD="B", PLACE="T3"), ok(CHILD="B", PLACE="T3"), ok(CHILD="B", PLACE="T4"),
    ]}),
])
def more_than_two_carer_holiday_placements(r: Return) -> Where:
    holiday = pl.col("PLACE") == "T3"
    return where(r.episodes, holiday & (holiday.sum().over("CHILD") > 2))


@rule("380", tables=("Episodes",), fields=("PLACE", "RNE"), examples=[
    Example({"Episodes": [fail(PLACE="T0", RNE="S"), fail(PLACE="T2", RNE=None), ok(PLACE="T1", RNE="P"),
                          ok(PLACE="T4", RNE="b"), ok(PLACE="U1", RNE="S")]}),
])
def care_starts_in_temporary_placement(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", _TEMPORARY) & ~_in("RNE", ["P", "B"]))


@rule("381", tables=("Episodes",), fields=("PLACE", "REC"), examples=[
    Example({"Episodes": [fail(PLACE="T0", REC="E11"), ok(PLACE="T1", REC="X1"), ok(PLACE="T2", REC=None),
                          ok(PLACE="U1", REC="E11")]}),
])
def care_ends_in_temporary_placement(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", _TEMPORARY) & pl.col("REC").is_not_null() & (pl.col("REC") != "X1"))


@rule("382", tables=("Episodes",), fields=("LS", "PLACE"), examples=[
    Example({"Episodes": [fail(LS="V3", PLACE="T0"), fail(LS="V4", PLACE="T4"), ok(LS="V3", PLACE="U1"),
                          ok(LS="C2", PLACE="T1")]}),
])
def short_breaks_in_temporary_placement(r: Return) -> Where:
    return where(r.episodes, _in("LS", _SHORT_BREAKS) & _in("PLACE", _TEMPORARY))


def _not_back_to_normal_placement(r: Return, *, same_postcode: bool) -> Where:
    # After a temporary placement the child returns (RNE P) to the placement held before it,
    # when that is in the return (episodes_seq is sorted by child, so _seq >= 3 means it is).
    has_normal = pl.col("_seq") >= 3
    differs = pl.col("PLACE").ne_missing(pl.col("PLACE").shift(2))
    if same_postcode:
        postcode = pl.col("PL_POST").str.replace_all(" ", "")
        differs = differs | postcode.ne_missing(postcode.shift(2))
    return where(r.episodes_seq, _in("prev_PLACE", _TEMPORARY)
                 & (pl.col("RNE").ne_missing("P") | (has_normal & differs)))


@rule("383", tables=("Episodes",), fields=("PLACE",), years=range(2023, 2026), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/04/2024", PLACE="U1"), ok(CHILD="A", DECOM="01/05/2024", RNE="P", PLACE="T3"),
        ok(CHILD="A", DECOM="10/05/2024", RNE="P", PLACE="U1"), ok(CHILD="A", DECOM="01/06/2024", RNE="P", PLACE="T1"),
        fail(CHILD="A", DECOM="02/06/2024", RNE="P", PLACE="U4"),
        ok(CHILD="B", DECOM="01/04/2024", PLACE="R1"), ok(CHILD="B", DECOM="01/05/2024", RNE="P", PLACE="T2"),
        fail(CHILD="B", DECOM="01/06/2024", RNE="T", PLACE="R1"),
        # The temporary placement began last year: only RNE can be checked.
        ok(CHILD="C", DECOM="20/03/2024", RNE="P", PLACE="T3"), fail(CHILD="C", DECOM="02/04/2024", RNE="B", PLACE="U1"),
    ]}, year=2025),
])
def not_back_to_normal_placement(r: Return) -> Where:
    return _not_back_to_normal_placement(r, same_postcode=False)


@rule("383", tables=("Episodes",), fields=("PLACE", "RNE", "PL_POST"), years=range(2026, 2028), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/04/2025", PLACE="U1", PL_POST="TW9 1AA"),
        ok(CHILD="A", DECOM="01/05/2025", RNE="P", PLACE="T3", PL_POST="TW1 3AA"),
        ok(CHILD="A", DECOM="10/05/2025", RNE="P", PLACE="U1", PL_POST="tw91aa"),
        ok(CHILD="B", DECOM="01/04/2025", PLACE="U1", PL_POST="TW9 1AA"),
        ok(CHILD="B", DECOM="01/05/2025", RNE="P", PLACE="T3", PL_POST="TW1 3AA"),
        fail(CHILD="B", DECOM="10/05/2025", RNE="P", PLACE="U1", PL_POST="TW9 2AA"),
    ]}),
])
def not_back_to_normal_placement_or_postcode(r: Return) -> Where:
    return _not_back_to_normal_placement(r, same_postcode=True)
