"""Children in need: one LA's CIN history, simulated beside (and consistent with) its 903 history.

Every child looked after gets an episode of need around each spell of care: referred a little
before care starts (often with an assessment, a section 47 enquiry and a protection plan that ends
when care begins), open while looked after, closed when care ends with the reason that fits how it
ended (spells under six months apart share one episode). Other children's referrals come from
:mod:`carestat.synth.cin_referrals`, from a few years before the first census written. Then every
child gets an identity, disabilities and codes, and every plan its categories and reviews. Dates
are day numbers until :mod:`carestat.synth.cin_tables` cuts a year; ``y0``/``y1`` say which
censuses show each record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days, collection_year, day, not_overdue, workday_add
from carestat.synth.cin_referrals import (
    assessment_dates,
    assessment_days,
    icpc_days,
    simulate_referrals,
    target_value,
)
from carestat.synth.cin_tables import CinHistory
from carestat.synth.columns import codes, take
from carestat.synth.draw import draw_index
from carestat.synth.history import History
from carestat.synth.targets import PREDECESSORS

_BURN_IN = 4  # years of other children's history simulated before the first year written
_CATS = {"NEG": 50, "EMO": 37, "PHY": 7, "SAB": 4, "MUL": 2}  # category of abuse
_NEED = {"N0": 0, "N1": 57, "N2": 5, "N3": 4, "N4": 9, "N5": 18, "N6": 3, "N7": 0.5, "N8": 1.5, "N9": 0}
_SOURCE = {"6": 29, "2A": 19, "2B": 1.5, "3A": 2, "3B": 2.5, "3C": 1, "3D": 3.5, "3E": 3, "3F": 2.5, "5A": 3,
           "5B": 6, "5C": 1, "5D": 3, "1A": 5, "1B": 0.8, "1C": 0.8, "1D": 0.7, "4": 2.5, "7": 2, "8": 6,
           "9": 0.5, "10": 1.2}  # referral source
_REASONS = ["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"]
_DISABILITY = {"LD": 30, "AUT": 28, "BEH": 22, "COMM": 18, "PC": 8, "MOB": 8, "HAND": 3, "CON": 4, "INC": 5,
               "VIS": 3, "HEAR": 4, "DDA": 12}
_ETHNIC = {"WBRI": 64, "WIRI": 0.5, "WOTH": 5, "WIRT": 0.2, "WROM": 0.6, "MWBC": 3.2, "MWBA": 1.2, "MWAS": 1.4,
           "MOTH": 3.6, "AIND": 1, "APKN": 2.4, "ABAN": 1, "AOTH": 1.5, "BCRB": 1.6, "BAFR": 3.8, "BOTH": 1.2,
           "CHNE": 0.2, "OOTH": 3, "REFU": 0.4, "NOBT": 3.2}
# How care ended -> why the episode of need closed (RC7, services ceased, otherwise).
_RC_BY_REC = {"E11": 1, "E12": 1, "E2": 2, "E41": 3, "E3": 5, "E7": 6, **{f"E4{k}": 4 for k in "345678"}}
def _forced_episodes(h: History, rng: np.random.Generator, within45: float, within15: float) -> dict[str, np.ndarray]:
    """One episode per spell of care (spells under six months apart share one), with its intake."""
    p = h.periods
    order = _by(p.child, p.start)
    child, start, end, rec, n = p.child[order], p.start[order], p.end[order], h.rec[order].astype(str), len(order)
    emergency = rng.random(n) < 0.35
    ref = np.minimum(np.maximum(start - np.where(emergency, rng.integers(0, 4, n), rng.integers(14, 300, n)),
                                h.children.dob[child] - 200), start)
    s47, s_start = rng.random(n) < 0.5, np.minimum(ref + rng.integers(0, 3, n), start)
    icpc = not_overdue(s_start, workday_add(s_start, icpc_days(n, within15, rng)), 15)
    held = s47 & ~emergency & (rng.random(n) < 0.6) & (icpc < start - 1)
    a_start, auth = assessment_dates(ref, rng.integers(0, 4, n), assessment_days(n, within45, rng), s47, s_start,
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
            codes("ABCDEFGHJKLMNPQRTUVWXYZ", check) + pl.Series(la * 10**9 + school * 10**5 + serial % 1000).cast(pl.String))


def _disabilities(child: np.ndarray, disabled: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """NONE, or one to four distinct codes drawn by prevalence."""
    w, idx = np.array(list(_DISABILITY.values())), np.nonzero(disabled)[0]
    how_many = 1 + draw_index([0.45, 0.3, 0.17, 0.08], len(idx), rng)
    ranked = np.argsort(-(np.log(w) + rng.gumbel(size=(len(idx), len(w)))), axis=1, kind="stable")
    rows, col = np.nonzero(np.arange(len(w))[None, :] < how_many[:, None])
    who = np.r_[child[idx[rows]], child[~disabled]]
    which = np.r_[ranked[rows, col], np.full(int((~disabled).sum()), len(w))]
    order = np.argsort(who, kind="stable")
    return pl.DataFrame({"child": who[order], "code": codes([*_DISABILITY, "NONE"], which[order])})


def _by(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """The order sorting by ``major`` then ``minor``, ties kept in place (``np.lexsort((minor, major))``):
    when no ``major`` repeats (one record per episode), by placing each where its ``major`` falls;
    otherwise by sorting one combined key. Both several times faster."""
    if not len(major):
        return np.zeros(0, dtype=np.int64)
    major, minor = np.asarray(major, dtype=np.int64), np.asarray(minor, dtype=np.int64)
    low = major.min()
    slot = np.full(int(major.max() - low) + 1, -1, dtype=np.int64)
    slot[major - low] = np.arange(len(major))
    if np.count_nonzero(slot >= 0) == len(major):
        return slot[slot >= 0]
    first = minor.min()
    return np.argsort((major - low) * (int(minor.max() - first) + 1) + (minor - first), kind="stable")


def simulate_cin(unit: str, targets: pl.DataFrame, history: History, scale: float, seed: int,
                 written: Sequence[int]) -> CinHistory:
    """One simulated LA's children in need (``targets``: one row per simulated year) for censuses of the
    ``written`` years: other children's referrals start a few years before the first."""
    rng = np.random.default_rng([seed, int(unit), 51])
    years = targets["year"].to_list()
    rows = {r["year"]: r for r in targets.iter_rows(named=True)}
    start_year = max(years[0], min(written) - _BURN_IN)
    fo = _forced_episodes(history, rng, *(float(np.mean([target_value(rows[y], name, default) for y in years])) / 100
                                          for name, default in (("assessments_45_pct", 84.0), ("icpc_15d_pct", 80.0))))
    t, pool = simulate_referrals(rows, [y for y in years if start_year <= y <= max(written)], fo, unit, scale, rng)
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
        "ethnic": pl.concat([pl.Series(history.identity.ethnic[kids]), codes(list(_ETHNIC), draw_index(_ETHNIC.values(), m, rng))]),
        "upn": pl.concat([pl.Series(history.identity.upn[kids]), upns]),
        "upn_reason": codes(["", "UN2", "UN3", "UN4", "UN5"], np.r_[np.zeros(len(kids), np.int64), np.where(
            rng.random(m) < 0.03, 1 + draw_index([0.2, 0.3, 0.4, 0.1], m, rng), 0)]),
        "death": np.r_[death[kids], np.full(m, -1)], "uasc": np.r_[history.children.uasc[kids], np.zeros(m, bool)],
        "school_year": d4.astype("datetime64[Y]").astype(int) + 1970 + (month >= 8) + 2})
    disabled = np.r_[rng.random(len(kids)) < 0.1, (rng.random(m) < 0.06) | (pool.long_term[:m] & (rng.random(m) < 0.7))]
    # --- episodes: spells of care first, then the others ----------------------------------------------
    empty = np.zeros(0, np.int64)
    t = {k: t.get(k, empty) for k in ("child", "ref", "course", "a_start", "auth", "s_start", "icpc", "close", "cpp_end",
                                      "plan_start", "plan_end", "s47", "icpc_held", "no_factors")}
    course, o_child, o_close = t["course"], n903 + t["child"], t["close"]
    ep_f, ep_o = np.arange(nf), nf + np.arange(no)
    at18 = o_close == add_years_days(dob[len(kids) + t["child"]], 18) - 1  # the others follow those looked after
    # RC8 no further action after assessment, RC9 early help (from 2022/23); at 18 adult services or ceased.
    reason = np.select([at18, course == 0, course == 1], [
        np.where(rng.random(no) < 0.3, 6, 7), 7, np.where((rng.random(no) < 0.45) & (o_close >= day(dt.date(2022, 4, 1))), 9, 8)],
        np.array([7, 5, 3, 4])[draw_index([0.925, 0.06, 0.01, 0.005], no, rng)])
    need = np.select([course == 1, course == 4], [np.where(rng.random(no) < 0.35, 9, draw_index(_NEED.values(), no, rng)),
                                                  np.where(rng.random(no) < 0.7, 2, draw_index(_NEED.values(), no, rng))], draw_index(_NEED.values(), no, rng))
    ref_all, child_all = np.r_[fo["ref"], t["ref"]], np.r_[fo["child"], o_child]
    source = draw_index(_SOURCE.values(), nf + no, rng)
    source = np.where((source == 12) & (ref_all < day(dt.date(2022, 4, 1))), 10, source)  # early help (5D) from 2022/23
    order = _by(child_all, ref_all)
    close_all, nfa = np.r_[fo["close"], o_close], np.r_[np.zeros(nf, bool), course == 0][order]
    need_all = take(pl.concat([pl.Series(fo["need"], dtype=pl.String), codes(list(_NEED), need)], rechunk=True), order)
    ep_child = child_all[order]
    episodes = pl.DataFrame({
        "ep": np.r_[ep_f, ep_o][order], "child": ep_child, "ref": ref_all[order], "close": close_all[order],
        "source": codes(list(_SOURCE), source[order]), "need": need_all.scatter(np.nonzero(nfa)[0], None), "nfa": nfa,
        "reason": codes(_REASONS, np.r_[fo["reason"], reason][order] - 1), "y0": collection_year(ref_all)[order],
        "y1": collection_year(close_all)[order], "epi": np.arange(nf + no),
        "rereferral": np.r_[False, (ep_child[1:] == ep_child[:-1]) & (np.diff(ref_all[order]) <= 365)]})
    # --- assessments, enquiries, plans: each knows its episode's row and child, in document order --------
    row_of = np.empty(nf + no, dtype=np.int64)
    row_of[order] = np.arange(nf + no)

    def owned(**cols: np.ndarray | pl.Series) -> pl.DataFrame:
        """Records of episodes (``ep``) with ``y0``/``y1``, the censuses from their ``start`` to their
        ``end`` (or ``last``), and their episode's row and child, in document order."""
        last = cols.pop("last") if "last" in cols else cols["end"]
        epi = row_of[np.asarray(cols["ep"])]
        o = _by(epi, np.asarray(cols["start"]))
        return pl.DataFrame({**{k: take(v, o) if isinstance(v, pl.Series) else np.asarray(v)[o] for k, v in cols.items()},
                             "y0": collection_year(np.asarray(cols["start"]))[o], "y1": collection_year(np.asarray(last))[o],
                             "epi": epi[o], "child": ep_child[epi[o]]})

    has_a, s47, fs = course != 0, t["s47"], fo["s47"]
    held = np.r_[fo["icpc"][fs] >= 0, t["icpc_held"][s47]]
    s_start, icpc = np.r_[fo["s_start"][fs], t["s_start"][s47]], np.r_[fo["icpc"][fs], t["icpc"][s47]]
    plan_end = np.minimum(t["plan_end"], o_close)
    plan = np.isin(course, [3, 4, 6]) & (plan_end > t["plan_start"])
    pb, pa, fc, cpp = fo["plan_before"], fo["plan_after"], fo["cpp"], np.isin(course, [5, 6])
    cpps = owned(**_protection_plans(np.r_[ep_f[fc], ep_o[cpp]], np.r_[fo["child"][fc], o_child[cpp]],
                                     np.r_[fo["icpc"][fc], t["icpc"][cpp]],
                                     np.r_[fo["care_start"][fc], np.minimum(t["cpp_end"], o_close)[cpp]],
                                     {y: target_value(rows[y], "cpp_second_pct", 22.0) / 100 for y in years}, rng))
    auth = np.r_[fo["auth"], t["auth"][has_a]]
    return CinHistory(
        unit=unit, seed=(seed, int(unit)), children=children,
        disabilities=_disabilities(children["child"].to_numpy(), disabled, rng), episodes=episodes,
        assessments=owned(ep=np.r_[ep_f, ep_o[has_a]], start=np.r_[fo["a_start"], t["a_start"][has_a]], auth=auth,
                          no_factors=np.r_[np.zeros(nf, bool), t["no_factors"][has_a]], last=auth),
        section47=owned(ep=np.r_[ep_f[fs], ep_o[s47]], start=s_start, target=workday_add(s_start, 15),
                        icpc=np.where(held, icpc, -1), not_required=~held, last=np.where(held, icpc, s_start)),
        plans=owned(ep=np.r_[ep_f[pb], ep_f[pa], ep_o[plan]], start=np.r_[fo["auth"][pb], fo["care_end"][pa], t["plan_start"][plan]],
                    end=np.r_[fo["care_start"][pb], fo["close"][pa], plan_end[plan]]),
        cpps=cpps, reviews=_reviews(cpps))


