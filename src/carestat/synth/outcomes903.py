"""The rest of a year's SSDA903 tables: OC2 outcomes, adoption, previous permanence, missing,
social worker episodes and deprivation of liberty orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days
from carestat.synth.columns import date_str, opt_str
from carestat.synth.draw import draw, draw_index
from carestat.synth.exits import ADOPTED

if TYPE_CHECKING:
    from carestat.synth.tables903 import YearCut


def _flag(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    return np.where(rng.random(n) < p, "1", "0")


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
    reason = draw({"SDQ2": 0.3, "SDQ4": 0.3, "SDQ5": 0.4}, n, rng)
    substance = np.where(over_10 & (rng.random(n) < 0.06), "1", "0")
    received = _flag(rng, n, 0.6)
    offered = _flag(rng, n, 0.5)
    return pl.DataFrame({"child": cohort}).select(
        *cut.child_columns(pl.col("child")),
        SDQ_SCORE=opt_str(has_score, score),
        SDQ_REASON=opt_str(sdq_due & ~has_score, reason),
        CONVICTED=opt_str(over_10, _flag(rng, n, 0.029)),
        HEALTH_CHECK=opt_str(under_5, _flag(rng, n, 0.88)),
        IMMUNISATIONS=pl.Series(_flag(rng, n, 0.80)),
        TEETH_CHECK=pl.Series(_flag(rng, n, 0.72)),
        HEALTH_ASSESSMENT=pl.Series(_flag(rng, n, 0.90)),
        SUBSTANCE_MISUSE=pl.Series(substance),
        INTERVENTION_RECEIVED=opt_str(substance == "1", received),
        INTERVENTION_OFFERED=opt_str((substance == "1") & (received == "0"), offered),
    )


def adoption_tables(cut: YearCut) -> tuple[pl.DataFrame, pl.DataFrame]:
    """AD1 for children adopted in the year; PlacedAdoption for every decision to place a child
    in the year's return (the decision is repeated in each later return while in care)."""
    a = cut.h.careers.adoption
    p = cut.h.periods
    period = a["period"].to_numpy()
    child = p.child[period]
    ended = p.end[period]
    rec = cut.h.rec[period]
    adopted_now = np.isin(rec, ADOPTED) & (ended >= cut.start) & (ended <= cut.end)
    rng = cut.rng
    last_place = (cut.h.episodes.filter(pl.col("is_last")).select("period", "PLACE"))
    a = a.with_columns(child=pl.Series(child)).join(last_place, on="period", how="left")
    ad = a.filter(pl.Series(adopted_now))
    n = ad.height
    couple = rng.random(n) < 0.8
    kind = draw_index([0.6, 0.15, 0.15, 0.1], n, rng)  # L11 married MF, L12/L2 same sex, L3 unmarried MF
    ls = np.where(couple, np.array(["L11", "L12", "L2", "L3"])[kind], "L0")
    same_sex = np.where(rng.random(n) < 0.5, "MM", "FF")
    sex = np.where(couple, np.where(np.isin(ls, ["L12", "L2"]), same_sex, "MF"),
                   np.where(rng.random(n) < 0.8, "F1", "M1"))
    ad1 = ad.select(
        *cut.child_columns(pl.col("child")),
        DATE_INT=date_str(pl.col("decision")), DATE_MATCH=date_str(pl.col("match")),
        FOSTER_CARE=pl.when(pl.col("PLACE") == "A5").then(pl.lit("1")).otherwise(pl.lit("0")),
        NB_ADOPTR=pl.Series(np.where(couple, "2", "1")), SEX_ADOPTR=pl.Series(sex), LS_ADOPTR=pl.Series(ls),
    )
    in_return = np.isin(child, cut.in_episodes) & (a["decision"].to_numpy() <= cut.end)
    placed = a.filter(pl.Series(in_return)).select(
        *cut.child_columns(pl.col("child")), DATE_PLACED=date_str(pl.col("decision")),
        DATE_PLACED_CEASED=pl.lit(None, dtype=pl.Utf8), REASON_PLACED_CEASED=pl.lit(None, dtype=pl.Utf8))
    return ad1, placed


def previous_permanence(cut: YearCut) -> pl.DataFrame:
    """Children who started a period of care in the year: any earlier permanence order."""
    p = cut.h.periods
    new = (p.start >= cut.start) & (p.start <= cut.end)
    kids = p.child[new]
    n = len(kids)
    rng = cut.rng
    dob = cut.h.children.dob[kids]
    first_care = np.full(len(cut.h.children), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_care, p.child, p.start)
    room = first_care[kids] - dob - 60
    code = draw({"Z1": 0.9, "P1": 0.02, "P2": 0.05, "P3": 0.03}, n, rng)
    code = np.where(room > 120, code, "Z1")  # babies have had no earlier order
    # An earlier order was made before the child was ever looked after.
    when = dob + 30 + (rng.random(n) * np.maximum(room, 1)).astype(np.int64)
    frame = pl.DataFrame({"child": kids, "code": code, "when": when}).unique("child", keep="first",
                                                                              maintain_order=True)
    return frame.select(
        *cut.child_columns(pl.col("child")), PREV_PERM="code",
        LA_PERM=pl.when(pl.col("code") != "Z1").then(pl.lit(cut.h.unit)),
        DATE_PERM=pl.when(pl.col("code") != "Z1").then(date_str(pl.col("when"))),
    )


def missing_table(cut: YearCut) -> pl.DataFrame:
    m = cut.h.missing.filter((pl.col("MIS_START") <= cut.end) & (pl.col("MIS_END") >= cut.start))
    return m.select(*cut.child_columns(pl.col("child")), MISSING="MISSING", MIS_START=date_str(pl.col("MIS_START")),
                    MIS_END=pl.when(pl.col("MIS_END") > cut.end).then(None).otherwise(date_str(pl.col("MIS_END"))))


def social_worker_table(cut: YearCut) -> pl.DataFrame:
    sw = cut.h.social_workers.filter((pl.col("SW_DECOM") <= cut.end) & (pl.col("SW_DEC") >= cut.start)
                                     & pl.col("child").is_in(cut.in_episodes))
    return sw.select(
        *cut.child_columns(pl.col("child")), SW_ID="SW_ID", SW_DECOM=date_str(pl.col("SW_DECOM")),
        SW_DEC=pl.when(pl.col("SW_DEC") > cut.end).then(None).otherwise(date_str(pl.col("SW_DEC"))),
        SW_REASON=pl.when(pl.col("first")).then(pl.lit("FCONTA")).otherwise(pl.col("reason")),
    )


def dolo_table(cut: YearCut) -> pl.DataFrame:
    d = cut.h.dolo.filter((pl.col("DOLO_START") <= cut.end) & (pl.col("DOLO_END") >= cut.start))
    return d.select(*cut.child_columns(pl.col("child")), DOLO_START=date_str(pl.col("DOLO_START")),
                    DOLO_END=pl.when(pl.col("DOLO_END") > cut.end).then(None).otherwise(date_str(pl.col("DOLO_END"))))


def outcome_tables(cut: YearCut) -> dict[str, pl.DataFrame]:
    ad1, placed = adoption_tables(cut)
    tables = {"OC2": oc2(cut), "AD1": ad1, "PlacedAdoption": placed, "PrevPerm": previous_permanence(cut),
              "Missing": missing_table(cut), "SWEpisodes": social_worker_table(cut), "DoLo": dolo_table(cut)}
    return {k: v for k, v in tables.items() if k in cut.spec.tables}
