"""Comparators against values worked out by hand from the published figures (2025, 2025 neighbour
lists). The raw inputs are in the comments: each LA's value, its ten neighbours' values, its
region and England, the spread of every LA's value (value: number of LAs), and the value two years
before. Looked up once from ``refdata.published_la_indicators()`` and the regional/national files."""

import polars as pl
import pytest

from carestat import refdata
from carestat.analysis import compare, values
from carestat.analysis.comparators import benchmark, neighbours
from carestat.errors import UsageError

IDS = ["cla_3plus_placements_pct", "care_leavers_19_21_eet_pct", "sw_average_caseload", "cla_rate_per_10k"]


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return compare(values.published(), IDS, year=2025)


def row(table: pl.DataFrame, indicator: str, la: str) -> dict:
    found = table.filter((pl.col("indicator_id") == indicator) & (pl.col("old_la_code") == la))
    assert found.height == 1
    return found.row(0, named=True)


# Each case: indicator, LA, then what the comparison must say, worked out below.
CASES = [
    # cla_3plus_placements_pct 2025 (lower is better), 151 LAs. Spread: 0:1 5:3 6:7 7:14 8:14 9:18 10:20
    # 11:26 12:19 13:10 14:10 15:2 16:4 18:3.
    # Richmond (318) 7 (9 of 121 children). Neighbours 868:11 314:7 936:8 872:5 305:11 358:6 825:10 919:11
    # 800:8 869:12 -> 89/10 = 8.9. London 10, England 10. LAs below 7: 1+3+7 = 11, so rank 12 (shared by
    # all 14 LAs on 7); band ceil(4x12/151) = ceil(0.32) = 1 -> A. 2023: 15 -> 7, down 8 points -> improving.
    ("cla_3plus_placements_pct", "318", dict(value=7.0, neighbour_average=8.9, neighbours_with_value=10,
                                             region_value=10.0, england_value=10.0, rank=12, n_ranked=151,
                                             quartile="A", value_two_years_before=15.0, direction="improving")),
    # Hartlepool (805) 9. Neighbours 807:9 394:9 393:6 890:8 806:12 390:7 840:9 876:11 372:13 340:7 -> 91/10
    # = 9.1. North East 10, England 10. Below 9: 1+3+7+14+14 = 39 -> rank 40; ceil(160/151) = 2 -> B.
    # 2023: 7 -> 9, up 2 points (the threshold is "at least 2") -> worsening.
    ("cla_3plus_placements_pct", "805", dict(value=9.0, neighbour_average=9.1, region_value=10.0, rank=40,
                                             quartile="B", value_two_years_before=7.0, direction="worsening")),
    # care_leavers_19_21_eet_pct 2025 (higher is better), 152 LAs. Spread above 57: 58:5 59:3 60:9 61:4 62:2
    # 63:3 64:7 65:3 66:2 67:2 68:2 69:2 72:1 73:1 74:2 75:1 76:1 79:1 (51 LAs); at or below 45: 28:1 39:2
    # 40:1 41:3 42:1 43:2 44:3 45:4 (17 LAs).
    # Richmond 57. Neighbours 60 51 56 56 56 56 52 56 65 63 -> 571/10 = 57.1. London 57, England 54.
    # 51 LAs above -> rank 52; ceil(208/152) = 2 -> B. 2023: 57 -> 57 -> no clear change.
    ("care_leavers_19_21_eet_pct", "318", dict(value=57.0, neighbour_average=57.1, region_value=57.0,
                                               england_value=54.0, rank=52, n_ranked=152, quartile="B",
                                               direction="no clear change")),
    # Hartlepool 45. Neighbours 49 45 74 46 41 46 41 51 46 52 -> 491/10 = 49.1. North East 48, England 54.
    # Above 45: 152 - 17 = 135 -> rank 136; ceil(544/152) = 4 -> D. 2023: 35 -> 45, up 10 -> improving.
    ("care_leavers_19_21_eet_pct", "805", dict(value=45.0, neighbour_average=49.1, region_value=48.0, rank=136,
                                               quartile="D", value_two_years_before=35.0, direction="improving")),
    # sw_average_caseload 2025 (lower is better, not a percentage: the threshold is 5% of the earlier value),
    # 151 LAs. Below 13.9: 6.0:1 10.1:2 11.2:3 11.4:2 11.7:1 11.9:1 12.0:1 12.1:1 12.2:1 12.3:1 12.7:2 12.8:1
    # 13.1:4 13.3:2 13.4:1 13.5:2 13.6:2 13.7:2 13.8:2 = 32 LAs; five LAs on 13.9, Richmond and Hartlepool
    # among them: both rank 33 (ties share the lower rank); ceil(132/151) = 1 -> A for both.
    # Richmond 13.9. Neighbours 16.9 13.9 15.1 15.2 15.0 14.3 18.1 12.7 16.3 15.0 -> 152.5/10 = 15.25.
    # London 13.8, England 15.2. 2023: 12.3 -> 13.9, up 1.6 >= 0.615 (5% of 12.3) -> worsening.
    ("sw_average_caseload", "318", dict(value=13.9, neighbour_average=15.25, region_value=13.8, england_value=15.2,
                                        rank=33, n_ranked=151, quartile="A", direction="worsening")),
    # Hartlepool 13.9. Neighbours 17.5 17.1 14.6 16.8 15.6 17.2 16.6 16.9 13.3 16.9 -> 162.5/10 = 16.25.
    # North East 16.5. 2023: 15.7 -> 13.9, down 1.8 >= 0.785 -> improving.
    ("sw_average_caseload", "805", dict(value=13.9, neighbour_average=16.25, region_value=16.5, rank=33,
                                        quartile="A", direction="improving")),
    # cla_rate_per_10k 2025 is neutral: no rank or band; direction is increasing/decreasing.
    # Richmond 27. Neighbours 40 30 35 34 47 62 40 36 60 53 -> 437/10 = 43.7. London 48, England 67.
    # 2023: 29 -> 27, down 2 >= 1.45 (5% of 29) -> decreasing.
    ("cla_rate_per_10k", "318", dict(value=27.0, neighbour_average=43.7, region_value=48.0, england_value=67.0,
                                     rank=None, n_ranked=None, quartile=None, direction="decreasing")),
    # Hartlepool 157. 2023: 159 -> 157, down 2 < 7.95 (5% of 159) -> no clear change.
    ("cla_rate_per_10k", "805", dict(value=157.0, rank=None, quartile=None, direction="no clear change")),
]


