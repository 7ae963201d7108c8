"""The XLSX validation report: Summary, Errors by rule, All errors and Children sheets.

Every value from a return (child IDs above all) is untrusted: text is only ever written with
``write_string``, and text that a spreadsheet could read as a formula (starting ``=``, ``+``,
``-``, ``@``, tab or carriage return, as in the OWASP guidance on CSV injection) gets a
leading apostrophe, so it stays text even if the sheet is edited or saved as CSV. The
workbook is written in xlsxwriter's constant-memory mode, row by row, so memory stays flat;
time is bound by xlsxwriter's cell writing (about 4 microseconds a cell: 200,000 error lines,
some 1.4 million cells, take 6-7 seconds).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.worksheet import Worksheet

from carestat.validate.output import _atomic_write
from carestat.validate.report_html import (
    SEVERITY_LABEL,
    child_table,
    code_order,
    collection_year,
    rule_table,
)

if TYPE_CHECKING:
    from carestat.validate import ValidationReport

# OWASP's formula triggers, and their full-width forms, which some spreadsheets also accept.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
_FORMULA_PATTERN = r"^[=+\-@\t\r\n\x{ff1d}\x{ff0b}\x{ff0d}\x{ff20}]"  # FORMULA_START
TEXT_COLUMNS = ("code", "severity", "table", "child", "fields", "message")


def safe_text(value: Any) -> str:
    """``value`` as text a spreadsheet will never evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_expr(column: pl.Expr) -> pl.Expr:
    """:func:`safe_text` for a whole string column (nulls stay null)."""
    return (pl.when(column.str.contains(_FORMULA_PATTERN)).then(pl.lit("'") + column)
            .otherwise(column).name.keep())


