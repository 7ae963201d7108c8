"""Cut collection years' CIN censuses out of a simulated CIN history.

A year's census holds every child with an episode of need open at some point in the year, and in
each episode what was open or happened in the year: assessments completed in the year or still
open at 31 March, enquiries whose conference fell in the year (or is still to come, or was not
needed), plans open at some point in the year, and reviews held in it. Anything after 31 March is
left out. Tables are strings (dates ISO, as the XML carries them) in document order, keyed by
LAchildID, CINdetailsID (per child), AssessmentID and CPPID (per episode), as the DfE's tools number
them.

Also here: the shape of a simulated history (``CinHistory``, which
:func:`carestat.synth.cin_model.simulate_cin` returns).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.calendar import year_end
from carestat.synth.columns import date_str

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

    @cached_property
    def disabled(self) -> np.ndarray:
        """The children with a disability (sorted)."""
        return np.unique(self.disabilities.filter(pl.col("code") != "NONE")["child"].to_numpy())

    @cached_property
    def closed_after_assessment(self) -> np.ndarray:
        """Per episode: closed after assessment (RC8, or RC9 from 2021/22), that is assessed not in need."""
        return self.episodes["reason"].is_in(["RC8", "RC9"]).to_numpy()


# --- cutting ---------------------------------------------------------------------------------------
def _iso(column: str) -> pl.Expr:
    return date_str(pl.col(column), iso=True)


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


def _factors(start: np.ndarray, dob: np.ndarray, disabled: np.ndarray, uasc: np.ndarray, none: np.ndarray, year: int,
             rng: np.random.Generator) -> tuple[np.ndarray, pl.Series]:
    """Sets of factors for completed assessments (started on ``start`` by children born on ``dob``;
    ``none``: no factors recorded): the assessment of each factor and its code, in a stable order."""
    n = len(start)
    age = (start - dob) // 365
    teen = age >= 11
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
    matrix[none] = False
    matrix[:, codes.index("20")] |= ~matrix.any(axis=1) & ~none
    rows, which = np.nonzero(matrix)
    rows, which = np.r_[rows, np.nonzero(none)[0]], np.r_[which, np.full(int(none.sum()), len(codes))]
    order = np.argsort(rows, kind="stable")
    return rows[order], pl.Series([*codes, "21"]).gather(which[order])


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

    def keyed(self, frame: pl.DataFrame) -> pl.LazyFrame:
        """``frame`` (shown this year) with LAchildID, CINdetailsID and the child's place ``_c``."""
        child, epi = frame["child"].to_numpy(), frame["epi"].to_numpy()
        nth = epi - np.searchsorted(self.key, child * 4096 + self.year) + 1
        return frame.lazy().with_columns(
            LAchildID=pl.lit(self.ids.gather(np.searchsorted(self.children, child))),
            CINdetailsID=pl.lit(_numbers().gather(np.minimum(nth, 999))),
            _c=pl.lit(pl.Series(self.unit * (1 << 24) + np.searchsorted(self.kids, child), dtype=pl.Int64)))


def _shown(frame: pl.DataFrame, year: int, first: bool = False) -> pl.DataFrame:
    """The records a census shows: open at some time in its year (or, ``first``, begun in it)."""
    y0 = frame["y0"].to_numpy()
    shown = (y0 == year) if first else (y0 <= year) & (frame["y1"].to_numpy() >= year)
    return frame[np.nonzero(shown)[0]]


