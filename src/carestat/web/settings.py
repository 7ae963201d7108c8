"""What a running web service needs to know, in one place (``create_app`` fills it in)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_UPLOAD_MB = 50.0  # a whole return (all its files and last year's) per upload
FORM_LIMIT_BYTES = 64 * 1024  # any other POST (sign in, sign out) is tiny
REPORTS_PER_USER = 5  # validation reports kept in memory for each LA user (oldest dropped)
REPORT_HOURS = 8  # and for at most this long
SESSION_HOURS = 8


@dataclass(frozen=True)
class Settings:
    db: Path | None  # the warehouse; None serves the DfE's published figures only
    users: Path  # the LA users' token hashes (sqlite)
    assets: Path  # node_modules holding govuk-frontend and accessible-autocomplete
    publication: Path | None  # a folder of publication files to offer (else made at startup)
    max_upload_bytes: int
    secure_cookies: bool  # send cookies only over HTTPS (set when served behind TLS)
    neighbour_list: int = 2025


def project_root() -> Path:
    """The checkout the package runs from (src/carestat/web -> the repository)."""
    return Path(__file__).resolve().parents[3]


def default_users_file(db: Path | None) -> Path:
    """$CARESTAT_USERS, else ``users.sqlite`` beside the warehouse, else in the current folder."""
    configured = os.environ.get("CARESTAT_USERS")
    if configured:
        return Path(configured)
    return (db.parent if db is not None else Path.cwd()) / "carestat-users.sqlite"


def default_assets() -> Path:
    """$CARESTAT_NODE_MODULES, else the checkout's node_modules (installed by `make setup`)."""
    configured = os.environ.get("CARESTAT_NODE_MODULES")
    return Path(configured) if configured else project_root() / "node_modules"


def max_upload_bytes(megabytes: float | None = None) -> int:
    """The upload limit: the argument, else $CARESTAT_WEB_UPLOAD_MB, else 50 MB."""
    if megabytes is None:
        configured = os.environ.get("CARESTAT_WEB_UPLOAD_MB")
        megabytes = float(configured) if configured else DEFAULT_MAX_UPLOAD_MB
    return int(megabytes * 1024 * 1024)
