"""Cut collection years' CIN censuses out of a simulated CIN history.

A year's census holds every child with an episode of need open at some point in the year, and in
each episode what was open or happened in the year: assessments completed in the year or still
open at 31 March, enquiries whose conference fell in the year (or is still to come, or was not
needed), plans open at some point in the year, and reviews held in it. Anything after 31 March is
left out. Tables are strings (dates ISO, as the XML carries them) in document order, keyed by
LAchildID, CINdetailsID (per child), AssessmentID and CPPID (per episode), as the DfE's tools number
them. A history is prepared once for all its censuses (numbers, and strings as positions among their
few distinct values); a census then picks its records and their strings by position, column by
column, with no query to plan and no string built.

Also here: the shape of a simulated history (``CinHistory``, which
:func:`carestat.synth.cin_model.simulate_cin` returns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.calendar import day, year_end
from carestat.synth.columns import date_str, take

_KEYS = {"ChildIdentifiers": ["LAchildID"], "ChildCharacteristics": ["LAchildID"], "Disabilities": ["LAchildID"],
         "CINdetails": ["LAchildID", "CINdetailsID"], "Assessments": ["LAchildID", "CINdetailsID", "AssessmentID"],
         "AssessmentFactorsList": ["LAchildID", "CINdetailsID", "AssessmentID"],
         "CINplanDates": ["LAchildID", "CINdetailsID"], "Section47": ["LAchildID", "CINdetailsID"],
         "ChildProtectionPlans": ["LAchildID", "CINdetailsID", "CPPID"],
         "Reviews": ["LAchildID", "CINdetailsID", "CPPID"]}


@dataclass
class CinHistory:
    """One LA's children in need, as day numbers; ``y0``/``y1``: first and last census showing a record.
    Records of an episode carry its row in ``episodes`` (``epi``) and its child, in document order."""

    unit: str
    seed: tuple[int, ...]
    children: pl.DataFrame  # child, LAchildID, dob, sex, ethnic, upn, upn_reason, death, uasc, school_year
    disabilities: pl.DataFrame  # child, code
    episodes: pl.DataFrame  # epi, ep, child, ref, close, source, need, nfa, reason, rereferral
    assessments: pl.DataFrame  # ep, start, auth, no_factors
    section47: pl.DataFrame  # ep, start, target, icpc (or -1), not_required
    plans: pl.DataFrame  # ep, start, end
    cpps: pl.DataFrame  # cpp, ep, start, end, initial, latest, previous
    reviews: pl.DataFrame  # cpp, date
    _prepared: _Prepared | None = field(default=None, init=False, repr=False, compare=False)  # see cin_year_tables
    _arrays: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def disabled(self) -> np.ndarray:
        """The children with a disability (sorted)."""
        return np.unique(self.disabilities.filter(pl.col("code") != "NONE")["child"].to_numpy())

    def array(self, table: str, name: str) -> np.ndarray:
        """A column of one of the history's frames (``table``: the attribute) as numpy, made once."""
        key = (table, name)
        if key not in self._arrays:
            self._arrays[key] = getattr(self, table)[name].to_numpy()
        return self._arrays[key]

    @cached_property
    def closed_after_assessment(self) -> np.ndarray:
        """Per episode: closed after assessment (RC8, or RC9 from 2021/22), that is assessed not in need."""
        return self.episodes["reason"].is_in(["RC8", "RC9"]).to_numpy()


# --- cutting ---------------------------------------------------------------------------------------
def table_columns(name: str, year: int) -> list[str]:
    """A table's key columns followed by its fields in XML order."""
    keys = _KEYS[name]
    return keys + [c for c in spec("cin", year).table(name).columns if c not in keys]
