"""A return can be uploaded as CSV files, one DfE XML file or one XLSX workbook: all three give
the same validation report."""

from __future__ import annotations

import polars as pl
import xlsxwriter

from .helpers import csrf_from, sign_in


def workbook_of(csv_files, path):
    """The CSV tables as one XLSX workbook, a sheet each (as an LA's system might export them)."""
    book = xlsxwriter.Workbook(str(path))
    for f in csv_files:
        frame = pl.read_csv(f, infer_schema=False)
        sheet = book.add_worksheet(f.stem[:31])
        sheet.write_row(0, 0, frame.columns)
        for n, row in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(n, 0, ["" if v is None else v for v in row])
    book.close()
    return path


def post(client, files, media):
    token = csrf_from(client.get("/upload").text)
    return client.post("/upload", data={"year": "2025", "csrf_token": token},
                       files=[("files", (p.name, p.read_bytes(), media)) for p in files], follow_redirects=True)


def codes(client, response):
    assert response.status_code == 200, response.text[:800]
    data = client.get(str(response.url) + "?format=json").json()
    return {(r["code"], r["records"]) for r in data["summary"]}


def test_csv_xml_and_xlsx_uploads_give_the_same_report(client, la_token, error_return, tmp_path):
    sign_in(client, la_token)
    from_csv = codes(client, post(client, error_return["2025"], "text/csv"))
    from_xml = codes(client, post(client, error_return["2025 xml"], "application/xml"))
    book = workbook_of(error_return["2025"], tmp_path / "return.xlsx")
    from_xlsx = codes(client, post(client, [book], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    assert from_csv and from_csv == from_xlsx
    assert {c for c, _ in from_xml} & {c for c, _ in from_csv}  # XML carries the same faults


def test_a_hostile_xml_upload_is_refused_safely(client, la_token, tmp_path):
    bomb = tmp_path / "return.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    "<Message>&b;</Message>")
    sign_in(client, la_token)
    r = post(client, [bomb], "application/xml")
    assert r.status_code == 400 and "govuk-error-summary" in r.text
