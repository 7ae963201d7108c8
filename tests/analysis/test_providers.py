"""Provider quality, worked out by hand for Richmond (318), 31 March 2025, against a hand-built
Ofsted provider list with two snapshots (31 March 2023 and 2024)."""

import datetime as dt

import polars as pl
import pytest

from carestat.analysis.providers import (
    NO_URN,
    NOT_INSPECTED,
    NOT_LISTED,
    for_publication,
    placements,
    provider_list,
    provider_quality,
    snapshot_note,
)
from tests.indicators.harness import inputs_from

# SC000001 was judged requires improvement in 2023 and good in 2024: the 2024 list applies to 31 March 2025.
SNAPSHOTS = pl.DataFrame({
    "as_at": [dt.date(2023, 3, 31)] * 4 + [dt.date(2024, 3, 31)] * 4,
    "urn": ["SC000001", "SC000002", "SC000003", "SC000004"] * 2,
    "provision_type": ["Children's home", "Children's home", "Independent Fostering Agency", "Children's home"] * 2,
    "judgement_overall_experiences_and_progress": [
        "Requires improvement to be good", "Inadequate", "Outstanding", None,
        "Good", "Inadequate", "Outstanding", None],
})


def ep(child, decom, urn, place="K2", rne="S", dec=None, rec=None, cin="N1", home="TW9 1AA", post="TW10 6AA", ls="C2"):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place, "CIN": cin,
            "PLACE_PROVIDER": "PR4", "REC": rec or ("X1" if dec else None), "HOME_POST": home, "PL_POST": post,
            "URN": urn}


@pytest.fixture(scope="module")
def inputs():
    header = [{"CHILD": c, "SEX": "M", "DOB": "01/01/2012", "ETHNIC": "WBRI"} for c in "ABCDEFGH"]
    episodes = [
        ep("A", "01/06/2024", "SC000001", post="M1 1AA"),         # Good (2024 list); 161.7 miles from home
        # B: three placements in the year (two foster homes through the IFA, then a children's home
        # judged inadequate), category of need N4, 0.2 miles from home.
        ep("B", "01/05/2024", "SC000003", place="U6", dec="01/07/2024", cin="N4"),
        ep("B", "01/07/2024", "SC000003", place="U6", rne="P", dec="01/10/2024", cin="N4"),
        ep("B", "01/10/2024", "SC000002", rne="P", cin="N4"),
        ep("C", "01/06/2024", "sc000003", place="U6", home=None),  # Outstanding IFA; UASC, no home postcode
        ep("D", "01/06/2024", "XXXXXXX", place="U1"),              # the LA's own foster carers: no URN
        ep("E", "01/06/2024", "SC999999"),                         # a URN not on the list
        ep("F", "01/06/2024", "SC000004"),                         # registered, not yet inspected
        ep("G", "01/06/2024", "SC000001", dec="01/09/2024", rec="E4A"),  # left care before 31 March
        ep("H", "01/06/2024", "SC000002", ls="V3"),                # short breaks only: not looked after
    ]
    uasc = [{"CHILD": "C", "SEX": "M", "DOB": "01/01/2012", "DUC": "01/01/2030"}]
    return inputs_from({("318", 2025): {"Header": header, "Episodes": episodes, "UASC": uasc}})


@pytest.fixture(scope="module")
def providers():
    return provider_list(SNAPSHOTS)


@pytest.fixture(scope="module")
def quality(inputs, providers):
    return provider_quality(inputs, providers)


def cell(frame, indicator, breakdown="Total", category="Total", level="Local authority"):
    got = frame.filter((pl.col("indicator_id") == indicator) & (pl.col("geographic_level") == level)
                       & (pl.col("breakdown") == breakdown) & (pl.col("category") == category))
    assert got.height == 1, (indicator, breakdown, category, got)
    return got.select("numerator", "denominator", "value").row(0)


