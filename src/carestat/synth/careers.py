"""Inside each period of care: legal statuses, placements and the adoption timeline.

Produces two event lists per period (:class:`Events`, sorted by period and day ``t``): legal
statuses and placements (plus a ``carer`` id, so a change of placement type with the same carer -
fostering becoming long-term, or foster carers adopting - can be told from a move). Codes are
positions in :data:`LEGAL_STATUSES` and :data:`PLACEMENTS`. Every event falls strictly inside its
period, at least a day from the next, so no episode lasts under 24 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.calendar import day
from carestat.synth.draw import draw, draw_index
from carestat.synth.exits import ADOPTED
from carestat.synth.population import Children, Periods

LEGAL_STATUSES = ("J1", "C1", "V2", "L1", "L2", "E1", "C2")
# IND/INDR: semi-independent or supported accommodation before and after registration; the
# episodes report it as H5, H5R or K3 (see episodes.place_children).
PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6", "R3", "P1", "K2", "S1", "K1", "R5", "R1", "IND", "INDR", "A5",
              "A6", "H5", "H5R", "K3")
LS = {c: i for i, c in enumerate(LEGAL_STATUSES)}
PL = {c: i for i, c in enumerate(PLACEMENTS)}

# First-placement mixes by age band (0-4, 5-9, 10-12, 13-15, 16-17); IND = semi-independent.
_MIX = {
    0: {"U6": 56, "U3": 30, "R3": 1.5, "P1": 11, "U4": 2},
    1: {"U6": 54, "U3": 23, "K2": 5, "P1": 11, "S1": 1, "U4": 5},
    2: {"U6": 49, "U3": 16, "K2": 18, "P1": 10, "S1": 2, "K1": 0.5, "U4": 5},
    3: {"U6": 39, "U3": 11, "K2": 32, "P1": 8, "S1": 1.5, "K1": 1.5, "R5": 2, "R1": 0.5, "U4": 6},
    4: {"U6": 8, "U3": 4, "K2": 16, "IND": 64, "P1": 3, "R5": 3, "K1": 1, "R1": 1, "U4": 1},
}  # tuned so the mix on 31 March comes near the published one (P1 only stays under a care order)
_UASC_MIX = {0: {"U6": 100}, 1: {"U6": 100}, 2: {"U6": 85, "K2": 15}, 3: {"U6": 78, "K2": 22},
             4: {"IND": 62, "U6": 30, "K2": 8}}
_CIN = {"N1": 65, "N2": 3, "N3": 3, "N4": 7, "N5": 14, "N6": 2, "N7": 0.2, "N8": 6}  # category of need
_FORCED_ADOPTION, _FORCED_HOME = 1, 2  # forced placement events (0: a random move)
_FOSTER = [PL[c] for c in ("U1", "U2", "U3", "U4", "U5", "U6")]
_SHIFT = 32  # an event's sort key: period << _SHIFT | day


def age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 5, age < 10, age < 13, age < 16], [0, 1, 2, 3], 4)


@dataclass
class Events:
    """Events of the periods of care, sorted by period and day (one element per event)."""

    period: np.ndarray
    t: np.ndarray
    code: np.ndarray  # position in LEGAL_STATUSES or PLACEMENTS
    carer: np.ndarray | None = None

    def key(self) -> np.ndarray:
        return key(self.period, self.t)

    def at(self, period: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Row of the latest event of ``period`` on or before ``t`` (each period has one at its start)."""
        return np.searchsorted(self.key(), key(period, t), side="right") - 1


def key(period: np.ndarray, t: np.ndarray) -> np.ndarray:
    """One sortable number per (period, day)."""
    return (np.asarray(period, dtype=np.int64) << _SHIFT) | np.asarray(t, dtype=np.int64)


