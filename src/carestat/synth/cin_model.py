"""Children in need: one LA's CIN history, simulated beside (and consistent with) its 903 history.

Every child looked after gets an episode of need around each spell of care: referred a little
before care starts (often with an assessment, a section 47 enquiry and a child protection plan that
ends when care begins), open while looked after, closed when care ends with the reason that fits
how it ended (spells close together share one episode). Other children in need are simulated a
quarter at a time: each year's referrals follow the published count; the published share of
re-referrals goes to children referred in the previous 12 months whose episode has closed, about a
quarter to children known from longer ago, the rest to new children. Each referral's course (no
further action, closed after assessment, child in need plan, enquiry, conference, protection plan)
is drawn first; plan lengths are then scaled per year by bisection so that children in need and
child protection plans at 31 March match the published counts. Dates are day numbers until
:mod:`carestat.synth.cin_tables` cuts a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from carestat.synth.history import History
from carestat.synth.population import add_years_days, day, year_end

_BURN_IN = 6  # years of CIN-only history simulated before the first year written
_SIM_YEARS_BEFORE = 19  # run.py simulates 903 histories this far before the first year written
_MARGIN = 10  # days kept between a closure and the next referral (working-day rounding slack)
_CATS = (["NEG", "EMO", "PHY", "SAB", "MUL"], [50, 37, 7, 4, 2])
_NEED = (["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"], [57, 5, 4, 9, 18, 3, 0.5, 1.5])
_SOURCE = (["6", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "5A", "5B", "5C", "5D", "1A", "1B", "1C",
            "1D", "4", "7", "8", "9", "10"],
           [29, 19, 1.5, 2, 2.5, 1, 3.5, 3, 2.5, 3, 6, 1, 3, 5, 0.8, 0.8, 0.7, 2.5, 2, 6, 0.5, 1.2])
_DISABILITY = (["LD", "AUT", "BEH", "COMM", "PC", "MOB", "HAND", "CON", "INC", "VIS", "HEAR", "DDA"],
               [30, 28, 22, 18, 8, 8, 3, 4, 5, 3, 4, 12])
_ETHNIC = (["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
            "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"],
           [64, 0.5, 5, 0.2, 0.6, 3.2, 1.2, 1.4, 3.6, 1, 2.4, 1, 1.5, 1.6, 3.8, 1.2, 0.2, 3, 0.4, 3.2])
_UPN_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
_REASON_BY_REC = {"E11": "RC1", "E12": "RC1", "E2": "RC2", "E41": "RC3", "E3": "RC5", "E7": "RC6",
                  **{f"E4{k}": "RC4" for k in "345678"}}


# --- calendar ------------------------------------------------------------------------------
def _easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    leap = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * leap) // 451
    return dt.date(y, (h + leap - 7 * m + 114) // 31, (h + leap - 7 * m + 114) % 31 + 1)


@cache
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays 1990-2035 (substitute days, jubilees and one-offs included)."""
    days: list[dt.date] = []
    for y in range(1990, 2036):
        jan1 = dt.date(y, 1, 1)
        days.append(jan1 + dt.timedelta(days={5: 2, 6: 1}.get(jan1.weekday(), 0)))
        days += [_easter(y) - dt.timedelta(2), _easter(y) + dt.timedelta(1)]
        may1, may31, aug31 = dt.date(y, 5, 1), dt.date(y, 5, 31), dt.date(y, 8, 31)
        days.append({1995: dt.date(1995, 5, 8), 2020: dt.date(2020, 5, 8)}.get(
            y, may1 + dt.timedelta((7 - may1.weekday()) % 7)))
        days += {2002: [dt.date(2002, 6, 3), dt.date(2002, 6, 4)], 2012: [dt.date(2012, 6, 4), dt.date(2012, 6, 5)],
                 2022: [dt.date(2022, 6, 2), dt.date(2022, 6, 3)]}.get(y, [may31 - dt.timedelta(may31.weekday())])
        days.append(aug31 - dt.timedelta(aug31.weekday()))
        xmas = dt.date(y, 12, 25)
        days += {4: [xmas, dt.date(y, 12, 28)], 5: [dt.date(y, 12, 27), dt.date(y, 12, 28)],
                 6: [dt.date(y, 12, 26), dt.date(y, 12, 27)]}.get(xmas.weekday(), [xmas, dt.date(y, 12, 26)])
        days += {1999: [dt.date(1999, 12, 31)], 2011: [dt.date(2011, 4, 29)], 2022: [dt.date(2022, 9, 19)],
                 2023: [dt.date(2023, 5, 8)]}.get(y, [])
    return np.array(sorted(days), dtype="datetime64[D]")