# Factors identified at assessment: (code, base log-odds, weight on family adversity z, on domestic
# abuse, first year) - parental domestic abuse, mental health and substance misuse travel together.
_FAMILY = [("1B", -2.4, 0.8, 0.7), ("2B", -2.1, 0.8, 0.6), ("4B", -1.0, 0.7, 0.5), ("16A", -1.9, 0.9, 0.3),
           ("17A", -1.8, 0.5, 1.0), ("1C", -4.0, 0.5, 0.5), ("2C", -3.9, 0.5, 0.5), ("4C", -3.5, 0.4, 0.2),
           ("5B", -3.3, 0.3, 0.0), ("6B", -3.0, 0.3, 0.0), ("7A", -3.9, 0.3, 0.0), ("20", -2.6, 0.0, 0.0),
           ("18C", -2.4, 0.4, 0.6), ("19C", -3.2, 0.2, 0.0), ("23A", -6.0, 0.0, 0.0), ("22A", -6.3, 0.0, 0.0)]
# Adolescent risks (children aged 11+): log-odds, weight on a shared exploitation factor.
_TEEN = [("4A", -1.0, 0.4), ("15A", -2.1, 0.6), ("14A", -2.3, 0.8), ("10A", -2.6, 1.2), ("11A", -3.2, 1.3),
         ("24A", -3.0, 1.4), ("13A", -3.6, 1.3), ("2A", -3.0, 1.0), ("1A", -3.6, 0.8), ("18B", -3.5, 0.5),
         ("19B", -3.8, 0.5)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _factors(start: np.ndarray, dob: np.ndarray, disabled: np.ndarray, uasc: np.ndarray, none: np.ndarray, year: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Sets of factors for completed assessments (started on ``start`` by children born on ``dob``;
    ``none``: no factors recorded): the assessment of each factor and its code (a position in the
    codes listed last), in a stable order."""
    n = len(start)
    age = (start - dob) // 365
    teen = age >= 11
    z, x = rng.normal(size=n), rng.normal(size=n)
    u = rng.random((35, n))  # one draw per factor and assessment, as 35 draws of n in turn would give
    dv = u[0] < _sigmoid(-0.8 + 0.9 * z)
    family = u[4:20] < _sigmoid(_FAMILY_W[:, :1] + _FAMILY_W[:, 1:2] * z + _FAMILY_W[:, 2:] * dv)
    risks = teen & (u[20:31] < _sigmoid(_TEEN_W[:, :1] + _TEEN_W[:, 1:] * x))
    risks[0] |= (age >= 6) & ~teen & (u[31] < 0.08)  # 4A
    cols = {"3B": dv & (u[1] < 0.9), "3A": dv & (u[2] < 0.72), "3C": dv & (u[3] < 0.06),
            **{code: family[i] for i, (code, *_) in enumerate(_FAMILY)}, **{code: risks[i] for i, (code, *_) in enumerate(_TEEN)},
            "5A": u[32] < np.where(disabled, 0.5, 0.02), "6A": u[33] < np.where(disabled, 0.3, 0.015), "8F": u[34] < 0.004,
            "9A": uasc}
    if year < 2021:  # physical and sexual abuse were not split by who abused before 2020/21
        cols["18A"], cols["19A"] = cols.pop("18B") | cols.pop("18C"), cols.pop("19B") | cols.pop("19C")
    if year < 2022:
        cols.pop("24A")
    codes = list(cols)
    matrix = np.stack([*cols.values(), none], axis=1)  # the last column: no factors recorded (21)
    matrix[none, :-1] = False
    matrix[:, codes.index("20")] |= ~matrix[:, :-1].any(axis=1) & ~none
    rows, which = np.nonzero(matrix)
    return rows, which, [*codes, "21"]


_FAMILY_W = np.array([w for _, *w in _FAMILY])
_TEEN_W = np.array([w for _, *w in _TEEN])


@cache
def _numbers() -> pl.Series:
    return pl.Series([str(i) for i in range(1000)])


_DAY_ONE, _DAY_LAST = day(dt.date(1900, 1, 1)), day(dt.date(2100, 12, 31))  # the days a census can show


@cache
def _days() -> pl.Series:
    """Every day 1900-2100 as an ISO date, then a blank (for days not shown): looked up, not formatted."""
    days = pl.Series(np.arange(_DAY_ONE, _DAY_LAST + 1))
    return pl.select(date_str(pl.lit(days), iso=True)).to_series().append(pl.Series([None], dtype=pl.String)).rechunk()


def _coded(values: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """A string column as its distinct values (then a blank) and each row's position among them."""
    distinct = values.drop_nulls().unique().sort()
    at = values.cast(pl.Enum(distinct)).to_physical().cast(pl.Int64).fill_null(len(distinct)).to_numpy()
    return distinct.append(pl.Series([None], dtype=pl.String)).rechunk(), at


class _Records:
    """One kind of record that censuses from ``first`` on may show (``frame``'s rows, with ``y0``,
    ``child``, ``epi`` and ``y1``, the last census to show it, if it lasts): its numbers, and its
    strings coded (as positions among their distinct values)."""

    def __init__(self, frame: pl.DataFrame, first: int) -> None:
        self.lasts = "y1" in frame.columns
        sub = take(frame, np.nonzero(frame["y1" if self.lasts else "y0"].to_numpy() >= first)[0])
        self.col = {c: sub[c].to_numpy() for c, t in sub.schema.items() if t != pl.String}
        self.code = {c: _coded(sub[c]) for c, t in sub.schema.items() if t == pl.String}

    def cut(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """The records a census shows (open in its year or, records that do not last, begun in it) and
        whether it is their last."""
        y0 = self.col["y0"]
        if not self.lasts:
            at = np.nonzero(y0 == year)[0]
            return at, np.ones(len(at), dtype=bool)
        y1 = self.col["y1"]
        at = np.nonzero((y0 <= year) & (y1 >= year))[0]
        return at, y1[at] == year

    def days(self, name: str, at: np.ndarray, shown: np.ndarray | None = None) -> pl.Series:
        """A date column's ISO strings (blank where not ``shown``)."""
        d = self.col[name][at] - _DAY_ONE
        return take(_days(), d if shown is None else np.where(shown, d, len(_days()) - 1))

    def strings(self, name: str, at: np.ndarray, shown: np.ndarray | None = None) -> pl.Series:
        """A string column's values (blank where not ``shown``)."""
        values, pos = self.code[name]
        return take(values, pos[at] if shown is None else np.where(shown, pos[at], len(values) - 1))


class _Prepared:
    """A history's records as the censuses from ``first`` on show them, in the forms a census is cut
    from fastest: numbers, and strings as positions among their few distinct values."""

    def __init__(self, ch: CinHistory, first: int) -> None:
        self.first, kids = first, ch.children
        self.children = kids["child"].to_numpy()
        self.kid = {c: kids[c].to_numpy() for c in ("dob", "school_year", "death", "sex", "uasc")}
        self.ids = kids["LAchildID"].rechunk()
        self.upn = kids["upn"].append(pl.Series([None], dtype=pl.String)).rechunk()
        self.ethnic, self.kid["ethnic"] = _coded(kids["ethnic"])
        reasons, self.kid["reason"] = _coded(kids["upn_reason"])  # "" for a child with a UPN
        self.reasons = pl.concat([reasons[:-1], pl.Series(["UN1", None], dtype=pl.String)], rechunk=True)
        e = ch.episodes
        # A child's episodes are in time order and never overlap, so their last census years rise:
        # those shown in a year are the run starting at the first ending that year or later.
        self.key = e["child"].to_numpy() * 4096 + e["y1"].to_numpy()
        self.episodes, self.assessments, self.plans, self.section47, self.cpps, self.reviews = (
            _Records(f, first) for f in (e, ch.assessments.with_columns(disabled=pl.col("child").is_in(ch.disabled)),
                                         ch.plans, ch.section47, ch.cpps, ch.reviews))
        self.dis_child = ch.disabilities["child"].to_numpy()
        self.disabilities = _coded(ch.disabilities["code"])


def _prepared(ch: CinHistory, year: int) -> _Prepared:
    if ch._prepared is None or ch._prepared.first > year:
        ch._prepared = _Prepared(ch, year)
    return ch._prepared


_FILLS: dict[str | None, pl.Series] = {}


def _blank(n: int, value: str | None = None) -> pl.Series:
    """``n`` times ``value`` (a slice of a column kept for it)."""
    if len(_FILLS.get(value, ())) < n:
        _FILLS[value] = pl.Series([value], dtype=pl.String).extend_constant(value, max(n, 1 << 16))
    return _FILLS[value][:n]


_FLAGS = pl.Series(["false", "true"])
_SEXES = (pl.Series(["1", "2", "0"]), pl.Series(["M", "F", "U"]))  # male, female, not yet born: to 2024, from 2025


def cin_year_tables(ch: CinHistory, year: int) -> dict[str, pl.DataFrame]:
    """A collection year's CIN census as string tables keyed by the CIN spec's table names (plus the
    child's place in the file, ``_c``): cut from numbers prepared once per history (the first call
    prepares them, for its census and later ones)."""
    p = _prepared(ch, year)
    base = int(ch.unit) * (1 << 24)  # _c: the unit, then the child's place
    E = p.episodes
    at, last = E.cut(year)
    ep_child = E.col["child"][at]
    first = np.r_[True, ep_child[1:] != ep_child[:-1]] if len(at) else np.zeros(0, dtype=bool)
    kids, first_epi = ep_child[first], E.col["epi"][at][first]  # the census's children, in order
    slot = np.full(p.children[-1] + 1 if len(p.children) else 0, -1)
    slot[kids] = np.arange(len(kids))
    ids = take(p.ids, np.searchsorted(p.children, kids))

    def table(name: str, records: _Records | None, at: np.ndarray | None, **columns: pl.Series) -> pl.DataFrame:
        """A table in its columns' order, with each record's LAchildID, its episode's number within
        the child's in the census (CINdetailsID: a child's episodes never overlap, so those shown are
        a run) and child's place."""
        if records is not None and at is not None:
            child, epi = records.col["child"][at], records.col["epi"][at]
            pos = slot[child]
            if bool(np.all(pos >= 0)):
                nth = epi - first_epi[pos] + 1
            else:  # a record beyond its child's episodes: placed where its child and year sort
                pos, nth = np.searchsorted(kids, child), epi - np.searchsorted(p.key, child * 4096 + year) + 1
            columns |= {"LAchildID": take(ids, pos), "CINdetailsID": take(_numbers(), np.minimum(nth, 999)),
                        "_c": pl.Series(base + pos, dtype=pl.Int64)}
        n = len(next(iter(columns.values())))
        return pl.DataFrame([columns[c].alias(c) if c in columns else _blank(n).alias(c)
                             for c in [*table_columns(name, year), "_c"]])

    # --- children --------------------------------------------------------------------------------
    pos = np.searchsorted(p.children, kids)
    dob, school_year, death, sex = (p.kid[c][pos] for c in ("dob", "school_year", "death", "sex"))
    end = year_end(year)
    born = dob <= end
    school = born & (school_year <= year)
    upn = school & (take(p.reasons, p.kid["reason"][pos]) == "").to_numpy()
    null_day = len(_days()) - 1
    c = pl.Series(base + np.arange(len(kids)), dtype=pl.Int64)
    out = {"ChildIdentifiers": table(
        "ChildIdentifiers", None, None, LAchildID=ids, UPN=take(p.upn, np.where(upn, pos, len(p.upn) - 1)),
        UPNunknown=take(p.reasons, np.where(upn, len(p.reasons) - 1, np.where(school, p.kid["reason"][pos], len(p.reasons) - 2))),
        PersonBirthDate=take(_days(), np.where(born, dob - _DAY_ONE, null_day)),
        ExpectedPersonBirthDate=take(_days(), np.where(born, null_day, dob - _DAY_ONE)),
        **{"GenderCurrent" if year <= 2024 else "Sex": take(_SEXES[year > 2024], np.where(~born, 2, sex == 1))},
        PersonDeathDate=take(_days(), np.where((death >= 0) & (death <= end), death - _DAY_ONE, null_day)), _c=c),
        "ChildCharacteristics": table("ChildCharacteristics", None, None, LAchildID=ids,
                                      Ethnicity=take(p.ethnic, p.kid["ethnic"][pos]), _c=c)}
    lo, hi = np.searchsorted(p.dis_child, kids), np.searchsorted(p.dis_child, kids, side="right")
    n = hi - lo  # each child's disabilities, in a run
    who = np.repeat(np.arange(len(kids)), n)
    out["Disabilities"] = table("Disabilities", None, None, LAchildID=take(ids, who),
                                Disability=take(p.disabilities[0], p.disabilities[1][lo[who] + np.arange(len(who)) - (np.cumsum(n) - n)[who]]),
                                _c=take(c, who))
    # --- episodes and what happens in them -------------------------------------------------------
    out["CINdetails"] = table("CINdetails", E, at, CINreferralDate=E.days("ref", at), ReferralSource=E.strings("source", at),
                              PrimaryNeedCode=E.strings("need", at), CINclosureDate=E.days("close", at, last),
                              ReasonForClosure=E.strings("reason", at, last), ReferralNFA=take(_FLAGS, E.col["nfa"][at]))
    A = p.assessments
    a_at, done = A.cut(year)
    out["Assessments"] = table("Assessments", A, a_at, AssessmentID=_blank(len(a_at), "1"),
                               AssessmentActualStartDate=A.days("start", a_at),
                               AssessmentAuthorisationDate=A.days("auth", a_at, done))
    out["AssessmentFactorsList"] = _factors_table(ch, p, out["Assessments"], a_at, done, year)
    # CIN plan dates joined the census in 2021/22 (the held schemas have them from 2022).
    P = p.plans
    p_at, p_last = P.cut(year if year >= 2022 else -1)
    out["CINplanDates"] = table("CINplanDates", P, p_at, CINPlanStartDate=P.days("start", p_at),
                                CINPlanEndDate=P.days("end", p_at, p_last))
    S = p.section47
    s_at, s_last = S.cut(year)
    required = ~S.col["not_required"][s_at]
    out["Section47"] = table("Section47", S, s_at, S47ActualStartDate=S.days("start", s_at),
                             InitialCPCtarget=S.days("target", s_at, required),
                             DateOfInitialCPC=S.days("icpc", s_at, required & s_last),
                             ICPCnotRequired=take(_FLAGS, ~required))
    C = p.cpps
    c_at, c_last = C.cut(year)
    out["ChildProtectionPlans"] = table(
        "ChildProtectionPlans", C, c_at, CPPID=_blank(len(c_at), "1"), CPPstartDate=C.days("start", c_at),
        CPPendDate=C.days("end", c_at, c_last), InitialCategoryOfAbuse=C.strings("initial", c_at),
        LatestCategoryOfAbuse=C.strings("latest", c_at), NumberOfPreviousCPP=take(_numbers(), C.col["previous"][c_at]))
    R = p.reviews
    r_at, _ = R.cut(year)
    out["Reviews"] = table("Reviews", R, r_at, CPPID=_blank(len(r_at), "1"), CPPreviewDate=R.days("date", r_at))
    return out


def _factors_table(ch: CinHistory, p: _Prepared, assessments: pl.DataFrame, at: np.ndarray, done: np.ndarray,
                   year: int) -> pl.DataFrame:
    """The factors identified at the assessments completed in the year (``done`` of the census's
    ``assessments``, positions ``at`` among the prepared ones): drawn now."""
    A, done_at = p.assessments, at[done]
    who = np.searchsorted(p.children, A.col["child"][done_at])
    rows, which, codes = _factors(A.col["start"][done_at], p.kid["dob"][who], A.col["disabled"][done_at],
                                  p.kid["uasc"][who], A.col["no_factors"][done_at], year,
                                  np.random.default_rng([*ch.seed, year, 53]))
    rows = np.nonzero(done)[0][rows]
    return pl.DataFrame([take(assessments["LAchildID"], rows), take(assessments["CINdetailsID"], rows),
                         _blank(len(rows), "1").alias("AssessmentID"),
                         take(pl.Series("AssessmentFactors", codes, dtype=pl.String), which), take(assessments["_c"], rows)])
