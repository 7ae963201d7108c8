"""Inside each period of care: legal statuses, placements and the adoption timeline.

Produces two event lists per period, as polars frames keyed by ``period`` and day ``t``:
legal statuses (``ls``) and placements (``place`` plus a ``carer`` id, so a change of placement
type with the same carer - fostering becoming long-term, or foster carers adopting - can be told
from a move). Every event falls strictly inside its period, at least a day from the next, so
no episode lasts under 24 hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.calendar import day
from carestat.synth.columns import in_run
from carestat.synth.draw import draw, draw_by_group
from carestat.synth.exits import ADOPTED
from carestat.synth.population import Children, Periods

# First-placement mixes by age band (0-4, 5-9, 10-12, 13-15, 16-17); IND = semi-independent.
_MIX = {
    0: {"U6": 58, "U3": 30, "R3": 4, "P1": 6, "U4": 2},
    1: {"U6": 58, "U3": 24, "K2": 5, "P1": 6, "S1": 2, "U4": 5},
    2: {"U6": 52, "U3": 18, "K2": 19, "P1": 5, "S1": 3, "K1": 0.5, "U4": 5},
    3: {"U6": 42, "U3": 12, "K2": 36, "P1": 5, "S1": 2, "K1": 1.5, "R5": 0.5, "R1": 1, "U4": 6},
    4: {"U6": 28, "U3": 8, "K2": 22, "IND": 38, "P1": 3, "R5": 1, "K1": 1, "R1": 2, "U4": 1},
}
_UASC_MIX = {0: {"U6": 100}, 1: {"U6": 100}, 2: {"U6": 85, "K2": 15}, 3: {"U6": 78, "K2": 22},
             4: {"IND": 62, "U6": 30, "K2": 8}}
_CIN = {"N1": 65, "N2": 3, "N3": 3, "N4": 7, "N5": 14, "N6": 2, "N7": 0.2, "N8": 6}  # category of need


def age_band(age: np.ndarray) -> np.ndarray:
    return np.select([age < 5, age < 10, age < 13, age < 16], [0, 1, 2, 3], 4)


@dataclass
class Careers:
    legal: pl.DataFrame  # period, t, ls
    placements: pl.DataFrame  # period, t, place, carer
    adoption: pl.DataFrame  # period, decision, placement_order, match, placed
    cin: np.ndarray  # category of need per period


def build_careers(periods: Periods, children: Children, rec: np.ndarray, rng: np.random.Generator) -> Careers:
    n = len(periods)
    start, end = periods.start, periods.end
    length = end - start
    dob = children.dob[periods.child]
    adopted = np.isin(rec, ADOPTED)

    # --- legal status -------------------------------------------------------------------
    # Most children come into care through the courts; about 17% of those in care on 31 March are
    # accommodated under section 20 (DfE 2019 and 2020), unaccompanied asylum seekers among them.
    court_p = np.select([periods.entry_age < 10, periods.entry_age < 16], [0.95, 0.85], 0.5)
    court = ~periods.uasc & (rng.random(n) < court_p) | adopted
    remand = ~periods.uasc & ~adopted & np.isin(rec, ["E14", "E9"]) & (periods.entry_age >= 10)
    court &= ~remand
    first_ls = np.where(remand, "J1", np.where(court, "C1", "V2")).astype(object)
    legal = [pl.DataFrame({"period": np.arange(n), "t": start, "ls": first_ls})]
    # Emergency protection (L2, up to 21 days) or police protection (L1, up to 72 hours) first.
    pre = court & ~adopted & (length > 40) & (rng.random(n) < 0.12)
    pre_code = np.where(rng.random(n) < 0.4, "L1", "L2")
    pre_len = np.where(pre_code == "L1", rng.integers(1, 3, n), rng.integers(3, 15, n))
    idx = np.nonzero(pre)[0]
    if len(idx):
        legal[0] = legal[0].with_columns(
            ls=pl.when(pl.col("period").is_in(idx)).then(pl.lit(None)).otherwise(pl.col("ls")))
        legal[0] = legal[0].with_columns(ls=pl.coalesce(pl.col("ls"), pl.Series(pre_code.astype(object))))
        legal.append(pl.DataFrame({"period": idx, "t": start[idx] + pre_len[idx], "ls": ["C1"] * len(idx)}))
    # Adoption timeline, back from the adoption order that ends the period: placed with the
    # adopters 4 to 14 months before it, matched a few weeks before that, the placement order
    # (LS E1) 2 to 10 months before the match, and the decision to place shortly before that.
    a = np.nonzero(adopted)[0]
    placed = np.maximum(end[a] - rng.integers(120, 420, len(a)), start[a] + (0.55 * length[a]).astype(np.int64))
    match = placed - rng.integers(7, 45, len(a))
    order = np.maximum(start[a] + 30, match - rng.integers(60, 300, len(a)))
    decision = np.maximum(start[a] + 10, order - rng.integers(20, 120, len(a)))
    if len(a):
        legal.append(pl.DataFrame({"period": a, "t": order, "ls": ["E1"] * len(a)}))
    # Full care order after an interim order, for court cases that last.
    c2_at = start + rng.integers(150, 420, n)
    to_c2 = court & ~adopted & (c2_at < end - 20)
    idx = np.nonzero(to_c2)[0]
    if len(idx):
        legal.append(pl.DataFrame({"period": idx, "t": c2_at[idx], "ls": ["C2"] * len(idx)}))
    legal_frame = pl.concat(legal).sort("period", "t").unique(["period", "t"], keep="last", maintain_order=True)

    # --- placements ------------------------------------------------------------------------
    rate = rng.gamma(0.75, 1.0 / 0.75, n) / 365.25  # moves per day, early in care
    times = [start]
    t = start.astype(float).copy()
    alive = np.ones(n, dtype=bool)
    for _ in range(40):
        settled = (t - start) > 365
        r = np.where(settled, rate / 9.0, rate)
        t = t + rng.exponential(1.0 / np.maximum(r, 1e-9))
        alive &= t < end - 1
        if not alive.any():
            break
        times.append(np.where(alive, np.round(t), -1).astype(np.int64))
    moves = np.stack(times, axis=1)
    pid = np.repeat(np.arange(n), moves.shape[1])
    pt = moves.ravel()
    keep = pt >= 0
    place_events = pl.DataFrame({"period": pid[keep], "t": pt[keep]})
    # Forced changes: adoption placement; a last placement at home; SGO carers' home.
    extra = []
    if len(a):
        extra.append(pl.DataFrame({"period": a, "t": placed, "forced": ["ADOPT"] * len(a)}))
    home_at = end - rng.integers(30, 181, n)
    home = np.isin(rec, ["E4A"]) & court & (home_at > start + 60) & (rng.random(n) < 0.35)
    idx = np.nonzero(home)[0]
    if len(idx):
        extra.append(pl.DataFrame({"period": idx, "t": home_at[idx], "forced": ["P1"] * len(idx)}))
    forced = pl.concat(extra) if extra else pl.DataFrame(schema={"period": pl.Int64, "t": pl.Int64, "forced": pl.Utf8})
    place_events = (pl.concat([place_events.with_columns(forced=pl.lit(None, dtype=pl.Utf8)), forced],
                              how="vertical_relaxed")
                    .sort("period", "t", "forced", nulls_last=False)
                    .unique(["period", "t"], keep="last", maintain_order=True))
    # Forced events replace random moves that fall after them (the child stays put).
    last_forced = place_events.filter(pl.col("forced").is_not_null()).group_by("period").agg(f=pl.col("t").min())
    place_events = (place_events.join(last_forced, on="period", how="left", maintain_order="left")
                    .filter(pl.col("f").is_null() | (pl.col("t") <= pl.col("f")) | pl.col("forced").is_not_null())
                    .drop("f"))
    ev_period = place_events["period"].to_numpy()
    place_events = place_events.with_columns(
        age=pl.Series(np.floor((place_events["t"].to_numpy() - dob[ev_period]) / 365.25).astype(np.int64)),
        uasc=pl.Series(periods.uasc[ev_period]),
    )
    pe = place_events.join_asof(legal_frame.rename({"ls": "ls_at"}), on="t", by="period",
                                strategy="backward", check_sortedness=False)
    bands = age_band(pe["age"].to_numpy())
    uasc_rows = pe["uasc"].to_numpy()
    chosen = np.where(uasc_rows, draw_by_group(_UASC_MIX, bands, rng), draw_by_group(_MIX, bands, rng))
    forced_col = pe["forced"].to_numpy()
    chosen = np.where(forced_col == "P1", "P1", chosen)
    ls_at = pe["ls_at"].to_numpy()
    # Placement with parents needs a care order (not section 20, remand or protection).
    chosen = np.where((chosen == "P1") & ~np.isin(ls_at, ["C1", "C2", "E1"]), "U6", chosen)
    in_care = pe["t"].to_numpy() - start[pe["period"].to_numpy()]
    # Foster placements made after a year in care are often long-term (U1/U4).
    long_term = (in_care > 365) & (rng.random(len(pe)) < 0.5)
    chosen = np.where(long_term & (chosen == "U6"), "U4", np.where(long_term & (chosen == "U3"), "U1", chosen))
    # A child already placed at home is not "moved" home again (rule 435): the move goes to
    # a foster placement instead, and a planned return home that is already true is dropped.
    pe = pe.with_columns(place=pl.Series(chosen.astype(str)))
    again_home = (pl.col("place") == "P1") & (in_run("period", pl.col("place")) == "P1")
    pe = (pe.filter((~(again_home & (pl.col("forced") == "P1"))).fill_null(True))
          .with_columns(place=pl.when(again_home.fill_null(False)).then(pl.lit("U6")).otherwise(pl.col("place")))
          .with_columns(carer=pl.int_range(pl.len())))
    pe = _fix_adoption_and_sgo(pe, rec, rng)
    pe = _long_term_same_carer(pe, end, rng)
    pe = _registration_of_supported_accommodation(pe, end)
    adoption = pl.DataFrame({"period": a, "decision": decision, "placement_order": order, "match": match,
                             "placed": placed})
    cin = np.where(periods.uasc, "N8", draw(_CIN, n, rng))
    return Careers(legal_frame, pe.select("period", "t", "place", "carer"), adoption, cin)


def _fix_adoption_and_sgo(pe: pl.DataFrame, rec: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Adoption placements follow a foster placement; foster-carer SGOs end in foster care."""
    pe = pe.with_columns(rec=pl.Series(rec.astype(str)[pe["period"].to_numpy()]), is_last=pl.col("period").shift(-1).ne_missing(pl.col("period")),
                         next_forced=in_run("period", pl.col("forced"), -1))
    a5 = rng.random(pe.height) < 0.25
    foster = pl.col("place").str.starts_with("U")
    pe = pe.with_columns(
        place=pl.when(pl.col("forced") == "ADOPT").then(pl.when(pl.Series(a5)).then(pl.lit("A5")).otherwise(pl.lit("A6")))
        .when((pl.col("next_forced") == "ADOPT") & ~foster).then(pl.lit("U6"))
        .when(pl.col("is_last") & (pl.col("rec") == "E45") & ~pl.col("place").is_in(["U1", "U2", "U3"])).then(pl.lit("U3"))
        .when(pl.col("is_last") & (pl.col("rec") == "E46") & ~pl.col("place").is_in(["U4", "U5", "U6"])).then(pl.lit("U6"))
        .otherwise(pl.col("place"))
    )
    # Foster carers who adopt (A5) keep their carer id: a change of status, not a move.
    pe = pe.with_columns(
        carer=pl.when(pl.col("place") == "A5").then(in_run("period", pl.col("carer"))).otherwise(pl.col("carer")))
    return pe.drop("rec", "is_last", "next_forced")


