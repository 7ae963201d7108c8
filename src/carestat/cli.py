"""The ``carestat`` command: a thin layer over the package's functions.

Every command prints a one-line message and exits 2 when its input or arguments cannot be
used; it exits 0 whenever it did its job (a validation that finds errors did its job).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

try:  # typer 0.2x carries its own copy of click
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover - older typer on click
    from click import UsageError as ClickUsageError

from carestat import __version__
from carestat.errors import CarestatError

app = typer.Typer(
    name="carestat",
    help="Children's social care data for England: generate, validate, store, measure and publish "
    "SSDA903 and CIN census returns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
validate_app = typer.Typer(help="Validate a return against the DfE's rules for its year.",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")

F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Turn a CarestatError into one clear line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CarestatError as exc:
            typer.echo(f"carestat: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("carestat: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carestat {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """carestat command line."""


@app.command()
@friendly
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the returns into.")],
    years: Annotated[str, typer.Option(help="Collection years, e.g. 2019-2025 or 2024.")] = "2019-2025",
    las: Annotated[str, typer.Option(help="'all', or LA codes (3-digit or ONS) separated by commas.")] = "all",
    scale: Annotated[float, typer.Option(help="Size relative to the real returns (1.0 = national scale).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical output.")] = 1,
    error_rate: Annotated[float, typer.Option(help="Share of children given an injected fault (0 = clean).")] = 0.0,
    format: Annotated[str, typer.Option("--format", help="csv, xml or both (SSDA903; CIN is always XML).")] = "csv",
    cin: Annotated[bool, typer.Option("--cin/--no-cin", help="Also write the CIN census XML.")] = True,
) -> None:
    """Generate synthetic SSDA903 and CIN census returns for England's LAs (no real child data)."""
    from carestat.synth import GenerateOptions, parse_las, parse_years
    from carestat.synth import generate as run

    options = GenerateOptions(out=out, years=parse_years(years), las=parse_las(las), scale=scale,
                              seed=seed, error_rate=error_rate, format=format, cin=cin)
    result = run(options)
    typer.echo(result.describe())


@app.command()
@friendly
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo's outputs.")] = Path("demo-output"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the results when done.")] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on (another if it is taken).")] = 8000,
) -> None:
    """Run every stage on a small synthetic set (five LAs, five years), say where the outputs are,
    then serve them in the web service until interrupted (not with --no-serve)."""
    from carestat.demo import run_demo

    run_demo(out, echo=typer.echo)
    if serve:
        from carestat.web.serve import serve_demo

        serve_demo(out, echo=typer.echo, host=host, port=port)


