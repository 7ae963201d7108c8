"""Component tests: one macro or template rendered on its own (no server, no browser)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from carestat.web.registry import LA, SERVICE, load_pages, navigation
from carestat.web.render import environment

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "carestat" / "web" / "templates"


def render_macro(template: str, macro: str, *args, caller=None, **kwargs) -> str:
    module = environment().get_template(template).module
    fn = getattr(module, macro)
    return str(fn(*args, caller=caller, **kwargs) if caller else fn(*args, **kwargs))


def test_chart_with_table_gives_tabs_with_chart_and_table():
    html = render_macro("components/figures.html", "chart_with_table", "m1", '<svg role="img"></svg>', "A title",
                        caller=lambda: Markup("<table><caption>The figures</caption></table>"))
    assert 'data-module="govuk-tabs"' in html
    assert 'href="#m1-chart"' in html and 'href="#m1-table"' in html
    assert 'id="m1-chart"' in html and 'id="m1-table"' in html
    assert "<svg" in html and "<caption>The figures</caption>" in html  # every chart has its table


def test_comparator_table_shows_suppressed_figures_as_c():
    rows = [{"year": 2024, "value": 3.0, "suppressed": True, "neighbour_average": 10.0, "region_value": 11.0,
             "england_value": 12.0, "quartile": None},
            {"year": 2025, "value": 9.5, "suppressed": False, "neighbour_average": 10.0, "region_value": 11.0,
             "england_value": 12.0, "quartile": "B", "rank": 40, "n_ranked": 151}]
    html = render_macro("components/figures.html", "comparator_table", rows, "percent", "x_pct", "Hartlepool",
                        "North East", "Caption")
    assert ">c</abbr>" in html and "3%" not in html  # the suppressed value never reaches the page
    assert "9.5%" in html and "B (40 of 151)" in html
    assert '<th scope="row"' in html and "<caption" in html


def test_la_select_is_a_labelled_select_that_works_without_javascript():
    las = [{"old_la_code": "805", "name": "Hartlepool"}, {"old_la_code": "318", "name": "Richmond upon Thames"}]
    html = render_macro("components/forms.html", "la_select", las, "318", id="la", label="Find a local authority",
                        error="Enter a local authority")
    assert '<label class="govuk-label govuk-label--s" for="la">Find a local authority</label>' in html
    assert '<select class="govuk-select govuk-select--error" id="la" name="la" data-autocomplete="la"' in html
    assert '<option value="318" selected>Richmond upon Thames</option>' in html
    assert 'aria-describedby="la-error"' in html
    assert "govuk-error-message" in html


def test_error_summary_is_govuk_markup():
    html = render_macro("components/forms.html", "error_summary", [{"text": "Choose a file", "href": "#files"}])
    assert 'class="govuk-error-summary"' in html and 'data-module="govuk-error-summary"' in html
    assert '<a href="#files">Choose a file</a>' in html


def test_every_page_declares_an_existing_template_and_the_navigation_comes_from_the_registry():
    pages = load_pages()
    assert {"home", "profile", "scorecard_foster", "scorecard_residential", "scorecard_adoption", "explore",
            "early_warning_page", "publications", "sign_in", "upload", "reports", "report"} <= set(pages)
    for p in pages.values():
        assert (TEMPLATES / "pages" / p.template).exists(), p.name
        assert p.api_path.startswith("/api/")
    assert next(p.nav.label for p in navigation(SERVICE)) == "Home"
    assert [p.name for p in navigation(LA)][:4] == ["profile", "scorecard_foster", "scorecard_residential",
                                                   "scorecard_adoption"]
