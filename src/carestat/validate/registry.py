"""The rule registry: each DfE rule declared once, with its examples.

A rule is a function from a :class:`~carestat.validate.context.Return` to the records that
fail it. It is declared with :func:`rule`, which records its code, the tables and fields it
reads, the years it applies (by default, the years the DfE's rule texts list it), what extra
inputs it needs, and examples of passing and failing records that one parametrised test runs.
The DfE message for each year comes from the vendored rule texts, never from code.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import polars as pl

Needs = Literal["la", "providers", "previous"]


@dataclass(frozen=True, eq=False)
class Where:
    """The records of ``frame`` for which ``condition`` is true: what ``frame.filter(condition)``
    holds, but evaluated by the engine in one query with every other condition on the same
    frame (a query has a fixed cost far above that of a condition on a return's few rows)."""

    frame: pl.DataFrame | pl.LazyFrame
    condition: pl.Expr


def where(frame: pl.DataFrame | pl.LazyFrame, condition: pl.Expr) -> Where:
    """A rule's failing records: those of ``frame`` (a table or shared view) meeting ``condition``."""
    return Where(frame, condition)


Frame = pl.DataFrame | pl.LazyFrame | Where
RuleResult = Frame | Mapping[str, Frame] | None


@dataclass(frozen=True)
class Example:
    """Records for one test of a rule: tables of dicts; a record with ``_fails=True`` must fail.

    Table names ending ``_last`` are the previous year's return.
    """

    tables: Mapping[str, Sequence[Mapping[str, Any]]]
    year: int | None = None
    la: str | None = None
    providers: Sequence[Mapping[str, Any]] | None = None  # see carestat.validate.providers
    note: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    return_name: str
    func: Callable[..., RuleResult]
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    years: frozenset[int]
    needs: frozenset[str]
    severity: str
    examples: tuple[Example, ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        return self.func.__name__

    def message(self, year: int) -> str:
        return dfe_texts(self.return_name).get((self.code, year), {}).get("message", "")

    def dfe_fields(self, year: int) -> tuple[str, ...]:
        text = dfe_texts(self.return_name).get((self.code, year), {}).get("affected_fields", "")
        return tuple(f for f in text.split(";") if f) or self.fields


_REGISTRY: dict[str, list[Rule]] = defaultdict(list)


@cache
def dfe_texts(return_name: str) -> dict[tuple[str, int], dict[str, str]]:
    """The DfE's rule codes, messages and affected fields by collection year."""
    file = "rules903.csv" if return_name == "ssda903" else "rulescincensus.csv"
    text = resources.files("carestat.spec").joinpath("data", "source", file).read_text("utf-8")
    return {(row["code"], int(row["year"])): row for row in csv.DictReader(text.splitlines())}


def dfe_years(return_name: str, code: str) -> frozenset[int]:
    return frozenset(year for (c, year) in dfe_texts(return_name) if c == code)


def ok(**fields: Any) -> dict[str, Any]:
    """An example record that must pass."""
    return dict(fields)


def fail(**fields: Any) -> dict[str, Any]:
    """An example record that must fail."""
    return {**fields, "_fails": True}


def rule(
    code: str,
    *,
    tables: Iterable[str],
    fields: Iterable[str] = (),
    years: Iterable[int] | None = None,
    needs: Iterable[Needs] = (),
    severity: str = "error",
    examples: Iterable[Example] = (),
    return_name: str = "ssda903",
) -> Callable[[Callable[..., RuleResult]], Callable[..., RuleResult]]:
    """Declare a validation rule (see the module docstring)."""

    def register(func: Callable[..., RuleResult]) -> Callable[..., RuleResult]:
        rule_years = frozenset(years) if years is not None else dfe_years(return_name, code)
        table_names = tuple(tables)
        implied = {"previous"} if any(t.endswith("_last") for t in table_names) else set()
        _REGISTRY[f"{return_name}:{code}"].append(
            Rule(code, return_name, func, table_names, tuple(fields), rule_years,
                 frozenset(needs) | implied, severity, tuple(examples))
        )
        return func

    return register


def all_rules(return_name: str = "ssda903") -> list[Rule]:
    _load(return_name)
    prefix = f"{return_name}:"
    return [r for key, rules in _REGISTRY.items() if key.startswith(prefix) for r in rules]


def rules_for(return_name: str, year: int) -> list[Rule]:
    """The rules in force for a collection year, one implementation per code."""
    chosen = [r for r in all_rules(return_name) if year in r.years]
    return sorted(chosen, key=lambda r: _sort_key(r.code))


def _sort_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits and code[0].isdigit() else 10**9, code)


@cache
def _load(return_name: str) -> None:
    """Import every rule module of a return so their declarations register."""
    import importlib
    import pkgutil

    package = "carestat.validate.rules903" if return_name == "ssda903" else "carestat.validate.rulescin"
    module = importlib.import_module(package)
    # Developers working on one family can load only its modules: CARESTAT_RULE_MODULES=oc2,oc3
    only = {m.strip() for m in os.environ.get("CARESTAT_RULE_MODULES", "").split(",") if m.strip()}
    for info in pkgutil.iter_modules(module.__path__):
        if not only or info.name in only:
            importlib.import_module(f"{package}.{info.name}")
