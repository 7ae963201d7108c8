"""CIN census validation: the context's views, working days, validate_cin, the command line
contract, and the generator's censuses read and pass the rules."""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from carestat.cli import app
from carestat.ingest import Source, read_cin
from carestat.refdata.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    add_working_days,
    add_working_days_to,
    bank_holidays,
    is_working_day,
    working_days_between,
)
from carestat.validate import CinReturn, validate_cin
from carestat.validate.engine import ERROR_COLUMNS
from carestat.validate.registry import all_rules
from tests.ingest.cin_samples import CHILD_A, CHILD_B, census

runner = CliRunner()


def _easter(y: int) -> dt.date:  # Anonymous Gregorian algorithm
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lam = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lam) // 451
    month = (h + lam - 7 * m + 114) // 31
    return dt.date(y, month, (h + lam - 7 * m + 114) % 31 + 1)


def test_bank_holidays_follow_the_calendar():
    days = bank_holidays()
    assert days == tuple(sorted(set(days))) and all(d.weekday() < 5 for d in days)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        mine = [d for d in days if d.year == year]
        assert len(mine) in (8, 9, 10), year  # 9 with a one-off (2020 moved VE day, not an extra)
        easter = _easter(year)
        assert easter - dt.timedelta(days=2) in mine and easter + dt.timedelta(days=1) in mine, year
        last_aug = max(d for d in (dt.date(year, 8, 31) - dt.timedelta(days=n) for n in range(7)) if d.weekday() == 0)
        assert last_aug in mine, year
    assert dt.date(2022, 9, 19) in days and dt.date(2023, 5, 8) in days and dt.date(2020, 5, 4) not in days


def test_working_days():
    frame = pl.DataFrame({"a": [dt.date(2024, 3, 25), dt.date(2024, 3, 28), None],
                          "b": [dt.date(2024, 4, 8), dt.date(2024, 4, 2), dt.date(2024, 4, 2)]})
    out = frame.select(n=working_days_between("a", "b"), ok=is_working_day("b"),
                       later=add_working_days("a", 1))
    # 25-28 March, then Good Friday, a weekend and Easter Monday: 2-5 April.
    assert out["n"].to_list() == [8, 1, None]
    assert out["later"].to_list() == [dt.date(2024, 3, 26), dt.date(2024, 4, 2), None]
    assert out["ok"].to_list() == [True, True, True]
    assert add_working_days_to(dt.date(2024, 3, 30), -1) == dt.date(2024, 3, 28)  # Saturday, after Good Friday
    assert add_working_days_to(dt.date(2024, 3, 30), 1) == dt.date(2024, 4, 2)
    assert add_working_days_to(dt.date(2025, 3, 31), -45) == dt.date(2025, 1, 27)


@pytest.fixture(scope="module")
def r() -> CinReturn:
    return CinReturn(read_cin(Source("census.xml", census(CHILD_A, CHILD_B)), 2025))


