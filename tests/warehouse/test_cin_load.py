"""CIN census returns in the warehouse: found beside the SSDA903, validated, versioned, and
stored with every child identifier replaced by its keyed hash."""

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from carestat.errors import UsageError
from carestat.synth import GenerateOptions, generate, parse_las
from carestat.warehouse import connect, current_tables, discover, load, submissions
from tests.cin_returns import assessment, child, episode, plan, write_cin
from tests.warehouse.killing import kill_load_mid_insert

KEY = "test-key-0123456789-0123456789-0123456789"
# Identifiers no hash or other stored text could contain by chance (upper-case letters, never hex).
RAW_CHILD, RAW_UPN, RAW_FORMER = "RAWKIDQWXZ1", "A123456789012", "Z987654321098"


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cin") / "returns"
    generate(GenerateOptions(out=out, years=(2024, 2025), las=parse_las("805"), seed=9, workers=1))
    return out


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CARESTAT_KEY", KEY)


def _hand_written(folder: Path, year: int = 2025, la: str = "318") -> Path:
    kid = child(RAW_CHILD, upn=RAW_UPN, former_upn=RAW_FORMER, episodes=[
        episode("2024-05-01", assessments=[assessment("2024-05-02", "2024-06-03", factors=["3A", "4B"])],
                plans=[plan("2024-06-10")])])
    other = child("KID2", episodes=[episode("2024-07-01", closed="2024-07-01", reason="RC8", nfa=True)])
    return write_cin(folder, year, la, [kid, other])


def test_discovers_cin_beside_ssda903(returns):
    found = [(f.year, f.la_code, f.return_name, [p.name for p in f.files]) for f in discover([returns])]
    assert found == [(2024, "805", "cin", ["cin_805_2024.xml"]), (2024, "805", "ssda903", found[1][3]),
                     (2025, "805", "cin", ["cin_805_2025.xml"]), (2025, "805", "ssda903", found[3][3])]
    assert all(name.endswith(".csv") for name in found[1][3])
    # One LA-year's folder, the cin folder itself, and the file itself are found the same way.
    assert [f.return_name for f in discover([returns / "2025" / "805"])] == ["cin", "ssda903"]
    assert [(f.return_name, f.year, f.la_code) for f in discover([returns / "2025" / "805" / "cin"])] == [
        ("cin", 2025, "805")]
    file = returns / "2025" / "805" / "cin" / "cin_805_2025.xml"
    assert [(f.return_name, f.year, f.la_code, f.synthetic) for f in discover([file])] == [
        ("cin", 2025, "805", True)]


def test_a_file_alone_is_named_by_its_header_or_by_year_and_la(tmp_path):
    path = _hand_written(tmp_path / "tree")
    loose = tmp_path / "census.xml"
    shutil.copy(path, loose)
    assert [(f.return_name, f.year, f.la_code) for f in discover([loose])] == [("cin", 2025, "318")]
    # --year and --la win over the header; an ONS code is accepted.
    assert [(f.year, f.la_code) for f in discover([loose], year=2024, la="E09000027")] == [(2024, "318")]
    loose.write_text(path.read_text().replace("<Year>2025</Year>", "").replace("<LEA>318</LEA>", ""))
    with pytest.raises(UsageError, match="say --year and --la"):
        discover([loose])


