"""Calibration measures for the CIN census: one simulated LA's figures for a collection year.

Counted from the simulated CIN history (day numbers, numpy) as the census of that year shows it: a
closure, its reason or a conference after 31 March is not known yet. Each measure is a
(numerator, denominator) pair, declared in :data:`carestat.synth.calibration.MEASURES`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days, day, workdays_between
from carestat.synth.cin_tables import CinHistory

Values = dict[str, tuple[float, float | None]]


def _arrays(frame: pl.DataFrame, *names: str) -> list[np.ndarray]:
    return [frame[n].to_numpy() for n in names]


def measure(ch: CinHistory, year: int, only: np.ndarray | None = None) -> Values:
    """The year's measures for one simulated LA, or for the children ``only`` marks (by child)."""
    s, e = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
    child, ref, close, nfa, rereferral = _arrays(ch.episodes, "child", "ref", "close", "nfa", "rereferral")
    mine = np.ones(len(child), dtype=bool) if only is None else only[child]

    def of(frame: pl.DataFrame) -> np.ndarray:
        return np.ones(frame.height, dtype=bool) if only is None else only[frame["child"].to_numpy()]

    shown = (ref <= e) & (close >= s) & mine
    not_in_need = (close <= e) & ch.closed_after_assessment
    in_need = shown & ~nfa & ~not_in_need
    referred = (ref >= s) & (ref <= e) & mine
    n_ref = int(referred.sum())
    start, auth = _arrays(ch.assessments, "start", "auth")
    done = (auth >= s) & (auth <= e) & of(ch.assessments)
    days = workdays_between(start[done], auth[done])
    s47_start, icpc = _arrays(ch.section47, "start", "icpc")
    enquiries = of(ch.section47)
    held = (icpc >= s) & (icpc <= e) & enquiries
    icpc_days = workdays_between(s47_start[held], icpc[held])
    cpp_child, cpp_start, cpp_end, previous = _arrays(ch.cpps, "child", "start", "end", "previous")
    plans = of(ch.cpps)
    open_cpp = (cpp_start <= e) & (cpp_end > e) & plans
    started = (cpp_start >= s) & (cpp_start <= e) & plans
    n31, n_open = len(np.unique(child[in_need & (close > e)])), len(np.unique(cpp_child[open_cpp]))
    return {
        "referrals": (n_ref, None), "referrals_rate": (n_ref, None),
        "rereferral_pct": (int((referred & rereferral).sum()), n_ref),
        "referrals_nfa_pct": (int((referred & nfa).sum()), n_ref),
        "referrals_not_in_need_pct": (int((referred & not_in_need).sum()), n_ref),
        "assessments_45_pct": (int((days <= 45).sum()), len(days)),
        "assessment_median_days": (float(np.median(days)) * len(days) if len(days) else 0.0, len(days)),
        "cin_31mar": (n31, None), "cin_rate": (n31, None),
        "cin_anytime": (len(np.unique(child[in_need])), None),
        "cin_started": (int((in_need & referred).sum()), None),
        "s47_rate": (int(((s47_start >= s) & (s47_start <= e) & enquiries).sum()), None), "icpc_rate": (int(held.sum()), None),
        "icpc_15d_pct": (int((icpc_days <= 15).sum()), len(icpc_days)),
        "cpp_starts": (int(started.sum()), None), "cpp_starts_rate": (int(started.sum()), None),
        "cpp_31mar": (n_open, None), "cpp_rate": (n_open, None),
        "cpp_second_pct": (int((started & (previous > 0)).sum()), int(started.sum())),
        "cpp_2yrs_pct": (int((add_years_days(cpp_start[open_cpp], 2) <= e).sum()), int(open_cpp.sum())),
    }
