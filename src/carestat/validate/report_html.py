"""The HTML validation report: one self-contained, accessible page in the GOV.UK style.

The page is for the LA team that must fix its return before submitting it: what is wrong,
how often, for which children and records. It needs no JavaScript (each rule has its own
section and anchor; a small inline script only adds a filter box) and no external files.
Listings are capped so a return with 200,000 error lines still gives a small, fast page;
the errors CSV and the XLSX workbook always hold every line.

``rule_table`` and ``child_table`` are shared with the XLSX report so both sort alike.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
import polars as pl

from carestat.validate.output import _atomic_write
from carestat.validate.xsd import XSD_CODE, XSD_SUMMARY

if TYPE_CHECKING:
    from carestat.validate import ValidationReport

PER_RULE = 500  # records listed under each rule
MAX_CHILDREN = 1000  # children listed in the per-child view
PER_CHILD_TABLE = 10  # row numbers listed for one child, rule and table

SEVERITY_RANK = {"error": 0, "query": 1}
SEVERITY_LABEL = {"error": "Error", "query": "Query"}
# Characters that are never valid in HTML/XML text; a child ID could carry them from a file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def collection_year(year: int) -> str:
    return f"{year - 1}/{str(year)[2:]}"


def code_order(column: str = "code") -> list[pl.Expr]:
    """Sort keys putting rule codes in numeric order (103 before 1001), others after."""
    number = pl.col(column).str.extract(r"^(\d+)", 1).cast(pl.Int64, strict=False)
    return [number.fill_null(2**62), pl.col(column)]


def _severities(report: ValidationReport) -> pl.DataFrame:
    sev = report.severities
    if sev.height == 0 or not {"code", "severity"} <= set(sev.columns):
        return pl.DataFrame(schema={"code": pl.Utf8, "severity": pl.Utf8})
    return sev.select(pl.col("code").cast(pl.Utf8), pl.col("severity").cast(pl.Utf8)).unique("code")


def _with_severity(report: ValidationReport) -> pl.DataFrame:
    return report.errors.join(_severities(report), on="code", how="left").with_columns(
        pl.col("severity").fill_null("error"))


def rule_table(report: ValidationReport) -> pl.DataFrame:
    """One row per failing rule: errors before queries, then most records first, then code."""
    e = _with_severity(report)
    out = e.group_by("code").agg(
        severity=pl.col("severity").first(),
        message=pl.col("message").drop_nulls().first(),
        fields=pl.col("fields").drop_nulls().first(),
        tables=pl.col("table").drop_nulls().unique().sort().str.join(", "),
        records=pl.len(),
        children=pl.col("child").drop_nulls().n_unique(),
        return_wide=pl.col("table").is_null().sum(),
    )
    rank = pl.col("severity").replace_strict(SEVERITY_RANK, default=len(SEVERITY_RANK),
                                             return_dtype=pl.Int32)
    # Schema problems' messages differ line by line; the rule's is what they have in common.
    out = out.with_columns(pl.when(pl.col("code") == XSD_CODE).then(pl.lit(XSD_SUMMARY))
                           .otherwise(pl.col("message")).alias("message"))
    return out.sort([rank, pl.col("records"), *code_order()],
                    descending=[False, True, False, False], nulls_last=True).with_columns(
        pl.col("message").fill_null(""), pl.col("fields").fill_null("").str.replace_all(";", ", "))


def child_table(report: ValidationReport) -> pl.DataFrame:
    """One row per child with errors: most error lines first, then child ID; codes in order."""
    e = _with_severity(report).filter(pl.col("child").is_not_null()).sort(["child", *code_order()])
    out = e.group_by("child", maintain_order=True).agg(
        lines=pl.len(),
        errors=(pl.col("severity") == "error").sum(),
        queries=(pl.col("severity") == "query").sum(),
        codes=pl.col("code").unique(maintain_order=True),
    )
    return out.sort(["lines", "child"], descending=[True, False])


def _clean(value: Any) -> Any:
    """Jinja finalize: drop characters HTML cannot carry (escaping happens after this)."""
    if isinstance(value, str) and _CONTROL.search(value):
        return _CONTROL.sub("\ufffd", value)
    return value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("carestat.validate", "templates"),
        autoescape=True,  # every value is escaped; nothing is marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, finalize=_clean,
    )
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["anchor"] = anchor
    env.filters["severity_label"] = lambda s: SEVERITY_LABEL.get(s, str(s).capitalize())
    return env


def anchor(code: str) -> str:
    """An id for a rule's section; injective, so codes never collide."""
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f".{ord(m.group()):x}.", str(code))


