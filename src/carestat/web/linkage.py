"""The joined-up data behind the linkage pages, read once at startup: the warehouse's latest
linkage run (``linkage_runs``: what was linked, and its evaluation against the ground truth) and
the overlapping-outcomes analysis ``carestat outcomes`` wrote (``outcomes.json`` and two charts).

Both are aggregates, disclosure-controlled where they count people (``carestat.linkage.analysis``);
no linked record is read here. A missing or unreadable part becomes a note for the pages, which
then say how to make it: the service starts whatever state the linkage is in.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger("carestat.web")

OUTCOMES_ENV = "CARESTAT_OUTCOMES"  # a folder written by `carestat outcomes`
# Looked for beside the warehouse when not configured: docs/linkage.md's `--out outcomes`, then
# the layout `carestat demo` writes.
BESIDE_WAREHOUSE = ("outcomes", "linkage/outcomes")
CHARTS = {"upset": "upset.svg", "labour_market": "labour_market.svg"}
RUN_COLUMNS = ("linked_at", "backend", "threshold", "window_start", "window_end", "general_population_share",
               "synthetic", "records", "evaluation")  # not the model's parameters: nothing shows them

# What carestat's charts (analysis/charts.py, linkage/upset.py) draw with. An SVG file holding
# anything else (a script, a link, a style, foreign HTML) is not put into a page.
SVG = "{http://www.w3.org/2000/svg}"
SVG_ELEMENTS = frozenset(SVG + t for t in ("svg", "title", "desc", "g", "rect", "line", "circle", "polyline",
                                             "polygon", "path", "text", "tspan"))
SVG_ATTRIBUTES = frozenset((
    "id", "role", "aria-labelledby", "aria-hidden", "width", "height", "viewBox", "x", "y", "x1", "y1", "x2", "y2",
    "cx", "cy", "r", "points", "d", "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap",
    "stroke-linejoin", "paint-order", "font-family", "font-size", "font-weight", "text-anchor"))
MAX_SVG_BYTES = 2_000_000


@dataclass(frozen=True)
class LinkageData:
    """What the joined-up data pages show (read-only once loaded)."""

    run: dict[str, Any] | None = None  # the latest linkage_runs row (records parsed), without evaluation
    evaluation: dict[str, Any] | None = None  # {"metrics": [...], "bias": [...] or None}
    outcomes: dict[str, Any] | None = None  # outcomes.json as written
    charts: dict[str, str] = field(default_factory=dict)  # "upset", "labour_market": checked SVG
    folder: Path | None = None  # where outcomes.json was found
    notes: tuple[str, ...] = ()  # why something is missing or may be out of date

    @property
    def synthetic(self) -> bool:
        """Whether the linked data are synthetic (as the run and outcomes.json say)."""
        return bool((self.run or {}).get("synthetic")) or bool((self.outcomes or {}).get("label"))


def checked_svg(text: str) -> str | None:
    """The SVG re-serialised if it holds only what carestat's charts draw with, else None. Parsed
    without DTDs, entities or the network, so what is inlined is exactly what was checked."""
    if len(text) > MAX_SVG_BYTES:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(text.encode(), parser)
    except etree.XMLSyntaxError:
        return None
    if root.getroottree().docinfo.doctype or root.tag != SVG + "svg":
        return None
    for element in root.iter():
        if element.tag not in SVG_ELEMENTS or any(name not in SVG_ATTRIBUTES for name in element.attrib):
            return None
    return etree.tostring(root, encoding="unicode")


def latest_run(db: Path | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[str]]:
    """(the warehouse's latest linkage run, its evaluation, notes); (None, None, []) before any."""
    from carestat.warehouse.db import connect, query

    if db is None or not Path(db).exists():
        return None, None, []
    con = connect(db, read_only=True)
    try:
        tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        if "linkage_runs" not in tables:
            return None, None, []
        rows = query(con, f"SELECT {', '.join(RUN_COLUMNS)} FROM linkage_runs ORDER BY linked_at DESC LIMIT 1")
    finally:
        con.close()
    if rows.is_empty():
        return None, None, []
    run = rows.row(0, named=True)
    notes = []
    try:
        run["records"] = json.loads(run["records"]) if run["records"] else {}
        evaluation = json.loads(run.pop("evaluation")) if run.get("evaluation") else None
    except ValueError:
        run.pop("evaluation", None)
        run["records"], evaluation = {}, None
        notes.append("The latest linkage run's details in the warehouse could not be read: run `carestat link` again.")
    return run, evaluation, notes


def outcomes_folder(db: Path | None, configured: Path | None = None) -> Path | None:
    """The folder ``carestat outcomes`` wrote: ``configured``, else $CARESTAT_OUTCOMES, else one
    beside the warehouse that holds an outcomes.json."""
    if configured is not None:
        return Path(configured)
    if os.environ.get(OUTCOMES_ENV):
        return Path(os.environ[OUTCOMES_ENV])
    if db is None:
        return None
    return next((Path(db).parent / rel for rel in BESIDE_WAREHOUSE
                 if (Path(db).parent / rel / "outcomes.json").is_file()), None)


def read_outcomes(folder: Path) -> tuple[dict[str, Any] | None, dict[str, str], list[str]]:
    """(outcomes.json, its charts that passed the check, notes)."""
    path = folder / "outcomes.json"
    if not path.is_file():
        log.warning("no outcomes.json in %s", folder)
        return None, {}, ["The outcomes folder the service was given holds no outcomes.json: run `carestat outcomes`."]
    try:
        outcomes = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        outcomes = None
    if not isinstance(outcomes, dict) or not isinstance(outcomes.get("tables"), dict):
        log.warning("%s is not the output of `carestat outcomes`", path)
        return None, {}, ["The outcomes.json the service found could not be read: run `carestat outcomes` again."]
    charts, notes = {}, []
    for key, name in CHARTS.items():
        svg = checked_svg((folder / name).read_text(encoding="utf-8")) if (folder / name).is_file() else None
        if svg is None:
            notes.append(f"The chart {name} is missing or holds more than a chart, so only its table is shown.")
        else:
            charts[key] = svg
    return outcomes, charts, notes


def load_linkage(db: Path | None, outcomes: Path | None = None) -> LinkageData:
    """Everything the joined-up data pages need (never raises for missing or broken outputs)."""
    try:
        run, evaluation, notes = latest_run(db)
    except Exception as exc:  # the service must start without its linkage pages' data
        log.warning("could not read the linkage runs: %s", exc)
        run, evaluation, notes = None, None, ["The warehouse's linkage runs could not be read."]
    folder = outcomes_folder(db, outcomes)
    found, charts = None, {}
    if folder is not None:
        found, charts, more = read_outcomes(folder)
        notes += more
        linked_at = (run or {}).get("linked_at")
        if found is not None and isinstance(linked_at, dt.datetime) and \
                dt.datetime.fromtimestamp((folder / "outcomes.json").stat().st_mtime) < linked_at:
            notes.append(f"These outcomes were written before the latest linkage run ({linked_at:%d %B %Y %H:%M}): "
                         "run `carestat outcomes` again to bring them up to date.")
    return LinkageData(run, evaluation, found, charts, folder if found is not None else None, tuple(notes))
