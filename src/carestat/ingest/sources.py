"""Reading bytes safely: size limits, encodings, binary detection.

Every reader goes through :func:`read_bytes` and :func:`decode_text`, so the limits and the
messages are the same whatever the format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from carestat.errors import InputError

DEFAULT_MAX_BYTES = 512 * 1024 * 1024  # per file; override with CARESTAT_MAX_UPLOAD_MB


def max_bytes() -> int:
    configured = os.environ.get("CARESTAT_MAX_UPLOAD_MB")
    return int(float(configured) * 1024 * 1024) if configured else DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Source:
    """One input: a name for messages, and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], limit: int | None = None) -> Source:
        p = Path(path)
        limit = max_bytes() if limit is None else limit
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            raise InputError("file not found", file=str(p)) from None
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror})", file=str(p)) from None
        if p.is_dir():
            raise InputError("is a folder, not a file", file=str(p))
        check_size(p.name, size, limit)
        try:
            return cls(p.name, p.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror})", file=p.name) from None


def check_size(name: str, size: int, limit: int | None = None) -> None:
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise InputError(
            f"is {size / 1_048_576:.1f} MB, larger than the limit of {limit / 1_048_576:.1f} MB "
            "(set CARESTAT_MAX_UPLOAD_MB to change it)",
            file=name,
        )


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head


def decode_text(source: Source) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), else Windows-1252; binary is refused."""
    if looks_binary(source.data):
        raise InputError("is not a text file (it contains binary data)", file=source.name)
    try:
        return source.data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return source.data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise InputError(
            "is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8) and try again",
            file=source.name,
        ) from None