def _protection_plans(ep: np.ndarray, child: np.ndarray, start: np.ndarray, end: np.ndarray,
                      second: dict[int, float], rng: np.random.Generator) -> dict[str, np.ndarray | pl.Series]:
    """Categories of abuse and the number of previous plans: earlier plans here, and for some children
    plans elsewhere before their first one here, so that each year's share of second or subsequent
    plans is ``second[year]``."""
    n, order = len(ep), _by(child, start)
    first = np.r_[True, child[order][1:] != child[order][:-1]]
    at = np.maximum.accumulate(np.where(first, np.arange(n), 0))  # the child's first plan
    here = np.arange(n) - at
    year = collection_year(start[order])
    elsewhere = np.zeros(n, dtype=np.int64)
    for y in np.unique(year):  # exactly enough first plans had earlier ones elsewhere
        m = year == y
        firsts = np.nonzero(m & (here == 0))[0]
        k = int(np.clip(round(second.get(int(y), 0.22) * m.sum() - (here[m] > 0).sum()), 0, len(firsts)))
        elsewhere[rng.choice(firsts, k, replace=False)] = rng.choice([1, 1, 1, 2, 2, 3], k)
    initial = draw_index(_CATS.values(), n, rng)
    latest = np.where(rng.random(n) < 0.88, initial, draw_index(_CATS.values(), n, rng))
    return {"cpp": np.arange(n), "ep": ep[order], "start": start[order], "end": end[order],
            "initial": codes(list(_CATS), initial), "latest": codes(list(_CATS), latest), "previous": here + elsewhere[at]}


def _reviews(cpps: pl.DataFrame) -> pl.DataFrame:
    """A review three months after the conference, then every six months, while the plan lasts: with
    its plan's episode row and child, in document order."""
    start, end = cpps["start"].to_numpy(), cpps["end"].to_numpy()
    count = np.maximum(0, (end - start - 91 + 181) // 182)
    which = np.repeat(np.arange(len(start)), count)
    dates = workday_add(start[which] + 91 + 182 * (np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)), 0)
    keep = (dates < end[which]) & (dates > start[which])
    which, dates = which[keep], dates[keep]
    epi = cpps["epi"].to_numpy()[which]
    o = _by(epi, dates)
    return pl.DataFrame({"cpp": cpps["cpp"].to_numpy()[which][o], "date": dates[o], "y0": collection_year(dates)[o],
                         "epi": epi[o], "child": cpps["child"].to_numpy()[which][o]})
