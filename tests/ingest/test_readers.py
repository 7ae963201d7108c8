"""Readers: CSV sets, XML and XLSX into typed frames; hostile input gives a clear error."""

import contextlib
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carestat.errors import CarestatError, InputError
from carestat.ingest import Source, read_903
from carestat.ingest.sources import max_bytes

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def src(name: str, text: str | bytes) -> Source:
    return Source(name, text if isinstance(text, bytes) else text.encode())


def test_csv_tables_recognised_by_header_in_any_order_and_case():
    header = src("a.csv", "dob,Child,sex,ETHNIC,upn,mother,MC_DOB\n01/02/2010,C1,m,wbri,A123456789012,,\n")
    episodes = src("b.csv", EPISODES + "C1,2024-05-01,S,c2,N1,U4,PR1,,,,TW9 1AA,TW9 2AB,SC1\n")
    data = read_903([header, episodes], year=2025)
    h, e = data.table("Header"), data.table("Episodes")
    assert h.schema["DOB"] == pl.Date and h["DOB"][0].isoformat() == "2010-02-01"
    assert h["SEX"][0] == "M" and h["ETHNIC"][0] == "WBRI"  # codes upper-cased
    assert e["LS"][0] == "C2" and e["DECOM"][0].isoformat() == "2024-05-01"  # ISO accepted
    assert h["_file"][0] == "a.csv" and h["_row"][0] == 1
    assert e["PL_DISTANCE"][0] is not None  # derived from the postcode sectors


def test_blank_is_null_and_invalid_is_marked():
    data = read_903([src("h.csv", HEADER + "C1,M,31/02/2010,WBRI,UN1,,\nC2,F,,WBRI,UN1,,\n")], year=2025)
    h = data.table("Header")
    assert h["DOB"].to_list() == [None, None]
    assert h["_invalid"].to_list() == [["DOB"], None]


def test_bom_and_windows_1252():
    bom = "\ufeff" + HEADER + "C1,M,01/02/2010,WBRI,UN1,,\n"
    cp1252 = (HEADER + "C\u00e91,M,01/02/2010,WBRI,UN1,,\n").encode("cp1252")
    assert read_903([src("h.csv", bom.encode("utf-8"))], year=2025).table("Header")["CHILD"][0] == "C1"
    assert read_903([Source("h.csv", cp1252)], year=2025).table("Header")["CHILD"][0] == "C\u00e91"


def test_extra_columns_are_reported_and_ignored():
    data = read_903([src("h.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,NOTES\nC1,M,01/02/2010,WBRI,UN1,,,x\n")],
                    year=2025)
    assert data.notes and "NOTES" in data.notes[0]
    assert "NOTES" not in data.table("Header").columns


def test_missing_required_column_names_it():
    with pytest.raises(InputError, match=r"h.csv: .*lacks the column\(s\) MC_DOB"):
        read_903([src("h.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER\nC1,M,01/02/2010,WBRI,UN1,\n")], year=2025)


def test_unknown_and_duplicate_tables():
    with pytest.raises(InputError, match="does not look like any"):
        read_903([src("x.csv", "A,B,C\n1,2,3\n")], year=2025)
    h = HEADER + "C1,M,01/02/2010,WBRI,UN1,,\n"
    with pytest.raises(InputError, match="holds the Header table"):
        read_903([src("h1.csv", h), src("h2.csv", h)], year=2025)


def test_xml_reader_matches_csv(tmp_path):
    xml = (b'<?xml version="1.0"?><EXPSSDA903><CHILD><HEADER><CHILDID>C1</CHILDID><UPN>UN1</UPN><SEX>F</SEX>'
           b"<DOB>01/02/2010</DOB><ETHNIC>WBRI</ETHNIC><UASC>0</UASC><AREVIEW><REVIEW>01/06/2024</REVIEW>"
           b"<REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW><MOTHER>0</MOTHER></HEADER><EPISODE><DECOM>01/05/2024</DECOM>"
           b"<RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER>"
           b"<HOME_POST>TW9 1</HOME_POST><PL_POST>TW9 2</PL_POST><URN>SC1</URN></EPISODE></CHILD></EXPSSDA903>")
    data = read_903([Source("r.xml", xml)], year=2025)
    assert data.format == "xml"
    assert data.table("Episodes")["PLACE"][0] == "U4" and data.table("Episodes")["CHILD"][0] == "C1"
    assert data.table("Reviews")["REVIEW_CODE"][0] == "PN1" and data.table("Reviews")["_row"][0] == 1
    assert data.table("Header")["UASC"][0] == "0"


def test_xlsx_workbook_one_sheet_per_table(tmp_path):
    import xlsxwriter

    path = tmp_path / "return.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("anything")
    for c, value in enumerate(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]):
        sheet.write_string(0, c, value)
    for c, value in enumerate(["C1", "F", "01/02/2010", "WBRI", "UN1"]):
        sheet.write_string(1, c, value)
    book.close()
    data = read_903([path], year=2025)
    assert data.format == "xlsx" and data.table("Header")["DOB"][0].isoformat() == "2010-02-01"


def test_entity_expansion_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<EXPSSDA903><CHILD><HEADER><CHILDID>&lol2;</CHILDID></HEADER></CHILD></EXPSSDA903>")
    with pytest.raises(InputError, match="DOCTYPE or ENTITY"):
        read_903([Source("bomb.xml", bomb)], year=2025)


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESTAT_MAX_UPLOAD_MB", "0.001")
    big = tmp_path / "h.csv"
    big.write_text(HEADER + "C1,M,01/02/2010,WBRI,UN1,,\n" * 100)
    assert max_bytes() == 1048
    with pytest.raises(InputError, match="larger than the limit"):
        read_903([big], year=2025)


def test_binary_garbage_and_truncated_files():
    with pytest.raises(InputError, match="binary"):
        read_903([Source("h.csv", b"\x00\x01\x02PK\x03")], year=2025)
    with pytest.raises(InputError):
        read_903([Source("r.xml", b"<?xml version='1.0'?><EXPSSDA903><CHILD><HEADER><CHILDID>C")], year=2025)
    with pytest.raises(InputError):
        read_903([Source("r.xlsx", b"PK\x03\x04 not really a zip")], year=2025)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_903([tmp_path / "nope.csv"], year=2025)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xml", "x.xlsx"]))
def test_random_bytes_never_escape_as_a_traceback(data, name):
    with contextlib.suppress(CarestatError):
        read_903([Source(name, data)], year=2025)


_cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), st.just(""))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cell, min_size=0, max_size=9), max_size=8))
def test_random_rows_under_a_real_header(rows):
    buffer = io.StringIO()
    buffer.write(HEADER)
    for row in rows:
        buffer.write(",".join('"' + c.replace('"', '""') + '"' for c in row) + "\n")
    try:
        data = read_903([src("h.csv", buffer.getvalue())], year=2025)
    except CarestatError:
        return
    header = data.table("Header")
    assert header.schema["DOB"] == pl.Date
    assert header["_row"].to_list() == list(range(1, header.height + 1))


def test_sample_files_from_the_reference_validator_read():
    folder = Path(__file__).resolve().parents[3] / "shared" / "data" / "samples" / "csc_validator_be_903"
    if not folder.exists():
        pytest.skip("shared sample data not present")
    files = [p for p in sorted(folder.glob("*.csv")) if "sw_" not in p.name]
    data = read_903(files, year=2018)
    assert data.table("Episodes").height > 1000
