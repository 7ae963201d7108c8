"""Run the rules of a year over a return and collect one error line per failing record.

Rules are independent: each gets the same immutable frames, and the engine evaluates all of
them in one ``collect_all`` so Polars can share work and use every core. A rule whose inputs
were not supplied (a table, the previous year's return, the LA's code, the provider list) is
reported as skipped with the reason, never silently passed.

Polars has a fixed cost per query (planning, scheduling) that dwarfs the work on a small
return, so the engine keeps the number of queries down: every :class:`Where` condition on the
same frame is evaluated in one ``select``, and the failing rows of all rules become error lines
in one join.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from carestat.validate.context import Return
from carestat.validate.registry import Rule, RuleResult, Where, rules_for

ERROR_COLUMNS = ("code", "table", "row", "child", "fields", "message")
ERROR_SCHEMA = {"code": pl.Utf8, "table": pl.Utf8, "row": pl.UInt32, "child": pl.Utf8,
                "fields": pl.Utf8, "message": pl.Utf8, "severity": pl.Utf8}
# Rule plans hold small frames: the in-memory engine starts each far sooner than the streaming one.
_ENGINE = "in-memory"


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


@dataclass(frozen=True)
class _Part:
    """One table's failing records from one rule: a plan, or a condition on a shared frame."""

    rule: Rule
    table: str | None
    plan: pl.LazyFrame | Where


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


def _parts(rule: Rule, result: RuleResult) -> list[_Part]:
    if result is None:
        return []
    items: Iterable[tuple[str | None, pl.DataFrame | pl.LazyFrame | Where]]
    items = result.items() if isinstance(result, Mapping) else [(rule.tables[0], result)]
    return [_Part(rule, table, frame if isinstance(frame, Where) else frame.lazy()) for table, frame in items]


def run_rules(r: Return, rules: list[Rule] | None = None) -> RunResult:
    started = time.perf_counter()
    rules = rules_for(r.spec.return_name, r.year) if rules is None else rules
    skipped: list[Skipped] = []
    pending: list[_Part] = []
    ran: list[str] = []
    for rule in rules:
        reason = _missing_inputs(rule, r)
        if reason:
            skipped.append(Skipped(rule.code, reason))
            continue
        try:
            parts = _parts(rule, rule.func(r))
        except Exception as exc:  # a defect in one rule must not stop the others
            skipped.append(Skipped(rule.code, f"could not run ({type(exc).__name__}: {exc})"))
            continue
        ran.append(rule.code)
        pending.extend(parts)

    rows, frames = _evaluate(pending, skipped)
    lines = _error_lines(pending, rows, r)
    lines += [_return_level_lines(part, frame, r) for part, frame in zip(pending, frames, strict=True)
              if frame is not None and frame.height]
    errors = _with_children(pl.concat(lines), r) if lines else pl.DataFrame(schema=ERROR_SCHEMA)
    errors = errors.unique(["code", "table", "row"], keep="first").sort(
        "table", "row", "code", nulls_last=False)
    return RunResult(errors, tuple(ran), tuple(skipped), time.perf_counter() - started)


def _evaluate(pending: list[_Part], skipped: list[Skipped]) -> tuple[pl.DataFrame, list[pl.DataFrame | None]]:
    """Failing rows of every part as (part, row); and, for the rare part whose frame has no
    ``_row`` (a return-level error) or no table, the frame itself."""
    groups: dict[int, list[int]] = {}
    for i, part in enumerate(pending):
        if isinstance(part.plan, Where):
            groups.setdefault(id(part.plan.frame), []).append(i)
    plans = [_where_plan([pending[i] for i in members], members) for members in groups.values()]
    others = [i for i, part in enumerate(pending) if not isinstance(part.plan, Where)]
    plans += [pending[i].plan for i in others]  # type: ignore[misc]
    try:
        results: list[pl.DataFrame | None] = list(pl.collect_all(plans, engine=_ENGINE))
    except Exception:
        results = _collect_one_by_one(pending, groups, others, skipped)
    pairs = [frame for frame in results[: len(groups)] if frame is not None]
    frames: list[pl.DataFrame | None] = [None] * len(pending)
    for i, frame in zip(others, results[len(groups):], strict=True):
        if frame is None or not frame.height:
            continue
        if pending[i].table is not None and "_row" in frame.columns:
            pairs.append(frame.select(pl.lit(i, pl.UInt32).alias("part"),
                                      pl.col("_row").cast(pl.UInt32).alias("row")))
        else:
            frames[i] = frame
    rows = pl.concat(pairs) if pairs else pl.DataFrame(schema={"part": pl.UInt32, "row": pl.UInt32})
    return rows, frames


