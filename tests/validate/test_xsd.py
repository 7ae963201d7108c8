"""The CIN census schema check: a valid file passes; each kind of schema problem is an error line
naming the file's line, the record (table, row, child) and the element in plain English; years
without a held schema get a note; a broken file gives a capped list; batches agree with libxml2
on the whole document; the reader and the check number records alike."""

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import escape
from typer.testing import CliRunner

from carestat.cli import app
from carestat.errors import InputError
from carestat.ingest import Source, read_cin
from carestat.ingest.xmlcin import record_elements
from carestat.validate import validate_cin, xsd
from carestat.validate.engine import ERROR_COLUMNS
from carestat.validate.xsd import XSD_CODE, XSD_SUMMARY, check_schema, schema_path
from carestat.validate.xsd_messages import plain
from tests.ingest.cin_samples import CHILD_A, CHILD_B, census

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "samples"
HEADER = """<Header>
<CollectionDetails><Collection>CIN</Collection><Year>2024</Year><ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>805</LEA><SerialNo>001</SerialNo></Source>
</Header>"""
FIRST = """<Child>
<ChildIdentifiers><LAchildID>A1</LAchildID><PersonBirthDate>2015-03-27</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
<CINdetails>
<CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource><PrimaryNeedCode>N4</PrimaryNeedCode>
<ReferralNFA>false</ReferralNFA>
</CINdetails>
</Child>"""
SECOND = """<Child>
<ChildIdentifiers><LAchildID>B2</LAchildID><UPN>A12345678901B</UPN><GenderCurrent>2</GenderCurrent></ChildIdentifiers>
<ChildCharacteristics>
<Ethnicity>AIND</Ethnicity>
<Disabilities><Disability>HAND</Disability><Disability>HEAR</Disability></Disabilities>
</ChildCharacteristics>
<CINdetails>
<CINreferralDate>2023-06-01</CINreferralDate>
<ReferralSource>5A</ReferralSource>
<Assessments>
<AssessmentActualStartDate>2023-06-02</AssessmentActualStartDate>
<FactorsIdentifiedAtAssessment><AssessmentFactors>1C</AssessmentFactors></FactorsIdentifiedAtAssessment>
</Assessments>
<CINPlanDates><CINPlanStartDate>2023-07-01</CINPlanStartDate></CINPlanDates>
<ReferralNFA>0</ReferralNFA>
<ChildProtectionPlans>
<CPPstartDate>2023-08-01</CPPstartDate>
<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
<NumberOfPreviousCPP>0</NumberOfPreviousCPP>
<Reviews><CPPreviewDate>2023-09-01</CPPreviewDate></Reviews>
</ChildProtectionPlans>
</CINdetails>
</Child>"""


def doc(*children: str, header: str = HEADER, root: str = "<Message>") -> bytes:
    close = "</" + root[1:].split()[0].rstrip(">") + ">"
    body = "\n".join(children)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{root}\n{header}\n<Children>\n{body}\n</Children>\n{close}\n'.encode()


def line_of(data: bytes, marker: str) -> int:
    """The line the (single) ``marker`` starts on."""
    assert data.count(marker.encode()) == 1, marker
    return data[:data.index(marker.encode())].count(b"\n") + 1


def schema_lines(data: bytes, year: int = 2024) -> pl.DataFrame:
    report = validate_cin(Source("census.xml", data), year=year)
    assert report.errors.columns == list(ERROR_COLUMNS)
    return report.errors.filter(pl.col("code") == XSD_CODE)


def test_valid_census_passes():
    data = doc(FIRST, SECOND)
    check = check_schema(Source("census.xml", data), 2024)
    assert (check.total, check.problems, check.note) == (0, (), None)
    report = validate_cin(Source("census.xml", data), year=2024)
    assert not report.errors.filter(pl.col("code") == XSD_CODE).height and not report.notes


