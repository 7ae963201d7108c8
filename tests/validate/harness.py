"""Build a Return from a rule's example records, the way the readers would."""

from __future__ import annotations

import polars as pl

from carestat.ingest import assemble_903
from carestat.refdata import resolve_la
from carestat.spec import spec
from carestat.validate import Return
from carestat.validate.providers import providers_from_records
from carestat.validate.registry import Example, Rule


def _raw(records, table_spec, name: str) -> pl.DataFrame:
    columns = list(table_spec.columns)
    extra = sorted({k for rec in records for k in rec} - set(columns) - {"_fails"})
    unknown = [k for k in extra if k != "UASC"]
    assert not unknown, f"{name}: example fields {unknown} are not in {table_spec.name}"
    rows = []
    for i, rec in enumerate(records, start=1):
        row = {c: rec.get(c) for c in columns + extra}
        if "CHILD" in columns and "CHILD" not in rec:
            row["CHILD"] = f"C{i}"
        rows.append(row)
    frame = pl.DataFrame(rows, schema={c: pl.Utf8 for c in columns + extra}, orient="row")
    return frame.select(pl.lit(f"{name}.csv").alias("_file"),
                        pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("_row"), pl.all())


def example_year(rule: Rule, example: Example) -> int:
    return example.year if example.year is not None else max(rule.years)


def build_return(rule: Rule, example: Example) -> Return:
    year = example_year(rule, example)
    la = resolve_la(example.la, year) if example.la else None
    current, last = {}, {}
    for name, records in example.tables.items():
        if name.endswith("_last"):
            base = name[:-5]
            last[base] = _raw(records, spec(rule.return_name, year - 1).table(base), name)
        else:
            current[name] = _raw(records, spec(rule.return_name, year).table(name), name)
    data = assemble_903(current, spec(rule.return_name, year), la)
    previous = assemble_903(last, spec(rule.return_name, year - 1), la) if last else None
    providers = providers_from_records(example.providers) if example.providers is not None else None
    return Return(data, previous, la, providers)


# An example's pseudo-table for an error about the return as a whole (reported with no table and
# no row): ``WHOLE_RETURN: [fail()]`` says the rule must report one, ``[ok()]`` that it must not.
WHOLE_RETURN = "_return"


def expected_failures(example: Example) -> dict[str | None, set[int | None]]:
    out: dict[str | None, set[int | None]] = {}
    for name, records in example.tables.items():
        if name.endswith("_last"):
            continue
        rows: set[int | None] = {i for i, rec in enumerate(records, start=1) if rec.get("_fails")}
        if name == WHOLE_RETURN:
            out[None] = {None} if rows else set()
        else:
            out[name] = rows
    return out
