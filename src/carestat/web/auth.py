"""Sessions for signed-in LA users, CSRF tokens for forms, and the reports only their owner sees.

Sessions, tokens and validation reports live in this process's memory only: a report holds child
identifiers, so it is kept nowhere else (its XLSX download is built in a private temporary folder
and removed at once), and a restart signs everyone out and forgets them.

CSRF: a random ``carestat_csrf`` cookie (HttpOnly, SameSite=Strict) and, in each form, an HMAC
of that cookie and the session id under a key made at startup. A cross-site page can neither
read the cookie nor compute the HMAC, and a token stops working when its session ends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from carestat.web.settings import REPORT_HOURS, REPORTS_PER_USER, SESSION_HOURS
from carestat.web.users import User

SESSION_COOKIE = "carestat_session"
CSRF_COOKIE = "carestat_csrf"
CSRF_FIELD = "csrf_token"


@dataclass
class Session:
    id: str
    user: User
    started: float = field(default_factory=time.time)


class Sessions:
    """Signed-in users by session id (a 256-bit random cookie value)."""

    def __init__(self, hours: float = SESSION_HOURS) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.seconds = hours * 3600

    def start(self, user: User) -> Session:
        session = Session(secrets.token_urlsafe(32), user)
        with self._lock:
            self._items[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._items.get(session_id)
            if session is not None and time.time() - session.started > self.seconds:
                del self._items[session_id]
                return None
        return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._items.pop(session_id or "", None)


class Csrf:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def token(self, cookie: str, session_id: str | None) -> str:
        message = f"{cookie}|{session_id or ''}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def valid(self, request: Request, submitted: Any) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not isinstance(submitted, str):
            return False
        expected = self.token(cookie, request.cookies.get(SESSION_COOKIE))
        return hmac.compare_digest(expected, submitted)


def cookie_for_csrf(request: Request) -> str:
    """This visitor's CSRF cookie value, or a new one (set on the response by ``set_cookies``)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and len(existing) >= 32:
        return existing
    new = getattr(request.state, "new_csrf_cookie", None)
    if new is None:
        new = request.state.new_csrf_cookie = secrets.token_urlsafe(32)
    return str(new)


def set_cookie(response: Response, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=secure)


def set_cookies(request: Request, response: Response, secure: bool) -> None:
    """Send a CSRF cookie made while rendering this response's forms."""
    new = getattr(request.state, "new_csrf_cookie", None)
    if new:
        set_cookie(response, CSRF_COOKIE, new, secure)


@dataclass
class StoredReport:
    id: str
    user_id: int
    created: float
    report: Any  # carestat.validate.ValidationReport
    files: tuple[str, ...]
    previous_files: tuple[str, ...]
    cache: dict[str, Any] = field(default_factory=dict)  # the HTML context, XLSX bytes, worked out once


class Reports:
    """Validation reports by id, visible only to the user who uploaded the return."""

    def __init__(self, per_user: int = REPORTS_PER_USER, hours: float = REPORT_HOURS) -> None:
        self._items: OrderedDict[str, StoredReport] = OrderedDict()
        self._lock = threading.Lock()
        self.per_user, self.seconds = per_user, hours * 3600

    def add(self, user: User, report: Any, files: tuple[str, ...], previous: tuple[str, ...]) -> StoredReport:
        item = StoredReport(secrets.token_urlsafe(16), user.id, time.time(), report, files, previous)
        with self._lock:
            self._items[item.id] = item
            mine = [k for k, v in self._items.items() if v.user_id == user.id]
            for old in mine[: max(0, len(mine) - self.per_user)]:
                del self._items[old]
        return item

    def _expire(self) -> None:
        now = time.time()
        for key in [k for k, v in self._items.items() if now - v.created > self.seconds]:
            del self._items[key]

    def get(self, user: User | None, report_id: str) -> StoredReport | None:
        """The report if it exists and belongs to ``user`` (anyone else gets None, as if it did
        not exist, so ids cannot be probed)."""
        with self._lock:
            self._expire()
            item = self._items.get(report_id)
        return item if item is not None and user is not None and item.user_id == user.id else None

    def for_user(self, user: User) -> list[StoredReport]:
        with self._lock:
            self._expire()
            return [v for v in reversed(self._items.values()) if v.user_id == user.id]
