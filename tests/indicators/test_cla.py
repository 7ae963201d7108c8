"""Children looked after on 31 March, starts and ceases, worked out by hand."""

import pytest

from carestat.indicators import all_indicators
from tests.indicators.harness import inputs_from, value

IND = all_indicators()


def ep(child, decom, dec=None, rne="S", ls="C2", place="U4", rec=None, cin="N1", provider="PR1"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place,
            "REC": rec or ("X1" if dec and rec is None else None), "CIN": cin, "PLACE_PROVIDER": provider}


@pytest.fixture(scope="module")
def inputs():
    # Richmond (318), 2024/25 (year 2025: 1 April 2024 to 31 March 2025).
    header = [
        {"CHILD": "A", "SEX": "M", "DOB": "01/06/2015", "ETHNIC": "WBRI"},   # 9 on 31 March 2025
        {"CHILD": "B", "SEX": "F", "DOB": "01/01/2024", "ETHNIC": "BAFR"},   # 1
        {"CHILD": "C", "SEX": "F", "DOB": "01/05/2008", "ETHNIC": "WBRI"},   # left care in the year
        {"CHILD": "D", "SEX": "M", "DOB": "01/05/2010", "ETHNIC": "AOTH"},   # short breaks only
        {"CHILD": "E", "SEX": "M", "DOB": "15/07/2008", "ETHNIC": "AOTH"},   # UASC, started in the year
    ]
    episodes = [
        ep("A", "01/01/2020", "01/07/2024", rne="S"), ep("A", "01/07/2024", rne="P", place="U6"),
        ep("B", "01/03/2024", place="U3", cin="N2"),
        ep("C", "01/01/2022", "15/10/2024", rec="E4A"),
        ep("D", "01/02/2025", ls="V3", place="U6"),
        ep("E", "10/04/2024", ls="V2", place="K3", provider="PR4"),
    ]
    return inputs_from({("318", 2025): {"Header": header, "Episodes": episodes,
                                        "UASC": [{"CHILD": "E", "SEX": "M", "DOB": "15/07/2008", "DUC": "15/07/2026"}]}})


def test_looked_after_at_31_march(inputs):
    # A, B and E are in care on 31 March 2025; C left in October; D has short breaks only.
    assert value(IND["cla_31mar"], inputs, "318", 2025)["value"] == 3
    assert value(IND["cla_31mar"], inputs, "318", 2025, "sex", "Female")["value"] == 1
    assert value(IND["cla_31mar"], inputs, "318", 2025, "age_band", "1 to 4 years")["value"] == 1
    assert value(IND["cla_31mar"], inputs, "318", 2025, "uasc", "UASC")["value"] == 1
    assert value(IND["cla_31mar"], inputs, "318", 2025, "placement", "foster")["value"] == 2


def test_rate_per_10000(inputs):
    got = value(IND["cla_31mar_rate"], inputs, "318", 2025)
    assert got["numerator"] == 3 and got["denominator"] > 40_000
    assert got["value"] == pytest.approx(3 / got["denominator"] * 10_000)


def test_starts_and_ceases(inputs):
    # Started in 2024/25: E (10 April 2024); D's short break does not count. Ceased: C.
    assert value(IND["cla_starts"], inputs, "318", 2025)["value"] == 1
    assert value(IND["cla_ceased"], inputs, "318", 2025)["value"] == 1
    assert value(IND["cla_ceased"], inputs, "318", 2025, "reason", "returned_home")["value"] == 1