def split_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Period and day of each :func:`key`."""
    return keys >> _SHIFT, keys & ((1 << _SHIFT) - 1)


def same_as_previous(period: np.ndarray) -> np.ndarray:
    """Rows (sorted by period) whose previous row is of the same period."""
    return np.r_[False, period[1:] == period[:-1]]


def same_as_next(period: np.ndarray) -> np.ndarray:
    return np.r_[period[1:] == period[:-1], False]


@dataclass
class Careers:
    legal: Events
    placements: Events  # with carer
    adoption: pl.DataFrame  # period, decision, placement_order, match, placed
    cin: np.ndarray  # category of need per period


def _sorted(period: np.ndarray, t: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Columns in (period, t) order; no two events of a period fall on one day."""
    order = np.lexsort((t, period))
    return tuple(c[order] for c in (period, t, *columns))


def _draw_places(mixes: Mapping[int, Mapping[str, float]], groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One placement per element of ``groups`` from its group's mix (the draws of
    :func:`carestat.synth.draw.draw_by_group`, as positions in PLACEMENTS)."""
    out = np.full(len(groups), -1, dtype=np.int64)
    for group, mix in mixes.items():
        idx = np.nonzero(groups == group)[0]
        if len(idx):
            out[idx] = np.array([PL[c] for c in mix])[draw_index(mix.values(), len(idx), rng)]
    return out


def build_careers(periods: Periods, children: Children, rec: np.ndarray, rng: np.random.Generator) -> Careers:
    n = len(periods)
    start, end = periods.start, periods.end
    length = end - start
    dob = children.dob[periods.child]
    adopted = np.isin(rec, ADOPTED)

    # --- legal status -------------------------------------------------------------------
    # Most children come into care through the courts; about 17% of those in care on 31 March are
    # accommodated under section 20 (DfE 2019 and 2020), unaccompanied asylum seekers among them.
    court_p = np.select([periods.entry_age < 10, periods.entry_age < 16], [0.95, 0.85], 0.5)
    court = ~periods.uasc & (rng.random(n) < court_p) | adopted
    remand = ~periods.uasc & ~adopted & np.isin(rec, ["E14", "E9"]) & (periods.entry_age >= 10)
    court &= ~remand
    first_ls = np.where(remand, LS["J1"], np.where(court, LS["C1"], LS["V2"]))
    # Emergency protection (L2, up to 21 days) or police protection (L1, up to 72 hours) first.
    pre = court & ~adopted & (length > 40) & (rng.random(n) < 0.12)
    pre_code = np.where(rng.random(n) < 0.4, LS["L1"], LS["L2"])
    pre_len = np.where(pre_code == LS["L1"], rng.integers(1, 3, n), rng.integers(3, 15, n))
    idx = np.nonzero(pre)[0]
    legal = [(np.arange(n), start, np.where(pre, pre_code, first_ls)),
             (idx, start[idx] + pre_len[idx], np.full(len(idx), LS["C1"]))]
    # Adoption timeline, back from the adoption order that ends the period: placed with the
    # adopters 4 to 14 months before it, matched a few weeks before that, the placement order
    # (LS E1) 2 to 10 months before the match, and the decision to place shortly before that.
    a = np.nonzero(adopted)[0]
    placed = np.maximum(end[a] - rng.integers(120, 420, len(a)), start[a] + (0.55 * length[a]).astype(np.int64))
    match = placed - rng.integers(7, 45, len(a))
    order = np.maximum(start[a] + 30, match - rng.integers(60, 300, len(a)))
    decision = np.maximum(start[a] + 10, order - rng.integers(20, 120, len(a)))
    legal.append((a, order, np.full(len(a), LS["E1"])))
    # Full care order after an interim order, for court cases that last.
    c2_at = start + rng.integers(150, 420, n)
    idx = np.nonzero(court & ~adopted & (c2_at < end - 20))[0]
    legal.append((idx, c2_at[idx], np.full(len(idx), LS["C2"])))
    legal_events = Events(*_sorted(*(np.concatenate([e[i] for e in legal]) for i in range(3))))

    # --- placements ------------------------------------------------------------------------
    rate = rng.gamma(0.75, 1.15 / 0.75, n) / 365.25  # moves per day, early in care
    times = [start]
    t = start.astype(float).copy()
    alive = np.ones(n, dtype=bool)
    for _ in range(40):
        settled = (t - start) > 365
        r = np.where(settled, rate / 16.0, rate)  # settled children move rarely (long-term stability near 69%)
        t = t + rng.exponential(1.0 / np.maximum(r, 1e-9))
        alive &= t < end - 1
        if not alive.any():
            break
        times.append(np.where(alive, np.round(t), -1).astype(np.int64))
    moves = np.stack(times, axis=1)
    keep = moves.ravel() >= 0
    # Forced changes: adoption placement; a last placement at home; SGO carers' home.
    home_at = end - rng.integers(30, 181, n)
    home = np.isin(rec, ["E4A"]) & court & (home_at > start + 60) & (rng.random(n) < 0.35)
    idx = np.nonzero(home)[0]
    ev_period = np.concatenate([np.repeat(np.arange(n), moves.shape[1])[keep], a, idx])
    ev_t = np.concatenate([moves.ravel()[keep], placed, home_at[idx]])
    forced = np.concatenate([np.zeros(keep.sum(), dtype=np.int64), np.full(len(a), _FORCED_ADOPTION),
                             np.full(len(idx), _FORCED_HOME)])
    # One event a day: a forced one where a random move falls on its day.
    by_day = np.lexsort((forced, ev_t, ev_period))
    ev_period, ev_t, forced = ev_period[by_day], ev_t[by_day], forced[by_day]
    last_of_day = np.r_[(ev_period[1:] != ev_period[:-1]) | (ev_t[1:] != ev_t[:-1]), True]
    ev_period, ev_t, forced = ev_period[last_of_day], ev_t[last_of_day], forced[last_of_day]
    # Forced events replace random moves that fall after them (the child stays put).
    first_forced = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_forced, ev_period[forced > 0], ev_t[forced > 0])
    keep = (ev_t <= first_forced[ev_period]) | (forced > 0)
    ev_period, ev_t, forced = ev_period[keep], ev_t[keep], forced[keep]
    age = np.floor((ev_t - dob[ev_period]) / 365.25).astype(np.int64)
    row = legal_events.at(ev_period, ev_t)
    ls_at = np.where((row >= 0) & (legal_events.period[np.maximum(row, 0)] == ev_period),
                     legal_events.code[np.maximum(row, 0)], -1)
    bands = age_band(age)
    chosen = np.where(periods.uasc[ev_period], _draw_places(_UASC_MIX, bands, rng), _draw_places(_MIX, bands, rng))
    chosen = np.where(forced == _FORCED_HOME, PL["P1"], chosen)
    # Placement with parents needs a care order (not section 20, remand or protection).
    chosen = np.where((chosen == PL["P1"]) & ~np.isin(ls_at, [LS["C1"], LS["C2"], LS["E1"]]), PL["U6"], chosen)
    in_care = ev_t - start[ev_period]
    # Foster placements made after a year in care are often long-term (U1/U4).
    long_term = (in_care > 365) & (rng.random(len(ev_t)) < 0.5)
    chosen = np.where(long_term & (chosen == PL["U6"]), PL["U4"],
                      np.where(long_term & (chosen == PL["U3"]), PL["U1"], chosen))
    # A child already placed at home is not "moved" home again (rule 435): the move goes to
    # a foster placement instead, and a planned return home that is already true is dropped.
    keep = ~(_again_home(ev_period, chosen) & (forced == _FORCED_HOME))
    ev_period, ev_t, forced, chosen = ev_period[keep], ev_t[keep], forced[keep], chosen[keep]
    chosen = np.where(_again_home(ev_period, chosen), PL["U6"], chosen)
    pe = Events(ev_period, ev_t, chosen, np.arange(len(ev_t)))
    _fix_adoption_and_sgo(pe, forced, rec, rng)
    pe = _long_term_same_carer(pe, end, rng)
    pe = _registration_of_supported_accommodation(pe, end)
    adoption = pl.DataFrame({"period": a, "decision": decision, "placement_order": order, "match": match,
                             "placed": placed})
    cin = np.where(periods.uasc, "N8", draw(_CIN, n, rng))
    return Careers(legal_events, pe, adoption, cin)


def _again_home(period: np.ndarray, place: np.ndarray) -> np.ndarray:
    """Placements with parents right after another placement with parents in the period."""
    return (place == PL["P1"]) & same_as_previous(period) & (np.r_[-1, place[:-1]] == PL["P1"])


def _fix_adoption_and_sgo(pe: Events, forced: np.ndarray, rec: np.ndarray, rng: np.random.Generator) -> None:
    """Adoption placements follow a foster placement; foster-carer SGOs end in foster care (in place)."""
    is_last = ~same_as_next(pe.period)
    next_forced = np.where(is_last, 0, np.r_[forced[1:], 0])
    period_rec = rec[pe.period]
    a5 = rng.random(len(pe.t)) < 0.25
    place = pe.code
    foster = np.isin(place, _FOSTER)
    place = np.select(
        [forced == _FORCED_ADOPTION, (next_forced == _FORCED_ADOPTION) & ~foster,
         is_last & (period_rec == "E45") & ~np.isin(place, _FOSTER[:3]),
         is_last & (period_rec == "E46") & ~np.isin(place, _FOSTER[3:])],
        [np.where(a5, PL["A5"], PL["A6"]), PL["U6"], PL["U3"], PL["U6"]], place)
    # Foster carers who adopt (A5) keep their carer id: a change of status, not a move (an
    # adoption placement is never a period's first).
    pe.code = place
    pe.carer = np.where(place == PL["A5"], np.r_[-1, pe.carer[:-1]], pe.carer)


def _segment_end(pe: Events, end: np.ndarray) -> np.ndarray:
    """The day each placement ends: the next event of its period, or the period's end."""
    return np.where(same_as_next(pe.period), np.r_[pe.t[1:], 0], end[pe.period])


