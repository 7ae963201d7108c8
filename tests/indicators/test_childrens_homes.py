"""Children in children's homes and secure children's homes, worked out by hand for Richmond (318).

Distances from the home postcode TW9 1 (Richmond): TW10 6 (Richmond) 0.2 miles, KT1 1 (Kingston)
3.6 miles, BN1 1 (Brighton) 44.7 miles, M1 1 (Manchester) 161.7 miles (see test_distance.py).
"""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def ep(child, place, provider, post, decom="01/06/2024", ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": None, "RNE": "S", "LS": ls, "PLACE": place, "CIN": "N1",
            "PLACE_PROVIDER": provider, "REC": None, "HOME_POST": "TW9 1AA", "PL_POST": post}


@pytest.fixture(scope="module")
def inputs():
    header = [{"CHILD": c, "SEX": "F", "DOB": "01/01/2010", "ETHNIC": "WBRI"} for c in "ABCDEFG"]
    episodes_2025 = [
        ep("A", "K2", "PR4", "KT1 1AA"),    # private children's home, 3.6 miles, outside Richmond
        ep("B", "K2", "PR2", "BN1 1AA"),    # another LA's home, 44.7 miles, outside
        ep("C", "K2", "PR1", "TW10 6AA"),   # Richmond's own home, 0.2 miles, inside
        ep("D", "K1", "PR2", "M1 1AA"),     # secure children's home, 161.7 miles, outside
        ep("E", "U6", "PR1", "TW10 6AA"),   # foster care
        ep("F", "U4", "PR4", "KT1 1AA"),    # foster care
        ep("G", "K2", "PR4", None, ls="V3"),  # short breaks in a children's home: left out
    ]
    episodes_2024 = [ep("E", "U6", "PR1", "TW10 6AA", decom="01/06/2023")]  # no one in a home
    return inputs_from({("318", 2025): {"Header": header, "Episodes": episodes_2025},
                        ("318", 2024): {"Header": header[4:5], "Episodes": episodes_2024}})


def test_childrens_homes_counts(inputs):
    # Children's homes (K2) on 31 March 2025: A, B, C (G is short breaks) -> 3.
    assert value(IND["cla_childrens_homes"], inputs, "318", 2025)["value"] == 3
    for breakdown, category, n in (("provider", "Private provision", 1), ("provider", "Other local authority", 1),
                                   ("provider", "Own local authority", 1), ("distance", "More than 20 miles", 1),
                                   ("distance", "20 miles or less", 2), ("location", "Outside the LA", 2),
                                   ("location", "Inside the LA", 1)):
        assert value(IND["cla_childrens_homes"], inputs, "318", 2025, breakdown, category)["value"] == n
    # 2023/24: nobody in a children's home, shown as 0 rather than missing.
    assert value(IND["cla_childrens_homes"], inputs, "318", 2024)["value"] == 0


def test_secure_childrens_homes_counts(inputs):
    # Secure children's homes (K1): D, another LA's, 161.7 miles away.
    assert value(IND["cla_secure_childrens_homes"], inputs, "318", 2025)["value"] == 1
    assert value(IND["cla_secure_childrens_homes"], inputs, "318", 2025, "distance",
                 "More than 20 miles")["value"] == 1


def test_share_in_secure_and_childrens_homes(inputs):
    # Looked after on 31 March 2025: A-F (6). In K1 or K2: A, B, C, D -> 4 of 6.
    got = value(IND["cla_secure_and_childrens_homes_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (4, 6)
    assert got["value"] == pytest.approx(100 * 4 / 6)


def test_childrens_homes_far_and_outside(inputs):
    # Of A, B, C (K2, all with known distance and LA): over 20 miles B -> 1 of 3; outside
    # Richmond A and B -> 2 of 3. Private homes: A only, 3.6 miles and outside -> 0 of 1, 1 of 1.
    got = value(IND["cla_childrens_homes_20miles_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 3)
    got = value(IND["cla_childrens_homes_outside_la_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 3)
    got = value(IND["cla_childrens_homes_20miles_pct"], inputs, "318", 2025, "provider", "Private provision")
    assert (got["numerator"], got["denominator"]) == (0, 1)
    got = value(IND["cla_childrens_homes_outside_la_pct"], inputs, "318", 2025, "provider", "Private provision")
    assert (got["numerator"], got["denominator"]) == (1, 1)
