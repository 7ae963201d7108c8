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
) -> None:
    """Generate synthetic SSDA903 and CIN census returns for England's LAs (no real child data)."""
    from carestat.synth import GenerateOptions, parse_las, parse_years
    from carestat.synth import generate as run

    options = GenerateOptions(out=out, years=parse_years(years), las=parse_las(las), scale=scale,
                              seed=seed, error_rate=error_rate, format=format)
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
