"""Event records over a child's whole history: reviews, missing incidents, social workers,
deprivation of liberty orders. Each is sliced into collection years by :mod:`tables903`."""

from __future__ import annotations

import numpy as np
import polars as pl

from carestat.synth.calendar import month_and_day
from carestat.synth.careers import PL, key, same_as_next, split_key
from carestat.synth.columns import codes
from carestat.synth.draw import codes_of, draw_index
from carestat.synth.episodes import Episodes
from carestat.synth.population import Children, Periods

_SW_REASONS = {"MANAGE": 0.15, "LEFTRL": 0.35, "ORGRST": 0.12, "TSPROC": 0.18, "ABSENC": 0.05, "CHCHAN": 0.05,
               "PCCHAN": 0.03, "OTHERS": 0.07}  # why a social worker episode ended


def reviews(periods: Periods, rng: np.random.Generator) -> pl.DataFrame:
    """Statutory reviews: within 20 working days of entry, 3 months later, then 6-monthly."""
    rows = []
    first = periods.start + 20 + rng.integers(0, 8, len(periods))
    second = first + 90 + rng.integers(-7, 8, len(periods))
    rows.append((np.arange(len(periods)), first))
    rows.append((np.arange(len(periods)), second))
    t = second
    for _ in range(40):
        t = t + 182 + rng.integers(-14, 15, len(periods))
        alive = t < periods.end
        if not alive.any():
            break
        rows.append((np.arange(len(periods))[alive], t[alive]))
    period = np.concatenate([r[0] for r in rows])
    date = np.concatenate([r[1] for r in rows])
    keep = date < periods.end[period]
    period, date = period[keep], date[keep]
    order = np.lexsort((date, periods.child[period]))  # a child's reviews fall on different days
    return pl.DataFrame({"period": period[order], "child": periods.child[period[order]], "REVIEW": date[order]})


def missing_incidents(episodes: Episodes, children: Children, rng: np.random.Generator) -> pl.DataFrame:
    """Missing (M) or away without authorisation (A) incidents, each inside one episode.

    About one child in nine looked after goes missing in a year, several times each: a child's
    propensity is gamma-distributed and rises in the teenage years.
    """
    n_children = len(children)
    propensity = rng.gamma(0.35, 1.0, n_children) * (rng.random(n_children) < 0.39)
    child, start, end = episodes.child, episodes.start, episodes.end
    mid_age = ((start + end) / 2 - children.dob[child]) / 365.25
    age_factor = np.clip((mid_age - 10) / 4, 0, 1.2)
    years = np.maximum(end - start - 10, 0) / 365.25
    counts = rng.poisson(propensity[child] * age_factor * years * 19.0)
    counts = np.minimum(counts, ((end - start - 10) // 4).clip(0))
    idx = np.repeat(np.arange(len(counts)), counts)
    if not len(idx):
        return pl.DataFrame(schema={"child": pl.Int64, "MISSING": pl.Utf8, "MIS_START": pl.Int64, "MIS_END": pl.Int64})
    offset = rng.random(len(idx))
    begin = start[idx] + 1 + (offset * (end[idx] - start[idx] - 9)).astype(np.int64)
    ep, begin = split_key(np.unique(key(idx, begin)))  # by episode and day, one incident a day
    length = rng.choice([0, 1, 1, 1, 2, 2, 3, 5, 8], len(ep))
    next_start = np.where(same_as_next(ep), np.r_[begin[1:], 0], end[ep])
    finish = np.minimum(np.minimum(begin + length, next_start - 1), end[ep] - 2)
    # Being away without authorisation (A) is the habit of a minority of the children who go missing.
    away_prone = rng.random(n_children) < 0.3
    away = away_prone[child[ep]] & (rng.random(len(ep)) < 0.4)
    return pl.DataFrame({"child": child[ep], "MISSING": codes(["M", "A"], away), "MIS_START": begin,
                         "MIS_END": np.maximum(begin, finish)})


def social_worker_episodes(periods: Periods, children: Children, rng: np.random.Generator) -> pl.DataFrame:
    """Social workers from the child's first entry to care until a month after they last leave
    (the social worker stays through gaps between periods of care); a change every 6 to 24
    months. SW_ID: SW + 6 digits (a few agency workers XX...)."""
    n = len(children)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    np.minimum.at(first, periods.child, periods.start)
    np.maximum.at(last, periods.child, periods.end)
    kids = np.nonzero(last >= 0)[0]
    stop_all = last[kids] + 28
    # Never end in the last days of March: an episode ending then needs a successor (SW11b).
    month, day_of_month = month_and_day(stop_all)
    late_march = (month == 3) & (day_of_month >= 25)
    stop_all = np.where(late_march, stop_all + (32 - day_of_month), stop_all)
    child, begin, end = [], [], []
    t = first[kids].copy()
    for _ in range(80):
        alive = t < stop_all
        if not alive.any():
            break
        stop = np.minimum(t + rng.integers(180, 730, len(kids)), stop_all)
        stop = np.where(stop_all - stop < 30, stop_all, stop)  # no stub episodes at the end
        month, day_of_month = month_and_day(stop)
        stop = np.where((month == 3) & (day_of_month >= 25) & (stop < stop_all), stop - 10, stop)
        child.append(kids[alive])
        begin.append(t[alive])
        end.append(stop[alive])
        t = np.where(alive, stop, t)
    child, begin, end = np.concatenate(child), np.concatenate(begin), np.concatenate(end)
    order = np.lexsort((begin, child))  # a child's episodes start on different days
    child, begin, end = child[order], begin[order], end[order]
    m = len(child)
    worker = rng.integers(100000, 999999, m)
    agency = rng.random(m) < 0.06
    reason = draw_index(_SW_REASONS.values(), m, rng)
    frame = pl.DataFrame({"child": child, "SW_DECOM": begin, "SW_DEC": end, "_w": worker, "_xx": agency})
    return frame.select(
        "child", "SW_DECOM", "SW_DEC",
        SW_ID=pl.concat_str(pl.when("_xx").then(pl.lit("XX")).otherwise(pl.lit("SW")), pl.col("_w").cast(pl.String)),
        reason=codes_of(_SW_REASONS, reason), first=pl.Series(np.r_[True, child[1:] != child[:-1]][:m]))


def deprivation_of_liberty(episodes: Episodes, rng: np.random.Generator) -> pl.DataFrame:
    """DoLOs for a few children in children's homes (never secure, at home, custody or
    supported accommodation): within one episode."""
    assert episodes.placements is not None and episodes.placement is not None
    place = episodes.placements["place"][episodes.placement]
    homes = np.nonzero((place == PL["K2"]) & (episodes.end - episodes.start > 60))[0]
    pick = homes[rng.random(len(homes)) < 0.08]
    start = episodes.start[pick] + rng.integers(7, 30, len(pick))
    end = np.minimum(start + rng.integers(30, 300, len(pick)), episodes.end[pick] - 1)
    ok = end > start
    return pl.DataFrame({"child": episodes.child[pick][ok], "DOLO_START": start[ok], "DOLO_END": end[ok]})
