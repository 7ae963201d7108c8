"""The joined-up data pages: how adverse outcomes overlap for young people aged 10 to 21 (from
``carestat outcomes``), and how good the linkage behind them is (``carestat link --truth``).

Every figure is read at startup (``web/linkage.py``) as the analysis published it: a count or
percentage comes with its display text, a symbol (``c``) where disclosure control held it back.
A cell here is ``{"value": number or None, "text": ...}``, so the JSON keeps figures as numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.linkage.outcomes import LABELS
from carestat.provenance import LABEL
from carestat.web.context import Ctx
from carestat.web.linkage import LinkageData
from carestat.web.registry import SERVICE_NAV, page

JOINED_UP_PATH = "/joined-up-data"
QUALITY_PATH = "/joined-up-data/linkage-quality"
SYMBOLS = ("c", "x", "z", "low")
STEP_LABELS = {"care": "Starting care", **LABELS}  # the pathways' first events
DATASETS = {"la": "LA identity extract", "school": "School records", "employment": "Employment and benefits",
            "justice": "Justice"}
MOST = 50.0  # a cluster's outcomes shown in its summary: those at least this share of its members have
# The commands that make the pages' data (docs/linkage.md), shown while there are none.
HOW_TO = (
    ("Generate synthetic returns", "carestat generate --out returns --years 2021-2025 --las 318,805"),
    ("Load them into the warehouse", "carestat load returns --db carestat.duckdb"),
    ("Make the partner data sets and their ground truth", "carestat partners --returns returns --out partners"),
    ("Link them, measuring the linkage against the ground truth",
     "carestat link --extracts partners --db carestat.duckdb --truth partners-ground-truth --out evaluation"),
    ("Analyse the overlapping outcomes, into a folder called outcomes beside the warehouse",
     "carestat outcomes --db carestat.duckdb --out outcomes"),
    ("Restart the service over the same warehouse", "carestat serve --db carestat.duckdb"),
)


def label(outcome: str) -> str:
    return STEP_LABELS.get(outcome) or outcome.replace("_", " ").capitalize()


def cell(display: Any, flag: Any = None) -> dict[str, Any]:
    """A published figure: its number (None when a symbol is shown) and its text."""
    text = "" if display is None else str(display)
    if flag in SYMBOLS or text in SYMBOLS:
        return {"value": None, "text": flag if flag in SYMBOLS else text}
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return {"value": None, "text": text or "x"}
    return {"value": value, "text": f"{value:,.0f}" if "." not in text else text}


def _pages(current: str) -> list[dict[str, Any]]:
    return [{"text": "Overlapping outcomes", "href": JOINED_UP_PATH, "current": current == JOINED_UP_PATH},
            {"text": "Linkage quality", "href": QUALITY_PATH, "current": current == QUALITY_PATH}]


def _common(linkage: LinkageData, current: str, available: bool) -> dict[str, Any]:
    out = {"available": available, "label": LABEL if linkage.synthetic else None, "notes": list(linkage.notes),
           "pages": _pages(current)}
    return out if available else {**out, "how_to": [{"step": s, "command": c} for s, c in HOW_TO]}


def in_words(labels: list[str]) -> str:
    """Labels as a phrase: "Looked after, missing from care and cautioned or convicted"."""
    words = [labels[0], *(x[:1].lower() + x[1:] for x in labels[1:])] if labels else []
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def combinations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        labels = [label(o) for o in r["combination"].split("+")]
        out.append({"combination": r["combination"], "outcomes": labels, "text": in_words(labels),
                    "estimated": cell(r.get("weighted_display"), r.get("weighted_flag"))})
    return out


def co_occurrence(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The matrix: for each outcome, the estimated number with it and, of them, the share with
    each other outcome (the diagonal, always 100%, is left out)."""
    ids = list(dict.fromkeys(r["outcome"] for r in rows))
    by = {(r["outcome"], r["with_outcome"]): r for r in rows}
    matrix = []
    for o in ids:
        own = by.get((o, o), {})
        shares = {w: cell(by[o, w].get("pct_of_row_display"), by[o, w].get("pct_of_row_flag"))
                  if (o, w) in by else cell(None, "x") for w in ids if w != o}
        matrix.append({"outcome": o, "label": label(o), "estimated": cell(own.get("weighted_display"),
                                                                           own.get("weighted_flag")),
                       "shares": shares})
    return {"outcomes": [{"id": o, "label": label(o)} for o in ids], "rows": matrix}