# (what is wrong, replaced in SECOND -> by, the marker of the line libxml2 names, table, row, fields, wording)
CASES = {
    "element out of order": (
        "<CINreferralDate>2023-06-01</CINreferralDate>\n<ReferralSource>5A</ReferralSource>",
        "<ReferralSource>5A</ReferralSource>\n<CINreferralDate>2023-06-01</CINreferralDate>",
        "<ReferralSource>5A", "CINdetails", 2, "ReferralSource",
        "<ReferralSource> is not allowed here: the schema expects <CINreferralDate> at this point (so "
        "<CINreferralDate> is missing, or <ReferralSource> is out of order or repeated)"),
    "missing required element": (
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n<Reviews><CPPreviewDate>2023-09-01</CPPreviewDate></Reviews>\n",
        "", "<ChildProtectionPlans>", "ChildProtectionPlans", 1, "NumberOfPreviousCPP",
        "<ChildProtectionPlans> must contain <NumberOfPreviousCPP>, which is missing"),
    "missing element before another": (
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n", "",
        "<Reviews>", "ChildProtectionPlans", 1, "Reviews",
        "<Reviews> is not allowed here: the schema expects <NumberOfPreviousCPP> at this point (so "
        "<NumberOfPreviousCPP> is missing, or <Reviews> is out of order or repeated)"),
    "bad date format": (
        "<AssessmentActualStartDate>2023-06-02<", "<AssessmentActualStartDate>02/06/2023<",
        "<AssessmentActualStartDate>", "Assessments", 1, "AssessmentActualStartDate",
        "<AssessmentActualStartDate> ('02/06/2023') must be a date written YYYY-MM-DD (for example 2024-03-31)"),
    "unknown element": (
        "<Ethnicity>AIND</Ethnicity>\n", "<Ethnicity>AIND</Ethnicity>\n<Religion>none</Religion>\n",
        "<Religion>", "ChildCharacteristics", 2, "Religion",
        "<Religion> is not an element of the year's CIN census schema; the schema expects <Disabilities> at this point"),
    "not a code": (
        "<Disability>HEAR</Disability>", "<Disability>Hearing</Disability>",
        "<Disability>Hearing", "Disabilities", 2, "Disability",
        "<Disability> ('Hearing') is not one of the schema's codes for it"),
    "identifier in the wrong form": (
        "<UPN>A12345678901B</UPN>", "<UPN>123</UPN>",
        "<UPN>", "ChildIdentifiers", 2, "UPN",
        "<UPN> is not in the required form: a letter, then 11 digits, then a digit or a letter (13 characters)"),
    "review date missing": (
        "<CPPreviewDate>2023-09-01</CPPreviewDate>", "<CPPreviewDate></CPPreviewDate>",
        "<CPPreviewDate>", "Reviews", 1, "CPPreviewDate",
        "<CPPreviewDate> is empty; it must be a date written YYYY-MM-DD (for example 2024-03-31)"),
    "missing record element": (
        "<ChildCharacteristics>\n<Ethnicity>AIND</Ethnicity>\n<Disabilities><Disability>HAND</Disability>"
        "<Disability>HEAR</Disability></Disabilities>\n</ChildCharacteristics>\n", "",
        "<CINdetails>\n<CINreferralDate>2023-06-01", "CINdetails", 2, "CINdetails",
        "<CINdetails> is not allowed here: the schema expects <ChildCharacteristics> at this point (so "
        "<ChildCharacteristics> is missing, or <CINdetails> is out of order or repeated)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_schema_problem_is_an_error_with_its_line_and_record(case):
    old, new, marker, table, row, fields, wording = CASES[case]
    assert old in SECOND
    data = doc(FIRST, SECOND.replace(old, new))
    lines = schema_lines(data)
    assert lines.height == 1, lines.to_dicts()
    line = lines.row(0, named=True)
    assert line["message"] == f"Line {line_of(data, marker)}: {wording}"
    assert (line["table"], line["row"], line["child"], line["fields"]) == (table, row, "B2", fields)


def test_rows_are_the_readers():
    """A problem's (table, row) is the record the reader makes from the element."""
    data = doc(FIRST, SECOND, SECOND.replace("B2", "C3").replace("<CPPreviewDate>2023-09-01", "<CPPreviewDate>x"))
    (line,) = schema_lines(data).iter_rows(named=True)
    reviews = read_cin(Source("census.xml", data), 2024).table("Reviews")
    assert (line["table"], line["child"]) == ("Reviews", "C3")
    assert reviews.filter(pl.col("_row") == line["row"])["LAchildID"].to_list() == ["C3"]
    assert line["row"] == 2 and reviews.height == 2


def test_header_problems_are_the_headers():
    data = doc(FIRST, header=HEADER.replace("<Year>2024</Year>", "<Year>24</Year>").replace("<LEA>805", "<LEA>80"))
    lines = schema_lines(data).sort("message")
    assert lines.select("table", "row", "child", "fields").rows() == [("Header", 1, None, "Year"),
                                                                     ("Header", 1, None, "LEA")]
    assert lines["message"].to_list() == [
        f"Line {line_of(data, '<Year>')}: <Year> ('24') must be a year of four digits (for example 2024)",
        f"Line {line_of(data, '<LEA>')}: <LEA> ('80') is not in the required form: the LA's three-digit code"]


def test_year_without_a_schema_gives_a_note():
    assert schema_path(2025) is None and schema_path(2024) is not None
    report = validate_cin(Source("census.xml", census(CHILD_A, CHILD_B)), year=2025)
    assert not report.errors.filter(pl.col("code") == XSD_CODE).height
    (note,) = [n for n in report.notes if "XSD" in n]
    assert "no DfE XML schema (XSD) for 2024/25" in note


def test_a_broken_file_gives_the_first_problems_and_a_count():
    bad = [SECOND.replace("B2", f"K{i}").replace("2023-06-02", "June") for i in range(5)]
    data = doc(*bad)
    check = check_schema(Source("census.xml", data), 2024, limit=2)
    assert check.total == 5 and [p.line for p in check.problems] == sorted(p.line for p in check.problems)
    errors = check.errors(read_cin(Source("census.xml", data), 2024))
    assert errors["child"].to_list() == ["K0", "K1", None]
    assert errors["row"].to_list() == [1, 2, None]
    assert "in 5 places; only the first 2 (by line) are listed, so 3 more are not" in errors["message"][2]


def test_batches_agree_with_the_whole_document(monkeypatch):
    monkeypatch.setattr(xsd, "_BATCH", 2)  # many batches, a part-batch, junk between children
    children = [SECOND.replace("B2", f"K{i}") for i in range(9)]
    children[1] = children[1].replace("<NumberOfPreviousCPP>0", "<NumberOfPreviousCPP>-1")
    children[4] = children[4].replace("<GenderCurrent>2", "<GenderCurrent>M")
    children[8] = children[8].replace("2023-07-01", "July")
    data = doc(FIRST, *children, header=HEADER.replace("<Collection>CIN", "<Collection>CLA"))
    schema = etree.XMLSchema(etree.fromstring(xsd._schema_document(2024)[0]))

    def whole(data: bytes) -> list[tuple[int, str]]:
        assert not schema.validate(etree.fromstring(data))
        return sorted((e.line, plain(e.message).text) for e in schema.error_log)

    check = check_schema(Source("census.xml", data), 2024)
    assert sorted((p.line, p.text) for p in check.problems) == whole(data) and check.total == 4
    lines = check.errors(read_cin(Source("census.xml", data), 2024))
    assert set(lines.select("table", "row", "child").rows()) == {
        ("Header", 1, None), ("ChildProtectionPlans", 2, "K1"), ("ChildIdentifiers", 6, "K4"),
        ("CINplanDates", 9, "K8")}
    # Junk between children stops libxml2 checking the rest of a whole document's Children; batches go on.
    junk = data.replace(b"<Child>\n<ChildIdentifiers><LAchildID>K5", b"<Junk/>\n<Child>\n<ChildIdentifiers><LAchildID>K5")
    found = sorted((p.line, p.text) for p in check_schema(Source("census.xml", junk), 2024).problems)
    assert set(whole(junk)) < set(found) and len(found) == 5


def test_namespaced_or_foreign_files_get_one_problem():
    (line,) = schema_lines(doc(FIRST, root='<Message xmlns="urn:example:cin">')).iter_rows(named=True)
    assert line["table"] is None and "in the XML namespace 'urn:example:cin'" in line["message"]
    check = check_schema(Source("x.xml", b"<Return>\n<Children><Child/></Children></Return>"), 2024)
    assert [p.text for p in check.problems] == ["The file's top element is <Return>; a CIN census file's top element "
                                                "is <Message>"]


def test_stray_text_is_placed_without_quoting_it():
    data = doc(SECOND.replace("<UPN>A12345678901B</UPN>", "<UPN>A12345678901B</UPN>Jo Bloggs"))
    (line,) = schema_lines(data).iter_rows(named=True)
    assert "Bloggs" not in line["message"]
    assert line["message"] == (f"Line {line_of(data, '<ChildIdentifiers>')}: <ChildIdentifiers> holds text outside its "
                               f"elements (at line {line_of(data, '<UPN>')}, after <UPN>); only elements may appear "
                               "directly inside it")


@pytest.mark.parametrize(("message", "said"), [
    ("Element 'Foo': This element is not expected.", "<Foo> is not an element of the year's CIN census schema; nothing more is "
                                                     "expected inside <Message>"),
    ("Element 'Child': Missing child element(s). Expected is one of ( ChildCharacteristics, CINdetails ).",
     "<Child> must contain one of <ChildCharacteristics> or <CINdetails>, which is missing"),
    ("Element 'PersonBirthDate': '27/03/2015' is not a valid value of the atomic type 'xs:date'.",
     "<PersonBirthDate> must be a date written YYYY-MM-DD (for example 2024-03-31)"),
    ("Element 'Collection': [facet 'enumeration'] The value 'CLA' is not an element of the set {'CIN'}.",
     "<Collection> ('CLA') is not one of the schema's codes for it (it allows CIN)"),
    ("Element 'LAchildID': [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum "
     "length of '1'.", "<LAchildID> is empty; it must hold a value"),
    ("Element 'Ethnicity': Element content is not allowed, because the type definition is simple.",
     "<Ethnicity> must hold a value only, not other elements"),
    ("Element 'Child', attribute 'id': The attribute 'id' is not allowed.",
     "<Child> has an attribute id, which the schema does not allow"),
    ("Element 'Child': Something libxml2 says that carestat does not know.",
     "<Child>: Something libxml2 says that carestat does not know."),
])
def test_plain_english(message, said):
    assert plain(message, parent="Message", known={"Child", "PersonBirthDate"}).text == said


def test_reports_carry_schema_problems(tmp_path):
    path = tmp_path / "census.xml"
    data = doc(FIRST, SECOND.replace("2023-06-02", "2/6/23"))
    path.write_bytes(data)
    out = {k: tmp_path / f"r.{k}" for k in ("csv", "html", "xlsx", "json")}
    result = CliRunner().invoke(app, ["validate", "cin", "--year", "2024", "--errors", str(out["csv"]), "--report",
                                      str(out["html"]), "--xlsx", str(out["xlsx"]), "--json", str(out["json"]),
                                      str(path)])
    assert result.exit_code == 0, result.output
    line = f"Line {line_of(data, '<AssessmentActualStartDate>')}: <AssessmentActualStartDate> ('2/6/23') must be"
    csv = pl.read_csv(out["csv"], infer_schema=False).filter(pl.col("code") == XSD_CODE)
    assert csv.select("table", "row", "child").rows() == [("Assessments", "1", "B2")]
    assert csv["message"][0].startswith(line)
    page = out["html"].read_text()
    assert str(escape(XSD_SUMMARY)) in page and str(escape(line)) in page
    summary = json.loads(out["json"].read_text())["summary"]
    assert {"code": XSD_CODE, "message": XSD_SUMMARY, "records": 1, "children": 1} in summary
    assert out["xlsx"].stat().st_size > 1000


def test_unsafe_files_are_refused():
    with pytest.raises(InputError, match="DOCTYPE"):
        check_schema(Source("x.xml", b'<!DOCTYPE m [<!ENTITY e "x">]><Message>&e;</Message>'), 2024)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(doc(FIRST, SECOND))), junk=st.sampled_from(["", "<X/>", "text", "</Child>", "<Child>"]))
