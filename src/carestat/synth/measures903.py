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
    return int(np.count_nonzero(np.bincount(child[mask])))


class _Prepared:
    """What every year's measures of one history use: episode flags (numpy, from the codes once)."""

    def __init__(self, h: History) -> None:
        c = h.columns
        self.short_break = np.isin(c["LS"], _SHORT_BREAKS)
        self.started = c["RNE"] == "S"
        self.placement_start = np.isin(c["RNE"], _PLACEMENT_START)
        self.adopted = np.isin(c["REC"], ADOPTED)
        self.sgo = np.isin(c["REC"], _SGO)
        # Placement group of each episode (the generator's own codes as the ones they are reported as).
        codes, which = np.unique(c["PLACE"], return_inverse=True)
        groups = code_groups()[("Episodes", "PLACE")]
        self.group = np.array([groups.get(_SIMULATED_AS.get(p, p), "other") for p in codes.tolist()],
                              dtype=str)[which]
        self.legal = {k: np.isin(c["LS"], codes) for k, codes in _LEGAL.items()}
        # Episodes run in order per child and each period opens with S, a new carer: the latest new
        # carer up to an episode is the running latest of the carer starts before it.
        self.carer_row = np.maximum.accumulate(np.where(np.isin(c["RNE"], _CARER_START), np.arange(len(c["RNE"])), 0))
        self.adoption_placement = np.isin(c["PLACE"], ["A3", "A4", "A5", "A6"])
        a = h.careers.adoption
        period = a["period"].to_numpy()
        self.adoption_days = {"start": h.periods.start[period], "end": h.periods.end[period],
                              **{k: a[k].to_numpy() for k in ("decision", "match", "placed")}}
        self.adopted_period = np.isin(h.rec[period], ADOPTED)
        self.adoption_child = h.periods.child[period]
        m = h.missing
        self.missing = {k: m[k].to_numpy() for k in ("child", "MIS_START", "MIS_END")}
        self.missing |= {kind: m["MISSING"].to_numpy() == kind for kind in ("M", "A")}


def _prepared(h: History) -> _Prepared:
    prepared = h.derived.get("measures903")
    if prepared is None:
        prepared = h.derived["measures903"] = _Prepared(h)
    return prepared  # type: ignore[return-value]


def measure(h: History, year: int, oc3: pl.DataFrame, only: np.ndarray | None = None) -> Values:
    """The year's measures for one simulated LA (``oc3``: its OC3 table of the year, with DOB), or for
    the children ``only`` marks (by child index) where its children are in two returns."""
    s, e = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
    c, x = h.columns, _prepared(h)
    child, start, end = c["child"], c["DECOM"], c["DEC"]
    in_year = (start <= e) & (end >= s) & ~x.short_break
    if only is not None:
        in_year &= only[child]
    at_end = np.nonzero(in_year & (end > e))[0]  # a child's episode open on 31 March: one at most
    stock, kids = len(at_end), child[at_end]
    group = x.group[at_end]
    values: Values = {"stock": (stock, None), "cla_rate": (stock, None)}
    values |= {k: _share(int((group == g).sum()), stock) for k, g in _PLACEMENTS.items()}
    values |= {k: _share(int(x.legal[k][at_end].sum()), stock) for k in _LEGAL}
    starts = _children(in_year & x.started & (start >= s), child)
    ceased = in_year & c["is_last"] & (end <= e)
    n_ceased = _children(ceased, child)
    values |= {"starts": (starts, None), "ceased": (n_ceased, None), "starts_per_stock": _share(starts, stock),
               "ceased_per_stock": _share(n_ceased, stock),
               "adopted": (_children(ceased & x.adopted, child), None),
               "sgo": (_children(ceased & x.sgo, child), None)}
    # Placements during the year: each one starting in it, and the one held on 1 April.
    counted = in_year & ((x.placement_start & (start >= s)) | (start < s))
    placements = np.bincount(child[counted], minlength=len(h.children.dob))
    values["three_plus_pct"] = _share(int((placements[kids] >= 3).sum()), stock)
    values["stability_pct"] = _stability(h, x, year, at_end)
    values |= _missing(x, s, e, _children(in_year, child), only)
    uasc, male = h.children.uasc[kids], h.children.sex[kids] == 0
    older = age_at(h.children.dob[kids], np.full(stock, e)) >= 16
    values |= {"uasc_stock": (int(uasc.sum()), None), "uasc_pct": _share(int(uasc.sum()), stock),
               "uasc_male_pct": _share(int((uasc & male).sum()), int(uasc.sum())),
               "uasc_16_17_pct": _share(int((uasc & older).sum()), int(uasc.sum()))}
    values |= _adoption(x, s, e, only)
    values |= _care_leavers(oc3, year)
    return values


