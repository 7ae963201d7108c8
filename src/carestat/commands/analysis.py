"""Commands that compute and compare figures: indicators, benchmark, scorecard, profile, early
warning, provider quality and the publication."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carestat.commands.common import DbOption, friendly

app = typer.Typer()


@app.command()
@friendly
def indicators(
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option(
        help="Also write indicators.csv and the indicator dictionary into this folder.")] = None,
) -> None:
    """Compute every indicator for every LA, region and England and every year in the warehouse.

    The values are kept in the warehouse for `carestat benchmark`, `scorecard`, `publish` and the
    web service. The values are unsuppressed counts for analysts with access to the warehouse; publish with
    `carestat publish`, which applies disclosure control."""
    from carestat.indicators import compute_warehouse
    from carestat.indicators.dictionary import dictionary
    from carestat.provenance import LABEL

    frame, synthetic = compute_warehouse(db)
    summary = (f"{frame.height:,} indicator values ({frame['indicator_id'].n_unique()} indicators, "
               f"{frame['year'].n_unique()} years)")
    typer.echo(f"Computed {summary}; stored in the warehouse.")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        frame.with_columns(synthetic=synthetic).write_csv(out / "indicators.csv")
        dictionary().write_csv(out / "indicator_dictionary.csv")
        typer.echo(f"Wrote them to {out / 'indicators.csv'}")
    if synthetic:
        typer.echo(LABEL)


AnalysisDb = Annotated[Path | None, typer.Option(
    "--db", help="Set carestat's own figures from this warehouse beside the published ones for every other LA.")]
PublishedOnly = Annotated[bool, typer.Option("--published", help="Use the published figures only (the default "
                                                                  "without --db).")]
NeighbourList = Annotated[int, typer.Option("--neighbours", help="Statistical neighbour list: 2025 or 2021.")]
SyntheticFlag = Annotated[bool, typer.Option("--synthetic", help="Label carestat's figures synthetic (returns "
                                                                 "written by `carestat generate` are labelled anyway).")]


def _analysis_values(db: Path | None, published: bool, synthetic: bool) -> Any:
    """The values frame the analysis commands read: published figures, or the warehouse's over them."""
    from carestat.analysis import values
    from carestat.errors import UsageError

    if db is not None and published:
        raise UsageError("Give --db (carestat's figures beside the published ones) or --published, not both")
    if db is None:
        return values.published()
    if not db.exists():
        raise UsageError(f"{db}: no such warehouse (create one with `carestat load`)")
    return values.from_warehouse(db, synthetic=synthetic)


def _say_synthetic(frame: Any) -> None:
    from carestat.analysis.values import is_synthetic
    from carestat.provenance import LABEL

    if is_synthetic(frame):
        typer.echo(LABEL)


@app.command()
@friendly
def benchmark(
    out: Annotated[Path, typer.Option(help="Folder for benchmark.csv and benchmark.json.")],
    db: AnalysisDb = None,
    published: PublishedOnly = False,
    la: Annotated[str | None, typer.Option(help="Only this LA (3-digit or ONS code, or name).")] = None,
    indicator: Annotated[list[str] | None, typer.Option(help="Only this indicator id (repeat for more).")] = None,
    year: Annotated[int | None, typer.Option(help="Only this collection year (default: the latest of each).")] = None,
    neighbours: NeighbourList = 2025,
    synthetic: SyntheticFlag = False,
) -> None:
    """Each LA's figures beside its statistical neighbours, region and England.

    With each LA's rank, quartile band (A best) and three-year direction of travel; definitions in
    docs/benchmarking.md. Without --year, each indicator's latest year."""
    from carestat.analysis import report
    from carestat.analysis.comparators import benchmark as run_benchmark
    from carestat.analysis.values import is_synthetic

    frame = _analysis_values(db, published, synthetic)
    table = run_benchmark(frame, la, indicator, year, neighbours)
    typer.echo(report.benchmark_text(table))
    written = report.write_benchmark(table, out, is_synthetic(table))
    typer.echo(f"Wrote {table.height:,} rows to {written[0]} and {written[1]}")
    _say_synthetic(table)


@app.command()
@friendly
def scorecard(
    la: Annotated[str, typer.Option(help="The LA (3-digit or ONS code, or name).")],
    out: Annotated[Path, typer.Option(help="Folder for scorecards.csv, scorecards.json and charts/.")],
    db: AnalysisDb = None,
    published: PublishedOnly = False,
    year: Annotated[int | None, typer.Option(help="Figures up to this collection year (default: latest).")] = None,
    neighbours: NeighbourList = 2025,
    synthetic: SyntheticFlag = False,
) -> None:
    """Foster care, residential care and adoption scorecards for one LA, written for everyone."""
    from carestat.analysis import report, scorecards

    frame = _analysis_values(db, published, synthetic)
    data = scorecards.prepare(frame, neighbours)
    cards = scorecards.la_scorecards(la, data, year)
    typer.echo(report.scorecard_text(cards))
    written = report.write_scorecards(cards, data.comparison, out)
    typer.echo(f"Wrote {len(written)} files (CSV, JSON and SVG charts) to {out}")
    _say_synthetic(frame)


