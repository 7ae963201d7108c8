"""The web service: ``create_app`` builds a FastAPI app whose pages come from the registry.

Each registered page gets two routes: its own path (HTML, or JSON when asked with
``?format=json`` or ``Accept: application/json``) and ``/api/...`` (JSON, in the OpenAPI
document at /openapi.json). Actions that are not pages (sign in, upload, downloads) live in
``actions.py``.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

from carestat import __version__
from carestat.errors import CarestatError
from carestat.provenance import LABEL
from carestat.web import auth, render
from carestat.web.assets import STATIC, check_assets
from carestat.web.context import Ctx
from carestat.web.data import SiteData, load_site_data
from carestat.web.lookup import NotFound
from carestat.web.registry import LA_USER, PUBLIC, Page, load_pages
from carestat.web.security import AccessLog, BodyLimit, SecurityHeaders
from carestat.web.settings import (
    FORM_LIMIT_BYTES,
    Settings,
    default_assets,
    default_users_file,
    max_upload_bytes,
)
from carestat.web.users import User

log = logging.getLogger("carestat.web")
UPLOAD_PATH = "/upload"


class Web:
    """The running service's state: settings, aggregate data, sessions, reports, page cache."""

    def __init__(self, settings: Settings, data: SiteData) -> None:
        self.settings, self.data = settings, data
        self.sessions, self.csrf, self.reports = auth.Sessions(), auth.Csrf(), auth.Reports()
        self.cache = render.PageCache()
        self.pages = load_pages()

    def session(self, request: Request) -> auth.Session | None:
        return self.sessions.get(request.cookies.get(auth.SESSION_COOKIE))

    def user(self, request: Request) -> User | None:
        session = self.session(request)
        return session.user if session else None

    def csrf_token(self, request: Request) -> str:
        return self.csrf.token(auth.cookie_for_csrf(request), request.cookies.get(auth.SESSION_COOKIE))

    def html(self, request: Request, template: str, data: dict[str, Any], status: int = 200,
             page: Page | None = None, user: User | None = None) -> Response:
        """A page made for this visitor (never cached), with its CSRF cookie when it has forms."""
        context = render.page_context(page, data, request, synthetic=self.data.synthetic, user=user,
                                      csrf_token=lambda: self.csrf_token(request))
        response = Response(render.render_html(template, context), status, media_type=render.HTML_TYPE)
        response.headers["cache-control"] = "no-store"
        auth.set_cookies(request, response, self.settings.secure_cookies)
        return response

    def error(self, request: Request, status: int, message: str, as_json: bool | None = None) -> Response:
        """An error as a GOV.UK error page (with an error summary) or as JSON."""
        if as_json if as_json is not None else render.wants_json(request):
            return JSONResponse({"error": message, "status": status}, status)
        titles = {404: "Page not found", 401: "Sign in to see this page", 413: "The file is too large"}
        title = titles.get(status, "There is a problem")
        return self.html(request, "pages/error.html", {"title": title, "message": message, "status": status},
                         status, user=self.user(request))

    def make_page(self, page: Page, request: Request, user: User | None, params: dict[str, Any],
                  as_json: bool) -> tuple[int, bytes, str]:
        """Build and render one page (in a worker thread: the builder may do real work)."""
        try:
            data = page.build(Ctx(self, request, user), **params)
        except NotFound as exc:
            return self._failed(request, 404, str(exc), as_json)
        except CarestatError as exc:
            return self._failed(request, 400, str(exc), as_json)
        if as_json:
            head = {"page": page.name, "title": page.title_for(data), "synthetic": self.data.synthetic,
                    "notice": LABEL if self.data.synthetic else None, "carestat_version": __version__}
            return 200, render.json_body({**head, **data}), render.JSON_TYPE
        # Public pages are cached for everyone, so they carry no form token (they have no forms
        # that change anything); the token is made only when a template asks for it.
        token = (lambda: self.csrf_token(request)) if page.access != PUBLIC else None
        context = render.page_context(page, data, request, synthetic=self.data.synthetic,
                                      user=user if page.access != PUBLIC else None, csrf_token=token)
        return 200, render.render_html("pages/" + page.template, context), render.HTML_TYPE

    def _failed(self, request: Request, status: int, message: str, as_json: bool) -> tuple[int, bytes, str]:
        response = self.error(request, status, message, as_json)
        return status, bytes(response.body), response.media_type or render.HTML_TYPE


def _page_endpoint(web: Web, page: Page, api: bool) -> Any:
    hints = get_type_hints(page.build)
    params = list(inspect.signature(page.build).parameters.values())[1:]  # all but the Ctx

    async def endpoint(request: Request, **kwargs: Any) -> Response:
        as_json = api or render.wants_json(request)
        user = web.user(request) if page.access != PUBLIC else None
        if page.access == LA_USER and user is None:
            if as_json:
                return JSONResponse({"error": "Sign in as an LA user to see this page", "status": 401}, 401)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/sign-in?" + urlencode({"next": target}), 303)
        if page.access == PUBLIC:
            return await _public_page(web, page, request, kwargs, as_json)
        status, body, media = await run_in_threadpool(web.make_page, page, request, user, kwargs, as_json)
        # Made for this visitor: never stored anywhere (a report lists children's identifiers).
        response = Response(body, status, media_type=media, headers={"vary": "Accept", "cache-control": "no-store"})
        auth.set_cookies(request, response, web.settings.secure_cookies)
        return response

    request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [request_param, *(p.replace(annotation=hints.get(p.name, Any)) for p in params)])
    endpoint.__name__ = f"{page.name}_{'api' if api else 'page'}"
    endpoint.__doc__ = page.build.__doc__
    return endpoint