def _rows_text(table: str, rows: list[int], total: int) -> str:
    shown = ", ".join(str(r) for r in rows)
    more = f" and {total - len(rows):,} more" if total > len(rows) else ""
    return f"{table} row{'s' if total > 1 else ''} {shown}{more}"


def _rule_listings(errors: pl.DataFrame, per_rule: int) -> tuple[dict[str, list[tuple[Any, ...]]],
                                                                    dict[str, list[str]]]:
    """The first ``per_rule`` record errors of each rule, in file order; and the messages of
    those lines for rules whose message differs line by line (schema problems)."""
    line = pl.col("message").str.extract(r"^Line (\d+):", 1).cast(pl.Int64, strict=False)
    by_line = pl.when(pl.col("code") == XSD_CODE).then(line)  # schema problems in the file's order
    limited = (errors.filter(pl.col("table").is_not_null()).sort(by_line, "table", "row", nulls_last=True)
               .filter(pl.int_range(pl.len()).over("code") < per_rule))
    listings: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    messages: dict[str, list[str]] = defaultdict(list)
    for code, table, row, child, fields, message in limited.select(
            "code", "table", "row", "child", "fields", "message").iter_rows():
        listings[code].append((table, row, child, (fields or "").replace(";", ", ")))
        if code == XSD_CODE:
            messages[code].append(message or "")
    return listings, messages


def _children(report: ValidationReport, messages: dict[str, str], severities: dict[str, str],
              max_children: int) -> tuple[list[dict[str, Any]], int]:
    table = child_table(report)
    shown = table.head(max_children)
    detail = (report.errors.filter(pl.col("child").is_in(shown["child"].implode()))
              .group_by("child", "code", "table").agg(
                  rows=pl.col("row").drop_nulls().sort().head(PER_CHILD_TABLE), n=pl.len()))
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for child, code, tbl, rows, n in detail.sort("child", "code", "table", nulls_last=True).iter_rows():
        where[(child, code)].append("the whole return" if tbl is None else _rows_text(tbl, rows, n))
    out = []
    for child, lines, errors, queries, codes in shown.iter_rows():
        out.append({"child": child, "lines": lines, "errors": errors, "queries": queries,
                    "items": [{"code": c, "message": messages.get(c, ""),
                               "severity": severities.get(c, "error"),
                               "where": "; ".join(where[(child, c)])} for c in codes]})
    return out, table.height


_ADVICE = (
    ("--previous", "Give last year's return as well (the --previous option) to run these rules."),
    ("--la", "Give your local authority's code (the --la option) to run these rules."),
    ("--providers", "Give the Ofsted provider list (the --providers option) to run these rules."),
    ("not supplied", "Include the table named, if you hold any records for it."),
    ("could not run", "A fault in carestat stopped these rules. Please report it, and check "
                      "these rules another way before you submit."),
)


def _skipped(report: ValidationReport) -> list[dict[str, Any]]:
    from carestat.validate.registry import dfe_texts

    try:
        texts = dfe_texts(report.return_name)
    except (OSError, ValueError):  # descriptions are a nicety; never fail the report for them
        texts = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for s in report.skipped:
        groups[s.reason].append(s.code)
    out = []
    for reason, codes in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        codes = pl.Series("code", codes, pl.Utf8).to_frame().sort(code_order())["code"].to_list()
        advice = next((a for key, a in _ADVICE if key in reason), "")
        out.append({"reason": reason[:1].upper() + reason[1:], "advice": advice,
                    "rules": [(c, texts.get((c, report.year), {}).get("message", "")) for c in codes]})
    return out


