"""Cut collection years' CIN censuses out of a simulated CIN history, and measure them.

A year's census holds every child with an episode of need open at some point in the year, and in
each episode what was open or happened in the year: assessments completed in the year or still
open at 31 March, enquiries whose conference fell in the year (or is still to come, or was not
needed), plans open at some point in the year, and reviews held in it. Anything after 31 March is
left out. Tables are strings (dates ISO, as the XML carries them) in document order, keyed by
LAchildID, CINdetailsID (per child), AssessmentID and CPPID (per episode), as the DfE's tools number
them. CINdetails carries one extra column, ``_rereferral``, that no return holds: whether the
referral came within 12 months of the child's previous one (which may lie in earlier years).

Also here, shared by the model and the measures: the shape of a simulated history (``CinHistory``,
which :func:`carestat.synth.cin_model.simulate_cin` returns) and England's working-day calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.population import year_end

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
    last_year: int
    children: pl.DataFrame  # child, LAchildID, dob, sex, ethnic, upn, upn_reason, death, uasc, school_year
    disabilities: pl.DataFrame  # child, code
    episodes: pl.DataFrame  # epi, ep, child, ref, close, source, need, nfa, reason, rereferral
    assessments: pl.DataFrame  # ep, start, auth, no_factors
    section47: pl.DataFrame  # ep, start, target, icpc (or -1), not_required
    plans: pl.DataFrame  # ep, start, end
    cpps: pl.DataFrame  # cpp, ep, start, end, initial, latest, previous
    reviews: pl.DataFrame  # cpp, date


# --- calendar ------------------------------------------------------------------------------------
def _easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    leap = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * leap) // 451
    return dt.date(y, (h + leap - 7 * m + 114) // 31, (h + leap - 7 * m + 114) % 31 + 1)


@cache
def bank_holidays() -> np.ndarray:
    """England and Wales bank holidays 1990-2035 (substitute days, jubilees and one-offs included)."""
    days: list[dt.date] = []
    for y in range(1990, 2036):
        jan1, may1, may31, aug31, xmas = (dt.date(y, 1, 1), dt.date(y, 5, 1), dt.date(y, 5, 31), dt.date(y, 8, 31),
                                          dt.date(y, 12, 25))
        days += [jan1 + dt.timedelta(days={5: 2, 6: 1}.get(jan1.weekday(), 0)),
                 _easter(y) - dt.timedelta(2), _easter(y) + dt.timedelta(1), aug31 - dt.timedelta(aug31.weekday()),
                 {1995: dt.date(1995, 5, 8), 2020: dt.date(2020, 5, 8)}.get(
                     y, may1 + dt.timedelta((7 - may1.weekday()) % 7))]
        days += {2002: [dt.date(2002, 6, 3), dt.date(2002, 6, 4)], 2012: [dt.date(2012, 6, 4), dt.date(2012, 6, 5)],
                 2022: [dt.date(2022, 6, 2), dt.date(2022, 6, 3)]}.get(y, [may31 - dt.timedelta(may31.weekday())])
        days += {4: [xmas, dt.date(y, 12, 28)], 5: [dt.date(y, 12, 27), dt.date(y, 12, 28)],
                 6: [dt.date(y, 12, 26), dt.date(y, 12, 27)]}.get(xmas.weekday(), [xmas, dt.date(y, 12, 26)])
        days += {1999: [dt.date(1999, 12, 31)], 2011: [dt.date(2011, 4, 29)], 2022: [dt.date(2022, 9, 19)],
                 2023: [dt.date(2023, 5, 8)]}.get(y, [])
    return np.array(sorted(days), dtype="datetime64[D]")


@cache
def _calendar() -> np.busdaycalendar:
    return np.busdaycalendar(holidays=bank_holidays())


def workday_add(days: np.ndarray, n: np.ndarray | int, roll: str = "forward") -> np.ndarray:
    """Day numbers of the working day ``n`` working days after ``days`` (rolled to a working day first)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return np.busday_offset(d, n, roll=roll, busdaycal=_calendar()).astype("int64")


def workdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` (counted) to ``end`` (not counted)."""
    a = np.asarray(start, dtype="int64").astype("datetime64[D]")
    b = np.asarray(end, dtype="int64").astype("datetime64[D]")
    return np.busday_count(a, b, busdaycal=_calendar())


@cache
def _years_table() -> tuple[np.ndarray, np.ndarray]:
    """Collection year of every day 1970-2069, and 31 March of collection years 1970-2070."""
    d = np.arange(0, 36525).astype("datetime64[D]")
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]").astype("datetime64[M]")).astype(int)
    return d.astype("datetime64[Y]").astype(int) + 1970 + (month >= 3), np.array([year_end(y) for y in range(1970, 2071)])


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (named by its end: 1 April 2024 - 31 March 2025 is 2025) of each day."""
    return _years_table()[0][np.clip(np.asarray(days, dtype=np.int64), 0, 36524)]


def not_overdue(start: np.ndarray, end: np.ndarray, limit: int) -> np.ndarray:
    """Bring forward to 31 March an ``end`` that would leave the task open at a year end ``limit``
    working days or more after it started (rare; avoids the DfE's 8670Q/8675Q queries)."""
    ye = _years_table()[1][collection_year(start) - 1970]
    late = (end > ye) & (workdays_between(start, ye) >= limit - 1)
    return np.where(late, workday_add(ye, 0, roll="backward"), end)


# --- cutting ---------------------------------------------------------------------------------------
@cache
def _iso_days() -> pl.Series:
    """ISO dates of days 1970-2069, looked up rather than formatted (several times faster)."""
    return pl.Series(np.arange(36525, dtype=np.int32)).cast(pl.Date).cast(pl.String)


def _iso(column: str) -> pl.Expr:
    return pl.lit(_iso_days()).gather(pl.col(column).clip(0, 36524))


def _if_this_year(column: str, year: int) -> pl.Expr:
    """The date, if it falls in the census year (its record's last census is this one)."""
    return pl.when(pl.col("y1") == year).then(_iso(column))


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


def _factors(a: pl.DataFrame, year: int, rng: np.random.Generator) -> pl.DataFrame:
    """Sets of factors for completed assessments: rows (row, code) in a stable code order."""
    n = a.height
    age = a["age"].to_numpy()
    teen, disabled, uasc = age >= 11, a["disabled"].to_numpy(), a["uasc"].to_numpy()
    z, x = rng.normal(size=n), rng.normal(size=n)
    dv = rng.random(n) < _sigmoid(-0.8 + 0.9 * z)
    cols: dict[str, np.ndarray] = {"3B": dv & (rng.random(n) < 0.9), "3A": dv & (rng.random(n) < 0.72),
                                   "3C": dv & (rng.random(n) < 0.06)}
    for code, base, wz, wdv in _FAMILY:
        cols[code] = rng.random(n) < _sigmoid(base + wz * z + wdv * dv)
    for code, base, wx in _TEEN:
        cols[code] = teen & (rng.random(n) < _sigmoid(base + wx * x))
    cols["4A"] |= (age >= 6) & ~teen & (rng.random(n) < 0.08)
    cols["5A"] = rng.random(n) < np.where(disabled, 0.5, 0.02)
    cols["6A"] = rng.random(n) < np.where(disabled, 0.3, 0.015)
    cols["8F"] = rng.random(n) < 0.004
    cols["9A"] = uasc
    if year < 2021:  # physical and sexual abuse were not split by who abused before 2020/21
        cols["18A"], cols["19A"] = cols.pop("18B") | cols.pop("18C"), cols.pop("19B") | cols.pop("19C")
    if year < 2022:
        cols.pop("24A")
    codes = list(cols)
    matrix = np.stack([cols[c] for c in codes], axis=1)
    none = a["no_factors"].to_numpy()
    matrix[none] = False
    empty = ~matrix.any(axis=1) & ~none
    matrix[:, codes.index("20")] |= empty
    rows, which = np.nonzero(matrix)
    frame = pl.DataFrame({"row": np.r_[rows, np.nonzero(none)[0]],
                          "code": pl.Series([*codes, "21"]).gather(np.r_[which, np.full(int(none.sum()), len(codes))])})
    return frame.sort("row", maintain_order=True)



@cache
def _numbers() -> pl.Series:
    return pl.Series([str(i) for i in range(1000)])


class _Census:
    """Where a year's records sit: episode number within the child, child position in the file."""

    def __init__(self, ch: CinHistory, year: int, shown: pl.DataFrame) -> None:
        e = ch.episodes
        self.year, self.unit = year, int(ch.unit)
        # A child's episodes are in time order and never overlap, so their last census years rise:
        # those shown this year are the run starting at the first ending this year or later.
        self.key = e["child"].to_numpy() * 4096 + e["y1"].to_numpy()
        self.ids, self.children = ch.children["LAchildID"], ch.children["child"].to_numpy()
        self.kids = shown["child"].unique(maintain_order=True).to_numpy()

    def keyed(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (shown this year) with LAchildID, CINdetailsID and the child's place ``_c``."""
        child, epi = frame["child"].to_numpy(), frame["epi"].to_numpy()
        nth = epi - np.searchsorted(self.key, child * 4096 + self.year) + 1
        return frame.with_columns(
            LAchildID=self.ids.gather(np.searchsorted(self.children, child)),
            CINdetailsID=_numbers().gather(np.minimum(nth, 999)),
            _c=pl.Series(self.unit * (1 << 24) + np.searchsorted(self.kids, child), dtype=pl.Int64))


def _shown(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    return frame.filter((pl.col("y0") <= year) & (pl.col("y1") >= year))


def cin_year_tables(ch: CinHistory, year: int) -> dict[str, pl.DataFrame]:
    """A collection year's CIN census as string tables keyed by the CIN spec's table names (plus the
    child's place in the file, ``_c``, and CINdetails' ``_rereferral``)."""
    shown = _shown(ch.episodes, year)
    census = _Census(ch, year, shown)
    ep = census.keyed(shown)
    kids = ch.children.filter(pl.col("child").is_in(pl.Series(census.kids).implode())).with_columns(
        _c=pl.Series(census.unit * (1 << 24) + np.arange(len(census.kids)), dtype=pl.Int64))
    born = pl.col("dob") <= year_end(year)
    upn = born & (pl.col("school_year") <= year) & (pl.col("upn_reason") == "")
    m, f, u = ("1", "2", "0") if year <= 2024 else ("M", "F", "U")
    out = {"ChildIdentifiers": kids.select(
        "_c", "LAchildID", UPN=pl.when(upn).then("upn"), FormerUPN=pl.lit(None, dtype=pl.String),
        UPNunknown=pl.when(~upn).then(pl.when(born & (pl.col("school_year") <= year)).then("upn_reason")
                                      .otherwise(pl.lit("UN1"))),
        PersonBirthDate=pl.when(born).then(_iso("dob")), ExpectedPersonBirthDate=pl.when(~born).then(_iso("dob")),
        **{"GenderCurrent" if year <= 2024 else "Sex": pl.when(~born).then(pl.lit(u))
           .when(pl.col("sex") == 1).then(pl.lit(f)).otherwise(pl.lit(m))},
        PersonDeathDate=pl.when((pl.col("death") >= 0) & (pl.col("death") <= year_end(year))).then(_iso("death")))}
    out["ChildCharacteristics"] = kids.select("_c", "LAchildID", Ethnicity="ethnic")
    out["Disabilities"] = kids.select("_c", "child", "LAchildID").join(
        ch.disabilities, on="child", maintain_order="left").select("_c", "LAchildID", Disability="code")
    out["CINdetails"] = ep.select(
        "_c", "LAchildID", "CINdetailsID", CINreferralDate=_iso("ref"), ReferralSource="source", PrimaryNeedCode="need",
        CINclosureDate=_if_this_year("close", year), ReasonForClosure=pl.when(pl.col("y1") == year).then("reason"),
        DateOfInitialCPC=pl.lit(None, dtype=pl.String),
        ReferralNFA=pl.when("nfa").then(pl.lit("true")).otherwise(pl.lit("false")),
        _rereferral=pl.when("rereferral").then(pl.lit("1")).otherwise(pl.lit("0")))
    # One assessment and at most one protection plan per episode in this model: their IDs are 1.
    a = census.keyed(_shown(ch.assessments, year)).with_columns(AssessmentID=pl.lit("1"))
    out["Assessments"] = a.select(
        "_c", "LAchildID", "CINdetailsID", "AssessmentID", AssessmentActualStartDate=_iso("start"),
        AssessmentInternalReviewDate=pl.lit(None, dtype=pl.String), AssessmentAuthorisationDate=_if_this_year("auth", year))
    done = a.filter(pl.col("y1") == year).join(kids.select("child", "dob", "uasc"), on="child", maintain_order="left")
    done = done.with_columns(age=(pl.col("start") - pl.col("dob")) // 365, disabled=pl.col("child").is_in(
        ch.disabilities.filter(pl.col("code") != "NONE")["child"].implode()))
    factors = _factors(done, year, np.random.default_rng([*ch.seed, year, 53]))
    out["AssessmentFactorsList"] = done.select("_c", "LAchildID", "CINdetailsID", "AssessmentID")[
        factors["row"].to_numpy()].with_columns(AssessmentFactors=factors["code"])
    # CIN plan dates joined the census in 2021/22 (the held schemas have them from 2022).
    out["CINplanDates"] = census.keyed(_shown(ch.plans.filter(pl.lit(year >= 2022)), year)).select(
        "_c", "LAchildID", "CINdetailsID", CINPlanStartDate=_iso("start"), CINPlanEndDate=_if_this_year("end", year))
    out["Section47"] = census.keyed(_shown(ch.section47, year)).select(
        "_c", "LAchildID", "CINdetailsID", S47ActualStartDate=_iso("start"),
        InitialCPCtarget=pl.when(~pl.col("not_required")).then(_iso("target")),
        DateOfInitialCPC=pl.when(~pl.col("not_required")).then(_if_this_year("icpc", year)),
        ICPCnotRequired=pl.when("not_required").then(pl.lit("true")).otherwise(pl.lit("false")))
    out["ChildProtectionPlans"] = census.keyed(_shown(ch.cpps, year)).select(
        "_c", "LAchildID", "CINdetailsID", CPPID=pl.lit("1"), CPPstartDate=_iso("start"),
        CPPendDate=_if_this_year("end", year), InitialCategoryOfAbuse="initial", LatestCategoryOfAbuse="latest",
        NumberOfPreviousCPP=pl.col("previous").cast(pl.String))
    out["Reviews"] = census.keyed(ch.reviews.filter(pl.col("y0") == year)).select(
        "_c", "LAchildID", "CINdetailsID", CPPID=pl.lit("1"), CPPreviewDate=_iso("date"))
    return {name: frame.select([*table_columns(name, year), "_c", *(["_rereferral"] if name == "CINdetails" else [])])
            for name, frame in out.items()}


def cin_measure(tables: dict[str, pl.DataFrame], year: int) -> list[dict]:
    """Calibration rows for the headline CIN figures, read from the tables as written."""
    s, e = f"{year - 1}-04-01", f"{year}-03-31"
    cin = tables["CINdetails"]
    referred = cin.filter(pl.col("CINreferralDate").is_between(pl.lit(s), pl.lit(e)))
    refs = referred.height
    rereferrals = referred.filter(pl.col("_rereferral") == "1").height if "_rereferral" in cin.columns else None
    a = tables["Assessments"].filter(pl.col("AssessmentAuthorisationDate").is_between(pl.lit(s), pl.lit(e))).with_columns(
        [pl.col(c).str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32).alias(c)
         for c in ("AssessmentActualStartDate", "AssessmentAuthorisationDate")]).drop_nulls(
        ["AssessmentActualStartDate", "AssessmentAuthorisationDate"])
    within = workdays_between(a["AssessmentActualStartDate"].to_numpy(), a["AssessmentAuthorisationDate"].to_numpy())
    cpp = tables["ChildProtectionPlans"]
    values = {
        "referrals": refs,
        "rereferral_pct": 100 * rereferrals / refs if refs and rereferrals is not None else None,
        "assessments_45_pct": 100 * float(np.mean(within <= 45)) if a.height else None,
        "cin_31mar": cin.filter(pl.col("CINclosureDate").is_null() & (pl.col("ReferralNFA") != "true"))[
            "LAchildID"].n_unique(),
        "cpp_31mar": cpp.filter(pl.col("CPPendDate").is_null())["LAchildID"].n_unique(),
        "cpp_starts": cpp.filter(pl.col("CPPstartDate").is_between(pl.lit(s), pl.lit(e))).height,
    }
    return [{"indicator": k, "produced": v, "numerator": None} for k, v in values.items()]
