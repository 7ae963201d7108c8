"""Placement stability, worked out by hand on a small three-year history for Richmond (318).

Each child's whole history is written once; ``returns_from_history`` cuts it into the yearly
returns the warehouse would hold (an episode appears in every return it was open in, with its end
left blank while it was still open at that year's 31 March).
"""

import datetime as dt

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def _date(text):
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def returns_from_history(la, years, header, episodes, missing=(), tables=None):
    """Yearly returns from whole histories: episodes and missing incidents open during each year
    (ends after 31 March blanked), and the Header of every child with an episode that year."""
    out = {}
    for year in years:
        start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        eps = []
        for e in episodes:
            decom, dec = _date(e["DECOM"]), _date(e.get("DEC"))
            if decom <= end and (dec is None or dec >= start):
                eps.append({**e, "DEC": None, "REC": None, "REASON_PLACE_CHANGE": None} if dec and dec > end else e)
        mis = []
        for m in missing:
            begun, ended = _date(m["MIS_START"]), _date(m.get("MIS_END"))
            if begun <= end and (ended is None or ended >= start):
                mis.append({**m, "MIS_END": None} if ended and ended > end else m)
        children = {e["CHILD"] for e in eps}
        out[(la, year)] = {"Header": [h for h in header if h["CHILD"] in children], "Episodes": eps,
                           "Missing": mis, **(tables or {}).get(year, {})}
    return out


def ep(child, decom, dec=None, rne="P", ls="C2", place="U6", rec=None, reason=None, post=None, cin="N1"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place, "CIN": cin,
            "PLACE_PROVIDER": "PR4" if place in ("K2", "K1") else "PR1", "REC": rec or ("X1" if dec else None),
            "REASON_PLACE_CHANGE": reason, "PL_POST": post}


HEADER = [
    {"CHILD": "A", "SEX": "M", "DOB": "01/06/2015", "ETHNIC": "WBRI"},  # 9 on 31 March 2025
    {"CHILD": "B", "SEX": "F", "DOB": "01/01/2012", "ETHNIC": "WBRI"},  # 13
    {"CHILD": "C", "SEX": "F", "DOB": "01/01/2016", "ETHNIC": "WBRI"},  # 9
    {"CHILD": "D", "SEX": "M", "DOB": "01/01/2012", "ETHNIC": "WBRI"},  # 13
    {"CHILD": "E", "SEX": "M", "DOB": "01/01/2014", "ETHNIC": "WBRI"},  # 11
    {"CHILD": "F", "SEX": "F", "DOB": "01/01/2010", "ETHNIC": "WBRI"},  # 15
    {"CHILD": "G", "SEX": "M", "DOB": "01/01/2013", "ETHNIC": "WBRI"},  # 12, short breaks only
]
EPISODES = [
    # A: in care since 2020; legal status change (L) in 2022; short-term to long-term fostering with
    # the same carers (T) in March 2023; ten days on holiday (T2) in August 2024, then home to the
    # same carers. One placement in 2024/25; the same carer since 2020.
    ep("A", "01/01/2020", "01/05/2022", rne="S", ls="C1"),
    ep("A", "01/05/2022", "01/03/2023", rne="L"),
    ep("A", "01/03/2023", "10/08/2024", rne="T", place="U4"),
    ep("A", "10/08/2024", "20/08/2024", place="T2"),
    ep("A", "20/08/2024", place="U4"),
    # B: in care since June 2022 (category of need N4); a move, a fortnight with respite carers (T3)
    # and back to the same foster home, then a children's home.
    ep("B", "01/06/2022", "01/05/2024", rne="S", reason="CREQB", post="TW9 1AA", cin="N4"),
    ep("B", "01/05/2024", "01/08/2024", post="TW10 6AA", cin="N4"),
    ep("B", "01/08/2024", "15/08/2024", place="T3", post="TW1 3AA", cin="N4"),
    ep("B", "15/08/2024", "01/12/2024", post="TW10 6AA", reason="CHILD", cin="N4"),
    ep("B", "01/12/2024", place="K2", post="KT1 1AA", cin="N4"),
    # C: foster care from March 2022, placement order (L, E1) in 2023, placed for adoption with new
    # carers (A6) in October 2024.
    ep("C", "01/03/2022", "01/09/2023", rne="S"),
    ep("C", "01/09/2023", "01/10/2024", rne="L", ls="E1", reason="CARPL"),
    ep("C", "01/10/2024", ls="E1", place="A6"),
    # D: the first episode loaded began in 2021 with a legal status change, so when D's placement
    # (and care) began is not known; a move to a children's home in February 2025.
    ep("D", "01/01/2021", "01/02/2025", rne="L", place="U4", reason="CARPL"),
    ep("D", "01/02/2025", place="K2"),
    # E: came into care in June 2024; the foster carers became long-term carers (T), then a move.
    ep("E", "01/06/2024", "01/09/2024", rne="S", ls="C1", reason="PLACE"),
    ep("E", "01/09/2024", "01/01/2025", rne="T", ls="C1", place="U4", reason="ALLEG"),
    ep("E", "01/01/2025", ls="C1", place="U4"),
    # F: went home in July 2024; a period of care that began and ended on 1 September 2024 (less
    # than 24 hours); back in care from October.
    ep("F", "01/04/2023", "01/07/2024", rne="S", rec="E4A"),
    ep("F", "01/09/2024", "01/09/2024", rne="S", rec="E4A"),
    ep("F", "01/10/2024", rne="S"),
    # G: short breaks only (V3): left out of everything.
    ep("G", "01/05/2024", "03/05/2024", rne="S", ls="V3", rec="E13"),
    ep("G", "01/03/2025", rne="S", ls="V3"),
]