def test_any_damage_is_a_problem_or_an_input_error(cut, junk):
    data = doc(FIRST, SECOND)
    damaged = data[:cut] + junk.encode() + data[cut:]
    try:
        check = check_schema(Source("census.xml", damaged), 2024)
    except InputError:
        return
    assert all(p.line >= 1 and p.text for p in check.problems)


def _records_per_child(data: bytes, year: int) -> dict[str, list[int]]:
    root = etree.fromstring(data)
    children = list(root.iter("{*}Child"))
    return {table: [len(record_elements(c, year).get(table, [])) for c in children]
            for table in ("Disabilities", "CINdetails", "Assessments", "AssessmentFactorsList", "CINplanDates",
                          "Section47", "ChildProtectionPlans", "Reviews")}


@pytest.mark.parametrize("name", ["ours", "CIN_Census_2024.xml", "fake_CIN_data.xml", "CIN_Census_2021.xml"])
def test_record_elements_are_the_readers_records(name):
    if name == "ours":
        data, year = census(CHILD_A, CHILD_B, CHILD_A), 2025
    else:
        path = SAMPLES / "csc_validator_be_cin" / name
        if not path.is_file():
            pytest.skip("shared sample data not present")
        data, year = path.read_bytes(), 2024
    tables = read_cin(Source("census.xml", data), year).tables
    for table, counts in _records_per_child(data, year).items():
        per_child = tables[table].group_by("_child").len()
        expected = dict(zip(per_child["_child"], per_child["len"], strict=True))
        assert counts == [expected.get(k, 0) for k in range(1, len(counts) + 1)], table


