"""The synthetic SSDA903 generator's invariants: layout, histories, consistency, cleanliness."""

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from carestat.errors import OutputError, UsageError
from carestat.spec import spec
from carestat.synth import GenerateOptions, generate, parse_las, parse_years
from carestat.validate import validate_903
from carestat.validate.providers import read_providers
from tests.synth.conftest import SMALL, YEARS


def _read(generated: Path, year: int, la: str, table: str) -> pl.DataFrame:
    name = spec("903", year).table(table).csv_name
    return pl.read_csv(generated / str(year) / la / "ssda903" / f"{name}.csv", infer_schema=False)


def _dates(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns([pl.col(c).str.to_date("%d/%m/%Y") for c in cols])


def test_layout_and_dfe_columns(generated):
    for year in YEARS:
        for la in SMALL.split(","):
            folder = generated / str(year) / la / "ssda903"
            for name, table in spec("903", year).tables.items():
                frame = pl.read_csv(folder / f"{table.csv_name}.csv", infer_schema=False)
                assert tuple(frame.columns) == table.columns, name
    assert (generated / "calibration.csv").exists() and (generated / "providers.csv").exists()


@pytest.mark.parametrize("year", YEARS)
def test_episodes_ordered_and_not_overlapping(generated, year):
    for la in SMALL.split(","):
        e = _dates(_read(generated, year, la, "Episodes"), "DECOM", "DEC").sort("CHILD", "DECOM")
        assert e.filter(pl.col("DEC").is_not_null() & (pl.col("DEC") <= pl.col("DECOM"))).is_empty()
        gaps = e.with_columns(prev_dec=pl.col("DEC").shift(1).over("CHILD")).filter(pl.col("prev_dec").is_not_null())
        assert gaps.filter(pl.col("DECOM") < pl.col("prev_dec")).is_empty()
        # Only a child's last episode may be open.
        assert e.filter(pl.col("DEC").is_null()).group_by("CHILD").len().filter(pl.col("len") > 1).is_empty()


@pytest.mark.parametrize("year", YEARS)
def test_ages_consistent_with_date_of_birth(generated, year):
    for la in SMALL.split(","):
        header = _dates(_read(generated, year, la, "Header"), "DOB")
        e = _dates(_read(generated, year, la, "Episodes"), "DECOM", "DEC").join(header.select("CHILD", "DOB"), on="CHILD")
        assert e.filter(pl.col("DECOM") < pl.col("DOB")).is_empty()
        eighteenth = pl.col("DOB").dt.offset_by("18y")
        assert e.filter(pl.col("DECOM") >= eighteenth).is_empty()
        assert e.filter(pl.col("DEC") > eighteenth).is_empty()
        assert header.filter(pl.col("DOB") > dt.date(year, 3, 31)).is_empty()


@pytest.mark.parametrize("year", YEARS[1:])
def test_open_episodes_continue_next_year(generated, year):
    for la in SMALL.split(","):
        last = _read(generated, year - 1, la, "Episodes").filter(pl.col("DEC").is_null())
        this = _read(generated, year, la, "Episodes")
        same = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE_PROVIDER", "HOME_POST", "PL_POST", "URN"]
        joined = last.join(this, on=["CHILD", "DECOM"], how="left", suffix="_now")
        assert joined.filter(pl.col("RNE_now").is_null()).is_empty(), "an open episode vanished"
        for col in same[2:]:
            assert joined.filter(~pl.col(col).eq_missing(pl.col(f"{col}_now"))).is_empty(), col
        h_last, h_now = _read(generated, year - 1, la, "Header"), _read(generated, year, la, "Header")
        both = h_last.join(h_now, on="CHILD", suffix="_now")
        assert both.filter((pl.col("DOB") != pl.col("DOB_now")) | (pl.col("ETHNIC") != pl.col("ETHNIC_now"))).is_empty()


def test_children_keep_their_ids_and_leave_care(generated):
    la = "318"
    first = set(_read(generated, YEARS[0], la, "Header")["CHILD"])
    last = set(_read(generated, YEARS[-1], la, "Header")["CHILD"])
    assert first & last and first - last and last - first
    leavers = _read(generated, YEARS[-1], la, "OC3")
    assert leavers.height > 0 and set(leavers["CHILD"]) <= last


def test_generated_returns_break_no_rule(generated):
    providers = read_providers(generated / "providers.csv")
    for year in (2023, 2024, 2025):
        for la in SMALL.split(","):
            folder = generated / str(year) / la / "ssda903"
            previous = sorted((generated / str(year - 1) / la / "ssda903").glob("*.csv"))
            report = validate_903(sorted(folder.glob("*.csv")), year=year, la=la, previous=previous,
                                  providers=providers)
            assert report.errors.is_empty(), report.summary().head(5)
            assert not report.skipped, report.skipped


def test_stock_calibrated_within_ten_percent(generated):
    cal = pl.read_csv(generated / "calibration.csv", infer_schema_length=None).filter(
        (pl.col("indicator") == "stock") & (pl.col("geography") == "Local authority"), pl.col("target").is_not_null())
    assert cal.height >= 2 * 4 - 1
    assert cal["within_tolerance"].all(), cal


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes(tmp_path):
    # Two LAs, so that with two workers each is simulated in its own process; CIN census included.
    options = dict(years=(2024, 2025), las=parse_las("805,318"), seed=3, cin=True)
    generate(GenerateOptions(out=tmp_path / "a", workers=1, **options))
    generate(GenerateOptions(out=tmp_path / "b", workers=2, **options))
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    generate(GenerateOptions(out=tmp_path / "c", workers=1, **{**options, "seed": 4}))
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_faults_are_listed_and_caught(tmp_path):
    out = tmp_path / "faulty"
    generate(GenerateOptions(out=out, years=(2024, 2025), las=parse_las("805"), seed=5, error_rate=0.05,
                             cin=False, workers=1))
    faults = pl.read_csv(out / "2025" / "805" / "faults.csv", infer_schema=False)
    assert faults.height >= 5 and faults["code"].n_unique() >= 3
    folder = out / "2025" / "805" / "ssda903"
    report = validate_903(sorted(folder.glob("*.csv")), year=2025, la="805",
                          previous=sorted((out / "2024" / "805" / "ssda903").glob("*.csv")),
                          providers=read_providers(out / "providers.csv"))
    found = set(report.errors.select("code", "table", pl.col("row").cast(pl.Utf8)).iter_rows())
    missed = [f for f in faults.select("code", "table", "row").iter_rows() if f not in found]
    assert not missed, missed


def test_bad_options_are_one_clear_error(tmp_path):
    with pytest.raises(UsageError, match="reversed"):
        parse_years("2025-2019")
    with pytest.raises(UsageError, match="2015 to 2027"):
        parse_years("2010-2012")
    with pytest.raises(UsageError, match="Unknown local authority"):
        parse_las("999")
    with pytest.raises(UsageError, match="no longer exists"):
        parse_las("909")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        generate(GenerateOptions(out=blocker / "sub", years=(2025,), las=parse_las("805"), cin=False))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me")
    with pytest.raises(OutputError, match="not empty"):
        generate(GenerateOptions(out=busy, years=(2025,), las=parse_las("805"), cin=False))
    assert (busy / "mine.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".busy.partial-*"))


def test_a_successor_is_split_between_its_predecessors_returns(tmp_path):
    from carestat.refdata import resolve_la
    from carestat.synth.targets import reporting_shares

    bcp = resolve_la("839")  # Bournemouth, Christchurch and Poole, from 2019/20
    assert reporting_shares(bcp, 2020) == {"839": 1.0}
    shares = reporting_shares(bcp, 2019)
    assert set(shares) == {"836", "837"} and abs(sum(shares.values()) - 1) < 1e-9 and min(shares.values()) > 0.3
    generate(GenerateOptions(out=tmp_path / "bcp", years=(2019,), las=parse_las("839"), seed=2, cin=False, workers=1))
    poole, bournemouth = (set(_read(tmp_path / "bcp", 2019, la, "Header")["CHILD"]) for la in ("836", "837"))
    assert poole and bournemouth and not poole & bournemouth
    cal = pl.read_csv(tmp_path / "bcp" / "calibration.csv", infer_schema_length=None).filter(
        pl.col("indicator") == "stock", pl.col("geography") == "Local authority")
    assert sorted(cal["old_la_code"]) == ["836", "837"] and cal["within_tolerance"].all(), cal
