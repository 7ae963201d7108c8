"""Children in need: one LA's CIN history, simulated beside (and consistent with) its 903 history.

Every child looked after gets an episode of need around each spell of care: referred a little
before care starts (often with an assessment, a section 47 enquiry and a protection plan that ends
when care begins), open while looked after, closed when care ends with the reason that fits how it
ended (spells under six months apart share one episode). Other children in need are simulated a
quarter at a time: each year's referrals follow the published count; the published share of
re-referrals goes to children referred in the previous 12 months whose episode has closed, a
quarter to children known from longer ago, the rest to new children. Each referral's course (no
further action, closed after assessment, child in need plan, enquiry, conference, protection plan)
is drawn first; plan lengths are then scaled per year by bisection so that children in need and
protection plans at 31 March match the published counts. Dates are day numbers until
:mod:`carestat.synth.cin_tables` cuts a year; ``y0``/``y1`` say which censuses show each record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import polars as pl

from carestat.synth.cin_tables import CinHistory, collection_year, not_overdue, workday_add
from carestat.synth.history import History
from carestat.synth.population import add_years_days, day, year_end
from carestat.synth.targets import PREDECESSORS

_BURN_IN = 4  # years of other children's history simulated before the first year written
_SIM_YEARS_BEFORE = 19  # run.py simulates 903 histories this far before the first year written
_NOT_YET = 1 << 30  # day number of an event that never happens
Options = tuple[list[str], list[float]]
_CATS: Options = (["NEG", "EMO", "PHY", "SAB", "MUL"], [50, 37, 7, 4, 2])
_NEED: Options = (["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"], [0, 57, 5, 4, 9, 18, 3, 0.5, 1.5, 0])
_SOURCE: Options = (["6", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "5A", "5B", "5C", "5D", "1A", "1B", "1C",
                     "1D", "4", "7", "8", "9", "10"],
                    [29, 19, 1.5, 2, 2.5, 1, 3.5, 3, 2.5, 3, 6, 1, 3, 5, 0.8, 0.8, 0.7, 2.5, 2, 6, 0.5, 1.2])
_REASONS = ["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"]
_DISABILITY: Options = (["LD", "AUT", "BEH", "COMM", "PC", "MOB", "HAND", "CON", "INC", "VIS", "HEAR", "DDA"],
                        [30, 28, 22, 18, 8, 8, 3, 4, 5, 3, 4, 12])
_ETHNIC: Options = (["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
                     "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"],
                    [64, 0.5, 5, 0.2, 0.6, 3.2, 1.2, 1.4, 3.6, 1, 2.4, 1, 1.5, 1.6, 3.8, 1.2, 0.2, 3, 0.4, 3.2])
# How care ended -> why the episode of need closed (RC7, services ceased, otherwise).
_RC_BY_REC = {"E11": 1, "E12": 1, "E2": 2, "E41": 3, "E3": 5, "E7": 6, **{f"E4{k}": 4 for k in "345678"}}
_AGE_WEIGHTS = np.array([8, 5, 5, 4.5, 4.5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 6.5, 6.5, 6, 5, 1.5])


def _draw(options: Options, n: int, rng: np.random.Generator) -> np.ndarray:
    w = np.array(options[1], dtype=float)
    return rng.choice(len(w), n, p=w / w.sum())


def _codes(options: Options | list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(options[0] if isinstance(options, tuple) else options).gather(idx)


def _value(row: dict, name: str, default: float) -> float:
    v = row.get(name)
    return default if v is None or not np.isfinite(v) else float(v)


def _assessment_days(n: int, within45: float, rng: np.random.Generator) -> np.ndarray:
    """Working days from start to authorisation: ``within45`` of them at most 45 (median ~30)."""
    quick, slow = 1 + np.floor(44 * rng.beta(2.4, 1.5, n)), 46 + np.minimum(np.floor(rng.gamma(1.3, 18, n)), 120)
    return np.where(rng.random(n) < within45, quick, slow).astype(np.int64)


def _assessment(ref: np.ndarray, lag: np.ndarray, days: np.ndarray, s47: np.ndarray, s_start: np.ndarray,
                anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assessment start and authorisation. Every census showing an enquiry (from its start to its
    conference, the ``anchor``) also shows the episode's assessment (DfE query 2991Q)."""
    start = workday_add(ref, lag)
    start = np.where(s47 & (collection_year(start) > collection_year(s_start)), s_start, start)
    auth = not_overdue(start, workday_add(start, days), 45)
    return start, np.where(s47 & (collection_year(auth) < collection_year(anchor)), workday_add(anchor, 0), auth)