async def _public_page(web: Web, page: Page, request: Request, params: dict[str, Any], as_json: bool) -> Response:
    """A public page is made once (by one request, however many arrive together), kept in the
    cache, and from then on served by CachedPages before routing; an error page is not kept."""
    key = render.cache_key(request.scope)
    item = web.cache.get(key) or await web.cache.wait_for(key)
    if item is None:
        web.cache.making(key)
        try:
            status, body, media = await run_in_threadpool(web.make_page, page, request, None, params, as_json)
            if status != 200:  # an error page: made for this visitor (it may show who is signed in)
                response = Response(body, status, media_type=media, headers={"vary": "Accept",
                                                                             "cache-control": "no-store"})
                auth.set_cookies(request, response, web.settings.secure_cookies)
                return response
            item = await run_in_threadpool(web.cache.put, key, body, media)
        finally:
            web.cache.done(key)
    status, headers, body = render.cached_response(item, request.scope)
    return Response(body, status, headers={k.decode(): v.decode() for k, v in headers})


def _add_pages(app: FastAPI, web: Web) -> None:
    for page in web.pages.values():
        app.add_api_route(page.path, _page_endpoint(web, page, api=False), methods=["GET", "HEAD"],
                          include_in_schema=False, name=page.name)
        app.add_api_route(page.api_path, _page_endpoint(web, page, api=True), methods=["GET"],
                          name=f"{page.name}_api", summary=page.summary,
                          tags=["LA users (signed in)" if page.access == LA_USER else "Pages"],
                          responses={200: {"content": {"application/json": {}}}})


def _error_handlers(app: FastAPI, web: Web) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = {404: "There is no page at this address. Check it, or start again from the home page.",
                   405: "That is not something this page can do."}.get(exc.status_code, str(exc.detail))
        return web.error(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}" for e in exc.errors())
        return web.error(request, 400, f"The address has a value that cannot be used ({problems})")

    @app.exception_handler(CarestatError)
    async def carestat_error(request: Request, exc: CarestatError) -> Response:
        return web.error(request, 404 if isinstance(exc, NotFound) else 400, str(exc))


def _body_limits(web: Web) -> tuple[Any, Any]:
    def limit_for(path: str) -> int:
        return web.settings.max_upload_bytes if path == UPLOAD_PATH else FORM_LIMIT_BYTES

    async def too_large(scope: Scope, limit: int) -> ASGIApp:
        request = Request(scope)
        message = (f"The files are too large: a return can be up to {limit / 1_048_576:.0f} MB in all. "
                   "Upload the return's files without other files, or save them as CSV (smaller than XLSX).")
        response = web.error(request, 413, message)
        response.headers["connection"] = "close"
        return response

    return limit_for, too_large


def create_app(db: str | Path | None = None, *, users: str | Path | None = None,
               publication: str | Path | None = None, max_upload_mb: float | None = None,
               secure_cookies: bool = False, node_modules: str | Path | None = None,
               data: SiteData | None = None, outcomes: str | Path | None = None) -> FastAPI:
    """The web service over a warehouse (``db``), or over the DfE's published figures alone.

    ``users``: the LA users file (default beside the warehouse); ``publication``: a folder of
    publication files to offer (default: the one beside the warehouse, else one made now);
    ``max_upload_mb``: the upload limit; ``secure_cookies``: send cookies over HTTPS only;
    ``data``: aggregate data already loaded (tests share one); ``outcomes``: the folder `carestat
    outcomes` wrote, for the joined-up data pages (default: $CARESTAT_OUTCOMES, else beside the
    warehouse)."""
    db_path = Path(db) if db is not None else None
    settings = Settings(
        db=db_path, users=Path(users) if users else default_users_file(db_path),
        assets=Path(node_modules) if node_modules else default_assets(),
        publication=Path(publication) if publication else None,
        max_upload_bytes=max_upload_bytes(max_upload_mb), secure_cookies=secure_cookies)
    mounts = check_assets(settings.assets)
    web = Web(settings, data or load_site_data(settings.db, settings.publication, settings.neighbour_list,
                                                   Path(outcomes) if outcomes else None))
    app = FastAPI(title="carestat", version=__version__, docs_url=None, redoc_url=None,
                  description="Children's social care data for England: every page of the carestat web service "
                              "as JSON. Figures are disclosure-controlled aggregates; LA users' pages need a "
                              "signed-in session.")
    app.state.web = web
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for prefix, folder in mounts.items():
        app.mount(prefix, StaticFiles(directory=folder), name=prefix.strip("/"))
    from carestat.web import actions

    actions.add_routes(app, web)
    _add_pages(app, web)
    _error_handlers(app, web)
    limit_for, too_large = _body_limits(web)
    app.add_middleware(BodyLimit, limit_for=limit_for, too_large=too_large)
    app.add_middleware(render.CachedPages, cache=web.cache)
    app.add_middleware(SecurityHeaders, https=secure_cookies)
    app.add_middleware(AccessLog)
    return app
