"""Hand-checkable pieces of the linkage: noise, standardisation, clusters, metrics, latent classes."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carestat.linkage import latent, noise
from carestat.linkage.clusters import connected_components
from carestat.linkage.evaluate import pairwise_metrics
from carestat.linkage.model import standardise


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize("seed", range(20))
def test_a_typo_is_one_small_edit(seed):
    rng = np.random.default_rng(seed)
    out = noise.typo("Harrison", rng)
    # a substitution, deletion or insertion is one edit; a swap of neighbours is two
    assert 0 <= _edit_distance("Harrison", out) <= 2 and out[0] == "H"


def test_day_and_month_transposed_only_where_both_can_be_a_month():
    dob = pl.Series("dob", [dt.date(2008, 3, 7), dt.date(2008, 3, 25), dt.date(2008, 5, 5)])
    out = noise.dates_of_birth(dob, noise.Noise(dob_swap=1.0, dob_typo=0.0), np.random.default_rng(1))
    # 7 March -> 3 July; 25 March cannot be swapped; 5 May is the same either way
    assert out.to_list() == [dt.date(2008, 7, 3), dt.date(2008, 3, 25), dt.date(2008, 5, 5)]


def test_standardise_names_nicknames_postcodes_and_swapped_dates():
    raw = pl.DataFrame({"pupil_id": ["S1"], "forename": ["bill "], "surname": ["O'Brien"], "dob": ["2009-04-11"],
                        "sex": ["m"], "postcode": ["tw91ab"], "upn": [" a123 "]})
    row = standardise(raw, "school", pl.col("pupil_id")).row(0, named=True)
    assert row["unique_id"] == "school:S1" and row["forename"] == "BILL" and row["forename_std"] == "WILLIAM"
    assert row["surname"] == "OBRIEN" and row["postcode"] == "TW9 1AB" and row["upn"] == "A123"
    assert row["dob"] == dt.date(2009, 4, 11) and row["dob_swapped"] == dt.date(2009, 11, 4)


def test_connected_components_join_chains_and_keep_singletons():
    pairs = pl.DataFrame({"unique_id_l": ["a", "c", "x"], "unique_id_r": ["b", "b", "y"]})
    out = connected_components(pairs, pl.Series(["a", "b", "c", "d", "x", "y"]))
    clusters = dict(out.iter_rows())
    assert clusters == {"a": "a", "b": "a", "c": "a", "d": "d", "x": "x", "y": "x"}


def test_pairwise_metrics_by_hand():
    # P1 has records in three data sets (three true pairs), P2 in two (one true pair): four in all.
    truth = pl.DataFrame({"unique_id": ["la:a", "school:b", "employment:c", "la:d", "school:e"],
                          "person_id": ["P1", "P1", "P1", "P2", "P2"]})
    pairs = pl.DataFrame({"unique_id_l": ["la:a", "school:b", "la:d"], "unique_id_r": ["school:b", "employment:c",
                                                                                       "school:b"],
                          "match_probability": [0.99, 0.6, 0.95]})
    m = pairwise_metrics(pairs, truth, thresholds=(0.5, 0.9))
    at = {(r["threshold"], r["level"]): r for r in m.to_dicts()}
    # 0.9 keeps a-b (right) and d-b (wrong): precision 1/2, recall 1/4
    assert at[(0.9, "pairs")]["precision"] == 0.5 and at[(0.9, "pairs")]["recall"] == 0.25
    # its cluster {a, b, d} implies a-b and b-d across data sets (a-d are both LA records)
    assert at[(0.9, "clusters")]["predicted"] == 2 and at[(0.9, "clusters")]["true_positives"] == 1
    # 0.5 also keeps b-c: 3 pairs, 2 right; cluster {a, b, c, d}: a-b a-c b-c b-d c-d, 3 right
    assert at[(0.5, "pairs")]["true_positives"] == 2 and at[(0.5, "pairs")]["precision"] == pytest.approx(2 / 3)
    assert at[(0.5, "clusters")]["predicted"] == 5 and at[(0.5, "clusters")]["recall"] == 0.75


def test_latent_classes_recover_two_known_profiles_and_bic_chooses_two():
    rng = np.random.default_rng(0)
    truth = np.array([[0.9, 0.8, 0.1, 0.1], [0.1, 0.2, 0.8, 0.9]])
    member = rng.random(3000) < 0.3
    x = (rng.random((3000, 4)) < truth[member.astype(int)]).astype(float)
    best, fits = latent.choose(x, max_k=4)
    assert best.k == 2 and [f.k for f in fits] == [1, 2, 3, 4]
    # classes are numbered largest first: the 70% class is profile 0 of member == False
    assert best.shares[0] == pytest.approx(0.7, abs=0.03)
    assert np.abs(best.probabilities - truth).max() < 0.05
    assert (best.membership == member.astype(int)).mean() > 0.9


def test_weights_count_as_people_in_latent_class_shares():
    x = np.array([[1.0, 1.0]] * 50 + [[0.0, 0.0]] * 50)
    weights = np.array([3.0] * 50 + [1.0] * 50)
    fit = latent.fit(x, 2, weights)
    assert fit.shares[0] == pytest.approx(0.75, abs=1e-3)


def test_a_child_in_a_predecessor_and_its_successor_is_one_child_of_the_successor():
    from carestat.linkage.returns import _relabel, successor_map

    # Northamptonshire (928) became North (940) and West (941) Northamptonshire in 2021/22
    rows = pl.DataFrame({"la_code": ["928", "940", "928", "873"],
                         "child_id": ["940000001", "940000001", "941000002", "873000001"]})
    out = _relabel(rows, successor_map(rows)).unique().sort("child_id")
    assert out.rows() == [("873", "873000001"), ("940", "940000001"), ("928", "941000002")]


def test_a_small_clusters_profile_is_withheld_with_its_size() -> None:
    from carestat.linkage.analysis import CLASS_OUTCOMES, disclose, withhold_small_profiles

    rows = [{"latent_class": c, "people": n, "all_people": 503, "share_pct": 100 * n / 503,
             **{f"{o}_pct": 40.0 for o in CLASS_OUTCOMES}} for c, n in ((1, 500), (2, 3))]
    profile = withhold_small_profiles(disclose(pl.DataFrame(rows), "people", "all_people", "share_pct", "%", 2025))
    big, small = profile.to_dicts()
    assert small["share_pct_display"] == "c" and big["share_pct_display"] != "c"
    assert all(small[f"{o}_pct"] is None for o in CLASS_OUTCOMES)
    assert all(big[f"{o}_pct"] == 40.0 for o in CLASS_OUTCOMES)


def test_upset_bars_show_numbers_with_thousands_separators() -> None:
    from carestat.linkage.upset import Bar, upset_chart

    svg = upset_chart([Bar(("a",), 10279.0, "10279"), Bar(("a", "b"), None, "c")], ["a", "b"],
                      {"a": "Suspended", "b": "Excluded"}, "Title")
    assert "10,279" in svg and "10279" not in svg and ">c<" in svg