def workday_add(days: np.ndarray, n: np.ndarray | int, roll: str = "forward") -> np.ndarray:
    """The working day ``n`` working days after ``days`` (rolled to a working day first)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return np.busday_offset(d, n, roll=roll, holidays=bank_holidays()).astype("int64")


def workdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` (counted) to ``end`` (not counted)."""
    a = np.asarray(start, dtype="int64").astype("datetime64[D]")
    b = np.asarray(end, dtype="int64").astype("datetime64[D]")
    return np.busday_count(a, b, holidays=bank_holidays())


def _pick(options: tuple[list[str], list[float]], n: int, rng: np.random.Generator) -> np.ndarray:
    codes, w = np.array(options[0]), np.array(options[1], dtype=float)
    return codes[rng.choice(len(codes), n, p=w / w.sum())]


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (named by its end: 1 April 2024 - 31 March 2025 is 2025) of each day."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(int)
    return d.astype("datetime64[Y]").astype(int) + 1970 + (month >= 3)


def _not_overdue(start: np.ndarray, end: np.ndarray, limit: int) -> np.ndarray:
    """Bring forward to 31 March an ``end`` that would leave the task open at a year end more than
    ``limit`` working days after it started (rare; avoids the DfE's 8670Q/8675Q queries)."""
    ye = np.array([year_end(int(y)) for y in range(1990, 2040)])[collection_year(start) - 1990]
    late = (end > ye) & (workdays_between(start, ye) > limit)
    return np.where(late, workday_add(ye, 0, roll="backward"), end)


@dataclass
class CinHistory:
    """One LA's children in need, as day numbers (``close`` may lie beyond the last year)."""

    unit: str
    seed: tuple[int, ...]
    children: pl.DataFrame  # child, LAchildID, dob, sex, ethnic, upn, upn_reason, death, uasc
    disabilities: pl.DataFrame  # child, code
    episodes: pl.DataFrame  # ep, child, ref, close, source, need, nfa, reason, rereferral
    assessments: pl.DataFrame  # ep, start, auth, no_factors
    section47: pl.DataFrame  # ep, start, target, icpc (or -1), not_required
    plans: pl.DataFrame  # ep, start, end
    cpps: pl.DataFrame  # cpp, ep, start, end, initial, latest, previous
    reviews: pl.DataFrame  # cpp, date


def _assessment_days(n: int, within45: float, rng: np.random.Generator) -> np.ndarray:
    """Working days from start to authorisation: ``within45`` of them at most 45 (median ~30)."""
    quick = 1 + np.floor(44 * rng.beta(2.4, 1.5, n))
    slow = 46 + np.minimum(np.floor(rng.gamma(1.3, 18, n)), 120)
    return np.where(rng.random(n) < within45, quick, slow).astype(np.int64)


