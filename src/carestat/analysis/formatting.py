"""Figures as people read them: "7%", "425 days", "65.2 per 10,000", "£1,234 a week"."""

from __future__ import annotations

import math

from carestat.analysis.comparators import is_percentage


def _trim(number: float, places: int) -> str:
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float | None, unit: str = "", indicator_id: str = "", compact: bool = False) -> str:
    """One figure with its unit, rounded for reading (not for further sums); ``compact`` leaves out
    the words after the number (for chart axes, whose caption says them once)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no figure"
    u = unit.casefold()
    words = ""
    if is_percentage(indicator_id, unit):
        return f"{_trim(value, 1)}%"
    if "per 10,000" in u or u == "rate_per_10k":
        text, words = _trim(value, 1), " per 10,000"
    elif "per 100,000" in u:
        text, words = _trim(value, 1), " per 100,000"
    elif u == "days":
        text, words = f"{value:,.0f}", " days"
    elif u == "months":
        text, words = _trim(value, 1), " months"
    elif "cost" in u:
        text, words = f"£{value:,.0f}", " a week"
    elif "spend" in u:
        text = f"£{value:,.0f}"
    else:
        return _plain(value, u)
    return text if compact else text + words


def unit_caption(unit: str, indicator_id: str = "") -> str:
    """What a chart axis of ``format_value(compact=True)`` figures counts in."""
    u = unit.casefold()
    if is_percentage(indicator_id, unit):
        return ""  # the axis labels say "%"
    for key, caption in (("per 10,000", "per 10,000 children"), ("rate_per_10k", "per 10,000 children"),
                         ("per 100,000", "per 100,000"), ("days", "days"), ("months", "months"),
                         ("cost", "£ a week")):
        if key in u:
            return caption
    return unit if u not in ("", "count", "mean", "score") else ""


def _plain(value: float, u: str) -> str:
    if u == "count" or u.startswith("number"):
        return f"{value:,.0f}"
    return _trim(value, 1 if abs(value) >= 1 else 2)


def format_interval(low: float | None, high: float | None) -> str:
    """A 95% interval given as proportions (0-1), in percent."""
    if low is None or high is None:
        return ""
    return f"{_trim(100 * low, 1)}% to {_trim(100 * high, 1)}%"


def polarity_phrase(polarity: str) -> str:
    return {"higher is better": "Higher is better", "lower is better": "Lower is better"}.get(
        polarity, "Neither higher nor lower is simply better: this is context")
