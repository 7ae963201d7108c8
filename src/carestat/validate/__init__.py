"""Validation of returns against every DfE rule of their collection year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from carestat import __version__
from carestat.ingest import PathOrSource, ReturnData, Source, read_903, read_cin
from carestat.refdata import LocalAuthority, resolve_la
from carestat.validate.cin_context import CinReturn
from carestat.validate.context import Return
from carestat.validate.engine import ERROR_COLUMNS, Skipped, run_rules
from carestat.validate.registry import Rule, all_rules, rule, rules_for
from carestat.validate.xsd import XSD_CODE, XSD_SUMMARY, SchemaCheck, check_schema


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one return.

    ``errors`` has exactly the columns ``code, table, row, child, fields, message``: one line
    per failing record per rule (``table`` and ``row`` empty for return-wide errors).
    """

    return_name: str
    year: int
    la: LocalAuthority | None
    errors: pl.DataFrame
    severities: pl.DataFrame = field(repr=False)  # code -> severity, for reports
    rules_run: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    n_children: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    version: str = __version__

    @property
    def ok(self) -> bool:
        return self.errors.height == 0

    def describe_line(self) -> str:
        who = f"{self.la.name} ({self.la.old_la_code}) " if self.la else ""
        skipped = f"; {len(self.skipped)} rules skipped (see report)" if self.skipped else ""
        return (f"{who}{self.return_name.upper()} {self.year - 1}/{str(self.year)[2:]}: "
                f"{self.n_children} children, {len(self.rules_run)} rules run, "
                f"{self.errors.height} errors{skipped}")

    def summary(self) -> pl.DataFrame:
        """Errors by rule: code, message, number of records and of children (schema problems
        as one rule: their messages differ line by line)."""
        message = pl.when(pl.col("code") == XSD_CODE).then(pl.lit(XSD_SUMMARY)).otherwise(pl.col("message"))
        return (
            self.errors.with_columns(message.alias("message")).group_by("code", "message")
            .agg(records=pl.len(), children=pl.col("child").n_unique())
            .sort("records", "code", descending=[True, False])
        )


def build_report(r: Return, previous_given: bool = False) -> ValidationReport:
    result = run_rules(r)
    errors = result.errors
    return ValidationReport(
        return_name=r.spec.return_name, year=r.year, la=r.la,
        errors=errors.select(ERROR_COLUMNS),
        severities=errors.select("code", "severity").unique("code"),
        rules_run=result.rules_run, skipped=result.skipped, notes=r.data.notes,
        n_children=r.data.n_children, tables={k: v.height for k, v in r.data.tables.items()},
        seconds=result.seconds,
    )


def validate_903(
    paths: Sequence[PathOrSource],
    *,
    year: int,
    la: str | None = None,
    previous: Sequence[PathOrSource] = (),
    providers: pl.DataFrame | None = None,
) -> ValidationReport:
    """Validate an SSDA903 return (CSV set, DfE XML or XLSX) against the rules of ``year``.

    ``la`` (3-digit or ONS code) enables the rules that compare placements with the LA's own
    area; ``previous`` (the previous year's return) enables the cross-year rules.
    """
    authority = resolve_la(la, year) if la else None
    data = read_903(paths, year, authority)
    last: ReturnData | None = read_903(previous, year - 1, authority) if previous else None
    return build_report(Return(data, last, authority, providers))


def validate_cin(path: PathOrSource, *, year: int, la: str | None = None) -> ValidationReport:
    """Validate a CIN census XML file against the DfE's XML schema (where one is held for
    ``year``) and the rules of ``year`` (2025 = 2024/25).

    ``child`` in the errors is LAchildID; ``row`` the record's position among its table's
    records in the file; schema problems have code ``XSD`` and start with the file's line.
    ``la`` (3-digit or ONS code) names the LA in the reports.
    """
    authority = resolve_la(la, year) if la else None
    source = path if isinstance(path, Source) else Source.from_path(path)
    return build_cin_report(read_cin(source, year, authority), source, authority)


def build_cin_report(data: ReturnData, source: Source, la: LocalAuthority | None = None) -> ValidationReport:
    """The report on a CIN census read from ``source``: the schema check, then every rule."""
    return with_schema_check(build_report(CinReturn(data, la)), check_schema(source, data.spec.year), data)


def with_schema_check(report: ValidationReport, check: SchemaCheck, data: ReturnData) -> ValidationReport:
    """``report`` with the schema's problems as error lines (or its note when the year has none)."""
    notes = report.notes + ((check.note,) if check.note else ())
    if not check.total:
        return replace(report, notes=notes)
    errors = pl.concat([report.errors, check.errors(data)]).sort("table", "row", "code", nulls_last=False)
    severities = pl.concat([report.severities.filter(pl.col("code") != XSD_CODE),
                            pl.DataFrame({"code": [XSD_CODE], "severity": ["error"]})], how="vertical_relaxed")
    return replace(report, errors=errors, severities=severities, notes=notes)


__all__ = ["CinReturn", "Return", "Rule", "ValidationReport", "all_rules", "build_cin_report", "rule", "rules_for",
           "validate_903", "validate_cin", "with_schema_check"]
