"""Cut one collection year's CIN census out of a simulated CIN history, and measure it.

A year's census holds every child with an episode of need open at some point in the year, and in
each episode what was open or happened in the year: assessments completed in the year or still
open at 31 March, enquiries whose conference fell in the year (or still to come, or not needed),
plans open at some point in the year, and reviews held in it. Anything after 31 March is left
out. Tables are strings (dates ISO, as the XML carries them) in document order, keyed by
LAchildID, CINdetailsID (per child), AssessmentID and CPPID (per episode), as the DfE's tools
number them. CINdetails carries one extra column, ``_rereferral``, that no return holds: whether
the referral came within 12 months of the child's previous one (which may lie in earlier years).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.spec import spec
from carestat.synth.cin_model import CinHistory, workdays_between
from carestat.synth.columns import opt_str
from carestat.synth.population import add_years_days, day, year_end

_KEYS = {"ChildIdentifiers": ["LAchildID"], "ChildCharacteristics": ["LAchildID"], "Disabilities": ["LAchildID"],
         "CINdetails": ["LAchildID", "CINdetailsID"], "Assessments": ["LAchildID", "CINdetailsID", "AssessmentID"],
         "AssessmentFactorsList": ["LAchildID", "CINdetailsID", "AssessmentID"],
         "CINplanDates": ["LAchildID", "CINdetailsID"], "Section47": ["LAchildID", "CINdetailsID"],
         "ChildProtectionPlans": ["LAchildID", "CINdetailsID", "CPPID"],
         "Reviews": ["LAchildID", "CINdetailsID", "CPPID"]}


def _iso(column: str) -> pl.Expr:
    """Day numbers to ISO dates; negative or far-future days (not yet) to null."""
    c = pl.col(column)
    return pl.when((c >= 0) & (c < 1 << 29)).then(c.cast(pl.Int32).cast(pl.Date).cast(pl.String))


def _between(column: str, first: int, last: int) -> pl.Expr:
    return pl.when(pl.col(column) <= last).then(_iso(column)).otherwise(None) if first is None else \
        pl.when(pl.col(column).is_between(first, last)).then(_iso(column))


def table_columns(name: str, year: int) -> list[str]:
    """A table's key columns followed by its fields in XML order."""
    keys = _KEYS[name]
    return keys + [c for c in spec("cin", year).table(name).columns if c not in keys]


