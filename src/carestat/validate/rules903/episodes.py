"""Episodes: valid codes and dates, and how each episode follows the one before it."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import invalid, not_in, present
from carestat.validate.registry import Example, Where, fail, ok, rule, where

# Fields that identify a placement: if all are unchanged, the child did not move.
_PLACEMENT = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")
# Every reason for an episode ending that also ends the period of care (all but X1).
_CARE_ENDED = ("E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13", "E14",
               "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48")


def _has_previous() -> pl.Expr:
    return pl.col("_seq") > 1


def _same_as_previous(field: str) -> pl.Expr:
    return pl.col(field).eq_missing(pl.col(f"prev_{field}"))


def _same_placement_as_previous() -> pl.Expr:
    return pl.all_horizontal([_same_as_previous(f) for f in _PLACEMENT])


# -- valid dates and codes --------------------------------------------------------------

@rule("141", tables=("Episodes",), fields=("DECOM",), examples=[
    Example({"Episodes": [ok(DECOM="01/04/2024"), ok(DECOM="2024-04-01"), ok(DECOM=None),
                          fail(DECOM="31/02/2024"), fail(DECOM="yesterday")]}),
])
def start_date_not_a_date(r: Return) -> Where:
    return where(r.episodes, invalid("DECOM"))


@rule("147", tables=("Episodes",), fields=("DEC",), examples=[
    Example({"Episodes": [ok(DEC="01/04/2024"), ok(DEC=None), fail(DEC="38/04/2019"), fail(DEC="01/01/19"),
                          fail(DEC="2024-13-01")]}),
])
def end_date_not_a_date(r: Return) -> Where:
    return where(r.episodes, invalid("DEC"))


@rule("143", tables=("Episodes",), fields=("RNE",), examples=[
    Example({"Episodes": [ok(RNE="S"), ok(RNE="p"), ok(RNE=None), fail(RNE="SP"), fail(RNE="A")]}),
])
def new_episode_reason_code_valid(r: Return) -> Where:
    return where(r.episodes, not_in("RNE", r.codes("Episodes", "RNE")))


@rule("144", tables=("Episodes",), fields=("LS",), examples=[
    Example({"Episodes": [ok(LS="C1"), ok(LS="v2"), ok(LS=None), fail(LS="section 20"), fail(LS="C3")]}),
])
def legal_status_code_valid(r: Return) -> Where:
    return where(r.episodes, not_in("LS", r.codes("Episodes", "LS")))


@rule("145", tables=("Episodes",), fields=("CIN",), examples=[
    Example({"Episodes": [ok(CIN="N1"), ok(CIN="n8"), ok(CIN=None), fail(CIN="N0"), fail(CIN="N9")]}),
])
def need_code_valid(r: Return) -> Where:
    return where(r.episodes, not_in("CIN", r.codes("Episodes", "CIN")))


@rule("149", tables=("Episodes",), fields=("REC",), examples=[
    Example({"Episodes": [ok(REC="E4A"), ok(REC="e4b"), ok(REC="X1"), ok(REC=None), fail(REC="X"),
                          fail(REC="E1")]}),
])
def end_reason_code_valid(r: Return) -> Where:
    return where(r.episodes, not_in("REC", r.codes("Episodes", "REC")))


@rule("148", tables=("Episodes",), fields=("DEC", "REC"), examples=[
    Example({"Episodes": [ok(DEC="04/06/2024", REC="X1"), ok(DEC=None, REC=None), fail(DEC="04/06/2024", REC=None),
                          fail(DEC=None, REC="E11"), fail(DEC="31/06/2024", REC=None),
                          ok(DEC="31/06/2024", REC="E11")]}),
])
def end_date_and_reason_not_both_given(r: Return) -> Where:
    # An unreadable date still counts as given (141/147 report it).
    date_given = present("DEC") | invalid("DEC")
    return where(r.episodes, date_given != present("REC"))


# -- dates within bounds ----------------------------------------------------------------

@rule("353", tables=("Episodes",), fields=("DECOM",), examples=[
    Example({"Episodes": [ok(DECOM="14/10/1991"), fail(DECOM="13/10/1991"), ok(DECOM=None)]}),
])
def started_before_children_act(r: Return) -> Where:
    return where(r.episodes, pl.col("DECOM") < dt.date(1991, 10, 14))


@rule("354", tables=("Episodes",), fields=("DECOM",), examples=[
    Example({"Episodes": [ok(DECOM="31/03/2025"), fail(DECOM="01/04/2025"), ok(DECOM=None)]}, year=2025),
])
def started_after_year_end(r: Return) -> Where:
    return where(r.episodes, pl.col("DECOM") > r.end)


@rule("385", tables=("Episodes",), fields=("DEC",), examples=[
    Example({"Episodes": [ok(DEC="31/03/2025"), fail(DEC="01/04/2025"), ok(DEC=None)]}, year=2025),
])
def ended_after_year_end(r: Return) -> Where:
    return where(r.episodes, pl.col("DEC") > r.end)


@rule("355", tables=("Episodes",), fields=("DECOM", "DEC"), examples=[
    Example({"Episodes": [fail(DECOM="01/05/2024", DEC="01/05/2024"), fail(DECOM="2024-06-01", DEC="01/06/2024"),
                          ok(DECOM="01/05/2024", DEC="02/05/2024"), ok(DECOM="01/05/2024", DEC=None),
                          ok(DECOM=None, DEC=None)]}),
])
def episode_under_a_day(r: Return) -> Where:
    return where(r.episodes, pl.col("DECOM") == pl.col("DEC"))


@rule("356", tables=("Episodes",), fields=("DECOM", "DEC"), examples=[
    Example({"Episodes": [fail(DECOM="02/05/2024", DEC="01/05/2024"), ok(DECOM="01/05/2024", DEC="01/05/2024"),
                          ok(DECOM="01/05/2024", DEC=None)]}),
])
def episode_ends_before_it_starts(r: Return) -> Where:
    return where(r.episodes, pl.col("DEC") < pl.col("DECOM"))


# -- the sequence of episodes ---------------------------------------------------------

@rule("142", tables=("Episodes",), fields=("DEC", "REC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="X1"),
        fail(CHILD="A", DECOM="04/06/2024", DEC="06/06/2024", REC=None),
        ok(CHILD="A", DECOM="06/06/2024", DEC=None, REC=None),
        fail(CHILD="B", DECOM="06/06/2024", DEC=None, REC="E11"),
        ok(CHILD="B", DECOM="07/06/2024", DEC=None, REC=None),
        ok(CHILD="C", DECOM="05/06/2024", DEC=None, REC=None),
        ok(CHILD="D", DECOM="31/06/2024", DEC=None, REC=None),
        fail(CHILD="D", DECOM="01/06/2024", DEC="31/06/2024", REC="X1"),
        ok(CHILD="E", DECOM="01/06/2024", DEC="02/06/2024", REC="X1"),
        ok(CHILD="E", DECOM="31/06/2024", DEC=None, REC=None),
    ]}),
])
def open_episode_followed_by_another(r: Return) -> Where:
    # Every episode but the child's last must have ended; unreadable starts sort last.
    return where(r.episodes_seq, pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null()
                 & (pl.col("_seq") < pl.col("_n")) & (pl.col("DEC").is_null() | pl.col("REC").is_null()))


@rule("357", tables=("Episodes",), fields=("RNE",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", DECOM="01/05/2024", RNE="P"), ok(CHILD="A", DECOM="01/06/2024", RNE="P"),
        ok(CHILD="B", DECOM="01/06/2024", RNE="P"), ok(CHILD="B", DECOM="01/04/2024", RNE="s"),
        ok(CHILD="C", DECOM="31/03/2024", RNE="P"),
        fail(CHILD="D", DECOM="01/04/2024", RNE=None),
        ok(CHILD="E", DECOM=None, RNE="P"),
    ]}, year=2025),
])
def first_episode_not_a_new_period(r: Return) -> Where:
    # The child's first episode (if it began this year) must start a period of care.
    return where(r.episodes_seq, (pl.col("_seq") == 1) & (pl.col("DECOM") >= r.start)
                 & (pl.col("RNE") != "S").fill_null(True))


@rule("388", tables=("Episodes",), fields=("REC",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="X1"),
        ok(CHILD="A", DECOM="05/06/2024", DEC="06/06/2024", REC="X1"),
        ok(CHILD="A", DECOM="06/06/2024", DEC="08/06/2024", REC="X1"),
        fail(CHILD="A", DECOM="08/06/2024", DEC="09/06/2024", REC="X1"),
        fail(CHILD="B", DECOM="06/06/2024", DEC="07/06/2024", REC="E11"),
        ok(CHILD="B", DECOM="07/06/2024", DEC=None, REC=None),
        ok(CHILD="C", DECOM="08/06/2024", DEC="09/06/2024", REC="x1"),
        ok(CHILD="C", DECOM="09/06/2024", DEC=None, REC=None),
        ok(CHILD="D", DECOM="09/06/2024", DEC=None, REC="X1"),
        ok(CHILD="E", DECOM="09/06/2024", DEC="10/06/2024", REC="X1"),
        ok(CHILD="E", DECOM="31/06/2024", DEC="11/06/2024", REC="X1"),
    ]}),
])
def continuation_reason_contradicts_next_episode(r: Return) -> Where:
    # X1 if and only if the next episode starts the day this one ends; the last episode
    # cannot end X1. An episode with no readable start has no known place in the sequence.
    x1 = pl.col("REC") == "X1"
    ended = pl.col("DEC").is_not_null()
    continues = pl.col("DEC") == pl.col("next_DECOM")
    has_next = pl.col("next_DECOM").is_not_null()
    last = pl.col("_seq") == pl.col("_n")
    return where(r.episodes_seq, pl.col("DECOM").is_not_null()
                 & ((ended & has_next & ((x1 & ~continues) | (~x1 & continues))) | (last & ended & x1)))


@rule("431", tables=("Episodes",), fields=("RNE", "DECOM"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="E11", RNE="S"),
        fail(CHILD="A", DECOM="04/06/2024", DEC="08/06/2024", REC="X1", RNE="S"),
        fail(CHILD="A", DECOM="07/06/2024", RNE="s"),
        ok(CHILD="B", DECOM="01/06/2024", DEC="04/06/2024", REC="E11", RNE="S"),
        ok(CHILD="B", DECOM="05/06/2024", RNE="S"),
        ok(CHILD="C", DECOM="01/06/2024", DEC="04/06/2024", REC="X1", RNE="S"),
        ok(CHILD="C", DECOM="04/06/2024", RNE="P"),
    ]}),
])
def new_period_before_previous_ended(r: Return) -> Where:
    # A new period of care (S) can only start after the last one ended.
    return where(r.episodes_seq, (pl.col("RNE") == "S") & (pl.col("DECOM") <= pl.col("prev_DEC")))


@rule("432", tables=("Episodes",), fields=("RNE",), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="E11", RNE="S"),
        fail(CHILD="A", DECOM="05/06/2024", DEC="06/06/2024", REC="E3", RNE="P"),
        fail(CHILD="A", DECOM="07/06/2024", RNE=None),
        ok(CHILD="B", DECOM="01/06/2024", DEC="04/06/2024", REC="E4a", RNE="S"),
        ok(CHILD="B", DECOM="05/06/2024", RNE="S"),
        ok(CHILD="C", DECOM="01/06/2024", DEC="04/06/2024", REC="X1", RNE="S"),
        ok(CHILD="C", DECOM="04/06/2024", RNE="P"),
    ]}),
])
def continuation_after_care_ended(r: Return) -> Where:
    return where(r.episodes_seq, pl.col("prev_REC").is_in(_CARE_ENDED)
                 & (pl.col("RNE") != "S").fill_null(True))


@rule("433", tables=("Episodes",), fields=("RNE", "DECOM"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", RNE="S"),
        ok(CHILD="A", DECOM="04/06/2024", DEC="08/06/2024", RNE="P"),
        fail(CHILD="A", DECOM="09/06/2024", DEC=None, RNE="l"),
        ok(CHILD="B", DECOM="01/06/2024", DEC=None, RNE="T"),
        ok(CHILD="C", DECOM="01/06/2024", DEC=None, RNE="S"),
        fail(CHILD="C", DECOM="02/06/2024", DEC=None, RNE="B"),
        ok(CHILD="D", DECOM="01/06/2024", DEC="04/06/2024", RNE="S"),
        ok(CHILD="D", DECOM="05/06/2024", DEC=None, RNE="S"),
    ]}),
])
def continuation_not_starting_when_previous_ended(r: Return) -> Where:
    return where(r.episodes_seq, _has_previous() & pl.col("RNE").is_in(["P", "L", "T", "U", "B"])
                 & (pl.col("DECOM") != pl.col("prev_DEC")).fill_null(True))


_PLACED = {"PLACE": "U1", "PL_POST": "M1 1AE", "URN": "SC123456", "PLACE_PROVIDER": "PR1"}


@rule("434", tables=("Episodes",), fields=("RNE", "LS", *_PLACEMENT), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", LS="C1", RNE="S", **_PLACED),
        ok(CHILD="A", DECOM="04/06/2024", LS="C2", RNE="L", **_PLACED),
        fail(CHILD="A", DECOM="08/06/2024", LS="C2", RNE="L", **_PLACED),
        fail(CHILD="A", DECOM="09/06/2024", LS="V2", RNE="l", **{**_PLACED, "URN": None}),
        ok(CHILD="B", DECOM="01/06/2024", LS="C1", RNE="S", **{**_PLACED, "URN": None}),
        ok(CHILD="B", DECOM="04/06/2024", LS="C2", RNE="L", **{**_PLACED, "URN": None, "PL_POST": "m1  1ae"}),
        ok(CHILD="C", DECOM="01/06/2024", LS="C2", RNE="L", **_PLACED),
    ]}),
])
def legal_status_change_not_shown(r: Return) -> Where:
    # RNE L: the legal status changed and the placement did not.
    return where(r.episodes_seq, _has_previous() & (pl.col("RNE") == "L")
                 & (_same_as_previous("LS") | ~_same_placement_as_previous()))


@rule("435", tables=("Episodes",), fields=("RNE", "LS", *_PLACEMENT), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", LS="C1", RNE="S", **_PLACED),
        ok(CHILD="A", DECOM="04/06/2024", LS="C1", RNE="P", **{**_PLACED, "PLACE": "U2"}),
        fail(CHILD="A", DECOM="08/06/2024", LS="C2", RNE="T", **{**_PLACED, "PLACE": "U3"}),
        fail(CHILD="A", DECOM="09/06/2024", LS="C2", RNE="p", **{**_PLACED, "PLACE": "U3"}),
        ok(CHILD="B", DECOM="01/06/2024", LS="C1", RNE="S", **{**_PLACED, "URN": None}),
        ok(CHILD="B", DECOM="04/06/2024", LS="C1", RNE="T", **{**_PLACED, "URN": None, "PLACE_PROVIDER": "PR2"}),
        fail(CHILD="B", DECOM="05/06/2024", LS="C1", RNE="T", **{**_PLACED, "URN": None, "PLACE_PROVIDER": "PR2"}),
    ]}),
])
def placement_change_not_shown(r: Return) -> Where:
    # RNE P or T: the placement changed and the legal status did not.
    return where(r.episodes_seq, _has_previous() & pl.col("RNE").is_in(["P", "T"])
                 & (~_same_as_previous("LS") | _same_placement_as_previous()))


@rule("436", tables=("Episodes",), fields=("RNE", "LS", *_PLACEMENT), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", LS="C1", RNE="S", **_PLACED),
        ok(CHILD="A", DECOM="04/06/2024", LS="C2", RNE="U", **{**_PLACED, "URN": "SC999999"}),
        fail(CHILD="A", DECOM="08/06/2024", LS="C2", RNE="B", **{**_PLACED, "URN": None}),
        fail(CHILD="A", DECOM="09/06/2024", LS="V2", RNE="u", **{**_PLACED, "URN": None}),
        ok(CHILD="B", DECOM="01/06/2024", LS=None, RNE="S", **_PLACED),
        ok(CHILD="B", DECOM="04/06/2024", LS="C2", RNE="B", **{**_PLACED, "PLACE": "K2"}),
    ]}),
])
def placement_and_legal_status_change_not_shown(r: Return) -> Where:
    # RNE U or B: both the legal status and the placement changed.
    return where(r.episodes_seq, _has_previous() & pl.col("RNE").is_in(["U", "B"])
                 & (_same_as_previous("LS") | _same_placement_as_previous()))


@rule("437", tables=("Episodes",), fields=("REC",), examples=[
    Example({"Episodes": [
        fail(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="E2"),
        ok(CHILD="A", DECOM="05/06/2024", DEC=None, REC=None),
        fail(CHILD="B", DECOM="01/06/2024", DEC="04/06/2024", REC="e15"),
        ok(CHILD="B", DECOM=None, DEC=None, REC=None),
        ok(CHILD="C", DECOM="01/06/2024", DEC="04/06/2024", REC="E2"),
        ok(CHILD="D", DECOM="01/06/2024", DEC="04/06/2024", REC="E11"),
        ok(CHILD="D", DECOM="05/06/2024", DEC=None, REC=None),
    ]}),
])
def episodes_after_death_or_age_18(r: Return) -> Where:
    return where(r.episodes_seq, pl.col("REC").is_in(["E2", "E15"]) & pl.col("DECOM").is_not_null()
                 & (pl.col("_seq") < pl.col("_n")))


@rule("501", tables=("Episodes",), fields=("DECOM", "DEC"), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024"),
        fail(CHILD="A", DECOM="03/06/2024", DEC="08/06/2024"),
        ok(CHILD="A", DECOM="08/06/2024", DEC=None),
        ok(CHILD="B", DECOM="05/06/2024", DEC="06/06/2024"),
        ok(CHILD="C", DECOM="01/06/2024", DEC=None),
        ok(CHILD="C", DECOM="03/06/2024", DEC=None),
    ]}),
])
def episode_starts_before_previous_ended(r: Return) -> Where:
    return where(r.episodes_seq, pl.col("DECOM") < pl.col("prev_DEC"))


@rule("504", tables=("Episodes",), fields=("CIN",), examples=[
    Example({"Episodes": [
        ok(CHILD="A", DECOM="01/06/2024", DEC="04/06/2024", REC="X1", CIN="N1"),
        fail(CHILD="A", DECOM="04/06/2024", DEC="06/06/2024", REC="X1", CIN="N2"),
        fail(CHILD="A", DECOM="06/06/2024", DEC="08/06/2024", REC="E11", CIN=None),
        ok(CHILD="A", DECOM="08/06/2024", DEC=None, REC=None, CIN="N3"),
        ok(CHILD="B", DECOM="01/06/2024", DEC="04/06/2024", REC="X1", CIN="n4"),
        ok(CHILD="B", DECOM="04/06/2024", DEC=None, REC=None, CIN="N4"),
        ok(CHILD="C", DECOM="01/06/2024", DEC="04/06/2024", REC="X1", CIN="N1"),
        ok(CHILD="C", DECOM="05/06/2024", DEC=None, REC=None, CIN="N2"),
    ]}),
])
def need_code_changed_within_period(r: Return) -> Where:
    # Compared with the episode it continues (previous REC X1, starting the day that ended).
    return where(r.episodes_seq, (pl.col("prev_REC") == "X1") & (pl.col("prev_DEC") == pl.col("DECOM"))
                 & ~_same_as_previous("CIN"))