@pytest.mark.parametrize(("name", "year", "codes"), [
    ("csc_validator_be_cin/fake_CIN_data.xml", 2022, []),
    ("liia_tools/cin-2022.xml", 2022, []),
    # The CIN_Census_20xx samples carry their header's Year 2023 and 2024/25 elements (Sex): not 2023/24 files.
    ("csc_validator_be_cin/CIN_Census_2024.xml", 2024, ["ChildIdentifiers", "Sex", "AssessmentFactors", "Sex",
                                                        "AssessmentFactors"]),
])
def test_reference_samples(name, year, codes):
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip("shared sample data not present")
    check = check_schema(Source(path.name, path.read_bytes()), year)
    assert [p.fields[0] for p in check.problems] == codes


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from carestat.synth import GenerateOptions, generate, parse_las

    out = tmp_path_factory.mktemp("cin_schema")
    generate(GenerateOptions(out=out, years=tuple(range(2019, 2025)), las=parse_las("318"), seed=5, workers=1,
                             scale=0.5))
    return out


@pytest.mark.parametrize("year", range(2019, 2025))
def test_generated_censuses_fit_the_schema(generated, year):
    path = generated / str(year) / "318" / "cin" / f"cin_318_{year}.xml"
    check = check_schema(Source(path.name, path.read_bytes()), year)
    assert check.total == 0, [(p.line, p.text) for p in check.problems[:5]]
