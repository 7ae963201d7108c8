"""Access and safety: security headers, sign-in, CSRF, the upload limit, and reports visible only
to the LA user who uploaded the return."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from carestat.errors import UsageError
from carestat.web import create_app
from carestat.web.security import CSP

from .helpers import csrf_from, sign_in, upload


@pytest.mark.parametrize("url", ["/", "/la/805", "/sign-in", "/no-such-page", "/static/init.mjs",
                                 "/govuk/govuk-frontend.min.css", "/api/home"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]


def test_pages_have_no_inline_scripts(client):
    for url in ("/", "/la/805/scorecards/foster", "/explore?la=805", "/sign-in"):
        html = client.get(url).text
        assert "<script>" not in html and "<script " + "nonce" not in html
        assert all("src=" in tag for tag in html.split("<script")[1:])


def test_la_pages_need_sign_in(client):
    for url in ("/upload", "/reports", "/reports/anything"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?next=")
    assert client.get("/api/upload").status_code == 401


def test_sign_in_rejects_a_wrong_token_and_a_missing_csrf_token(client, la_token):
    form = client.get("/sign-in")
    assert "carestat_csrf" in form.headers["set-cookie"]
    bad = client.post("/sign-in", data={"token": "cst_wrong", "csrf_token": csrf_from(form.text)})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.text and "valid sign-in token" in bad.text
    forged = client.post("/sign-in", data={"token": la_token, "csrf_token": "0" * 64})
    assert forged.status_code == 400 and "expired or did not come from this site" in forged.text
    assert client.post("/sign-in", data={"token": la_token}).status_code == 400


def test_session_cookie_is_httponly_and_samesite_strict(client, la_token):
    form = client.get("/sign-in")
    r = client.post("/sign-in", data={"token": la_token, "csrf_token": csrf_from(form.text)}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("carestat_session=") and "httponly" in cookie and "samesite=strict" in cookie
    assert r.headers["location"] == "/upload"


def test_sign_in_never_redirects_off_the_site(client, la_token):
    form = client.get("/sign-in?next=//evil.example/x")
    r = client.post("/sign-in", data={"token": la_token, "next": "//evil.example/x",
                                      "csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert r.headers["location"] == "/upload"


def test_tokens_are_stored_only_as_hashes(users_file, la_token):
    with sqlite3.connect(users_file) as con:
        stored = con.execute("select * from users").fetchall()
    assert stored and la_token not in repr(stored)


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, la_token):
    sign_in(client, la_token)
    token = csrf_from(client.get("/upload").text)
    big = b"CHILD,SEX\n" + b"1,1\n" * (6 * 1024 * 1024 // 4)  # the test app's limit is 5 MB
    r = client.post("/upload", data={"year": "2025", "csrf_token": token},
                    files=[("files", ("header.csv", big, "text/csv"))])
    assert r.status_code == 413 and "too large" in r.text and "5 MB" in r.text


def test_other_posts_are_small(client):
    r = client.post("/sign-in", content=b"x" * 100_000, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_upload_without_csrf_or_files_is_refused(client, la_token, error_return):
    sign_in(client, la_token)
    r = client.post("/upload", data={"year": "2025"}, files=[("files", ("a.csv", b"x", "text/csv"))])
    assert r.status_code == 400 and "expired" in r.text
    token = csrf_from(client.get("/upload").text)
    empty = client.post("/upload", data={"year": "2025", "csrf_token": token},
                        files=[("files", ("", b"", "application/octet-stream"))])
    assert empty.status_code == 400 and "Choose the return" in empty.text
    wrong = client.post("/upload", data={"year": "2025", "csrf_token": token},
                        files=[("files", ("notes.docx", b"PK..", "application/octet-stream"))])
    assert wrong.status_code == 400 and "is not a CSV, XML or XLSX file" in wrong.text
    unreadable = client.post("/upload", data={"year": "2025", "csrf_token": token},
                             files=[("files", ("header.csv", b"\x00\x01\x02", "text/csv"))])
    assert unreadable.status_code == 400 and "govuk-error-summary" in unreadable.text


def test_reports_are_seen_only_by_their_uploader(app, client, la_token, other_token, error_return, caplog):
    from fastapi.testclient import TestClient

    sign_in(client, la_token)
    with caplog.at_level(logging.INFO, logger="carestat.web.access"):
        r = upload(client, error_return["2025"], error_return["2024"])
    assert r.status_code == 303, r.text[:1000]
    url = r.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and "validation report" in page.text and page.headers["cache-control"] == "no-store"
    data = client.get(url + "?format=json").json()
    assert data["total_lines"] > 0 and data["error_lines"]
    child = data["error_lines"][0]["child"]
    assert child in page.text  # the uploader sees their children's identifiers
    csv = client.get(url + "/errors.csv")
    assert csv.text.splitlines()[0] == "code,table,row,child,fields,message"
    assert len(csv.text.splitlines()) == data["total_lines"] + 1
    xlsx = client.get(url + "/report.xlsx")
    assert xlsx.content[:2] == b"PK"
    rule = data["summary"][0]["code"]
    filtered = client.get(url + f"?rule={rule}&format=json").json()
    assert filtered["filtered"] and {e["code"] for e in filtered["error_lines"]} == {rule}
    # Nobody else sees any of it: another LA's user, or nobody signed in.
    with TestClient(app, base_url="http://127.0.0.1") as other:
        for path in (url, url + "/errors.csv", url + "/report.xlsx", url + "?format=json"):
            assert other.get(path, follow_redirects=False).status_code in (303, 401, 404)
        sign_in(other, other_token)
        for path in (url, url + "/errors.csv", url + "/report.xlsx"):
            r = other.get(path)
            assert r.status_code == 404 and child not in r.text
    assert not any(child in m or "?" in m for m in caplog.messages)  # logs carry no child ids or queries


def test_sign_out_ends_the_session(client, la_token):
    sign_in(client, la_token)
    token = csrf_from(client.get("/upload").text)
    r = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/upload", follow_redirects=False).status_code == 303


def test_missing_assets_say_run_make_setup(tmp_path, site_data):
    with pytest.raises(UsageError, match="make setup"):
        create_app(None, node_modules=tmp_path, data=site_data)


def test_a_report_page_has_no_error_summary_of_its_own(client, la_token, error_return):
    sign_in(client, la_token)
    url = upload(client, error_return["2025"]).headers["location"]
    html = client.get(url).text
    assert "govuk-error-summary" not in html and "<title>Error:" not in html
    assert client.get(url + "?format=json").json()["error_lines"]


def test_the_upload_form_offers_the_latest_year_that_has_ended(client, la_token):
    from datetime import date

    from carestat.web.pages.uploads import default_year, upload_years

    years = upload_years()
    assert default_year(date(2025, 3, 31)) == min(years, key=lambda y: (y > 2024, abs(y - 2024)))
    assert default_year(date(2025, 4, 1)) == min(years, key=lambda y: (y > 2025, abs(y - 2025)))
    assert default_year(date(2025, 4, 1)) in years and default_year(date(1990, 1, 1)) == min(years)
    sign_in(client, la_token)
    assert client.get("/upload?format=json").json()["year"] == default_year()
    chosen = years[-1]
    assert client.get(f"/upload?year={chosen}&format=json").json()["year"] == chosen
    assert client.get("/upload?year=1900&format=json").json()["year"] == default_year()


def test_hsts_only_behind_tls(demo_dir, site_data, users_file):
    from fastapi.testclient import TestClient

    plain = create_app(demo_dir / "carestat.duckdb", users=users_file, data=site_data)
    secure = create_app(demo_dir / "carestat.duckdb", users=users_file, data=site_data, secure_cookies=True)
    with TestClient(plain) as a, TestClient(secure, base_url="https://127.0.0.1") as b:
        assert "strict-transport-security" not in a.get("/sign-in").headers
        assert b.get("/sign-in").headers["strict-transport-security"].startswith("max-age=")


def test_signing_in_returns_to_the_address_asked_for(client, la_token):
    r = client.get("/upload?year=2024", follow_redirects=False)
    assert r.headers["location"] == "/sign-in?next=%2Fupload%3Fyear%3D2024"
    form = client.get(r.headers["location"])
    signed = client.post("/sign-in", data={"token": la_token, "next": "/upload?year=2024",
                                           "csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert signed.headers["location"] == "/upload?year=2024"
