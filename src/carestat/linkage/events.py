"""What the partner data sets record about each synthetic young person, from their hidden profile
of need and their group (looked after, in need, neither).

Rates are set to the rough shape of published figures (children looked after and children in
need do worse at school, are excluded and convicted more often and are less often in work than
other young people); they are not calibrated estimates. Everything is synthetic.

Dates are day numbers; only events up to the end of the study window are kept.
"""

from __future__ import annotations

import numpy as np
import polars as pl

# Per profile (PROFILES order): chance of each school and justice outcome over ages 10-21.
_SUSPENSION_RATE = np.array([0.05, 0.5, 1.6, 0.12])  # suspensions per pupil over years 7-11 (Poisson mean)
_PERMANENT = np.array([0.002, 0.04, 0.22, 0.01])
_ABSENCE_MEAN = np.array([0.05, 0.12, 0.17, 0.08])  # mean share of sessions missed per year
_KS2_EXPECTED = np.array([0.66, 0.30, 0.22, 0.50])
_KS4_MEAN = np.array([50.0, 30.0, 20.0, 38.0])  # Attainment 8
_OFFENCES = np.array([0.01, 0.08, 1.4, 0.05])  # cautions and convictions, ages 10-21 (Poisson mean)
_CUSTODY = np.array([0.02, 0.05, 0.2, 0.05])  # share of convictions leading to custody
# Chance of being in paid work on each birthday from 16 to 21, by profile; looked-after young people
# are less often in work again (the published gap for care leavers), children in need a little less.
_WORK = np.array([[0.18, 0.32, 0.50, 0.60, 0.66, 0.72],
                  [0.12, 0.24, 0.38, 0.45, 0.50, 0.55],
                  [0.06, 0.12, 0.22, 0.28, 0.32, 0.36],
                  [0.05, 0.10, 0.14, 0.17, 0.20, 0.22]])
_GROUP_WORK = {"looked_after": 0.7, "in_need": 0.88, "general": 1.0}
_BENEFIT = np.array([0.25, 0.45, 0.6, 0.75])  # chance of an out-of-work benefit when not in work, 18+
_BANDS = np.array(["under 10k", "10k to 20k", "20k and over"])
_BENEFITS = np.array(["Universal Credit (searching for work)", "Universal Credit (limited capability for work)",
                      "Jobseeker's Allowance", "Employment and Support Allowance"])