@app.command()
@friendly
def profile(
    la: Annotated[str, typer.Option(help="The LA (3-digit or ONS code, or name).")],
    out: Annotated[Path, typer.Option(help="Folder for profile.json, the CSVs and charts/.")],
    db: AnalysisDb = None,
    published: PublishedOnly = False,
    year: Annotated[int | None, typer.Option(help="Figures up to this collection year (default: latest).")] = None,
    neighbours: NeighbourList = 2025,
    synthetic: SyntheticFlag = False,
) -> None:
    """One LA's profile: codes, region, children, neighbours, Ofsted history, key indicators."""
    from carestat.analysis import report
    from carestat.analysis.profile import la_profile

    frame = _analysis_values(db, published, synthetic)
    result = la_profile(la, frame, year=year, neighbour_list=neighbours)
    typer.echo(report.profile_text(result))
    written = report.write_profile(result, out)
    typer.echo(f"Wrote {len(written)} files (CSV, JSON and SVG charts) to {out}")
    _say_synthetic(frame)


@app.command("early-warning")
@friendly
def early_warning_command(
    out: Annotated[Path, typer.Option(help="Folder for signals.csv, funnels.csv and early_warning.json.")],
    db: Annotated[Path | None, typer.Option("--db", help="Set the warehouse's own LA figures over the published ones.")] = None,
    published: Annotated[bool, typer.Option("--published", help="Use the DfE's published figures only (the default).")] = False,
    year: Annotated[int | None, typer.Option(help="Collection year to show (default: the latest).")] = None,
    backtest: Annotated[bool, typer.Option("--backtest", help="Also test the signal against Ofsted's judgements "
                                           "(published figures only; see docs/early-warning.md).")] = False,
) -> None:
    """Early warning of faltering services: funnel limits, CUSUM trends and a combined signal per LA and year."""
    from carestat.analysis.early_warning import early_warning
    from carestat.analysis.values import from_warehouse, is_synthetic
    from carestat.analysis.values import published as published_values
    from carestat.analysis.warning_report import (
        choose_view,
        early_warning_text,
        write_early_warning,
    )
    from carestat.errors import UsageError

    if db is not None and published:
        raise UsageError("give either --db or --published, not both")
    values = from_warehouse(db) if db is not None else published_values()
    synthetic = is_synthetic(values)
    result = early_warning(values)
    las, chosen = choose_view(result, values, year, own_only=db is not None)
    typer.echo(early_warning_text(result, chosen, las, synthetic))
    paths = write_early_warning(result, out, synthetic)
    if backtest:
        from carestat.analysis.backtest import run_backtest
        from carestat.analysis.warning_report import backtest_text, write_backtest

        run = run_backtest()
        typer.echo("\n" + backtest_text(run))
        paths += write_backtest(run, out)
    typer.echo("\nWrote " + ", ".join(str(p) for p in paths))


@app.command()
@friendly
def providers(
    out: Annotated[Path, typer.Option(help="Folder for provider_quality.csv and .json.")],
    db: DbOption = None,
    unsuppressed: Annotated[bool, typer.Option(help="Also write the unsuppressed table (not for publication).")] = False,
) -> None:
    """Share of children in care placed with providers Ofsted judged good or outstanding, by LA and need."""
    from carestat.analysis.providers import for_publication, provider_quality, snapshot_note
    from carestat.analysis.warning_report import providers_text, write_providers
    from carestat.indicators import Inputs
    from carestat.warehouse import is_synthetic, tables

    frame = provider_quality(Inputs(tables(db)))
    synthetic = is_synthetic(db)
    protected = for_publication(frame)
    note = snapshot_note(frame)
    typer.echo(providers_text(protected, synthetic))
    typer.echo(note)
    paths = write_providers(protected, out, synthetic, note, frame if unsuppressed else None)
    typer.echo("Wrote " + ", ".join(str(p) for p in paths))


@app.command("publish")
@friendly
def publish_command(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder to write the publication into.")] = Path("publication"),
) -> None:
    """Write the national statistics tables after disclosure control: open data CSVs in the
    explore-education-statistics format with their metadata, accessible XLSX tables, and the
    placement stability and children's homes data packs."""
    from carestat.indicators import current_values
    from carestat.provenance import LABEL
    from carestat.publish import publish

    frame, synthetic = current_values(db)
    paths = publish(frame, out, synthetic=synthetic)
    typer.echo(f"Wrote {len(paths)} files to {out} (disclosure-controlled; see README.txt there)")
    if synthetic:
        typer.echo(LABEL)


