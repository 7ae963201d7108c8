"""Publications: explore-education-statistics open data, accessible spreadsheets and data packs.

>>> from carestat.publish import publish                       # doctest: +SKIP
>>> paths = publish(compute(inputs), Path("out"), synthetic=True)

Disclosure control (``carestat.disclosure``) runs once over every indicator, so a figure is
shown or hidden the same way in every file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from carestat.disclosure import ADOPTION_SCORECARD, Rules, protect
from carestat.disclosure.rules import SYMBOLS, indicator_properties
from carestat.errors import UsageError
from carestat.indicators.registry import all_indicators
from carestat.publish.book import cover, notes, sheet_for
from carestat.publish.ees import write_table
from carestat.publish.packs import PACKS, PackResult, write_pack
from carestat.publish.tables import Table, topic_tables
from carestat.publish.xlsx import SYNTHETIC_WARNING, write_workbook

WORKBOOK = "childrens_social_care_tables.xlsx"


# Adoption scorecard measures (A1, A2, A10): numerator 5 or fewer or denominator 10 or fewer.
SCORECARD_IDS = ("adoption_a1_days", "adoption_a2_days", "adoption_a10_days")


def default_rules(tables: list[Table]) -> Rules:
    """DfE practice: thresholds 1-5 (the scorecard's for its measures), and national and regional
    counts rounded to the nearest 10 in the tables that say so."""
    rounded = frozenset(i for t in tables if t.round_counts for i in t.indicators)
    return Rules(round_counts_to=10, round_indicators=rounded).with_rule(SCORECARD_IDS, ADOPTION_SCORECARD)


def _readme(paths: list[Path], packs: list[PackResult], *, synthetic: bool) -> str:
    lines = ["carestat publication", ""]
    if synthetic:
        lines += [SYNTHETIC_WARNING, ""]
    lines += ["Files:"] + [f"  {p.name}" for p in paths] + ["", "Symbols:"]
    lines += [f"  {s}: {text}" for s, text in SYMBOLS.items()]
    for result in packs:
        name = result.path.name if result.path else "(no data pack: none of its indicators exist yet)"
        lines += ["", f"Data pack {name}"]
        lines += [f"  missing for '{title}': {', '.join(ids)}" for title, ids in result.missing.items()]
    return "\n".join(lines) + "\n"


def publish(indicators_frame: pl.DataFrame, out_dir: Path, *, synthetic: bool,
            rules: Rules | None = None) -> list[Path]:
    """Protect the indicator frame (``carestat.indicators.compute`` output) and write, into
    ``out_dir``: one EES data CSV and metadata CSV per topic, an accessible workbook of the same
    tables, the placement stability and children's homes data packs, and a README. ``synthetic``
    labels every file as synthetic data. Returns the paths written."""
    if indicators_frame.is_empty():
        raise UsageError("There are no indicator figures to publish: load some returns first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    registry = all_indicators()
    tables = topic_tables(indicators_frame, registry)
    rules = rules or default_rules(tables)
    protected = protect(indicators_frame, rules)
    props = indicator_properties(protected["indicator_id"].unique().to_list(), rules)
    units = dict(zip(props["indicator_id"], props["_unit"], strict=True))
    dps = dict(zip(props["indicator_id"], props["_dp"], strict=True))

    paths: list[Path] = []
    for table in tables:
        paths += write_table(protected, table, out_dir, registry, units, dps, synthetic=synthetic)
    # Each topic twice: England and regions by every breakdown; then each LA's overall figures
    # (the LA detail by breakdown is in the CSV files and the data packs).
    sheets = []
    for n, t in enumerate(tables, start=1):
        sheets.append(sheet_for(t, protected, registry, units, dps, f"Table_{n}a",
                                f"Table {n}a: {t.title}, England and regions", levels=("National", "Regional")))
        la = replace(t, breakdowns=())
        sheets.append(sheet_for(la, protected, registry, units, dps, f"Table_{n}b",
                                f"Table {n}b: {t.title}, local authorities", levels=("Local authority",)))
    years = protected["year"].unique().to_list()
    title = "Children's social care statistics: tables" + (" (synthetic data)" if synthetic else "")
    paths.append(write_workbook(out_dir / WORKBOOK, title=title, cover=cover(title, years, synthetic=synthetic),
                                notes=notes([i for t in tables for i in t.indicators], registry,
                                            synthetic=synthetic),
                                sheets=sheets, synthetic=synthetic))
    packs = [write_pack(p, protected, out_dir, registry, units, dps, synthetic=synthetic) for p in PACKS]
    paths += [r.path for r in packs if r.path]
    readme = out_dir / "README.txt"
    readme.write_text(_readme(paths, packs, synthetic=synthetic), encoding="utf-8")
    return [*paths, readme]


__all__ = ["PACKS", "SCORECARD_IDS", "PackResult", "Table", "default_rules", "publish", "topic_tables",
           "write_pack"]
