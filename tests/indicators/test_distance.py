"""Distance from home and placement outside the LA, worked out by hand for Richmond (318), 2024/25.

Distances come from postcode sector centroids (British National Grid metres; 1 mile = 1.6093 km):
  TW9 1 (518021, 175013), Richmond     -> TW10 6 (518238, 174676), Richmond:   0.4 km  =   0.2 miles
                                        -> KT1 1 (518054, 169223), Kingston:    5.8 km  =   3.6 miles
                                        -> SW1A 1 (529259, 179826), Westminster
                                        -> BN1 1 (531080, 104321), Brighton:   71.9 km  =  44.7 miles
                                        -> M1 1 (384460, 398429), Manchester: 260.3 km  = 161.7 miles
  M1 1 -> TW9 2 (518303, 175514), Richmond: about 260 km = 161 miles.
"""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def ep(child, place="U6", home="TW9 1AA", post=None, ls="C2", decom="01/06/2024", dec=None, rec=None):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": "S", "LS": ls, "PLACE": place, "CIN": "N1",
            "PLACE_PROVIDER": "PR1", "REC": rec, "HOME_POST": home, "PL_POST": post}


@pytest.fixture(scope="module")
def inputs():
    header = [{"CHILD": c, "SEX": "M", "DOB": "01/01/2012", "ETHNIC": "WBRI"} for c in "ABCDEFGHIJ"]
    episodes = [
        ep("A", post="TW10 6AA"),                  # 0.2 miles, inside Richmond
        ep("B", place="K2", post="KT1 1AA"),       # 3.6 miles, outside (Kingston)
        ep("C", post="M1 1AA"),                    # 161.7 miles, outside
        ep("D", place="A6", post="BN1 1AA"),       # placed for adoption: no distance measure; outside
        ep("E", home=None, post="SW1A 1AA"),       # no home postcode (UASC): distance unknown; outside
        ep("F", place="K2", post="BN1 1AA"),       # 44.7 miles, outside
        ep("G", post="ZZ9 9ZZ"),                   # placement postcode not found: nothing known
        ep("H", ls="V3", home=None),               # short breaks only: left out
        ep("I", post="M1 1AA", dec="01/09/2024", rec="E4A"),  # left care before 31 March
        ep("J", home="M1 1AA", post="TW9 2AA"),    # family in Manchester, placed in Richmond: 161 miles, inside
    ]
    uasc = [{"CHILD": "E", "SEX": "M", "DOB": "01/01/2012", "DUC": "01/01/2030"}]
    return inputs_from({("318", 2025): {"Header": header, "Episodes": episodes, "UASC": uasc}})


def test_more_than_20_miles(inputs):
    # Known distance, not placed for adoption: A, B, C, F, J (D adoption; E, G unknown; H short
    # breaks; I gone). Over 20 miles: C, F, J -> 3 of 5 = 60%.
    got = value(IND["cla_placed_20miles_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (3, 5)
    assert got["value"] == pytest.approx(60)
    # Children's homes (secure_homes group): B (3.6 miles), F (44.7) -> 1 of 2.
    got = value(IND["cla_placed_20miles_pct"], inputs, "318", 2025, "placement", "secure_homes")
    assert (got["numerator"], got["denominator"]) == (1, 2)


def test_outside_the_la(inputs):
    # Placement LA known: A, B, C, D, E, F, J (G's postcode not found). Outside Richmond: B, C, D,
    # E, F -> 5 of 7.
    got = value(IND["cla_placed_outside_la_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (5, 7)


def test_more_than_20_miles_and_outside(inputs):
    # Known distance and placement LA, not placed for adoption: A, B, C, F, J. Both over 20 miles
    # and outside: C and F (J is far from home but inside Richmond) -> 2 of 5 = 40%.
    got = value(IND["cla_placed_20miles_outside_la_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 5)
    assert got["value"] == pytest.approx(40)
