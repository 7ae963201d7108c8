"""Leaving care to go home, and coming back within 12 months, worked out by hand for Richmond (318)
with returns for 2023/24 and 2024/25."""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value
from tests.indicators.test_placement_stability import returns_from_history

IND = all_indicators()


def ep(child, decom, dec=None, rec=None, ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": "S", "LS": ls, "PLACE": "U6", "CIN": "N1",
            "PLACE_PROVIDER": "PR1", "REC": rec}


HEADER = [{"CHILD": c, "SEX": "F", "DOB": "01/01/2015", "ETHNIC": "WBRI"} for c in "ABCDEFGH"]
EPISODES = [
    # A: home (care plan) 1 June 2023, back in care 1 March 2024 (274 days later), home again (not
    # the care plan) 1 February 2025.
    ep("A", "01/01/2023", "01/06/2023", "E4A"), ep("A", "01/03/2024", "01/02/2025", "E4B"),
    # B: home (not the care plan) 1 July 2023, back 15 July 2024: 380 days, more than 12 months.
    ep("B", "01/05/2023", "01/07/2023", "E4B"), ep("B", "15/07/2024"),
    # C: residence order, not home.
    ep("C", "01/04/2023", "01/10/2023", "E41"),
    # D: home twice in 2023/24: 1 August 2023 (back 1 September, 31 days later) and 1 December 2023.
    ep("D", "01/06/2023", "01/08/2023", "E4A"), ep("D", "01/09/2023", "01/12/2023", "E4A"),
    # E: short breaks only.
    ep("E", "01/05/2023", "03/05/2023", "E4A", ls="V3"),
    # F: home 1 March 2024, not back.
    ep("F", "01/01/2023", "01/03/2024", "E4A"),
    # G: home 1 November 2023; short breaks from December are not a return to care.
    ep("G", "01/06/2023", "01/11/2023", "E4A"), ep("G", "01/12/2023", "03/12/2023", "E13", ls="V3"),
    # H: left care in 2024/25 for another reason.
    ep("H", "01/05/2024", "01/08/2024", "E13"),
]


@pytest.fixture(scope="module")
def inputs():
    return inputs_from(returns_from_history("318", (2024, 2025), HEADER, EPISODES))


def test_returned_home(inputs):
    # Left care in 2023/24 (each child's last time): A E4A, B E4B, C E41, D E4A (December), F E4A,
    # G E4A -> 6 children (E is short breaks). Home: A, B, D, F, G -> 5 of 6.
    assert value(IND["cla_returned_home"], inputs, "318", 2024)["value"] == 5
    assert value(IND["cla_returned_home"], inputs, "318", 2024, "care_plan", "Part of the care plan")["value"] == 4
    assert value(IND["cla_returned_home"], inputs, "318", 2024, "care_plan", "Not part of the care plan")["value"] == 1
    got = value(IND["cla_returned_home_pct"], inputs, "318", 2024)
    assert (got["numerator"], got["denominator"]) == (5, 6)
    # As part of the care plan (E4A): A, D, F, G -> 4 of 6; not (E4B): B -> 1 of 6.
    assert value(IND["cla_returned_home_care_plan_pct"], inputs, "318", 2024)["value"] == pytest.approx(100 * 4 / 6)
    assert value(IND["cla_returned_home_not_care_plan_pct"], inputs, "318", 2024)["value"] == pytest.approx(100 / 6)
    # 2024/25: A (E4B) and H (E13) left care -> home 1 of 2, none as part of the care plan.
    got = value(IND["cla_returned_home_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 2)
    assert value(IND["cla_returned_home_care_plan_pct"], inputs, "318", 2025)["value"] == 0


def test_came_back_within_12_months(inputs):
    # Went home in 2023/24 (first time that year): A 1 June 2023, B 1 July 2023, D 1 August 2023,
    # F 1 March 2024, G 1 November 2023 -> 5. Back in care within 365 days: A (274 days), D (31).
    # B after 380 days, F never, G only short breaks -> 2 of 5 = 40%, reported for 2024/25.
    got = value(IND["cla_returned_home_reentered_12m_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 5)
    assert got["value"] == pytest.approx(40)
    assert value(IND["cla_returned_home_reentered_12m"], inputs, "318", 2025)["value"] == 2
    # By how they went home: care plan A, D, F, G (2 back); not the care plan B (not back).
    got = value(IND["cla_returned_home_reentered_12m_pct"], inputs, "318", 2025, "care_plan",
                "Part of the care plan")
    assert (got["numerator"], got["denominator"]) == (2, 4)
    got = value(IND["cla_returned_home_reentered_12m_pct"], inputs, "318", 2025, "care_plan",
                "Not part of the care plan")
    assert (got["numerator"], got["denominator"]) == (0, 1)


def test_came_back_needs_the_year_before(inputs):
    # 2023/24 would follow children who went home in 2022/23: no return loaded for it.
    assert value(IND["cla_returned_home_reentered_12m_pct"], inputs, "318", 2024)["value"] is None