def test_context_tables_and_views(r):
    assert r.year == 2025 and (r.start, r.end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert r.children.height == 2 and r.cin_details.height == 3 and r.reviews.height == 3
    episodes = r.cin_episodes
    assert episodes["_row"].to_list() == [1, 2, 3]
    assert episodes["PersonBirthDate"].to_list() == [dt.date(2015, 3, 27), dt.date(2015, 3, 27), None]
    assert "Sex" in episodes.columns and r.cin_episodes is episodes  # built once
    ass = r.assessments_episode
    assert ass.select("_row", "CINdetailsID", "CINreferralDate").rows() == [(1, 1, dt.date(2024, 5, 1)),
                                                                            (2, 1, dt.date(2024, 5, 1))]
    s47 = r.section47_episode
    assert {"DateOfInitialCPC", "DateOfInitialCPC_CINdetails", "ReferralNFA"} <= set(s47.columns)
    assert r.factor_sets["factors"].to_list() == [["1C", "21"], []]
    assert r.reviews_cpp.select("_row", "CPPstartDate").rows() == [(1, dt.date(2024, 6, 1)), (2, dt.date(2024, 6, 1)),
                                                                   (3, dt.date(2024, 11, 1))]
    plans = r.cpp_episode
    assert plans.select("CPPID", "CINdetailsID", "CINreferralDate", "PersonBirthDate").rows()[0] == (
        1, 1, dt.date(2024, 5, 1), dt.date(2015, 3, 27))
    assert r.cin_plans_episode.height == 1
    assert r.working_days_before_end(45).meta.output_name() == "literal"


def test_validate_cin_reports_by_child_and_table_row(tmp_path):
    bad = CHILD_B.replace("<LAchildID>B2</LAchildID>", "<LAchildID>  </LAchildID>").replace(
        "<CPPstartDate>2024-11-01</CPPstartDate>", "<CPPstartDate>2024-11-01</CPPstartDate><CPPendDate>2024-10-01"
        "</CPPendDate>")
    path = tmp_path / "census.xml"
    path.write_bytes(census(CHILD_A, bad))
    report = validate_cin(path, year=2025, la="805")
    assert report.return_name == "cin" and report.n_children == 2 and report.la.old_la_code == "805"
    assert report.errors.columns == list(ERROR_COLUMNS)
    lines = set(report.errors.select("code", "table", "row", "child").iter_rows())
    assert ("8500", "ChildIdentifiers", 2, None) in lines
    assert ("8925", "ChildProtectionPlans", 2, None) in lines
    assert ("8869", "AssessmentFactorsList", 1, "A1") in lines  # 1C beside 21
    assert ("8610", "CINdetails", 1, "A1") in lines  # no primary need, further action
    assert not report.skipped and len(report.rules_run) == len({r.code for r in all_rules("cin") if 2025 in r.years})


def test_cli_contract(tmp_path):
    path = tmp_path / "census.xml"
    path.write_bytes(census(CHILD_A, CHILD_B))
    errors, html, xlsx = tmp_path / "out" / "errors.csv", tmp_path / "r.html", tmp_path / "r.xlsx"
    result = runner.invoke(app, ["validate", "cin", "--year", "2025", "--errors", str(errors), "--report", str(html),
                                 "--xlsx", str(xlsx), str(path)])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(errors, infer_schema=False)
    assert frame.columns == ["code", "table", "row", "child", "fields", "message"]
    assert ("8610", "CINdetails", "1", "A1", "ReferralNFA;PrimaryNeedCode") in set(
        frame.select("code", "table", "row", "child", "fields").iter_rows())
    assert html.stat().st_size > 1000 and xlsx.stat().st_size > 1000
    assert "CIN" in html.read_text()


@pytest.mark.parametrize(("args", "fragment"), [
    (["--year", "2025", "--errors", "{e}", "{missing}"], "file not found"),
    (["--year", "2031", "--errors", "{e}", "{xml}"], "supported years"),
    (["--year", "2025", "--errors", "{e}", "{junk}"], "not well-formed"),
    (["--errors", "{e}", "{xml}"], "Missing option '--year'"),
    (["--year", "twenty", "--errors", "{e}", "{xml}"], "--year"),
    (["--year", "2025", "{xml}"], "Missing option '--errors'"),
    (["--year", "2025", "--errors", "{e}", "{xml}", "{xml}"], "unexpected extra argument"),
])
def test_cli_unusable_input_is_one_line_and_status_2(tmp_path, args, fragment):
    xml, junk = tmp_path / "c.xml", tmp_path / "junk.xml"
    xml.write_bytes(census(CHILD_B))
    junk.write_bytes(b"<Message><Children><Child>")
    names = {"e": tmp_path / "e.csv", "missing": tmp_path / "nope.xml", "xml": xml, "junk": junk}
    result = runner.invoke(app, ["validate", "cin", *[a.format(**names) for a in args]])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], result.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from carestat.synth import GenerateOptions, generate, parse_las

    out = tmp_path_factory.mktemp("cin_generated")
    generate(GenerateOptions(out=out, years=(2023, 2024, 2025), las=parse_las("318"), seed=3, workers=1, scale=0.5))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_generated_censuses_read_and_pass_the_rules(generated, year):
    path = generated / str(year) / "318" / "cin" / f"cin_318_{year}.xml"
    data = read_cin(path, year)
    assert not data.notes  # every element is one the year's spec holds
    text = path.read_bytes()
    for table, tag in (("CINdetails", b"<CINdetails>"), ("Assessments", b"<Assessments>"),
                       ("ChildProtectionPlans", b"<ChildProtectionPlans>"), ("Reviews", b"<CPPreviewDate>"),
                       ("AssessmentFactorsList", b"<AssessmentFactors>"), ("ChildIdentifiers", b"<Child>")):
        assert data.table(table).height == text.count(tag), table
    assert all(frame["_invalid"].null_count() == frame.height for frame in data.tables.values())
    report = validate_cin(path, year=year, la="318")
    assert report.errors.height == 0, report.summary()
