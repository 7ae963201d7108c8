"""``carestat demo``: run every stage that exists on a small generated set, and say where to look.

The demo works from a fresh clone with nothing but the package: it generates synthetic
returns (no real child is described), validates each one against its year's rules with the
previous year's return and the generated provider list, and writes the reports. Later stages
(warehouse, indicators, publications, analysis, web) join the chain as they are built.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carestat.synth import GenerateOptions, generate, parse_las

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
    result.say(f"Done in {time.perf_counter() - started:.1f}s. Everything above is synthetic data.", echo)
    return result