# Factors identified at assessment: (code, base log-odds, weight on family adversity z, on domestic
# abuse, first year) - parental domestic abuse, mental health and substance misuse travel together.
_FAMILY = [("1B", -2.4, 0.8, 0.7), ("2B", -2.1, 0.8, 0.6), ("4B", -1.0, 0.7, 0.5), ("16A", -1.9, 0.9, 0.3),
           ("17A", -1.8, 0.5, 1.0), ("1C", -4.0, 0.5, 0.5), ("2C", -3.9, 0.5, 0.5), ("4C", -3.5, 0.4, 0.2),
           ("5B", -3.3, 0.3, 0.0), ("6B", -3.0, 0.3, 0.0), ("7A", -3.9, 0.3, 0.0), ("20", -2.0, 0.0, 0.0),
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
    return pl.DataFrame({"row": np.r_[rows, np.nonzero(none)[0]],
                         "code": np.r_[np.array(codes)[which], np.full(int(none.sum()), "21")]}).sort(
        "row", maintain_order=True)


def cin_year_tables(ch: CinHistory, year: int) -> dict[str, pl.DataFrame]:
    """A collection year's CIN census as string tables keyed by the CIN spec's table names."""
    s, e = day(dt.date(year - 1, 4, 1)), year_end(year)
    rng = np.random.default_rng([*ch.seed, year, 53])
    ep = ch.episodes.filter((pl.col("ref") <= e) & (pl.col("close") >= s))
    ep = ep.join(ch.children.select("child", "LAchildID"), on="child", how="left", maintain_order="left")
    ep = ep.with_columns(CINdetailsID=(pl.int_range(pl.len()) + 1).over("child").cast(pl.String))
    keys = ep.select("ep", "child", "LAchildID", "CINdetailsID")
    kids = ch.children.join(ep.select("child").unique(maintain_order=True), on="child", how="semi",
                            maintain_order="left")
    out: dict[str, pl.DataFrame] = {}
    dob = kids["dob"].to_numpy()
    born = dob <= e
    school_age = add_years_days(dob, 4) <= day(dt.date(year - 2, 8, 31))
    reason = kids["upn_reason"].to_numpy()
    upn_shown = born & school_age & (reason == "")
    male, female, unknown = ("1", "2", "0") if year <= 2024 else ("M", "F", "U")
    sex_field = "GenderCurrent" if year <= 2024 else "Sex"
    out["ChildIdentifiers"] = kids.select(
        "LAchildID",
        UPN=opt_str(upn_shown, kids["upn"].to_numpy()),
        FormerUPN=pl.lit(None, dtype=pl.String),
        UPNunknown=opt_str(~upn_shown, np.where(born & school_age, reason, "UN1")),
        PersonBirthDate=pl.when(pl.col("dob") <= e).then(_iso("dob")),
        ExpectedPersonBirthDate=pl.when(pl.col("dob") > e).then(_iso("dob")),
        **{sex_field: pl.Series(np.where(~born, unknown, np.where(kids["sex"].to_numpy() == 1, female, male)))},
        PersonDeathDate=pl.when((pl.col("death") >= 0) & (pl.col("death") <= e)).then(_iso("death")),
    )
    out["ChildCharacteristics"] = kids.select("LAchildID", Ethnicity="ethnic")
    out["Disabilities"] = kids.select("child", "LAchildID").join(ch.disabilities, on="child", maintain_order="left") \
        .select("LAchildID", Disability="code")
    out["CINdetails"] = ep.select(
        "LAchildID", "CINdetailsID", CINreferralDate=_iso("ref"), ReferralSource="source", PrimaryNeedCode="need",
        CINclosureDate=_between("close", s, e), ReasonForClosure=pl.when(pl.col("close") <= e).then("reason"),
        DateOfInitialCPC=pl.lit(None, dtype=pl.String),
        ReferralNFA=pl.when("nfa").then(pl.lit("true")).otherwise(pl.lit("false")),
        _rereferral=pl.when("rereferral").then(pl.lit("1")).otherwise(pl.lit("0")))
    a = keys.join(ch.assessments.filter((pl.col("start") <= e) & (pl.col("auth") >= s)), on="ep",
                  maintain_order="left").with_columns(
        AssessmentID=(pl.int_range(pl.len()) + 1).over("ep").cast(pl.String))
    out["Assessments"] = a.select(
        "LAchildID", "CINdetailsID", "AssessmentID", AssessmentActualStartDate=_iso("start"),
        AssessmentInternalReviewDate=pl.lit(None, dtype=pl.String), AssessmentAuthorisationDate=_between("auth", s, e))
    done = a.filter(pl.col("auth") <= e).join(
        kids.select("child", "dob", "uasc", disabled=pl.col("child").is_in(
            ch.disabilities.filter(pl.col("code") != "NONE")["child"].implode())), on="child", maintain_order="left")
    done = done.with_columns(age=(pl.col("start") - pl.col("dob")) // 365)
    f = _factors(done, year, rng)
    out["AssessmentFactorsList"] = done.select("LAchildID", "CINdetailsID", "AssessmentID").with_row_index("row") \
        .join(f, on="row", maintain_order="right").select(
        "LAchildID", "CINdetailsID", "AssessmentID", AssessmentFactors=pl.col("code").cast(pl.String))
    plans = keys.join(ch.plans.filter((pl.col("start") <= e) & (pl.col("end") >= s)), on="ep", maintain_order="left")
    out["CINplanDates"] = plans.select(
        "LAchildID", "CINdetailsID", CINPlanStartDate=_iso("start"), CINPlanEndDate=_between("end", s, e))
    s47 = keys.join(ch.section47.filter((pl.col("start") <= e) & (
        (pl.col("icpc") >= s) | (pl.col("not_required") & (pl.col("start") >= s)))), on="ep", maintain_order="left")
    out["Section47"] = s47.select(
        "LAchildID", "CINdetailsID", S47ActualStartDate=_iso("start"),
        InitialCPCtarget=pl.when(~pl.col("not_required")).then(_iso("target")),
        DateOfInitialCPC=_between("icpc", s, e),
        ICPCnotRequired=pl.when("not_required").then(pl.lit("true")).otherwise(pl.lit("false")))
    cpp = keys.join(ch.cpps.filter((pl.col("start") <= e) & (pl.col("end") >= s)), on="ep", maintain_order="left") \
        .with_columns(CPPID=(pl.int_range(pl.len()) + 1).over("ep").cast(pl.String))
    out["ChildProtectionPlans"] = cpp.select(
        "LAchildID", "CINdetailsID", "CPPID", CPPstartDate=_iso("start"), CPPendDate=_between("end", s, e),
        InitialCategoryOfAbuse="initial", LatestCategoryOfAbuse="latest",
        NumberOfPreviousCPP=pl.col("previous").cast(pl.String))
    rev = cpp.select("cpp", "LAchildID", "CINdetailsID", "CPPID").join(
        ch.reviews.filter(pl.col("date").is_between(s, e)), on="cpp", maintain_order="left")
    out["Reviews"] = rev.select("LAchildID", "CINdetailsID", "CPPID", CPPreviewDate=_iso("date"))
    return {name: out[name].select([pl.col(c) for c in table_columns(name, year)] +
                                   ([pl.col("_rereferral")] if name == "CINdetails" else []))
            for name in _KEYS}


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
        "s47_count": tables["Section47"].filter(pl.col("S47ActualStartDate").is_between(pl.lit(s), pl.lit(e))).height,
    }
    return [{"indicator": k, "produced": v, "numerator": None} for k, v in values.items()]