def add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """Day numbers ``years`` later on the same calendar day (29 February -> 28 February)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    offset = (d - months.astype("datetime64[D]")).astype("int64")
    target = months + (12 * np.asarray(years)).astype("timedelta64[M]")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + offset, last).astype("int64")


def school_start_year(dob: np.ndarray) -> np.ndarray:
    """Calendar year of the September a child starts year 7 (born September to August)."""
    d = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(int) + 1970
    month = d.astype("datetime64[M]").astype(int) % 12 + 1
    return year + np.where(month >= 9, 1, 0) + 11


def _sept(year: np.ndarray) -> np.ndarray:
    return (np.asarray(year).astype(str).astype("datetime64[Y]") + np.timedelta64(8, "M")).astype(
        "datetime64[D]").astype("int64")


def _frame(ids: np.ndarray, **columns: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"person_id": ids, **{k: pl.Series(v) for k, v in columns.items()}})


def _dates(col: np.ndarray) -> pl.Series:
    return pl.Series(col, dtype=pl.Int32).cast(pl.Date)


def school_events(people: pl.DataFrame, end: int, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Attainment (KS2 at the end of year 6, KS4 at the end of year 11), absence by academic year
    (years 6 to 11) and suspensions and permanent exclusions (years 7 to 11)."""
    ids = people["person_id"].to_numpy()
    prof = people["profile"].to_numpy()
    y7 = school_start_year(people["dob"].cast(pl.Int32).to_numpy())
    n = len(ids)
    ks2_date, ks4_date = _sept(y7) - 40, _sept(y7 + 5) - 40  # results in late July
    attainment = _frame(ids, ks2_year=y7, ks2_expected=rng.random(n) < _KS2_EXPECTED[prof],
                        ks4_year=y7 + 5, ks4_attainment8=np.clip(rng.normal(_KS4_MEAN[prof], 12), 0, 90).round(1))
    ks2, ks4 = pl.Series(ks2_date <= end), pl.Series(ks4_date <= end)  # results out by the window's end
    attainment = attainment.with_columns(
        ks2_year=pl.when(ks2).then("ks2_year"), ks2_expected=pl.when(ks2).then("ks2_expected"),
        ks4_year=pl.when(ks4).then("ks4_year"), ks4_attainment8=pl.when(ks4).then("ks4_attainment8"))
    # Absence: one row per pupil and academic year from year 6 to year 11 that has ended.
    rows = np.repeat(np.arange(n), 6)
    year_start = y7[rows] - 1 + np.tile(np.arange(6), n)
    # A pupil's own level of absence (stable from year to year), varied a little each year.
    mean = _ABSENCE_MEAN[prof]
    level = rng.beta(2.0, 2.0 * (1 - mean) / mean)
    share = np.clip(level[rows] * rng.gamma(8.0, 1 / 8.0, len(rows)), 0, 1)
    keep = _sept(year_start + 1) - 40 <= end
    possible = np.full(len(rows), 320)
    absence = _frame(ids[rows][keep], academic_year=year_start[keep], sessions_possible=possible[keep],
                     sessions_missed=np.round(share[keep] * 320).astype(int))
    # Suspensions and permanent exclusions, dated in years 7 to 11.
    count = rng.poisson(_SUSPENSION_RATE[prof])
    who = np.repeat(np.arange(n), count)
    # In term time: a school year (0-4) after year 7 began, then a day in its first 300.
    when = _sept(y7[who] + rng.integers(0, 5, len(who))) + (rng.random(len(who)) * 300).astype(np.int64)
    permanent = rng.random(n) < _PERMANENT[prof]
    p_who = np.flatnonzero(permanent)
    p_when = _sept(y7[p_who] + rng.integers(1, 5, len(p_who))) + (rng.random(len(p_who)) * 300).astype(np.int64)
    excl = pl.concat([
        _frame(ids[who], date=_dates(when), exclusion_type=np.full(len(who), "suspension")),
        _frame(ids[p_who], date=_dates(p_when), exclusion_type=np.full(len(p_who), "permanent exclusion"))])
    excl = excl.filter(pl.col("date") <= pl.lit(end).cast(pl.Date)).sort("person_id", "date")
    return {"attainment": attainment, "absence": absence, "exclusions": excl}


