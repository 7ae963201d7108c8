"""Partner data made from generated returns: the right children, consistent with the returns,
identifiers noisy but recognisable, and the ground truth kept apart."""

import datetime as dt

import polars as pl
import pytest

from carestat.linkage import make_partner_data
from carestat.synth import GenerateOptions, generate, parse_las


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("partners")
    generate(GenerateOptions(out=root / "returns", years=(2024, 2025), las=parse_las("805"), seed=3, workers=1))
    result = make_partner_data(root / "returns", root / "extracts", share=0.05, seed=2)
    return root, result


def test_ground_truth_is_apart_and_complete(made):
    root, result = made
    assert result.truth == root / "extracts-ground-truth" and result.truth.is_dir()
    assert not any("person_id" in pl.read_csv(p, n_rows=1).columns for p in result.extracts.rglob("*.csv"))
    truth = pl.read_csv(result.truth / "records.csv", infer_schema=False)
    assert {k: v for k, v in truth.group_by("dataset").len().iter_rows()} == result.records


def test_la_extract_holds_the_returns_children_aged_10_to_21(made):
    root, result = made
    header = pl.read_csv(root / "returns" / "2025" / "805" / "ssda903" / "header.csv", infer_schema=False)
    la = pl.read_csv(result.extracts / "la" / "children.csv", infer_schema=False)
    dob = header["DOB"].str.to_date("%d/%m/%Y")
    # aged 10 to 21 at some point from 1 April 2023 to 31 March 2025
    in_range = header.filter((dob > dt.date(2001, 4, 1)) & (dob <= dt.date(2015, 3, 31)))
    ours = la.filter(pl.col("looked_after") == "true")
    assert set(in_range["CHILD"]) <= set(ours["child_id"])
    assert ours.join(in_range.select(child_id="CHILD", DOB="DOB"), on="child_id").height == in_range.height
    # the LA's own records are clean but for a little noise: almost every date of birth agrees
    joined = la.join(header.select(child_id="CHILD", DOB=dob), on="child_id")
    same = (joined["dob"].str.to_date() == joined["DOB"]).mean()
    assert same > 0.98


def test_care_leavers_in_oc3_are_flagged(made):
    root, result = made
    oc3 = pl.read_csv(root / "returns" / "2025" / "805" / "ssda903" / "oc3.csv", infer_schema=False)
    la = pl.read_csv(result.extracts / "la" / "children.csv", infer_schema=False)
    flagged = set(la.filter(pl.col("care_leaver") == "true")["child_id"])
    assert set(oc3["CHILD"]) & set(la["child_id"]) <= flagged


def test_partner_identities_are_noisy_but_mostly_right(made):
    _, result = made
    people = pl.read_csv(result.truth / "people.csv", infer_schema=False)
    truth = pl.read_csv(result.truth / "records.csv", infer_schema=False).filter(pl.col("dataset") == "school")
    pupils = pl.read_csv(result.extracts / "school" / "pupils.csv", infer_schema=False)
    joined = pupils.join(truth, left_on="pupil_id", right_on="record_id").join(people, on="person_id",
                                                                               suffix="_true")
    agree = {c: (joined[c] == joined[f"{c}_true"]).mean() for c in ("forename", "surname", "dob")}
    assert all(0.85 < v < 1.0 for v in agree.values()), agree  # noisy, not garbled
    assert (joined["upn"] == joined["upn_true"]).all()  # the school census's own key
