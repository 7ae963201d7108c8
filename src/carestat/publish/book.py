"""What the spreadsheets say: sheets built from publication tables, notes and cover text."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from carestat.disclosure import SYMBOLS
from carestat.indicators.registry import Indicator
from carestat.publish.tables import Table, breakdown_label, wide
from carestat.publish.xlsx import Sheet

CONTACT = "The carestat project: open an issue in the project's repository"
SOURCE = ("SSDA903 returns on children looked after (and CIN census returns where stated), "
          "held in the carestat warehouse; indicators computed by carestat")
HEADERS = {"time_period": "Year (ending 31 March)", "geographic_level": "Geographic level",
           "region_code": "Region code", "region_name": "Region", "new_la_code": "LA code (ONS)",
           "old_la_code": "LA code (DfE)", "la_name": "Local authority"}
DISCLOSURE = ("Local authority counts of 1 to 5 are suppressed (c), and so are percentages, rates and averages "
              "whose numerator or denominator is 1 to 5 (adoption scorecard measures: numerator 5 or fewer or "
              "denominator 10 or fewer). Further cells are suppressed so that no suppressed figure can be worked "
              "out from totals (categories sum to the total, local authorities to their region, regions to "
              "England) or from the same count published in another table.")
ROUNDING = "National and regional counts in the children looked after tables are rounded to the nearest 10."


def sheet_for(table: Table, protected: pl.DataFrame, registry: dict[str, Indicator], units: dict[str, str],
              decimal_places: dict[str, int], name: str, title: str | None = None,
              lines: Sequence[str] = (), levels: Sequence[str] | None = None) -> Sheet:
    """The table as an accessible sheet: readable headers, figures as numbers (``levels``: only
    those geographic levels)."""
    if levels is not None:
        protected = protected.filter(pl.col("geographic_level").is_in(list(levels)))
    frame = wide(protected, table, units)
    shown = HEADERS if levels is None or "Local authority" in levels else {
        k: v for k, v in HEADERS.items() if k not in ("new_la_code", "old_la_code", "la_name")}
    columns = dict(shown)
    columns |= {b: breakdown_label(b) for b in table.breakdowns}
    columns |= {i: registry[i].name if i in registry else i for i in table.indicators}
    extra = [ROUNDING] if table.round_counts else []
    return Sheet(name=name, title=title or table.title, frame=frame, columns=columns,
                 numbers={i: decimal_places.get(i, 0) for i in table.indicators}, lines=[*extra, *lines])


def notes(ids: Sequence[str], registry: dict[str, Indicator], *, synthetic: bool) -> list[tuple[str, str]]:
    """Symbols, disclosure control, and each indicator's definition from the registry."""
    out: list[tuple[str, str]] = []
    if synthetic:
        out.append(("Synthetic data", "Every figure in this workbook was computed from synthetic returns; "
                                      "none describes a real child."))
    out += [(f"Symbol {symbol}", text) for symbol, text in SYMBOLS.items()]
    out += [("Disclosure control", DISCLOSURE), ("Rounding", ROUNDING),
            ("Years", "A year is the collection year ending on 31 March: 2025 means 1 April 2024 to 31 March 2025.")]
    for i in ids:
        item = registry.get(i)
        if item is None:
            out.append((i, "Not in the indicator registry."))
            continue
        parts = [item.definition, f"Numerator: {item.numerator}."]
        if item.denominator:
            parts.append(f"Denominator: {item.denominator}.")
        parts.append(f"Source: {item.source}. Indicator id: {item.id}.")
        out.append((item.name, " ".join(parts)))
    return out


def cover(title: str, years: Sequence[int], *, synthetic: bool, extra: Sequence[tuple[str, str]] = ()) -> list[
        tuple[str, str]]:
    span = f"{min(years)} to {max(years)}" if years else "none"
    about = ("Tables of children's social care indicators for England, its regions and local authorities, "
             "produced by carestat.")
    if synthetic:
        about += " The figures are synthetic: they come from generated returns, not from any local authority."
    return [("About", about), ("Source", SOURCE), ("Years covered", f"Collection years ending 31 March {span}"),
            ("Geography", "England, regions and local authorities"), ("Disclosure control", DISCLOSURE),
            *extra, ("Contact", CONTACT)]
