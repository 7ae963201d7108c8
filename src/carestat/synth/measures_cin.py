"""Calibration measures for the CIN census: one simulated LA's figures for a collection year.

Counted from the simulated CIN history (day numbers, numpy) as the census of that year shows it: a
closure, its reason or a conference after 31 March is not known yet. Each measure is a
(numerator, denominator) pair, declared in :data:`carestat.synth.calibration.MEASURES`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from carestat.synth.calendar import add_years_days, day, workdays_between
from carestat.synth.cin_tables import CinHistory

Values = dict[str, tuple[float, float | None]]


def _distinct(values: np.ndarray) -> int:
    """How many different values (children): records come in child order, so runs count them."""
    if len(values) and bool(np.all(values[1:] >= values[:-1])):
        return 1 + int(np.count_nonzero(values[1:] != values[:-1]))
    return len(np.unique(values))


def measure(ch: CinHistory, year: int, only: np.ndarray | None = None) -> Values:
    """The year's measures for one simulated LA, or for the children ``only`` marks (by child)."""
    s, e = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
    child, ref, close, nfa, rereferral = (ch.array("episodes", c) for c in ("child", "ref", "close", "nfa", "rereferral"))
    mine = True if only is None else only[child]

    def of(table: str) -> np.ndarray | bool:
        return True if only is None else only[ch.array(table, "child")]

    shown = (ref <= e) & (close >= s) & mine
    not_in_need = (close <= e) & ch.closed_after_assessment
    in_need = shown & ~nfa & ~not_in_need
    referred = (ref >= s) & (ref <= e) & mine
    n_ref = int(referred.sum())
    start, auth = ch.array("assessments", "start"), ch.array("assessments", "auth")
    done = (auth >= s) & (auth <= e) & of("assessments")
    days = workdays_between(start[done], auth[done])
    s47_start, icpc = ch.array("section47", "start"), ch.array("section47", "icpc")
    enquiries = of("section47")
    held = (icpc >= s) & (icpc <= e) & enquiries
    icpc_days = workdays_between(s47_start[held], icpc[held])
    cpp_child, cpp_start, cpp_end, previous = (ch.array("cpps", c) for c in ("child", "start", "end", "previous"))
    plans = of("cpps")
    open_cpp = (cpp_start <= e) & (cpp_end > e) & plans
    started = (cpp_start >= s) & (cpp_start <= e) & plans
    n31, n_open = _distinct(child[in_need & (close > e)]), _distinct(cpp_child[open_cpp])
    return {
        "referrals": (n_ref, None), "referrals_rate": (n_ref, None),
        "rereferral_pct": (int((referred & rereferral).sum()), n_ref),
        "referrals_nfa_pct": (int((referred & nfa).sum()), n_ref),
        "referrals_not_in_need_pct": (int((referred & not_in_need).sum()), n_ref),
        "assessments_45_pct": (int((days <= 45).sum()), len(days)),
        "assessment_median_days": (float(np.median(days)) * len(days) if len(days) else 0.0, len(days)),
        "cin_31mar": (n31, None), "cin_rate": (n31, None),
        "cin_anytime": (_distinct(child[in_need]), None),
        "cin_started": (int((in_need & referred).sum()), None),
        "s47_rate": (int(((s47_start >= s) & (s47_start <= e) & enquiries).sum()), None), "icpc_rate": (int(held.sum()), None),
        "icpc_15d_pct": (int((icpc_days <= 15).sum()), len(icpc_days)),
        "cpp_starts": (int(started.sum()), None), "cpp_starts_rate": (int(started.sum()), None),
        "cpp_31mar": (n_open, None), "cpp_rate": (n_open, None),
        "cpp_second_pct": (int((started & (previous > 0)).sum()), int(started.sum())),
        "cpp_2yrs_pct": (int((add_years_days(cpp_start[open_cpp], 2) <= e).sum()), int(open_cpp.sum())),
    }
