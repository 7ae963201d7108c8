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


def _present(*cols: str) -> Where:
    return lambda tables, year: pl.all_horizontal([pl.col(c).is_not_null() for c in cols])


def _in_year_after_start(column: str, *present: str) -> Where:
    """``column`` after 1 April (so a day earlier still falls in the year) and ``present`` filled."""
    return lambda tables, year: (pl.col(column) > pl.lit(f"{year - 1}-04-01")) & _present(*present)(tables, year)


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


def _saturday(rows: pl.DataFrame, tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    d = pl.col("DateOfInitialCPC").str.to_date("%Y-%m-%d")
    return rows.select((d + pl.duration(days=6 - d.dt.weekday())).cast(pl.String))[:, 0]


_DUP_DISABILITY = _previous_in_group(["LAchildID"], "Disability")
_DUP_FACTOR = _previous_in_group(["LAchildID", "CINdetailsID", "AssessmentID"], "AssessmentFactors")

CATALOGUE: tuple[CinFault, ...] = (
    CinFault("4180", "ChildIdentifiers", "sex", lambda rows, t, year: pl.Series(["7" if year <= 2024 else "X"] * rows.height)),
    CinFault("4220", "ChildCharacteristics", "Ethnicity", _const("ZZZZ")),
    CinFault("1510", "ChildIdentifiers", "UPN", _next_letter, _present("UPN")),
    CinFault("1540", "ChildIdentifiers", "UPN", lambda rows, t, y: rows["UPN"].str.slice(0, 6) + "X" + rows["UPN"].str.slice(7),
             _present("UPN")),
    CinFault("8520", "ChildIdentifiers", "PersonBirthDate", lambda rows, t, year: pl.Series([f"{year}-04-15"] * rows.height),
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
    CinFault("8875", "Section47", "DateOfInitialCPC", _saturday,
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
    CinFault("4010", "CINplanDates", "CINPlanStartDate", lambda rows, t, year: pl.Series([f"{year}-04-10"] * rows.height),
             lambda t, y: pl.col("CINPlanEndDate").is_null()),
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
