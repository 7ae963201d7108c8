"""The indicator engine's shortcuts give what the plain definitions give."""

import datetime as dt

import polars as pl
import pytest

from carestat.indicators import compute
from carestat.indicators.inputs import CHILD_ID, collection_year_of
from carestat.indicators.views import age_band, age_on, age_on_31_march
from tests.indicators.harness import inputs_from


def test_collection_year_and_age_on_31_march_follow_the_calendar():
    days = pl.date_range(dt.date(1995, 1, 1), dt.date(2030, 12, 31), eager=True)
    frame = pl.DataFrame({"day": days}).vstack(pl.DataFrame({"day": [None]}, schema={"day": pl.Date}))
    got = frame.with_columns(year=collection_year_of(pl.col("day"))).with_columns(
        age=age_on_31_march(pl.col("day"), pl.lit(2025, dtype=pl.Int64)),
        plain_age=age_on(pl.col("day"), pl.lit(dt.date(2025, 3, 31))))
    plain_year = pl.col("day").dt.year().cast(pl.Int64) + (pl.col("day").dt.month() >= 4).cast(pl.Int64)
    assert got.select((pl.col("year").eq_missing(plain_year)).all()).item()
    assert got.select(pl.col("age").eq_missing(pl.col("plain_age")).all()).item()


@pytest.mark.parametrize(("age", "label"), [
    (None, "16 and over"), (-2, "Under 1"), (0, "Under 1"), (1, "1 to 4 years"), (4, "1 to 4 years"),
    (5, "5 to 9 years"), (9, "5 to 9 years"), (10, "10 to 15 years"), (15, "10 to 15 years"),
    (16, "16 and over"), (40, "16 and over"),
])
def test_age_band(age, label):
    # As a chain of "younger than" tests over AGE_BANDS, a null age falling through to the last.
    assert pl.select(age_band(pl.lit(age, dtype=pl.Int32))).item() == label


def ep(child, decom, dec=None, rne="S", ls="C2", place="U4", rec=None):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "RNE": rne, "LS": ls, "PLACE": place,
            "REC": rec or ("X1" if dec else None), "CIN": "N1", "PLACE_PROVIDER": "PR1"}


def test_threads_and_ids_change_nothing():
    # Two LAs holding the same child reference (keys are per LA), over two years, with an episode
    # in both returns (the later copy wins) and one child with no key.
    header = [{"CHILD": "A", "SEX": "M", "DOB": "01/06/2015", "ETHNIC": "WBRI"},
              {"CHILD": "B", "SEX": "F", "DOB": "01/01/2012", "ETHNIC": "BAFR"}]
    returns = {
        ("318", 2024): {"Header": header, "Episodes": [ep("A", "01/01/2023", "01/06/2023", rec="E4A"),
                                                       ep("A", "01/09/2023"), ep("B", "01/02/2024")]},
        ("318", 2025): {"Header": header, "Episodes": [ep("A", "01/09/2023", "01/10/2024", rec="E11"),
                                                       ep("B", "01/02/2024", "03/04/2024", rec="X1"),
                                                       ep("B", "03/04/2024", rne="P", place="K2")]},
        ("319", 2025): {"Header": [*header[:1], {"CHILD": None, "SEX": "F", "DOB": "01/01/2010"}],
                        "Episodes": [ep("A", "01/05/2024"), ep(None, "01/06/2024")]},
    }
    inputs = inputs_from(returns)
    assert inputs.keyed("Episodes")[CHILD_ID].n_unique() == 4  # A and B in 318, A and the blank in 319
    one = compute(inputs, workers=1)
    assert one.height > 0
    assert compute(inputs_from(returns), workers=3).equals(one)