def _stability(h: History, x: _Prepared, year: int, at_end: np.ndarray) -> tuple[float, float | None]:
    """Under 16 on 31 March, in care for 2.5 years: the same carer for 2 years, or placed for adoption
    with the carer before for 2 years (counting from the carer's first day)."""
    two_half, two, e = day(dt.date(year - 3, 9, 30)), day(dt.date(year - 2, 3, 31)), day(dt.date(year, 3, 31))
    c = h.columns
    kids, period = c["child"][at_end], c["period"][at_end]
    cohort = at_end[(age_at(h.children.dob[kids], np.full(len(kids), e)) < 16) & (h.periods.start[period] <= two_half)]
    row = x.carer_row[cohort]
    previous = x.carer_row[np.maximum(row - 1, 0)]
    same_period = (row > 0) & (c["period"][previous] == c["period"][row])
    adoption = x.adoption_placement[cohort]
    stable = (c["DECOM"][row] <= two) | (adoption & same_period & (c["DECOM"][previous] <= two))
    return _share(int(stable.sum()), len(cohort))


def _missing(x: _Prepared, s: int, e: int, looked_after: int, only: np.ndarray | None) -> Values:
    m = x.missing
    child = m["child"]
    open_ = (m["MIS_START"] <= e) & (m["MIS_END"] >= s)
    if only is not None:
        open_ &= only[child]
    missing, away = open_ & m["M"], open_ & m["A"]
    went = _children(missing, child)
    return {"missing_pct": _share(went, looked_after), "away_pct": _share(_children(away, child), looked_after),
            "missing_incidents_per_child": _share(int(missing.sum()), went)}


def _adoption(x: _Prepared, s: int, e: int, only: np.ndarray | None) -> Values:
    """Average months between the stages of adoption, for children adopted in the year."""
    days = x.adoption_days
    now = x.adopted_period & (days["end"] >= s) & (days["end"] <= e)
    if only is not None:
        now &= only[x.adoption_child]
    n = int(now.sum())
    return {k: (float((days[b][now] - days[a_][now]).sum() / _MONTH), n) for k, (a_, b) in _ADOPTION_STAGES.items()}


def _care_leavers(oc3: pl.DataFrame, year: int) -> Values:
    """Care leavers by age on their birthday in the year (17-18, 19-21); outcomes of the 19-21s."""
    n = n_old = eet = suitable = not_in_touch = 0
    for dob, activ, accom, touch in zip(*(oc3[c].to_list() for c in ("DOB", "ACTIV", "ACCOM", "IN_TOUCH")), strict=True):
        n += 1
        # 19 or over on 31 March: born in the first three months of the year 19 years before, or earlier.
        if (int(dob[6:]), int(dob[3:5])) <= (year - 19, 3):
            n_old += 1
            eet += activ in _EET
            suitable += accom is not None and accom.endswith("1")
            not_in_touch += touch in ("NO", "REFU")
    return {"leavers_17_18": (n - n_old, None), "leavers_19_21": (n_old, None),
            "leavers_eet_pct": _share(eet, n_old), "leavers_suitable_pct": _share(suitable, n_old),
            "leavers_not_in_touch_pct": _share(not_in_touch, n_old)}
