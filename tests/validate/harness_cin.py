"""Build a CinReturn from a CIN rule's example records, the way the XML reader would.

Examples are flat records per table (field values as text, as the XML holds them). Nesting is
given by keys, each optional:

- ``LAchildID`` ties a record to the ChildIdentifiers record with that ID (blank included); a
  ChildIdentifiers record without one is ``C1``, ``C2``... by its position.
- ``CINdetailsID``, ``AssessmentID`` and ``CPPID`` are labels (any value): set on a CINdetails,
  Assessments or ChildProtectionPlans record, they name it; set on a record nested below one,
  they place it there. A nested record inherits its parent's child and episode.
- A record without its key belongs to the parent table's record at the same position (or to the
  parent's only record); a child-level record (ChildCharacteristics, Disabilities, CINdetails)
  likewise to the ChildIdentifiers record at its position, else to a child of its own.

The reader's keys then follow: ``_child`` is the child's ChildIdentifiers ``_row``,
``CINdetailsID``/``AssessmentID``/``CPPID`` the parent's ``_row``.

For the DfE's LA-level rules, ``WHOLE_RETURN`` (``"_return"``) is a pseudo-table: ``[fail()]``
there expects one error about the return as a whole (no table, no row), ``[ok()]`` none.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from carestat.ingest import assemble_cin
from carestat.ingest.xmlcin import KEY_TYPES, cin_keys
from carestat.refdata import resolve_la
from carestat.spec import spec
from carestat.validate.cin_context import CinReturn
from carestat.validate.registry import Example, Rule
from tests.validate.harness import WHOLE_RETURN, example_year

PARENT = {"Assessments": ("CINdetails", "CINdetailsID"), "CINplanDates": ("CINdetails", "CINdetailsID"),
          "Section47": ("CINdetails", "CINdetailsID"), "ChildProtectionPlans": ("CINdetails", "CINdetailsID"),
          "AssessmentFactorsList": ("Assessments", "AssessmentID"), "Reviews": ("ChildProtectionPlans", "CPPID")}
OWN_ID = {"CINdetails": "CINdetailsID", "Assessments": "AssessmentID", "ChildProtectionPlans": "CPPID"}
# Parents before the records nested in them.
ORDER = ("Header", "ChildIdentifiers", "ChildCharacteristics", "Disabilities", "CINdetails", "Assessments",
         "AssessmentFactorsList", "CINplanDates", "Section47", "ChildProtectionPlans", "Reviews")


class _Children:
    def __init__(self, identifiers: list[dict[str, Any]]) -> None:
        self.ids = [rec.get("LAchildID", f"C{i}") for i, rec in enumerate(identifiers, start=1)]
        self.index: dict[Any, int] = {}
        for i, child in enumerate(self.ids, start=1):
            self.index.setdefault(child, i)

    def by_id(self, child: Any) -> int:
        """The child with this ID, or a new child (numbered after ChildIdentifiers') if none."""
        if child not in self.index:
            self.index[child] = len(self.ids) + 1 + sum(1 for v in self.index.values() if v > len(self.ids))
        return self.index[child]

    def at(self, position: int) -> tuple[int, Any]:
        """The child a child-level record at ``position`` belongs to when it names none."""
        if position <= len(self.ids):
            return position, self.ids[position - 1]
        if len(self.ids) == 1:
            return 1, self.ids[0]
        child = f"C{position}"
        return self.by_id(child), child


def cin_raw_tables(tables: dict[str, list[dict[str, Any]]], year: int) -> dict[str, pl.DataFrame]:
    return_spec = spec("cin", year)
    unknown = [t for t in tables if t not in return_spec.tables and t != WHOLE_RETURN]
    assert not unknown, f"example tables {unknown} are not CIN tables of {year}"
    children = _Children(list(tables.get("ChildIdentifiers", [])))
    resolved: dict[str, list[dict[str, Any]]] = {}  # table -> each record's keys
    labels: dict[str, dict[Any, int]] = {}
    raw: dict[str, pl.DataFrame] = {}
    for name in ORDER:
        records = tables.get(name)
        if records is None:
            continue
        table = return_spec.table(name)
        keys = cin_keys(name, year)
        allowed = set(table.columns) | {"LAchildID", "CINdetailsID", "AssessmentID", "CPPID", "_fails"}
        for rec in records:
            extra = set(rec) - allowed
            assert not extra, f"{name}: example fields {sorted(extra)} are not in {name}"
        resolved[name], labels[name] = [], {}
        rows = []
        for i, rec in enumerate(records, start=1):
            key_values = _keys_of(name, i, rec, children, resolved, labels)
            if name in OWN_ID:
                key_values[OWN_ID[name]] = i
                if OWN_ID[name] in rec:
                    labels[name][rec[OWN_ID[name]]] = i
            resolved[name].append(key_values)
            values = {c: _text(rec.get(c)) for c in table.columns}
            if name == "ChildIdentifiers":
                values["LAchildID"] = _text(children.ids[i - 1])
            rows.append({**{k: key_values.get(k) for k in keys}, **values})
        schema = {**{k: KEY_TYPES[k] for k in keys}, **{c: pl.Utf8 for c in table.columns}}
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        raw[name] = frame.select(pl.lit(f"{name}.xml").alias("_file"),
                                 pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("_row"), pl.all())
    return raw


def _keys_of(name: str, i: int, rec: dict[str, Any], children: _Children,
             resolved: dict[str, list[dict[str, Any]]], labels: dict[str, dict[Any, int]]) -> dict[str, Any]:
    if name == "Header":
        return {}
    if name == "ChildIdentifiers":
        return {"_child": i}
    parent_row = None
    if name in PARENT:
        parent, key = PARENT[name]
        siblings = resolved.get(parent, [])
        if key in rec:
            assert rec[key] in labels.get(parent, {}), f"{name} record {i}: no {parent} record has {key}={rec[key]!r}"
            parent_row = labels[parent][rec[key]]
        elif i <= len(siblings):
            parent_row = i
        elif len(siblings) == 1:
            parent_row = 1
    if parent_row is not None:
        out = dict(resolved[PARENT[name][0]][parent_row - 1])
        if "LAchildID" in rec:
            out["LAchildID"] = _text(rec["LAchildID"])
        return out
    if "LAchildID" in rec:
        return {"_child": children.by_id(rec["LAchildID"]), "LAchildID": _text(rec["LAchildID"])}
    child, child_id = children.at(i)
    return {"_child": child, "LAchildID": _text(child_id)}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def build_cin_return(rule: Rule, example: Example) -> CinReturn:
    year = example_year(rule, example)
    la = resolve_la(example.la, year) if example.la else None
    raw = cin_raw_tables({k: list(v) for k, v in example.tables.items()}, year)
    return CinReturn(assemble_cin(raw, spec("cin", year), la), la)
