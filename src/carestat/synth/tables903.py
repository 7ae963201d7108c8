"""Cut one collection year's SSDA903 tables out of a simulated history.

Every table is returned with the DfE's column names and values as the return would hold them
(strings, dates dd/mm/yyyy). An episode still open on 31 March has no DEC, REC or reason for
placement change in that year's return; the next year's return shows how it ended.

A history is cut once a year, so what every year shares (each record written out as strings,
each child's last day in care and so on) is prepared on the first cut (:class:`Shared`); a
year's cut then picks its rows by position and blanks what is not yet known at its end. Coded
columns are built by position in a short list of codes rather than from numpy strings.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.calendar import add_years_days, day
from carestat.synth.careers import PLACEMENTS
from carestat.synth.columns import codes, day_strings, day_strings_or_null, take
from carestat.synth.draw import draw_index
from carestat.synth.episodes import REASONS
from carestat.synth.history import History

_REVIEW_CODES = {"PN1": 55, "PN2": 10, "PN3": 12, "PN4": 8, "PN5": 5, "PN6": 5, "PN7": 5}
_ACTIVITY = {"F1": 7, "P1": 1, "F2": 17, "P2": 3, "F4": 14, "P4": 9, "F5": 4, "P5": 1, "G4": 9, "G5": 25, "G6": 8}
_ACTIVITY_17_18 = {"F1": 3, "P1": 0.5, "F2": 40, "P2": 4, "F4": 13, "P4": 6, "F5": 4, "P5": 0.5, "G4": 6, "G5": 19,
                   "G6": 3}  # mostly still in education (same codes in the same order)
_ACCOM = {"B": 12, "C": 2, "D": 15, "E": 8, "G": 3, "H": 2, "K": 10, "R": 2, "S": 2, "T": 2, "U": 2, "V": 25,
          "W": 2, "X": 1, "Y": 6, "Z": 6}  # accommodation type (the letter before suitability)
_EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
# Registered supported accommodation is reported as H5 to 2023/24, as K3 from 2024/25.
_REPORTED_PLACE = {old: tuple(("H5" if old else "K3") if c == "H5R" else c for c in PLACEMENTS) for old in (True, False)}
_TOUCH = ("YES", "NO", "REFU", "NREQ", "RHOM")
_REVIEW_CODE_LIST = (*_REVIEW_CODES, "PN0")  # PN0: under 4
_ACTIVITY_CODES = (*_ACTIVITY, "0")  # 0: not in touch
_ACCOM_CODES = (*(a + s for a in _ACCOM for s in "12"), "0")  # type + suitable (1) or not (2); 0: not in touch


def table(*parts: pl.DataFrame | dict[str, pl.Series]) -> pl.DataFrame:
    """Frames and named Series side by side, as one frame (built directly, without a query)."""
    columns: list[pl.Series] = []
    for part in parts:
        columns += part.get_columns() if isinstance(part, pl.DataFrame) else [s.alias(n) for n, s in part.items()]
    return pl.DataFrame(columns)


def dates(days: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    """Day numbers as dd/mm/yyyy, null where ``blank`` (whose days need not be real)."""
    return day_strings(days) if blank is None else day_strings_or_null(days, blank)


class Shared:
    """What every year's cut of one history uses, prepared once."""

    def __init__(self, h: History) -> None:
        p, n = h.periods, len(h.children)
        dob = h.children.dob
        self.ids, self.dob = h.id_series, h.dob_series
        self.who = pl.DataFrame([self.ids, self.dob])  # CHILD and DOB, by child
        self.ethnic = pl.Series(h.identity.ethnic, dtype=pl.String)
        self.upn = pl.Series(np.r_[h.identity.upn, ["UN1"]], dtype=pl.String)  # and UN1 last, for under-5s
        self.last_end = np.full(n, -1, dtype=np.int64)
        np.maximum.at(self.last_end, p.child, p.end)
        self.first_care = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(self.first_care, p.child, p.start)
        self._care_leavers(h)
        from carestat.synth.outcomes903 import Adoptions

        self.adoptions = Adoptions(h)
        # Every record written out, but for what a year's cut blanks when it falls after its 31 March
        # (kept as day numbers and codes: a year's cut writes them).
        e, arrays = h.episodes, h.arrays
        assert arrays.placements is not None and arrays.reason is not None
        self.ep_child, self.ep_start, self.ep_end = arrays.child, arrays.start, arrays.end
        self.ep_place = arrays.placements["place"][arrays.placement]
        self.ep_rec, self.ep_reason, self.rec_codes = arrays.rec, arrays.reason, tuple(arrays.rec_codes)
        self.episodes = table({"CHILD": take(self.ids, self.ep_child), "DECOM": day_strings(self.ep_start)},
                              e.select("RNE", "LS", "CIN", "PLACE_PROVIDER", "HOME_POST", "PL_POST", "URN"))
        r = h.reviews
        self.rv_day = r["REVIEW"].to_numpy()
        rv_child = r["child"].to_numpy()
        self.rv_under4 = add_years_days(dob[rv_child], 4) > self.rv_day
        self.reviews = table(take(self.who, rv_child), {"REVIEW": day_strings(self.rv_day)})
        m = h.missing
        self.mis_start, self.mis_end = m["MIS_START"].to_numpy(), m["MIS_END"].to_numpy()
        self.missing = table(take(self.who, m["child"].to_numpy()),
                             {"MISSING": m["MISSING"], "MIS_START": day_strings(self.mis_start)})
        sw = h.social_workers
        self.sw_child, self.sw_start, self.sw_end = (sw[c].to_numpy() for c in ("child", "SW_DECOM", "SW_DEC"))
        self.social_workers = table(take(self.who, self.sw_child), {
            "SW_ID": sw["SW_ID"], "SW_DECOM": day_strings(self.sw_start),
            "SW_REASON": sw.select(pl.when(pl.col("first")).then(pl.lit("FCONTA")).otherwise(pl.col("reason")))
            .to_series()})
        d = h.dolo
        self.dolo_start, self.dolo_end = d["DOLO_START"].to_numpy(), d["DOLO_END"].to_numpy()
        self.dolo = table(take(self.who, d["child"].to_numpy()), {"DOLO_START": day_strings(self.dolo_start)})

    def _care_leavers(self, h: History) -> None:
        """Children who left care at 16 or over after at least 13 weeks in care since their 14th
        birthday, and not by adoption or death; with each 17th-21st birthday after they left."""
        p, dob = h.periods, h.children.dob
        n = len(dob)
        since14 = np.zeros(n, dtype=np.int64)
        np.add.at(since14, p.child, np.maximum(p.end - np.maximum(p.start, add_years_days(dob[p.child], 14)), 0))
        last_rec = np.full(n, "", dtype=object)
        order = np.argsort(p.end)
        last_rec[p.child[order]] = h.rec[order]
        eligible = (since14 >= 91) & (self.last_end > add_years_days(dob, 16)) & ~np.isin(
            last_rec, ["E2", "E3", "E11", "E12"])
        self.leaver_birthdays = []
        for age in range(17, 22):
            birthday = add_years_days(dob, age)
            # Left care before the birthday: one who leaves on it is still looked after that day
            # and needs no care leaver record (DfE rules 1007 and 1016).
            kids = np.flatnonzero(eligible & (self.last_end < birthday))
            self.leaver_birthdays.append((kids, birthday[kids]))