def cin_year_tables(ch: CinHistory, year: int) -> dict[str, pl.DataFrame]:
    """A collection year's CIN census as string tables keyed by the CIN spec's table names (plus the
    child's place in the file, ``_c``): built as one lazy query per table, run together."""
    shown = _shown(ch.episodes, year)
    census = _Census(ch, year, shown)
    ep = census.keyed(shown)
    kids = ch.children[np.searchsorted(ch.children["child"].to_numpy(), census.kids)].with_columns(
        _c=pl.Series(census.unit * (1 << 24) + np.arange(len(census.kids)), dtype=pl.Int64))
    born = pl.col("dob") <= year_end(year)
    upn = born & (pl.col("school_year") <= year) & (pl.col("upn_reason") == "")
    m, f, u = ("1", "2", "0") if year <= 2024 else ("M", "F", "U")
    out: dict[str, pl.LazyFrame] = {"ChildIdentifiers": kids.lazy().select(
        "_c", "LAchildID", UPN=pl.when(upn).then("upn"), FormerUPN=pl.lit(None, dtype=pl.String),
        UPNunknown=pl.when(~upn).then(pl.when(born & (pl.col("school_year") <= year)).then("upn_reason")
                                      .otherwise(pl.lit("UN1"))),
        PersonBirthDate=pl.when(born).then(_iso("dob")), ExpectedPersonBirthDate=pl.when(~born).then(_iso("dob")),
        **{"GenderCurrent" if year <= 2024 else "Sex": pl.when(~born).then(pl.lit(u))
           .when(pl.col("sex") == 1).then(pl.lit(f)).otherwise(pl.lit(m))},
        PersonDeathDate=pl.when((pl.col("death") >= 0) & (pl.col("death") <= year_end(year))).then(_iso("death")))}
    out["ChildCharacteristics"] = kids.lazy().select("_c", "LAchildID", Ethnicity="ethnic")
    out["Disabilities"] = kids.lazy().select("_c", "child", "LAchildID").join(
        ch.disabilities.lazy(), on="child", maintain_order="left").select("_c", "LAchildID", Disability="code")
    out["CINdetails"] = ep.select(
        "_c", "LAchildID", "CINdetailsID", CINreferralDate=_iso("ref"), ReferralSource="source", PrimaryNeedCode="need",
        CINclosureDate=_if_this_year("close", year), ReasonForClosure=pl.when(pl.col("y1") == year).then("reason"),
        DateOfInitialCPC=pl.lit(None, dtype=pl.String),
        ReferralNFA=pl.when("nfa").then(pl.lit("true")).otherwise(pl.lit("false")))
    # One assessment and at most one protection plan per episode in this model: their IDs are 1.
    assessments = _shown(ch.assessments, year)
    a = census.keyed(assessments).with_columns(AssessmentID=pl.lit("1"))
    out["Assessments"] = a.select(
        "_c", "LAchildID", "CINdetailsID", "AssessmentID", AssessmentActualStartDate=_iso("start"),
        AssessmentInternalReviewDate=pl.lit(None, dtype=pl.String), AssessmentAuthorisationDate=_if_this_year("auth", year))
    done = census.keyed(assessments[np.nonzero(assessments["y1"].to_numpy() == year)[0]]).collect()
    who = np.searchsorted(kids["child"].to_numpy(), done["child"].to_numpy())
    disabled = np.isin(done["child"].to_numpy(), ch.disabled)
    rows, codes = _factors(done["start"].to_numpy(), kids["dob"].to_numpy()[who], disabled, kids["uasc"].to_numpy()[who],
                           done["no_factors"].to_numpy(), year, np.random.default_rng([*ch.seed, year, 53]))
    out["AssessmentFactorsList"] = done.select("_c", "LAchildID", "CINdetailsID")[rows].lazy().with_columns(
        AssessmentID=pl.lit("1"), AssessmentFactors=pl.lit(codes))
    # CIN plan dates joined the census in 2021/22 (the held schemas have them from 2022).
    out["CINplanDates"] = census.keyed(_shown(ch.plans, year) if year >= 2022 else ch.plans.clear()).select(
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
    out["Reviews"] = census.keyed(_shown(ch.reviews, year, first=True)).select(
        "_c", "LAchildID", "CINdetailsID", CPPID=pl.lit("1"), CPPreviewDate=_iso("date"))
    names = list(out)
    frames = pl.collect_all([out[n].select(*table_columns(n, year), "_c") for n in names])
    return dict(zip(names, frames, strict=True))