def test_cin_loads_are_versioned_per_la_year(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    first = load([returns], db=db, workers=1)
    assert sorted((o.return_name, o.year, o.status, o.version) for o in first) == [
        ("cin", 2024, "loaded", 1), ("cin", 2025, "loaded", 1), ("ssda903", 2024, "loaded", 1),
        ("ssda903", 2025, "loaded", 1)]
    assert {o.status for o in load([returns / "2025" / "805" / "cin"], db=db, workers=1)} == {"unchanged"}
    # A resubmitted census (one referral source changed) is version 2; version 1 is kept, superseded.
    resubmission = tmp_path / "resubmitted" / "2025" / "805" / "cin" / "cin_805_2025.xml"
    resubmission.parent.mkdir(parents=True)
    text = (returns / "2025" / "805" / "cin" / "cin_805_2025.xml").read_text()
    resubmission.write_text(text.replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>9</ReferralSource>", 1))
    assert [(o.return_name, o.status, o.version) for o in load([resubmission], db=db, workers=1)] == [
        ("cin", "loaded", 2)]
    con = connect(db)
    history = submissions(con, la="805", year=2025)
    assert history.select("return_name", "version", "current").rows() == [
        ("cin", 1, False), ("cin", 2, True), ("ssda903", 1, True)]
    details = current_tables(con, "cin")["CINdetails"].filter(pl.col("collection_year") == 2025)
    assert details["submission_id"].n_unique() == 1 and details.height == text.count("<CINdetails>")
    # Records keep their nesting keys: every assessment's factors join to it exactly.
    tables = current_tables(con, "cin", years=[2025])
    factors = tables["AssessmentFactorsList"].join(tables["Assessments"], on=["AssessmentID", "CINdetailsID"],
                                                   how="anti")
    assert factors.is_empty() and tables["AssessmentFactorsList"].height == text.count("<AssessmentFactors>")
    con.close()


def test_cin_errors_need_accept_errors(tmp_path, key):
    path = _hand_written(tmp_path)
    broken = path.read_text().replace("<ReferralSource>2A</ReferralSource>", "<ReferralSource>XX</ReferralSource>")
    path.write_text(broken)
    db = tmp_path / "w.duckdb"
    refused = load([path], db=db, workers=1)
    assert [(o.return_name, o.status) for o in refused] == [("cin", "refused")] and refused[0].n_errors > 0
    accepted = load([path], db=db, accept_errors=True, workers=1)
    assert [(o.status, o.version) for o in accepted] == [("loaded", 1)]
    con = connect(db)
    assert submissions(con).select("return_name", "accepted_with_errors", "n_errors").rows() == [
        ("cin", True, refused[0].n_errors)]
    con.close()


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    tables = [t for (t,) in con.sql("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_type = 'BASE TABLE'").fetchall()]
    return [(t, c) for t in tables for c, kind in con.sql(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", params=[t]).fetchall()
        if kind == "VARCHAR"]


def test_raw_cin_identifiers_are_never_stored(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([_hand_written(tmp_path / "hand")], db=db, accept_errors=True, workers=1)
    load([returns], db=db, workers=1)
    census = (returns / "2025" / "805" / "cin" / "cin_805_2025.xml").read_text()
    raw_ids = set(re.findall(r"<LAchildID>([^<]+)</LAchildID>", census))
    raw_upns = set(re.findall(r"<(?:Former)?UPN>([^<]+)</(?:Former)?UPN>", census))
    assert len(raw_ids) > 1000 and len(raw_upns) > 1000
    con = duckdb.connect(str(db), read_only=True)
    for table, column in _text_columns(con):
        values = {v for (v,) in con.sql(f'SELECT DISTINCT "{column}" FROM {table}').fetchall()}
        assert not values & (raw_ids | {RAW_CHILD}), f"a raw LAchildID in {table}.{column}"
        assert not values & (raw_upns | {RAW_UPN, RAW_FORMER}), f"a raw UPN in {table}.{column}"
    con.close()
    # Nor anywhere in the file's bytes (these identifiers cannot occur in a lower-case hex hash).
    stored = db.read_bytes() + (db.with_suffix(".duckdb.wal").read_bytes() if db.with_suffix(".duckdb.wal").exists()
                                else b"")
    for raw in (RAW_CHILD, RAW_UPN, RAW_FORMER):
        assert raw.encode() not in stored and raw.encode("utf-16-le") not in stored


def test_the_same_id_in_both_returns_gives_the_same_child_key(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([returns / "2025"], db=db, workers=1)
    con = connect(db)
    cla = set(current_tables(con, "ssda903")["Header"]["child_key"])
    cin = set(current_tables(con, "cin")["ChildIdentifiers"]["child_key"])
    con.close()
    # The generator gives a child in both returns the same LA identifier: the keys link them.
    assert len(cla & cin) > 50


def test_a_killed_cin_load_loses_nothing(returns, tmp_path, key):
    db = tmp_path / "w.duckdb"
    load([returns / "2024" / "805" / "cin"], db=db, workers=1)
    con = connect(db)
    before = current_tables(con, "cin")["CINdetails"].height
    con.close()
    kill_load_mid_insert(returns / "2025" / "805" / "cin", db, tmp_path, KEY)
    con = connect(db)
    assert current_tables(con, "cin")["CINdetails"].height == before
    assert submissions(con).select("return_name", "year").rows() == [("cin", 2024)]
    con.close()
    assert [o.status for o in load([returns / "2025" / "805" / "cin"], db=db, workers=1)] == ["loaded"]
