"""The pages over a small demo warehouse, through the app (no browser): every page renders, says
its figures are synthetic, and has a JSON twin; figures are disclosure-controlled."""

from __future__ import annotations

import re
from html import unescape

import pytest

from carestat.provenance import LABEL
from carestat.web.registry import load_pages

from .examples import EXAMPLES, EXTRA, public_examples

PAGES = load_pages()


def test_every_registered_page_has_an_example():
    assert set(EXAMPLES) == set(PAGES)


@pytest.mark.parametrize(("name", "url"), public_examples(PAGES))
def test_public_page_html_json_and_api_agree(client, name, url):
    html = client.get(url)
    assert html.status_code == 200, html.text[:500]
    assert html.headers["content-type"].startswith("text/html")
    assert LABEL in unescape(html.text)  # synthetic figures are labelled on every page that shows them
    assert "csrf_token" not in html.text and "set-cookie" not in html.headers  # cached for everyone
    as_json = client.get(url + ("&" if "?" in url else "?") + "format=json").json()
    assert as_json["page"] == name and as_json["synthetic"] is True and as_json["notice"] == LABEL
    path, _, query = url.partition("?")
    api = client.get(PAGES[name].api_path.format(la="805") if "{" in PAGES[name].api_path else
                     "/api" + (path if path != "/" else "/home") + ("?" + query if query else ""))
    assert api.json() == as_json
    negotiated = client.get(url, headers={"accept": "application/json"})
    assert negotiated.json() == as_json
    assert not any(k.startswith("_") for k in as_json)  # template-only parts stay out of the JSON




def test_openapi_lists_each_pages_json_twin(client):
    spec = client.get("/openapi.json").json()
    for p in PAGES.values():
        assert p.api_path in spec["paths"], p.api_path
    assert "/api/la/{la}" in spec["paths"] and "year" in str(spec["paths"]["/api/la/{la}"])


@pytest.mark.parametrize("url", EXTRA)
def test_other_pages_render(client, url):
    r = client.get(url)
    assert r.status_code in (200, 400, 404)
    assert "<main" in r.text and LABEL in unescape(r.text)


def test_find_goes_to_the_la_and_explains_what_it_cannot_find(client):
    r = client.get("/find?la=Hartle", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/la/805"
    assert client.get("/find?la=E06000001", follow_redirects=False).headers["location"] == "/la/805"
    missing = client.get("/find?la=Atlantis")
    assert missing.status_code == 404
    assert "govuk-error-summary" in missing.text and "No local authority matches" in missing.text
    assert client.get("/find?la=").status_code == 400
    assert client.get("/la/999").status_code == 404


def test_a_bad_address_value_is_an_error_page_not_a_crash(client):
    r = client.get("/la/805?year=soon")
    assert r.status_code == 400 and "govuk-error-summary" in r.text
    assert client.get("/api/la/805?year=soon").json()["status"] == 400


def test_suppressed_figures_are_shown_as_c_and_their_values_never_leave(client, site_data):
    held = sorted((i, y) for i, y, c in site_data.suppressed if c == "805")
    assert held, "the demo warehouse should hold some small, suppressed figures"
    indicator, year = held[0]
    data = client.get(f"/explore?la=805&indicator={indicator}&format=json").json()
    row = next(r for r in data["rows"] if r["year"] == year)
    assert row["suppressed"] is True and row["value"] is None and row["value_text"] == "c"
    csv = client.get(f"/explore.csv?la=805&indicator={indicator}").text.splitlines()
    header = csv[0].split(",")
    line = next(line.split(",") for line in csv[1:] if line.split(",")[1] == str(year))
    assert line[header.index("value")] == ""


def test_explorer_csv_is_a_download(client):
    r = client.get("/explore.csv?la=805&indicator=cla_3plus_placements_pct")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.splitlines()[0].startswith("indicator_id,year,old_la_code")


def test_publication_files_download_and_nothing_else(client):
    listing = client.get("/publications?format=json").json()
    names = [f["name"] for f in listing["files"]]
    assert "README.txt" in names and any(n.endswith(".xlsx") for n in names)
    readme = client.get("/publications/files/README.txt")
    assert readme.status_code == 200 and "synthetic" in readme.text.lower()
    for bad in ("..%2Fcarestat.duckdb", "carestat.duckdb", "%2Fetc%2Fpasswd"):
        assert client.get(f"/publications/files/{bad}").status_code == 404


def test_public_pages_are_cached_after_the_first_request(client, app):
    web = app.state.web
    client.get("/la/805/scorecards/adoption")
    hits = web.cache.hits
    client.get("/la/805/scorecards/adoption")
    assert web.cache.hits == hits + 1


def test_pages_use_the_registry_navigation(client):
    html = client.get("/la/805").text
    nav = re.findall(r'carestat-la-nav__item[^"]*">\s*<a[^>]*href="([^"]+)"', html)
    assert nav[:4] == ["/la/805", "/la/805/scorecards/foster", "/la/805/scorecards/residential",
                       "/la/805/scorecards/adoption"]
    assert 'aria-current="page"' in html


def test_json_figures_are_numbers(client):
    data = client.get("/api/la/805").json()
    row = next(r for r in data["indicators"] if r["value"] is not None)
    assert isinstance(row["value"], (int, float)) and isinstance(row["england_value"], (int, float))
    card = client.get("/api/la/805/scorecards/foster").json()["measures"][0]
    assert all(isinstance(p["value"], (int, float)) for p in card["trend_points"])


def test_an_ambiguous_search_is_a_question_not_a_missing_page(client):
    r = client.get("/find?la=Northampton")
    assert r.status_code == 400 and "More than one local authority matches" in r.text
    assert "North Northamptonshire" in r.text


def test_each_figure_says_where_it_comes_from(client, site_data):
    own = client.get("/la/805?format=json").json()
    sources = {r["source"] for r in own["indicators"]}
    assert "carestat (synthetic)" in sources  # the demo LA's own figures are synthetic
    html = unescape(client.get("/la/805").text)
    assert html.count("carestat (synthetic)") == sum(r["source"] == "carestat (synthetic)" for r in own["indicators"])
    explorer = client.get("/explore?la=805&indicator=cla_rate_per_10k&format=json").json()
    years = {r["year"] for r in explorer["rows"] if r["source"] == "carestat (synthetic)"}
    assert years and years <= {2024, 2025}  # the demo warehouse holds 2024 and 2025 only


def test_the_explorer_offers_every_indicator_with_figures_by_the_registry_s_name(client, site_data):
    """New indicators (CIN ones, say) appear once they have figures: nothing on the page lists them."""
    from carestat.indicators.registry import all_indicators

    chooser = {i["id"]: i["name"] for g in client.get("/explore?format=json").json()["groups"] for i in g["indicators"]}
    with_figures = {row for row in site_data.values.filter(site_data.values["geographic_level"] == "Local authority")
                    ["indicator_id"].unique().to_list()}
    assert set(chooser) == with_figures
    own_only = [i for i in all_indicators().values() if i.id in chooser and not i.published_id]
    assert own_only, "carestat's own indicators (no published twin) should be offered"
    for item in own_only:
        assert chooser[item.id] == item.name
        page = client.get(f"/explore?la=805&indicator={item.id}&format=json").json()
        assert page["indicator"]["name"] == item.name and page["rows"]
