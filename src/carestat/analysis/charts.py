"""Small accessible SVG charts, with no dependencies: a line chart of an LA against its neighbours,
region and England over time, and a strip of dots showing where the LA sits among all LAs.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that carries the figures, so a
screen reader gets the chart's content; lines differ by dash pattern and marker shape as well as
colour, and are labelled directly, so nothing depends on colour alone. Colours are from the GOV.UK
palette, chosen for at least 3:1 contrast on white. The web page puts the data table beside it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import polars as pl

from carestat.analysis.formatting import format_value, unit_caption
from carestat.analysis.values import indicator_meta

BLUE, PURPLE, GREEN, BLACK, RED = "#1d70b8", "#4c2c92", "#00703c", "#0b0c0c", "#d4351c"
DARK_GREY, MID_GREY = "#505a5f", "#b1b4b6"
FONT = '"GDS Transport", arial, sans-serif'
LABEL_CHAR_WIDTH = 7.2  # px per character of a 12px bold label, generously (no font metrics here)


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str  # SVG stroke-dasharray ("" for solid)
    marker: str  # circle, square, triangle, diamond
    width: float


STYLES = {
    "la": Style(BLUE, "", "circle", 3.0),
    "neighbours": Style(PURPLE, "8 4", "square", 2.0),
    "region": Style(GREEN, "2 3", "triangle", 2.0),
    "england": Style(BLACK, "12 4 3 4", "diamond", 2.0),
}


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[int, float], ...]
    role: str = "la"  # a key of STYLES


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low`` to ``high`` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - size * 1.2:.1f} {x + size * 1.1:.1f},{y + size:.1f} '
                f'{x - size * 1.1:.1f},{y + size:.1f}" fill="{colour}"/>')
    return (f'<polygon points="{x:.1f},{y - size * 1.3:.1f} {x + size * 1.3:.1f},{y:.1f} {x:.1f},{y + size * 1.3:.1f} '
            f'{x - size * 1.3:.1f},{y:.1f}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>')


def _text(x: float, y: float, content: str, size: int = 14, anchor: str = "start", weight: str = "normal",
          colour: str = BLACK, halo: bool = False) -> str:
    # A white halo keeps a label readable where it crosses a line.
    outline = ' stroke="#ffffff" stroke-width="4" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{colour}"{outline}>{escape(content)}</text>')


def _svg(width: int, height: int, title: str, desc: str, body: list[str], chart_id: str | None) -> str:
    key = chart_id or "chart-" + hashlib.sha1((title + desc).encode()).hexdigest()[:10]
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby={quoteattr(f"{key}-title {key}-desc")} font-family={quoteattr(FONT)}>',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        *body, "</svg>", ""])


def _spread(positions: list[float], gap: float, low: float, high: float) -> list[float]:
    """Move label positions apart (keeping their order) so that none is nearer than ``gap``."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [0.0] * len(positions)
    last = low - gap
    for i in order:
        placed[i] = max(positions[i], last + gap)
        last = placed[i]
    overflow = last - high
    if overflow > 0:
        placed = [p - overflow for p in placed]
    return placed


