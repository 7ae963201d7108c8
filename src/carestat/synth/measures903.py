"""Calibration measures for children looked after: one simulated LA's figures for a year.

Counted from the simulated history (day numbers, so long-term stability and adoption timeliness can
look back beyond the year) as the DfE defines them (see ``docs/indicators.md``), with numpy on the
history's columns; care leavers' outcomes come from the year's OC3 table, where they are drawn.
Each measure is a (numerator, denominator) pair, declared in
:data:`carestat.synth.calibration.MEASURES`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.spec import code_groups
from carestat.synth.calendar import age_at, day
from carestat.synth.exits import ADOPTED
from carestat.synth.history import History

_PLACEMENT_START = ["S", "P", "B", "T", "U"]  # a new placement (T and U: same carer, new type)
_CARER_START = ["S", "P", "B"]  # a new carer
_SHORT_BREAKS = ["V3", "V4"]
_LEGAL = {"care_order_pct": ["C1", "C2"], "placement_order_pct": ["E1", "D1"], "section20_pct": ["V2"],
          "other_legal_pct": ["L1", "L2", "L3", "J1", "J2", "J3"]}
_PLACEMENTS = {"foster_pct": "foster", "homes_pct": "secure_homes", "independent_pct": "independent",
               "parents_pct": "with_parents", "other_residential_pct": "other_residential",
               "other_placement_pct": "other"}
_SIMULATED_AS = {"H5R": "H5", "INDR": "K3"}  # the generator's own codes for supported accommodation
_SGO = ["E43", "E44", "E45", "E46", "E47", "E48"]
_EET = ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"]
_MONTH = 365.25 / 12
_ADOPTION_STAGES = {  # measure -> (from, to) among the adoption timeline's days
    "adoption_months_entry_to_decision": ("start", "decision"),
    "adoption_months_decision_to_match": ("decision", "match"),
    "adoption_months_match_to_placed": ("match", "placed"),
    "adoption_months_placed_to_adopted": ("placed", "end"),
    "adoption_months_entry_to_placed": ("start", "placed"),
    "adoption_months_entry_to_adoption": ("start", "end"),
}

Values = dict[str, tuple[float, float | None]]


def _share(num: int | float, den: int | float) -> tuple[float, float | None]:
    return float(num), float(den)


def _children(mask: np.ndarray, child: np.ndarray) -> int:
    return len(np.unique(child[mask]))


def measure(h: History, year: int, oc3: pl.DataFrame, only: np.ndarray | None = None) -> Values:
    """The year's measures for one simulated LA (``oc3``: its OC3 table of the year, with DOB), or for
    the children ``only`` marks (by child index) where its children are in two returns."""
    s, e = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
    c = h.columns
    child, start, end = c["child"], c["DECOM"], c["DEC"]
    in_year = (start <= e) & (end >= s) & ~np.isin(c["LS"], _SHORT_BREAKS)
    if only is not None:
        in_year &= only[child]
    at_end = np.nonzero(in_year & (end > e))[0]  # a child's episode open on 31 March: one at most
    stock, kids = len(at_end), child[at_end]
    place = np.array([_SIMULATED_AS.get(p, p) for p in c["PLACE"][at_end]], dtype=str)
    groups = code_groups()[("Episodes", "PLACE")]
    group = np.array([groups.get(p, "other") for p in place], dtype=str)
    values: Values = {"stock": (stock, None), "cla_rate": (stock, None)}
    values |= {k: _share(int((group == g).sum()), stock) for k, g in _PLACEMENTS.items()}
    values |= {k: _share(int(np.isin(c["LS"][at_end], codes).sum()), stock) for k, codes in _LEGAL.items()}
    starts = _children(in_year & (c["RNE"] == "S") & (start >= s), child)
    ceased = in_year & c["is_last"] & (end <= e)
    n_ceased = _children(ceased, child)
    values |= {"starts": (starts, None), "ceased": (n_ceased, None), "starts_per_stock": _share(starts, stock),
               "ceased_per_stock": _share(n_ceased, stock),
               "adopted": (_children(ceased & np.isin(c["REC"], ADOPTED), child), None),
               "sgo": (_children(ceased & np.isin(c["REC"], _SGO), child), None)}
    # Placements during the year: each one starting in it, and the one held on 1 April.
    counted = in_year & ((np.isin(c["RNE"], _PLACEMENT_START) & (start >= s)) | (start < s))
    placements = np.bincount(child[counted], minlength=len(h.children.dob))
    values["three_plus_pct"] = _share(int((placements[kids] >= 3).sum()), stock)
    values["stability_pct"] = _stability(h, year, at_end)
    values |= _missing(h, s, e, _children(in_year, child), only)
    uasc, male = h.children.uasc[kids], h.children.sex[kids] == 0
    older = age_at(h.children.dob[kids], np.full(stock, e)) >= 16
    values |= {"uasc_stock": (int(uasc.sum()), None), "uasc_pct": _share(int(uasc.sum()), stock),
               "uasc_male_pct": _share(int((uasc & male).sum()), int(uasc.sum())),
               "uasc_16_17_pct": _share(int((uasc & older).sum()), int(uasc.sum()))}
    values |= _adoption(h, s, e, only)
    values |= _care_leavers(oc3, e)
    return values


def _stability(h: History, year: int, at_end: np.ndarray) -> tuple[float, float | None]:
    """Under 16 on 31 March, in care for 2.5 years: the same carer for 2 years, or placed for adoption
    with the carer before for 2 years (counting from the carer's first day)."""
    two_half, two, e = day(dt.date(year - 3, 9, 30)), day(dt.date(year - 2, 3, 31)), day(dt.date(year, 3, 31))
    c = h.columns
    kids, period = c["child"][at_end], c["period"][at_end]
    cohort = at_end[(age_at(h.children.dob[kids], np.full(len(kids), e)) < 16) & (h.periods.start[period] <= two_half)]
    # Episodes run in order per child and each period opens with S, a new carer: the latest new carer
    # up to an episode is the running latest of the carer starts before it.
    carer_row = np.maximum.accumulate(np.where(np.isin(c["RNE"], _CARER_START), np.arange(len(c["RNE"])), 0))
    row = carer_row[cohort]
    previous = carer_row[np.maximum(row - 1, 0)]
    same_period = (row > 0) & (c["period"][previous] == c["period"][row])
    adoption = np.isin(c["PLACE"][cohort], ["A3", "A4", "A5", "A6"])
    stable = (c["DECOM"][row] <= two) | (adoption & same_period & (c["DECOM"][previous] <= two))
    return _share(int(stable.sum()), len(cohort))


def _missing(h: History, s: int, e: int, looked_after: int, only: np.ndarray | None) -> Values:
    m = h.missing
    kind, child = m["MISSING"].to_numpy(), m["child"].to_numpy()
    open_ = (m["MIS_START"].to_numpy() <= e) & (m["MIS_END"].to_numpy() >= s)
    if only is not None:
        open_ &= only[child]
    missing, away = open_ & (kind == "M"), open_ & (kind == "A")
    went = _children(missing, child)
    return {"missing_pct": _share(went, looked_after), "away_pct": _share(_children(away, child), looked_after),
            "missing_incidents_per_child": _share(int(missing.sum()), went)}


def _adoption(h: History, s: int, e: int, only: np.ndarray | None) -> Values:
    """Average months between the stages of adoption, for children adopted in the year."""
    a = h.careers.adoption
    period = a["period"].to_numpy()
    days = {"start": h.periods.start[period], "end": h.periods.end[period],
            **{k: a[k].to_numpy() for k in ("decision", "match", "placed")}}
    now = np.isin(h.rec[period], ADOPTED) & (days["end"] >= s) & (days["end"] <= e)
    if only is not None:
        now &= only[h.periods.child[period]]
    n = int(now.sum())
    return {k: (float((days[b][now] - days[a_][now]).sum() / _MONTH), n) for k, (a_, b) in _ADOPTION_STAGES.items()}


def _care_leavers(oc3: pl.DataFrame, e: int) -> Values:
    """Care leavers by age on their birthday in the year (17-18, 19-21); outcomes of the 19-21s."""
    dob = oc3["DOB"].str.to_date("%d/%m/%Y").cast(pl.Int32).to_numpy()
    old = age_at(dob, np.full(len(dob), e)) >= 19
    n_old = int(old.sum())

    def among_old(hit: np.ndarray) -> tuple[float, float | None]:
        return _share(int((hit & old).sum()), n_old)

    return {"leavers_17_18": (len(dob) - n_old, None), "leavers_19_21": (n_old, None),
            "leavers_eet_pct": among_old(np.isin(oc3["ACTIV"].to_numpy(), _EET)),
            "leavers_suitable_pct": among_old(np.char.endswith(oc3["ACCOM"].to_numpy().astype(str), "1")),
            "leavers_not_in_touch_pct": among_old(np.isin(oc3["IN_TOUCH"].to_numpy(), ["NO", "REFU"]))}
