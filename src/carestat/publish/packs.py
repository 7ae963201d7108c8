"""Data packs: workbooks on one theme, built from whichever of their indicators exist.

Each pack lists the indicators it wants by registry id (with a pattern that also catches ones
added later under similar names). Sections whose indicators are not in the frame yet are left out
and listed as missing, in the workbook and in the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carestat.indicators.registry import Indicator
from carestat.publish.book import cover, notes, sheet_for
from carestat.publish.tables import Table, slug
from carestat.publish.xlsx import write_workbook

STABILITY_BREAKDOWNS = ("age_band", "time_in_care", "placement", "category_of_need")


@dataclass(frozen=True)
class Section:
    title: str
    ids: tuple[str, ...]
    pattern: str | None = None  # further ids to include (matched against the id)
    breakdowns: tuple[str, ...] | None = None  # None: every breakdown present


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class PackResult:
    path: Path | None
    included: dict[str, tuple[str, ...]]  # section title -> indicator ids used
    missing: dict[str, tuple[str, ...]]  # section title -> wanted ids not available


PLACEMENT_STABILITY = Pack("placement_stability_data_pack", "Placement stability data pack", (
    Section("Children with three or more placements in the year", ("cla_3plus_placements", "cla_3plus_placements_pct"),
            r"3plus_placements", STABILITY_BREAKDOWNS),
    Section("Long-term placement stability", ("cla_long_term_stability", "cla_long_term_stability_pct"),
            r"long_term_stability", STABILITY_BREAKDOWNS),
    Section("Changes of placement", ("cla_placement_moves", "cla_placement_moves_unplanned_pct"), r"placement_moves"),
    Section("Average length of placements", ("cla_placement_length_days",), r"placement_length"),
    Section("Returns home", ("cla_returned_home", "cla_returned_home_pct", "cla_returned_home_care_plan_pct",
                             "cla_returned_home_not_care_plan_pct"), r"returned_home(?!_reentered)"),
    Section("Re-entry to care after returning home", ("cla_returned_home_reentered_12m",
                                                      "cla_returned_home_reentered_12m_pct"), r"re_?ent(ered|ry)"),
))

CHILDRENS_HOMES = Pack("childrens_homes_data_pack", "Children's homes data pack", (
    Section("Children living in children's homes", ("cla_childrens_homes", "cla_secure_childrens_homes",
                                                    "cla_secure_and_childrens_homes_pct"),
            r"childrens_homes(?!_20miles|_outside)"),
    Section("Children's homes: distance and location", ("cla_childrens_homes_20miles_pct",
                                                        "cla_childrens_homes_outside_la_pct"),
            r"childrens_homes_(20miles|outside)"),
    Section("All children looked after placed more than 20 miles from home",
            ("cla_placed_20miles_pct", "cla_placed_outside_la_pct", "cla_placed_20miles_outside_la_pct"),
            r"placed_.*(20miles|outside)"),
    Section("Children looked after by placement type and provider", ("cla_31mar",), None,
            ("placement", "placement_provider")),
))

PACKS = (PLACEMENT_STABILITY, CHILDRENS_HOMES)


def resolve(section: Section, available: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ids to use, wanted ids that are not available)."""
    found = [i for i in section.ids if i in available]
    if section.pattern:
        found += [i for i in available if re.search(section.pattern, i) and i not in found]
    return tuple(found), tuple(i for i in section.ids if i not in available)


def write_pack(pack: Pack, protected: pl.DataFrame, out_dir: Path, registry: dict[str, Indicator],
               units: dict[str, str], decimal_places: dict[str, int], *, synthetic: bool) -> PackResult:
    available = protected["indicator_id"].unique().sort().to_list()
    sheets, included, missing = [], {}, {}
    for section in pack.sections:
        ids, absent = resolve(section, available)
        if absent:
            missing[section.title] = absent
        if not ids:
            continue
        included[section.title] = ids
        present = protected.filter(pl.col("indicator_id").is_in(ids))["breakdown"].unique().to_list()
        wanted = section.breakdowns or tuple(b for i in ids if i in registry for b in registry[i].breakdowns)
        breakdowns = tuple(dict.fromkeys(b for b in wanted if b in present))
        table = Table(slug=slug(section.title), title=section.title, topic=pack.title, indicators=ids,
                      breakdowns=breakdowns)
        sheets.append(sheet_for(table, protected, registry, units, decimal_places, f"Table_{len(sheets) + 1}",
                                f"Table {len(sheets) + 1}: {section.title}"))
    if not sheets:
        return PackResult(None, included, missing)
    gaps = "; ".join(f"{t}: {', '.join(ids)}" for t, ids in missing.items()) or "None: every section is complete."
    years = protected["year"].unique().to_list()
    path = write_workbook(
        out_dir / f"{pack.name}.xlsx", title=pack.title + (" (synthetic data)" if synthetic else ""),
        cover=cover(pack.title, years, synthetic=synthetic, extra=[("Indicators not yet available", gaps)]),
        notes=notes([i for ids in included.values() for i in ids], registry, synthetic=synthetic),
        sheets=sheets, synthetic=synthetic)
    return PackResult(path, included, missing)
