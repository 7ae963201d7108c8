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
from carestat.synth.targets import PREDECESSORS

_BURN_IN = 6  # years of CIN-only history simulated before the first year written
_SIM_YEARS_BEFORE = 19  # run.py simulates 903 histories this far before the first year written
_MARGIN = 1  # a child is referred again at the earliest the day after the last episode closed
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


@cache
def _calendar() -> np.busdaycalendar:
    return np.busdaycalendar(holidays=bank_holidays())


def workday_add(days: np.ndarray, n: np.ndarray | int, roll: str = "forward") -> np.ndarray:
    """The working day ``n`` working days after ``days`` (rolled to a working day first)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return np.busday_offset(d, n, roll=roll, busdaycal=_calendar()).astype("int64")


def workdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` (counted) to ``end`` (not counted)."""
    a = np.asarray(start, dtype="int64").astype("datetime64[D]")
    b = np.asarray(end, dtype="int64").astype("datetime64[D]")
    return np.busday_count(a, b, busdaycal=_calendar())


def _pick(options: tuple[list[str], list[float]], n: int, rng: np.random.Generator) -> np.ndarray:
    codes, w = np.array(options[0]), np.array(options[1], dtype=float)
    return codes[rng.choice(len(codes), n, p=w / w.sum())]


@cache
def _years_table() -> tuple[np.ndarray, np.ndarray]:
    """Collection year of every day 1970-2069, and 31 March of collection years 1970-2070."""
    d = np.arange(0, 36525).astype("datetime64[D]")
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(int)
    return d.astype("datetime64[Y]").astype(int) + 1970 + (month >= 3), np.array([year_end(y) for y in range(1970, 2071)])


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (named by its end: 1 April 2024 - 31 March 2025 is 2025) of each day."""
    return _years_table()[0][np.clip(np.asarray(days, dtype=np.int64), 0, 36524)]


def _not_overdue(start: np.ndarray, end: np.ndarray, limit: int) -> np.ndarray:
    """Bring forward to 31 March an ``end`` that would leave the task open at a year end ``limit``
    working days or more after it started (rare; avoids the DfE's 8670Q/8675Q queries)."""
    ye = _years_table()[1][collection_year(start) - 1970]
    late = (end > ye) & (workdays_between(start, ye) >= limit - 1)
    return np.where(late, workday_add(ye, 0, roll="backward"), end)


def _assessment(ref: np.ndarray, lag: np.ndarray, days: np.ndarray, s47: np.ndarray, s_start: np.ndarray,
                anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assessment start and authorisation. Every census showing an enquiry (from its start to its
    conference) also shows the episode's assessment (DfE query 2991Q)."""
    start = workday_add(ref, lag)
    start = np.where(s47 & (collection_year(start) > collection_year(s_start)), s_start, start)
    auth = _not_overdue(start, workday_add(start, days), 45)
    late = s47 & (collection_year(auth) < collection_year(anchor))
    return start, np.where(late, workday_add(anchor, 0), auth)


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
    s47 = rng.random(n) < 0.5
    s_start = np.minimum(ref + rng.integers(0, 3, n), start)
    icpc = workday_add(s_start, rng.integers(5, 16, n))
    icpc_held = s47 & ~emergency & (rng.random(n) < 0.6) & (icpc < start - 1)
    cpp = icpc_held & (rng.random(n) < 0.9)
    a_start, auth = _assessment(ref, rng.integers(0, 4, n), _assessment_days(n, within45, rng), s47, s_start,
                                np.where(icpc_held, icpc, s_start))
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
    reason = pl.Series(rec[g_last]).replace_strict(_REASON_BY_REC, default="RC7").to_numpy()
    return {"child": child[g_first], "ref": ref[g_first], "close": np.maximum.reduceat(close, g_first)
            if n else close, "need": need[g_first],
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


def _exactly(mask: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``share`` of the ``mask`` entries, chosen at random (exact counts keep the calibration tight)."""
    idx = np.nonzero(mask)[0]
    out = np.zeros(len(mask), dtype=bool)
    out[rng.choice(idx, round(min(max(share, 0.0), 1.0) * len(idx)), replace=False)] = True
    return out


def _draw_courses(n: int, p: dict[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    u = rng.random(n)
    nfa = _exactly(np.ones(n, dtype=bool), 0.08, rng)
    s47 = _exactly(~nfa, p["s47"], rng)
    icpc = _exactly(s47, p["icpc"], rng)
    cpp = _exactly(icpc, 0.87, rng)
    course = np.select([nfa, cpp, s47, u < 0.42, u < 0.92], [0, np.where(u < 0.55, 6, 5), np.where(u < 0.6, 3, 2), 1, 3], 4)
    return {"course": course, "s47": s47, "icpc_held": icpc, "lag": rng.integers(0, 4, n),
            "adays": _assessment_days(n, p["within45"], rng), "s_lag": rng.integers(0, 3, n),
            "icpc_wd": np.where(rng.random(n) < 0.8, rng.integers(5, 16, n), rng.integers(16, 36, n)),
            "cpp_base": _cpp_days(n, rng), "plan_base": np.exp(rng.normal(np.log(150), 0.8, n)),
            "long_base": np.exp(rng.normal(np.log(900), 0.6, n)), "plan_lag": rng.integers(0, 8, n),
            "extra": rng.integers(0, 15, n), "no_factors": (course == 1) & (rng.random(n) < 0.4)}


def _base_dates(ref: np.ndarray, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    s_start = ref + t["s_lag"]
    icpc = _not_overdue(s_start, workday_add(s_start, t["icpc_wd"]), 15)
    a_start, auth = _assessment(ref, t["lag"], t["adays"], t["s47"], s_start, np.where(t["icpc_held"], icpc, s_start))
    return {"a_start": a_start, "auth": auth, "s_start": s_start, "icpc": icpc}


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


class _Pool:
    """Children in need not looked after, and when each was last referred and last closed."""

    def __init__(self, cap: int) -> None:
        self.n = 0
        self.last_ref = np.full(cap, -(1 << 30), dtype=np.int64)
        self.last_close = self.last_ref.copy()
        self.dob = np.zeros(cap, dtype=np.int64)
        self.e18 = np.zeros(cap, dtype=np.int64)
        self.long_term = np.zeros(cap, dtype=bool)

    def add(self, dob: np.ndarray) -> np.ndarray:
        idx = np.arange(self.n, self.n + len(dob))
        self.dob[idx], self.e18[idx] = dob, add_years_days(dob, 18)
        self.n += len(dob)
        return idx

    def choose(self, t0: int, t1: int, k: int, recent: bool, taken: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``k`` children who may be referred in [t0, t1): referred in the last 12 months (``recent``)
        or earlier, episode closed, under 17 and a bit; and a referral day for each."""
        m = self.n
        lr, lc, limit = self.last_ref[:m], self.last_close[:m], self.e18[:m] - 300
        if recent:
            a, b = np.maximum(lc + _MARGIN, t0), np.minimum(np.minimum(lr + 365, t1 - 1), limit)
        else:
            a, b = np.maximum(np.maximum(lc + _MARGIN, lr + 366), t0), np.minimum(t1 - 1, limit)
        ok = a <= b
        ok[taken] = False
        cand = np.nonzero(ok)[0]
        if k <= 0 or not len(cand):
            return cand[:0], cand[:0]
        # Recently closed cases come back more often: Gumbel top-k on a recency weight.
        key = (-(t0 - lc[cand]) / (365.0 if recent else 900.0)) + rng.gumbel(size=len(cand))
        chosen = cand[np.argpartition(-key, k - 1)[:k]] if k < len(cand) else cand
        return chosen, a[chosen] + (rng.random(len(chosen)) * (b[chosen] - a[chosen] + 1)).astype(np.int64)


def _new_dob(ref: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(ref)
    age = rng.choice(18, n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum())
    within = np.where(age == 17, rng.integers(0, 60, n), rng.integers(0, 365, n))
    dob = ref - age * 365 - age // 4 - within
    return np.where(rng.random(n) < _UNBORN, ref + rng.integers(14, 200, n), dob)


def _cin_only(history: History, rows: dict[int, dict], years: list[int], forced: dict[str, np.ndarray],
              unit: str, scale: float, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], _Pool]:
    """Referrals of children not looked after, year by year, calibrated to the year's targets."""
    from carestat.refdata import population_for, resolve_la

    la = resolve_la(unit)
    f_ref, f_close = forced["ref"], forced["close"]
    f_cpp_start = np.where(forced["cpp"], forced["icpc"], 1 << 30)
    f_reref = np.r_[False, (forced["child"][1:] == forced["child"][:-1]) & (np.diff(f_ref) <= 365)]
    counts = {}
    for y in years:
        stock = _value(rows[y], "stock", 0.0)
        counts[y] = round(max(_value(rows[y], "referrals", 7.6 * stock), 0.0) * scale)
    cap = sum(counts.values()) + 1
    pool = _Pool(cap)
    done: list[tuple[np.ndarray, ...]] = []  # (ref, close, cpp start, cpp end) of finished years
    out: list[dict[str, np.ndarray]] = []
    adjust = [1.0, 1.0]  # protection plans, children in need
    for y in years:
        s, e = day(dt.date(y - 1, 4, 1)), year_end(y)
        r = rows[y]
        in_year = (f_ref >= s) & (f_ref <= e)
        n = max(counts[y] - int(in_year.sum()), 0)
        if n == 0:
            continue
        ref = np.minimum(workday_add(s + rng.integers(0, e - s + 1, n), 0), e)
        pop = population_for(la, y) or 0.0
        s47_target = _value(r, "s47_rate", 0.0) * pop / 1e4 * scale or 0.33 * counts[y]
        s47_target -= int((forced["s47"] & (forced["s_start"] >= s) & (forced["s_start"] <= e)).sum())
        cpp_target = _value(r, "cpp_starts", 0.11 * counts[y] / max(scale, 1e-9)) * scale
        cpp_target -= int(((f_cpp_start >= s) & (f_cpp_start <= e)).sum())
        p_s47 = float(np.clip(s47_target / (0.92 * n), 0, 0.9))
        p = {"s47": p_s47, "icpc": float(np.clip(cpp_target / (0.87 * 0.92 * n * p_s47 + 1e-9), 0, 0.95)),
             "within45": _value(r, "assessments_45_pct", 84.0) / 100}
        t = _draw_courses(n, p, rng)
        b = _base_dates(ref, t)
        prior = [np.concatenate(c) for c in zip(*done, strict=True)] if done else [np.zeros(0, np.int64)] * 4
        # Protection plans at 31 March first (their length only moves them), then children in need.
        cpp_open = int(((f_cpp_start <= e) & (forced["care_start"] > e)).sum() + ((prior[2] <= e) & (prior[3] > e)).sum())
        is_cpp = np.isin(t["course"], [5, 6]) & (b["icpc"] <= e)
        cin_target = _value(r, "cin_31mar", 0.65 * counts[y] / scale) * scale
        # What this year's referrals must add at 31 March, corrected by how far last year's fell short
        # (ends at 18 and re-referral days are only known after the children are chosen).
        need_cpp = (_value(r, "cpp_31mar", 0.125 * cin_target / scale) * scale - cpp_open) * adjust[0]
        g = _bisect(lambda g: int((is_cpp & (b["icpc"] + np.maximum(np.round(t["cpp_base"] * g), 2) > e)).sum()),
                    need_cpp)
        cin_open = int(((f_ref <= e) & (f_close > e)).sum() + ((prior[0] <= e) & (prior[1] > e)).sum())
        need_cin = (cin_target - cin_open) * adjust[1]
        f = _bisect(lambda f: int((_close(ref, b, t, f, g)["close"] > e).sum()), need_cin)
        t["cpp_base"], t["plan_base"], t["long_base"] = t["cpp_base"] * g, t["plan_base"] * f, t["long_base"] * f
        close_off = _close(ref, b, t, 1.0, 1.0)["close"] - ref
        ref_first = ref.copy()
        child = np.full(n, -1, dtype=np.int64)
        close, cpp_start, cpp_end = close_off.copy(), np.full(n, 1 << 30), np.full(n, 1 << 30)
        quarter = np.searchsorted([day(dt.date(y - 1, 7, 1)), day(dt.date(y - 1, 10, 1)), day(dt.date(y, 1, 1))],
                                  ref, side="right")
        want = {True: max(round(_value(r, "rereferral_pct", 22.0) / 100 * counts[y]) - int((in_year & f_reref).sum()), 0),
                False: round(0.25 * counts[y])}
        carry = {True: 0, False: 0}
        bounds = [s, day(dt.date(y - 1, 7, 1)), day(dt.date(y - 1, 10, 1)), day(dt.date(y, 1, 1)), e + 1]
        first_workday = int(workday_add(s, 0))
        for q in range(4):
            idx = rng.permutation(np.nonzero(quarter == q)[0])
            used = 0
            taken = np.zeros(0, dtype=np.int64)
            for recent in (True, False):
                k = min(len(idx) - used, round(want[recent] * len(idx) / n) + carry[recent])
                kids, days = pool.choose(bounds[q], bounds[q + 1], k, recent, taken, rng)
                j = idx[used:used + len(kids)]
                child[j], ref[j] = kids, days
                carry[recent] = k - len(kids)
                used += len(kids)
                taken = np.r_[taken, kids]
            fresh = idx[used:]
            child[fresh] = pool.add(_new_dob(ref[fresh], rng))
            # No further action referrals never fall before the year's first working day (8569Q).
            ref[idx] = np.where((t["course"][idx] == 0) & (ref[idx] < first_workday), first_workday, ref[idx])
            # Where each episode really ends, now that its day is known (the next referral waits for it).
            sub = {k: v[idx] for k, v in t.items()}
            bq = _base_dates(ref[idx], sub)
            dq = _close(ref[idx], bq, sub, 1.0, 1.0)
            close[idx] = np.minimum(dq["close"], pool.e18[child[idx]] - 1)
            cq = np.isin(sub["course"], [5, 6])
            cpp_start[idx] = np.where(cq, bq["icpc"], 1 << 30)
            cpp_end[idx] = np.where(cq, np.minimum(dq["cpp_end"], close[idx]), 1 << 30)
            pool.long_term[child[idx]] |= sub["course"] == 4
            pool.last_ref[child[idx]], pool.last_close[child[idx]] = ref[idx], close[idx]
        done.append((ref, close, cpp_start, cpp_end))
        expected = (int((is_cpp & (b["icpc"] + np.maximum(np.round(t["cpp_base"]), 2) > e)).sum()),
                    int((close_off + ref_first > e).sum()))
        got = (int(((cpp_start <= e) & (cpp_end > e)).sum()), int((close > e).sum()))
        adjust = [float(np.clip(0.5 * a + 0.5 * (x + 5) / (g_ + 5), 0.8, 1.25))
                  for a, x, g_ in zip(adjust, expected, got, strict=True)]
        out.append({**t, "ref": ref, "child": child})
    if not out:
        return {}, pool
    return {k: np.concatenate([o[k] for o in out]) for k in out[0]}, pool


def _upn(unit: str, serial: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """UPNs of children not looked after. The LA digits are the school's LA when the child started
    school (a successor's predecessor); establishments 5000+ (one block per sibling successor) never
    clash with the 903 children's."""
    la = PREDECESSORS[unit][0][0] if unit in PREDECESSORS else unit
    school = 5000 + 1000 * (int(unit) % 4) + (serial // 1000) % 1000
    entry = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1975) % 100
    digits = np.char.add(np.char.add(np.char.add(la, school.astype(str)), np.char.zfill(entry.astype(str), 2)),
                         np.char.zfill((serial % 1000).astype(str), 3))
    values = digits.astype("S12").view(np.uint8).reshape(-1, 12).astype(np.int64) - 48
    return np.char.add(_UPN_LETTERS[(values * np.arange(2, 14)).sum(axis=1) % 23], digits)


def _disabilities(child: np.ndarray, disabled: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """NONE, or one to four distinct codes drawn by prevalence."""
    codes, w = np.array(_DISABILITY[0]), np.array(_DISABILITY[1], dtype=float)
    how_many = np.where(disabled, rng.choice([1, 2, 3, 4], len(child), p=[0.45, 0.3, 0.17, 0.08]), 0)
    keys = np.log(w) + rng.gumbel(size=(len(child), len(codes)))
    ranked = np.argsort(-keys, axis=1, kind="stable")
    pick = np.arange(len(codes))[None, :] < how_many[:, None]
    rows = np.nonzero(pick)
    none = how_many == 0
    return pl.DataFrame({"child": np.r_[child[rows[0]], child[none]],
                         "code": np.r_[codes[ranked[rows]], np.full(int(none.sum()), "NONE")]}).sort(
        "child", maintain_order=True)


def simulate_cin(unit: str, targets: pl.DataFrame, history: History, scale: float, seed: int) -> CinHistory:
    """One simulated LA's children in need over the simulated years (``targets``: one row per year)."""
    rng = np.random.default_rng([seed, int(unit), 51])
    years = targets["year"].to_list()
    rows = {r["year"]: r for r in targets.iter_rows(named=True)}
    first_written = years[0] + _SIM_YEARS_BEFORE if len(years) > _SIM_YEARS_BEFORE else years[0]
    start_year = max(years[0], min(first_written, years[-1]) - _BURN_IN)
    within45 = float(np.nanmean([_value(rows[y], "assessments_45_pct", 84.0) for y in years])) / 100
    forced = _forced_episodes(history, rng, within45)
    only, pool = _cin_only(history, rows, [y for y in years if y >= start_year], forced, unit, scale, rng)
    n903, nf = len(history.children.dob), len(forced["ref"])
    no = len(only.get("ref", []))
    # --- children ---------------------------------------------------------------------------
    kids903 = np.unique(history.periods.child)
    serial = np.arange(1, pool.n + 1)
    dob_only = pool.dob[:pool.n]
    died = forced["died"]
    death = np.full(n903 + pool.n, -1, dtype=np.int64)
    death[forced["child"][died]] = forced["close"][died]
    cin_kids = np.arange(pool.n)
    children = pl.DataFrame({
        "child": np.r_[kids903, n903 + cin_kids],
        "LAchildID": np.r_[history.identity.child_id[kids903], np.char.add(unit, np.char.zfill(serial.astype(str), 7))],
        "dob": np.r_[history.children.dob[kids903], dob_only],
        "sex": np.r_[history.children.sex[kids903], (rng.random(pool.n) < 0.47).astype(np.int64)],
        "ethnic": np.r_[history.identity.ethnic[kids903], _pick(_ETHNIC, pool.n, rng)],
        "upn": np.r_[history.identity.upn[kids903], _upn(unit, serial, dob_only)],
        "upn_reason": np.r_[np.full(len(kids903), ""), np.where(rng.random(pool.n) < 0.03, _pick(
            (["UN2", "UN3", "UN4", "UN5"], [2, 3, 4, 1]), pool.n, rng), "")],
        "uasc": np.r_[history.children.uasc[kids903], np.zeros(pool.n, dtype=bool)],
    }).with_columns(death=pl.Series(np.r_[death[kids903], death[n903:]]))
    disabled = np.r_[rng.random(len(kids903)) < 0.1, (rng.random(pool.n) < 0.09) | pool.long_term[:pool.n]]
    disabilities = _disabilities(children["child"].to_numpy(), disabled, rng)
    # --- episodes: forced first, then the others ----------------------------------------------
    ep_f, ep_o = np.arange(nf), nf + np.arange(no)
    o_child = n903 + only.get("child", np.zeros(0, np.int64))
    o_ref = only.get("ref", np.zeros(0, np.int64))
    t = only
    b = _base_dates(o_ref, t) if no else {}
    d = _close(o_ref, b, t, 1.0, 1.0) if no else {}
    o_e18 = add_years_days(np.r_[history.children.dob, dob_only][o_child], 18)
    o_close = np.minimum(d["close"], o_e18 - 1) if no else np.zeros(0, np.int64)
    clipped = (d["close"] > o_close) if no else np.zeros(0, bool)
    course = t.get("course", np.zeros(0, np.int64))
    reason = np.where(course == 0, "RC7", np.where(course == 1, np.where(
        (rng.random(no) < 0.45) & (o_close >= day(dt.date(2022, 4, 1))), "RC9", "RC8"),
        _pick((["RC7", "RC5", "RC3", "RC4"], [88, 8, 2.5, 1.5]), no, rng)))
    reason = np.where(clipped, np.where(rng.random(no) < 0.3, "RC6", "RC7"), reason)
    need = np.where(course == 1, np.where(rng.random(no) < 0.35, "N9", _pick(_NEED, no, rng)),
                    np.where((course == 4) & (rng.random(no) < 0.7), "N2", _pick(_NEED, no, rng)))
    source_all = _pick(_SOURCE, nf + no, rng)
    ref_all = np.r_[forced["ref"], o_ref]
    source_all = np.where((source_all == "5D") & (ref_all < day(dt.date(2022, 4, 1))), "5B", source_all)
    episodes = pl.DataFrame({
        "ep": np.r_[ep_f, ep_o], "child": np.r_[forced["child"], o_child], "ref": ref_all,
        "close": np.r_[forced["close"], o_close], "source": source_all,
        "need": pl.Series(np.r_[forced["need"].astype(str), need], dtype=pl.String),
        "nfa": np.r_[np.zeros(nf, bool), course == 0], "reason": np.r_[forced["reason"].astype(str), reason],
    }).with_columns(need=pl.when(pl.col("nfa")).then(None).otherwise(pl.col("need"))).sort(
        "child", "ref", maintain_order=True)
    episodes = episodes.with_columns(
        rereferral=(pl.col("ref") - pl.col("ref").shift(1).over("child") <= 365).fill_null(False))
    # --- assessments, enquiries, plans ------------------------------------------------------------
    f_auth = forced["auth"]
    has_a = course != 0
    assessments = pl.DataFrame({
        "ep": np.r_[ep_f, ep_o[has_a]], "start": np.r_[forced["a_start"], b.get("a_start", o_ref)[has_a]],
        "auth": np.r_[f_auth, b.get("auth", o_ref)[has_a]],
        "no_factors": np.r_[np.zeros(nf, bool), t.get("no_factors", has_a)[has_a]]})
    o_s47 = t.get("s47", np.zeros(0, bool))
    s_start = np.r_[forced["s_start"][forced["s47"]], b.get("s_start", o_ref)[o_s47]]
    held = np.r_[forced["icpc"][forced["s47"]] >= 0, t.get("icpc_held", o_s47)[o_s47]]
    section47 = pl.DataFrame({
        "ep": np.r_[ep_f[forced["s47"]], ep_o[o_s47]], "start": s_start, "target": workday_add(s_start, 15),
        "icpc": np.where(held, np.r_[forced["icpc"][forced["s47"]], b.get("icpc", o_ref)[o_s47]], -1),
        "not_required": ~held})
    plan_o = np.isin(course, [3, 4, 6])
    o_plan_end = np.minimum(d.get("plan_end", o_ref), o_close)
    plan_o &= o_plan_end > d.get("plan_start", o_ref)
    pb, pa = forced["plan_before"], forced["plan_after"]
    plans = pl.DataFrame({
        "ep": np.r_[ep_f[pb], ep_f[pa], ep_o[plan_o]],
        "start": np.r_[f_auth[pb], forced["care_end"][pa], d.get("plan_start", o_ref)[plan_o]],
        "end": np.r_[forced["care_start"][pb], forced["close"][pa], o_plan_end[plan_o]]})
    cpp_o = np.isin(course, [5, 6])
    cpps = _protection_plans(
        ep=np.r_[ep_f[forced["cpp"]], ep_o[cpp_o]],
        child=np.r_[forced["child"][forced["cpp"]], o_child[cpp_o]],
        start=np.r_[forced["icpc"][forced["cpp"]], b.get("icpc", o_ref)[cpp_o]],
        end=np.r_[forced["care_start"][forced["cpp"]], np.minimum(d.get("cpp_end", o_ref), o_close)[cpp_o]], rng=rng)
    return CinHistory(unit=unit, seed=(seed, int(unit)), children=children, disabilities=disabilities,
                      episodes=episodes, assessments=assessments, section47=section47, plans=plans,
                      cpps=cpps, reviews=_reviews(cpps))


def _protection_plans(ep: np.ndarray, child: np.ndarray, start: np.ndarray, end: np.ndarray,
                      rng: np.random.Generator) -> pl.DataFrame:
    """Categories of abuse and the number of previous plans (earlier plans here, or elsewhere)."""
    n = len(ep)
    initial = _pick(_CATS, n, rng)
    latest = np.where(rng.random(n) < 0.88, initial, _pick(_CATS, n, rng))
    elsewhere = np.where(rng.random(n) < 0.15, rng.choice([1, 1, 1, 2, 2, 3], n), 0)
    frame = pl.DataFrame({"ep": ep, "child": child, "start": start, "end": end, "initial": initial,
                          "latest": latest, "elsewhere": elsewhere}).sort("child", "start", maintain_order=True)
    return frame.with_columns(
        previous=pl.int_range(pl.len()).over("child") + pl.col("elsewhere").first().over("child"),
        cpp=pl.int_range(pl.len())).drop("elsewhere", "child")


def _reviews(cpps: pl.DataFrame) -> pl.DataFrame:
    """A review three months after the conference, then every six months, while the plan lasts."""
    start, end = cpps["start"].to_numpy(), cpps["end"].to_numpy()
    count = np.maximum(0, (end - start - 91 + 181) // 182)
    which = np.repeat(np.arange(len(start)), count)
    nth = np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
    dates = workday_add(start[which] + 91 + 182 * nth, 0)
    keep = (dates < end[which]) & (dates > start[which])
    return pl.DataFrame({"cpp": cpps["cpp"].to_numpy()[which[keep]], "date": dates[keep]})
