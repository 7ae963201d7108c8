"""The HTML and XLSX validation reports, built from synthetic error lines."""

from __future__ import annotations

import datetime as dt
import itertools

import openpyxl
import polars as pl
import pytest
from lxml import etree, html

from carestat.refdata import LocalAuthority
from carestat.validate import ValidationReport
from carestat.validate.engine import Skipped
from carestat.validate.report_html import anchor, render_html, write_html
from carestat.validate.report_xlsx import safe_expr, safe_text, write_xlsx

SCHEMA = {"code": pl.Utf8, "table": pl.Utf8, "row": pl.UInt32, "child": pl.Utf8,
          "fields": pl.Utf8, "message": pl.Utf8}
XSS = "<script>alert(1)</script>"
LA = LocalAuthority("302", "E09000003", "Barnet", "E12000007", "London", None, None, None)


def make_report(lines, severities, *, la=LA, skipped=(), notes=()) -> ValidationReport:
    errors = pl.DataFrame(lines, schema=SCHEMA, orient="row")
    sev = pl.DataFrame(list(severities.items()), schema={"code": pl.Utf8, "severity": pl.Utf8},
                       orient="row")
    return ValidationReport(
        return_name="ssda903", year=2025, la=la, errors=errors, severities=sev,
        rules_run=("101", "103", "1001", "IO1"), skipped=tuple(skipped), notes=tuple(notes),
        n_children=4, tables={"Header": 4, "Episodes": 9}, seconds=0.25,
        created=dt.datetime(2025, 5, 1, 9, 30))


@pytest.fixture
def report() -> ValidationReport:
    lines = [
        ("103", "Episodes", 1, "C1", "DECOM", "Date of episode is before date of birth."),
        ("103", "Episodes", 4, XSS, "DECOM", "Date of episode is before date of birth."),
        ("1001", "Episodes", 2, "C1", "RNE;LS", "Query about <care> & leaving."),
        ("101", "Header", 3, '=HYPERLINK("http://x")', "SEX", "Sex is not valid."),
        ("101", "Header", 4, "+1+1", "SEX", "Sex is not valid."),
        ("IO1", None, None, None, "", "The return has no Header table."),
    ]
    return make_report(
        lines, {"103": "error", "1001": "query", "101": "error", "IO1": "error"},
        skipped=[Skipped("501", "needs the previous year's return (--previous)"),
                 Skipped("502", "needs the previous year's return (--previous)"),
                 Skipped("1007", "needs the local authority's code (--la)")],
        notes=["Episodes.csv: extra column NOTES ignored"])


def parse(page: str):
    # Strict XML parsing proves the page is well formed (it is written as polyglot HTML);
    # lxml.html gives the document model for the content checks.
    etree.fromstring(page.encode("utf-8"))
    return html.document_fromstring(page)


def test_html_structure_and_sections(report, tmp_path):
    path = tmp_path / "report.html"
    write_html(report, path, csv_name="errors.csv", xlsx_name="report.xlsx")
    page = path.read_text("utf-8")
    doc = parse(page)
    assert doc.get("lang") == "en-GB"
    assert len(doc.findall(".//h1")) == 1
    assert "Barnet" in doc.findtext(".//h1")
    # Headings never skip a level.
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    skip = doc.find(".//a[@class='skip']")
    assert skip is not None and doc.get_element_by_id("main-content") is not None
    # One section per rule with records; the summary links to each; return-wide errors apart.
    for code in ("103", "1001", "101"):
        assert doc.get_element_by_id(anchor(code)).tag == "section"
        assert doc.xpath(f"//table[@id='summary-table']//a[@href='#{anchor(code)}']")
    assert doc.xpath("//table[@id='summary-table']//a[@href='#return-wide']")
    wide = doc.get_element_by_id("return-wide")
    assert "IO1" in wide.text_content() and "no Header table" in wide.text_content()
    with pytest.raises(KeyError):
        doc.get_element_by_id(anchor("IO1"))
    # Errors before queries in the summary.
    codes = [a.text for a in doc.xpath("//table[@id='summary-table']/tbody/tr/th/a")]
    assert codes.index("1001") == len(codes) - 1
    # Every table has a caption and header cells with a scope.
    for table in doc.iter("table"):
        assert table[0].tag == "caption"
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    # Skipped rules grouped by reason with what to supply; notes; the rule set's year and version.
    skipped = doc.get_element_by_id("skipped").text_content()
    assert "--previous" in skipped and "501" in skipped and "1007" in skipped
    assert "extra column NOTES" in doc.get_element_by_id("notes").text_content()
    assert f"carestat {report.version}" in page
    assert "2024/25" in doc.findtext(".//title")
    # Children view: only children with errors, with their rules.
    children = doc.get_element_by_id("children")
    ids_listed = [th.text_content() for th in children.xpath(".//tbody/tr/th")]
    assert sorted(ids_listed) == sorted(["C1", XSS, '=HYPERLINK("http://x")', "+1+1"])
    assert doc.xpath("//a[@href='./errors.csv']")


