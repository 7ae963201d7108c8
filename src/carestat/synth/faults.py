"""Deliberate faults for testing validators: each breaks one DfE rule on purpose.

With ``--error-rate R`` about R of the children in each return get one fault, drawn from the
catalogue below; ``faults.csv`` beside the return lists (year, LA, table, row, child, intended
rule code). A fault may also trip other rules (a nonsense start date upsets every rule that reads
it); the intended code is the one a validator must report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.options import GenerateOptions


@dataclass(frozen=True)
class Fault:
    code: str  # the DfE rule it breaks
    table: str
    field: str
    value: Callable[[pl.DataFrame, int], str | None]  # new value given the table and row index
    applies: Callable[[pl.DataFrame], pl.Expr] = lambda t: pl.lit(True)


def _const(value: str | None) -> Callable[[pl.DataFrame, int], str | None]:
    return lambda _t, _i: value


def _day_before(column: str) -> Callable[[pl.DataFrame, int], str | None]:
    def value(t: pl.DataFrame, i: int) -> str | None:
        d = pl.Series([t[column][i]]).str.to_date("%d/%m/%Y")[0]
        return None if d is None else (d - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    return value


CATALOGUE: tuple[Fault, ...] = (
    Fault("101", "Header", "SEX", _const("X")),
    Fault("102", "Header", "DOB", _const("31/02/2010")),
    Fault("103", "Header", "ETHNIC", _const("ZZZZ")),
    Fault("168", "Header", "UPN", _const("123456789")),
    Fault("143", "Episodes", "RNE", _const("Q")),
    Fault("144", "Episodes", "LS", _const("Z9")),
    Fault("145", "Episodes", "CIN", _const("N0")),
    Fault("146", "Episodes", "PLACE", _const("Q9")),
    Fault("141", "Episodes", "DECOM", _const("32/13/2020")),
    Fault("149", "Episodes", "REC", _const("E99"), lambda t: pl.col("REC").is_not_null()),
    Fault("356", "Episodes", "DEC", _day_before("DECOM"), lambda t: pl.col("DEC").is_not_null()),
    Fault("167", "Reviews", "REVIEW_CODE", _const("PN9")),
    Fault("166", "Reviews", "REVIEW", _const(None)),
    Fault("131", "OC3", "IN_TOUCH", _const("MAYBE")),
    Fault("132", "OC3", "ACTIV", _const("Q1"), lambda t: pl.col("IN_TOUCH") == "YES"),
    Fault("180", "OC2", "SDQ_SCORE", _const("45"), lambda t: pl.col("SDQ_SCORE").is_not_null()),
    Fault("1006", "Missing", "MISSING", _const("X")),
    Fault("567", "Missing", "MIS_END", _day_before("MIS_START"), lambda t: pl.col("MIS_END").is_not_null()),
    Fault("175", "AD1", "NB_ADOPTR", _const("3")),
    Fault("115", "PlacedAdoption", "DATE_PLACED", _const("00/00/2020")),
    Fault("631", "PrevPerm", "PREV_PERM", _const("P9")),
    Fault("104", "UASC", "DUC", _const("2020/13/45"), lambda t: pl.col("DUC").is_not_null()),
    Fault("218", "Episodes", "URN", _const(None),
          lambda t: pl.col("PLACE").is_in(["U1", "U4", "U6", "K2"]) & pl.col("URN").is_not_null()),
    Fault("302", "Episodes", "DECOM", _const("01/01/1995"), lambda t: pl.col("RNE") == "S"),
    Fault("1009", "Episodes", "REASON_PLACE_CHANGE", _const("WHIM"),
          lambda t: pl.col("REASON_PLACE_CHANGE").is_not_null()),
)


# The columns of faults.csv, for both returns.
FAULT_SCHEMA = {"year": pl.Int64, "old_la_code": pl.String, "table": pl.String, "row": pl.Int64, "child": pl.String,
                "code": pl.String, "field": pl.String}


def faulty_children(count: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Positions of the children (of ``count``) who get a fault: about ``rate`` of them."""
    n = int(rng.binomial(count, rate))
    return rng.choice(count, size=min(n, count), replace=False)


def inject_faults(tables: dict[str, pl.DataFrame], year: int, la: str,
                  options: GenerateOptions) -> tuple[dict[str, pl.DataFrame], pl.DataFrame | None]:
    """Tables with faults injected, and the list of faults (None when the rate is 0)."""
    if options.error_rate <= 0:
        return tables, None
    rng = np.random.default_rng([options.seed, int(la), year, 7])
    children = tables["Header"]["CHILD"].to_list()
    chosen = faulty_children(len(children), options.error_rate, rng)
    tables = dict(tables)
    log = []
    used: set[tuple[str, int]] = set()
    for idx in chosen:
        child = children[idx]
        for attempt in rng.permutation(len(CATALOGUE)):
            fault = CATALOGUE[attempt]
            table = tables.get(fault.table)
            if table is None or fault.field not in table.columns:
                continue
            rows = table.with_row_index("_i").filter((pl.col("CHILD") == child) & fault.applies(table))["_i"]
            rows = [r for r in rows.to_list() if (fault.table, r) not in used]
            if not rows:
                continue
            row = rows[0]
            value = fault.value(table, row)
            column = table[fault.field].to_list()
            column[row] = value
            tables[fault.table] = table.with_columns(pl.Series(fault.field, column, dtype=pl.Utf8))
            used.add((fault.table, row))
            log.append({"year": year, "old_la_code": la, "table": fault.table, "row": row + 1,
                        "child": child, "code": fault.code, "field": fault.field})
            break
    return tables, pl.DataFrame(log, schema=FAULT_SCHEMA)