def test_each_child_matched_by_urn(inputs, providers):
    p = placements(inputs, providers).sort("child_key")
    status = dict(zip(p["child_key"], p["provider_status"], strict=True))
    # G left care and H was on short breaks only: neither was looked after on 31 March.
    assert status == {"A": "Good", "B": "Inadequate", "C": "Outstanding", "D": NO_URN, "E": NOT_LISTED,
                      "F": NOT_INSPECTED}
    assert set(p["judgement_as_at"].to_list()) == {dt.date(2024, 3, 31)}
    assert dict(zip(p["child_key"], p["placements_in_year"], strict=True))["B"] == "3 or more"


def test_share_with_good_or_outstanding_providers(quality):
    # Judged providers: A (good), B (inadequate), C (outstanding) -> 2 of 3.
    num, den, value = cell(quality, "cla_provider_good_outstanding_pct")
    assert (num, den) == (2, 3) and value == pytest.approx(200 / 3)
    # Of the six children looked after, three have a judged provider.
    assert cell(quality, "cla_provider_judged_pct")[:2] == (3, 6)


@pytest.mark.parametrize(("breakdown", "category", "expected"), [
    ("placements_in_year", "3 or more", (0, 1)),           # B
    ("placements_in_year", "Fewer than 3", (2, 2)),        # A, C
    ("uasc", "UASC", (1, 1)),                              # C
    ("uasc", "Not UASC", (1, 2)),                          # A, B
    ("distance", "More than 20 miles", (1, 1)),            # A
    ("distance", "20 miles or less", (0, 1)),              # B
    ("distance", "Not known", (1, 1)),                     # C: no home postcode
    ("category_of_need", "N1", (2, 2)),                    # A, C
    ("category_of_need", "N4", (0, 1)),                    # B
    ("provision_type", "Children's home", (1, 2)),         # A, B
    ("provision_type", "Independent Fostering Agency", (1, 1)),  # C
])
def test_share_by_need(quality, breakdown, category, expected):
    assert cell(quality, "cla_provider_good_outstanding_pct", breakdown, category)[:2] == expected


def test_unmatched_children_are_counted(quality):
    for status, n in [("Good", 1), ("Inadequate", 1), ("Outstanding", 1), (NO_URN, 1), (NOT_LISTED, 1),
                      (NOT_INSPECTED, 1)]:
        assert cell(quality, "cla_provider_status", "provider_status", status)[0] == n
    assert cell(quality, "cla_provider_status")[0] == 6
    # The judged share by need has the unmatched children in its denominator: 3 or more placements
    # is B only (judged); fewer than 3 is A, C (judged) and D, E, F (not).
    assert cell(quality, "cla_provider_judged_pct", "placements_in_year", "Fewer than 3")[:2] == (2, 5)


def test_snapshot_used_for_each_year(providers):
    # 2025: the latest list on or before 31 March 2025 (2024). 2022: no list that early, so the
    # earliest (2023), and the note says so.
    note = snapshot_note(pl.DataFrame({"year": [2022, 2025]}), providers)
    assert note.endswith("2022: 2023-03-31, 2025: 2024-03-31")


def test_publication_suppresses_small_counts(quality):
    before = quality.clone()
    published = for_publication(quality)
    la = published.filter(pl.col("geographic_level") == "Local authority")
    # Every LA count of 1 to 5 (here: all of them) is shown as c, with no number.
    small = la.filter(pl.col("numerator").is_between(1, 5))
    assert small.height and (small["flag"] == "c").all()
    assert small["value_published"].is_null().all()
    assert quality.equals(before)  # the unsuppressed table is left as it was


def test_table_and_files(quality, tmp_path):
    from carestat.analysis.warning_report import providers_text, write_providers

    published = for_publication(quality)
    text = providers_text(published, synthetic=True)
    assert "318" in text and "Synthetic data" in text
    line = next(x for x in text.splitlines() if x.startswith("318"))
    assert line.split()[-1] == "c"  # 2 of 3 judged providers good: a count of 1 to 5, suppressed
    paths = write_providers(published, tmp_path, True, "note")
    assert [p.name for p in paths] == ["provider_quality.csv", "provider_quality.json"]
    assert pl.read_csv(paths[0])["synthetic"].all()