def _cpp_days(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unscaled child protection plan lengths: a few short plans, most 6-18 months."""
    return np.where(rng.random(n) < 0.12, rng.integers(20, 90, n),
                    np.exp(rng.normal(np.log(300), 0.5, n))).astype(np.int64)


def _forced_episodes(h: History, rng: np.random.Generator, within45: float) -> dict[str, np.ndarray]:
    """One episode per spell of care (spells under six months apart share one), with its intake."""
    p = h.periods
    order = np.lexsort((p.start, p.child))
    child, start, end = p.child[order], p.start[order], p.end[order]
    rec, need = h.rec[order].astype(str), h.careers.cin[order]
    n = len(order)
    dob = h.children.dob[child]
    e18 = add_years_days(dob, 18)
    emergency = rng.random(n) < 0.35
    ref = np.minimum(np.maximum(start - np.where(emergency, rng.integers(0, 4, n), rng.integers(14, 300, n)),
                                dob - 200), start)
    a_start = workday_add(ref, rng.integers(0, 4, n))
    auth = workday_add(a_start, _assessment_days(n, within45, rng))
    s47 = rng.random(n) < 0.5
    s_start = np.minimum(ref + rng.integers(0, 3, n), start)
    icpc = workday_add(s_start, rng.integers(5, 16, n))
    icpc_held = s47 & ~emergency & (rng.random(n) < 0.6) & (icpc < start - 1)
    cpp = icpc_held & (rng.random(n) < 0.9)
    plan_before = ~s47 & ~emergency & (auth < start - 7) & (rng.random(n) < 0.5)
    home = np.isin(rec, ["E4A", "E4B", "E13"])
    tail = np.where(home, rng.integers(20, 270, n), np.where(np.isin(rec, ["E8", "E9", "E14", "E15", "E16"]),
                                                             rng.integers(0, 30, n), 0))
    close = np.minimum(end + tail, np.maximum(e18 - 1, end))
    close = np.maximum(close, auth)
    plan_after = home & (close - end >= 14) & (rng.random(n) < 0.5)
    # A new episode only when the spell starts six months or more after the last and after its closure.
    prev_close = np.r_[-1, close[:-1]]
    prev_end = np.r_[-1, end[:-1]]
    first = np.r_[True, child[1:] != child[:-1]]
    new = first | ((start - prev_end >= 180) & (ref > prev_close + _MARGIN))
    group = np.cumsum(new) - 1
    last = np.r_[new[1:], True]
    g_first, g_last = np.nonzero(new)[0], np.nonzero(last)[0]
    reason = np.array([_REASON_BY_REC.get(r, "RC7") for r in rec[g_last]], dtype=object)
    return {"child": child[g_first], "ref": ref[g_first], "close": close[g_last], "need": need[g_first],
            "reason": reason, "a_start": a_start[g_first], "auth": auth[g_first], "s47": s47[g_first],
            "s_start": s_start[g_first], "icpc": np.where(icpc_held, icpc, -1)[g_first], "cpp": cpp[g_first],
            "care_start": start[g_first], "plan_before": plan_before[g_first],
            "plan_after": plan_after[g_last], "care_end": end[g_last], "died": rec[g_last] == "E2",
            "group": group[g_first]}


# --- children in need not looked after ---------------------------------------------------------
# Courses: 0 no further action, 1 closed after assessment (RC8/RC9), 2 closed after an enquiry,
# 3 child in need plan, 4 long-term plan (disabled children), 5 protection plan, 6 plan then step-down.
_AGE_WEIGHTS = np.array([8, 5, 5, 4.5, 4.5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 6.5, 6.5, 6, 5, 1.5])
_UNBORN = 0.025


def _draw_courses(n: int, p: dict[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    u = rng.random(n)
    nfa = rng.random(n) < 0.08
    s47 = ~nfa & (rng.random(n) < p["s47"])
    icpc = s47 & (rng.random(n) < p["icpc"])
    cpp = icpc & (rng.random(n) < 0.87)
    course = np.select([nfa, cpp, s47, u < 0.42, u < 0.92], [0, np.where(u < 0.55, 6, 5), np.where(u < 0.6, 3, 2), 1, 3], 4)
    return {"course": course, "s47": s47, "icpc_held": icpc, "lag": rng.integers(0, 4, n),
            "adays": _assessment_days(n, p["within45"], rng), "s_lag": rng.integers(0, 3, n),
            "icpc_wd": np.where(rng.random(n) < 0.8, rng.integers(5, 16, n), rng.integers(16, 36, n)),
            "cpp_base": _cpp_days(n, rng), "plan_base": np.exp(rng.normal(np.log(150), 0.8, n)),
            "long_base": np.exp(rng.normal(np.log(900), 0.6, n)), "plan_lag": rng.integers(0, 8, n),
            "extra": rng.integers(0, 15, n), "no_factors": (course == 1) & (rng.random(n) < 0.4)}


def _base_dates(ref: np.ndarray, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    a_start = workday_add(ref, t["lag"])
    s_start = ref + t["s_lag"]
    return {"a_start": a_start, "auth": _not_overdue(a_start, workday_add(a_start, t["adays"]), 45),
            "s_start": s_start, "icpc": _not_overdue(s_start, workday_add(s_start, t["icpc_wd"]), 15)}


def _close(ref: np.ndarray, b: dict[str, np.ndarray], t: dict[str, np.ndarray], f: float,
           g: float) -> dict[str, np.ndarray]:
    """Closure, plan and protection plan dates for plan lengths scaled by ``f`` and ``g``."""
    c = t["course"]
    cpp_end = b["icpc"] + np.maximum(np.round(t["cpp_base"] * g), 2).astype(np.int64)
    after = np.maximum(b["auth"], np.where(t["icpc_held"], b["icpc"], 0))
    plan_start = np.where(c == 6, cpp_end, after + t["plan_lag"])
    plan_len = np.maximum(np.round(np.where(c == 4, t["long_base"], t["plan_base"]) * f), 14).astype(np.int64)
    plan_end = plan_start + plan_len
    close = np.select([c == 0, c == 1, c == 2, c == 5], [ref, b["auth"], after + t["extra"],
                                                          np.maximum(cpp_end, after) + t["extra"]],
                      np.maximum(plan_end, after) + t["extra"])
    return {"close": close, "cpp_end": cpp_end, "plan_start": plan_start, "plan_end": plan_end}


def _bisect(count: callable, target: float) -> float:
    lo, hi = np.log(0.05), np.log(20.0)
    for _ in range(25):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if count(np.exp(mid)) < target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def _value(row: dict, name: str, default: float) -> float:
    v = row.get(name)
    return default if v is None or not np.isfinite(v) else float(v)
