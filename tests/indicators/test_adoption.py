"""Adoptions, special guardianship and adoption timeliness (A1, A2, A10), worked out by hand."""

import datetime as dt

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def _date(text):
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def ep(child, decom, dec, rne, ls, place, rec="X1"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place, "REC": rec,
            "CIN": "N1", "PLACE_PROVIDER": "PR1"}


def returns(la, years, episodes, dobs, extra):
    """Each year's return holds the episodes open during it (an episode still open on 31 March has
    no end yet), a Header for those children, and the year's other tables from ``extra``."""
    out = {}
    for year in years:
        start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        eps = []
        for e in episodes:
            if _date(e["DECOM"]) <= end and (e["DEC"] is None or _date(e["DEC"]) >= start):
                open_then = e["DEC"] is None or _date(e["DEC"]) > end
                eps.append({**e, "DEC": None, "REC": None} if open_then else e)
        kids = sorted({e["CHILD"] for e in eps})
        sex = "1" if year < 2025 else "M"
        header = [{"CHILD": c, "SEX": sex, "DOB": dobs[c], "ETHNIC": "WBRI"} for c in kids]
        out[(la, year)] = {"Header": header, "Episodes": eps, **extra.get(year, {})}
    return out


def ad1(child, dob, date_int, date_match, foster="0"):
    return {"CHILD": child, "DOB": dob, "DATE_INT": date_int, "DATE_MATCH": date_match, "FOSTER_CARE": foster,
            "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}


DOBS = {"P": "01/01/2021", "Q": "05/05/2020", "R": "01/01/2019", "S": "01/02/2021", "T": "01/01/2015",
        "U": "01/01/2012", "W": "01/01/2016", "X": "01/06/2023"}

EPISODES = [
    # P: adopted by foster carers, 10 Feb 2025 (2024/25). Entered care 1 Mar 2022; moved in with the
    # carers 1 Jun 2022 (P); placement order 15 Jan 2023 (L); the placement became A5 on 1 May 2023 (T).
    ep("P", "01/03/2022", "01/06/2022", "S", "C1", "U3"),
    ep("P", "01/06/2022", "15/01/2023", "P", "C2", "U4"),
    ep("P", "15/01/2023", "01/05/2023", "L", "E1", "U4"),
    ep("P", "01/05/2023", "10/02/2025", "T", "E1", "A5", rec="E11"),
    # Q: adopted 20 Mar 2023 (2022/23) by new carers. Entered 10 Apr 2022; placement order 20 Jul 2022;
    # placed for adoption 5 Nov 2022.
    ep("Q", "10/04/2022", "20/07/2022", "S", "C1", "U1"),
    ep("Q", "20/07/2022", "05/11/2022", "L", "E1", "U1"),
    ep("Q", "05/11/2022", "20/03/2023", "P", "E1", "A6", rec="E12"),
    # R: adopted 1 Mar 2024 (2023/24); in care since before the first return loaded (first episode RNE P),
    # so neither the entry into care nor the placement order (in that first episode) has a known date.
    ep("R", "01/01/2021", "01/09/2023", "P", "E1", "U4"),
    ep("R", "01/09/2023", "01/03/2024", "P", "E1", "A6", rec="E11"),
    # S: placed with parents' consent (no placement order), adopted 15 Dec 2023 (2023/24).
    ep("S", "01/05/2022", "01/02/2023", "S", "V2", "U3"),
    ep("S", "01/02/2023", "15/12/2023", "P", "V2", "A4", rec="E11"),
    # T: special guardianship (former foster carers, relatives) 1 Sep 2024; U returned home 1 Jul 2024;
    # W special guardianship (other carers, relatives) 1 Jan 2024.
    ep("T", "01/06/2023", "01/09/2024", "S", "C2", "U1", rec="E45"),
    ep("U", "01/01/2024", "01/07/2024", "S", "V2", "U3", rec="E4A"),
    ep("W", "01/01/2023", "01/01/2024", "S", "C2", "U1", rec="E47"),
]

EXTRA = {
    2023: {"AD1": [ad1("Q", DOBS["Q"], "01/07/2022", "15/10/2022")],
           "PlacedAdoption": [{"CHILD": "Q", "DOB": DOBS["Q"], "DATE_PLACED": "01/07/2022"}]},
    2024: {"AD1": [ad1("R", DOBS["R"], "10/01/2023", "01/08/2023"), ad1("S", DOBS["S"], "20/11/2022", "10/01/2023")],
           "PlacedAdoption": [{"CHILD": "S", "DOB": DOBS["S"], "DATE_PLACED": "01/12/2022",
                               "DATE_PLACED_CEASED": "20/12/2022", "REASON_PLACED_CEASED": "RD4"},
                              {"CHILD": "S", "DOB": DOBS["S"], "DATE_PLACED": "15/11/2022"},
                              {"CHILD": "R", "DOB": DOBS["R"], "DATE_PLACED": "10/01/2023"}]},
    2025: {"AD1": [ad1("P", DOBS["P"], "01/12/2022", "01/04/2023", foster="1")],
           "PlacedAdoption": [{"CHILD": "P", "DOB": DOBS["P"], "DATE_PLACED": "01/12/2022"}]},
}

# Bolton (209) has only its 2024/25 return loaded: X adopted 1 Mar 2025.
OTHER = [ep("X", "01/07/2023", "01/10/2024", "S", "E1", "U4"), ep("X", "01/10/2024", "01/03/2025", "P", "E1", "A6",
                                                                    rec="E11")]


@pytest.fixture(scope="module")
def inputs():
    data = returns("318", (2023, 2024, 2025), EPISODES, DOBS, EXTRA)
    data.update(returns("209", (2025,), OTHER, DOBS,
                        {2025: {"AD1": [ad1("X", DOBS["X"], "01/05/2024", "15/09/2024")]}}))
    return inputs_from(data)


def test_adopted_and_sgo_counts(inputs):
    # 2024/25 ceased: P (adopted), T (SGO), U (home). 2023/24: R and S (adopted), W (SGO).
    assert value(IND["cla_adopted_count"], inputs, "318", 2025)["value"] == 1
    assert value(IND["cla_adopted_count"], inputs, "318", 2024, "route", "Adopted: application unopposed")["value"] == 2
    assert value(IND["cla_adopted_count"], inputs, "318", 2023, "route",
                 "Adopted: consent dispensed with by the court")["value"] == 1
    got = value(IND["cla_ceased_adopted_pct"], inputs, "318", 2024)
    assert (got["numerator"], got["denominator"]) == (2, 3)
    assert got["value"] == pytest.approx(200 / 3)
    got = value(IND["cla_ceased_sgo_pct"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (1, 3)
    assert value(IND["cla_ceased_sgo_count"], inputs, "318", 2025, "sgo_order",
                 "Former foster carers who are relatives or friends")["value"] == 1
    assert value(IND["cla_ceased_sgo_count"], inputs, "318", 2024, "sgo_order",
                 "Other carers who are relatives or friends")["value"] == 1


def test_a1_three_year_average(inputs):
    # Adopted 2022/23 to 2024/25: Q, R, S, P. R's entry into care is before the returns loaded: left out.
    # Q: 10 Apr 2022 -> 5 Nov 2022 = 209 days; S: 1 May 2022 -> 1 Feb 2023 = 276; P: 1 Mar 2022 -> 1 May 2023 = 426.
    got = value(IND["adoption_a1_days"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (209 + 276 + 426, 3)
    assert got["value"] == pytest.approx(911 / 3)
    # By foster carer adoption: P alone 426; Q and S (new carers) (209 + 276) / 2.
    assert value(IND["adoption_a1_days"], inputs, "318", 2025, "foster_carer_adoption",
                 "Placed with their foster carers")["value"] == 426
    assert value(IND["adoption_a1_days"], inputs, "318", 2025, "foster_carer_adoption",
                 "Placed with new carers")["value"] == pytest.approx(242.5)
    # 3 of the 4 children have a known entry into care.
    assert value(IND["adoption_a1_entry_known_pct"], inputs, "318", 2025)["value"] == pytest.approx(75)


def test_a10_counts_from_moving_in_with_foster_carers(inputs):
    # P counts from 1 Jun 2022, when P moved in with the carers who adopted (the P episode before the
    # L and T episodes): 1 Mar 2022 -> 1 Jun 2022 = 92 days. Q and S as in A1.
    got = value(IND["adoption_a10_days"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (209 + 276 + 92, 3)


def test_a2_three_year_average(inputs):
    # Q: placement order 20 Jul 2022 -> match 15 Oct 2022 = 87 days. P: 15 Jan 2023 -> 1 Apr 2023 = 76.
    # S has no placement order: decision to place 15 Nov 2022 (PlacedAdoption; the 1 Dec 2022 decision
    # ceased on 20 Dec, before the match, and AD1 DATE_INT 20 Nov is only a fallback) -> 10 Jan 2023 = 56.
    # R's placement order is undated (granted before the returns loaded): left out.
    got = value(IND["adoption_a2_days"], inputs, "318", 2025)
    assert (got["numerator"], got["denominator"]) == (87 + 76 + 56, 3)
    assert got["value"] == 73
    assert value(IND["adoption_a2_days"], inputs, "318", 2025, "court_authority",
                 "Placement order (legal status E1)")["value"] == pytest.approx(81.5)
    assert value(IND["adoption_a2_days"], inputs, "318", 2025, "court_authority",
                 "Decision to place for adoption (no placement order recorded)")["value"] == 56


def test_three_year_figures_need_three_returns(inputs):
    # 318 has returns for 2022/23 to 2024/25: a figure for 2024/25 only. 209 has one return: none.
    for ident in ("adoption_a1_days", "adoption_a2_days", "adoption_a10_days"):
        assert value(IND[ident], inputs, "318", 2024)["value"] is None
        assert value(IND[ident], inputs, "318", 2023)["value"] is None
        assert value(IND[ident], inputs, "209", 2025)["value"] is None
    assert value(IND["cla_adopted_count"], inputs, "209", 2025)["value"] == 1


def test_single_year_stages(inputs):
    # Placement order to match: 2022/23 Q 87; 2023/24 S 56 (R left out); 2024/25 P 76.
    order = IND["adoption_order_to_match_days"]
    assert [value(order, inputs, "318", y)["value"] for y in (2023, 2024, 2025)] == [87, 56, 76]
    # Decision (DATE_INT) to match: Q 1 Jul -> 15 Oct 2022 = 106; 2023/24: R 10 Jan -> 1 Aug 2023 = 203 and
    # S 20 Nov 2022 -> 10 Jan 2023 = 51, average 127; P 1 Dec 2022 -> 1 Apr 2023 = 121.
    decision = IND["adoption_decision_to_match_days"]
    assert [value(decision, inputs, "318", y)["value"] for y in (2023, 2024, 2025)] == [106, 127, 121]
    # 209: X 1 May -> 15 Sep 2024 = 137; placement order 1 Jul 2023 (period began in the return) -> 15 Sep 2024.
    assert value(decision, inputs, "209", 2025)["value"] == 137
    assert value(order, inputs, "209", 2025)["value"] == (dt.date(2024, 9, 15) - dt.date(2023, 7, 1)).days