def _forced_episodes(h: History, rng: np.random.Generator, within45: float) -> dict[str, np.ndarray]:
    """One episode per spell of care (spells under six months apart share one), with its intake."""
    p = h.periods
    order = np.lexsort((p.start, p.child))
    child, start, end, rec, n = p.child[order], p.start[order], p.end[order], h.rec[order].astype(str), len(order)
    emergency = rng.random(n) < 0.35
    ref = np.minimum(np.maximum(start - np.where(emergency, rng.integers(0, 4, n), rng.integers(14, 300, n)),
                                h.children.dob[child] - 200), start)
    s47, s_start = rng.random(n) < 0.5, np.minimum(ref + rng.integers(0, 3, n), start)
    icpc = workday_add(s_start, rng.integers(5, 16, n))
    held = s47 & ~emergency & (rng.random(n) < 0.6) & (icpc < start - 1)
    a_start, auth = _assessment(ref, rng.integers(0, 4, n), _assessment_days(n, within45, rng), s47, s_start,
                                np.where(held, icpc, s_start))
    home = np.isin(rec, ["E4A", "E4B", "E13"])
    tail = np.where(home, rng.integers(20, 270, n),
                    np.where(np.isin(rec, ["E8", "E9", "E14", "E15", "E16"]), rng.integers(0, 30, n), 0))
    close = np.maximum(np.minimum(end + tail, np.maximum(add_years_days(h.children.dob[child], 18) - 1, end)), auth)
    # A new episode only when a spell starts six months or more after the last and after its closure.
    new = np.r_[True, child[1:] != child[:-1]] | ((start - np.r_[-1, end[:-1]] >= 180) & (ref > np.r_[-1, close[:-1]] + 1))
    first, last = np.nonzero(new)[0], np.nonzero(np.r_[new[1:], True])[0]
    uniq, inverse = np.unique(rec[last], return_inverse=True)
    return {"child": child[first], "ref": ref[first], "close": np.maximum.reduceat(close, first) if n else close,
            "need": h.careers.cin[order][first], "died": rec[last] == "E2",
            "reason": np.array([_RC_BY_REC.get(r, 7) for r in uniq], dtype=np.int64)[inverse] if n else rec,
            "a_start": a_start[first], "auth": auth[first], "s47": s47[first], "s_start": s_start[first],
            "icpc": np.where(held, icpc, -1)[first], "cpp": (held & (rng.random(n) < 0.9))[first],
            "care_start": start[first], "care_end": end[last],
            "plan_before": (~s47 & ~emergency & (auth < start - 7) & (rng.random(n) < 0.5))[first],
            "plan_after": (home & (close - end >= 14) & (rng.random(n) < 0.5))[last]}


