"""CIN census indicators worked out by hand for Richmond (318), from censuses for 2023/24 and
2024/25 (the figures asserted are for 2024/25, 1 April 2024 to 31 March 2025, unless named).

Bank holidays in England that matter here: 29 March and 1 April 2024 (Easter), 26 August 2024,
25 and 26 December 2024, 1 January 2025. Working days count the first date, not the last.
"""

import pytest

from carestat.indicators import all_indicators
from tests.cin_returns import assessment, child, enquiry, episode, plan
from tests.indicators.harness import value
from tests.indicators.harness_cin import cin_inputs

IND = all_indicators()

CENSUS_2024 = [
    child("A", episodes=[episode("2023-06-01", source="2A", closed="2023-09-01", reason="RC7")]),
    child("B", episodes=[episode("2023-06-01", source="2A", closed="2023-07-01", reason="RC7")]),
    child("F", episodes=[episode("2024-02-20", source="1A", assessments=[assessment("2024-03-01")],
                                 s47=[enquiry("2024-03-25")])]),
    # Referred on the last day of 2023/24: that year's referral, not the next.
    child("G", episodes=[episode("2024-03-31", source="6", closed="2024-03-31", reason="RC7", nfa=True)]),
]

CENSUS_2025 = [
    # A: referred again exactly 12 months after 1 June 2023 (last year's census): a re-referral.
    child("A", episodes=[episode("2024-06-01", source="2A", need="N1", assessments=[
        assessment("2024-08-19", "2024-08-19", factors=["21"])],  # same day: 0 working days
        s47=[enquiry("2024-12-16", "2025-01-09")])]),  # 15 working days over Christmas: on time
    # B: 12 months and a day after 1 June 2023: not a re-referral. Two disabilities. Closed after
    # assessment and referred to early help (RC9).
    child("B", disabilities=("AUT", "LD"), episodes=[episode(
        "2024-06-02", source="2B", need="N2", closed="2024-12-01", reason="RC9", assessments=[
            # Friday to Friday over the August bank holiday: 4 working days (5 without it).
            assessment("2024-08-23", "2024-08-30", factors=["3A", "4B", "2B"])])]),
    # C: a referral with no further action, then another 3 months later (a re-referral).
    child("C", episodes=[
        episode("2024-05-01", source="6", closed="2024-05-01", reason="RC7", nfa=True),
        episode("2024-08-01", source="3A", need="N4", assessments=[
            # Monday 4 November to Thursday 9 January: exactly 45 working days.
            assessment("2024-11-04", "2025-01-09", factors=["3B", "3C", "1B"])],
            s47=[enquiry("2024-12-16", "2025-01-10")])]),  # 16 working days: late
    child("D", episodes=[episode("2024-10-01", source="6", closed="2024-11-01", reason="RC8")]),
    child("E", episodes=[episode("2025-03-31", source="3F", need="N5", assessments=[assessment("2025-03-31")])]),
    # F: referred last year, still in need; the assessment started then ends on 2 April 2024 after
    # Good Friday and Easter Monday: 20 working days. Its enquiry's conference: 8 working days.
    child("F", disabilities=("HEAR",), episodes=[episode("2024-02-20", source="1A", need="N1", assessments=[
        assessment("2024-03-01", "2024-04-02")], s47=[enquiry("2024-03-25", "2024-04-08")])]),
    child("H", episodes=[episode("2024-04-01", source="5D", need="N1", assessments=[
        assessment("2024-11-04", "2025-01-10", factors=["4A", "16A"])],  # 46 working days: late
        s47=[enquiry("2024-06-03", not_required=True)], plans=[plan("2024-07-01", initial="PHY", previous=1)])]),
    # I and J: plans ending 1 June 2024, one after exactly 2 years, one a day short of it.
    child("I", episodes=[episode("2022-05-01", closed="2024-07-01", reason="RC7",
                                 plans=[plan("2022-06-01", "2024-06-01")])]),
    child("J", disabilities=("MOB",), episodes=[episode("2022-05-01", closed="2024-06-15", reason="RC7",
                                                        plans=[plan("2022-06-02", "2024-06-01")])]),
    # K: a plan open on 31 March 2025 that started on 31 March 2023: exactly 2 years.
    child("K", episodes=[episode("2023-03-01", plans=[plan("2023-03-31", initial="NEG", latest="EMO")])]),
    # L: episode and plan both closed on 31 March 2025: not open on 31 March.
    child("L", episodes=[episode("2024-08-15", source="1A", closed="2025-03-31", reason="RC7",
                                 s47=[enquiry("2024-08-20", "2024-08-20")],  # conference the same day: 0
                                 plans=[plan("2024-09-01", "2025-03-31", initial="SAB", previous=2)])]),
    child("M", episodes=[episode("2025-03-01", source="9", plans=[plan("2025-03-31", initial="EMO")])]),
    # N: only a referral with no further action: never in need.
    child("N", episodes=[episode("2024-09-01", source="10", closed="2024-09-01", reason="RC7", nfa=True)]),
]