def line_chart(series: Sequence[Series], title: str, unit: str = "", indicator_id: str = "",
               summary: str = "", width: int = 640, height: int = 320, chart_id: str | None = None,
               reference: tuple[str, float] | None = None) -> str:
    """Values over the years, one line per series, each labelled at its end; ``reference`` is a
    labelled horizontal line (a threshold)."""
    drawn = [s for s in series if s.points]
    figures = "; ".join(f"{s.label}: " + ", ".join(f"{y} {format_value(v, unit, indicator_id)}" for y, v in s.points)
                        for s in drawn)
    ref_text = f"{reference[0]}: {format_value(reference[1], unit, indicator_id)}." if reference else ""
    desc = " ".join(part for part in (summary, f"Line chart. {figures}." if drawn else "No figures to show.",
                                      ref_text) if part)
    left, right, top, bottom = 64, 190, 34, 44
    body: list[str] = []
    if not drawn:
        body.append(_text(width / 2, height / 2, "No figures to show", anchor="middle", colour=DARK_GREY))
        return _svg(width, height, title, desc, body, chart_id)
    labels = [f"{_short(s.label)} {format_value(sorted(s.points)[-1][1], unit, indicator_id)}" for s in drawn]
    # Widen the chart rather than clip an end label ("Similar councils 43.7 per 10,000").
    extra = max(0, round(max(len(t) for t in labels) * LABEL_CHAR_WIDTH) + 24 + 8 - right)
    width, right = width + extra, right + extra
    years = sorted({y for s in drawn for y, _ in s.points})
    numbers = [v for s in drawn for _, v in s.points] + ([reference[1]] if reference else [])
    ticks = nice_ticks(min(0.0, min(numbers)), max(numbers))
    y0, y1 = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(year: int) -> float:
        return left + (plot_w / 2 if len(years) == 1 else plot_w * (year - years[0]) / (years[-1] - years[0]))

    def y_at(value: float) -> float:
        return top + plot_h * (1 - (value - y0) / (y1 - y0))

    for t in ticks:
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y_at(t):.1f}" y2="{y_at(t):.1f}" '
                    f'stroke="{MID_GREY}" stroke-width="0.5"/>')
        body.append(_text(left - 8, y_at(t) + 4, format_value(t, unit, indicator_id, compact=True), 12, "end",
                          colour=DARK_GREY))
    caption = unit_caption(unit, indicator_id)
    if caption:
        body.append(_text(left - 8, top - 18, caption, 12, "start", colour=DARK_GREY))
    for year in years:
        body.append(_text(x_at(year), height - bottom + 20, str(year), 12, "middle", colour=DARK_GREY))
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{BLACK}"/>')
    if reference:
        y = y_at(reference[1])
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{RED}" '
                    f'stroke-width="2" stroke-dasharray="1 5" stroke-linecap="round"/>')
        body.append(_text(left + 6, y - 6, f"{reference[0]} {format_value(reference[1], unit, indicator_id)}", 12,
                          colour=BLACK, halo=True))
    for s in sorted(drawn, key=lambda s: s.role == "la"):  # the LA's line on top
        style = STYLES.get(s.role, STYLES["england"])
        points = " ".join(f"{x_at(y):.1f},{y_at(v):.1f}" for y, v in sorted(s.points))
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        body.append(f'<g aria-hidden="true"><polyline points="{points}" fill="none" stroke="{style.colour}" '
                    f'stroke-width="{style.width}"{dash}/>'
                    + "".join(_marker(style.marker, x_at(y), y_at(v), style.colour) for y, v in s.points) + "</g>")
    ends = [sorted(s.points)[-1] for s in drawn]
    label_y = _spread([y_at(v) + 4 for _, v in ends], 16, top + 8, top + plot_h + 4)
    for s, label, ly in zip(drawn, labels, label_y, strict=True):
        style = STYLES.get(s.role, STYLES["england"])
        body.append(_marker(style.marker, left + plot_w + 14, ly - 4, style.colour, 4))
        weight = "bold" if s.role == "la" else "normal"
        body.append(_text(left + plot_w + 24, ly, label, 12, weight=weight, halo=True))
    return _svg(width, height, title, desc, body, chart_id)


def _short(label: str, limit: int = 20) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def position_chart(values: Sequence[float], highlight: float | None, la_label: str, title: str, unit: str = "",
                   indicator_id: str = "", polarity: str = "neutral", england: float | None = None,
                   neighbour_average: float | None = None, summary: str = "", width: int = 640,
                   height: int = 220, chart_id: str | None = None) -> str:
    """Every LA's value as a dot (stacked where they coincide), this LA's marked and named, with
    England and the neighbour average as labelled lines."""
    fmt = lambda v: format_value(v, unit, indicator_id)  # noqa: E731
    facts = [f"{la_label}: {fmt(highlight)}" if highlight is not None else f"{la_label}: no figure",
             f"England: {fmt(england)}" if england is not None else "",
             f"similar councils' average: {fmt(neighbour_average)}" if neighbour_average is not None else "",
             f"{len(values)} councils from {fmt(min(values))} to {fmt(max(values))}" if values else "no councils"]
    better = {"higher is better": "Higher is better.", "lower is better": "Lower is better."}.get(polarity, "")
    desc = " ".join(p for p in (summary, "Dot chart of every council's figure.", "; ".join(f for f in facts if f) + ".",
                                better) if p)
    body: list[str] = []
    if not values:
        body.append(_text(width / 2, height / 2, "No figures to show", anchor="middle", colour=DARK_GREY))
        return _svg(width, height, title, desc, body, chart_id)
    left, right, axis_y = 32, 32, height - 56
    marks = [v for v in (highlight, england, neighbour_average) if v is not None]
    ticks = nice_ticks(min([*values, *marks]), max([*values, *marks]))
    lo, hi = ticks[0], ticks[-1]
    plot_w = width - left - right

    def x_at(value: float) -> float:
        return left + plot_w * (value - lo) / (hi - lo)

    radius = 3.5
    stacks: dict[int, int] = {}
    dots = []
    for v in sorted(values):
        column = round(x_at(v) / (2 * radius))
        level = stacks.get(column, 0)
        stacks[column] = level + 1
        dots.append((column * 2 * radius, level))
    step = min(2 * radius, (axis_y - 64) / max(stacks.values()))
    body.append('<g aria-hidden="true">' + "".join(
        f'<circle cx="{x:.1f}" cy="{axis_y - radius - level * step:.1f}" r="{radius}" fill="{MID_GREY}" '
        f'stroke="{DARK_GREY}" stroke-width="0.5"/>' for x, level in dots) + "</g>")
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" stroke="{BLACK}"/>')
    for t in ticks:
        body.append(f'<line x1="{x_at(t):.1f}" x2="{x_at(t):.1f}" y1="{axis_y}" y2="{axis_y + 5}" stroke="{BLACK}"/>')
        body.append(_text(x_at(t), axis_y + 19, format_value(t, unit, indicator_id, compact=True), 12, "middle",
                          colour=DARK_GREY))
    caption = unit_caption(unit, indicator_id)
    if caption:
        body.append(_text(width / 2, height - 10, caption, 12, "middle", colour=DARK_GREY))
    # One row of labels each (this LA, England, neighbours), so labels never overlap one another.
    if highlight is not None:
        x = x_at(highlight)
        anchor = "end" if x > width * 0.6 else "start"
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="22" y2="{axis_y - 18}" stroke="{BLUE}" stroke-width="2"/>')
        body.append(_marker("diamond", x, axis_y - 8, BLUE, 8))
        body.append(_text(x + (-6 if anchor == "end" else 6), 18, f"{_short(la_label, 28)} {fmt(highlight)}", 14,
                          anchor, "bold", halo=True))
    for value, label, role, y in ((england, "England", "england", 36),
                                  (neighbour_average, "Similar councils", "neighbours", 54)):
        if value is None:
            continue
        style = STYLES[role]
        x = x_at(value)
        anchor = "end" if x > width * 0.6 else "start"
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 10}" y2="{axis_y}" stroke="{style.colour}" '
                    f'stroke-width="2" stroke-dasharray="{style.dash}"/>')
        body.append(_text(x + (-6 if anchor == "end" else 6), y, f"{label} {fmt(value)}", 12, anchor, halo=True))
    if better:
        arrow = "Better →" if polarity == "higher is better" else "← Better"
        body.append(_text(width - right if polarity == "higher is better" else left, height - 10, arrow, 13,
                          "end" if polarity == "higher is better" else "start", "bold"))
    return _svg(width, height, title, desc, body, chart_id)


