"""Reading values as their types: dates, numbers and codes, and what could not be read."""

import datetime as dt

import polars as pl
import pytest

from carestat.ingest.derived903 import sector_of
from carestat.ingest.typing import apply_types, parse_date
from carestat.spec import spec


@pytest.mark.parametrize(("text", "expected"), [
    ("01/02/2020", dt.date(2020, 2, 1)), (" 01/02/2020 ", dt.date(2020, 2, 1)), ("1/2/2020", dt.date(2020, 2, 1)),
    ("2020-02-01", dt.date(2020, 2, 1)), ("2020-02-01T10:30:00", dt.date(2020, 2, 1)),
    ("31/02/2020", None), ("01/01/24", None), ("01/01/0999", None), ("", None), ("   ", None), (None, None),
])
def test_parse_date(text, expected):
    assert pl.DataFrame({"d": [text]}, schema={"d": pl.Utf8}).select(parse_date(pl.col("d")))["d"][0] == expected


def test_types_blanks_and_unreadable_values():
    table = spec("903", 2025).table("OC2")
    rows = {f.name: [None, None, None] for f in table.fields}
    rows.update(CHILD=[" C1 ", "C2", "C3"], DOB=["01/02/2010", " ", "2010-13-01"], SDQ_SCORE=["12.0", "x", "  "],
                SDQ_REASON=["sdq1", "", None])
    raw = pl.DataFrame({"_file": ["f"] * 3, "_row": [1, 2, 3], **rows},
                       schema={"_file": pl.Utf8, "_row": pl.UInt32, **{f.name: pl.Utf8 for f in table.fields}})
    typed = apply_types(raw, table)
    assert typed["CHILD"].to_list() == ["C1", "C2", "C3"]
    assert typed["DOB"].to_list() == [dt.date(2010, 2, 1), None, None]
    assert typed["SDQ_SCORE"].to_list() == [12, None, None]
    assert typed["SDQ_REASON"].to_list() == ["SDQ1", None, None]
    assert typed["_invalid"].to_list() == [None, ["SDQ_SCORE"], ["DOB"]]


@pytest.mark.parametrize(("postcode", "sector"), [
    ("SE1 8AB", "SE1 8"),    # full postcode
    ("se18 6ab", "SE18 6"),  # lower case, another district
    ("SE186AB", "SE18 6"),   # no space
    ("SE1 8", "SE1 8"),      # a sector as given
    ("SE18", "SE18"),        # a bare district is not read as the sector SE1 8
    ("M11", "M11"),
    ("EC1A1", "EC1A 1"),     # not an outward code on its own, so outward + inward digit
    ("W1A 0AX", "W1A 0"),
    (None, None),
])
def test_postcode_sector_respects_district_boundaries(postcode: str | None, sector: str | None) -> None:
    frame = pl.DataFrame({"p": [postcode]}, schema={"p": pl.String})
    assert frame.select(sector_of(pl.col("p"))).item() == sector