@pytest.fixture(scope="module")
def inputs():
    return cin_inputs({("318", 2024): CENSUS_2024, ("318", 2025): CENSUS_2025})


def figure(inputs, indicator, breakdown="Total", category="Total", year=2025):
    got = value(IND[indicator], inputs, "318", year, breakdown, category)
    return got["numerator"], got["denominator"]


def test_referrals_and_their_sources(inputs):
    # 2024/25: A, B, C (twice), D, E, H, L, M, N = 10 (F's 2024 referral is last year's).
    assert figure(inputs, "cin_referrals") == (10, None)
    # 2023/24: A, B, F and G (31 March 2024).
    assert figure(inputs, "cin_referrals", year=2024) == (4, None)
    sources = {"Schools": 1, "Education services": 1, "Police": 2, "Health services": 2, "LA services": 1,
               "Individual": 1, "Anonymous": 1, "Unknown": 1}
    for group, n in sources.items():
        assert figure(inputs, "cin_referrals", "referral_source", group)[0] == n
        assert figure(inputs, "cin_referrals_by_source_pct", "referral_source", group) == (n, 10)
    assert figure(inputs, "cin_referrals_from_school_pct") == (1, 10)
    assert figure(inputs, "cin_referrals_from_health_pct") == (2, 10)  # 3A and 3F
    assert figure(inputs, "cin_referrals_from_police_pct") == (2, 10)
    rate = value(IND["cin_referrals_rate"], inputs, "318", 2025)
    population = inputs.population.filter(la_code="318", year=2025)["population"][0]
    assert rate["denominator"] == population and rate["value"] == pytest.approx(10 * 10_000 / population)


def test_rereferrals_within_12_months(inputs):
    # A (exactly 12 months after 1 June 2023) and C's second referral (3 months after its first,
    # which led to no further action): 2 of 10. B, at 12 months and a day, is not one.
    assert figure(inputs, "cin_rereferrals_12m_pct") == (2, 10)
    assert value(IND["cin_rereferrals_12m_pct"], inputs, "318", 2025)["value"] == pytest.approx(20)
    assert figure(inputs, "cin_rereferrals_12m_pct", "referral_source", "Schools") == (1, 1)  # A
    assert figure(inputs, "cin_rereferrals_12m_pct", "referral_source", "Education services") == (0, 1)  # B
    # 2023/24 would need the 2022/23 census to look back into: no figure.
    assert figure(inputs, "cin_rereferrals_12m_pct", year=2024) == (None, None)


def test_referral_outcomes(inputs):
    assert figure(inputs, "cin_referrals_nfa_pct") == (2, 10)  # C's first and N
    assert figure(inputs, "cin_referrals_not_in_need_pct") == (2, 10)  # D (RC8) and B (RC9)


def test_assessments_in_working_days(inputs):
    # Completed in 2024/25: A (0 days), B (4), C (45), H (46), F (20); E's is still open.
    assert figure(inputs, "cin_assessments") == (5, None)
    bands = {"Same day": 1, "1 to 10 working days": 1, "11 to 20 working days": 1, "41 to 45 working days": 1,
             "46 to 50 working days": 1, "21 to 30 working days": 0}
    for band, n in bands.items():
        assert figure(inputs, "cin_assessments", "duration", band)[0] == (n or None), band
    # Within 45 working days: A, B, C, F = 4 of 5.
    assert figure(inputs, "cin_assessments_45d_pct") == (4, 5)
    assert value(IND["cin_assessments_45d_pct"], inputs, "318", 2025)["value"] == pytest.approx(80)


def test_factors_identified_at_assessment(inputs):
    # Completed assessments recording factors: A (21), B (3A 4B 2B), C (3B 3C 1B), H (4A 16A) = 4.
    assert figure(inputs, "cin_assessment_factors") == (4, None)
    for factor in ("21 No factors identified", "3A Domestic abuse: child", "4B Mental health: parent or carer",
                   "2B Drug misuse: parent or carer", "3C Domestic abuse: another person in the household",
                   "16A Neglect"):
        assert figure(inputs, "cin_assessment_factors", "factor", factor)[0] == 1, factor
    # Groups count assessments: C recorded 3B and 3C, domestic abuse once.
    groups = {"Domestic abuse": 2, "Mental health": 2, "Drug misuse": 1, "Alcohol misuse": 1, "Neglect": 1,
              "No factors identified": 1}
    for group, n in groups.items():
        assert figure(inputs, "cin_assessment_factors", "factor_group", group)[0] == n, group
    rate = value(IND["cin_assessment_factors_rate"], inputs, "318", 2025, "factor_group", "Domestic abuse")
    assert rate["value"] == pytest.approx(2 * 10_000 / rate["denominator"])


def test_domestic_abuse_mental_health_and_substance_misuse_together(inputs):
    # B all three; C domestic abuse and alcohol; H mental health only; A none of them: 1 each of 4.
    expected = {"Domestic abuse, mental health and substance misuse": 1,
                "Domestic abuse and substance misuse, not mental health": 1,
                "Mental health only (of the three)": 1, "None of the three": 1,
                "Domestic abuse and mental health, not substance misuse": 0}
    for combination, n in expected.items():
        assert figure(inputs, "cin_factor_combinations", "combination", combination)[0] == (n or None)
        if n:
            assert figure(inputs, "cin_factor_combinations_pct", "combination", combination) == (1, 4)
    assert figure(inputs, "cin_factor_combinations") == (4, None)


