"""What is not a page: the LA search's redirect, signing in and out, uploading a return, and
downloads (explorer CSV, publication files, a report's CSV and XLSX)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from carestat.errors import CarestatError
from carestat.ingest import Source
from carestat.web import auth
from carestat.web.context import Ctx
from carestat.web.lookup import NotFound, find_la
from carestat.web.pages.explore import explorer_csv
from carestat.web.pages.home import home
from carestat.web.pages.publications import publication_file
from carestat.web.pages.uploads import safe_next, upload_form, upload_years
from carestat.web.users import user_for_token

if TYPE_CHECKING:
    from carestat.web.app import Web

RETURN_SUFFIXES = (".csv", ".xml", ".xlsx")
MAX_FILES = 40  # a CSV return has about 16 tables; twice that, with last year's


class InMemoryParser(MultiPartParser):
    # Uploaded returns hold children's records: keep them in memory (BodyLimit has already capped
    # their size) rather than letting them spill into temporary files on disk.
    spool_max_size = 1 << 62


def _download(body: bytes, name: str, media_type: str, private: bool) -> Response:
    response = Response(body, media_type=media_type)
    response.headers["content-disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    if private:
        response.headers["cache-control"] = "no-store"
    return response


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _sources(files: list[Any]) -> list[Source]:
    out = []
    for item in files:
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        name = Path(item.filename).name  # never a client's path
        out.append(Source(name, await item.read()))
    return out


def _check_files(sources: list[Source], field: str, required: bool) -> list[dict[str, str]]:
    if required and not sources:
        return [{"text": "Choose the return's files: its CSV files, one XML file or one XLSX workbook",
                 "href": f"#{field}"}]
    wrong = [s.name for s in sources if Path(s.name).suffix.lower() not in RETURN_SUFFIXES]
    if wrong:
        return [{"text": f"{wrong[0]} is not a CSV, XML or XLSX file", "href": f"#{field}"}]
    return []


def add_routes(app: FastAPI, web: Web) -> None:
    @app.get("/find", include_in_schema=False)
    async def find(request: Request, la: str = "") -> Response:
        try:
            authority = find_la(la)
        except CarestatError as exc:
            data = home(Ctx(web, request, None))
            data["errors"] = [{"text": str(exc), "href": "#la"}]
            data["query"] = la
            status = 404 if isinstance(exc, NotFound) else 400  # unknown, or empty or ambiguous
            return web.html(request, "pages/home.html", data, status, page=web.pages["home"])
        return _redirect(f"/la/{authority.old_la_code}")

    @app.post("/sign-in", include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        target = safe_next(str(form.get("next") or ""))
        if not web.csrf.valid(request, form.get(auth.CSRF_FIELD)):
            return _form_expired(request)
        user = user_for_token(web.settings.users, str(form.get("token") or ""))
        if user is None:
            data = {"signed_in": False, "next": target,
                    "errors": [{"text": "Enter a valid sign-in token (ask your carestat administrator for one)",
                                "href": "#token"}]}
            return web.html(request, "pages/sign_in.html", data, 400, page=web.pages["sign_in"])
        web.sessions.end(request.cookies.get(auth.SESSION_COOKIE))
        session = web.sessions.start(user)
        response = _redirect(target)
        auth.set_cookie(response, auth.SESSION_COOKIE, session.id, web.settings.secure_cookies)
        return response

    @app.post("/sign-out", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        form = await request.form()
        if not web.csrf.valid(request, form.get(auth.CSRF_FIELD)):
            return _form_expired(request)
        web.sessions.end(request.cookies.get(auth.SESSION_COOKIE))
        response = _redirect("/")
        response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=web.settings.secure_cookies)
        return response

    def _form_expired(request: Request) -> Response:
        return web.error(request, 400, "The form had expired or did not come from this site. Go back, reload the "
                                       "page and try again.")

    @app.post("/upload", include_in_schema=False)
    async def upload(request: Request) -> Response:
        user = web.user(request)
        if user is None:
            return _redirect("/sign-in?" + urlencode({"next": "/upload"}))
        try:
            form: FormData = await InMemoryParser(request.headers, request.stream(), max_files=MAX_FILES,
                                                  max_fields=10).parse()
        except MultiPartException as exc:
            return web.error(request, 400, f"The upload could not be read ({exc.message})")
        if not web.csrf.valid(request, form.get(auth.CSRF_FIELD)):
            return _form_expired(request)
        ctx = Ctx(web, request, user)
        year_text = str(form.get("year") or "")
        year = int(year_text) if year_text.isdigit() else None
        files = await _sources(form.getlist("files"))
        previous = await _sources(form.getlist("previous"))
        errors = ([] if year in upload_years() else [{"text": "Choose the collection year", "href": "#year"}])
        errors += _check_files(files, "files", True) + _check_files(previous, "previous", False)
        if not errors:
            try:
                report = await run_in_threadpool(_validate, files, previous, year, user.la.old_la_code)
            except CarestatError as exc:  # unreadable input: say why, in the form's error summary
                errors = [{"text": str(exc), "href": "#files"}]
            else:
                item = web.reports.add(user, report, tuple(s.name for s in files), tuple(s.name for s in previous))
                return _redirect(f"/reports/{item.id}")
        data = upload_form(ctx, errors, year)
        return web.html(request, "pages/upload.html", data, 400, page=web.pages["upload"], user=user)

    @app.get("/reports/{report_id}/errors.csv", include_in_schema=False)
    async def report_csv(request: Request, report_id: str) -> Response:
        item = web.reports.get(web.user(request), report_id)
        if item is None:
            return web.error(request, 404, "There is no report at this address")
        name = f"{_stem(item)}_errors.csv"
        return _download(item.report.errors.write_csv().encode(), name, "text/csv; charset=utf-8", private=True)

    @app.get("/reports/{report_id}/report.xlsx", include_in_schema=False)
    async def report_xlsx(request: Request, report_id: str) -> Response:
        item = web.reports.get(web.user(request), report_id)
        if item is None:
            return web.error(request, 404, "There is no report at this address")
        if "xlsx" not in item.cache:
            item.cache["xlsx"] = await run_in_threadpool(_xlsx_bytes, item.report)
        return _download(item.cache["xlsx"], f"{_stem(item)}_report.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", private=True)

    @app.get("/explore.csv", include_in_schema=False)
    async def explore_csv(request: Request, la: str, indicator: str) -> Response:
        name, body = explorer_csv(Ctx(web, request, None), la, indicator)
        return _download(body, name, "text/csv; charset=utf-8", private=False)

    @app.get("/publications/files/{name}", include_in_schema=False)
    async def publication(request: Request, name: str) -> Response:
        path, media = publication_file(Ctx(web, request, None), name)
        return FileResponse(path, media_type=media, filename=path.name)


def _stem(item: auth.StoredReport) -> str:
    r = item.report
    return f"{r.la.old_la_code if r.la else 'return'}_{r.year}"


def _validate(files: list[Source], previous: list[Source], year: int, la: str) -> Any:
    from carestat.validate import validate_903

    return validate_903(files, year=year, la=la, previous=previous)


def _xlsx_bytes(report: Any) -> bytes:
    from carestat.validate.report_xlsx import write_xlsx

    # xlsxwriter writes to a file: a private temporary folder, removed as soon as it is read.
    with tempfile.TemporaryDirectory(prefix="carestat-xlsx-") as folder:
        path = Path(folder) / "report.xlsx"
        write_xlsx(report, path)
        return path.read_bytes()
