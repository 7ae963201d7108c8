"""Write a validation report: the errors CSV (the contract), JSON, HTML and XLSX."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carestat.errors import OutputError

if TYPE_CHECKING:
    from carestat.validate import ValidationReport


def _prepare(path: Path) -> Path:
    path = Path(path)
    if path.exists() and path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder for {path} ({exc.strerror})") from None
    return path


def _atomic_write(path: Path, write: Any) -> None:
    """Write to a temporary file beside ``path``, then rename: no half-written reports."""
    path = _prepare(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path} ({exc.strerror})") from None


def write_errors_csv(report: ValidationReport, path: Path) -> None:
    _atomic_write(path, lambda p: report.errors.write_csv(p))


def report_dict(report: ValidationReport) -> dict[str, Any]:
    return {
        "return": report.return_name,
        "year": report.year,
        "collection_year": f"{report.year - 1}/{str(report.year)[2:]}",
        "la": None if report.la is None else {"code": report.la.old_la_code, "ons_code": report.la.new_la_code,
                                              "name": report.la.name},
        "carestat_version": report.version,
        "created": report.created.isoformat(),
        "children": report.n_children,
        "tables": report.tables,
        "rules_run": len(report.rules_run),
        "rules_skipped": [{"code": s.code, "reason": s.reason} for s in report.skipped],
        "notes": list(report.notes),
        "error_count": report.errors.height,
        "summary": report.summary().to_dicts(),
        "errors": report.errors.to_dicts(),
    }


def write_json(report: ValidationReport, path: Path) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(report_dict(report), indent=1, default=str)))


def write_outputs(report: ValidationReport, *, errors: Path, html: Path | None = None,
                  xlsx: Path | None = None, json_path: Path | None = None) -> None:
    write_errors_csv(report, errors)
    if json_path:
        write_json(report, json_path)
    if html:
        from carestat.validate.report_html import write_html

        write_html(report, html)
    if xlsx:
        from carestat.validate.report_xlsx import write_xlsx

        write_xlsx(report, xlsx)
