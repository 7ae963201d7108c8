"""The ``carestat`` command: a thin layer over the package's functions.

Every command prints a one-line message and exits 2 when its input or arguments cannot be
used; it exits 0 whenever it did its job (a validation that finds errors did its job).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from carestat import __version__
from carestat.commands import analysis, linkage, returns, web

app = typer.Typer(
    name="carestat",
    help="Children's social care data for England: generate, validate, store, measure and publish "
    "SSDA903 and CIN census returns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for commands in (returns.app, analysis.app, web.app, linkage.app):  # each stage's commands, in this order
    app.add_typer(commands)


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


def run() -> None:  # pragma: no cover - console entry point
    try:
        app(args=expand_multi_value_options(sys.argv[1:]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
        sys.exit(code)