def _where_plan(parts: list[_Part], members: list[int]) -> pl.LazyFrame:
    """One query for every condition on one frame: the rows each condition holds for."""
    frame = parts[0].plan.frame  # type: ignore[union-attr]
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    row = pl.col("_row").cast(pl.UInt32)
    return (lazy.select([row.filter(p.plan.condition).implode().alias(str(i))  # type: ignore[union-attr]
                         for p, i in zip(parts, members, strict=True)])
            .unpivot(variable_name="part", value_name="row")
            .explode("row").drop_nulls("row")
            .select(pl.col("part").cast(pl.UInt32), "row"))


def _collect_one_by_one(pending: list[_Part], groups: dict[int, list[int]], others: list[int],
                        skipped: list[Skipped]) -> list[pl.DataFrame | None]:
    """Find the rule at fault, keep the others."""

    def attempt(i: int, plan: pl.LazyFrame) -> pl.DataFrame | None:
        try:
            return plan.collect(engine=_ENGINE)
        except Exception as exc:
            skipped.append(Skipped(pending[i].rule.code, f"could not run ({type(exc).__name__}: {exc})"))
            return None

    out: list[pl.DataFrame | None] = []
    for members in groups.values():
        found = [attempt(i, _where_plan([pending[i]], [i])) for i in members]
        out.append(pl.concat([f for f in found if f is not None]) if any(f is not None for f in found) else None)
    out += [attempt(i, pending[i].plan) for i in others]  # type: ignore[arg-type]
    return out


def _error_lines(pending: list[_Part], rows: pl.DataFrame, r: Return) -> list[pl.DataFrame]:
    """Error lines for the failing (part, row) pairs: one join with each part's code and message."""
    if not rows.height:
        return []
    used = set(rows["part"].unique().to_list())
    meta = {"part": [], "code": [], "table": [], "fields": [], "message": [], "severity": []}
    for i in sorted(used):
        part = pending[i]
        table = part.table
        assert table is not None  # parts without a table are return-level lines
        meta["part"].append(i)
        meta["code"].append(part.rule.code)
        meta["table"].append(table)
        meta["fields"].append(";".join(_fields_in_table(part.rule, table, r)))
        meta["message"].append(part.rule.message(r.year))
        meta["severity"].append(part.rule.severity)
    info = pl.DataFrame(meta, schema={"part": pl.UInt32, **{k: pl.Utf8 for k in meta if k != "part"}})
    return [rows.unique().join(info, on="part").select(
        "code", "table", "row", pl.lit(None, dtype=pl.Utf8).alias("child"), "fields", "message", "severity")]


def _fields_in_table(rule: Rule, table: str, r: Return) -> list[str]:
    dfe_fields = rule.dfe_fields(r.year)
    base = table[:-5] if table.endswith("_last") else table
    columns = set(r.spec.table(base).columns) if base in r.spec.tables else set()
    return [f for f in dfe_fields if f in columns] or list(dfe_fields)


def _return_level_lines(part: _Part, frame: pl.DataFrame, r: Return) -> pl.DataFrame:
    rule = part.rule
    n = max(frame.height, 1) if part.table is None else frame.height
    return pl.DataFrame({
        "code": [rule.code] * n, "table": [None] * n, "row": [None] * n, "child": [None] * n,
        "fields": [";".join(rule.dfe_fields(r.year))] * n, "message": [rule.message(r.year)] * n,
        "severity": [rule.severity] * n,
    }, schema=ERROR_SCHEMA)


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