@pytest.mark.parametrize(("indicator", "la", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_matches_hand_worked_values(table, indicator, la, expected):
    got = row(table, indicator, la)
    for key, value in expected.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value), key
        else:
            assert got[key] == value, key
    assert got["neighbours_listed"] == 10


def test_neighbour_average_uses_the_neighbours_that_have_a_value():
    # Richmond's 3+ placements without two of its neighbours (868: 11, 869: 12): (89 - 23) / 8 = 8.25.
    frame = values.published().filter(~((pl.col("indicator_id") == "cla_3plus_placements_pct")
                                        & pl.col("old_la_code").is_in(["868", "869"])))
    got = row(compare(frame, ["cla_3plus_placements_pct"], 2025), "cla_3plus_placements_pct", "318")
    assert (got["neighbours_listed"], got["neighbours_with_value"]) == (10, 8)
    assert got["neighbour_average"] == pytest.approx(8.25)


def test_reorganised_las_and_missing_lists_are_handled():
    # Cumberland (942) and Westmorland and Furness (943) have no 2021 list: no neighbours, still ranked.
    old = compare(values.published(), ["cla_3plus_placements_pct"], 2025, neighbour_list=2021)
    cumberland = row(old, "cla_3plus_placements_pct", "942")
    assert cumberland["neighbours_listed"] == 0 and cumberland["neighbour_average"] is None
    assert cumberland["rank"] is not None
    # Cumberland began in 2023/24: no value two years before, so no direction of travel.
    assert cumberland["direction"] is None and cumberland["value_two_years_before"] is None
    # Northamptonshire (928) is compared in its own years, with its own list.
    before = row(compare(values.published(), ["cla_3plus_placements_pct"], 2020), "cla_3plus_placements_pct", "928")
    assert before["neighbours_listed"] == 10 and before["neighbours_with_value"] == 10
    assert len(neighbours(refdata.resolve_la("943"), 2021)) == 0 and len(neighbours(refdata.resolve_la("943"))) == 10


def test_no_region_or_england_rows_means_none():
    las_only = values.la_values(values.published())
    got = row(compare(las_only, ["cla_3plus_placements_pct"], 2025), "cla_3plus_placements_pct", "318")
    assert got["region_value"] is None and got["england_value"] is None
    assert got["neighbour_average"] == pytest.approx(8.9)


def toy(values_by_la: dict[str, float], indicator="cla_3plus_placements_pct", year=2025) -> pl.DataFrame:
    return pl.DataFrame([{"indicator_id": indicator, "year": year, "geographic_level": "Local authority",
                          "area_code": refdata.resolve_la(code).new_la_code, "old_la_code": code, "area_name": None,
                          "value": v, "numerator": None, "denominator": None, "source": "test"}
                         for code, v in values_by_la.items()], schema=values.VALUE_COLUMNS)


def test_quartiles_are_four_groups_by_rank_and_ties_share_a_band():
    # Ten LAs, lower is better: ranks 1..10 give bands ceil(4r/10): A A B B B C C D D D.
    codes = ["201", "202", "203", "204", "205", "206", "207", "208", "209", "210"]
    got = compare(toy({c: float(i) for i, c in enumerate(codes)}), year=2025).sort("rank")
    assert got["quartile"].to_list() == list("AABBBCCDDD")
    # Ties: three LAs on the best value share rank 1 and band A; the next is rank 4.
    tied = compare(toy({"201": 5.0, "202": 5.0, "203": 5.0, "204": 6.0, "205": 7.0, "206": 8.0, "207": 9.0,
                        "208": 10.0}), year=2025).sort("old_la_code")
    assert tied["rank"].to_list() == [1, 1, 1, 4, 5, 6, 7, 8]
    assert tied["quartile"].to_list() == list("AAABCCDD")
    # Higher is better reverses the order.
    up = compare(toy({"201": 1.0, "202": 2.0}, "care_leavers_19_21_eet_pct"), year=2025).sort("old_la_code")
    assert up["rank"].to_list() == [2, 1]


def test_direction_threshold_edges():
    # Percentages: a 2-point change counts, 1.9 does not. Lower is better for 3+ placements.
    frame = pl.concat([toy({"201": 10.0, "202": 10.0, "203": 0.0}, year=2023),
                       toy({"201": 12.0, "202": 8.1, "203": 0.0}, year=2025)])
    got = compare(frame, year=2025).sort("old_la_code")
    assert got["direction"].to_list() == ["worsening", "no clear change", "no clear change"]
    assert got["change_3y"].to_list() == pytest.approx([2.0, -1.9, 0.0])


def test_benchmark_narrows_and_refuses_nonsense():
    table = benchmark(values.published(), la="Hartlepool", indicator_ids=["cla_3plus_placements_pct"])
    assert table.height == 1 and table["year"].item() == 2025
    with pytest.raises(UsageError):
        benchmark(values.published(), indicator_ids=["no_such_indicator"])
    with pytest.raises(UsageError):
        compare(values.published(), neighbour_list=2019)
