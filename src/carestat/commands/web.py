"""Commands of the web service: serve it, and manage its LA users."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.commands.common import friendly

app = typer.Typer()


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
    outcomes: Annotated[Path | None, typer.Option(help="The folder `carestat outcomes` wrote, for the joined-up data "
                                                       "pages (default: $CARESTAT_OUTCOMES, else outcomes/ or "
                                                       "linkage/outcomes/ beside the warehouse).")] = None,
) -> None:
    """Serve the web service: LA profiles, indicator explorer, scorecards, early warning, joined-up data
    (overlapping outcomes, linkage quality), publication downloads and upload-and-validate for LA
    users (every page also as JSON; OpenAPI at /openapi.json)."""
    import os

    from carestat.web.serve import serve

    chosen = db or (Path(os.environ["CARESTAT_DB"]) if os.environ.get("CARESTAT_DB") else None)
    serve(chosen, host=host, port=port, users=users, max_upload_mb=max_upload_mb, secure_cookies=secure_cookies,
          log_requests=log_requests, echo=typer.echo, outcomes=outcomes)



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


