"""Referrals of children in need who are not looked after, simulated a year at a time.

Each year's referrals follow the published count; the published share of re-referrals goes to
children referred in the previous 12 months whose episode has closed, a quarter to children known
from longer ago, the rest to new children. Each referral's course (no further action, closed after
assessment, child in need plan, enquiry, conference, protection plan) is drawn first, with exactly
the published numbers of no further action, enquiries, conferences and plans; plan lengths are
then scaled per year by bisection so that children in need and protection plans at 31 March match
the published counts. Protection plans seldom pass two years, and when the published count falls
earlier plans end sooner. Dates are day numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import polars as pl

from carestat.synth.calendar import (
    add_years_days,
    collection_year,
    day,
    not_overdue,
    workday_add,
    year_end,
)
from carestat.synth.draw import draw_index

NOT_YET = 1 << 30  # day number of an event that never happens

# Assessments by working days from start to authorisation, England 2024/25 (DfE, Characteristics of
# children in need, table C2): the shape within and beyond 45 days; each LA's share within 45 is its own.
_ASSESSMENT_BANDS = {(0, 0): 11680, (1, 10): 75590, (11, 20): 112180, (21, 30): 102260, (31, 40): 131380,
                     (41, 45): 122730, (46, 50): 37640, (51, 60): 27860, (61, 100): 27500}
_ENDED_BEFORE_TWO_YEARS = 0.3  # of protection plans that would otherwise pass two years (DfE: 2.3% at 31 March)
_G_STEP = 3.0  # the most protection plans' lengths may scale from one year to the next
_PRIOR_SHARE = 0.55  # at most this share of 31 March's protection plans started in earlier years
# What a referral's dates are made from, drawn with its course.
_DRAWN = ("course", "s47", "icpc_held", "lag", "adays", "s_lag", "icpc_wd", "cpp_base", "plan_base", "long_base",
          "plan_lag", "extra")
# What each referral's record keeps: its child and course and the dates of what followed.
_KEPT = ("child", "ref", "course", "a_start", "auth", "s_start", "icpc", "close", "cpp_end", "plan_start", "plan_end",
         "s47", "icpc_held", "no_factors")
_AGE_WEIGHTS = np.array([8, 5, 5, 4.5, 4.5, 5, 5, 5, 5, 5, 5.5, 6, 6.5, 6.5, 6.5, 6, 5, 1.5])


def target_value(row: dict, name: str, default: float) -> float:
    """A year's target (``row``: one row of the targets), or ``default`` where none is published."""
    v = row.get(name)
    return default if v is None or not np.isfinite(v) else float(v)


def assessment_days(n: int, within45: float, rng: np.random.Generator) -> np.ndarray:
    """Working days from start to authorisation, in England's bands, ``within45`` of them at most 45."""
    low, high = (np.array([band[i] for band in _ASSESSMENT_BANDS]) for i in (0, 1))
    w = np.array(list(_ASSESSMENT_BANDS.values()), dtype=float)
    quick = high <= 45
    w = np.where(quick, w / w[quick].sum() * within45, w / w[~quick].sum() * (1 - within45))
    band = draw_index(w, n, rng)
    return low[band] + (rng.random(n) * (high[band] - low[band] + 1)).astype(np.int64)


def icpc_days(n: int, within15: float, rng: np.random.Generator) -> np.ndarray:
    """Working days from the start of an enquiry to its conference, ``within15`` of them at most 15."""
    return np.where(rng.random(n) < within15, rng.integers(5, 16, n), rng.integers(16, 36, n))