def _spells(ids: np.ndarray, state: np.ndarray, birthdays: np.ndarray, end: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Turn yes/no states on consecutive birthdays into dated spells: a run of yes from birthday i
    to j becomes a spell starting up to 10 months before birthday i and ending up to 10 months after
    j (open when that is after ``end``). Returns row index, start, end (-1 open), first age index."""
    n, _k = state.shape
    padded = np.concatenate([np.zeros((n, 1), bool), state, np.zeros((n, 1), bool)], axis=1).astype(int)
    diff = np.diff(padded, axis=1)
    r_start, c_start = np.nonzero(diff == 1)
    r_end, c_end = np.nonzero(diff == -1)
    order_s, order_e = np.lexsort((c_start, r_start)), np.lexsort((c_end, r_end))
    rows, first, last = r_start[order_s], c_start[order_s], c_end[order_e] - 1
    start = birthdays[rows, first] - (rng.random(len(rows)) * 300).astype(np.int64)
    stop = birthdays[rows, last] + (rng.random(len(rows)) * 300).astype(np.int64)
    keep = start <= end
    stop = np.where(stop > end, -1, stop)
    return rows[keep], start[keep], stop[keep], first[keep]


def work_and_benefits(people: pl.DataFrame, end: int, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    """Employment spells with an earnings band, and out-of-work benefit spells from 18."""
    ids = people["person_id"].to_numpy()
    prof = people["profile"].to_numpy()
    group = people["group"].to_numpy()
    dob = people["dob"].cast(pl.Int32).to_numpy()
    ages = np.arange(16, 22)
    birthdays = np.stack([add_years(dob, a) for a in ages], axis=1)
    factor = np.vectorize(_GROUP_WORK.get)(group)
    p = _WORK[prof] * factor[:, None]
    # Persistence: someone in work on one birthday is likelier to be in work on the next.
    state = np.zeros(birthdays.shape, bool)
    for j in range(len(ages)):
        prev = state[:, j - 1] if j else np.zeros(len(ids), bool)
        lift = np.where(prev, np.minimum(p[:, j] * 1.6, 0.95), p[:, j] * 0.7)
        state[:, j] = rng.random(len(ids)) < lift
    observed = birthdays <= end
    rows, start, stop, first = _spells(ids, state & observed, birthdays, end, rng)
    band = np.where(ages[first] < 18, 0, rng.choice(3, len(rows), p=[0.45, 0.4, 0.15]))
    work = _frame(ids[rows], start=_dates(start), end=_dates(np.where(stop < 0, 0, stop)),
                  earnings_band=_BANDS[band]).with_columns(
        end=pl.when(pl.Series(stop >= 0)).then("end"))
    claim = ~state & (ages[None, :] >= 18) & (rng.random(state.shape) < _BENEFIT[prof][:, None]) & observed
    rows, start, stop, _ = _spells(ids, claim, birthdays, end, rng)
    benefits = _frame(ids[rows], start=_dates(start), end=_dates(np.where(stop < 0, 0, stop)),
                      benefit=_BENEFITS[rng.choice(4, len(rows), p=[0.6, 0.2, 0.1, 0.1])]).with_columns(
        end=pl.when(pl.Series(stop >= 0)).then("end"))
    return {"employment_spells": work, "benefit_spells": benefits}


def justice_events(people: pl.DataFrame, end: int, exclusions: pl.DataFrame,
                   rng: np.random.Generator) -> pl.DataFrame:
    """Cautions and convictions from 10 to 21, custody for some convictions. For most of those with
    a permanent exclusion, offending follows it (the pathway the analysis should find)."""
    ids = people["person_id"].to_numpy()
    prof = people["profile"].to_numpy()
    dob = people["dob"].cast(pl.Int32).to_numpy()
    group_lift = np.where(people["group"].to_numpy() == "looked_after", 1.5, 1.0)
    count = rng.poisson(_OFFENCES[prof] * group_lift)
    who = np.repeat(np.arange(len(ids)), count)
    at10, at22 = add_years(dob[who], 10), add_years(dob[who], 22) - 1
    date = at10 + (rng.random(len(who)) * (at22 - at10)).astype(np.int64)
    first_perm = (exclusions.filter(pl.col("exclusion_type") == "permanent exclusion")
                  .group_by("person_id").agg(pl.col("date").min().cast(pl.Int32)))
    perm = dict(zip(first_perm["person_id"].to_list(), first_perm["date"].to_list(), strict=True))
    after = np.array([perm.get(i, -1) for i in ids[who]], dtype=np.int64)
    follow = (after > 0) & (rng.random(len(who)) < 0.8)
    date = np.where(follow, np.minimum(after + 30 + (rng.random(len(who)) * 900).astype(np.int64), at22), date)
    age = (date - dob[who]) / 365.25
    conviction = rng.random(len(who)) < np.where(age < 18, 0.45, 0.7)
    custody = conviction & (rng.random(len(who)) < _CUSTODY[prof[who]])
    outcome = np.where(custody, "custody", np.where(conviction, "conviction", "caution"))
    frame = _frame(ids[who], date=_dates(date), outcome=outcome,
                   offence_group=np.array(["violence", "theft", "drugs", "criminal damage", "public order",
                                           "other"])[rng.choice(6, len(who), p=[.3, .25, .15, .1, .1, .1])])
    return frame.filter(pl.col("date") <= pl.lit(end).cast(pl.Date)).sort("person_id", "date")
