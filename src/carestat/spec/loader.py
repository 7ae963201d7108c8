"""Build each year's specification from the vendored spec data (read once, cached).

Sources (see ``data/``): the field and table declarations are carestat's own; code lists come
from the DfE lists in ``data/source`` (codes903.csv, codescin.csv) with the dated amendments in
``*_code_amendments.csv`` applied on top, so every change to a code list is one visible row.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from carestat.errors import SpecError
from carestat.spec.model import Code, Field, ReturnName, ReturnSpec, Table

SUPPORTED_YEARS: dict[str, range] = {"ssda903": range(2014, 2028), "cin": range(2019, 2028)}
_ALIASES = {"903": "ssda903", "ssda903": "ssda903", "s903": "ssda903", "cin": "cin"}
_SOURCE_TABLE_NAMES = {"SocialWorker": "SWEpisodes"}

CodeKey = tuple[str, str, str]  # table, field, code


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("carestat.spec").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def return_name(name: str) -> ReturnName:
    """Normalise '903', 'SSDA903' or 'cin' to the canonical return name."""
    try:
        return _ALIASES[name.strip().lower()]  # type: ignore[return-value]
    except KeyError:
        raise SpecError(f"Unknown return {name!r}: use 903 (SSDA903) or cin (CIN census)") from None


def _ssda903_source_codes() -> dict[CodeKey, dict[str, Any]]:
    codes: dict[CodeKey, dict[str, Any]] = {}
    for row in _rows("source/codes903.csv"):
        table = _SOURCE_TABLE_NAMES.get(row["table"], row["table"])
        codes[(table, row["field"], row["code"].strip().upper())] = {
            "description": row["description"],
            "first": int(row["valid_from_year"]),
            "last": int(row["valid_to_year"]),
            "coverage_to": int(row["field_coverage_to_year"] or row["valid_to_year"]),
        }
    return codes


def _cin_source_codes() -> dict[CodeKey, dict[str, Any]]:
    element_to_field = {
        f["xml_element"].rsplit("/", 1)[-1]: (f["table"], f["field"]) for f in _rows("cin_fields.csv")
    }
    codes: dict[CodeKey, dict[str, Any]] = {}
    for row in _rows("source/codescin.csv"):
        for element in row["elements"].split(","):
            if element not in element_to_field:
                continue
            table, field_name = element_to_field[element]
            codes[(table, field_name, row["code"].strip().upper())] = {
                "description": row["description"],
                "first": int(row["valid_from_year"]),
                "last": int(row["valid_to_year"]),
                "coverage_to": 2024,
            }
    return codes


def _apply_amendments(codes: dict[CodeKey, dict[str, Any]], amendments: list[dict[str, str]],
                      source_start: int) -> None:
    for a in amendments:
        first = int(a["first_year"]) if a["first_year"] else None
        last = int(a["last_year"]) if a["last_year"] else None
        if a["action"] == "extend":
            for c in codes.values():
                if first is not None and c["first"] == source_start:
                    c["first"] = first
                if last is not None and c["last"] == c["coverage_to"]:
                    c["last"] = last
        elif a["action"] == "set" and a["code"] == "*":
            for (table, field_name, _), c in codes.items():
                if (table, field_name) == (a["table"], a["field"]):
                    # A wildcard narrows a field's codes to the years the field was collected.
                    c["first"] = max(c["first"], first) if first is not None else c["first"]
                    c["last"] = min(c["last"], last) if last is not None else c["last"]
        elif a["action"] == "remove":
            codes.pop((a["table"], a["field"], a["code"].upper()), None)
        elif a["action"] in ("set", "add"):
            key = (a["table"], a["field"], a["code"].upper())
            entry = codes.setdefault(key, {"description": "", "coverage_to": last})
            entry.update(first=first, last=last)
            if a["description"]:
                entry["description"] = a["description"]
        else:  # pragma: no cover - the amendment files are tested
            raise SpecError(f"Unknown amendment action {a['action']!r}")


@cache
def _code_lists(name: ReturnName) -> dict[tuple[str, str], tuple[Code, ...]]:
    if name == "ssda903":
        codes, amendments, start = _ssda903_source_codes(), _rows("ssda903_code_amendments.csv"), 2017
    else:
        codes, amendments, start = _cin_source_codes(), _rows("cin_code_amendments.csv"), 2017
    _apply_amendments(codes, amendments, start)
    grouped: dict[tuple[str, str], list[Code]] = defaultdict(list)
    for (table, field_name, code), c in sorted(codes.items()):
        grouped[(table, field_name)].append(Code(code, c["description"], c["first"], c["last"]))
    return {k: tuple(v) for k, v in grouped.items()}


@cache
def spec(return_: str, year: int) -> ReturnSpec:
    """The specification of a return ('903' or 'cin') for a collection year (2025 = 2024/25)."""
    name = return_name(return_)
    years = SUPPORTED_YEARS[name]
    if not isinstance(year, int) or year not in years:
        raise SpecError(
            f"carestat has no {name.upper()} specification for collection year {year!r}; "
            f"supported years are {years.start} to {years.stop - 1} "
            f"(a year is named by its end: 2025 means 1 April 2024 to 31 March 2025)"
        )
    prefix = "ssda903" if name == "ssda903" else "cin"
    code_lists = _code_lists(name)
    fields_by_table: dict[str, list[Field]] = defaultdict(list)
    for f in _rows(f"{prefix}_fields.csv"):
        if not int(f["first_year"]) <= year <= int(f["last_year"]):
            continue
        codes = tuple(
            c for c in code_lists.get((f["table"], f["field"]), ()) if c.first_year <= year <= c.last_year
        )
        fields_by_table[f["table"]].append(
            Field(f["table"], f["field"], f["type"], f["required"] == "yes",  # type: ignore[arg-type]
                  f["xml_element"], f["description"], codes)
        )
    tables = {
        t["table"]: Table(t["table"], t["per_child"], t["xml_parent"], t["csv_name"],  # type: ignore[arg-type]
                          t["description"], tuple(fields_by_table[t["table"]]))
        for t in _rows(f"{prefix}_tables.csv")
        if int(t["first_year"]) <= year <= int(t["last_year"])
    }
    return ReturnSpec(name, year, tables)


@cache
def code_groups() -> dict[tuple[str, str], dict[str, str]]:
    """Publication groupings of SSDA903 codes: (table, field) -> {code: group}."""
    groups: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in _rows("ssda903_code_groups.csv"):
        groups[(row["table"], row["field"])][row["code"]] = row["group"]
    return dict(groups)


@cache
def group_labels() -> dict[str, str]:
    return {row["group"]: row["group_label"] for row in _rows("ssda903_code_groups.csv")}