def trend_chart(comparison: pl.DataFrame, old_la_code: str, indicator_id: str, years: int = 6,
                chart_id: str | None = None, threshold: float | None = None) -> str:
    """``line_chart`` of one LA's figure from ``compare`` output, beside its neighbours' average,
    region and England, over its last ``years`` years."""
    rows = (comparison.filter((pl.col("old_la_code") == old_la_code) & (pl.col("indicator_id") == indicator_id))
            .sort("year").tail(years))
    meta = indicator_meta().get(indicator_id)
    name, unit = (meta.name, meta.unit) if meta else (indicator_id, "")
    la_name = rows["area_name"].drop_nulls().last() if rows.height else old_la_code
    region = rows["region_name"].drop_nulls().last() if rows.height else "Region"
    columns = (("value", la_name, "la"), ("neighbour_average", "Similar councils", "neighbours"),
               ("region_value", region or "Region", "region"), ("england_value", "England", "england"))
    series = [Series(label, tuple((int(y), float(v)) for y, v in rows.select("year", column).iter_rows()
                                  if v is not None), role) for column, label, role in columns]
    return line_chart(series, f"{name}: {la_name} over time", unit, indicator_id, chart_id=chart_id,
                      summary=f"{name} in {la_name}, its statistical neighbours, region and England.",
                      reference=("Government expectation", threshold) if threshold is not None else None)


def where_chart(comparison: pl.DataFrame, old_la_code: str, indicator_id: str, year: int | None = None,
                chart_id: str | None = None) -> str:
    """``position_chart`` of one LA among all LAs from ``compare`` output (its latest year, or ``year``)."""
    rows = comparison.filter(pl.col("indicator_id") == indicator_id)
    mine = rows.filter(pl.col("old_la_code") == old_la_code)
    if year is None:
        year = int(mine["year"].max()) if mine.height else (int(rows["year"].max()) if rows.height else 0)
    mine = mine.filter(pl.col("year") == year)
    meta = indicator_meta().get(indicator_id)
    name, unit, polarity = (meta.name, meta.unit, meta.polarity) if meta else (indicator_id, "", "neutral")
    everyone = rows.filter(pl.col("year") == year)["value"].drop_nulls().to_list()
    me = mine.row(0, named=True) if mine.height else {}
    la_name = me.get("area_name") or old_la_code
    rank = (f"Ranked {me['rank']} of {me['n_ranked']} councils, band {me['quartile']}."
            if me.get("rank") is not None else "")
    return position_chart(everyone, me.get("value"), la_name, f"{name}: where {la_name} sits ({year})", unit,
                          indicator_id, polarity, me.get("england_value"), me.get("neighbour_average"),
                          summary=f"{name}, {year}. {rank}".strip(), chart_id=chart_id)
