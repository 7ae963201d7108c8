"""The CIN census XML reader: tables, keys tying nested records to their child and episode,
types, off-schema files, and hostile input (always a clear InputError, never a traceback)."""

import contextlib
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from carestat.errors import CarestatError, InputError
from carestat.ingest import Source, read_cin
from carestat.ingest.xmlcin import cin_keys
from carestat.spec import spec
from tests.ingest.cin_samples import CHILD_A, CHILD_B, census

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "samples" / "csc_validator_be_cin"
def read(data: bytes, year: int = 2025):
    return read_cin(Source("census.xml", data), year)


def test_tables_keys_and_rows_in_document_order():
    d = read(census(CHILD_A, CHILD_B))
    assert d.format == "xml" and d.n_children == 2 and set(d.tables) == set(spec("cin", 2025).tables)
    heights = {name: frame.height for name, frame in d.tables.items()}
    assert heights == {"Header": 1, "ChildIdentifiers": 2, "ChildCharacteristics": 2, "Disabilities": 2,
                       "CINdetails": 3, "Assessments": 2, "AssessmentFactorsList": 2, "CINplanDates": 1,
                       "Section47": 1, "ChildProtectionPlans": 2, "Reviews": 3}
    for name, frame in d.tables.items():
        assert frame["_row"].to_list() == list(range(1, frame.height + 1)), name
        assert frame.columns[:2] == ["_file", "_row"] and frame.columns[-1] == "_invalid"
        assert set(cin_keys(name)) <= set(frame.columns)
    cin = d.table("CINdetails")
    assert cin.select("_child", "LAchildID", "CINdetailsID").rows() == [(1, "A1", 1), (1, "A1", 2), (2, "B2", 3)]
    assert d.table("Assessments").select("CINdetailsID", "AssessmentID").rows() == [(1, 1), (1, 2)]
    assert d.table("AssessmentFactorsList").select("AssessmentID", "AssessmentFactors").rows() == [(1, "1C"), (1, "21")]
    assert d.table("Reviews").select("LAchildID", "CINdetailsID", "CPPID").rows() == [("A1", 1, 1), ("A1", 1, 1),
                                                                                        ("B2", 3, 2)]
    assert d.table("Section47").select("_child", "CINdetailsID").rows() == [(2, 3)]
    assert d.table("ChildIdentifiers")["_child"].to_list() == [1, 2]


def test_types_codes_blanks_and_invalid_values():
    d = read(census(CHILD_A, CHILD_B))
    kids = d.table("ChildIdentifiers")
    assert kids.schema["PersonBirthDate"] == pl.Date and kids["PersonBirthDate"].to_list()[1] is None
    assert kids["Sex"].to_list() == ["M", "F"] and kids["LAchildID"][0] == "A1"  # upper-cased, stripped
    assert d.table("ChildCharacteristics")["Ethnicity"].to_list() == ["WBRI", "AIND"]
    assert d.table("CINdetails")["ReferralNFA"].to_list() == ["FALSE", "1", "0"]
    ass = d.table("Assessments")
    assert str(ass["AssessmentActualStartDate"][1]) == "2024-06-01"  # dd/mm/yyyy read too
    assert ass["AssessmentAuthorisationDate"][1] is None and ass["_invalid"].to_list() == [None,
                                                                                         ["AssessmentAuthorisationDate"]]
    assert d.table("ChildProtectionPlans")["NumberOfPreviousCPP"].to_list() == [0, None]
    header = d.table("Header")
    assert header.row(0, named=True)["ReferenceDate"].isoformat() == "2025-03-31"
    assert header["LEA"][0] == "805" and header["Year"][0] == 2025


def test_year_decides_the_fields_and_unknown_elements_are_noted():
    d = read(census(CHILD_A, CHILD_B), year=2024)  # GenderCurrent, not Sex, in 2023/24
    assert "GenderCurrent" in d.table("ChildIdentifiers").columns and "Sex" not in d.table("ChildIdentifiers").columns
    assert d.table("ChildIdentifiers")["GenderCurrent"].null_count() == 2
    assert any("ChildIdentifiers/Sex (2)" in note for note in d.notes)


def test_off_schema_files_are_still_read():
    odd = """<Child><CINdetails><ReferralNFA>true</ReferralNFA><CINreferralDate>2024-05-01</CINreferralDate>
      <Mystery>x</Mystery><CINreferralDate>2024-06-01</CINreferralDate></CINdetails>
      <ChildIdentifiers><LAchildID>Z</LAchildID></ChildIdentifiers><Extra/></Child>"""
    d = read(census(odd, header=""))
    assert d.table("Header").height == 1 and d.table("Header")["ReferenceDate"][0] is None
    assert d.table("ChildCharacteristics").select("_child", "LAchildID", "Ethnicity").rows() == [(1, "Z", None)]
    cin = d.table("CINdetails")
    assert cin["LAchildID"][0] == "Z" and str(cin["CINreferralDate"][0]) == "2024-05-01"  # first one wins
    notes = " ".join(d.notes)
    assert "no Header" in notes and "CINdetails/Mystery (1)" in notes and "Child/Extra (1)" in notes
    assert "CINdetails/CINreferralDate (repeated)" in notes


