"""Event records over a child's whole history: reviews, missing incidents, social workers,
deprivation of liberty orders. Each is sliced into collection years by :mod:`tables903`."""

from __future__ import annotations

import numpy as np
import polars as pl

from carestat.synth.columns import in_run
from carestat.synth.draw import draw
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
    return pl.DataFrame({"period": period[keep], "child": periods.child[period[keep]], "REVIEW": date[keep]}) \
        .sort("child", "REVIEW")


def missing_incidents(episodes: pl.DataFrame, children: Children, rng: np.random.Generator) -> pl.DataFrame:
    """Missing (M) or away without authorisation (A) incidents, each inside one episode.

    About one child in nine looked after goes missing in a year, several times each: a child's
    propensity is gamma-distributed and rises in the teenage years.
    """
    n_children = len(children)
    propensity = rng.gamma(0.35, 1.0, n_children) * (rng.random(n_children) < 0.45)
    ep = episodes.select("child", "DECOM", "DEC")
    child = ep["child"].to_numpy()
    start, end = ep["DECOM"].to_numpy(), ep["DEC"].to_numpy()
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
    frame = pl.DataFrame({"ep": idx, "MIS_START": begin}).sort("ep", "MIS_START").unique(
        ["ep", "MIS_START"], keep="first", maintain_order=True)
    length = rng.choice([0, 1, 1, 1, 2, 2, 3, 5, 8], frame.height)
    frame = frame.with_columns(next_start=in_run("ep", pl.col("MIS_START"), -1),
                               ep_end=pl.Series(end[frame["ep"].to_numpy()]), length=pl.Series(length))
    frame = frame.with_columns(MIS_END=pl.min_horizontal(
        pl.col("MIS_START") + pl.col("length"), pl.col("next_start").fill_null(pl.col("ep_end")) - 1,
        pl.col("ep_end") - 2))
    # Being away without authorisation (A) is the habit of a minority of the children who go missing.
    away_prone = rng.random(n_children) < 0.3
    ep_child = child[frame["ep"].to_numpy()]
    kind = np.where(away_prone[ep_child] & (rng.random(frame.height) < 0.4), "A", "M")
    return frame.select(child=pl.Series(child[frame["ep"].to_numpy()]), MISSING=pl.Series(kind),
                        MIS_START="MIS_START", MIS_END=pl.max_horizontal("MIS_START", "MIS_END"))


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
    stop_dates = stop_all.astype("datetime64[D]")
    month = (stop_dates.astype("datetime64[M]").astype(int) % 12) + 1
    day_of_month = (stop_dates - stop_dates.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    late_march = (month == 3) & (day_of_month >= 25)
    stop_all = np.where(late_march, stop_all + (32 - day_of_month), stop_all)
    rows = []
    t = first[kids].copy()
    for _ in range(80):
        alive = t < stop_all
        if not alive.any():
            break
        stop = np.minimum(t + rng.integers(180, 730, len(kids)), stop_all)
        stop = np.where(stop_all - stop < 30, stop_all, stop)  # no stub episodes at the end
        stop_dates = stop.astype("datetime64[D]")
        month = (stop_dates.astype("datetime64[M]").astype(int) % 12) + 1
        day_of_month = (stop_dates - stop_dates.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
        stop = np.where((month == 3) & (day_of_month >= 25) & (stop < stop_all), stop - 10, stop)
        rows.append(pl.DataFrame({"child": kids[alive], "SW_DECOM": t[alive], "SW_DEC": stop[alive]}))
        t = np.where(alive, stop, t)
    frame = pl.concat(rows).sort("child", "SW_DECOM")
    m = frame.height
    worker = rng.integers(100000, 999999, m).astype(str)
    prefix = np.where(rng.random(m) < 0.06, "XX", "SW")
    reason = draw(_SW_REASONS, m, rng)
    return frame.with_columns(SW_ID=pl.Series(np.char.add(prefix, worker)), reason=pl.Series(reason),
                              first=pl.col("child").shift(1).ne_missing(pl.col("child")))


def deprivation_of_liberty(episodes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """DoLOs for a few children in children's homes (never secure, at home, custody or
    supported accommodation): within one episode."""
    homes = episodes.filter(pl.col("PLACE") == "K2", (pl.col("DEC") - pl.col("DECOM")) > 60)
    pick = homes.filter(pl.Series(rng.random(homes.height) < 0.08))
    start = pick["DECOM"].to_numpy() + rng.integers(7, 30, pick.height)
    end = np.minimum(start + rng.integers(30, 300, pick.height), pick["DEC"].to_numpy() - 1)
    return pl.DataFrame({"child": pick["child"], "DOLO_START": start, "DOLO_END": end}).filter(
        pl.col("DOLO_END") > pl.col("DOLO_START"))