def _field_descriptions(report: ValidationReport) -> dict[str, str]:
    """Field name -> its description in the year's specification, for the rule sections."""
    try:
        from carestat.spec import spec

        s = spec(report.return_name, report.year)
    except Exception:  # an unsupported year only loses the descriptions
        return {}
    out: dict[str, str] = {}
    for table in s.tables.values():
        for f in table.fields:
            out.setdefault(f.name, f.description)
    return out


def context(report: ValidationReport, *, per_rule: int = PER_RULE,
            max_children: int = MAX_CHILDREN, csv_name: str | None = None,
            xlsx_name: str | None = None) -> dict[str, Any]:
    """Everything the template shows, computed with Polars so large returns stay fast."""
    rules = rule_table(report)
    sev = _with_severity(report)
    listings, line_messages = _rule_listings(report.errors, per_rule)
    messages = dict(zip(rules["code"], rules["message"], strict=True))
    severities = dict(zip(rules["code"], rules["severity"], strict=True))
    descriptions = _field_descriptions(report)
    rule_items = []
    for r in rules.iter_rows(named=True):
        r["listed"] = listings.get(r["code"], [])
        r["line_messages"] = line_messages.get(r["code"], [])
        r["record_lines"] = r["records"] - r["return_wide"]
        r["href"] = "#" + (anchor(r["code"]) if r["record_lines"] else "return-wide")
        r["field_notes"] = [(f, descriptions.get(f, "")) for f in r["fields"].split(", ") if f]
        rule_items.append(r)
    children, n_children_with_errors = _children(report, messages, severities, max_children)
    wide = (sev.filter(pl.col("table").is_null()).group_by("code", "message", maintain_order=True)
            .agg(pl.col("severity").first(), pl.col("fields").first().str.replace_all(";", ", "), n=pl.len())
            .select("code", "severity", "message", "fields", "n").sort(code_order()))
    la = report.la
    counts = sev.group_by("severity").len()
    by_sev = dict(zip(counts["severity"], counts["len"], strict=True))
    links = [(n, "./" + quote(Path(n).name)) for n in (csv_name, xlsx_name) if n]
    return {
        "report": report,
        "return_label": report.return_name.upper(),
        "collection": collection_year(report.year),
        "la_label": f"{la.name} ({la.old_la_code})" if la else None,
        "created": f"{report.created.day} {report.created:%B %Y at %H:%M}",
        "n_lines": report.errors.height,
        "n_errors": by_sev.get("error", 0),
        "n_queries": by_sev.get("query", 0),
        "n_other": report.errors.height - by_sev.get("error", 0) - by_sev.get("query", 0),
        "rules": rule_items,
        "record_rules": [r for r in rule_items if r["record_lines"]],
        "return_wide": wide.to_dicts(),
        "n_wide_rules": wide["code"].n_unique(),
        "schema_lines": int((report.errors["code"] == XSD_CODE).sum()),
        "children": children,
        "n_children_with_errors": n_children_with_errors,
        "skipped": _skipped(report),
        "per_rule": per_rule,
        "max_children": max_children,
        "per_child_table": PER_CHILD_TABLE,
        "links": links,
    }


def render_html(report: ValidationReport, **options: Any) -> str:
    """The report page as a string (``options`` as for :func:`context`)."""
    return _environment().get_template("report.html.j2").render(context(report, **options))


def write_html(report: ValidationReport, path: Path, *, csv_name: str | None = None,
               xlsx_name: str | None = None) -> None:
    """Write the HTML report; ``csv_name``/``xlsx_name`` name the full listings beside it."""
    page = render_html(report, csv_name=csv_name, xlsx_name=xlsx_name)
    _atomic_write(path, lambda p: Path(p).write_text(page, encoding="utf-8"))