def test_section_47_enquiries_and_conferences(inputs):
    # Started in 2024/25: A, C, H and L (F's started on 25 March 2024).
    assert figure(inputs, "cin_s47") == (4, None)
    # Held in 2024/25: A (15 working days), C (16), F (8: Easter in between), L (0).
    assert figure(inputs, "cin_icpc") == (4, None)
    assert figure(inputs, "cin_icpc_15d_pct") == (3, 4)
    for band, n in {"0 to 10 working days": 2, "11 to 15 working days": 1, "16 to 20 working days": 1}.items():
        assert figure(inputs, "cin_icpc", "timeliness", band)[0] == n, band
    rate = value(IND["cin_s47_rate"], inputs, "318", 2025)
    assert rate["value"] == pytest.approx(4 * 10_000 / rate["denominator"])


def test_child_protection_plans(inputs):
    # Started in 2024/25: H (PHY, 1 previous plan), L (SAB, 2 previous), M (EMO, on 31 March).
    assert figure(inputs, "cin_cpp_starts") == (3, None)
    for category in ("PHY Physical abuse", "SAB Sexual abuse", "EMO Emotional abuse"):
        assert figure(inputs, "cin_cpp_starts", "initial_category", category)[0] == 1
    assert figure(inputs, "cin_cpp_second") == (2, None)
    assert figure(inputs, "cin_cpp_second_pct") == (2, 3)
    # Open on 31 March 2025: K, H, M (L's ended that day). K's began 31 March 2023: 2 years.
    assert figure(inputs, "cin_cpp_31mar") == (3, None)
    assert figure(inputs, "cin_cpp_31mar", "latest_category", "EMO Emotional abuse")[0] == 2  # K and M
    assert figure(inputs, "cin_cpp_31mar", "initial_category", "NEG Neglect")[0] == 1  # K
    assert figure(inputs, "cin_cpp_31mar_2yrs_pct") == (1, 3)
    # Ended in 2024/25: I (exactly 2 years), J (a day short), L (6 months 30 days).
    assert figure(inputs, "cin_cpp_ceased") == (3, None)
    assert figure(inputs, "cin_cpp_ceased_2yrs_pct") == (1, 3)
    for band in ("2 years or more", "1 year to under 2 years", "6 months to under 1 year"):
        assert figure(inputs, "cin_cpp_ceased", "duration", band)[0] == 1, band
    rate = value(IND["cin_cpp_31mar_rate"], inputs, "318", 2025)
    assert rate["value"] == pytest.approx(3 * 10_000 / rate["denominator"])


def test_children_in_need(inputs):
    # On 31 March 2025: A, C, E, F, H, K, M (B, D, I, J and L closed; N only a no-further-action referral).
    assert figure(inputs, "cin_31mar") == (7, None)
    for need, n in {"N1 Abuse or neglect": 5, "N4 Family in acute stress": 1, "N5 Family dysfunction": 1}.items():
        assert figure(inputs, "cin_31mar", "primary_need", need)[0] == n, need
    assert figure(inputs, "cin_31mar", "disabled", "Disabled")[0] == 1  # F
    assert figure(inputs, "cin_31mar", "disability", "HEAR Hearing")[0] == 1
    # During the year: those 7 and I, J, L = 10; B (RC9) and D (RC8) were assessed not in need.
    assert figure(inputs, "cin_in_year") == (10, None)
    assert figure(inputs, "cin_in_year", "disabled", "Disabled")[0] == 2  # F, J
    disabilities = {"HEAR Hearing": 1, "MOB Mobility": 1, "NONE No disability": 8, "AUT Autism": None}
    for disability, n in disabilities.items():
        assert figure(inputs, "cin_in_year", "disability", disability)[0] == n, disability
    # B's two disabilities overlap: on a census of B alone, Total 1 but AUT 1 and LD 1.
    b_only = cin_inputs({("318", 2025): [child("B", disabilities=("AUT", "LD"), episodes=[episode("2024-06-02")])]})
    got = {c: value(IND["cin_31mar"], b_only, "318", 2025, *c)["numerator"]
           for c in [("Total", "Total"), ("disability", "AUT Autism"), ("disability", "LD Learning")]}
    assert list(got.values()) == [1, 1, 1]
    rate = value(IND["cin_31mar_rate"], inputs, "318", 2025)
    assert rate["value"] == pytest.approx(7 * 10_000 / rate["denominator"])


def test_every_cin_indicator_is_declared_fully():
    cin = [i for i in IND.values() if i.source == "CIN census"]
    assert len(cin) >= 30
    for item in cin:
        assert item.definition and item.numerator and item.topic and item.first_year >= 2019
        assert item.needs_denominator == bool(item.denominator) or item.unit == "rate_per_10k", item.id
        assert set(item.overlapping) <= set(item.breakdowns), item.id
