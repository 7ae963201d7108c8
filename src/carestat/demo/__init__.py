"""``carestat demo``: run every stage that exists on a small generated set, and say where to look.

The demo works from a fresh clone with nothing but the package: it generates synthetic
returns (no real child is described), validates each one against its year's rules with the
previous year's return and the generated provider list, writes the reports, loads the returns
into a warehouse under a throwaway key, computes the indicators, publishes them after
disclosure control, and writes scorecards, profiles and the early-warning table.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carestat.indicators import compute_warehouse
from carestat.indicators.dictionary import dictionary
from carestat.publish import publish
from carestat.synth import GenerateOptions, generate, parse_las
from carestat.warehouse import load

DEMO_LAS = "318,805,873,940,941"  # Richmond, Hartlepool, Cambridgeshire, North and West Northamptonshire
DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)


@dataclass
class DemoResult:
    out: Path
    lines: list[str] = field(default_factory=list)

    def say(self, text: str, echo: Callable[[str], None]) -> None:
        self.lines.append(text)
        echo(text)


def validate_all(data: Path, reports: Path, years: tuple[int, ...]) -> pl.DataFrame:
    """Validate every generated SSDA903 return (from 2023, the first year with DfE rules here)."""
    from carestat.validate import validate_903
    from carestat.validate.output import write_outputs
    from carestat.validate.providers import read_providers

    providers = read_providers(data / "providers.csv")
    rows = []
    for year in years:
        if year < 2023 or not (data / str(year)).exists():
            continue
        for la_dir in sorted((data / str(year)).iterdir()):
            files = sorted((la_dir / "ssda903").glob("*.csv"))
            previous_dir = data / str(year - 1) / la_dir.name / "ssda903"
            previous = sorted(previous_dir.glob("*.csv")) if previous_dir.exists() else []
            report = validate_903(files, year=year, la=la_dir.name, previous=previous, providers=providers)
            target = reports / str(year) / la_dir.name
            write_outputs(report, errors=target / "errors.csv", html=target / "report.html",
                          xlsx=target / "report.xlsx", json_path=target / "report.json")
            rows.append({"year": year, "la": la_dir.name, "children": report.n_children,
                         "rules_run": len(report.rules_run), "errors": report.errors.height,
                         "seconds": round(report.seconds, 3)})
    return pl.DataFrame(rows)


def run_demo(out: Path, echo: Callable[[str], None] = print, las: str = DEMO_LAS,
             years: tuple[int, ...] = DEMO_YEARS, seed: int = 1) -> DemoResult:
    out = Path(out)
    result = DemoResult(out)
    started = time.perf_counter()
    data = out / "synthetic-returns"
    generated = generate(GenerateOptions(out=data, years=years, las=parse_las(las), seed=seed))
    result.say(f"1. Generated: {generated.describe()}", echo)
    summary = validate_all(data, out / "validation", years)
    total = int(summary["errors"].sum()) if summary.height else 0
    result.say(f"2. Validated {summary.height} SSDA903 returns against the DfE rules of their year: "
               f"{total} errors (the generated returns are clean by design). Reports: {out / 'validation'}", echo)
    summary.write_csv(out / "validation" / "summary.csv")
    db = out / "carestat.duckdb"
    _demo_key(out)
    outcomes = load([data], db=db)
    loaded = sum(o.status in ("loaded", "unchanged") for o in outcomes)
    result.say(f"3. Loaded {loaded} returns into the warehouse {db} (children pseudonymised with a demo-only "
               f"key in {out / 'demo.key'}). `carestat submissions --db {db}` lists them.", echo)
    indicators, synthetic = compute_warehouse(db)
    (out / "indicators").mkdir(parents=True, exist_ok=True)
    indicators.with_columns(synthetic=synthetic).write_csv(out / "indicators" / "indicators.csv")
    dictionary().write_csv(out / "indicators" / "indicator_dictionary.csv")
    result.say(f"4. Computed {indicators['indicator_id'].n_unique()} indicators for each LA, region and England: "
               f"{out / 'indicators'} (unsuppressed: for analysts only)", echo)
    paths = publish(indicators, out / "publication", synthetic=synthetic)
    result.say(f"5. Published {len(paths)} files after disclosure control (open data CSVs with metadata, "
               f"accessible tables, data packs): {out / 'publication'}", echo)
    analyse(db, out / "analysis", las, result, echo)
    result.say(f"Done in {time.perf_counter() - started:.1f}s. Everything above is synthetic data.", echo)
    return result


def analyse(db: Path, out: Path, las: str, result: DemoResult, echo: Callable[[str], None]) -> None:
    """Scorecards and profiles for the demo LAs, and the early-warning table, from the demo
    warehouse's figures set beside the published figures for every other LA."""
    from carestat.analysis import report, scorecards
    from carestat.analysis.early_warning import early_warning
    from carestat.analysis.profile import la_profile
    from carestat.analysis.values import from_warehouse
    from carestat.analysis.warning_report import (
        choose_view,
        early_warning_text,
        write_early_warning,
    )

    values = from_warehouse(db)
    data = scorecards.prepare(values)
    for la in parse_las(las):
        code = la.old_la_code
        report.write_scorecards(scorecards.la_scorecards(code, data), data.comparison, out / code / "scorecards")
        report.write_profile(la_profile(code, values), out / code / "profile")
    result.say(f"6. Wrote foster, residential and adoption scorecards and an LA profile for each demo LA "
               f"(CSV, JSON, SVG charts): {out}", echo)
    warning = early_warning(values)
    shown, year = choose_view(warning, values, None, own_only=True)
    write_early_warning(warning, out / "early-warning", synthetic=True)
    result.say(f"7. Early warning for {year} (demo LAs; files in {out / 'early-warning'}):", echo)
    result.say(early_warning_text(warning, year, shown, synthetic=True), echo)


def _demo_key(out: Path) -> None:
    """A throwaway pseudonymisation key for the demo (real use needs `carestat key new`)."""
    key = out / "demo.key"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(secrets.token_hex(32) + "\n")
        key.chmod(0o600)
    os.environ["CARESTAT_KEY_FILE"] = str(key)
    os.environ.pop("CARESTAT_KEY", None)
