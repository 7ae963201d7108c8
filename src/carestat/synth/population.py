"""Simulate one LA's children and their periods of care, calibrated to its published figures.

Dates are day numbers (days since 1970-01-01, int32) until the tables are built. Each period of
care gets a start date, the child's age and UASC status, and a duration drawn from an age-
dependent lognormal scaled by a factor per start year. The factors are found by bisection, year
by year, so that the number of children looked after on 31 March matches the published figure,
and where a year's starts cannot get there, earlier stays are lengthened or shortened within that
year (no period outlives the child's 18th birthday). Some children who went home come back into
care later: their later period is linked to the earlier child (re-entry).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days, day, is_31_march, year_end
from carestat.synth.draw import draw_index

# Non-UASC age at entry (years 0..17) and duration medians (years) by age band.
_AGE_WEIGHTS = np.array([23, 5, 4, 4, 4, 3.6, 3.6, 3.6, 3.6, 3.6, 5, 5.3, 5.8, 6.3, 6.6, 6.0, 5.5, 4.5])
_UASC_AGE_WEIGHTS = np.array([0] * 12 + [1, 2, 5, 18, 40, 34], dtype=float)
_BANDS = np.array([0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4])
_MEDIAN_YEARS = np.array([1.5, 1.2, 1.0, 0.7, 0.45])
_SIGMA = np.array([0.8, 1.0, 1.3, 1.5, 1.0])
# Share of non-UASC entrants aged 0, 1, .., 4 (5 = older) on the way to adoption or special guardianship.
_PERMANENCE_SHARE = np.array([0.42, 0.30, 0.25, 0.2, 0.15, 0.0])


@dataclass
class Periods:
    """Columnar periods of care of one simulated LA (one element per period)."""

    child: np.ndarray  # child index within the unit
    start: np.ndarray  # day number
    end: np.ndarray  # day number (may lie after the last simulated year: still open then)
    entry_age: np.ndarray  # whole years at start
    capped: np.ndarray  # ended on the 18th birthday
    uasc: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.start)


@dataclass
class Children:
    dob: np.ndarray
    sex: np.ndarray  # 0 male, 1 female
    uasc: np.ndarray  # bool: arrived as an unaccompanied asylum-seeking child

    def __len__(self) -> int:
        return len(self.dob)


def _starts_per_year(targets: pl.DataFrame, scale: float, rng: np.random.Generator) -> dict[int, int]:
    out = {}
    for year, starts in targets.select("year", "starts").iter_rows():
        expected = max(float(starts or 0), 0.0) * scale
        out[year] = int(rng.poisson(expected)) if expected > 0 else 0
    return out


def simulate_periods(targets: pl.DataFrame, scale: float, rng: np.random.Generator) -> tuple[Periods, Children]:
    """Periods of care from the first to the last year of ``targets`` (one row per year)."""
    years = targets["year"].to_list()
    n_by_year = _starts_per_year(targets, scale, rng)
    uasc_share = {y: min(max((p or 0) / 100, 0.0), 0.6) for y, p in
                  targets.select("year", "uasc_start_pct").iter_rows()}
    starts, ages, uasc, start_years = [], [], [], []
    for year in years:
        n = n_by_year[year]
        if n == 0:
            continue
        first = day(dt.date(year - 1, 4, 1))
        starts.append(first + rng.integers(0, year_end(year) - first + 1, n))
        is_uasc = rng.random(n) < uasc_share[year]
        age = np.where(is_uasc, draw_index(_UASC_AGE_WEIGHTS, n, rng), draw_index(_AGE_WEIGHTS, n, rng))
        ages.append(age)
        uasc.append(is_uasc)
        start_years.append(np.full(n, year))
    if not starts:
        empty = np.array([], dtype=np.int64)
        return (Periods(empty, empty, empty, empty, empty.astype(bool), empty.astype(bool)),
                Children(empty, empty, empty.astype(bool)))
    start = np.concatenate(starts).astype(np.int64)
    entry_age = np.concatenate(ages).astype(np.int64)
    is_uasc = np.concatenate(uasc)
    start_year = np.concatenate(start_years)
    # Date of birth: a random day in the year of age at entry, so the age at entry is exact.
    youngest = np.empty_like(start)
    oldest = np.empty_like(start)
    for age in np.unique(entry_age):
        m = entry_age == age
        youngest[m] = add_years_days(start[m], -int(age))  # born on the start date, age years before
        oldest[m] = add_years_days(start[m], -int(age) - 1) + 1
    dob = oldest + (rng.random(len(start)) * (youngest - oldest)).astype(np.int64)
    eighteenth = add_years_days(dob, 18)
    # UASC children stay until 18 unless age assessment or return; others by age band.
    band = _BANDS[entry_age]
    base_days = np.exp(rng.normal(np.log(_MEDIAN_YEARS[band] * 365.25), _SIGMA[band]))
    base_days = np.where(is_uasc, np.exp(rng.normal(np.log(4 * 365.25), 0.4, len(start))), base_days)
    # Many of the youngest stay until adopted or placed under a special guardianship order about
    # two years later; their stays keep that length whatever the year's calibration factor.
    permanence = ~is_uasc & (rng.random(len(start)) < _PERMANENCE_SHARE[np.minimum(entry_age, 5)])
    base_days = np.where(permanence, np.exp(rng.normal(np.log(2.0 * 365.25), 0.3, len(start))), base_days)
    end = _calibrate(targets, scale, start, start_year, base_days, eighteenth, permanence)
    capped = end >= eighteenth
    # Nobody leaves care on 31 March itself, which the DfE rules count as both in and out of care
    # for the year (rule 187 against OC2): the day before instead, or the day after a stay that
    # began the day before (an episode must last a day: rule 355).
    end = np.where(~capped & is_31_march(end), np.where(end - 1 > start, end - 1, end + 1), end)
    sex = np.where(is_uasc, (rng.random(len(start)) < 0.08).astype(int), (rng.random(len(start)) < 0.45).astype(int))
    order = np.lexsort((entry_age, start))
    periods = Periods(np.arange(len(start)), start[order], end[order], entry_age[order], capped[order],
                      is_uasc[order])
    children = Children(dob[order], sex[order], is_uasc[order])
    return periods, children


def _calibrate(targets: pl.DataFrame, scale: float, start: np.ndarray, start_year: np.ndarray,
               base_days: np.ndarray, eighteenth: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Each period's end (at the latest the 18th birthday): stays scaled by one factor per start
    year so that each 31 March's count matches its target (``fixed`` stays keep their length),
    then, where a year's own starts cannot reach its target, repaired (``_repair``)."""
    years = targets["year"].to_list()
    stock_target = {y: float(s or 0) for y, s in targets.select("year", "stock").iter_rows()}
    fixed_end = np.full(len(start), -1, dtype=np.int64)  # ends of periods already calibrated
    rank = np.random.default_rng(int(start.sum()) % 2**32).permutation(len(start))  # for _repair
    bounds = np.searchsorted(start_year, [*years, years[-1] + 1])  # starts come year by year
    for i, year in enumerate(years):
        mine = slice(bounds[i], bounds[i + 1])
        cutoff = year_end(year)
        open_before = int(np.count_nonzero(fixed_end[:bounds[i]] > cutoff))
        target = stock_target[year] * scale
        lo, hi = np.log(0.05), np.log(25.0)
        s, b, e18, keep = start[mine], base_days[mine], eighteenth[mine], fixed[mine]
        # Open on 31 March: those ending after it; for the stays that scale, from a factor each on.
        scaled = ~keep & (e18 > cutoff)
        fixed_open = int(np.count_nonzero(np.minimum(s[keep] + np.maximum(np.round(b[keep]), 1), e18[keep]) > cutoff))
        always = int(np.count_nonzero(scaled & (s == cutoff)))
        least = np.sort(_least_factor(b[scaled & (s < cutoff)], cutoff - s[scaled & (s < cutoff)] + 1))
        # Too few open (fewer than the target) while fewer than ``need`` of the rest are: while the
        # factor is under the need-th least factor.
        need = math.ceil(target) - (open_before + fixed_open + always) if not math.isnan(target) else 0
        bar = -np.inf if need <= 0 else np.inf if need > len(least) else least[need - 1]
        for _ in range(30):
            mid = (lo + hi) / 2
            if np.exp(mid) < bar:
                lo = mid
            else:
                hi = mid
        factor = np.exp((lo + hi) / 2)
        fixed_end[mine] = np.minimum(s + np.maximum(np.round(b * np.where(keep, 1.0, factor)), 1), e18)
        if not math.isnan(target):
            _repair(fixed_end[:bounds[i + 1]], start, eighteenth, fixed, bounds[i], year, target, rank)
    return fixed_end