# --- children in need not looked after ----------------------------------------------------------
# Courses: 0 no further action, 1 closed after assessment (RC8/RC9), 2 closed after an enquiry,
# 3 child in need plan, 4 long-term plan (disabled children), 5 protection plan, 6 plan then step-down.
def _exactly(mask: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``share`` of the ``mask`` entries, chosen at random (exact counts keep the calibration tight)."""
    idx, out = np.nonzero(mask)[0], np.zeros(len(mask), dtype=bool)
    out[rng.choice(idx, round(min(max(share, 0.0), 1.0) * len(idx)), replace=False)] = True
    return out


def _draw_courses(n: int, p: dict[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    u, nfa = rng.random(n), _exactly(np.ones(n, dtype=bool), 0.063, rng)
    s47 = _exactly(~nfa, p["s47"], rng)
    icpc = _exactly(s47, p["icpc"], rng)
    cpp = _exactly(icpc, 0.86, rng)
    course = np.select([nfa, cpp, s47, u < 0.42, u < 0.9], [0, np.where(u < 0.55, 6, 5), np.where(u < 0.6, 3, 2), 1, 3], 4)
    return {"course": course, "s47": s47, "icpc_held": icpc, "lag": rng.integers(0, 4, n),
            "adays": _assessment_days(n, p["within45"], rng), "s_lag": rng.integers(0, 3, n),
            "icpc_wd": np.where(rng.random(n) < 0.8, rng.integers(5, 16, n), rng.integers(16, 36, n)),
            "cpp_base": np.where(rng.random(n) < 0.12, rng.integers(20, 90, n), np.exp(rng.normal(np.log(300), 0.5, n))),
            "plan_base": np.exp(rng.normal(np.log(150), 0.8, n)), "long_base": np.exp(rng.normal(np.log(1000), 0.7, n)),
            "plan_lag": rng.integers(0, 8, n), "extra": rng.integers(0, 15, n), "no_factors": (course == 1) & (u < 0.17)}


def _base_dates(ref: np.ndarray, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    s_start = ref + t["s_lag"]
    icpc = not_overdue(s_start, workday_add(s_start, t["icpc_wd"]), 15)
    a_start, auth = _assessment(ref, t["lag"], t["adays"], t["s47"], s_start, np.where(t["icpc_held"], icpc, s_start))
    after = np.maximum(auth, np.where(t["icpc_held"], icpc, 0))  # services start after both
    return {"a_start": a_start, "auth": auth, "s_start": s_start, "icpc": icpc, "after": after}


def _close(ref: np.ndarray, b: dict[str, np.ndarray], t: dict[str, np.ndarray], f: float, g: float) -> dict[str, np.ndarray]:
    """Closure, plan and protection plan dates for plan lengths scaled by ``f`` and ``g``."""
    c, after = t["course"], b["after"]
    cpp_end = b["icpc"] + np.maximum(np.round(t["cpp_base"] * g), 2).astype(np.int64)
    plan_start = np.where(c == 6, cpp_end, after + t["plan_lag"])
    plan_end = plan_start + np.maximum(np.round(np.where(c == 4, t["long_base"], t["plan_base"]) * f), 14).astype(np.int64)
    close = np.select([c == 0, c == 1, c == 2, c == 5],
                      [ref, b["auth"], after + t["extra"], np.maximum(cpp_end, after) + t["extra"]],
                      np.maximum(plan_end, after) + t["extra"])
    return {"close": close, "cpp_end": cpp_end, "plan_start": plan_start, "plan_end": plan_end}


def _bisect(count: Callable[[float], int], target: float) -> float:
    lo, hi = np.log(0.05), np.log(20.0)
    for _ in range(18):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if count(np.exp(mid)) < target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def _calibrated(ref: np.ndarray, t: dict[str, np.ndarray], e: int, need_cpp: float,
                need_cin: float) -> tuple[dict[str, np.ndarray], tuple[int, int]]:
    """Scale the year's protection plan (then plan) lengths so that ``need_cpp`` plans and ``need_cin``
    episodes are open on 31 March ``e``; the resulting dates and the counts they give."""
    b = _base_dates(ref, t)
    is_cpp = np.isin(t["course"], [5, 6]) & (b["icpc"] <= e)

    def open_cpp(g: float) -> int:
        return int((is_cpp & (b["icpc"] + np.maximum(np.round(t["cpp_base"] * g), 2) > e)).sum())

    g = _bisect(open_cpp, need_cpp)
    plan = np.isin(t["course"], [3, 4, 6])  # only plans' lengths move with f
    fixed = int((_close(ref, b, t, 1.0, g)["close"][~plan] > e).sum())
    tp, bp = ({k: v[plan] for k, v in x.items()} for x in (t, b))
    f = _bisect(lambda f: fixed + int((_close(ref[plan], bp, tp, f, g)["close"] > e).sum()), need_cin)
    t["cpp_base"], t["plan_base"], t["long_base"] = t["cpp_base"] * g, t["plan_base"] * f, t["long_base"] * f
    d = {**b, **_close(ref, b, t, 1.0, 1.0)}
    return d, (open_cpp(1.0), int((d["close"] > e).sum()))


class _Pool:
    """Children in need not looked after, and when each was last referred and last closed."""

    def __init__(self, cap: int) -> None:
        self.n, self.last_ref = 0, np.full(cap, -_NOT_YET, dtype=np.int64)
        self.last_close, self.dob, self.e18 = self.last_ref.copy(), np.zeros(cap, np.int64), np.zeros(cap, np.int64)
        self.long_term = np.zeros(cap, dtype=bool)

    def add(self, ref: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """New children referred on ``ref``: ages as referrals' (2.5% before birth, none past 17.2)."""
        n = len(ref)
        age = rng.choice(18, n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum())
        dob = ref - age * 365 - age // 4 - np.where(age == 17, rng.integers(0, 60, n), rng.integers(0, 365, n))
        idx = np.arange(self.n, self.n + n)
        self.dob[idx] = np.where(rng.random(n) < 0.025, ref + rng.integers(14, 200, n), dob)
        self.e18[idx], self.n = add_years_days(self.dob[idx], 18), self.n + n
        return idx

    def choose(self, t0: int, t1: int, k: int, recent: bool, taken: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``k`` children who may be referred in [t0, t1): referred in the last 12 months (``recent``)
        or earlier, episode closed, under 17 and a bit; and a referral day for each."""
        lr, lc, limit = self.last_ref[:self.n], self.last_close[:self.n], self.e18[:self.n] - 300
        if recent:
            a, b = np.maximum(lc + 1, t0), np.minimum(np.minimum(lr + 365, t1 - 1), limit)
        else:
            a, b = np.maximum(np.maximum(lc + 1, lr + 366), t0), np.minimum(t1 - 1, limit)
        ok = a <= b
        ok[taken] = False
        cand = np.nonzero(ok)[0]
        if k <= 0 or not len(cand):
            return cand[:0], cand[:0]
        # Recently closed cases come back more often: Gumbel top-k on a recency weight.
        key = (-(t0 - lc[cand]) / (365.0 if recent else 900.0)) + rng.gumbel(size=len(cand))
        chosen = cand[np.argpartition(-key, k - 1)[:k]] if k < len(cand) else cand
        return chosen, a[chosen] + (rng.random(len(chosen)) * (b[chosen] - a[chosen] + 1)).astype(np.int64)

    def assign(self, idx: np.ndarray, ref: np.ndarray, child: np.ndarray, t: dict[str, np.ndarray],
               d: dict[str, np.ndarray], span: tuple[int, int, int], want: dict[bool, int],
               rng: np.random.Generator) -> dict[bool, int]:
        """Give a quarter's referrals (``idx``) their children - re-referrals, children known from
        longer ago, new children - and days in the children's windows. Returns the shortfalls."""
        t0, t1, first_workday = span
        before, used, taken, short = ref[idx], 0, np.zeros(0, dtype=np.int64), {}
        for recent in (True, False):
            kids, days = self.choose(t0, t1, min(len(idx) - used, want[recent]), recent, taken, rng)
            child[idx[used:used + len(kids)]], ref[idx[used:used + len(kids)]] = kids, days
            short[recent], used, taken = want[recent] - len(kids), used + len(kids), np.r_[taken, kids]
        child[idx[used:]] = self.add(ref[idx[used:]], rng)
        # No further action referrals never fall before the year's first working day (8569Q).
        ref[idx] = np.where((t["course"][idx] == 0) & (ref[idx] < first_workday), first_workday, ref[idx])
        moved = idx[ref[idx] != before]  # where those episodes really end: the next referral waits
        sub = {k: v[moved] for k, v in t.items()}
        bq = _base_dates(ref[moved], sub)
        for k, v in {**bq, **_close(ref[moved], bq, sub, 1.0, 1.0)}.items():
            d[k][moved] = v
        d["close"][idx] = np.minimum(d["close"][idx], self.e18[child[idx]] - 1)
        self.long_term[child[idx]] |= t["course"][idx] == 4
        self.last_ref[child[idx]], self.last_close[child[idx]] = ref[idx], d["close"][idx]
        return short


def _cin_only(rows: dict[int, dict], years: list[int], fo: dict[str, np.ndarray], unit: str, scale: float,
              rng: np.random.Generator) -> tuple[dict[str, np.ndarray], _Pool]:
    """Referrals of children not looked after, year by year, calibrated to the year's targets."""
    from carestat.refdata import child_population, population_for, resolve_la

    known = dict(child_population().filter(pl.col("old_la_code") == unit).select("year", "population").iter_rows())
    pops = {y: float(known[min(known, key=lambda k: (abs(k - y), k))]) if known else population_for(
        resolve_la(unit), y) or 0.0 for y in years}  # children 0-17, nearest published year
    f_cpp = np.where(fo["cpp"], fo["icpc"], _NOT_YET)
    f_reref = np.r_[False, (fo["child"][1:] == fo["child"][:-1]) & (np.diff(fo["ref"]) <= 365)]
    counts = {y: round(max(_value(rows[y], "referrals", 7.6 * _value(rows[y], "stock", 0.0)), 0.0) * scale) for y in years}
    pool = _Pool(sum(counts.values()) + 1)
    done: list[tuple[np.ndarray, ...]] = [(fo["ref"], fo["close"], f_cpp, fo["care_start"])]  # ref, close, plan dates
    out: list[dict[str, np.ndarray]] = []
    adjust = [1.0, 1.0]  # protection plans, children in need: last year's shortfall after choosing children
    for y in years:
        s, e, r = day(dt.date(y - 1, 4, 1)), year_end(y), rows[y]
        in_year = (fo["ref"] >= s) & (fo["ref"] <= e)
        n = max(counts[y] - int(in_year.sum()), 0)
        if n == 0:
            continue
        ref = np.minimum(workday_add(s + rng.integers(0, e - s + 1, n), 0), e)
        s47_need = (_value(r, "s47_rate", 0.0) * pops[y] / 1e4 * scale or 0.33 * counts[y]) - int(
            (fo["s47"] & (fo["s_start"] >= s) & (fo["s_start"] <= e)).sum())
        cin_target = _value(r, "cin_31mar", 0.65 * counts[y] / scale) * scale
        cpp_need = _value(r, "cpp_starts", 0.11 * counts[y] / scale) * scale - int(((f_cpp >= s) & (f_cpp <= e)).sum())
        p_s47 = float(np.clip(s47_need / (0.937 * n), 0, 0.9))
        t = _draw_courses(n, {"s47": p_s47, "icpc": float(np.clip(cpp_need / (0.806 * n * p_s47 + 1e-9), 0, 0.95)),
                              "within45": _value(r, "assessments_45_pct", 84.0) / 100}, rng)
        # What this year's referrals must add at 31 March, corrected by last year's shortfall once the
        # children were chosen (ends at 18, days of re-referrals).
        prior = [np.concatenate(c) for c in zip(*done, strict=True)]
        cpp_open, cin_open = (int(((prior[i] <= e) & (prior[i + 1] > e)).sum()) for i in (2, 0))
        d, expected = _calibrated(ref, t, e, (_value(r, "cpp_31mar", 0.125 * cin_target / scale) * scale - cpp_open)
                                  * adjust[0], (cin_target - cin_open) * adjust[1])
        child = np.full(n, -1, dtype=np.int64)
        bounds = [s, day(dt.date(y - 1, 7, 1)), day(dt.date(y - 1, 10, 1)), day(dt.date(y, 1, 1)), e + 1]
        quarter = np.searchsorted(bounds[1:4], ref, side="right")
        quota = {True: max(round(_value(r, "rereferral_pct", 22.0) / 100 * counts[y]) - int((in_year & f_reref).sum()), 0),
                 False: round(0.25 * counts[y])}
        short = {True: 0, False: 0}
        for q in range(4):
            idx = rng.permutation(np.nonzero(quarter == q)[0])
            want = {k: round(quota[k] * len(idx) / n) + short[k] for k in quota}
            short = pool.assign(idx, ref, child, t, d, (bounds[q], bounds[q + 1], int(workday_add(s, 0))), want, rng)
        is_cpp = np.isin(t["course"], [5, 6])
        cpp = (np.where(is_cpp, d["icpc"], _NOT_YET), np.where(is_cpp, np.minimum(d["cpp_end"], d["close"]), _NOT_YET))
        done.append((ref, d["close"], *cpp))
        got = (int(((cpp[0] <= e) & (cpp[1] > e)).sum()), int((d["close"] > e).sum()))
        adjust = [float(np.clip(0.5 * a + 0.5 * (x + 5) / (n_ + 5), 0.8, 1.25)) for a, x, n_ in zip(adjust, expected, got, strict=True)]
        out.append({**t, **d, "ref": ref, "child": child})
    return ({k: np.concatenate([o[k] for o in out]) for k in out[0]} if out else {}), pool


def _identity(unit: str, n: int) -> tuple[pl.Series, pl.Series]:
    """LAchildIDs (unit + 7 digits: never a 903 id, which has 6) and UPNs of children not looked after.
    A UPN's LA digits are the LA where the child started school (a successor's predecessor); its
    establishments 5000+ (a block per sibling successor) never clash with the 903 children's."""
    serial = np.arange(1, n + 1, dtype=np.int64)
    la = int(PREDECESSORS[unit][0][0] if unit in PREDECESSORS else unit)
    school = 5000 + 1000 * (int(unit) % 4) + (serial // 1000) % 1000

    def weighted(values: np.ndarray, weights: range) -> np.ndarray:  # digits (most significant first) x weights
        return ((values[:, None] // 10 ** np.arange(len(weights) - 1, -1, -1)) % 10 * np.array(weights)).sum(axis=1)

    # DfE check letter: characters 2-13 weighted 2..13, mod 23 (LA, establishment, year 00, serial).
    check = (weighted(np.array([la]), range(2, 5))[0] + weighted(np.arange(10000), range(5, 9))[school]
             + weighted(np.arange(1000), range(11, 14))[serial % 1000]) % 23
    return (unit + pl.Series(serial).cast(pl.String).str.zfill(7),
            _codes(list("ABCDEFGHJKLMNPQRTUVWXYZ"), check) + pl.Series(la * 10**9 + school * 10**5 + serial % 1000).cast(pl.String))


def _disabilities(child: np.ndarray, disabled: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """NONE, or one to four distinct codes drawn by prevalence."""
    w, idx = np.array(_DISABILITY[1], dtype=float), np.nonzero(disabled)[0]
    how_many = rng.choice([1, 2, 3, 4], len(idx), p=[0.45, 0.3, 0.17, 0.08])
    ranked = np.argsort(-(np.log(w) + rng.gumbel(size=(len(idx), len(w)))), axis=1, kind="stable")
    rows, col = np.nonzero(np.arange(len(w))[None, :] < how_many[:, None])
    who = np.r_[child[idx[rows]], child[~disabled]]
    codes = np.r_[ranked[rows, col], np.full(int((~disabled).sum()), len(w))]
    order = np.argsort(who, kind="stable")
    return pl.DataFrame({"child": who[order], "code": pl.Series([*_DISABILITY[0], "NONE"]).gather(codes[order])})


def _records(**cols: np.ndarray | pl.Series) -> pl.DataFrame:
    """A frame of records with ``y0``/``y1``: the censuses from its ``start`` to its ``end`` (or ``last``)."""
    frame = pl.DataFrame(cols)
    last = cols["last"] if "last" in cols else cols["end"]
    return frame.with_columns(y0=pl.Series(collection_year(np.asarray(cols["start"]))),
                              y1=pl.Series(collection_year(np.asarray(last)))).drop("last", strict=False)


def simulate_cin(unit: str, targets: pl.DataFrame, history: History, scale: float, seed: int) -> CinHistory:
    """One simulated LA's children in need over the simulated years (``targets``: one row per year)."""
    rng = np.random.default_rng([seed, int(unit), 51])
    years = targets["year"].to_list()
    rows = {r["year"]: r for r in targets.iter_rows(named=True)}
    first_written = years[0] + _SIM_YEARS_BEFORE if len(years) > _SIM_YEARS_BEFORE else years[0]
    start_year = max(years[0], min(first_written, years[-1]) - _BURN_IN)
    fo = _forced_episodes(history, rng, float(np.mean([_value(rows[y], "assessments_45_pct", 84.0) for y in years])) / 100)
    t, pool = _cin_only(rows, [y for y in years if y >= start_year], fo, unit, scale, rng)
    n903, nf, no, m = len(history.children.dob), len(fo["ref"]), len(t.get("ref", [])), pool.n
    # --- children: those looked after keep their 903 identity ---------------------------------------
    kids = np.unique(history.periods.child)
    death = np.full(n903, -1, dtype=np.int64)
    death[fo["child"][fo["died"]]] = fo["close"][fo["died"]]
    ids, upns = _identity(unit, m)
    dob = np.r_[history.children.dob[kids], pool.dob[:m]]
    # First census counting the child as of school age, as the 903 does: fourth birthday by 31 August
    # two years before the census year ends.
    d4 = add_years_days(dob, 4).astype("datetime64[D]")
    month = (d4.astype("datetime64[M]") - d4.astype("datetime64[Y]").astype("datetime64[M]")).astype(int)
    children = pl.DataFrame({
        "child": np.r_[kids, n903 + np.arange(m)], "LAchildID": pl.concat([pl.Series(history.identity.child_id[kids]), ids]),
        "dob": dob, "sex": np.r_[history.children.sex[kids], (rng.random(m) < 0.47).astype(np.int64)],
        "ethnic": pl.concat([pl.Series(history.identity.ethnic[kids]), _codes(_ETHNIC, _draw(_ETHNIC, m, rng))]),
        "upn": pl.concat([pl.Series(history.identity.upn[kids]), upns]),
        "upn_reason": _codes(["", "UN2", "UN3", "UN4", "UN5"], np.r_[np.zeros(len(kids), np.int64), np.where(
            rng.random(m) < 0.03, rng.choice([1, 2, 3, 4], m, p=[0.2, 0.3, 0.4, 0.1]), 0)]),
        "death": np.r_[death[kids], np.full(m, -1)], "uasc": np.r_[history.children.uasc[kids], np.zeros(m, bool)],
        "school_year": d4.astype("datetime64[Y]").astype(int) + 1970 + (month >= 8) + 2})
    disabled = np.r_[rng.random(len(kids)) < 0.1, (rng.random(m) < 0.06) | (pool.long_term[:m] & (rng.random(m) < 0.7))]
    # --- episodes: spells of care first, then the others ----------------------------------------------
    empty = np.zeros(0, np.int64)
    t = {k: t.get(k, empty) for k in ("child", "ref", "course", "a_start", "auth", "s_start", "icpc", "close", "cpp_end",
                                      "plan_start", "plan_end", "s47", "icpc_held", "no_factors")}
    course, o_child, o_close = t["course"], n903 + t["child"], t["close"]
    ep_f, ep_o = np.arange(nf), nf + np.arange(no)
    at18 = o_close == add_years_days(dob[np.searchsorted(children["child"].to_numpy(), o_child)], 18) - 1
    # RC8 no further action after assessment, RC9 early help (from 2022/23); at 18 adult services or ceased.
    reason = np.select([at18, course == 0, course == 1], [
        np.where(rng.random(no) < 0.3, 6, 7), 7, np.where((rng.random(no) < 0.45) & (o_close >= day(dt.date(2022, 4, 1))), 9, 8)],
        np.array([7, 5, 3, 4])[rng.choice(4, no, p=[0.925, 0.06, 0.01, 0.005])])
    need = np.select([course == 1, course == 4], [np.where(rng.random(no) < 0.35, 9, _draw(_NEED, no, rng)),
                                                  np.where(rng.random(no) < 0.7, 2, _draw(_NEED, no, rng))], _draw(_NEED, no, rng))
    ref_all, child_all = np.r_[fo["ref"], t["ref"]], np.r_[fo["child"], o_child]
    source = _draw(_SOURCE, nf + no, rng)
    source = np.where((source == 12) & (ref_all < day(dt.date(2022, 4, 1))), 10, source)  # early help (5D) from 2022/23
    order = np.lexsort((ref_all, child_all))
    episodes = _records(
        ep=np.r_[ep_f, ep_o], child=child_all, ref=ref_all, close=np.r_[fo["close"], o_close], source=_codes(_SOURCE, source),
        need=pl.concat([pl.Series(fo["need"]), _codes(_NEED, need)]), nfa=np.r_[np.zeros(nf, bool), course == 0],
        reason=_codes(_REASONS, np.r_[fo["reason"], reason] - 1), start=ref_all, last=np.r_[fo["close"], o_close],
    ).with_columns(need=pl.when(pl.col("nfa")).then(None).otherwise(pl.col("need"))).drop("start")[order]
    episodes = episodes.with_columns(epi=np.arange(nf + no), rereferral=np.r_[False, (child_all[order][1:] == child_all[order][:-1])
                                                                                 & (np.diff(ref_all[order]) <= 365)])
    # --- assessments, enquiries, plans: each knows its episode's row and child, in document order --------
    row_of = np.empty(nf + no, dtype=np.int64)
    row_of[order] = np.arange(nf + no)

    def owned(frame: pl.DataFrame, by: str = "start") -> pl.DataFrame:
        epi = row_of[frame["ep"].to_numpy()]
        return frame.with_columns(epi=epi, child=child_all[order][epi])[np.lexsort((frame[by].to_numpy(), epi))]

    has_a, s47, fs = course != 0, t["s47"], fo["s47"]
    held = np.r_[fo["icpc"][fs] >= 0, t["icpc_held"][s47]]
    s_start, icpc = np.r_[fo["s_start"][fs], t["s_start"][s47]], np.r_[fo["icpc"][fs], t["icpc"][s47]]
    plan_end = np.minimum(t["plan_end"], o_close)
    plan = np.isin(course, [3, 4, 6]) & (plan_end > t["plan_start"])
    pb, pa, fc, cpp = fo["plan_before"], fo["plan_after"], fo["cpp"], np.isin(course, [5, 6])
    cpps = owned(_protection_plans(np.r_[ep_f[fc], ep_o[cpp]], np.r_[fo["child"][fc], o_child[cpp]], np.r_[fo["icpc"][fc], t["icpc"][cpp]],
                                   np.r_[fo["care_start"][fc], np.minimum(t["cpp_end"], o_close)[cpp]], rng))
    reviews = _reviews(cpps).join(cpps.select("cpp", "epi", "child"), on="cpp", maintain_order="left")
    return CinHistory(
        unit=unit, seed=(seed, int(unit)), last_year=years[-1], children=children,
        disabilities=_disabilities(children["child"].to_numpy(), disabled, rng), episodes=episodes,
        assessments=owned(_records(ep=np.r_[ep_f, ep_o[has_a]], start=np.r_[fo["a_start"], t["a_start"][has_a]],
                                   end=np.r_[fo["auth"], t["auth"][has_a]], no_factors=np.r_[np.zeros(nf, bool), t["no_factors"][has_a]])
                          .rename({"end": "auth"})),
        section47=owned(_records(ep=np.r_[ep_f[fs], ep_o[s47]], start=s_start, target=workday_add(s_start, 15),
                                 icpc=np.where(held, icpc, -1), not_required=~held, last=np.where(held, icpc, s_start))),
        plans=owned(_records(ep=np.r_[ep_f[pb], ep_f[pa], ep_o[plan]], start=np.r_[fo["auth"][pb], fo["care_end"][pa], t["plan_start"][plan]],
                             end=np.r_[fo["care_start"][pb], fo["close"][pa], plan_end[plan]])),
        cpps=cpps, reviews=reviews[np.lexsort((reviews["date"].to_numpy(), reviews["epi"].to_numpy()))])


def _protection_plans(ep: np.ndarray, child: np.ndarray, start: np.ndarray, end: np.ndarray,
                      rng: np.random.Generator) -> pl.DataFrame:
    """Categories of abuse and the number of previous plans (earlier plans here, or elsewhere)."""
    n, order = len(ep), np.lexsort((start, child))
    first = np.r_[True, child[order][1:] != child[order][:-1]]
    at = np.maximum.accumulate(np.where(first, np.arange(n), 0))  # the child's first plan
    elsewhere = np.where(rng.random(n) < 0.14, rng.choice([1, 1, 1, 2, 2, 3], n), 0)
    initial = _draw(_CATS, n, rng)
    latest = np.where(rng.random(n) < 0.88, initial, _draw(_CATS, n, rng))
    return _records(cpp=np.arange(n), ep=ep[order], start=start[order], end=end[order], initial=_codes(_CATS, initial),
                    latest=_codes(_CATS, latest), previous=np.arange(n) - at + elsewhere[at])


def _reviews(cpps: pl.DataFrame) -> pl.DataFrame:
    """A review three months after the conference, then every six months, while the plan lasts."""
    start, end = cpps["start"].to_numpy(), cpps["end"].to_numpy()
    count = np.maximum(0, (end - start - 91 + 181) // 182)
    which = np.repeat(np.arange(len(start)), count)
    dates = workday_add(start[which] + 91 + 182 * (np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)), 0)
    keep = (dates < end[which]) & (dates > start[which])
    return pl.DataFrame({"cpp": cpps["cpp"].to_numpy()[which[keep]], "date": dates[keep], "y0": collection_year(dates[keep])})
