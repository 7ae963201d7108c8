"""Event records over a child's whole history: reviews, missing incidents, social workers,
deprivation of liberty orders. Each is sliced into collection years by :mod:`tables903`."""

from __future__ import annotations

import numpy as np
import polars as pl

from carestat.synth.population import Children, Periods


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
    propensity = rng.gamma(0.35, 1.0, n_children) * (rng.random(n_children) < 0.32)
    ep = episodes.select("child", "DECOM", "DEC")
    child = ep["child"].to_numpy()
    start, end = ep["DECOM"].to_numpy(), ep["DEC"].to_numpy()
    mid_age = ((start + end) / 2 - children.dob[child]) / 365.25
    age_factor = np.clip((mid_age - 10) / 4, 0, 1.2)
    years = np.maximum(end - start - 10, 0) / 365.25
    counts = rng.poisson(propensity[child] * age_factor * years * 9.0)
    counts = np.minimum(counts, ((end - start - 10) // 4).clip(0))
    idx = np.repeat(np.arange(len(counts)), counts)
    if not len(idx):
        return pl.DataFrame(schema={"child": pl.Int64, "MISSING": pl.Utf8, "MIS_START": pl.Int64, "MIS_END": pl.Int64})
    offset = rng.random(len(idx))
    begin = start[idx] + 1 + (offset * (end[idx] - start[idx] - 9)).astype(np.int64)
    frame = pl.DataFrame({"ep": idx, "MIS_START": begin}).sort("ep", "MIS_START").unique(
        ["ep", "MIS_START"], keep="first", maintain_order=True)
    length = rng.choice([0, 1, 1, 1, 2, 2, 3, 5, 8], frame.height)
    frame = frame.with_columns(next_start=pl.col("MIS_START").shift(-1).over("ep"),
                               ep_end=pl.Series(end[frame["ep"].to_numpy()]), length=pl.Series(length))
    frame = frame.with_columns(MIS_END=pl.min_horizontal(
        pl.col("MIS_START") + pl.col("length"), pl.col("next_start").fill_null(pl.col("ep_end")) - 1,
        pl.col("ep_end") - 2))
    kind = np.where(rng.random(frame.height) < 0.78, "M", "A")
    return frame.select(child=pl.Series(child[frame["ep"].to_numpy()]), MISSING=pl.Series(kind),
                        MIS_START="MIS_START", MIS_END=pl.max_horizontal("MIS_START", "MIS_END"))


def social_worker_episodes(periods: Periods, rng: np.random.Generator) -> pl.DataFrame:
    """Social worker allocations from the start of each period to its end; changes every
    6 to 24 months. SW_ID: SW + 6 digits (a few agency workers XX...)."""
    rows = []
    t = periods.start.copy()
    pid = np.arange(len(periods))
    for _ in range(60):
        length = rng.integers(180, 730, len(periods))
        stop = np.minimum(t + length, periods.end)
        alive = t < periods.end
        if not alive.any():
            break
        rows.append(pl.DataFrame({"period": pid[alive], "SW_DECOM": t[alive], "SW_DEC": stop[alive]}))
        t = stop
    frame = pl.concat(rows).sort("period", "SW_DECOM")
    n = frame.height
    worker = rng.integers(100000, 999999, n).astype(str)
    prefix = np.where(rng.random(n) < 0.06, "XX", "SW")
    reasons = np.array(["MANAGE", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "OTHERS"])
    reason = reasons[rng.choice(len(reasons), n, p=[0.15, 0.35, 0.12, 0.18, 0.05, 0.05, 0.03, 0.07])]
    return frame.with_columns(child=pl.Series(periods.child[frame["period"].to_numpy()]),
                              SW_ID=pl.Series(np.char.add(prefix, worker)), reason=pl.Series(reason),
                              first=pl.col("SW_DECOM") == pl.col("SW_DECOM").min().over("period"))


def deprivation_of_liberty(episodes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """DoLOs for a few children in children's homes (never secure, at home, custody or
    supported accommodation): within one episode."""
    homes = episodes.filter(pl.col("PLACE").is_in(["K2", "R1", "S1"]), (pl.col("DEC") - pl.col("DECOM")) > 60)
    pick = homes.filter(pl.Series(rng.random(homes.height) < 0.08))
    start = pick["DECOM"].to_numpy() + rng.integers(7, 30, pick.height)
    end = np.minimum(start + rng.integers(30, 300, pick.height), pick["DEC"].to_numpy() - 1)
    return pl.DataFrame({"child": pick["child"], "DOLO_START": start, "DOLO_END": end}).filter(
        pl.col("DOLO_END") > pl.col("DOLO_START"))
