"""Pages for signed-in LA users: sign in, upload a return, and their validation reports.

A report lists children's identifiers (the LA's own, from its own return), so it is shown only
to the user who uploaded the return; to anyone else it does not exist.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import cache
from typing import Any

import polars as pl

from carestat.validate.report_html import context as report_context
from carestat.validate.report_html import rule_table
from carestat.web.auth import StoredReport
from carestat.web.context import Ctx
from carestat.web.lookup import NotFound
from carestat.web.registry import LA_USER, OPEN, SERVICE_NAV, page

PER_RULE = 100  # records listed under each rule on the page (the CSV and XLSX have them all)
MAX_CHILDREN = 200
JSON_ERRORS = 5000  # error lines in a report's JSON (the CSV has them all)
SEVERITIES = ("error", "query")
# The HTML report's advice names CLI options; on the web the same inputs are form fields.
WEB_ADVICE = {
    "--previous": "Upload last year's return as well to run these rules.",
    "--la": "These rules need your LA's code, which comes from your sign-in.",
    "--providers": "These rules need the Ofsted provider list, which the web service does not hold yet: "
                   "run them with `carestat validate 903 --providers`.",
}


@cache
def upload_years() -> tuple[int, ...]:
    """Collection years whose DfE rule texts carestat holds, newest first."""
    from carestat.validate.registry import dfe_texts

    return tuple(sorted({year for _, year in dfe_texts("ssda903")}, reverse=True))


@page("/sign-in", title="Sign in", template="sign_in.html", access=OPEN)
def sign_in(ctx: Ctx, next: str | None = None) -> dict[str, Any]:
    """The sign-in form for LA users (a token from `carestat user add`)."""
    return {"signed_in": ctx.web.user(ctx.request) is not None, "next": safe_next(next), "errors": []}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/upload"


@page("/upload", title="Upload a return", template="upload.html", nav=SERVICE_NAV("Upload a return", 5),
      access=LA_USER)
def upload(ctx: Ctx, year: int | None = None) -> dict[str, Any]:
    """The upload form: an SSDA903 return (CSV files, XML or XLSX) and, optionally, last year's
    (``year`` chooses the collection year shown first)."""
    return upload_form(ctx, year=year if year in upload_years() else None)


def default_year(today: date | None = None) -> int:
    """The collection year an LA is most likely checking: the latest one that has ended (a year
    ends on 31 March, so 2026 from April 2026), within the years carestat has rules for."""
    today = today or date.today()
    ended = today.year if (today.month, today.day) > (3, 31) else today.year - 1
    years = upload_years()
    return min(years, key=lambda y: (y > ended, abs(y - ended)))


def upload_form(ctx: Ctx, errors: list[dict[str, str]] | None = None, year: int | None = None) -> dict[str, Any]:
    user = ctx.user
    assert user is not None  # LA_USER pages are only built for a signed-in user
    limit = ctx.web.settings.max_upload_bytes
    return {"la": {"old_la_code": user.la.old_la_code, "name": user.la.name}, "user": user.name,
            "years": list(upload_years()), "year": year or default_year(), "max_upload_mb": round(limit / 1_048_576),
            "max_upload_bytes": limit, "errors": errors or [],
            "reports": [summary(item) for item in ctx.web.reports.for_user(user)]}


def summary(item: StoredReport) -> dict[str, Any]:
    r = item.report
    return {"id": item.id, "href": f"/reports/{item.id}", "year": r.year,
            "collection_year": f"{r.year - 1}/{str(r.year)[2:]}", "children": r.n_children,
            "error_lines": r.errors.height, "files": list(item.files), "previous_files": list(item.previous_files),
            "created": r.created.isoformat()}


@page("/reports", title="Your validation reports", template="reports.html", access=LA_USER)
def reports(ctx: Ctx) -> dict[str, Any]:
    """The signed-in user's validation reports (kept for a few hours, in memory only)."""
    assert ctx.user is not None
    return {"reports": [summary(item) for item in ctx.web.reports.for_user(ctx.user)]}


def _filtered(errors: pl.DataFrame, severities: pl.DataFrame, rule: str | None, table: str | None,
              severity: str | None) -> pl.DataFrame:
    out = errors
    if rule:
        out = out.filter(pl.col("code") == rule)
    if table:
        out = out.filter(pl.col("table") == table) if table != "(whole return)" else out.filter(pl.col("table").is_null())
    if severity in SEVERITIES:
        by_code = dict(zip(severities["code"].to_list(), severities["severity"].to_list(), strict=True))
        out = out.filter(pl.col("code").replace_strict(by_code, default="error", return_dtype=pl.Utf8) == severity)
    return out


@page("/reports/{report_id}", title="{title}", template="report.html", access=LA_USER)
def report(ctx: Ctx, report_id: str, rule: str | None = None, table: str | None = None,
           severity: str | None = None) -> dict[str, Any]:
    """One validation report, filtered by rule, table or severity; the full CSV and XLSX to download."""
    item = ctx.web.reports.get(ctx.user, report_id)
    if item is None:
        raise NotFound("There is no report at this address: reports are kept for a few hours, and only the person "
                       "who uploaded the return can see its report")
    full = item.report
    filtered = dataclasses.replace(full, errors=_filtered(full.errors, full.severities, rule, table, severity))
    shown = report_context(filtered, per_rule=PER_RULE, max_children=MAX_CHILDREN)
    for group in shown["skipped"]:
        group["advice"] = next((a for key, a in WEB_ADVICE.items() if key in group["advice"]), group["advice"])
    every_rule = rule_table(full)
    tables = sorted({t for t in full.errors["table"].drop_nulls().unique().to_list()})
    if full.errors["table"].null_count():
        tables.append("(whole return)")
    la = full.la
    title = f"{la.name if la else 'Your return'}: SSDA903 {shown['collection']} validation report"
    return {
        "title": title, "id": item.id, "files": list(item.files), "previous_files": list(item.previous_files),
        "filters": {"rule": rule or "", "table": table or "", "severity": severity or ""},
        "filtered": bool(rule or table or severity), "total_lines": full.errors.height,
        "shown_lines": filtered.errors.height,
        "rule_choices": every_rule.select("code", "message").to_dicts(), "table_choices": tables,
        "csv_href": f"/reports/{item.id}/errors.csv", "xlsx_href": f"/reports/{item.id}/report.xlsx",
        "children": full.n_children, "year": full.year, "collection_year": shown["collection"],
        "la": {"old_la_code": la.old_la_code, "name": la.name} if la else None,
        "rules_run": len(full.rules_run), "rules_skipped": len(full.skipped),
        "summary": filtered.summary().to_dicts(),
        # Not "errors": on every page that key is the form's error summary.
        "error_lines": filtered.errors.head(JSON_ERRORS).to_dicts(),
        "error_lines_truncated": filtered.errors.height > JSON_ERRORS,
        "_report": shown,
    }
