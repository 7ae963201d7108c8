"""Pseudonymisation: raw child identifiers never enter the warehouse.

CHILD (and the CIN census's LAchildID, which is the same LA identifier) becomes ``child_key``, a
keyed hash (HMAC-SHA256) of the LA code and the identifier; a UPN becomes ``upn_key``. The key
comes from ``CARESTAT_KEY`` (any secret string) or a key file (``CARESTAT_KEY_FILE``, or
``~/.config/carestat/key``). Without a key carestat refuses to load anything, except in the
demo, which makes its own throwaway key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

from carestat.errors import WarehouseError

DEFAULT_KEY_FILE = Path.home() / ".config" / "carestat" / "key"
UPN_REASONS = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7", "UN8", "UN9", "UN10"})


def new_key_file(path: Path) -> Path:
    """Write a new random key (64 hex characters) readable only by its owner."""
    path = Path(path)
    if path.exists():
        raise WarehouseError(f"{path} already exists; carestat will not overwrite a key")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n")
    path.chmod(0o600)
    return path


def load_key(key_file: Path | None = None) -> bytes:
    secret = os.environ.get("CARESTAT_KEY")
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    candidates = [key_file, Path(os.environ["CARESTAT_KEY_FILE"]) if os.environ.get("CARESTAT_KEY_FILE") else None,
                  DEFAULT_KEY_FILE]
    for path in (p for p in candidates if p is not None):
        if path.exists():
            text = path.read_text().strip()
            if len(text) < 32:
                raise WarehouseError(f"the key in {path} is too short (at least 32 characters)")
            return hashlib.sha256(text.encode()).digest()
    raise WarehouseError(
        "no pseudonymisation key: set CARESTAT_KEY, or create a key file with `carestat key new` "
        f"(default {DEFAULT_KEY_FILE}); child identifiers are never stored without one"
    )


def _digest(key: bytes, values: list[str | None], prefix: str) -> list[str | None]:
    return [None if v is None else hmac.new(key, f"{prefix}{v}".encode(), hashlib.sha256).hexdigest()[:24]
            for v in values]


def child_keys(key: bytes, la_code: str, children: pl.Series) -> pl.Series:
    """The stable pseudonym of each child of an LA (the same in every year and both returns)."""
    unique = children.unique()
    mapping = dict(zip(unique.to_list(), _digest(key, unique.to_list(), f"child:{la_code}:"), strict=True))
    return children.replace_strict(mapping, return_dtype=pl.Utf8)


def upn_keys(key: bytes, upns: pl.Series) -> pl.Series:
    """UPNs as keyed hashes; the 'unknown' reason codes (UN1...) are kept as they are."""
    clean = upns.str.strip_chars().str.to_uppercase()
    real = clean.filter(clean.is_not_null() & ~clean.is_in(sorted(UPN_REASONS))).unique()
    mapping = dict(zip(real.to_list(), _digest(key, real.to_list(), "upn:"), strict=True))
    return clean.replace(mapping)