def _with(pe: Events, rows: np.ndarray, t: np.ndarray | int, code: np.ndarray) -> Events:
    """The events plus copies of ``rows`` (same period and carer) on day ``t`` with ``code``."""
    assert pe.carer is not None
    return Events(*_sorted(np.r_[pe.period, pe.period[rows]], np.r_[pe.t, np.broadcast_to(t, len(rows))],
                           np.r_[pe.code, code], np.r_[pe.carer, pe.carer[rows]]))


def _long_term_same_carer(pe: Events, end: np.ndarray, rng: np.random.Generator) -> Events:
    """Some short-term foster placements become long-term with the same carers (RNE T)."""
    convert_at = pe.t + 400
    candidate = (np.isin(pe.code, [PL["U3"], PL["U6"]]) & (convert_at < _segment_end(pe, end) - 30)
                 & (rng.random(len(pe.t)) < 0.35))
    rows = np.nonzero(candidate)[0]
    return _with(pe, rows, convert_at[rows], np.where(pe.code[rows] == PL["U3"], PL["U1"], PL["U4"]))


SUPPORTED_REGISTRATION = day(dt.date(2023, 10, 28))


def _registration_of_supported_accommodation(pe: Events, end: np.ndarray) -> Events:
    """Supported accommodation had to register with Ofsted from 28 October 2023: a placement
    running across that day gets a new episode then, same carer, now with a URN (INDR)."""
    rows = np.nonzero((pe.code == PL["IND"]) & (pe.t < SUPPORTED_REGISTRATION)
                      & (_segment_end(pe, end) > SUPPORTED_REGISTRATION))[0]
    return _with(pe, rows, SUPPORTED_REGISTRATION, np.full(len(rows), PL["INDR"]))
