"""The returns' specifications, looked up by year."""

import pytest

from carestat.errors import SpecError
from carestat.spec import SUPPORTED_YEARS, code_groups, spec


def test_supported_years():
    assert SUPPORTED_YEARS["ssda903"] == range(2014, 2028)
    assert SUPPORTED_YEARS["cin"] == range(2019, 2028)


@pytest.mark.parametrize("name", ["903", "SSDA903", "ssda903", "s903"])
def test_return_names_are_forgiving(name):
    assert spec(name, 2025).return_name == "ssda903"


def test_unsupported_year_lists_the_supported_ones():
    with pytest.raises(SpecError, match="supported years are 2014 to 2027"):
        spec("903", 2013)
    with pytest.raises(SpecError, match="supported years are 2019 to 2027"):
        spec("cin", 2018)


def test_unknown_return():
    with pytest.raises(SpecError, match="Unknown return"):
        spec("ofsted", 2025)


def test_collection_year_bounds():
    s = spec("903", 2025)
    assert (s.collection_start.isoformat(), s.collection_end.isoformat()) == ("2024-04-01", "2025-03-31")
    assert s.label == "2024/25"


def test_april_2014_placement_codes():
    before, after = spec("903", 2014).codes("Episodes", "PLACE"), spec("903", 2015).codes("Episodes", "PLACE")
    assert {"Q1", "Q2"} <= before and not {"U1", "U4", "U6"} & before
    assert {"U1", "U2", "U3", "U4", "U5", "U6"} <= after and not {"Q1", "Q2"} & after
    # Missing was a placement type before April 2014, then a table of its own.
    assert {"M2", "M3"} <= before and not {"M2", "M3"} & after
    assert "Missing" not in spec("903", 2014).tables
    assert spec("903", 2015).table("Missing").columns == ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")


def test_april_2014_reasons_ceased():
    before, after = spec("903", 2014).codes("Episodes", "REC"), spec("903", 2015).codes("Episodes", "REC")
    assert "E4" in before and not {"E4A", "E4B"} & before
    assert {"E4A", "E4B", "E13", "E14", "E15", "E16", "E17"} <= after and "E4" not in after
    assert "E8" in before and "E8" in after  # kept, only where no specific code applies


def test_reason_for_placement_change_arrives_in_2014_15_with_planned_and_unplanned_groups():
    assert "REASON_PLACE_CHANGE" not in spec("903", 2014).table("Episodes").columns
    codes = spec("903", 2015).codes("Episodes", "REASON_PLACE_CHANGE")
    assert "CARPL" in codes and "CUSTOD" not in codes
    assert "CUSTOD" in spec("903", 2019).codes("Episodes", "REASON_PLACE_CHANGE")
    groups = code_groups()[("Episodes", "REASON_PLACE_CHANGE")]
    assert groups["CARPL"] == "planned" and groups["ALLEG"] == "unplanned"
    assert code_groups()[("Episodes", "PLACE")]["T2"] == "temporary"


def test_later_changes():
    assert spec("903", 2024).codes("Header", "SEX") == {"1", "2"}
    assert spec("903", 2025).codes("Header", "SEX") == {"M", "F", "U"}
    assert {"H5", "P2", "Z1"} & spec("903", 2026).codes("Episodes", "PLACE") == set()
    assert {"K3", "Z11", "Z12", "Z13", "Z14"} <= spec("903", 2026).codes("Episodes", "PLACE")
    assert "SWEpisodes" not in spec("903", 2023).tables and "SWEpisodes" in spec("903", 2024).tables
    assert "DoLo" in spec("903", 2027).tables and "DoLo" not in spec("903", 2026).tables
    assert {"S1", "X1"} & spec("903", 2025).codes("OC3", "ACCOM") == set()


def test_cin_sex_replaces_gender_in_2025():
    assert "GenderCurrent" in spec("cin", 2024).table("ChildIdentifiers").columns
    ids = spec("cin", 2025).table("ChildIdentifiers")
    assert "Sex" in ids.columns and "GenderCurrent" not in ids.columns
    assert spec("cin", 2025).codes("ChildIdentifiers", "Sex") == {"M", "F", "U"}
    factors = spec("cin", 2021).codes("AssessmentFactorsList", "AssessmentFactors")
    assert {"18B", "18C"} <= factors and "18A" not in factors


@pytest.mark.parametrize("year", range(2014, 2028))
def test_every_table_maps_to_xml_and_csv(year):
    for table in spec("903", year).tables.values():
        assert table.csv_name and table.xml_parent.startswith("CHILD")
        assert table.fields[0].name == "CHILD"
        for f in table.fields:
            if f.type == "code":
                assert f.codes, f"{table.name}.{f.name} has no codes in {year}"