def clusters(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each cluster's size, share looked after and profile (the share of its members with each
    outcome). A cluster whose size is held back has its profile held back too: a profile of a few
    people would tell their outcomes."""
    skip = {"latent_class", "share_pct", "looked_after_pct"}
    outcomes = [k.removesuffix("_pct") for k in (rows[0] if rows else {}) if k.endswith("_pct")
                and k not in {f"{s}_pct" for s in skip}]
    out = []
    for r in rows:
        share = cell(r.get("share_pct_display"), r.get("share_pct_flag"))
        held = share["value"] is None
        profile = {o: cell(None, "c") if held else cell(None if r.get(f"{o}_pct") is None else f"{r[f'{o}_pct']:.1f}")
                   for o in outcomes}
        most = sorted(({"label": label(o), **p} for o, p in profile.items() if p["value"] is not None
                       and p["value"] >= MOST), key=lambda p: -p["value"])
        out.append({"cluster": r["latent_class"], "share": share,
                    "looked_after": cell(r.get("looked_after_pct_display"), r.get("looked_after_pct_flag")),
                    "profile": profile, "most": [{"label": p["label"], "text": p["text"]} for p in most]})
    return {"outcomes": [{"id": o, "label": label(o)} for o in outcomes], "rows": out}


def pathways(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        pct = cell(r.get("pct_first_before_then_display"), r.get("pct_first_before_then_flag"))
        median = r.get("median_months_between")
        # No median is published from fewer than six people (c), nor where nobody had both (z).
        months = cell(f"{median:.1f}") if median is not None else cell(None, "c" if pct["text"] == "c" else "z")
        out.append({"first": r["first"], "then": r["then"], "first_label": label(r["first"]),
                    "then_label": label(r["then"]), "pct_first_before_then": pct, "median_months_between": months})
    return out


def labour_market(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ages: dict[int, dict[str, Any]] = {}
    for r in rows:
        key = "care_leavers" if r["group"] == "care leavers" else "all_young_people"
        ages.setdefault(int(r["age"]), {"age": int(r["age"])})[key] = cell(r.get("pct_in_work_display"),
                                                                            r.get("pct_in_work_flag"))
    return [{"care_leavers": cell(None, "x"), "all_young_people": cell(None, "x"), **a} for _, a in sorted(ages.items())]


@page(JOINED_UP_PATH, title="Joined-up data: overlapping outcomes", template="joined_up.html",
      nav=SERVICE_NAV("Joined-up data", 2))
def joined_up(ctx: Ctx) -> dict[str, Any]:
    """Adverse outcomes of young people aged 10 to 21 across linked LA, school, employment and
    justice records: combinations (UpSet chart), co-occurrence, clusters of need, pathways, and
    care leavers in work by age; after disclosure control."""
    linkage = ctx.site.linkage
    out = _common(linkage, JOINED_UP_PATH, linkage.outcomes is not None)
    if linkage.outcomes is None:
        return out
    found, tables = linkage.outcomes, linkage.outcomes["tables"]
    bic = tables.get("latent_class_bic") or []
    paths = pathways(tables.get("pathways") or [])
    out.update({
        "people": found.get("people"), "window_end": _date(found.get("window_end")), "weighting": found.get("weighting"),
        "class_choice": found.get("class_choice"), "latent_classes": found.get("latent_classes"),
        "combinations": combinations(tables.get("combinations") or []),
        "co_occurrence": co_occurrence(tables.get("co_occurrence") or []),
        "clusters": clusters(tables.get("latent_classes") or []),
        "cluster_bic": [{"classes": r["classes"], "bic": round(r["bic"], 1), "chosen": bool(r["chosen"])} for r in bic],
        "pathways": paths,
        "_pathway_groups": [{"label": label(first), "rows": [p for p in paths if p["first"] == first]}
                            for first in dict.fromkeys(p["first"] for p in paths)],
        "labour_market": labour_market(tables.get("labour_market") or []),
        "_charts": linkage.charts,
    })
    return out


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _rate(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _points(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


@page(QUALITY_PATH, title="Joined-up data: linkage quality", template="linkage_quality.html")
def linkage_quality(ctx: Ctx) -> dict[str, Any]:
    """How well the records were linked: precision, recall and F1 at each match threshold against
    the synthetic ground truth, and how linkage error moves headline figures."""
    linkage, run = ctx.site.linkage, ctx.site.linkage.run
    out = {**_common(linkage, QUALITY_PATH, run is not None), "evaluated": linkage.evaluation is not None}
    if run is None:
        return out
    window = [run.get("window_start"), run.get("window_end")]
    out["run"] = {"linked_at": run.get("linked_at"), "backend": run.get("backend"), "threshold": run.get("threshold"),
                  "window_start": window[0], "window_end": window[1],
                  "general_population_share": run.get("general_population_share"),
                  "records": [{"dataset": k, "label": DATASETS.get(k, k), "records": v}
                              for k, v in (run.get("records") or {}).items()]}
    if linkage.evaluation is None:
        return out
    metrics: dict[float, dict[str, Any]] = {}
    for m in linkage.evaluation.get("metrics") or []:
        row = metrics.setdefault(m["threshold"], {"threshold": m["threshold"], "chosen": m["threshold"] == run.get("threshold")})
        row[m["level"]] = {k: _rate(m.get(k)) for k in ("precision", "recall", "f1")}
    figures: dict[str, dict[str, Any]] = {}
    for b in linkage.evaluation.get("bias") or []:
        f = figures.setdefault(b["figure"], {"figure": b["figure"], "truth": _points(b.get("truth")), "linked": []})
        f["linked"].append({"threshold": b["threshold"], "value": _points(b.get("linked")),
                            "bias_points": _points(b.get("bias_points"))})
    out["metrics"] = list(metrics.values())
    out["bias"] = list(figures.values())
    out["bias_thresholds"] = sorted({b["threshold"] for b in linkage.evaluation.get("bias") or []})
    return out
