"""``carestat demo``: run every stage that exists on a small generated set, and say where to look.

The demo works from a fresh clone with nothing but the package: it generates synthetic
returns (no real child is described), validates each one (SSDA903 against its year's rules with
the previous year's return and the generated provider list; the CIN census against its year's
rules), writes the reports, loads both returns into a warehouse under a throwaway key, computes
the indicators, publishes them after disclosure control, and writes scorecards, profiles and the
early-warning table.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from carestat.indicators import all_indicators, compute_warehouse
from carestat.indicators.dictionary import dictionary
from carestat.publish import publish
from carestat.synth import GenerateOptions, generate, parse_las
from carestat.warehouse import load

if TYPE_CHECKING:
    from carestat.validate import ValidationReport

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
    """Validate every generated return, SSDA903 and CIN census (from 2023, the first year with
    DfE rules here). Reports go to YEAR/LA (SSDA903) and YEAR/LA/cin."""
    from carestat.validate import validate_903, validate_cin
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
            rows.append(_summary_row("ssda903", year, la_dir.name, report))
            for census in sorted((la_dir / "cin").glob("*.xml")):
                report = validate_cin(census, year=year, la=la_dir.name)
                write_outputs(report, errors=target / "cin" / "errors.csv", html=target / "cin" / "report.html",
                              xlsx=target / "cin" / "report.xlsx", json_path=target / "cin" / "report.json")
                rows.append(_summary_row("cin", year, la_dir.name, report))
    return pl.DataFrame(rows)


def _summary_row(return_name: str, year: int, la: str, report: ValidationReport) -> dict[str, Any]:
    return {"return": return_name, "year": year, "la": la, "children": report.n_children,
            "rules_run": len(report.rules_run), "errors": report.errors.height, "seconds": round(report.seconds, 3)}


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
    n_cin = int((summary["return"] == "cin").sum()) if summary.height else 0
    result.say(f"2. Validated {summary.height - n_cin} SSDA903 returns and {n_cin} CIN census returns against "
               f"the DfE rules of their year: {total} errors (the generated returns are clean by design). "
               f"Reports: {out / 'validation'}", echo)
    summary.write_csv(out / "validation" / "summary.csv")
    db = out / "carestat.duckdb"
    _demo_key(out)
    outcomes = load([data], db=db)
    loaded = [o for o in outcomes if o.status in ("loaded", "unchanged")]
    n_cin = sum(o.return_name == "cin" for o in loaded)
    result.say(f"3. Loaded {len(loaded) - n_cin} SSDA903 and {n_cin} CIN census returns into the warehouse {db} "
               f"(children pseudonymised with a demo-only key in {out / 'demo.key'}). "
               f"`carestat submissions --db {db}` lists them.", echo)
    indicators, synthetic = compute_warehouse(db)
    (out / "indicators").mkdir(parents=True, exist_ok=True)
    indicators.with_columns(synthetic=synthetic).write_csv(out / "indicators" / "indicators.csv")
    dictionary().write_csv(out / "indicators" / "indicator_dictionary.csv")
    ids = indicators["indicator_id"].unique()
    from_cin = sum(all_indicators()[i].source == "CIN census" for i in ids if i in all_indicators())
    result.say(f"4. Computed {len(ids)} indicators ({from_cin} from the CIN census) for each LA, region and "
               f"England: {out / 'indicators'} (unsuppressed: for analysts only)", echo)
    paths = publish(indicators, out / "publication", synthetic=synthetic)
    result.say(f"5. Published {len(paths)} files after disclosure control (open data CSVs with metadata, "
               f"accessible tables, data packs): {out / 'publication'}", echo)
    analyse(db, out / "analysis", las, result, echo)
    joined_up(data, db, out / "linkage", result, echo, seed)
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


def joined_up(data: Path, db: Path, out: Path, result: DemoResult, echo: Callable[[str], None], seed: int) -> None:
    """Partner data sets for the demo LAs' young people, linked with Splink, evaluated against the
    ground truth, and the overlapping-outcomes analysis (see docs/linkage.md)."""
    from carestat.linkage import link, make_partner_data, write_outcomes

    partners = make_partner_data(data, out / "partner-extracts", truth=out / "ground-truth", share=0.05, seed=seed)
    linked = link(partners.extracts, db, truth=partners.truth, out=out / "evaluation")
    outcomes = write_outcomes(db, out / "outcomes")
    result.say(f"8. Joined-up data: {partners.describe()} {linked.describe()} {outcomes.describe()}", echo)


def _demo_key(out: Path) -> None:
    """A throwaway pseudonymisation key for the demo (real use needs `carestat key new`)."""
    key = out / "demo.key"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(secrets.token_hex(32) + "\n")
        key.chmod(0o600)
    os.environ["CARESTAT_KEY_FILE"] = str(key)
    os.environ.pop("CARESTAT_KEY", None)