class YearCut:
    """The tables of one collection year for one history."""

    def __init__(self, h: History, year: int) -> None:
        self.h, self.year = h, year
        self.start, self.end = day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))
        self.spec = spec("903", year)
        self.rng = np.random.default_rng([*h.seed, year])
        shared = h.derived.get("903")
        if shared is None:
            shared = h.derived["903"] = Shared(h)
        self.shared: Shared = shared
        self.episode_rows = np.flatnonzero((shared.ep_start <= self.end) & (shared.ep_end >= self.start))
        self.in_episodes = np.unique(shared.ep_child[self.episode_rows])

    # -- helpers -------------------------------------------------------------------------
    def child_columns(self, child: np.ndarray) -> pl.DataFrame:
        """CHILD and DOB of the children (by index) of a table's rows."""
        return take(self.shared.who, child)

    def sex_code(self, sex: np.ndarray) -> pl.Series:
        return codes(("1", "2") if self.year <= 2024 else ("M", "F"), sex)  # male, female

    def cut(self, prepared: pl.DataFrame, rows: np.ndarray, order: tuple[str, ...],
            **columns: pl.Series | np.ndarray) -> pl.DataFrame:
        """``rows`` of a prepared table with more ``columns``, in ``order``: day numbers (for the
        prepared table's rows) become dates, blank after 31 March."""
        out = {c.name: c for c in take(prepared, rows).get_columns()}
        for name, column in columns.items():
            out[name] = column if isinstance(column, pl.Series) else dates(column[rows], column[rows] > self.end)
        return table({c: out[c] for c in order})

    # -- tables --------------------------------------------------------------------------
    def episodes_table(self) -> pl.DataFrame:
        s, rows = self.shared, self.episode_rows
        still_open = s.ep_end[rows] > self.end
        reason = s.ep_reason[rows]
        return self.cut(s.episodes, rows, _EPISODE_COLUMNS, DEC=s.ep_end,
                        PLACE=codes(_REPORTED_PLACE[self.year <= 2024], s.ep_place[rows]),
                        REC=codes(s.rec_codes, s.ep_rec[rows], still_open),
                        REASON_PLACE_CHANGE=codes(REASONS, reason, still_open | (reason < 0)))

    def care_leavers(self) -> np.ndarray:
        """Children (by index) whose 17th-21st birthday falls in the year, who left care at 16 or
        over after at least 13 weeks in care since their 14th birthday, and are not in care on the
        birthday."""
        left = self.shared.last_end
        rows = [kids[(birthday >= self.start) & (birthday <= self.end) & (left[kids] <= self.end)]
                for kids, birthday in self.shared.leaver_birthdays]
        return np.concatenate(rows)

    def oc3_table(self, leavers: np.ndarray) -> pl.DataFrame:
        n = len(leavers)
        rng = self.rng
        dob = self.h.children.dob[leavers]
        young = add_years_days(dob, 19) > self.end  # aged 17 or 18 at the end of the year
        touch = np.where(young, draw_index([0.93, 0.03, 0.01, 0.02, 0.01], n, rng),
                         draw_index([0.91, 0.03, 0.012, 0.03, 0.018], n, rng))
        activity = np.where(young, draw_index(_ACTIVITY_17_18.values(), n, rng), draw_index(_ACTIVITY.values(), n, rng))
        letters = draw_index(_ACCOM.values(), n, rng)
        # No foyer (T) under 18 at the start of the year (347); not with former foster carers (Z)
        # around the 17th birthday (3001).
        accom = list(_ACCOM)
        under_18 = add_years_days(dob, 18) > self.start
        letters = np.where(under_18 & np.isin(letters, [accom.index("T"), accom.index("Z")]), accom.index("D"), letters)
        # Emergency accommodation (S) and no fixed abode (X) are never suitable.
        unsuitable = (rng.random(n) >= 0.975) | np.isin(letters, [accom.index("S"), accom.index("X")])
        in_touch = touch == 0
        return table(self.child_columns(leavers), {
            "IN_TOUCH": codes(_TOUCH, touch),
            "ACTIV": codes(_ACTIVITY_CODES, np.where(in_touch, activity, len(_ACTIVITY))),
            "ACCOM": codes(_ACCOM_CODES, np.where(in_touch, 2 * letters + unsuitable, 2 * len(accom)))})

    def header_table(self, leavers: np.ndarray) -> pl.DataFrame:
        h, s = self.h, self.shared
        kids = np.unique(np.concatenate([self.in_episodes, leavers]))
        dob = h.children.dob[kids]
        in_care = np.isin(kids, self.in_episodes)
        # UN1 only before school age: DOB + 4 years after 31 August of the year before the year began.
        reference = day(dt.date(self.year - 2, 8, 31))
        school_age = add_years_days(dob, 4) <= reference
        girl = h.children.sex[kids] == 1
        mother_day = h.identity.mother_date[kids]
        is_mother = (mother_day >= 0) & (mother_day <= self.end)
        return table({
            "CHILD": take(s.ids, kids), "SEX": self.sex_code(h.children.sex[kids]), "DOB": take(s.dob, kids),
            "ETHNIC": take(s.ethnic, kids), "UPN": take(s.upn, np.where(school_age, kids, len(s.upn) - 1)),
            "MOTHER": codes(["0", "1"], is_mother, ~(girl & in_care)),
            "MC_DOB": dates(mother_day, ~(girl & in_care & is_mother))})

    def reviews_table(self) -> pl.DataFrame:
        s = self.shared
        rows = np.flatnonzero((s.rv_day >= self.start) & (s.rv_day <= self.end))
        code = np.where(s.rv_under4[rows], len(_REVIEW_CODES), draw_index(_REVIEW_CODES.values(), len(rows), self.rng))
        return table(take(s.reviews, rows), {"REVIEW_CODE": codes(_REVIEW_CODE_LIST, code)})

    def uasc_table(self) -> pl.DataFrame:
        kids = self.in_episodes[self.h.children.uasc[self.in_episodes]]
        dob = self.h.children.dob[kids]
        # UASC status ends at 18, recorded from the first return on (DfE rule 205B); a child who
        # leaves care before 18 stops being reported as UASC when they leave (205A).
        eighteenth = add_years_days(dob, 18)
        left = self.shared.last_end[kids]
        duc = np.where((left <= self.end) & (left < eighteenth), left, eighteenth)
        return table({"CHILD": take(self.shared.ids, kids), "SEX": self.sex_code(self.h.children.sex[kids]),
                      "DOB": take(self.shared.dob, kids), "DUC": day_strings(duc)})

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