@app.command("serve")
@friendly
def serve_command(
    db: Annotated[Path | None, typer.Option("--db", help="The warehouse to serve (default: $CARESTAT_DB, else the "
                                                         "DfE's published figures only).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    users: Annotated[Path | None, typer.Option(help="LA users file (default: carestat-users.sqlite beside the "
                                                    "warehouse, or $CARESTAT_USERS).")] = None,
    max_upload_mb: Annotated[float | None, typer.Option(help="Upload limit in MB (default 50, or "
                                                             "$CARESTAT_WEB_UPLOAD_MB).")] = None,
    secure_cookies: Annotated[bool, typer.Option(help="Send cookies over HTTPS only, and HSTS (behind TLS).")] = False,
    log_requests: Annotated[bool, typer.Option(help="Log each request (method, path, status, time; never a "
                                                    "query string).")] = True,
) -> None:
    """Serve the web service: LA profiles, indicator explorer, scorecards, early warning, publication
    downloads and upload-and-validate for LA users (every page also as JSON; OpenAPI at /openapi.json)."""
    import os

    from carestat.web.serve import serve

    chosen = db or (Path(os.environ["CARESTAT_DB"]) if os.environ.get("CARESTAT_DB") else None)
    serve(chosen, host=host, port=port, users=users, max_upload_mb=max_upload_mb, secure_cookies=secure_cookies,
          log_requests=log_requests, echo=typer.echo)


user_app = typer.Typer(help="LA users of the web service (they sign in with a token).", no_args_is_help=True)
app.add_typer(user_app, name="user")
UsersOption = Annotated[Path | None, typer.Option("--users", help="The users file (default: $CARESTAT_USERS, else "
                                                                  "carestat-users.sqlite beside --db).")]


def _users_file(users: Path | None, db: Path | None) -> Path:
    from carestat.web.settings import default_users_file

    return users or default_users_file(db)


@user_app.command("add")
@friendly
def user_add(
    la: Annotated[str, typer.Option(help="The user's LA (3-digit or ONS code, or name).")],
    name: Annotated[str | None, typer.Option(help="Who the user is (default: the LA's data team).")] = None,
    users: UsersOption = None,
    db: Annotated[Path | None, typer.Option("--db", help="The warehouse the service runs on (the users file "
                                                         "sits beside it).")] = None,
) -> None:
    """Add an LA user and print their sign-in token (shown this once; only its hash is kept)."""
    from carestat.web.users import add_user

    path = _users_file(users, db)
    user, token = add_user(path, la, name)
    typer.echo(f"Added user {user.id} ({user.label}) to {path}.")
    typer.echo(f"Sign-in token (shown once, keep it safe): {token}")


@user_app.command("list")
@friendly
def user_list(users: UsersOption = None, db: Annotated[Path | None, typer.Option("--db")] = None) -> None:
    """List the LA users (never their tokens)."""
    from carestat.web.users import list_users

    for u in list_users(_users_file(users, db)):
        typer.echo(f"{u['id']:4} {u['la_code']} {u['name']}  added {u['created']}"
                   + ("  (disabled)" if u["disabled"] else ""))


@user_app.command("disable")
@friendly
def user_disable(user_id: Annotated[int, typer.Argument(help="The user's number (from `carestat user list`).")],
                 users: UsersOption = None, db: Annotated[Path | None, typer.Option("--db")] = None) -> None:
    """Stop a user's token working."""
    from carestat.web.users import disable_user

    disable_user(_users_file(users, db), user_id)
    typer.echo(f"User {user_id} can no longer sign in.")


key_app = typer.Typer(help="The pseudonymisation key the warehouse needs.", no_args_is_help=True)
app.add_typer(key_app, name="key")

DbOption = Annotated[Path | None, typer.Option("--db", help="The warehouse (default: $CARESTAT_DB or carestat.duckdb).")]


@key_app.command("new")
@friendly
def key_new(
    file: Annotated[Path | None, typer.Option(help="Where to write the key (default ~/.config/carestat/key).")] = None,
) -> None:
    """Create a random pseudonymisation key, readable only by you. Keep it safe: without it the
    warehouse cannot match a child's records from year to year."""
    from carestat.warehouse import new_key_file
    from carestat.warehouse.keys import DEFAULT_KEY_FILE

    path = new_key_file(file or DEFAULT_KEY_FILE)
    typer.echo(f"Wrote a new key to {path}")


@app.command()
@friendly
def load(
    paths: Annotated[list[Path], typer.Argument(help="Returns: a generated tree (YEAR/LA/ssda903 and YEAR/LA/cin), "
                                                     "one return's folder, or a CIN census XML file.")],
    db: DbOption = None,
    accept_errors: Annotated[bool, typer.Option(help="Store returns that have validation errors (flagged).")] = False,
    key_file: Annotated[Path | None, typer.Option(help="The pseudonymisation key file.")] = None,
    year: Annotated[int | None, typer.Option(help="Collection year of a single return folder.")] = None,
    la: Annotated[str | None, typer.Option(help="LA (3-digit or ONS code) of a single return folder.")] = None,
) -> None:
    """Validate returns (SSDA903 and CIN census) and store them in the warehouse, one version per
    return, LA and year.

    A resubmission replaces the current version in one transaction (the history is kept); children
    are pseudonymised with a keyed hash. Exit status 1 if any return was refused or unreadable."""
    from carestat.warehouse import load as run_load

    def progress(o: object) -> None:
        typer.echo(f"  {o.year} {o.la_code} {o.return_name}: {o.status}"  # type: ignore[attr-defined]
                   + (f" as version {o.version}" if o.version else "")  # type: ignore[attr-defined]
                   + (f" ({o.n_errors} validation errors)" if o.n_errors else "")  # type: ignore[attr-defined]
                   + (f" - {o.message}" if o.message else ""))  # type: ignore[attr-defined]

    outcomes = run_load(list(paths), db, accept_errors=accept_errors, key_file=key_file, year=year, la=la,
                        progress=progress)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    typer.echo("Loaded: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    if counts.get("refused") or counts.get("unreadable"):
        raise typer.Exit(1)


@app.command()
@friendly
def submissions(
    db: DbOption = None,
    la: Annotated[str | None, typer.Option(help="Only this LA.")] = None,
    year: Annotated[int | None, typer.Option(help="Only this collection year.")] = None,
) -> None:
    """List every version of every return in the warehouse (current ones marked)."""
    from carestat.warehouse import connect
    from carestat.warehouse import submissions as list_submissions

    con = connect(db, read_only=True)
    try:
        frame = list_submissions(con, la, year)
    finally:
        con.close()
    if frame.is_empty():
        typer.echo("The warehouse holds no returns yet.")
        return
    for r in frame.iter_rows(named=True):
        flag = "current" if r["current"] else f"superseded {r['superseded_at']:%Y-%m-%d %H:%M}"
        errors = f", {r['n_errors']} errors (accepted)" if r["accepted_with_errors"] else ""
        typer.echo(f"{r['return_name']:8} {r['year']} {r['la_code']} v{r['version']}  {flag:28} "
                   f"loaded {r['loaded_at']:%Y-%m-%d %H:%M}, {r['n_children']} children{errors}")


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


@app.command()
@friendly
def partners(
    returns: Annotated[Path, typer.Option(help="Generated returns (from `carestat generate`).")],
    out: Annotated[Path, typer.Option(help="Folder for the partner extracts.")],
    truth: Annotated[Path | None, typer.Option(help="Folder for the ground truth (default: OUT-ground-truth, "
                                                    "beside the extracts, never inside).")] = None,
    share: Annotated[float, typer.Option(help="General population drawn at this share of its real size.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """Generate synthetic partner data sets (school census and attainment, employment and benefits,
    justice) and the LAs' identity extract for the young people of the LAs in RETURNS."""
    from carestat.linkage import make_partner_data

    typer.echo(make_partner_data(returns, out, truth=truth, share=share, seed=seed).describe())


@app.command("link")
@friendly
def link_command(
    extracts: Annotated[Path, typer.Option(help="Partner extracts (from `carestat partners`).")],
    db: DbOption = None,
    backend: Annotated[str, typer.Option(help="duckdb (one machine) or spark (a local or cluster session).")] = "duckdb",
    threshold: Annotated[float, typer.Option(help="Match probability at which records are one person.")] = 0.9,
    truth: Annotated[Path | None, typer.Option(help="Ground truth: measure precision, recall and bias.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the evaluation CSVs (with --truth).")] = None,
    key_file: Annotated[Path | None, typer.Option(help="The pseudonymisation key file.")] = None,
) -> None:
    """Link the extracts' records with Splink and store the pseudonymised link table, clusters and
    events in the warehouse (names, dates of birth, postcodes and reference numbers are dropped)."""
    from carestat.linkage import link

    typer.echo(link(extracts, db, backend=backend, threshold=threshold, truth=truth, out=out,
                    key_file=key_file).describe())


@app.command()
@friendly
def outcomes(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the tables and charts.")] = Path("outcomes"),
) -> None:
    """Overlapping adverse outcomes of young people aged 10 to 21 from the linked data: co-occurrence,
    combinations (UpSet chart), clusters of need, pathways, care leavers in work by age; after
    disclosure control."""
    from carestat.linkage import write_outcomes
    from carestat.provenance import LABEL

    result = write_outcomes(db, out)
    typer.echo(result.describe())
    if result.synthetic:
        typer.echo(LABEL)


@validate_app.command("903")
@friendly
def validate_903_command(
    files: Annotated[list[Path], typer.Argument(
        help="The return: CSV files (or their folder), one XML file or an XLSX workbook.")],
    year: Annotated[int, typer.Option(help="Collection year, named by its end (2025 = 2024/25).")],
    errors: Annotated[Path, typer.Option(help="Write every error here as CSV.")],
    la: Annotated[str | None, typer.Option(help="The LA's 3-digit or ONS code (enables location rules).")] = None,
    previous: Annotated[list[Path] | None, typer.Option(
        help="The previous year's return: its files (after the return's own files), or its folder.")] = None,
    report: Annotated[Path | None, typer.Option(help="Also write an HTML report for the data team.")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Also write an XLSX workbook of the errors.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the report as JSON.")] = None,
    providers: Annotated[Path | None, typer.Option(help="Ofsted provider list CSV (enables the URN rules).")] = None,
) -> None:
    """Validate an SSDA903 return: exit 0 when validation ran (whatever it found), 2 if it could not."""
    from carestat.validate import validate_903
    from carestat.validate.output import write_outputs
    from carestat.validate.providers import read_providers

    provider_list = read_providers(providers) if providers else None
    result = validate_903(_paths(files), year=year, la=la, previous=_paths(previous), providers=provider_list)
    write_outputs(result, errors=errors, html=report, xlsx=xlsx, json_path=json_out)
    typer.echo(result.describe_line(), err=False)


class OneLineUsage(TyperCommand):
    """A command whose usage mistakes (a missing option, a year that is not a number) are one line
    on stderr and status 2, like every other error, instead of click's usage block."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except ClickUsageError as exc:
            message = " ".join(exc.format_message().split())
            typer.echo(f"carestat: {message} (see {ctx.command_path} --help)", err=True)
            raise typer.Exit(2) from None


@validate_app.command("cin", cls=OneLineUsage)
@friendly
def validate_cin_command(
    file: Annotated[Path, typer.Argument(help="The CIN census XML file.")],
    year: Annotated[int, typer.Option(help="Collection year, named by its end (2025 = 2024/25).")],
    errors: Annotated[Path, typer.Option(help="Write every error here as CSV.")],
    report: Annotated[Path | None, typer.Option(help="Also write an HTML report for the data team.")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Also write an XLSX workbook of the errors.")] = None,
    la: Annotated[str | None, typer.Option(help="The LA's 3-digit or ONS code (names it in the reports).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the report as JSON.")] = None,
) -> None:
    """Validate a CIN census XML file: exit 0 when validation ran (whatever it found), 2 if it could not."""
    from carestat.validate import validate_cin
    from carestat.validate.output import write_outputs

    result = validate_cin(file, year=year, la=la)
    write_outputs(result, errors=errors, html=report, xlsx=xlsx, json_path=json_out)
    typer.echo(result.describe_line(), err=False)


MULTI_VALUE_OPTIONS = ("--previous",)


def expand_multi_value_options(argv: list[str]) -> list[str]:
    """Let ``--previous a.csv b.csv c.csv`` mean ``--previous a.csv --previous b.csv ...``: the
    values run until the next option (so put the return's own files before --previous or after
    another option, or repeat --previous for each file)."""
    out: list[str] = []
    current: str | None = None
    for arg in argv:
        if arg in MULTI_VALUE_OPTIONS:
            current = arg
            continue
        if arg.startswith("-"):
            current = None
        elif current is not None:
            out.extend([current, arg])
            continue
        out.append(arg)
    return out


def _paths(items: list[Path] | None) -> list[Path]:
    """Files as given, with a folder standing for the return files inside it."""
    out: list[Path] = []
    for item in items or []:
        if item.is_dir():
            out.extend(sorted(p for p in item.iterdir() if p.suffix.lower() in (".csv", ".xml", ".xlsx")))
        else:
            out.append(item)
    return out


def run() -> None:  # pragma: no cover - console entry point
    try:
        app(args=expand_multi_value_options(sys.argv[1:]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
        sys.exit(code)
