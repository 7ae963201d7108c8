"""The rest of a year's SSDA903 tables: OC2 outcomes, adoption, previous permanence, missing,
social worker episodes and deprivation of liberty orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days
from carestat.synth.columns import codes, day_strings
from carestat.synth.draw import draw_index
from carestat.synth.exits import ADOPTED
from carestat.synth.tables903 import dates, table

if TYPE_CHECKING:
    from carestat.synth.history import History
    from carestat.synth.tables903 import YearCut

_BIT = ("0", "1")
_SCORES = tuple(str(s) for s in range(41))
_SDQ_REASONS = {"SDQ2": 0.3, "SDQ4": 0.3, "SDQ5": 0.4}
_PREVIOUS = {"Z1": 0.9, "P1": 0.02, "P2": 0.05, "P3": 0.03}
_PREVIOUS_CODES = tuple(_PREVIOUS)
_ADOPTER_LS = ("L11", "L12", "L2", "L3", "L0")  # L11 married MF, L12/L2 same sex, L3 unmarried MF; L0 single
_ADOPTER_SEX = ("MM", "FF", "MF", "F1", "M1")


def _flag(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """1 with probability ``p`` (a position in ``_BIT``)."""
    return (rng.random(n) < p).astype(np.int64)


def oc2(cut: YearCut) -> pl.DataFrame:
    """Children looked after continuously for 12 months at 31 March (in care from 1 April to
    31 March in one period, as the DfE's validation defines it)."""
    p = cut.h.periods
    cohort = np.unique(p.child[(p.start <= cut.start) & (p.end >= cut.end)])
    n = len(cohort)
    rng = cut.rng
    dob = cut.h.children.dob[cohort]
    under_5 = add_years_days(dob, 5) > cut.end  # at 31 March
    over_10 = add_years_days(dob, 10) <= cut.end
    # SDQ from the year a child turns 4 to the year they turn 17 (rules 186, 188, 189, 197B).
    sdq_due = (add_years_days(dob, 4) <= cut.end) & (add_years_days(dob, 17) >= cut.start)
    has_score = sdq_due & (rng.random(n) < 0.82)
    score = np.clip(np.round(rng.normal(14.5, 7.0, n)), 0, 40).astype(int)
    reason = draw_index(_SDQ_REASONS.values(), n, rng)
    substance = over_10 & (rng.random(n) < 0.06)
    received = _flag(rng, n, 0.6)
    offered = _flag(rng, n, 0.5)
    return table(cut.child_columns(cohort), {
        "SDQ_SCORE": codes(_SCORES, score, ~has_score),
        "SDQ_REASON": codes(tuple(_SDQ_REASONS), reason, ~(sdq_due & ~has_score)),
        "CONVICTED": codes(_BIT, _flag(rng, n, 0.029), ~over_10),
        "HEALTH_CHECK": codes(_BIT, _flag(rng, n, 0.88), ~under_5),
        "IMMUNISATIONS": codes(_BIT, _flag(rng, n, 0.80)),
        "TEETH_CHECK": codes(_BIT, _flag(rng, n, 0.72)),
        "HEALTH_ASSESSMENT": codes(_BIT, _flag(rng, n, 0.90)),
        "SUBSTANCE_MISUSE": codes(_BIT, substance),
        "INTERVENTION_RECEIVED": codes(_BIT, received, ~substance),
        "INTERVENTION_OFFERED": codes(_BIT, offered, ~(substance & (received == 0))),
    })


class Adoptions:
    """A history's adoptions, one row per period with a decision to place for adoption (prepared
    once for every year's cut)."""

    def __init__(self, h: History) -> None:
        a, p = h.careers.adoption, h.periods
        period = a["period"].to_numpy()
        self.child, self.ended = p.child[period], p.end[period]
        self.adopted = np.isin(h.rec[period], ADOPTED)
        self.decision, self.match = a["decision"].to_numpy(), a["match"].to_numpy()
        # Adopted by their foster carers: the period's last placement is A5.
        e = h.episodes
        last = np.flatnonzero(e["is_last"].to_numpy())
        last_place = np.full(len(p), None, dtype=object)
        last_place[e["period"].to_numpy()[last]] = e["PLACE"].to_numpy()[last]
        self.by_foster_carers = last_place[period] == "A5"


def adoption_tables(cut: YearCut) -> tuple[pl.DataFrame, pl.DataFrame]:
    """AD1 for children adopted in the year; PlacedAdoption for every decision to place a child
    in the year's return (the decision is repeated in each later return while in care)."""
    a = cut.shared.adoptions
    now = np.flatnonzero(a.adopted & (a.ended >= cut.start) & (a.ended <= cut.end))
    n = len(now)
    rng = cut.rng
    couple = rng.random(n) < 0.8
    kind = draw_index([0.6, 0.15, 0.15, 0.1], n, rng)
    same_sex = np.where(rng.random(n) < 0.5, 0, 1)  # MM, FF
    single = np.where(rng.random(n) < 0.8, 3, 4)  # F1, M1
    sex = np.where(couple, np.where((kind == 1) | (kind == 2), same_sex, 2), single)
    ad1 = table(cut.child_columns(a.child[now]), {
        "DATE_INT": day_strings(a.decision[now]), "DATE_MATCH": day_strings(a.match[now]),
        "FOSTER_CARE": codes(_BIT, a.by_foster_carers[now]), "NB_ADOPTR": codes(("1", "2"), couple), "SEX_ADOPTR": codes(_ADOPTER_SEX, sex),
        "LS_ADOPTR": codes(_ADOPTER_LS, np.where(couple, kind, 4)),
    })
    shown = np.flatnonzero(np.isin(a.child, cut.in_episodes) & (a.decision <= cut.end))
    none = pl.Series([None] * len(shown), dtype=pl.String)
    placed = table(cut.child_columns(a.child[shown]), {"DATE_PLACED": day_strings(a.decision[shown]),
                                                       "DATE_PLACED_CEASED": none, "REASON_PLACED_CEASED": none})
    return ad1, placed


def previous_permanence(cut: YearCut) -> pl.DataFrame:
    """Children who started a period of care in the year: any earlier permanence order."""
    p = cut.h.periods
    new = (p.start >= cut.start) & (p.start <= cut.end)
    kids = p.child[new]
    n = len(kids)
    rng = cut.rng
    dob = cut.h.children.dob[kids]
    room = cut.shared.first_care[kids] - dob - 60
    code = draw_index(_PREVIOUS.values(), n, rng)
    code = np.where(room > 120, code, 0)  # babies have had no earlier order (Z1)
    # An earlier order was made before the child was ever looked after.
    when = dob + 30 + (rng.random(n) * np.maximum(room, 1)).astype(np.int64)
    first = np.sort(np.unique(kids, return_index=True)[1])  # a child's first period of the year
    kids, code, when = kids[first], code[first], when[first]
    none = code == 0
    return table(cut.child_columns(kids), {"PREV_PERM": codes(_PREVIOUS_CODES, code),
                         "LA_PERM": codes((cut.h.unit,), np.zeros(len(kids), dtype=np.int64), none),
                         "DATE_PERM": dates(when, none)})


def missing_table(cut: YearCut) -> pl.DataFrame:
    s = cut.shared
    rows = np.flatnonzero((s.mis_start <= cut.end) & (s.mis_end >= cut.start))
    return cut.cut(s.missing, rows, ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"), MIS_END=s.mis_end)


def social_worker_table(cut: YearCut) -> pl.DataFrame:
    s = cut.shared
    rows = np.flatnonzero((s.sw_start <= cut.end) & (s.sw_end >= cut.start) & np.isin(s.sw_child, cut.in_episodes))
    return cut.cut(s.social_workers, rows, ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"), SW_DEC=s.sw_end)


def dolo_table(cut: YearCut) -> pl.DataFrame:
    s = cut.shared
    rows = np.flatnonzero((s.dolo_start <= cut.end) & (s.dolo_end >= cut.start))
    return cut.cut(s.dolo, rows, ("CHILD", "DOB", "DOLO_START", "DOLO_END"), DOLO_END=s.dolo_end)


def outcome_tables(cut: YearCut) -> dict[str, pl.DataFrame]:
    ad1, placed = adoption_tables(cut)
    tables = {"OC2": oc2(cut), "AD1": ad1, "PlacedAdoption": placed, "PrevPerm": previous_permanence(cut),
              "Missing": missing_table(cut), "SWEpisodes": social_worker_table(cut), "DoLo": dolo_table(cut)}
    return {k: v for k, v in tables.items() if k in cut.spec.tables}
