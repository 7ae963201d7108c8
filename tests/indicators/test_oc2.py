"""Children looked after continuously for 12 months (OC2): health, SDQ and offending, worked out by hand."""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def ep(child, decom, dec=None, rne="S", ls="C2", place="U4", rec=None):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place,
            "REC": rec or ("X1" if dec else None), "CIN": "N1", "PLACE_PROVIDER": "PR1"}


def oc2(child, dob, sdq=None, conv=None, check=None, imm="0", teeth="0", assess="0", subst="0"):
    return {"CHILD": child, "DOB": dob, "SDQ_SCORE": sdq, "CONVICTED": conv, "HEALTH_CHECK": check,
            "IMMUNISATIONS": imm, "TEETH_CHECK": teeth, "HEALTH_ASSESSMENT": assess, "SUBSTANCE_MISUSE": subst}


# Richmond (318), 2024/25: the cohort is in care on every day from 1 April 2024 to 31 March 2025.
# Ages are on 31 March 2025.
DOB = {"A": "01/06/2015",  # 9
       "B": "10/02/2021",  # 4
       "C": "01/09/2010",  # 14
       "D": "15/03/2013",  # 12
       "E": "01/01/2008",  # 17
       "F": "01/04/2012",  # 12 (13 on 1 April 2025)
       "G": "01/01/2016",  # 9
       "H": "01/05/2014",  # 10
       "I": "05/05/2009",  # 15
       "J": "01/01/2012",  # 13
       "K": "01/10/2022"}  # 2


@pytest.fixture(scope="module")
def inputs():
    header = [{"CHILD": c, "SEX": "F" if c in "BIK" else "M", "DOB": d, "ETHNIC": "WBRI"} for c, d in DOB.items()]
    episodes = [
        ep("A", "01/01/2022"),                                    # in the cohort
        ep("B", "01/03/2024"),                                    # in the cohort (before 1 April 2024)
        ep("C", "01/05/2023", "01/06/2024"), ep("C", "01/06/2024", rne="P"),  # one period: in the cohort
        ep("D", "02/04/2024"),                                    # started 2 April 2024: not 12 months
        ep("E", "01/01/2020"),                                    # in the cohort
        ep("F", "01/01/2023", "01/08/2024", rec="E4A"), ep("F", "01/09/2024"),  # a break: not in it
        ep("G", "01/01/2023"),                                    # in the cohort, but no OC2 record
        ep("H", "01/03/2024", ls="V3", place="U6"),               # short breaks: not in it
        ep("I", "01/02/2024"),                                    # in the cohort
        ep("J", "01/01/2021", "31/03/2025", rec="E4A"),           # left care on 31 March: not in it
        ep("K", "01/11/2022"),                                    # in the cohort
    ]
    records = [
        oc2("A", DOB["A"], sdq="18", imm="1", teeth="1", assess="1"),
        oc2("B", DOB["B"], sdq="10", check="1", assess="1"),        # SDQ at 4 on 31 March: not counted
        oc2("C", DOB["C"], sdq="12", conv="1", imm="1", teeth="1", subst="1"),
        oc2("D", DOB["D"], sdq="30", conv="1", imm="1", teeth="1", assess="1"),  # not in the cohort
        oc2("E", DOB["E"], sdq="20", conv="0", imm="1", assess="1"),  # SDQ at 17: not counted
        oc2("I", DOB["I"], sdq="16", conv="0", imm="1", teeth="1", assess="1"),
        oc2("K", DOB["K"], check="0", imm="1", assess="1"),
    ]
    return inputs_from({("318", 2025): {"Header": header, "Episodes": episodes, "OC2": records}})


def test_cohort(inputs):
    # A, B, C, E, G, I, K. Not D (started 2 April 2024), F (left care in August), H (short breaks),
    # J (left care on 31 March 2025).
    assert value(IND["cla_12m_count"], inputs, "318", 2025)["value"] == 7
    # Under 5: B and K; 10 to 15: C and I; 16 and over: E.
    assert value(IND["cla_12m_count"], inputs, "318", 2025, "age_band", "1 to 4 years")["value"] == 2
    assert value(IND["cla_12m_count"], inputs, "318", 2025, "age_band", "10 to 15 years")["value"] == 2
    assert value(IND["cla_12m_count"], inputs, "318", 2025, "sex", "Female")["value"] == 3  # B, I, K


def test_health(inputs):
    # Health assessment: A, B, E, I, K of 7 (C has 0, G has no OC2 record and counts as not recorded).
    got = value(IND["cla_12m_health_assessment_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (5, 7)
    assert got["value"] == pytest.approx(500 / 7)
    # Immunisations: A, C, E, I, K = 5 of 7. Teeth: A, C, I = 3 of 7.
    assert value(IND["cla_12m_immunisations_pct"], inputs, "318", 2025)["numerator"] == 5
    got = value(IND["cla_12m_dental_checks_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (3, 7)
    # Age band 10 to 15: C (0) and I (1): 1 of 2.
    assert value(IND["cla_12m_health_assessment_pct"], inputs, "318", 2025, "age_band",
                 "10 to 15 years")["value"] == pytest.approx(50)


def test_development_checks_under_5(inputs):
    # Under 5 on 31 March: B (1) and K (0): 1 of 2.
    got = value(IND["cla_12m_development_assessments_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"], got["value"]) == (1, 2, 50)


def test_sdq(inputs):
    # Aged 5 to 16 with a score: A 18, C 12, I 16 (B is 4, E is 17, G has none).
    # Average (18 + 12 + 16) / 3 = 15.33; cause for concern (17+): A, 1 of 3.
    got = value(IND["cla_12m_sdq_average_score"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (46, 3)
    assert got["value"] == pytest.approx(46 / 3)
    got = value(IND["cla_12m_sdq_concern_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 3)
    # Bands: C normal, I borderline, A concern: a third each; the Total row is all of them.
    bands = IND["cla_12m_sdq_band_pct"]
    assert value(bands, inputs, "318", 2025, "sdq_band", "Normal (0 to 13)")["value"] == pytest.approx(100 / 3)
    assert value(bands, inputs, "318", 2025, "sdq_band", "Borderline (14 to 16)")["numerator"] == 1
    assert value(bands, inputs, "318", 2025, "sdq_band", "Cause for concern (17 or more)")["denominator"] == 3
    assert value(bands, inputs, "318", 2025)["value"] == 100
    # Completion: of A, C, G, I (aged 5 to 16), 3 have a score.
    assert value(IND["cla_12m_sdq_completed_pct"], inputs, "318", 2025)["value"] == pytest.approx(75)


def test_convictions_and_substance_misuse(inputs):
    # Aged 10 or over: C (convicted), E, I: 1 of 3. Substance misuse: C, 1 of all 7.
    got = value(IND["cla_12m_convictions_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 3)
    got = value(IND["cla_12m_substance_misuse_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 7)