def test_a_child_without_identifiers_still_has_its_records():
    d = read(census("<Child><CINdetails><CINreferralDate>2024-05-01</CINreferralDate></CINdetails></Child>"))
    assert d.table("ChildIdentifiers").select("_row", "_child", "LAchildID").rows() == [(1, 1, None)]
    assert d.table("CINdetails").select("_child", "LAchildID").rows() == [(1, None)]


def test_namespaced_files_are_read():
    d = read(census(CHILD_B, root='<Message xmlns="urn:example:cin">'))
    assert d.table("ChildIdentifiers")["LAchildID"].to_list() == ["B2"]
    assert d.table("Header")["LEA"][0] == "805" and d.table("Reviews").height == 1


def test_reference_samples():
    if not SAMPLES.is_dir():
        pytest.skip("shared sample data not present")
    d = read_cin(SAMPLES / "CIN_Census_2024.xml", 2024)
    assert d.n_children == 2 and d.table("CINdetails").height == 2
    assert d.table("Disabilities")["Disability"].to_list() == ["HAND", "HEAR", "NONE"]
    big = read_cin(SAMPLES / "fake_CIN_data.xml", 2023)
    assert big.n_children == 332 and big.table("ChildIdentifiers")["LAchildID"].null_count() == 0
    later = read_cin(SAMPLES / "CIN_Census_2026.xml", 2026)
    assert any("PreProceedingsandFGDM" in note for note in later.notes)


@pytest.mark.parametrize(("data", "fragment"), [
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY e "x">]><Message><Children><Child/></Children></Message>',
     "DOCTYPE or ENTITY"),
    (b"\x00\x01binary\x00", "binary"),
    (census(CHILD_A)[:200], "not well-formed"),
    (b"", "not well-formed"),
    (b"just some text", "not well-formed"),
    (b"<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></HEADER></CHILD></EXPSSDA903>", "no Child records"),
    (b"<Message><Header/><Children/></Message>", "no Child records"),
])
def test_unusable_files_are_clear_input_errors(data, fragment):
    with pytest.raises(InputError, match=fragment) as caught:
        read(data)
    assert str(caught.value).startswith("census.xml: ")


def test_missing_file_size_limit_and_bad_year(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="file not found"):
        read_cin(tmp_path / "nope.xml", 2025)
    path = tmp_path / "big.xml"
    path.write_bytes(census(*[CHILD_B] * 20))
    monkeypatch.setenv("CARESTAT_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(InputError, match="larger than the limit"):
        read_cin(path, 2025)
    with pytest.raises(CarestatError, match="supported years"):
        read(census(CHILD_B), year=2031)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_never_escape_as_a_traceback(data):
    with contextlib.suppress(CarestatError):
        read(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(census(CHILD_A, CHILD_B)) - 1), st.binary(max_size=8))
def test_damaged_census_reads_or_fails_clearly(position, junk):
    data = census(CHILD_A, CHILD_B)
    for damaged in (data[:position], data[:position] + junk + data[position + len(junk):]):
        with contextlib.suppress(CarestatError):
            read(damaged)


# Random element trees from the census's own vocabulary (and strangers), nested anyhow.
_TAGS = sorted({f.xml_element.rsplit("/", 1)[-1] for t in spec("cin", 2025).tables.values() for f in t.fields}
               | {t.xml_parent.rsplit("/", 1)[-1] for t in spec("cin", 2025).tables.values()}
               | {"Child", "Stranger"})
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_TREE = st.recursive(
    st.tuples(st.sampled_from(_TAGS), _TEXT, st.just([])),
    lambda inner: st.tuples(st.sampled_from(_TAGS), _TEXT, st.lists(inner, max_size=4)),
    max_leaves=25,
)


def _element(node: tuple) -> etree._Element:
    tag, text, kids = node
    element = etree.Element(tag)
    element.text = text
    element.extend(_element(k) for k in kids)
    return element


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_TREE, max_size=5), min_size=1, max_size=4), st.sampled_from([2024, 2025]))
def test_random_children_read_with_consistent_keys(children, year):
    message = etree.Element("Message")
    holder = etree.SubElement(message, "Children")
    for kids in children:
        etree.SubElement(holder, "Child").extend(_element(k) for k in kids)
    try:
        d = read(etree.tostring(message), year)
    except CarestatError:
        return
    # Every Child has one ChildIdentifiers and one ChildCharacteristics record, whatever it holds.
    assert d.n_children == d.table("ChildCharacteristics").height >= len(children)
    for name, frame in d.tables.items():
        assert frame["_row"].to_list() == list(range(1, frame.height + 1)), name
        if "_child" in frame.columns:
            assert frame["_child"].is_between(1, d.n_children).all(), name
        for key, parent in (("CINdetailsID", "CINdetails"), ("AssessmentID", "Assessments"),
                            ("CPPID", "ChildProtectionPlans")):
            if key in frame.columns:
                # The key is its parent's _row, and the parent belongs to the same child.
                pairs = d.table(parent).select(pl.col("_row").alias(key), pl.col("_child").alias("_parent_child"))
                joined = frame.join(pairs, on=key, how="left")
                assert (joined["_parent_child"] == joined["_child"]).all(), (name, key)
