"""An UpSet-style chart of overlapping outcomes, as accessible SVG in the style of
``carestat.analysis.charts``: one bar per exact combination of outcomes (largest first) above a
dot matrix that shows which outcomes make up each combination. Suppressed figures (``c``) get
no bar. The ``<desc>`` carries every figure, and the page puts the table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carestat.analysis.charts import BLUE, DARK_GREY, MID_GREY, _svg, _text, nice_ticks


@dataclass(frozen=True)
class Bar:
    members: tuple[str, ...]  # outcome ids in the combination
    value: float | None  # None where suppressed
    display: str  # the published text ("1,230", "c")


def upset_chart(bars: Sequence[Bar], outcomes: Sequence[str], labels: dict[str, str], title: str,
                chart_id: str | None = None) -> str:
    left, top, bar_h, row_h, col_w = 230, 40, 200, 22, 34
    width = left + col_w * max(len(bars), 1) + 30
    height = top + bar_h + 20 + row_h * len(outcomes) + 20
    desc = "UpSet chart of young people by the exact combination of outcomes they had. " + "; ".join(
        f"{' and '.join(labels[m] for m in b.members)}: {_grouped(b.display)}" for b in bars) + "."
    body: list[str] = []
    values = [b.value for b in bars if b.value is not None]
    if not values:
        body.append(_text(width / 2, height / 2, "No figures to show", anchor="middle", colour=DARK_GREY))
        return _svg(width, height, title, desc, body, chart_id)
    ticks = nice_ticks(0, max(values))
    scale = bar_h / ticks[-1]
    base = top + bar_h
    for t in ticks:
        y = base - t * scale
        body.append(f'<line x1="{left - 6}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="{MID_GREY}" '
                    'stroke-width="1"/>')
        body.append(_text(left - 10, y + 5, f"{t:,.0f}", size=12, anchor="end", colour=DARK_GREY))
    matrix_top = base + 20
    for i, outcome in enumerate(outcomes):
        body.append(_text(left - 10, matrix_top + row_h * i + row_h / 2 + 5, labels[outcome], size=13, anchor="end"))
    for j, bar in enumerate(bars):
        x = left + col_w * j + col_w / 2
        if bar.value is not None:
            h = bar.value * scale
            body.append(f'<rect x="{x - 11:.1f}" y="{base - h:.1f}" width="22" height="{h:.1f}" fill="{BLUE}"/>')
        body.append(_text(x, base - (bar.value or 0) * scale - 6, _grouped(bar.display), size=11, anchor="middle"))
        rows = [i for i, o in enumerate(outcomes) if o in bar.members]
        for i in range(len(outcomes)):
            cy = matrix_top + row_h * i + row_h / 2
            colour = BLUE if i in rows else MID_GREY
            body.append(f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="6" fill="{colour}"/>')
        if len(rows) > 1:
            y1, y2 = (matrix_top + row_h * r + row_h / 2 for r in (rows[0], rows[-1]))
            body.append(f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" stroke="{BLUE}" '
                        'stroke-width="3"/>')
    body.append(_text(16, 22, title, size=15, weight="bold"))
    return _svg(width, height, title, desc, body, chart_id)


def _grouped(display: str) -> str:
    """A whole number with thousands separators ("10279" -> "10,279"); symbols and text as they are."""
    return f"{int(display):,}" if display.isdigit() else display
