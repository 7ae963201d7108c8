"""Templates (our own pages over govuk-frontend-jinja's component macros), the JSON twin of each
page, and a cache of rendered public pages."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from carestat.analysis.formatting import format_value
from carestat.analysis.values import SYNTHETIC_SOURCE
from carestat.provenance import LABEL
from carestat.web.registry import LA, SERVICE, Page, navigation

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"


def wants_json(request: Request) -> bool:
    """``/api/...``, ``?format=json``, or an Accept header that asks for JSON before HTML."""
    return cache_key(request.scope)[2]


def _number(value: Any, places: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.{places}f}"


def _figure(value: Any, unit: str = "", indicator_id: str = "") -> str:
    return format_value(value, unit or "", indicator_id or "")


def source_text(source: str | None) -> str:
    """Where an LA's figure comes from, in a few words: synthetic figures say so beside them."""
    if not source:
        return ""
    if source == SYNTHETIC_SOURCE:
        return "carestat (synthetic)"
    return "carestat" if source.startswith("carestat") else "DfE published"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.PackageLoader("carestat.web", "templates"),
            jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=True,  # every value is escaped; only our own SVG charts are marked safe
        undefined=jinja2.ChainableUndefined,  # the govuk macros test params.x.y freely
        trim_blocks=True, lstrip_blocks=True, auto_reload=False,
    )
    from carestat.validate.report_html import anchor

    env.filters.update(num=_number, figure=_figure, anchor=anchor, source=source_text)
    env.globals.update(synthetic_label=LABEL, la_nav=la_nav)
    return env


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:  # figures stay numbers
        return value
    return str(value)


def json_body(data: Mapping[str, Any]) -> bytes:
    """A page's dict as JSON, without its template-only (``_``) keys."""
    return json.dumps(_jsonable(data), ensure_ascii=False, separators=(",", ":")).encode()


def service_nav(current: Page | None) -> list[dict[str, Any]]:
    return [{"text": p.nav.label, "href": p.path, "current": current is not None and p.name == current.name}
            for p in navigation(SERVICE) if p.nav]


def la_nav(current: Page | None, la_code: str) -> list[dict[str, Any]]:
    """Links between one LA's pages (profile, scorecards, explorer)."""
    return [{"text": p.nav.label, "href": p.la_href(la_code),
             "current": current is not None and p.name == current.name}
            for p in navigation(LA) if p.nav]


def render_html(template: str, context: Mapping[str, Any]) -> bytes:
    return environment().get_template(template).render(context).encode()


def page_context(page: Page | None, data: Mapping[str, Any], request: Request, *, synthetic: bool,
                 user: Any = None, csrf_token: Callable[[], str] | None = None) -> dict[str, Any]:
    """What every page's template sees besides its own data."""
    query = {k: v for k, v in request.query_params.items() if k != "format"}
    json_href = (page.api_path.format(**request.path_params) + ("?" + urlencode(query) if query else "")
                 if page else None)
    return {"page": page, "data": data, "title": page.title_for(dict(data)) if page else data.get("title", ""),
            "service_nav": service_nav(page), "synthetic": synthetic, "user": user,
            "csrf_token": csrf_token, "json_href": json_href, "path": request.url.path}


def cache_key(scope: Mapping[str, Any]) -> tuple[str, bytes, bool]:
    """A public page's cache key from the raw request: path, query string, and JSON or not
    (the same test as ``wants_json``, on the ASGI scope so that a hit needs no routing)."""
    path, query = scope["path"], scope.get("query_string", b"")
    if path.startswith("/api/") or (b"format=" in query and ("format", "json") in parse_qsl(query.decode("latin-1"))):
        return path, query, True
    accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"").decode("latin-1")
    return path, query, JSON_TYPE in accept and "text/html" not in accept


# Public pages may be stored by browsers and proxies but must be checked again (their ETag makes
# that a cheap 304): the figures change when the service restarts over a new warehouse.
PUBLIC_CACHE_CONTROL = b"no-cache"
PUBLIC_VARY = b"Accept, Accept-Encoding"


@dataclass(frozen=True)
class Cached:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str  # of ``body``; the gzipped copy, a different representation, has its own

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Cached:
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0), media_type, f'"{digest}"')

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'


def accepts_gzip(header: bytes) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it)."""
    for part in header.decode("latin-1").lower().split(","):
        coding, _, params = part.partition(";")
        if coding.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return False
    return False


def _etag_matches(header: bytes, etag: str) -> bool:
    """If-None-Match, compared weakly (RFC 9110): any listed tag, W/ or not, or ``*``."""
    tags = {t.strip().removeprefix("W/") for t in header.decode("latin-1").split(",")}
    return "*" in tags or etag in tags


def cached_response(item: Cached, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """(status, headers, body) for a cached public page: gzipped when the client takes it, and a
    304 without a body when the client already holds this representation."""
    headers = dict(scope.get("headers", ()))
    zipped = accepts_gzip(headers.get(b"accept-encoding", b""))
    body, etag = (item.gzipped, item.gzip_etag) if zipped else (item.body, item.etag)
    out = [(b"etag", etag.encode()), (b"vary", PUBLIC_VARY), (b"cache-control", PUBLIC_CACHE_CONTROL)]
    if b"if-none-match" in headers and _etag_matches(headers[b"if-none-match"], etag):
        return 304, out, b""
    out += [(b"content-type", item.media_type.encode()), (b"content-length", str(len(body)).encode())]
    if zipped:
        out.append((b"content-encoding", b"gzip"))
    return 200, out, body if scope.get("method") != "HEAD" else b""


class PageCache:
    """Rendered public pages, least recently used dropped first beyond ``max_bytes``. Public pages
    are the same for everyone, so one copy (and one gzipped copy, made once) serves all."""

    def __init__(self, max_bytes: int = 128 * 1024 * 1024) -> None:
        self._items: OrderedDict[tuple[str, bytes, bool], Cached] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[tuple[str, bytes, bool], asyncio.Future[None]] = {}
        self.max_bytes = max_bytes
        self.hits = self.misses = 0

    def get(self, key: tuple[str, bytes, bool]) -> Cached | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: tuple[str, bytes, bool], body: bytes, media_type: str) -> Cached:
        """Store a page (compressing it: call from a worker thread); the copy kept is returned."""
        item = Cached.of(body, media_type)
        with self._lock:
            if key in self._items:
                return self._items[key]
            self._items[key] = item
            self._size += len(item.body) + len(item.gzipped)
            while self._size > self.max_bytes and self._items:
                _, old = self._items.popitem(last=False)
                self._size -= len(old.body) + len(old.gzipped)
        return item

    async def wait_for(self, key: tuple[str, bytes, bool]) -> Cached | None:
        """When another request is already making this page, wait for it rather than make it
        again (50 clients asking for a new page at once render it once); None if nobody is."""
        making = self._making.get(key)
        if making is None:
            return None
        await asyncio.shield(making)
        return self.get(key)

    def making(self, key: tuple[str, bytes, bool]) -> asyncio.Future[None]:
        """Mark ``key`` as being made; the caller must ``done`` it."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._making[key] = future
        return future

    def done(self, key: tuple[str, bytes, bool]) -> None:
        future = self._making.pop(key, None)
        if future is not None and not future.done():
            future.set_result(None)


class CachedPages:
    """Answer a request for a cached public page before routing (most requests, under load)."""

    def __init__(self, app: ASGIApp, cache: PageCache) -> None:
        self.app, self.cache = app, cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hit = (self.cache.get(cache_key(scope)) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
               else None)
        if hit is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = cached_response(hit, scope)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
