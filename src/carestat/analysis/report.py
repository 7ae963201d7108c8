"""Plain-text tables and files (CSV, JSON, SVG) for ``carestat benchmark``, ``scorecard`` and
``profile``: the CLI only chooses the inputs and calls these."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from carestat.analysis.charts import trend_chart, where_chart
from carestat.analysis.formatting import format_value
from carestat.analysis.profile import Profile
from carestat.analysis.scorecards import Scorecard
from carestat.errors import OutputError
from carestat.provenance import LABEL


def text_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], widest: int = 44) -> str:
    """Rows as an aligned plain-text table (long cells cut with an ellipsis)."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= widest else text[: widest - 1] + "…"

    cells = [[cell(r.get(key)) for key, _ in columns] for r in rows]
    widths = [max([len(title), *(len(c[i]) for c in cells)]) for i, (_, title) in enumerate(columns)]
    line = lambda parts: "  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line([t for _, t in columns]), line(["-" * w for w in widths]), *(line(c) for c in cells)])


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write(path: Path, text: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def write_json(path: Path, payload: Any) -> Path:
    return _write(path, json.dumps(payload, indent=2, default=_json_default, ensure_ascii=False) + "\n")


def write_csv(path: Path, frame: pl.DataFrame) -> Path:
    return _write(path, frame.write_csv())


def _fmt_row(r: dict[str, Any]) -> dict[str, Any]:
    f = lambda key: format_value(r[key], r["unit"] or "", r["indicator_id"]) if r[key] is not None else ""  # noqa: E731
    return {**r, "value_text": f("value"), "neighbours_text": f("neighbour_average"), "region_text": f("region_value"),
            "england_text": f("england_value"),
            "rank_text": f"{r['rank']}/{r['n_ranked']}" if r["rank"] is not None else "",
            "neighbour_count": f"{r['neighbours_with_value']}/{r['neighbours_listed']}"}


BENCHMARK_COLUMNS = (("indicator_id", "Indicator"), ("year", "Year"), ("area_name", "LA"), ("value_text", "Value"),
                     ("neighbours_text", "Neighbours"), ("neighbour_count", "n"), ("region_text", "Region"),
                     ("england_text", "England"), ("rank_text", "Rank"), ("quartile", "Band"),
                     ("direction", "3-year trend"))


def benchmark_text(comparison: pl.DataFrame, limit: int = 40) -> str:
    rows = [_fmt_row(r) for r in comparison.head(limit).iter_rows(named=True)]
    text = text_table(rows, BENCHMARK_COLUMNS, widest=36)
    if comparison.height > limit:
        text += f"\n... and {comparison.height - limit:,} more rows in the CSV"
    return text


def write_benchmark(comparison: pl.DataFrame, out: Path, synthetic: bool) -> list[Path]:
    meta = {"synthetic": synthetic, "label": LABEL if synthetic else None, "rows": comparison.to_dicts()}
    return [write_csv(out / "benchmark.csv", comparison), write_json(out / "benchmark.json", meta)]


def scorecard_text(cards: Sequence[Scorecard]) -> str:
    parts = []
    for card in cards:
        rows = [{**m.as_row(), "value_text": m.as_row()["value_text"] + (" *" if m.caveats else "")}
                for m in card.measures]
        for r, m in zip(rows, card.measures, strict=True):
            r["england_text"] = m.fmt(m.england_value) if m.england_value is not None else ""
            r["neighbours_text"] = m.fmt(m.neighbour_average) if m.neighbour_average is not None else ""
        intro = textwrap.fill(card.spec.introduction, 100)
        parts.append(f"{card.spec.title} scorecard: {card.la.name} ({card.la.old_la_code})\n{intro}\n\n" + text_table(
            rows, (("question", "Question"), ("year", "Year"), ("value_text", "This council"),
                   ("england_text", "England"), ("neighbours_text", "Similar councils"), ("quartile", "Band"),
                   ("direction", "3-year trend")), widest=70))
    return "\n\n".join(parts) + "\n\n* see the caveats in the CSV or JSON"


def write_scorecards(cards: Sequence[Scorecard], comparison: pl.DataFrame, out: Path) -> list[Path]:
    rows = [{"scorecard": c.spec.key, "la_name": c.la.name, "old_la_code": c.la.old_la_code,
             "synthetic": c.synthetic, **m.as_row()} for c in cards for m in c.measures]
    written = [write_csv(out / "scorecards.csv", pl.DataFrame(rows, infer_schema_length=None)),
               write_json(out / "scorecards.json", [c.as_dict() for c in cards])]
    for card in cards:
        for m in card.measures:
            if m.value is None or m.suppressed:
                continue
            stem = f"{card.spec.key}-{m.measure.key}"
            written.append(_write(out / "charts" / f"{stem}-trend.svg",
                                  trend_chart(comparison, card.la.old_la_code, m.indicator_id, chart_id=f"{stem}-trend",
                                              threshold=m.threshold)))
            written.append(_write(out / "charts" / f"{stem}-position.svg",
                                  where_chart(comparison, card.la.old_la_code, m.indicator_id, m.year,
                                              chart_id=f"{stem}-position")))
    return written


def profile_text(p: Profile) -> str:
    la = p.la
    lines = [f"{la.name}: DfE code {la.old_la_code}, ONS code {la.new_la_code}, {la.region_name}"]
    if p.predecessors:
        lines.append("Before: " + ", ".join(f"{x.name} ({x.old_la_code})" for x in p.predecessors))
    if p.successors:
        lines.append("Now: " + ", ".join(f"{x.name} ({x.old_la_code})" for x in p.successors))
    if p.child_population:
        lines.append(f"Children aged 0-17: about {p.child_population:,.0f}")
    names = ", ".join(n["neighbour_name"] or n["neighbour_old_la_code"] for n in p.neighbours.get(2025, []))
    lines.append(f"Statistical neighbours (2025): {names or 'none listed'}")
    lines.append("")
    lines.append("Ofsted inspections of children's services (newest first):")
    lines.append(text_table([{**j, "date": j["publication_date"]} for j in p.ofsted],
                            (("date", "Published"), ("inspection_framework", "Framework"), ("la_name", "LA"),
                             ("judgement", "Judgement")), widest=48) if p.ofsted else "  none found")
    lines.append("")
    lines.append("Key indicators (latest year):")
    rows = [{**r, "value_text": r.get("value_text", "no figure"),
             "rank_text": f"{r['rank']}/{r['n_ranked']}" if r.get("rank") is not None else ""} for r in p.indicators]
    lines.append(text_table(rows, (("label", "Indicator"), ("year", "Year"), ("value_text", "Value"),
                                   ("neighbour_average_text", "Neighbours"), ("region_value_text", "Region"),
                                   ("england_value_text", "England"), ("rank_text", "Rank"), ("quartile", "Band"),
                                   ("direction", "3-year trend")), widest=52))
    return "\n".join(lines)


def write_profile(p: Profile, out: Path) -> list[Path]:
    written = [write_json(out / "profile.json", p.as_dict()),
               write_csv(out / "profile_indicators.csv", pl.DataFrame(p.indicators, infer_schema_length=None)),
               write_csv(out / "profile_ofsted.csv", pl.DataFrame(p.ofsted, infer_schema_length=None)),
               write_csv(out / "profile_neighbours.csv", pl.DataFrame(
                   [{"list_version": v, **n} for v, rows in p.neighbours.items() for n in rows],
                   infer_schema_length=None))]
    for r in p.indicators:
        if r.get("value") is None:
            continue
        stem = f"profile-{r['indicator_id']}"
        written.append(_write(out / "charts" / f"{stem}-trend.svg",
                              trend_chart(p.comparison, p.la.old_la_code, r["indicator_id"], chart_id=f"{stem}-trend")))
        written.append(_write(out / "charts" / f"{stem}-position.svg",
                              where_chart(p.comparison, p.la.old_la_code, r["indicator_id"], r["year"],
                                          chart_id=f"{stem}-position")))
    return written