def _repair(end: np.ndarray, start: np.ndarray, eighteenth: np.ndarray, fixed: np.ndarray, earlier: int,
            year: int, target: float, rank: np.ndarray) -> None:
    """Bring 31 March's count to ``target`` when the year's starts cannot (few starts after a year of
    many, or the reverse): children who came earlier (``end[:earlier]``, changed in place) and were
    due to leave during the year stay a year longer, or some who would stay leave during the year
    instead. Nobody's count at the year before changes, and ``rank`` (fixed by the data, not drawn
    from the simulation's stream) chooses who, so LAs that need no repair keep their bytes."""
    cutoff, before = year_end(year), year_end(year - 1)
    count = int(np.count_nonzero(end > cutoff))
    if math.floor(0.98 * target) <= count <= math.ceil(1.02 * target):
        return  # the scaled stays got there (give or take the ties of a bisection)
    gap = round(target) - count
    e, s, e18, keep = end[:earlier], start[:earlier], eighteenth[:earlier], fixed[:earlier]
    if gap > 0:
        can = np.nonzero(~keep & (e > before) & (e <= cutoff) & (e + 365 < e18))[0]
        pick = can[np.argsort(rank[can], kind="stable")][:gap]
        e[pick] += 365
    elif gap < 0:
        first = np.maximum(s, before) + 1  # leaving no earlier keeps them in last year's count
        can = np.nonzero(~keep & (e > cutoff) & (first < cutoff - 1))[0]
        pick = can[np.argsort(rank[can], kind="stable")][:-gap]
        e[pick] = first[pick] + rank[pick] % (cutoff - 1 - first[pick])


def _least_factor(base: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each stay, the least factor f (a float64) with ``round(base * f) >= days``: found from
    the exact quotient and a step or two between neighbouring floats, so that comparing a factor
    with it says exactly what rounding the scaled stay would."""
    f = (days - 0.5) / base
    for _ in range(64):
        ok = np.round(base * f) >= days
        lower = np.nextafter(f, 0)
        down = ok & (np.round(base * lower) >= days)
        if not (down.any() or not ok.all()):
            return f
        f = np.where(down, lower, np.where(ok, f, np.nextafter(f, np.inf)))
    raise AssertionError("no least factor found")