@pytest.fixture(scope="module")
def inputs():
    return inputs_from(returns_from_history("318", (2023, 2024, 2025), HEADER, EPISODES))


def test_three_or_more_placements(inputs):
    # Looked after on 31 March 2025: A, B, C, D, E, F (G: short breaks). Placements open during
    # 1 April 2024 - 31 March 2025:
    #   A 1 (U4 since March 2023; the T2 holiday  B 3 (first carer; second carer, the T3 fortnight and
    #        and the return from it are not new)
    #   C 2 (U6, A6)                                the return to them being one; K2)
    #   D 2 (U4, K2)                             E 3 (U6; U4 with the same carers (T) counts; U4)
    #   F 2 (U6 to July; the same-day period is under 24 hours; U6 from October)
    # 3 or more: B and E -> 2 of 6 = 33.3%.
    got = value(IND["cla_3plus_placements_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 6)
    assert got["value"] == pytest.approx(100 * 2 / 6)
    assert value(IND["cla_3plus_placements"], inputs, "318", 2025)["value"] == 2


def test_three_or_more_placements_breakdowns(inputs):
    # Age on 31 March 2025: 10-15 are B (13, yes), D (13), E (11, yes), F (15) -> 2 of 4.
    got = value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "age_band", "10 to 15 years")
    assert (got["numerator"], got["denominator"]) == (2, 4)
    # Placement on 31 March: secure units and children's homes are B (yes) and D -> 1 of 2.
    got = value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "placement", "secure_homes")
    assert (got["numerator"], got["denominator"]) == (1, 2)
    # Time in care on 31 March (current period): under 1 year E (June 2024, yes) and F (October
    # 2024); 2 to 5 years B (June 2022, yes) and C (March 2022); A 5 years or more (January 2020);
    # D not known (in care since at least January 2021: 4 years, but maybe longer).
    got = value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "time_in_care", "Under 1 year")
    assert (got["numerator"], got["denominator"]) == (1, 2)
    assert value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "time_in_care",
                 "2 to 5 years")["denominator"] == 2
    assert value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "time_in_care",
                 "5 years or more")["denominator"] == 1
    assert value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "time_in_care",
                 "Not known")["denominator"] == 1
    # Category of need at the start of the period: only B is N4.
    got = value(IND["cla_3plus_placements_pct"], inputs, "318", 2025, "category_of_need", "N4")
    assert (got["numerator"], got["denominator"]) == (1, 1)


def test_long_term_stability(inputs):
    # Under 16 on 31 March 2025 and in care since 30 September 2022 or earlier: A (2020), B (June
    # 2022), C (March 2022), D (January 2021 at the latest). E and F came into care later.
    # Same carer since 31 March 2023 or earlier: A yes (the L and T changes and the holiday (T2)
    # keep the carer);
    # B no (children's home since December 2024); D no (February 2025).
    # C has had new carers since October 2024 but is placed for adoption (A6) and the carers before
    # them (March 2022) plus the adoptive placement span more than 2 years: yes.
    # -> 2 of 4 = 50%.
    got = value(IND["cla_long_term_stability_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2, 4)
    assert got["value"] == pytest.approx(50)
    assert value(IND["cla_long_term_stability"], inputs, "318", 2025)["value"] == 2


def test_long_term_stability_needs_two_earlier_years(inputs):
    # The first return loaded is 2023: for 2024, 2.5 years back (30 September 2021) is before the
    # history starts, so no figure is given.
    assert value(IND["cla_long_term_stability_pct"], inputs, "318", 2024)["value"] is None


def test_placement_moves_by_reason(inputs):
    # Changes of placement in 2024/25 (reason on the episode that ended):
    #   A 10 Aug (to T2: temporary), 20 Aug (back from T2: temporary);
    #   B 1 May (CREQB, unplanned), 1 Aug (to T3: temporary), 15 Aug (back from T3: temporary),
    #     1 Dec (CHILD, unplanned); C 1 Oct (CARPL, planned); D 1 Feb (CARPL, planned);
    #   E 1 Sep (T, PLACE: planned), 1 Jan (ALLEG, unplanned).
    # A's T change was in 2022/23; F's new periods are not moves; G is short breaks.
    # -> 10 moves: 3 planned, 3 unplanned, 4 temporary; unplanned 3 of 10 = 30%.
    assert value(IND["cla_placement_moves"], inputs, "318", 2025)["value"] == 10
    for reason, n in (("planned", 3), ("unplanned", 3), ("temporary", 4)):
        assert value(IND["cla_placement_moves"], inputs, "318", 2025, "reason", reason)["value"] == n
    got = value(IND["cla_placement_moves_unplanned_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (3, 10)


def test_average_length_of_placements_ended(inputs):
    # Placements that ended in 2024/25, with a known start:
    #   B first carer 01/06/2022-01/05/2024 = 700 days; second carer (with the T3 fortnight)
    #     01/05/2024-01/12/2024 = 214; C foster carers 01/03/2022-01/10/2024 = 945;
    #   E 01/06/2024-01/09/2024 = 92 and 01/09/2024-01/01/2025 = 122; F 01/04/2023-01/07/2024 = 457.
    # A's placement is still open (the holiday did not end it).
    # D's foster placement began before the first loaded episode (RNE L): start unknown, left out.
    # F's same-day period lasted under 24 hours: left out. G: short breaks.
    # -> (700 + 214 + 945 + 92 + 122 + 457) / 6 = 2530 / 6 = 421.7 days.
    got = value(IND["cla_placement_length_days"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (2530, 6)
    assert got["value"] == pytest.approx(2530 / 6)