class _Sheet:
    """Writes one worksheet top to bottom (constant-memory mode needs rows in order)."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, widths: dict[int, float]) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.row = 0
        self.book = book
        for col, width in widths.items():
            self.ws.set_column(col, col, width)

    def line(self, *values: Any, fmt: Any = None) -> None:
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, bool):
                self.ws.write_string(self.row, col, "Yes" if value else "No", fmt)
            elif isinstance(value, int | float):
                self.ws.write_number(self.row, col, value, fmt)
            else:
                self.ws.write_string(self.row, col, safe_text(value), fmt)
        self.row += 1

    def table_header(self, *names: str, fmt: Any) -> int:
        """Write a header row; return its row number."""
        first = self.row
        self.line(*names, fmt=fmt)
        return first


def write_xlsx(report: ValidationReport, path: Path) -> None:
    """Write the XLSX report to ``path`` (atomically, like the other outputs)."""
    _atomic_write(path, lambda p: _build(report, Path(p)))


def _build(report: ValidationReport, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        # Belt and braces: we never call write(), but keep xlsxwriter from guessing types.
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    book.set_properties({"title": f"{report.return_name.upper()} {collection_year(report.year)} "
                                  "validation report", "comments": f"carestat {report.version}"})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#DEE0E2", "bottom": 1, "text_wrap": True,
                              "valign": "top"})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    rules = rule_table(report)
    children = child_table(report)
    errors = _error_lines(report)
    limit = MAX_ROWS - 1
    _summary(book, report, rules, children, errors.height, limit, bold, header, title)
    _rules_sheet(book, rules, header, wrap)
    _errors_sheet(book, errors.head(limit), header)
    _children_sheet(book, children.head(limit), header)
    try:
        book.close()
    except FileCreateError as exc:  # surface as OSError so the caller reports it plainly
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
        raise cause from None


def _error_lines(report: ValidationReport) -> pl.DataFrame:
    """The error lines with their severity; return-wide first, then in file order."""
    sev = report.severities
    if sev.height and {"code", "severity"} <= set(sev.columns):
        sev = sev.select(pl.col("code").cast(pl.Utf8), pl.col("severity").cast(pl.Utf8)).unique("code")
    else:
        sev = pl.DataFrame(schema={"code": pl.Utf8, "severity": pl.Utf8})
    return (report.errors.join(sev, on="code", how="left")
            .with_columns(pl.col("severity").fill_null("error"),
                          pl.col("fields").str.replace_all(";", ", "))
            .sort([pl.col("table"), pl.col("row"), *code_order()], nulls_last=False)
            .select("code", "severity", "table", "row", "child", "fields", "message"))


def _summary(book: xlsxwriter.Workbook, report: ValidationReport, rules: pl.DataFrame,
             children: pl.DataFrame, n_lines: int, limit: int, bold: Any, header: Any,
             title: Any) -> None:
    s = _Sheet(book, "Summary", {0: 34, 1: 60, 2: 80})
    la = report.la
    s.line(f"{report.return_name.upper()} validation report", fmt=title)
    s.row += 1
    by_sev = dict.fromkeys(("error", "query"), 0)
    for sev, n in zip(rules["severity"], rules["records"], strict=True):
        by_sev[sev] = by_sev.get(sev, 0) + n
    facts: list[tuple[str, Any]] = [
        ("Return", report.return_name.upper()),
        ("Local authority", la.name if la else "Not given"),
        ("LA code", la.old_la_code if la else None),
        ("Collection year", f"{collection_year(report.year)} (1 April {report.year - 1} "
                            f"to 31 March {report.year})"),
        ("Rule set", f"DfE {report.return_name.upper()} rules for {collection_year(report.year)}"),
        ("carestat version", report.version),
        ("Checked on", report.created.isoformat(sep=" ")),
        ("Children in the return", report.n_children),
        *((f"Records in {name}", n) for name, n in report.tables.items()),
        ("Rules run", len(report.rules_run)),
        ("Rules not run", len(report.skipped)),
        ("Rules failed", rules.height),
        ("Error lines", n_lines),
        ("  of which errors", by_sev.get("error", 0)),
        ("  of which queries", by_sev.get("query", 0)),
        ("Errors about the whole return", int(rules["return_wide"].sum() or 0)),
        ("Children with errors or queries", children.height),
    ]
    for label, value in facts:
        s.ws.write_string(s.row, 0, safe_text(label), bold)
        s.line(None, value)
    if n_lines > limit or children.height > limit:
        s.row += 1
        s.line(f"Only the first {limit:,} lines fit in a sheet: the errors CSV has them all.",
               fmt=bold)
    s.row += 1
    s.line("Rules that could not be run", fmt=title)
    if report.skipped:
        s.line("Not checked: the DfE will run these rules when you submit.")
        s.table_header("Rule", "Why not run", "DfE message", fmt=header)
        messages = _dfe_messages(report)
        for item in sorted(report.skipped, key=lambda k: (k.reason, _code_key(k.code))):
            s.line(item.code, item.reason, messages.get(item.code, ""))
    else:
        s.line("Every rule of the year was run.")
    if report.notes:
        s.row += 1
        s.line("Notes about the files", fmt=title)
        for note in report.notes:
            s.line(note)


def _code_key(code: str) -> tuple[int, str]:
    digits = code[: len(code) - len(code.lstrip("0123456789"))]
    return (int(digits) if digits else 10**9, code)


def _dfe_messages(report: ValidationReport) -> dict[str, str]:
    from carestat.validate.registry import dfe_texts

    try:
        texts = dfe_texts(report.return_name)
    except (OSError, ValueError):  # descriptions only; never fail the report for them
        return {}
    return {code: row.get("message", "") for (code, year), row in texts.items()
            if year == report.year}


def _rules_sheet(book: xlsxwriter.Workbook, rules: pl.DataFrame, header: Any, wrap: Any) -> None:
    s = _Sheet(book, "Errors by rule", {0: 9, 1: 10, 3: 28, 4: 22, 5: 10, 6: 10, 7: 14})
    s.ws.set_column(2, 2, 70, wrap)  # messages are long: wrap rather than run off-screen
    top = s.table_header("Rule", "Severity", "DfE message", "Fields", "Tables", "Records",
                         "Children", "Whole-return errors", fmt=header)
    for r in rules.iter_rows(named=True):
        s.line(r["code"], SEVERITY_LABEL.get(r["severity"], r["severity"]), r["message"],
               r["fields"], r["tables"], r["records"], r["children"], r["return_wide"])
    _finish_table(s, top, 7)


def _errors_sheet(book: xlsxwriter.Workbook, errors: pl.DataFrame, header: Any) -> None:
    s = _Sheet(book, "All errors", {0: 9, 1: 10, 2: 16, 3: 8, 4: 18, 5: 28, 6: 90})
    top = s.table_header("Rule", "Severity", "Table", "Row", "Child ID", "Fields", "DfE message",
                         fmt=header)
    write_string, write_number = s.ws.write_string, s.ws.write_number
    row = s.row
    # Made safe in one vectorised pass; the loop only writes (xlsxwriter is the bottleneck).
    safe = errors.with_columns(safe_expr(pl.col(c)) for c in TEXT_COLUMNS).with_columns(
        pl.col("severity").replace(SEVERITY_LABEL))
    for code, severity, table, line, child, fields, message in safe.iter_rows():
        write_string(row, 0, code)
        write_string(row, 1, severity)
        if table is not None:
            write_string(row, 2, table)
        if line is not None:
            write_number(row, 3, line)
        if child is not None:
            write_string(row, 4, child)
        if fields:
            write_string(row, 5, fields)
        if message:
            write_string(row, 6, message)
        row += 1
    s.row = row
    _finish_table(s, top, 6)


def _children_sheet(book: xlsxwriter.Workbook, children: pl.DataFrame, header: Any) -> None:
    s = _Sheet(book, "Children", {0: 18, 1: 12, 2: 10, 3: 10, 4: 60})
    top = s.table_header("Child ID", "Error lines", "Errors", "Queries", "Rules failed", fmt=header)
    for child, lines, errors, queries, codes in children.iter_rows():
        s.line(child, lines, errors, queries, "; ".join(codes))
    _finish_table(s, top, 4)


def _finish_table(s: _Sheet, top: int, last_col: int) -> None:
    """Freeze the header row and add an autofilter over the written rows."""
    s.ws.freeze_panes(top + 1, 0)
    s.ws.autofilter(top, 0, max(s.row - 1, top), last_col)
