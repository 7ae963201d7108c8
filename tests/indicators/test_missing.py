"""Missing and away from placement without authorisation, worked out by hand for Richmond (318),
2023/24 and 2024/25 (an incident open on 31 March 2024 is carried into the next return)."""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value
from tests.indicators.test_placement_stability import returns_from_history

IND = all_indicators()


def ep(child, decom, dec=None, rec=None, ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": "S", "LS": ls, "PLACE": "K2", "CIN": "N1",
            "PLACE_PROVIDER": "PR4", "REC": rec}


def mis(child, kind, start, end=None):
    return {"CHILD": child, "MISSING": kind, "MIS_START": start, "MIS_END": end, "DOB": DOB[child]}


DOB = {"A": "01/06/2009", "B": "01/01/2008", "C": "01/01/2012", "D": "01/06/2008", "E": "01/01/2010",
       "F": "01/01/2008"}
HEADER = [{"CHILD": c, "SEX": "M", "DOB": d, "ETHNIC": "WBRI"} for c, d in DOB.items()]
EPISODES = [
    ep("A", "01/01/2023"),                            # in care throughout
    ep("B", "01/06/2024", "01/09/2024", "E4A"),       # in care June to September 2024
    ep("C", "01/05/2023"),                            # in care from May 2023, never missing
    ep("D", "01/01/2024"),                            # in care from January 2024
    ep("E", "01/05/2024", ls="V3"),                   # short breaks only
    ep("F", "01/06/2023", "01/02/2024", "E4A"),       # left care in February 2024
]
MISSING = [
    mis("A", "M", "10/05/2024", "11/05/2024"), mis("A", "M", "01/06/2024", "03/06/2024"),
    mis("A", "A", "05/07/2024", "05/07/2024"),
    mis("B", "M", "15/06/2024", "16/06/2024"),
    mis("D", "M", "25/03/2024", "02/04/2024"),        # open on 31 March 2024: in both years
    mis("D", "A", "01/01/2025"),                       # still away on 31 March 2025
    mis("E", "M", "01/08/2024", "02/08/2024"),        # short breaks only: not counted
    mis("F", "M", "01/12/2023", "02/12/2023"),
]


@pytest.fixture(scope="module")
def inputs():
    return inputs_from(returns_from_history("318", (2024, 2025), HEADER, EPISODES, MISSING))


def test_went_missing(inputs):
    # Looked after during 2024/25 (not short breaks only): A, B, C, D -> 4 (E short breaks, F gone).
    # Missing (M) incidents open in the year: A 2, B 1, D 1 (from 25 March 2024, ended 2 April)
    # -> 3 children, 75%.
    got = value(IND["cla_missing_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (3, 4)
    assert got["value"] == pytest.approx(75)
    assert value(IND["cla_missing"], inputs, "318", 2025)["value"] == 3
    # 2023/24: looked after A, C, D, F (4); missing D (from 25 March 2024) and F -> 2, 50%.
    got = value(IND["cla_missing_pct"], inputs, "318", 2024)
    assert (got["numerator"], got["denominator"]) == (2, 4)


def test_incidents_per_missing_child(inputs):
    # 2024/25: (2 + 1 + 1) incidents / 3 children = 1.33.
    got = value(IND["cla_missing_incidents_per_child"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (4, 3)
    assert got["value"] == pytest.approx(4 / 3)


def test_away_without_authorisation(inputs):
    # 2024/25: away (A) incidents: A (5 July 2024), D (from 1 January 2025, still open) -> 2 of 4,
    # one incident each.
    got = value(IND["cla_away_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 4)
    assert value(IND["cla_away"], inputs, "318", 2025)["value"] == 2
    assert value(IND["cla_away_incidents_per_child"], inputs, "318", 2025)["value"] == pytest.approx(1)


def test_missing_by_age(inputs):
    # Age on 31 March 2025: A 15 and C 13 (10 to 15: A missing -> 1 of 2); B 17 and D 16
    # (16 and over: both missing -> 2 of 2).
    got = value(IND["cla_missing_pct"], inputs, "318", 2025, "age_band", "10 to 15 years")
    assert (got["numerator"], got["denominator"]) == (1, 2)
    got = value(IND["cla_missing_pct"], inputs, "318", 2025, "age_band", "16 and over")
    assert (got["numerator"], got["denominator"]) == (2, 2)