def assessment_dates(ref: np.ndarray, lag: np.ndarray, days: np.ndarray, s47: np.ndarray, s_start: np.ndarray,
                anchor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assessment start and authorisation. Every census showing an enquiry (from its start to its
    conference, the ``anchor``) also shows the episode's assessment (DfE query 2991Q)."""
    start = workday_add(ref, lag)
    start = np.where(s47 & (collection_year(start) > collection_year(s_start)), s_start, start)
    auth = not_overdue(start, workday_add(start, days), 45)
    return start, np.where(s47 & (collection_year(auth) < collection_year(anchor)), workday_add(anchor, 0), auth)


# --- children in need not looked after ----------------------------------------------------------
# Courses: 0 no further action, 1 closed after assessment (RC8/RC9), 2 closed after an enquiry,
# 3 child in need plan, 4 long-term plan (disabled children), 5 protection plan, 6 plan then step-down.
def _exactly(mask: np.ndarray, k: float, rng: np.random.Generator) -> np.ndarray:
    """``k`` of the ``mask`` entries (all of them at most), chosen at random: exact counts keep the
    calibration tight."""
    idx, out = np.nonzero(mask)[0], np.zeros(len(mask), dtype=bool)
    out[rng.choice(idx, int(np.clip(round(k), 0, len(idx))), replace=False)] = True
    return out


def _draw_courses(ref: np.ndarray, e: int, need: dict[str, float], p: dict[str, float],
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each referral's course, with exactly the ``need``ed numbers of no further action, enquiries,
    conferences and plans, and enough closed after assessment that ``need["not_in_need"]`` show as
    closed by 31 March ``e`` (an assessment still open then is not known to close so)."""
    n = len(ref)
    timing = {"lag": rng.integers(0, 4, n), "adays": assessment_days(n, p["within45"], rng),
              "s_lag": rng.integers(0, 3, n), "icpc_wd": icpc_days(n, p["within15"], rng)}
    no = np.zeros(n, dtype=bool)
    shown = float(np.mean(assessment_dates(ref, timing["lag"], timing["adays"], no, ref, ref)[1] <= e)) if n else 1.0
    u, nfa = rng.random(n), _exactly(~no, need["nfa"], rng)
    s47 = _exactly(~nfa, need["s47"], rng)
    icpc = _exactly(s47, need["icpc"], rng)
    cpp = _exactly(icpc, need["cpp"], rng)
    closed = _exactly(~nfa & ~s47, need["not_in_need"] / max(shown, 0.5), rng)
    course = np.select([nfa, cpp, s47, closed, u < 0.83], [0, np.where(u < 0.55, 6, 5), np.where(u < 0.6, 3, 2), 1, 3], 4)
    return {"course": course, "s47": s47, "icpc_held": icpc, **timing,
            "cpp_base": np.where(rng.random(n) < 0.12, rng.integers(20, 90, n), np.exp(rng.normal(np.log(300), 0.5, n))),
            "plan_base": np.exp(rng.normal(np.log(150), 0.8, n)), "long_base": np.exp(rng.normal(np.log(1000), 0.7, n)),
            "plan_lag": rng.integers(0, 8, n), "extra": rng.integers(0, 15, n), "no_factors": (course == 1) & (u < 0.17)}


def _base_dates(ref: np.ndarray, t: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    s_start = ref + t["s_lag"]
    icpc = not_overdue(s_start, workday_add(s_start, t["icpc_wd"]), 15)
    a_start, auth = assessment_dates(ref, t["lag"], t["adays"], t["s47"], s_start, np.where(t["icpc_held"], icpc, s_start))
    # Services start after the assessment, the enquiry's start and any conference.
    after = np.maximum(np.maximum(auth, np.where(t["s47"], s_start, 0)), np.where(t["icpc_held"], icpc, 0))
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


def _bisect(count: Callable[[float], int], target: float, low: float = 0.05, high: float = 20.0) -> float:
    lo, hi = np.log(low), np.log(high)
    for _ in range(18):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if count(np.exp(mid)) < target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def _calibrated(ref: np.ndarray, t: dict[str, np.ndarray], e: int, need_cpp: float, need_cin: float,
                last_g: float | None) -> tuple[dict[str, np.ndarray], tuple[int, int], float]:
    """Scale the year's protection plan (then plan) lengths so that ``need_cpp`` plans and ``need_cin``
    episodes are open on 31 March ``e``; the resulting dates, the counts and the protection plans' scale.
    Plans' scale moves at most by a factor ``_G_STEP`` from ``last_g`` (the year before): long plans one year would
    leave too many open the next, short plans the next too few, and so on. Without ``last_g`` (the first
    year, with no earlier plans to carry) lengths are left as drawn."""
    b = _base_dates(ref, t)
    # Counts at 31 March for a scale: only the records that can be open then are looked at.
    cpp = np.nonzero(np.isin(t["course"], [5, 6]) & (b["icpc"] <= e))[0]
    icpc = b["icpc"][cpp]

    def open_cpp(g: float, base: np.ndarray = t["cpp_base"][cpp]) -> int:
        return int((icpc + np.maximum(np.round(base * g), 2) > e).sum())

    if last_g is None:
        d = {**b, **_close(ref, b, t, 1.0, 1.0)}
        return d, (open_cpp(1.0), int((d["close"] > e).sum())), 1.0
    g = _bisect(open_cpp, need_cpp, last_g / _G_STEP, last_g * _G_STEP)
    plan = np.isin(t["course"], [3, 4, 6])  # only plans' lengths move with f
    at_g = _close(ref, b, t, 1.0, g)
    # A plan's episode closes after both the plan and the services before it (``after``): those
    # whose services alone run past 31 March are open at any f.
    p = np.nonzero(plan)[0]
    extra, start = t["extra"][p], at_g["plan_start"][p]
    late = b["after"][p] + extra > e
    fixed = int((at_g["close"][~plan] > e).sum()) + int(late.sum())
    base = np.where(t["course"][p] == 4, t["long_base"][p], t["plan_base"][p])[~late]
    start, extra = start[~late], extra[~late]
    f = _bisect(lambda f: fixed + int((start + np.maximum(np.round(base * f), 14).astype(np.int64) + extra > e).sum()),
                need_cin)
    t["cpp_base"], t["plan_base"], t["long_base"] = t["cpp_base"] * g, t["plan_base"] * f, t["long_base"] * f
    d = {**b, **_close(ref, b, t, 1.0, 1.0)}
    return d, (open_cpp(1.0, t["cpp_base"][cpp]), int((d["close"] > e).sum())), g


class Pool:
    """Children in need not looked after, and when each was last referred and last closed."""

    def __init__(self, cap: int) -> None:
        self.n, self.last_ref = 0, np.full(cap, -NOT_YET, dtype=np.int64)
        self.last_close, self.dob, self.e18 = self.last_ref.copy(), np.zeros(cap, np.int64), np.zeros(cap, np.int64)
        self.long_term = np.zeros(cap, dtype=bool)

    def add(self, ref: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """New children referred on ``ref``: ages as referrals' (2.5% before birth, none past 17.2)."""
        n = len(ref)
        age = draw_index(_AGE_WEIGHTS, n, rng)
        dob = ref - age * 365 - age // 4 - np.where(age == 17, rng.integers(0, 60, n), rng.integers(0, 365, n))
        idx = np.arange(self.n, self.n + n)
        self.dob[idx] = np.where(rng.random(n) < 0.025, ref + rng.integers(14, 200, n), dob)
        self.e18[idx], self.n = add_years_days(self.dob[idx], 18), self.n + n
        return idx

    def choose(self, t0: int, t1: int, k: int, recent: bool, taken: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``k`` children who may be referred in [t0, t1): referred in the last 12 months (``recent``)
        or earlier, episode closed, under 17 and a bit; and a referral day for each."""
        n = self.n
        if recent:  # few children were referred in the last year: the work is on them alone
            some = np.nonzero(self.last_ref[:n] >= t0 - 365)[0]
            lr, lc, limit = self.last_ref[some], self.last_close[some], self.e18[some] - 300
            a, b = np.maximum(lc + 1, t0), np.minimum(np.minimum(lr + 365, t1 - 1), limit)
            ok = a <= b
            if len(taken):
                blocked = np.zeros(n, dtype=bool)
                blocked[taken] = True
                ok &= ~blocked[some]
        else:  # most children are not yet too old: the work is on all of them
            some, lr, lc, limit = np.arange(n), self.last_ref[:n], self.last_close[:n], self.e18[:n] - 300
            a, b = np.maximum(np.maximum(lc + 1, lr + 366), t0), np.minimum(t1 - 1, limit)
            ok = (limit >= t0) & (a <= b)
            ok[taken] = False
        cand = np.nonzero(ok)[0]
        if k <= 0 or not len(cand):
            return cand[:0], cand[:0]
        # Recently closed cases come back more often: Gumbel top-k on a recency weight.
        key = (-(t0 - lc[cand]) / (365.0 if recent else 900.0)) + rng.gumbel(size=len(cand))
        pick = cand[np.argpartition(-key, k - 1)[:k]] if k < len(cand) else cand
        return some[pick], a[pick] + (rng.random(len(pick)) * (b[pick] - a[pick] + 1)).astype(np.int64)

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
        sub = {k: t[k][moved] for k in _DRAWN}
        bq = _base_dates(ref[moved], sub)
        for k, v in {**bq, **_close(ref[moved], bq, sub, 1.0, 1.0)}.items():
            d[k][moved] = v
        d["close"][idx] = np.minimum(d["close"][idx], self.e18[child[idx]] - 1)
        self.long_term[child[idx]] |= t["course"][idx] == 4
        self.last_ref[child[idx]], self.last_close[child[idx]] = ref[idx], d["close"][idx]
        return short


def _plan_dates(o: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A year's referrals' protection plans: their rows, starts and ends."""
    rows = o["cpp_rows"]
    return rows, o["icpc"][rows], np.minimum(o["cpp_end"][rows], o["close"][rows])


def _open_on(e: int, *spans: tuple[np.ndarray, np.ndarray]) -> int:
    """How many of the (start, end) spans are open on day ``e``."""
    return sum(int(((start <= e) & (end > e)).sum()) for start, end in spans)


def _end_on(o: dict[str, np.ndarray], idx: np.ndarray, day_: np.ndarray) -> None:
    """End the protection plans ``idx`` of a year's referrals on ``day_`` (earlier than planned): a
    step-down plan moves with it and the episode closes as it would have after them."""
    delta = np.minimum(day_ - o["cpp_end"][idx], 0)
    o["cpp_end"][idx] += delta
    step = idx[o["course"][idx] == 6]
    o["plan_start"][step] += delta[o["course"][idx] == 6]
    o["plan_end"][step] += delta[o["course"][idx] == 6]
    last = np.where(o["course"][idx] == 5, o["cpp_end"][idx], o["plan_end"][idx])
    o["close"][idx] = np.minimum(o["close"][idx], np.maximum(last, o["after"][idx]) + o["extra"][idx])


def _end_plans_early(o: dict[str, np.ndarray], s: int, e: int, rng: np.random.Generator) -> None:
    """Protection plans seldom last two years: most that would reach two years by 31 March ``e`` end
    during the year (``s`` to ``e``), before their second anniversary where it falls in the year."""
    rows, start, end = _plan_dates(o)
    running = (start < s) & (end > e)
    idx, start = rows[running], start[running]
    ending = rng.random(len(idx)) < _ENDED_BEFORE_TWO_YEARS
    idx, two = idx[ending], add_years_days(start[ending], 2)
    idx, two = idx[two <= e], two[two <= e]
    latest = np.clip(two - 1, s, e)
    _end_on(o, idx, s + (rng.random(len(idx)) * (latest - s + 1)).astype(np.int64))


def _trim_plans(out: list[dict[str, np.ndarray]], s: int, e: int, keep: float, rng: np.random.Generator) -> None:
    """When more of the earlier years' protection plans are still open on 31 March ``e`` than ``keep``
    (the published count fell), end the surplus during the year, chosen at random."""
    dates = [_plan_dates(o) for o in out]
    open_ = [rows[(start < s) & (end > e)] for rows, start, end in dates]
    surplus = sum(len(i) for i in open_) - round(keep)
    if surplus <= 0 or keep <= 0:
        return
    which = np.repeat(np.arange(len(out)), [len(i) for i in open_])
    pick = np.sort(rng.choice(len(which), surplus, replace=False))
    flat = np.concatenate(open_)
    for k, o in enumerate(out):
        idx = flat[pick][which[pick] == k]
        _end_on(o, idx, s + (rng.random(len(idx)) * (e - s + 1)).astype(np.int64))


def _count_in(days: np.ndarray, s: int, e: int) -> int:
    """How many of ``days`` fall from ``s`` to ``e``: the part of a year's count already made."""
    return int(((days >= s) & (days <= e)).sum())


def simulate_referrals(rows: dict[int, dict], years: list[int], fo: dict[str, np.ndarray], unit: str, scale: float,
                       rng: np.random.Generator) -> tuple[dict[str, np.ndarray], Pool]:
    """Referrals of children not looked after in ``years``, each calibrated to its targets (``rows``,
    by year) net of the referrals, enquiries and plans of the children looked after (``fo``), as the
    columns of :data:`_KEPT`; and the pool of children referred."""
    from carestat.refdata import child_population, population_for, resolve_la

    known = dict(child_population().filter(pl.col("old_la_code") == unit).select("year", "population").iter_rows())
    pops = {y: float(known[min(known, key=lambda k: (abs(k - y), k))]) if known else population_for(
        resolve_la(unit), y) or 0.0 for y in years}  # children 0-17, nearest published year
    f_cpp = np.where(fo["cpp"], fo["icpc"], NOT_YET)
    f_reref = np.r_[False, (fo["child"][1:] == fo["child"][:-1]) & (np.diff(fo["ref"]) <= 365)]
    counts = {y: round(max(target_value(rows[y], "referrals", 7.6 * target_value(rows[y], "stock", 0.0)), 0.0) * scale) for y in years}
    pool = Pool(sum(counts.values()) + 1)
    out: list[dict[str, np.ndarray]] = []
    g = 1.0  # the scale of protection plans' lengths
    adjust = [1.0, 1.0]  # protection plans, children in need: last year's shortfall after choosing children
    for y in years:
        s, e, r = day(dt.date(y - 1, 4, 1)), year_end(y), rows[y]
        in_year = (fo["ref"] >= s) & (fo["ref"] <= e)
        n = max(counts[y] - int(in_year.sum()), 0)
        if n == 0:
            continue
        ref = np.minimum(workday_add(s + rng.integers(0, e - s + 1, n), 0), e)

        per_10k = pops[y] * scale / 1e4
        s47 = target_value(r, "s47_rate", 0.0) * per_10k or 0.3 * counts[y]
        icpc = target_value(r, "icpc_rate", 0.0) * per_10k or 0.35 * s47
        need = {"nfa": target_value(r, "nfa_pct", 7.0) / 100 * counts[y],
                "not_in_need": target_value(r, "not_in_need_pct", 29.0) / 100 * counts[y],
                "s47": s47 - _count_in(np.where(fo["s47"], fo["s_start"], -1), s, e),
                "icpc": icpc - _count_in(fo["icpc"], s, e),
                "cpp": target_value(r, "cpp_starts", 0.1 * counts[y] / scale) * scale - _count_in(f_cpp, s, e)}
        t = _draw_courses(ref, e, need, {"within45": target_value(r, "assessments_45_pct", 84.0) / 100,
                                         "within15": target_value(r, "icpc_15d_pct", 80.0) / 100}, rng)
        cin_target = target_value(r, "cin_31mar", 0.65 * counts[y] / scale) * scale
        # What this year's referrals must add at 31 March, corrected by last year's shortfall once the
        # children were chosen (ends at 18, days of re-referrals).
        for o in out:
            _end_plans_early(o, s, e, rng)
        forced_open = int(((f_cpp <= e) & (fo["care_start"] > e)).sum())
        _trim_plans(out, s, e, _PRIOR_SHARE * target_value(r, "cpp_31mar", 0.0) * scale - forced_open, rng)
        cin_open = _open_on(e, (fo["ref"], fo["close"]), *((o["ref"], o["close"]) for o in out))
        cpp_open = _open_on(e, (f_cpp, fo["care_start"]), *(_plan_dates(o)[1:] for o in out))
        # The first year has no earlier plans to carry: its plans keep their natural lengths, or the
        # whole stock would start in one year and last too long.
        d, expected, g = _calibrated(ref, t, e, (target_value(r, "cpp_31mar", 0.125 * cin_target / scale) * scale - cpp_open)
                                     * adjust[0], (cin_target - cin_open) * adjust[1], None if y == years[0] else g)
        child = np.full(n, -1, dtype=np.int64)
        bounds = [s, day(dt.date(y - 1, 7, 1)), day(dt.date(y - 1, 10, 1)), day(dt.date(y, 1, 1)), e + 1]
        quarter = np.searchsorted(bounds[1:4], ref, side="right")
        quota = {True: max(round(target_value(r, "rereferral_pct", 22.0) / 100 * counts[y]) - int((in_year & f_reref).sum()), 0),
                 False: round(0.25 * counts[y])}
        short = {True: 0, False: 0}
        for q in range(4):
            idx = rng.permutation(np.nonzero(quarter == q)[0])
            want = {k: round(quota[k] * len(idx) / n) + short[k] for k in quota}
            short = pool.assign(idx, ref, child, t, d, (bounds[q], bounds[q + 1], int(workday_add(s, 0))), want, rng)
        out.append({**t, **d, "ref": ref, "child": child, "cpp_rows": np.nonzero(np.isin(t["course"], [5, 6]))[0]})
        got = (_open_on(e, _plan_dates(out[-1])[1:]), int((d["close"] > e).sum()))
        adjust = [float(np.clip(0.5 * a + 0.5 * (x + 5) / (n_ + 5), 0.8, 1.25)) for a, x, n_ in zip(adjust, expected, got, strict=True)]
    return ({k: np.concatenate([o[k] for o in out]) for k in _KEPT} if out else {}), pool
