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
) -> None:
    """Run every stage on a small synthetic set (five LAs, five years) and say where the outputs are."""
    from carestat.demo import run_demo

    run_demo(out, echo=typer.echo)


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
    paths: Annotated[list[Path], typer.Argument(help="Return folders: a generated tree (YEAR/LA/ssda903) or one return's folder.")],
    db: DbOption = None,
    accept_errors: Annotated[bool, typer.Option(help="Store returns that have validation errors (flagged).")] = False,
    key_file: Annotated[Path | None, typer.Option(help="The pseudonymisation key file.")] = None,
    year: Annotated[int | None, typer.Option(help="Collection year of a single return folder.")] = None,
    la: Annotated[str | None, typer.Option(help="LA (3-digit or ONS code) of a single return folder.")] = None,
) -> None:
    """Validate returns and store them in the warehouse, one version per LA and year.

    A resubmission replaces the current version in one transaction (the history is kept); children
    are pseudonymised with a keyed hash. Exit status 1 if any return was refused or unreadable."""
    from carestat.warehouse import load as run_load

    def progress(o: object) -> None:
        typer.echo(f"  {o.year} {o.la_code}: {o.status}"  # type: ignore[attr-defined]
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
    """Compute every indicator for every LA, region and England and every year in the warehouse,
    and keep them in it for `carestat benchmark`, `scorecard` and the web service.

    The values are unsuppressed counts for analysts with access to the warehouse; publish with
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
