"""The cache of rendered public pages: gzip, ETag and 304, Vary, one render for many requests, and
never a page made for one visitor (sign-in, upload, reports, errors)."""

from __future__ import annotations

import asyncio
import gzip
import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from carestat.web.render import Cached, accepts_gzip

from .helpers import sign_in


def fresh(url: str) -> str:
    """The same page under an address not yet cached (a query parameter the page ignores)."""
    return url + ("&" if "?" in url else "?") + f"cache_test={secrets.token_hex(4)}"


@pytest.mark.parametrize(("header", "expected"), [
    (b"gzip, deflate, br", True), (b"br;q=1.0, gzip;q=0.8", True), (b"*", True), (b"GZIP", True),
    (b"gzip;q=0", False), (b"gzip; q=0.0", False), (b"identity", False), (b"", False), (b"deflate, br", False),
])
def test_accepts_gzip_reads_quality_values(header, expected):
    assert accepts_gzip(header) is expected


def test_first_and_later_responses_agree_and_gzip_is_the_same_page(client):
    url = fresh("/la/805/scorecards/adoption")
    first = client.get(url, headers={"accept-encoding": "identity"})
    second = client.get(url, headers={"accept-encoding": "identity"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    for r in (first, second):
        assert r.headers["vary"] == "Accept, Accept-Encoding" and r.headers["cache-control"] == "no-cache"
        assert "content-encoding" not in r.headers
    zipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == first.content  # httpx unzips
    assert zipped.headers["etag"] != first.headers["etag"]  # another representation, another tag
    refused = client.get(url, headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.content == first.content


def test_a_matching_etag_gets_304_without_a_body(client):
    url = fresh("/publications")
    etag = client.get(url, headers={"accept-encoding": "gzip"}).headers["etag"]
    again = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"accept-encoding": "gzip", "if-none-match": f"W/{etag}"}).status_code == 304
    other = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": '"something-else"'})
    assert other.status_code == 200 and other.content
    # The plain copy's tag does not validate the gzipped copy, nor the other way round.
    assert client.get(url, headers={"accept-encoding": "identity", "if-none-match": etag}).status_code == 200


def test_html_and_json_of_one_address_are_cached_apart(client):
    url = fresh("/la/805")
    html = client.get(url)
    as_json = client.get(url, headers={"accept": "application/json"})
    assert html.headers["content-type"].startswith("text/html")
    assert as_json.headers["content-type"].startswith("application/json") and as_json.json()["page"] == "profile"
    assert client.get(url).headers["content-type"].startswith("text/html")  # the cached JSON is not served
    assert html.headers["etag"] != as_json.headers["etag"]


def test_head_gives_the_headers_without_the_body(client):
    url = fresh("/early-warning")
    client.get(url)
    head = client.head(url, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000


def test_pages_made_for_one_visitor_are_never_cached(app, client, la_token):
    web = app.state.web
    client.get("/la/805")
    before = set(web.cache._items)
    sign_in(client, la_token)
    for url in ("/sign-in", "/upload", "/reports", "/reports/nothing-here", "/la/999", "/find?la=Hartle",
                "/explore?la=nowhere", "/no-such-page"):
        r = client.get(url, follow_redirects=False)
        assert "etag" not in r.headers, url
        assert r.status_code == 303 or r.headers["cache-control"] == "no-store", url
    assert set(web.cache._items) == before
    # A signed-in visitor gets the same public page as everyone (nothing of theirs is on it).
    page = client.get("/la/805")
    assert "Signed in as" not in page.text and "csrf_token" not in page.text


def test_an_error_page_is_not_cached_and_says_what_is_wrong(client, app):
    web = app.state.web
    for _ in range(2):
        r = client.get("/la/805?year=soon")
        assert r.status_code == 400 and "govuk-error-summary" in r.text and "etag" not in r.headers
    unknown = client.get("/la/999")
    assert unknown.status_code == 404 and unknown.headers["cache-control"] == "no-store"
    assert not any(key[0] == "/la/999" for key in web.cache._items)


def test_many_requests_for_a_new_page_render_it_once(app, monkeypatch):
    web = app.state.web
    calls = []
    make = web.make_page

    def counted(*args, **kwargs):
        calls.append(1)
        return make(*args, **kwargs)

    monkeypatch.setattr(web, "make_page", counted)
    url = fresh("/la/318/scorecards/foster")

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return await asyncio.gather(*(http.get(url) for _ in range(20)))

    # In a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        responses = pool.submit(asyncio.run, together()).result()
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(calls) == 1


def test_cache_keeps_within_its_size():
    from carestat.web.render import PageCache

    cache = PageCache(max_bytes=3000)
    for n in range(20):
        cache.put(("/p", str(n).encode(), False), secrets.token_bytes(500), "text/html")
    assert cache._size <= 3000 and ("/p", b"19", False) in cache._items and ("/p", b"0", False) not in cache._items
    item = Cached.of(b"<p>hello</p>", "text/html")
    assert gzip.decompress(item.gzipped) == item.body and item.etag != item.gzip_etag