def test_html_escapes_values(report):
    page = render_html(report)
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Query about &lt;care&gt; &amp; leaving." in page
    doc = parse(page)
    # The only script is the page's own filter enhancement.
    assert len(doc.findall(".//script")) == 1
    assert "alert" not in doc.find(".//script").text


def test_html_caps_listings_and_says_so():
    lines = [("103", "Episodes", i, f"C{i % 40}", "DECOM", "Message") for i in range(1, 1201)]
    report = make_report(lines, {"103": "error"}, la=None)
    doc = parse(render_html(report, per_rule=500, max_children=25))
    section = doc.get_element_by_id(anchor("103"))
    assert len(section.xpath(".//tbody/tr")) == 500
    assert "first 500 of 1,200" in section.text_content()
    children = doc.get_element_by_id("children")
    assert len(children.xpath(".//tbody/tr")) == 25
    assert "first 25" in children.text_content()
    assert "Not given" in doc.text_content()  # no LA


def test_html_with_no_errors():
    report = make_report([], {}, skipped=[Skipped("501", "needs the previous year's return (--previous)")])
    doc = parse(render_html(report))
    assert "No errors found" in doc.text_content()
    assert doc.get_element_by_id("skipped") is not None


def test_safe_text():
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1"):
        assert safe_text(bad) == "'" + bad
    assert safe_text("C123") == "C123"
    assert safe_text(None) == ""
    values = ["=1", "+1", "-1", "@a", "\t=1", "\r=1", "\n=1", "＝1", "＋1", "－1", "＠1",
              "C1", "", " =1", "a=1", "x\n=1", None]
    vectorised = pl.DataFrame({"v": values}).select(safe_expr(pl.col("v")))["v"].to_list()
    assert vectorised == [None if v is None else safe_text(v) for v in values]


def test_xlsx_sheets_and_no_formulas(report, tmp_path):
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Errors by rule", "All errors", "Children"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Local authority"] == "Barnet"
    assert summary["carestat version"] == report.version
    assert summary["Error lines"] == 6
    assert summary["Rules not run"] == 3
    texts = [c for row in book["Summary"].iter_rows(values_only=True) for c in row if c]
    assert "needs the local authority's code (--la)" in texts

    errors = book["All errors"]
    assert errors.freeze_panes == "A2"
    assert errors.auto_filter.ref == "A1:G7"
    header = [c.value for c in errors[1]]
    assert header == ["Rule", "Severity", "Table", "Row", "Child ID", "Fields", "DfE message"]
    cells = [c for row in errors.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    children = {c.value for c in errors["E"][1:] if c.value}
    assert "'=HYPERLINK(\"http://x\")" in children and "'+1+1" in children
    assert XSS in children  # text, not HTML: stored as it is

    by_rule = [row for row in book["Errors by rule"].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in by_rule] == ["101", "103", "IO1", "1001"]  # errors, most records, code
    kids = {row[0]: row for row in book["Children"].iter_rows(min_row=2, values_only=True)}
    assert kids["C1"][1:] == (2, 1, 1, "103; 1001")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)


@pytest.mark.slow
def test_large_report_builds(tmp_path):
    n = 200_000
    codes = ["103", "1001", "205A", "366", "143"]
    errors = pl.DataFrame({
        "code": pl.Series([codes[i % 5] for i in range(n)]),
        "table": pl.Series(["Episodes"] * n),
        "row": pl.int_range(1, n + 1, dtype=pl.UInt32, eager=True),
        "child": pl.Series([f"C{i // 4}" for i in range(n)]),
        "fields": pl.Series(["DECOM;RNE"] * n),
        "message": pl.Series(["A DfE message that is of a typical length for a rule."] * n),
    })
    sev = pl.DataFrame({"code": codes, "severity": ["error", "query", "error", "error", "query"]})
    report = ValidationReport("ssda903", 2025, LA, errors, sev, n_children=60_000,
                              tables={"Episodes": n})
    write_html(report, tmp_path / "big.html")
    write_xlsx(report, tmp_path / "big.xlsx")
    page = (tmp_path / "big.html").read_text("utf-8")
    assert "first 500 of 40,000" in page
    assert (tmp_path / "big.html").stat().st_size < 5_000_000
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    assert book["All errors"].max_row == n + 1
