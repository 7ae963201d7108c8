"""Deliberate faults in the CIN census, for testing validators: each breaks one DfE CIN rule.

With ``--error-rate R`` about R of the children in each census get one fault, drawn from the
catalogue below among the kinds that child's records allow. Only values change (never keys or the
number of records), so each fault's ``row`` (1-based position among that table's records in
document order) stays true. A fault may also trip other rules (an authorisation before its start
also upsets rules that read it); the intended code is the one a validator must report. The codes
are the DfE's for 2023-2027 (rulescincensus.csv); earlier years carry the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.faults import FAULT_SCHEMA, faulty_children
from carestat.synth.identity import upn_check_letter
from carestat.synth.options import GenerateOptions

Where = Callable[[dict[str, pl.DataFrame], int], pl.Expr]
Value = Callable[[pl.DataFrame, dict[str, pl.DataFrame], int], pl.Series]


@dataclass(frozen=True)
class CinFault:
    code: str  # the DfE rule it breaks
    table: str
    field: str  # "sex" means GenderCurrent (to 2024) or Sex (from 2025)
    value: Value  # new values for the chosen rows (given those rows, all tables and the year)
    where: Where = lambda tables, year: pl.lit(True)  # rows the fault can go in


def _const(v: str | None) -> Value:
    return lambda rows, tables, year: pl.Series([v] * rows.height, dtype=pl.String)


def _shift(column: str, days: int) -> Value:
    """Another date column moved by ``days``."""
    return lambda rows, tables, year: rows.select(
        (pl.col(column).str.to_date("%Y-%m-%d") + pl.duration(days=days)).cast(pl.String))[:, 0]


def _on(day: Callable[[int], str]) -> Value:
    """One date for every chosen row, given the census year (that of the 31 March reference date)."""
    return lambda rows, tables, year: pl.Series([day(year)] * rows.height, dtype=pl.String)


_EPISODE = ["LAchildID", "CINdetailsID"]


def _from_episode(table: str, column: str) -> Value:
    """The first ``column`` given in the record's episode's ``table`` records."""
    def value(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
        firsts = tables[table].filter(pl.col(column).is_not_null()).group_by(_EPISODE, maintain_order=True).first()
        return rows.select(_EPISODE).join(firsts.select(*_EPISODE, column), on=_EPISODE, how="left",
                                          maintain_order="left")[column]
    return value


def _episode_date(column: str, days: int) -> Value:
    """The record's episode's ``column`` (a CINdetails date) moved by ``days``."""
    def value(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
        episodes = tables["CINdetails"].select(*_EPISODE, column)
        return _shift(column, days)(
            rows.select(_EPISODE).join(episodes, on=_EPISODE, how="left", maintain_order="left"), tables, year)
    return value


def _present(*cols: str) -> Where:
    return lambda tables, year: pl.all_horizontal([pl.col(c).is_not_null() for c in cols])


def _in_year_after_start(column: str, *present: str) -> Where:
    """``column`` after 1 April (so a day earlier still falls in the year) and ``present`` filled."""
    return lambda tables, year: (pl.col(column) > pl.lit(f"{year - 1}-04-01")) & _present(*present)(tables, year)


def _blank(column: str) -> Where:
    return lambda tables, year: pl.col(column).is_null()


def _all(*wheres: Where) -> Where:
    return lambda tables, year: pl.all_horizontal([w(tables, year) for w in wheres])


def _is(column: str, value: str) -> Where:
    return lambda tables, year: pl.col(column) == value


def _last(column: str, *keys: str) -> Where:
    """The record with the latest ``column`` among those sharing ``keys`` (so moving it later overlaps none)."""
    return lambda tables, year: pl.col(column) == pl.col(column).max().over(keys)


def _first(column: str, *keys: str) -> Where:
    """The record with the earliest ``column`` among those sharing ``keys`` (so moving it earlier overlaps none)."""
    return lambda tables, year: pl.col(column) == pl.col(column).min().over(keys)


def _only(*keys: str) -> Where:
    """The one record among those sharing ``keys``."""
    return lambda tables, year: pl.len().over(keys) == 1


_EPISODE_KEY = pl.concat_str(_EPISODE, separator="|")


def _episode_with(table: str, condition: pl.Expr | Callable[[int], pl.Expr]) -> Where:
    """Records of an episode with a ``table`` record meeting ``condition`` (or ``condition(year)``)."""
    def where(tables: dict[str, pl.DataFrame], year: int) -> pl.Expr:
        meets = condition if isinstance(condition, pl.Expr) else condition(year)
        return _EPISODE_KEY.is_in(tables[table].filter(meets).select(_EPISODE_KEY).to_series().implode())
    return where


def _not(where: Where) -> Where:
    return lambda tables, year: ~where(tables, year)


# Open episodes: nothing in them can pass the episode's closure (rule 8565).
_in_open_episode = _episode_with("CINdetails", pl.col("CINclosureDate").is_null())


def _child_with(table: str, condition: pl.Expr) -> Where:
    """Children with a ``table`` record meeting ``condition``."""
    return lambda tables, year: pl.col("LAchildID").is_in(tables[table].filter(condition)["LAchildID"].implode())


def _previous_in_group(keys: list[str], column: str) -> tuple[Where, Value]:
    """A duplicate: the value of the record before, within the same parent (needs two or more)."""
    def where(tables: dict[str, pl.DataFrame], year: int) -> pl.Expr:
        previous = pl.col(column).shift(1).over(keys)
        return previous.is_not_null() & (pl.col(column) != previous)

    def value(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
        return rows["_previous"]  # the chosen rows are read with their previous value attached

    return where, value


def _needs_disability(tables: dict[str, pl.DataFrame], year: int) -> pl.Expr:
    """Children born and with a referral that went on to further action (rule 8540's scope)."""
    born = tables["ChildIdentifiers"].filter(pl.col("PersonBirthDate").is_not_null())["LAchildID"]
    further = tables["CINdetails"].filter(pl.col("ReferralNFA") == "false")["LAchildID"]
    return pl.col("LAchildID").is_in(born.implode()) & pl.col("LAchildID").is_in(further.implode())


def _next_letter(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return pl.Series([letters[(letters.find(u[0]) + 1) % 23] + u[1:] for u in rows["UPN"]], dtype=pl.String)


def _review_on_start(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    keys = ["LAchildID", "CINdetailsID", "CPPID"]
    return rows.select(keys).join(tables["ChildProtectionPlans"].select(*keys, "CPPstartDate"), on=keys,
                                  how="left", maintain_order="left")["CPPstartDate"]


def _saturday(column: str) -> Value:
    """``column`` moved to the Saturday of its week (a Sunday to the day before)."""
    def value(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
        d = pl.col(column).str.to_date("%Y-%m-%d")
        return rows.select((d + pl.duration(days=6 - d.dt.weekday())).cast(pl.String))[:, 0]
    return value


def _upn_of_another_la(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    """Characters 2-4 made 999 (no LA's number), with the check letter recomputed to match."""
    body = ("999" + rows["UPN"].str.slice(4)).to_numpy()
    return pl.Series(upn_check_letter(body), dtype=pl.String) + pl.Series(body, dtype=pl.String)


def _another_upn(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    """The first UPN (as it now stands) of a child not among the chosen ones: a UPN two children share."""
    others = tables["ChildIdentifiers"].filter(~pl.col("LAchildID").is_in(rows["LAchildID"].implode()))
    return pl.Series([others["UPN"].drop_nulls()[0]] * rows.height, dtype=pl.String)


_DUP_DISABILITY = _previous_in_group(["LAchildID"], "Disability")
_DUP_FACTOR = _previous_in_group(["LAchildID", "CINdetailsID", "AssessmentID"], "AssessmentFactors")

_AFTER_YEAR = _on(lambda year: f"{year}-04-01")
_FURTHER_ACTION = _child_with("CINdetails", pl.col("ReferralNFA") == "false")

CATALOGUE: tuple[CinFault, ...] = (
    CinFault("4180", "ChildIdentifiers", "sex", lambda rows, t, year: pl.Series(["7" if year <= 2024 else "X"] * rows.height)),
    CinFault("4220", "ChildCharacteristics", "Ethnicity", _const("ZZZZ")),
    CinFault("1510", "ChildIdentifiers", "UPN", _next_letter, _present("UPN")),
    CinFault("1540", "ChildIdentifiers", "UPN", lambda rows, t, y: rows["UPN"].str.slice(0, 6) + "X" + rows["UPN"].str.slice(7),
             _present("UPN")),
    CinFault("8520", "ChildIdentifiers", "PersonBirthDate", _on(lambda year: f"{year}-04-15"),
             _present("PersonBirthDate")),
    CinFault("8540", "Disabilities", "Disability", _const("XYZ"), _needs_disability),
    CinFault("8790", "Disabilities", "Disability", _const("NONE"),
             lambda t, y: (pl.len().over("LAchildID") >= 2) & (pl.col("Disability") != "NONE")),
    CinFault("8794", "Disabilities", "Disability", _DUP_DISABILITY[1], _DUP_DISABILITY[0]),
    # 8866 asks for a source only for referrals from 1 April 2013.
    CinFault("8866", "CINdetails", "ReferralSource", _const("99"),
             lambda t, y: pl.col("CINreferralDate") >= pl.lit("2013-04-01")),
    CinFault("8650", "CINdetails", "PrimaryNeedCode", _const("N10"), _present("PrimaryNeedCode")),
    CinFault("8640", "CINdetails", "ReasonForClosure", _const("RC0"), _present("ReasonForClosure")),
    CinFault("8805", "CINdetails", "ReasonForClosure", _const(None), _present("CINclosureDate")),
    CinFault("8568", "CINdetails", "ReferralNFA", _const("maybe")),
    CinFault("8630", "CINdetails", "CINclosureDate", _shift("CINreferralDate", -1),
             _in_year_after_start("CINreferralDate", "CINclosureDate")),
    CinFault("8608", "Assessments", "AssessmentAuthorisationDate", _shift("AssessmentActualStartDate", -1),
             _in_year_after_start("AssessmentActualStartDate", "AssessmentAuthorisationDate")),
    CinFault("8615", "Section47", "DateOfInitialCPC", _shift("S47ActualStartDate", -1),
             _in_year_after_start("S47ActualStartDate", "DateOfInitialCPC")),
    CinFault("8875", "Section47", "DateOfInitialCPC", _saturday("DateOfInitialCPC"),
             lambda t, year: pl.col("DateOfInitialCPC") < pl.lit(f"{year}-03-24")),
    CinFault("8905", "ChildProtectionPlans", "InitialCategoryOfAbuse", _const("ABC")),
    CinFault("8910", "ChildProtectionPlans", "LatestCategoryOfAbuse", _const("XYZ")),
    CinFault("8925", "ChildProtectionPlans", "CPPendDate", _shift("CPPstartDate", -1),
             _in_year_after_start("CPPstartDate", "CPPendDate")),
    CinFault("8840", "ChildProtectionPlans", "CPPendDate", _shift("CPPstartDate", 0),
             _in_year_after_start("CPPstartDate", "CPPendDate")),
    CinFault("8730", "ChildProtectionPlans", "NumberOfPreviousCPP", _const(None)),
    CinFault("8841", "Reviews", "CPPreviewDate", _review_on_start),
    CinFault("8898", "AssessmentFactorsList", "AssessmentFactors", _DUP_FACTOR[1], _DUP_FACTOR[0]),
    CinFault("4011", "CINplanDates", "CINPlanEndDate", _shift("CINPlanStartDate", -1),
             _in_year_after_start("CINPlanStartDate", "CINPlanEndDate")),
    CinFault("4010", "CINplanDates", "CINPlanStartDate", _on(lambda year: f"{year}-04-10"),
             lambda t, y: pl.col("CINPlanEndDate").is_null()),
    # Dates past the reference date (1 April), on the latest record of its kind (in an open episode)
    # so that nothing overlaps and nothing passes the episode's closure.
    CinFault("8620", "CINdetails", "CINclosureDate", _AFTER_YEAR,
             _all(_present("CINclosureDate"), _last("CINreferralDate", "LAchildID"))),
    CinFault("8696", "Assessments", "AssessmentAuthorisationDate", _AFTER_YEAR,
             _all(_present("AssessmentAuthorisationDate"), _in_open_episode,
                  _last("AssessmentActualStartDate", *_EPISODE))),
    CinFault("4013", "CINplanDates", "CINPlanEndDate", _AFTER_YEAR,
             _all(_present("CINPlanEndDate"), _in_open_episode, _last("CINPlanStartDate", *_EPISODE))),
    # A plan open on 1 April recorded as having ended the day before (before the census year).
    CinFault("8930", "ChildProtectionPlans", "CPPendDate", _on(lambda year: f"{year - 1}-03-31"),
             _all(_present("CPPendDate"), lambda t, year: pl.col("CPPstartDate") < pl.lit(f"{year - 1}-03-31"))),
    # A conference after the year, of the episode's last enquiry and deciding on no plan (rule 2883).
    CinFault("8715", "Section47", "DateOfInitialCPC", _AFTER_YEAR,
             _all(_present("DateOfInitialCPC"), _in_open_episode, _last("S47ActualStartDate", *_EPISODE),
                  _not(_episode_with("ChildProtectionPlans", pl.lit(True))))),
    # A CIN plan ending the day after its episode closed (the child's last, closed before 31 March).
    CinFault("8565", "CINplanDates", "CINPlanEndDate", _episode_date("CINclosureDate", 1),
             _all(_present("CINPlanEndDate"), _last("CINPlanStartDate", *_EPISODE),
                  _episode_with("CINdetails", lambda year: (pl.col("CINclosureDate") < pl.lit(f"{year}-03-31"))
                                & (pl.col("CINreferralDate") == pl.col("CINreferralDate").max().over("LAchildID"))))),
    # An enquiry's conference recorded again at episode level.
    CinFault("2884", "CINdetails", "DateOfInitialCPC", _from_episode("Section47", "DateOfInitialCPC"),
             _all(_blank("DateOfInitialCPC"),
                  _episode_with("Section47", pl.col("DateOfInitialCPC").is_not_null()))),
    CinFault("8530Q", "ChildIdentifiers", "ExpectedPersonBirthDate", _on(lambda year: f"{year + 1}-01-01"),
             _present("ExpectedPersonBirthDate")),
    # A child that died after the reference date (with no CIN plan left open, rule 4009Q).
    CinFault("8545Q", "ChildIdentifiers", "PersonDeathDate", _AFTER_YEAR,
             _all(_present("PersonBirthDate"), _blank("PersonDeathDate"),
                  _not(_child_with("CINplanDates", pl.col("CINPlanEndDate").is_null())))),
    # Activity starting the day before its episode's referral: the episode's first of its kind.
    CinFault("1103", "Assessments", "AssessmentActualStartDate", _episode_date("CINreferralDate", -1),
             _all(_present("AssessmentAuthorisationDate"), _first("AssessmentActualStartDate", *_EPISODE))),
    CinFault("2889", "Section47", "S47ActualStartDate", _episode_date("CINreferralDate", -1),
             _all(lambda t, y: pl.col("DateOfInitialCPC").is_not_null() | (pl.col("ICPCnotRequired") == "true"),
                  _first("S47ActualStartDate", *_EPISODE))),
    CinFault("4015", "CINplanDates", "CINPlanStartDate", _episode_date("CINreferralDate", -1),
             _all(_first("CINPlanStartDate", *_EPISODE), _not(_episode_with("ChildProtectionPlans", pl.lit(True))))),
    CinFault("4012Q", "CINplanDates", "CINPlanEndDate", _shift("CINPlanStartDate", 0),
             _in_year_after_start("CINPlanStartDate", "CINPlanEndDate")),
    CinFault("8870Q", "Section47", "InitialCPCtarget", _saturday("InitialCPCtarget"),
             lambda t, year: pl.col("InitialCPCtarget") < pl.lit(f"{year}-03-24")),
    # Fields blanked (on a child's only record of the kind where a gap could read as an overlap).
    CinFault("8525Q", "ChildIdentifiers", "PersonBirthDate", _const(None), _present("PersonBirthDate")),
    CinFault("8600", "CINdetails", "CINreferralDate", _const(None), _only("LAchildID")),
    CinFault("8610", "CINdetails", "PrimaryNeedCode", _const(None),
             _all(_present("PrimaryNeedCode"), _is("ReferralNFA", "false"))),
    CinFault("8810", "CINdetails", "CINclosureDate", _const(None),
             _all(_present("CINclosureDate", "ReasonForClosure"), _only("LAchildID"))),
    CinFault("8720", "ChildProtectionPlans", "CPPstartDate", _const(None), _only("LAchildID")),
    # A review with no date is not written: one whose date is unreadable (day 32) reads as missing.
    CinFault("8842Q", "Reviews", "CPPreviewDate", lambda rows, t, y: rows["CPPreviewDate"].str.slice(0, 8) + "32",
             _present("CPPreviewDate")),
    # Codes inconsistent with the rest of the child's record.
    CinFault("8750", "ChildIdentifiers", "sex", lambda rows, t, year: pl.Series(["1" if year <= 2024 else "F"] * rows.height),
             lambda t, y: pl.col("PersonBirthDate").is_null() & pl.col("ExpectedPersonBirthDate").is_not_null()),
    CinFault("8772", "ChildIdentifiers", "UPNunknown", _const("UN7"),
             _all(_present("UPNunknown"), lambda t, y: pl.col("UPNunknown") != "UN7", _FURTHER_ACTION)),
    CinFault("8770Q", "ChildIdentifiers", "UPN", _const(None),
             _all(_present("UPN"), _blank("UPNunknown"), _FURTHER_ACTION,
                  lambda t, year: pl.col("PersonBirthDate") < pl.lit(f"{year - 8}-01-01"))),
    # UPNs malformed in one place each (the check letter still right where the rule can compute it).
    CinFault("1550", "ChildIdentifiers", "UPN", lambda rows, t, y: rows["UPN"].str.slice(0, 12) + "I", _present("UPN")),
    CinFault("1530", "ChildIdentifiers", "UPN", _upn_of_another_la, lambda t, y: pl.col("UPN").str.contains(r"^.\d{12}$")),
    CinFault("1560Q", "ChildIdentifiers", "FormerUPN", lambda rows, t, y: rows["UPN"].str.slice(0, 12),
             _all(_present("UPN"), _blank("FormerUPN"))),
    # Last of the UPN faults, so that the UPN it copies is not changed after.
    CinFault("1520", "ChildIdentifiers", "UPN", _another_upn,
             _all(_present("UPN"), lambda t, y: pl.col("UPN").count() >= 2)),
)


def _field(fault: CinFault, year: int) -> str:
    return ("GenderCurrent" if year <= 2024 else "Sex") if fault.field == "sex" else fault.field


def _eligible(tables: dict[str, pl.DataFrame], year: int, chosen: pl.Series) -> pl.DataFrame:
    """(kind, row, child) for every record of a chosen child that a fault kind can go in."""
    parts = []
    for kind, fault in enumerate(CATALOGUE):
        table = tables.get(fault.table)
        if table is None or table.height == 0:
            continue
        rows = table.with_row_index("_row").filter(fault.where(tables, year)).filter(
            pl.col("LAchildID").is_in(chosen.implode()))
        parts.append(rows.select(pl.lit(kind, dtype=pl.Int64).alias("kind"), pl.col("_row").cast(pl.Int64), "LAchildID"))
    return pl.concat(parts) if parts else pl.DataFrame(schema={"kind": pl.Int64, "_row": pl.Int64, "LAchildID": pl.String})


def inject_cin_faults(tables: dict[str, pl.DataFrame], year: int, la_code: str,
                      options: GenerateOptions) -> tuple[dict[str, pl.DataFrame], pl.DataFrame | None]:
    """Tables with faults injected, and the list of faults (None when the error rate is 0)."""
    if options.error_rate <= 0:
        return tables, None
    rng = np.random.default_rng([options.seed, int(la_code), year, 11])
    children = tables["ChildIdentifiers"]["LAchildID"]
    chosen = children.gather(np.sort(faulty_children(len(children), options.error_rate, rng)))
    eligible = _eligible(tables, year, chosen)
    # One fault per child: a kind drawn evenly among those the child allows, then one of its records.
    kinds = eligible.select("LAchildID", "kind").unique(maintain_order=True)
    kinds = kinds.with_columns(_k=pl.Series(rng.random(kinds.height))).sort("_k").unique("LAchildID", keep="first",
                                                                                       maintain_order=True)
    picks = eligible.join(kinds.select("LAchildID", "kind"), on=["LAchildID", "kind"], maintain_order="left")
    picks = picks.with_columns(_k=pl.Series(rng.random(picks.height))).sort("_k").unique(
        "LAchildID", keep="first", maintain_order=True).sort("kind", "_row")
    tables = dict(tables)
    log = []
    for kind, group in picks.group_by("kind", maintain_order=True):
        fault = CATALOGUE[int(kind[0])]
        field = _field(fault, year)
        table = tables[fault.table]
        rows_idx = group["_row"].to_numpy()
        parent = [k for k in ("LAchildID", "CINdetailsID", "AssessmentID") if k in table.columns]
        rows = table.with_columns(_previous=pl.col(field).shift(1).over(parent)).gather(rows_idx)
        values = fault.value(rows, tables, year).cast(pl.String)
        tables[fault.table] = table.with_columns(table[field].cast(pl.String).scatter(rows_idx, values).alias(field))
        log += [{"year": year, "old_la_code": la_code, "table": fault.table, "row": int(r) + 1, "child": c,
                 "code": fault.code, "field": field} for r, c in zip(rows_idx, group["LAchildID"], strict=True)]
    frame = pl.DataFrame(log, schema=FAULT_SCHEMA).sort("table", "row") if log else pl.DataFrame(schema=FAULT_SCHEMA)
    return tables, frame
