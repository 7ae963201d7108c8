"""Cut one collection year's SSDA903 tables out of a simulated history.

Every table is returned with the DfE's column names and values as the return would hold them
(strings, dates dd/mm/yyyy). An episode still open on 31 March has no DEC, REC or reason for
placement change in that year's return; the next year's return shows how it ended.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.calendar import add_years_days, day
from carestat.synth.columns import date_str, day_strings, opt_str
from carestat.synth.draw import draw, draw_index
from carestat.synth.history import History

_REVIEW_CODES = {"PN1": 55, "PN2": 10, "PN3": 12, "PN4": 8, "PN5": 5, "PN6": 5, "PN7": 5}
_ACTIVITY = {"F1": 7, "P1": 1, "F2": 17, "P2": 3, "F4": 14, "P4": 9, "F5": 4, "P5": 1, "G4": 9, "G5": 25, "G6": 8}
_ACTIVITY_17_18 = {"F1": 3, "P1": 0.5, "F2": 40, "P2": 4, "F4": 13, "P4": 6, "F5": 4, "P5": 0.5, "G4": 6, "G5": 19,
                   "G6": 3}  # mostly still in education
_ACCOM = {"B": 12, "C": 2, "D": 15, "E": 8, "G": 3, "H": 2, "K": 10, "R": 2, "S": 2, "T": 2, "U": 2, "V": 25,
          "W": 2, "X": 1, "Y": 6, "Z": 6}  # accommodation type (the letter before suitability)


class YearCut:
    """The tables of one collection year for one history."""

    def __init__(self, h: History, year: int) -> None:
        self.h, self.year = h, year
        self.start, self.end = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
        self.spec = spec("903", year)
        self.rng = np.random.default_rng([*h.seed, year])
        ep = h.episodes
        self.episodes = ep.filter((pl.col("DECOM") <= self.end) & (pl.col("DEC") >= self.start))
        self.in_episodes = np.unique(self.episodes["child"].to_numpy())

    # -- helpers -------------------------------------------------------------------------
    def child_columns(self, child: pl.Expr) -> list[pl.Expr]:
        return [pl.lit(self.h.id_series).gather(child).alias("CHILD"),
                pl.lit(self.h.dob_series).gather(child).alias("DOB")]

    def sex_code(self, sex: np.ndarray) -> np.ndarray:
        male, female = ("1", "2") if self.year <= 2024 else ("M", "F")
        return np.where(sex == 1, female, male)

    # -- tables --------------------------------------------------------------------------
    def episodes_table(self) -> pl.DataFrame:
        e = self.episodes
        still_open = pl.col("DEC") > self.end
        # Registered supported accommodation is reported as H5 to 2023/24, as K3 from 2024/25.
        place = pl.col("PLACE").replace({"H5R": "H5" if self.year <= 2024 else "K3"})
        return e.select(
            CHILD=pl.lit(self.h.id_series).gather(pl.col("child")),
            DECOM=date_str(pl.col("DECOM")),
            RNE="RNE", LS="LS", CIN="CIN", PLACE=place, PLACE_PROVIDER="PLACE_PROVIDER",
            DEC=pl.when(still_open).then(None).otherwise(date_str(pl.col("DEC"))),
            REC=pl.when(still_open).then(None).otherwise(pl.col("REC")),
            REASON_PLACE_CHANGE=pl.when(still_open).then(None).otherwise(pl.col("REASON_PLACE_CHANGE")),
            HOME_POST="HOME_POST", PL_POST="PL_POST", URN="URN",
        )

    def care_leavers(self) -> pl.DataFrame:
        """Children whose 17th-21st birthday falls in the year, who left care at 16 or over after at
        least 13 weeks in care since their 14th birthday, and are not in care on the birthday."""
        p, dob = self.h.periods, self.h.children.dob
        n = len(dob)
        since14 = np.zeros(n, dtype=np.int64)
        np.add.at(since14, p.child, np.maximum(p.end - np.maximum(p.start, add_years_days(dob[p.child], 14)), 0))
        last_end = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last_end, p.child, p.end)
        last_rec = np.full(n, "", dtype=object)
        order = np.argsort(p.end)
        last_rec[p.child[order]] = self.h.rec[order]
        sixteenth = add_years_days(dob, 16)
        eligible = (since14 >= 91) & (last_end > sixteenth) & (last_end <= self.end) & ~np.isin(
            last_rec, ["E2", "E3", "E11", "E12"])
        rows = []
        for age in range(17, 22):
            birthday = add_years_days(dob, age)
            # Left care before the birthday: one who leaves on it is still looked after that day
            # and needs no care leaver record (DfE rules 1007 and 1016).
            ok = eligible & (birthday >= self.start) & (birthday <= self.end) & (last_end < birthday)
            rows.append(np.nonzero(ok)[0])
        return pl.DataFrame({"child": np.concatenate(rows) if rows else np.array([], dtype=np.int64)})

    def oc3_table(self, leavers: pl.DataFrame) -> pl.DataFrame:
        n = leavers.height
        rng = self.rng
        dob = self.h.children.dob[leavers["child"].to_numpy()]
        young = add_years_days(dob, 19) > self.end  # aged 17 or 18 at the end of the year
        touch_codes = np.array(["YES", "NO", "REFU", "NREQ", "RHOM"])
        touch = np.where(young, touch_codes[draw_index([0.93, 0.03, 0.01, 0.02, 0.01], n, rng)],
                         touch_codes[draw_index([0.91, 0.03, 0.012, 0.03, 0.018], n, rng)])
        activity = np.where(touch == "YES", np.where(young, draw(_ACTIVITY_17_18, n, rng), draw(_ACTIVITY, n, rng)),
                            "0")
        letters = draw(_ACCOM, n, rng)
        # No foyer (T) under 18 at the start of the year (347); not with former foster carers (Z)
        # around the 17th birthday (3001).
        under_18 = add_years_days(dob, 18) > self.start
        letters = np.where(under_18 & np.isin(letters, ["T", "Z"]), "D", letters)
        # Emergency accommodation (S) and no fixed abode (X) are never suitable.
        suitable = np.where((rng.random(n) < 0.975) & ~np.isin(letters, ["S", "X"]), "1", "2")
        accom = np.where(touch == "YES", np.char.add(letters.astype(str), suitable), "0")
        return leavers.select(*self.child_columns(pl.col("child"))).with_columns(
            IN_TOUCH=pl.Series(touch), ACTIV=pl.Series(activity.astype(str)), ACCOM=pl.Series(accom.astype(str)))

    def header_table(self, leavers: pl.DataFrame) -> pl.DataFrame:
        h = self.h
        kids = np.unique(np.concatenate([self.in_episodes, leavers["child"].to_numpy()]))
        dob = h.children.dob[kids]
        in_care = np.isin(kids, self.in_episodes)
        # UN1 only before school age: DOB + 4 years after 31 August of the year before the year began.
        reference = day(dt.date(self.year - 2, 8, 31))
        school_age = add_years_days(dob, 4) <= reference
        upn = np.where(school_age, h.identity.upn[kids], "UN1")
        girl = h.children.sex[kids] == 1
        mother_day = h.identity.mother_date[kids]
        is_mother = (mother_day >= 0) & (mother_day <= self.end)
        mother = opt_str(girl & in_care, np.where(is_mother, "1", "0"))
        mc_dob = np.where(girl & in_care & is_mother, mother_day, -1)
        frame = pl.DataFrame({"child": kids, "mc": mc_dob})
        return frame.select(
            CHILD=pl.lit(h.id_series).gather(pl.col("child")),
            SEX=pl.Series(self.sex_code(h.children.sex[kids])),
            DOB=day_strings(dob),
            ETHNIC=pl.Series(h.identity.ethnic[kids]),
            UPN=pl.Series(upn),
            MOTHER=mother,
            MC_DOB=pl.when(pl.col("mc") >= 0).then(date_str(pl.col("mc"))),
        )

    def reviews_table(self) -> pl.DataFrame:
        r = self.h.reviews.filter((pl.col("REVIEW") >= self.start) & (pl.col("REVIEW") <= self.end))
        dob = self.h.children.dob[r["child"].to_numpy()]
        under4 = add_years_days(dob, 4) > r["REVIEW"].to_numpy()
        code = np.where(under4, "PN0", draw(_REVIEW_CODES, r.height, self.rng))
        return r.select(*self.child_columns(pl.col("child")), REVIEW=date_str(pl.col("REVIEW")),
                        REVIEW_CODE=pl.Series(code))

    def uasc_table(self) -> pl.DataFrame:
        kids = self.in_episodes[self.h.children.uasc[self.in_episodes]]
        dob = self.h.children.dob[kids]
        # UASC status ends at 18, recorded from the first return on (DfE rule 205B); a child who
        # leaves care before 18 stops being reported as UASC when they leave (205A).
        p = self.h.periods
        last_end = np.full(len(self.h.children), -1, dtype=np.int64)
        np.maximum.at(last_end, p.child, p.end)
        eighteenth = add_years_days(dob, 18)
        left = last_end[kids]
        duc = np.where((left <= self.end) & (left < eighteenth), left, eighteenth)
        frame = pl.DataFrame({"child": kids, "duc": duc})
        return frame.select(
            CHILD=pl.lit(self.h.id_series).gather(pl.col("child")),
            SEX=pl.Series(self.sex_code(self.h.children.sex[kids])),
            DOB=day_strings(dob),
            DUC=date_str(pl.col("duc")),
        )

    def tables(self) -> dict[str, pl.DataFrame]:
        leavers = self.care_leavers()
        from carestat.synth.outcomes903 import outcome_tables

        out = {
            "Header": self.header_table(leavers),
            "Episodes": self.episodes_table(),
            "Reviews": self.reviews_table(),
            "UASC": self.uasc_table(),
            "OC3": self.oc3_table(leavers),
            **outcome_tables(self),
        }
        return {name: out[name] for name in self.spec.tables if name in out}
