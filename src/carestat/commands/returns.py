"""Commands for returns: generate, demo, validate, load, list submissions, make a key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.commands.common import DbOption, OneLineUsage, friendly, return_files

app = typer.Typer()
validate_app = typer.Typer(help="Validate a return against the DfE's rules for its year.",
                           no_args_is_help=True)
app.add_typer(validate_app, name="validate")


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
    result = validate_903(return_files(files), year=year, la=la, previous=return_files(previous), providers=provider_list)
    write_outputs(result, errors=errors, html=report, xlsx=xlsx, json_path=json_out)
    typer.echo(result.describe_line(), err=False)



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
    """Validate a CIN census XML file: exit 0 when validation ran (whatever it found), 2 if it could not.

    Also checks the file against the DfE's XML schema (XSD) for the year, held to 2023/24.

    Each schema problem is an error with code XSD giving the file's line; the first 100 are listed."""
    from carestat.validate import validate_cin
    from carestat.validate.output import write_outputs

    result = validate_cin(file, year=year, la=la)
    write_outputs(result, errors=errors, html=report, xlsx=xlsx, json_path=json_out)
    typer.echo(result.describe_line(), err=False)



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



key_app = typer.Typer(help="The pseudonymisation key the warehouse needs.", no_args_is_help=True)
app.add_typer(key_app, name="key")


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

