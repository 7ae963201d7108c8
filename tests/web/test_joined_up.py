"""The joined-up data pages: with the demo warehouse's linkage (partners, link with evaluation,
outcomes, as `carestat demo` step 8 makes them), and without any, when they say how to make it."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from html import unescape

import pytest

from carestat.provenance import LABEL
from carestat.web import create_app
from carestat.web.linkage import LinkageData, checked_svg, load_linkage
from carestat.web.pages.joined_up import cell, clusters, in_words, pathways

PAGES = ("/joined-up-data", "/joined-up-data/linkage-quality")
COMMANDS = ("carestat partners", "carestat link", "carestat outcomes")


@pytest.fixture(scope="module")
def empty_client(demo_dir, site_data, users_file):
    """The service over the same warehouse, as if nothing had been linked."""
    from fastapi.testclient import TestClient

    data = dataclasses.replace(site_data, linkage=LinkageData())
    app = create_app(demo_dir / "carestat.duckdb", users=users_file, data=data)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _tables(html: str) -> list[str]:
    return re.findall(r"<table.*?</table>", html, flags=re.S)


def test_the_outcomes_page_shows_every_part_with_its_table(client, site_data):
    assert site_data.linkage.outcomes is not None, "the demo warehouse's outcomes should have been found"
    html = client.get("/joined-up-data").text
    text = unescape(html)
    for heading in ("Which outcomes go together", "How often one outcome comes with another", "Clusters of need",
                    "What comes first", "Care leavers in work"):
        assert heading in text
    assert LABEL in text and "(synthetic)</caption>" in html  # labelled in the page and in each table
    # Both charts inline, each with its text alternative and its table beside it (Chart | Table tabs).
    assert html.count('role="img"') == 2 and 'id="linkage-upset-desc"' in html and 'id="linkage-work-desc"' in html
    assert "combinations-chart-tabs-table" in html and "work-chart-tabs-table" in html
    for table in _tables(html):
        assert "<caption" in table and 'scope="col"' in table and ('scope="row"' in table or 'scope="rowgroup"' in table)
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_suppressed_figures_show_c_and_their_numbers_never_leave(client):
    html = client.get("/joined-up-data").text
    assert '<abbr title="suppressed to protect children&#39;s privacy">c</abbr>' in html
    data = client.get("/api/joined-up-data").json()
    cells = [c for r in data["co_occurrence"]["rows"] for c in r["shares"].values()]
    cells += [p["pct_first_before_then"] for p in data["pathways"]]
    held = [c for c in cells if c["text"] == "c"]
    assert held and all(c["value"] is None for c in held)
    shown = [c for c in cells if c["value"] is not None]
    assert shown and all(isinstance(c["value"], float) for c in shown)  # figures stay numbers


def test_the_outcomes_json_is_the_tables_without_the_charts(client):
    data = client.get("/api/joined-up-data").json()
    assert data["available"] is True and data["label"] == LABEL and data["people"] > 0
    assert not any(k.startswith("_") for k in data) and "<svg" not in json.dumps(data)
    assert data["combinations"] and all(c["outcomes"] and c["estimated"]["text"] for c in data["combinations"])
    assert {a["age"] for a in data["labour_market"]} == set(range(16, 22))
    outcomes = [o["id"] for o in data["co_occurrence"]["outcomes"]]
    assert all(set(r["shares"]) == set(outcomes) - {r["outcome"]} for r in data["co_occurrence"]["rows"])
    assert sum(b["chosen"] for b in data["cluster_bic"]) == 1
    assert len(data["clusters"]["rows"]) == data["latent_classes"]


def test_the_quality_page_shows_metrics_and_bias_at_each_threshold(client):
    html = client.get("/joined-up-data/linkage-quality").text
    assert "Precision and recall" in html and "How linkage errors move the figures" in html
    data = client.get("/api/joined-up-data/linkage-quality").json()
    assert data["evaluated"] is True and data["run"]["threshold"] == 0.9
    thresholds = [m["threshold"] for m in data["metrics"]]
    assert thresholds == [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
    assert [m["threshold"] for m in data["metrics"] if m["chosen"]] == [0.9]
    assert all(0 <= m[level][k] <= 1 for m in data["metrics"] for level in ("pairs", "clusters")
               for k in ("precision", "recall", "f1"))
    assert len(data["bias"]) == 4 and all(len(f["linked"]) == 6 for f in data["bias"])
    assert {r["dataset"] for r in data["run"]["records"]} == {"la", "school", "employment", "justice"}
    assert "model" not in data["run"]  # the trained model's parameters stay in the warehouse
    for table in _tables(html):
        assert "<caption" in table and "(synthetic)</caption>" in table and 'scope="row"' in table


def test_the_service_menu_has_one_entry_for_both_pages(client):
    html = client.get("/joined-up-data/linkage-quality").text
    menu = html.split('class="govuk-service-navigation__list"', 1)[1].split("</ul>", 1)[0]
    assert menu.count('href="/joined-up-data"') == 1 and "linkage-quality" not in menu
    assert 'aria-label="Pages about joined-up data"' in html and 'href="/joined-up-data/linkage-quality" aria-current="page"' in html


@pytest.mark.parametrize("url", PAGES)
def test_without_linkage_the_pages_say_how_to_make_it(empty_client, url):
    r = empty_client.get(url)
    assert r.status_code == 200
    text = unescape(r.text)
    assert "to show yet" in text and all(c in text for c in COMMANDS)
    data = empty_client.get(url, headers={"accept": "application/json"}).json()
    assert data["available"] is False and any("carestat outcomes" in s["command"] for s in data["how_to"])


def test_a_run_without_evaluation_says_how_to_measure_it(demo_dir, site_data, users_file):
    from fastapi.testclient import TestClient

    linkage = dataclasses.replace(site_data.linkage, evaluation=None)
    app = create_app(demo_dir / "carestat.duckdb", users=users_file,
                     data=dataclasses.replace(site_data, linkage=linkage))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        r = c.get("/joined-up-data/linkage-quality")
    assert r.status_code == 200 and "Not measured" in r.text and "--truth" in r.text
    assert "Precision and recall" not in r.text


def test_a_chart_that_fails_the_check_leaves_its_table(demo_dir, site_data, users_file):
    from fastapi.testclient import TestClient

    linkage = dataclasses.replace(site_data.linkage, charts={}, notes=("The chart upset.svg is missing",))
    app = create_app(demo_dir / "carestat.duckdb", users=users_file,
                     data=dataclasses.replace(site_data, linkage=linkage))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        html = c.get("/joined-up-data").text
    assert 'role="img"' not in html and "chart-tabs" not in html and "govuk-warning-text" in html
    assert "exact combination of outcomes, estimated number (synthetic)</caption>" in html
    assert "in paid work on their birthday, by age (synthetic)</caption>" in html


def test_outcomes_older_than_the_latest_run_are_flagged(demo_dir, tmp_path):
    folder = tmp_path / "outcomes"
    shutil.copytree(demo_dir / "linkage" / "outcomes", folder)
    os.utime(folder / "outcomes.json", (0, 0))  # written in 1970, long before the run
    linkage = load_linkage(demo_dir / "carestat.duckdb", folder)
    assert linkage.outcomes is not None and any("before the latest linkage run" in n for n in linkage.notes)


def test_the_outcomes_folder_comes_from_the_environment_and_a_broken_one_is_a_note(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CARESTAT_OUTCOMES", str(tmp_path))
    (tmp_path / "outcomes.json").write_text("{not json")
    linkage = load_linkage(demo_dir / "carestat.duckdb")
    assert linkage.outcomes is None and linkage.run is not None
    assert any("could not be read" in n for n in linkage.notes) and str(tmp_path) not in " ".join(linkage.notes)


def test_a_warehouse_without_linkage_has_nothing_to_show(tmp_path):
    from carestat.warehouse import connect

    connect(tmp_path / "w.duckdb").close()
    linkage = load_linkage(tmp_path / "w.duckdb")
    assert linkage == LinkageData() and load_linkage(None) == LinkageData()


def test_only_carestat_s_own_kind_of_chart_is_inlined(demo_dir):
    real = (demo_dir / "linkage" / "outcomes" / "upset.svg").read_text()
    assert checked_svg(real) and 'role="img"' in checked_svg(real)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" role="img">{}</svg>'
    for bad in ('<script>alert(1)</script>', '<rect onload="alert(1)"/>', '<a href="https://example.com">x</a>',
                '<foreignObject><div>x</div></foreignObject>', '<rect style="fill:red"/>'):
        assert checked_svg(svg.format(bad)) is None, bad
    assert checked_svg('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>') is None
    assert checked_svg("<html><body/></html>") is None and checked_svg("not xml") is None


def test_published_cells_keep_numbers_and_symbols():
    assert cell("95318", None) == {"value": 95318.0, "text": "95,318"}
    assert cell("48.3", None) == {"value": 48.3, "text": "48.3"}
    assert cell("c", "c") == {"value": None, "text": "c"}
    assert cell(None, "z") == {"value": None, "text": "z"}
    assert in_words(["Looked after", "Missing from care", "Cautioned or convicted"]) == \
        "Looked after, missing from care and cautioned or convicted"
    assert in_words(["Looked after"]) == "Looked after"


def _fulfil(body: str, headers: dict[str, str]):
    return lambda route: route.fulfill(status=200, body=body, headers=headers)


@pytest.mark.browser
def test_the_pages_without_linkage_have_no_wcag_22_aa_violations(page, empty_client):
    """(With linkage, test_browser checks them among every registered page.)"""
    from .test_browser import check_page

    for url in PAGES:
        r = empty_client.get(url)
        headers = {k: v for k, v in r.headers.items() if k in ("content-type", "content-security-policy")}
        shown = "/shown-without-linkage" + url
        page.route("**" + shown, _fulfil(r.text, headers))
        check_page(page, shown)
        assert "to show yet" in page.locator("main").inner_text()


def test_a_held_back_cluster_holds_back_its_profile_and_a_median_says_why_it_is_missing():
    row = {"latent_class": 2, "offending_pct": 100.0, "custody_pct": 50.0, "share_pct_display": "c", "share_pct_flag": "c",
           "looked_after_pct_display": "c", "looked_after_pct_flag": "c"}
    shown = {**row, "latent_class": 1, "share_pct_display": "97.0", "share_pct_flag": None,
             "looked_after_pct_display": "12.5", "looked_after_pct_flag": None}
    out = clusters([shown, row])
    assert [o["id"] for o in out["outcomes"]] == ["offending", "custody"]
    held = out["rows"][1]
    assert all(c == {"value": None, "text": "c"} for c in held["profile"].values()) and held["most"] == []
    assert out["rows"][0]["most"] == [{"label": "Cautioned or convicted", "text": "100.0"},
                                      {"label": "Custodial sentence", "text": "50.0"}]
    paths = pathways([
        {"first": "care", "then": "missing", "median_months_between": 1.14, "pct_first_before_then_display": "97.4",
         "pct_first_before_then_flag": None},
        {"first": "care", "then": "custody", "median_months_between": None, "pct_first_before_then_display": "c",
         "pct_first_before_then_flag": "c"},
        {"first": "missing", "then": "care", "median_months_between": None, "pct_first_before_then_display": "0.0",
         "pct_first_before_then_flag": None}])
    assert [p["median_months_between"]["text"] for p in paths] == ["1.1", "c", "z"]
    assert paths[0]["first_label"] == "Starting care" and paths[0]["then_label"] == "Missing from care"
