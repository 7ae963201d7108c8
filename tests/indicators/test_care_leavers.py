"""Care leavers (OC3): in touch, activity and accommodation, worked out by hand."""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def oc3(child, dob, touch, activ, accom):
    return {"CHILD": child, "DOB": dob, "IN_TOUCH": touch, "ACTIV": activ, "ACCOM": accom}


@pytest.fixture(scope="module")
def inputs():
    # Richmond (318), 2024/25. Age is the one reached at the birthday in the year (the age on 31 March 2025).
    records = [
        oc3("L1", "10/06/2004", "YES", "F1", "U1"),  # 20: higher education, independent living, suitable
        oc3("L2", "01/03/2006", "YES", "G5", "V2"),  # 19: NEET, emergency accommodation, not suitable
        oc3("L3", "15/12/2003", "NO", "0", "0"),     # 21: not in touch, nothing known
        oc3("L4", "20/04/2004", "YES", "F5", "Z1"),  # 20: employment, with former foster carers, suitable
        oc3("L5", "01/01/2005", "REFU", "0", "0"),   # 20: refuses contact, nothing known
        oc3("L6", "02/02/2004", "RHOM", "0", "0"),   # 21: returned home, nothing known
        oc3("L7", "01/07/2007", "yes", "f2", "d1"),  # 17: education (codes in lower case), semi-independent
        oc3("L8", "01/12/2006", "YES", "G4", "B2"),  # 18: NEET, with relatives, not suitable
        oc3("L9", "01/06/2002", "YES", "F1", "U1"),  # 22: not 17 to 21 (rule 391), left out
    ]
    header = [{"CHILD": r["CHILD"], "SEX": "F" if r["CHILD"] in ("L1", "L2", "L7") else "M", "DOB": r["DOB"],
               "ETHNIC": "WBRI"} for r in records]
    return inputs_from({("318", 2025): {"Header": header, "OC3": records}})


def test_counts(inputs):
    # 19 to 21: L1-L6; 17 to 18: L7, L8; L9 is 22.
    assert value(IND["care_leavers_19_21_count"], inputs, "318", 2025)["value"] == 6
    assert value(IND["care_leavers_17_18_count"], inputs, "318", 2025)["value"] == 2
    assert value(IND["care_leavers_19_21_count"], inputs, "318", 2025, "age", "20")["value"] == 3  # L1, L4, L5


def test_activity_19_21(inputs):
    # EET L1, L4: 2 of 6; NEET L2: 1 of 6; not known L3, L5, L6: 3 of 6 (the three add up to 6);
    # higher education L1: 1 of 6.
    got = value(IND["care_leavers_19_21_eet_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 6)
    assert got["value"] == pytest.approx(100 / 3)
    assert value(IND["care_leavers_19_21_neet_pct"], inputs, "318", 2025)["numerator"] == 1
    assert value(IND["care_leavers_19_21_activity_not_known_pct"], inputs, "318", 2025)["value"] == pytest.approx(50)
    assert value(IND["care_leavers_19_21_higher_education_pct"], inputs, "318", 2025)["numerator"] == 1
    # Aged 20 (L1, L4, L5): 2 EET of 3; aged 21 (L3, L6): none.
    assert value(IND["care_leavers_19_21_eet_pct"], inputs, "318", 2025, "age", "20")["value"] == pytest.approx(200 / 3)
    assert value(IND["care_leavers_19_21_eet_pct"], inputs, "318", 2025, "age", "21")["value"] == 0
    # Activity groups share the whole band: NEET other reasons L2, 1 of 6.
    got = value(IND["care_leavers_19_21_activity_pct"], inputs, "318", 2025, "activity", "NEET: other reasons")
    assert (got["numerator"], got["denominator"]) == (1, 6)


def test_accommodation_19_21(inputs):
    # Suitable (ending 1): L1 (U1), L4 (Z1): 2 of 6. L2 is not suitable, L3, L5, L6 not known.
    got = value(IND["care_leavers_19_21_suitable_accommodation_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 6)
    acc = IND["care_leavers_19_21_accommodation_pct"]
    assert value(acc, inputs, "318", 2025, "accommodation", "Independent living")["numerator"] == 1
    assert value(acc, inputs, "318", 2025, "accommodation", "With former foster carers")["numerator"] == 1
    assert value(acc, inputs, "318", 2025, "accommodation", "Emergency accommodation")["value"] == pytest.approx(100 / 6)
    assert value(acc, inputs, "318", 2025, "accommodation", "Not known")["value"] == pytest.approx(50)


def test_contact_19_21(inputs):
    # In touch L1, L2, L4: 3 of 6. Not in touch: L3 (NO) and L5 (REFU): 2 of 6; L6 returned home is neither.
    assert value(IND["care_leavers_19_21_in_touch_pct"], inputs, "318", 2025)["value"] == pytest.approx(50)
    got = value(IND["care_leavers_19_21_not_in_touch_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 6)
    assert value(IND["care_leavers_19_21_contact_pct"], inputs, "318", 2025, "contact",
                 "Returned home")["numerator"] == 1


def test_17_18(inputs):
    # L7 in education (lower-case codes read as upper case), suitable; L8 NEET, not suitable.
    for ident, numerator in (("eet_pct", 1), ("neet_pct", 1), ("suitable_accommodation_pct", 1),
                             ("activity_not_known_pct", 0), ("in_touch_pct", 2)):
        got = value(IND[f"care_leavers_17_18_{ident}"], inputs, "318", 2025)
        assert (ident, got["numerator"], got["denominator"]) == (ident, numerator, 2)
    acc = IND["care_leavers_17_18_accommodation_pct"]
    assert value(acc, inputs, "318", 2025, "accommodation",
                 "Semi-independent, transitional accommodation")["value"] == pytest.approx(50)


def test_17_18_contact_and_activity_groups(inputs):
    # Both 17- and 18-year-olds (L7, L8) are in touch; none refuses or is out of touch.
    assert value(IND["care_leavers_17_18_not_in_touch_pct"], inputs, "318", 2025)["numerator"] == 0
    got = value(IND["care_leavers_17_18_contact_pct"], inputs, "318", 2025, "contact", "In touch")
    assert (got["numerator"], got["denominator"]) == (2, 2)
    # L7's F2 is education but not higher education; L8's G4 is NEET through illness or disability.
    assert value(IND["care_leavers_17_18_higher_education_pct"], inputs, "318", 2025)["numerator"] == 0
    act = IND["care_leavers_17_18_activity_pct"]
    assert value(act, inputs, "318", 2025, "activity", "Education other than higher education")["value"] == 50
    assert value(act, inputs, "318", 2025, "activity", "NEET: illness or disability")["numerator"] == 1
