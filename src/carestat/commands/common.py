"""What every command shares: one-line errors with exit status 2, and the common options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand

try:  # typer 0.2x carries its own copy of click
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover - older typer on click
    from click import UsageError as ClickUsageError

from carestat.errors import CarestatError

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



DbOption = Annotated[Path | None, typer.Option("--db", help="The warehouse (default: $CARESTAT_DB or carestat.duckdb).")]


def return_files(items: list[Path] | None) -> list[Path]:
    """Files as given, with a folder standing for the return files inside it."""
    out: list[Path] = []
    for item in items or []:
        if item.is_dir():
            out.extend(sorted(p for p in item.iterdir() if p.suffix.lower() in (".csv", ".xml", ".xlsx")))
        else:
            out.append(item)
    return out

