"""Run the rules of a year over a return and collect one error line per failing record.

Rules are independent: each gets the same immutable frames, and the engine evaluates all of
them in one ``collect_all`` so Polars can share work and use every core. A rule whose inputs
were not supplied (a table, the previous year's return, the LA's code, the provider list) is
reported as skipped with the reason, never silently passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from carestat.validate.context import Return
from carestat.validate.registry import Rule, RuleResult, rules_for

ERROR_COLUMNS = ("code", "table", "row", "child", "fields", "message")
ERROR_SCHEMA = {"code": pl.Utf8, "table": pl.Utf8, "row": pl.UInt32, "child": pl.Utf8,
                "fields": pl.Utf8, "message": pl.Utf8, "severity": pl.Utf8}


@dataclass(frozen=True)
class Skipped:
    code: str
    reason: str


@dataclass(frozen=True)
class RunResult:
    errors: pl.DataFrame  # ERROR_SCHEMA, ordered by table, row, code
    rules_run: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    seconds: float


def _missing_inputs(rule: Rule, r: Return) -> str | None:
    absent = [t for t in rule.tables if not t.endswith("_last") and not r.has(t)]
    if absent:
        return f"table(s) {', '.join(absent)} not supplied"
    if "previous" in rule.needs and r.previous is None:
        return "needs the previous year's return (--previous)"
    last_absent = [t for t in rule.tables if t.endswith("_last") and not r.has(t)]
    if last_absent:
        return f"previous year's table(s) {', '.join(t[:-5] for t in last_absent)} not supplied"
    if "la" in rule.needs and r.la is None:
        return "needs the local authority's code (--la)"
    if "providers" in rule.needs and r.providers is None:
        return "needs the Ofsted provider list (--providers)"
    return None


def _as_lazy_parts(rule: Rule, result: RuleResult) -> list[tuple[str | None, pl.LazyFrame]]:
    if result is None:
        return []
    items: Iterable[tuple[str | None, pl.DataFrame | pl.LazyFrame]]
    items = result.items() if isinstance(result, Mapping) else [(rule.tables[0], result)]
    parts = []
    for table, frame in items:
        lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
        parts.append((table, lazy))
    return parts


def run_rules(r: Return, rules: list[Rule] | None = None) -> RunResult:
    started = time.perf_counter()
    rules = rules_for(r.spec.return_name, r.year) if rules is None else rules
    skipped: list[Skipped] = []
    pending: list[tuple[Rule, str | None, pl.LazyFrame]] = []
    ran: list[str] = []
    for rule in rules:
        reason = _missing_inputs(rule, r)
        if reason:
            skipped.append(Skipped(rule.code, reason))
            continue
        try:
            parts = _as_lazy_parts(rule, rule.func(r))
        except Exception as exc:  # a defect in one rule must not stop the others
            skipped.append(Skipped(rule.code, f"could not run ({type(exc).__name__}: {exc})"))
            continue
        ran.append(rule.code)
        for table, lazy in parts:
            pending.append((rule, table, lazy))

    frames = _collect(pending, skipped)
    lines = [_error_lines(rule, table, frame, r) for (rule, table, _), frame in zip(pending, frames, strict=True)
             if frame is not None and frame.height]
    errors = _with_children(pl.concat(lines), r) if lines else pl.DataFrame(schema=ERROR_SCHEMA)
    errors = errors.unique(["code", "table", "row"], keep="first").sort(
        "table", "row", "code", nulls_last=False)
    return RunResult(errors, tuple(ran), tuple(skipped), time.perf_counter() - started)


def _with_children(lines: pl.DataFrame, r: Return) -> pl.DataFrame:
    """Fill ``child`` from each table's identifier column, one join per table."""
    index = []
    for table in lines["table"].drop_nulls().unique().to_list():
        frame = r.table(table)
        child = next((c for c in ("CHILD", "LAchildID") if c in frame.columns), None)
        index.append(frame.select(pl.lit(table).alias("table"), pl.col("_row").alias("row"),
                                  (pl.col(child) if child else pl.lit(None, pl.Utf8)).alias("_child")))
    if not index:
        return lines
    return (lines.join(pl.concat(index), on=["table", "row"], how="left")
            .with_columns(child=pl.coalesce("child", "_child")).drop("_child").select(list(ERROR_SCHEMA)))


def _collect(pending: list[tuple[Rule, str | None, pl.LazyFrame]],
             skipped: list[Skipped]) -> list[pl.DataFrame | None]:
    plans = [lazy for _, _, lazy in pending]
    try:
        return list(pl.collect_all(plans))
    except Exception:
        # Find the rule at fault, keep the others.
        out: list[pl.DataFrame | None] = []
        for rule, _, lazy in pending:
            try:
                out.append(lazy.collect())
            except Exception as exc:
                skipped.append(Skipped(rule.code, f"could not run ({type(exc).__name__}: {exc})"))
                out.append(None)
        return out


def _error_lines(rule: Rule, table: str | None, frame: pl.DataFrame, r: Return) -> pl.DataFrame:
    message = rule.message(r.year)
    dfe_fields = rule.dfe_fields(r.year)
    if table is None or "_row" not in frame.columns:  # return-level errors
        n = max(frame.height, 1) if table is None else frame.height
        return pl.DataFrame({
            "code": [rule.code] * n, "table": [None] * n, "row": [None] * n, "child": [None] * n,
            "fields": [";".join(dfe_fields)] * n, "message": [message] * n, "severity": [rule.severity] * n,
        }, schema=ERROR_SCHEMA)
    base = table[:-5] if table.endswith("_last") else table
    columns = set(r.spec.table(base).columns) if base in r.spec.tables else set()
    in_table = [f for f in dfe_fields if f in columns] or list(dfe_fields)
    return frame.select(pl.col("_row").cast(pl.UInt32).alias("row")).unique().select(
        pl.lit(rule.code).alias("code"), pl.lit(table).alias("table"), "row",
        pl.lit(None, dtype=pl.Utf8).alias("child"), pl.lit(";".join(in_table)).alias("fields"),
        pl.lit(message).alias("message"), pl.lit(rule.severity).alias("severity"),
    )
