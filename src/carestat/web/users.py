"""LA users and their sign-in tokens, in a small sqlite file.

``carestat user add --la CODE`` makes a user and prints its token once; only the token's SHA-256
is stored. A token is 32 random bytes, so a fast hash is enough (there is no password to guess
from it), and lookup by hash means no token is ever compared character by character.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from carestat import refdata
from carestat.errors import UsageError, WarehouseError

TOKEN_PREFIX = "cst_"
SCHEMA = """
create table if not exists users (
    id integer primary key,
    la_code text not null,
    name text not null,
    token_sha256 text not null unique,
    created text not null,
    disabled integer not null default 0
)
"""


@dataclass(frozen=True)
class User:
    id: int
    la: refdata.LocalAuthority
    name: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.la.name}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path)
        con.execute(SCHEMA)
        con.commit()
    except (OSError, sqlite3.Error) as exc:
        raise WarehouseError(f"{path}: cannot open the users file ({exc})") from None
    return con


def add_user(path: Path, la: str, name: str | None = None) -> tuple[User, str]:
    """A new user for an LA (3-digit or ONS code, or name); returns the user and its token,
    which is shown this once and never stored."""
    authority = refdata.resolve_la(la)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = name or f"{authority.name} data team"
    with closing(_connect(path)) as con, con:
        cursor = con.execute(
            "insert into users (la_code, name, token_sha256, created) values (?, ?, ?, ?)",
            (authority.old_la_code, label, token_hash(token), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        user_id = int(cursor.lastrowid or 0)
    path.chmod(0o600)
    return User(user_id, authority, label), token


def user_for_token(path: Path, token: str) -> User | None:
    """The (enabled) user a token belongs to, or None."""
    if not token or not token.strip() or not path.exists():
        return None
    with closing(_connect(path)) as con:
        row = con.execute("select id, la_code, name from users where token_sha256 = ? and disabled = 0",
                          (token_hash(token),)).fetchone()
    if row is None:
        return None
    return User(int(row[0]), refdata.resolve_la(row[1]), row[2])


def disable_user(path: Path, user_id: int) -> None:
    with closing(_connect(path)) as con, con:
        if con.execute("update users set disabled = 1 where id = ?", (user_id,)).rowcount == 0:
            raise UsageError(f"No user {user_id} in {path}")


def list_users(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    with closing(_connect(path)) as con:
        rows = con.execute("select id, la_code, name, created, disabled from users order by id").fetchall()
    return [{"id": r[0], "la_code": r[1], "name": r[2], "created": r[3], "disabled": bool(r[4])} for r in rows]