def _long_term_same_carer(pe: pl.DataFrame, end: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Some short-term foster placements become long-term with the same carers (RNE T)."""
    pe = pe.with_columns(period_end=pl.Series(end[pe["period"].to_numpy()]))
    pe = pe.with_columns(seg_end=in_run("period", pl.col("t"), -1).fill_null(pl.col("period_end")))
    convert_at = pl.col("t") + 400
    candidate = (pl.col("place").is_in(["U3", "U6"]) & (convert_at < pl.col("seg_end") - 30)
                 & pl.Series(rng.random(pe.height) < 0.35))
    changes = pe.filter(candidate).with_columns(
        t=convert_at, place=pl.col("place").replace({"U3": "U1", "U6": "U4"}))
    return pl.concat([pe, changes]).sort("period", "t").drop("seg_end", "period_end")


SUPPORTED_REGISTRATION = day(dt.date(2023, 10, 28))


def _registration_of_supported_accommodation(pe: pl.DataFrame, end: np.ndarray) -> pl.DataFrame:
    """Supported accommodation had to register with Ofsted from 28 October 2023: a placement
    running across that day gets a new episode then, same carer, now with a URN (INDR)."""
    pe = pe.with_columns(period_end=pl.Series(end[pe["period"].to_numpy()]))
    pe = pe.with_columns(seg_end=in_run("period", pl.col("t"), -1).fill_null(pl.col("period_end")))
    spans = pe.filter((pl.col("place") == "IND") & (pl.col("t") < SUPPORTED_REGISTRATION)
                      & (pl.col("seg_end") > SUPPORTED_REGISTRATION))
    changes = spans.with_columns(t=pl.lit(SUPPORTED_REGISTRATION, dtype=pl.Int64), place=pl.lit("INDR"))
    return pl.concat([pe, changes]).sort("period", "t").drop("seg_end", "period_end")
