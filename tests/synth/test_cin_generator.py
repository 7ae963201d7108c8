"""The synthetic CIN census: layout, schema, consistency with the SSDA903 returns, calibration,
reproducibility and deliberate faults."""

import hashlib
from itertools import pairwise
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from lxml import etree

from carestat.refdata import resolve_la
from carestat.spec.loader import _rows
from carestat.synth import GenerateOptions, generate, measures_cin, parse_las
from carestat.synth.cin_faults import CATALOGUE, inject_cin_faults
from carestat.synth.cin_model import simulate_cin
from carestat.synth.cin_tables import CinHistory, cin_year_tables
from carestat.synth.history import simulate_history
from carestat.synth.targets import simulated_years, unit_targets
from carestat.validate import validate_cin

LAS = ("318", "805")  # Richmond upon Thames and Hartlepool: small and quick
YEARS = (2024, 2025)  # GenderCurrent, then Sex
XSD = Path(__file__).parents[2] / "src" / "carestat" / "spec" / "data" / "xsd"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cin") / "returns"
    generate(GenerateOptions(out=out, years=YEARS, las=parse_las(",".join(LAS)), seed=7, workers=1))
    return out


def _simulate(code: str, seed: int, written: range) -> tuple[pl.DataFrame, CinHistory]:
    """One LA's targets and CIN history for censuses of the ``written`` years."""
    targets = unit_targets(resolve_la(code), simulated_years(written))
    history = simulate_history(code, targets, 1.0, seed, min(written))
    return targets, simulate_cin(code, targets, history, 1.0, seed, written)


def _xml(generated: Path, la: str, year: int) -> etree._ElementTree:
    return etree.parse(str(generated / str(year) / la / "cin" / f"cin_{la}_{year}.xml"))


def _children(doc: etree._ElementTree) -> dict[str, etree._Element]:
    return {c.findtext("ChildIdentifiers/LAchildID"): c for c in doc.getroot().iterfind("Children/Child")}


def test_one_census_per_la_and_year(generated):
    files = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("cin/*.xml"))
    assert files == sorted(f"{y}/{la}/cin/cin_{la}_{y}.xml" for y in YEARS for la in LAS)
    for year in YEARS:
        header = _xml(generated, LAS[0], year).getroot().find("Header")
        assert header.findtext("CollectionDetails/ReferenceDate") == f"{year}-03-31"
        assert header.findtext("Source/LEA") == LAS[0]


@pytest.mark.parametrize("year", YEARS)
def test_valid_against_the_schema(generated, year):
    # The held XSDs (liia-tools) type NumberOfPreviousCPP as positiveInteger, which cannot record a first
    # plan (0 previous plans); the DfE's guidance and validation rule 8730 accept 0, so the test does too.
    text = (XSD / "CIN_schema_2024.xsd").read_text()
    assert 'name="NumberOfPreviousCPP" type="xs:positiveInteger"' in text
    schema = etree.XMLSchema(etree.fromstring(text.replace(
        'name="NumberOfPreviousCPP" type="xs:positiveInteger"',
        'name="NumberOfPreviousCPP" type="xs:nonNegativeInteger"').encode()))
    for la in LAS:
        doc = _xml(generated, la, year)
        if year <= 2024:  # no schema is held for 2024/25 onwards (Sex replaced GenderCurrent)
            assert schema.validate(doc), schema.error_log.last_error
        sex = {c.findtext("ChildIdentifiers/GenderCurrent") or c.findtext("ChildIdentifiers/Sex")
               for c in _children(doc).values()}
        assert sex <= ({"0", "1", "2"} if year <= 2024 else {"M", "F", "U"})


@pytest.mark.parametrize("year", YEARS)
def test_every_child_looked_after_is_in_need_with_the_same_identity(generated, year):
    for la in LAS:
        folder = generated / str(year) / la / "ssda903"
        header = pl.read_csv(folder / "header.csv", infer_schema=False)
        in_care = pl.read_csv(folder / "episodes.csv", infer_schema=False)["CHILD"].unique()
        kids = _children(_xml(generated, la, year))
        for row in header.filter(pl.col("CHILD").is_in(in_care.implode())).iter_rows(named=True):
            child = kids[row["CHILD"]]
            d, m, y = row["DOB"].split("/")
            assert child.findtext("ChildIdentifiers/PersonBirthDate") == f"{y}-{m}-{d}"
            sex = child.findtext("ChildIdentifiers/GenderCurrent") or child.findtext("ChildIdentifiers/Sex")
            assert {"1": "M", "2": "F"}.get(row["SEX"], row["SEX"]) == {"1": "M", "2": "F"}.get(sex, sex)
            assert child.findtext("ChildCharacteristics/Ethnicity") == row["ETHNIC"]
            upn = child.findtext("ChildIdentifiers/UPN")
            assert upn == row["UPN"] if row["UPN"] != "UN1" else child.findtext("ChildIdentifiers/UPNunknown") == "UN1"


@pytest.mark.parametrize("year", YEARS)
def test_episodes_of_need_never_overlap(generated, year):
    for la in LAS:
        for child in _children(_xml(generated, la, year)).values():
            spells = sorted((d.findtext("CINreferralDate"), d.findtext("CINclosureDate"))
                            for d in child.iterfind("CINdetails"))
            assert all(close is not None and close <= nxt for (_, close), (nxt, _) in pairwise(spells))
            # Activity sits inside its episode.
            for d in child.iterfind("CINdetails"):
                ref, close = d.findtext("CINreferralDate"), d.findtext("CINclosureDate") or "9999"
                dates = [e.text for e in d.iter() if e.tag.endswith(("Date", "DateOfInitialCPC")) and e.tag not in (
                    "CINreferralDate", "CINclosureDate", "ExpectedPersonBirthDate")]
                assert all(ref <= x <= close for x in dates), (child.findtext("ChildIdentifiers/LAchildID"), dates)


@pytest.mark.parametrize(("indicator", "tolerance"), [
    ("referrals", 0.01), ("referrals_rate", 0.02), ("rereferral_pct", 0.05), ("referrals_nfa_pct", 0.1),
    ("referrals_not_in_need_pct", 0.06), ("assessments_45_pct", 0.05), ("cin_31mar", 0.06), ("cpp_starts", 0.08),
    # Plans open on 31 March in these small LAs number about 140: over seeds 1 to 4 and 7 Richmond's 2025 count
    # ran from 131 to 163 against 135 (chance, and plans that began before the census years), while
    # England's is within 1% (calibration.csv of a national run).
    ("cpp_31mar", 0.25), ("s47_rate", 0.02), ("icpc_rate", 0.1)])
def test_calibrated_to_published_figures(generated, indicator, tolerance):
    cal = pl.read_csv(generated / "calibration.csv").filter(pl.col("geography") == "Local authority",
                                                            pl.col("indicator") == indicator)
    assert cal.height == len(LAS) * len(YEARS)
    off = cal.select(((pl.col("produced") - pl.col("target")).abs() / pl.col("target")).max()).item()
    assert off <= tolerance, cal


def test_rereferrals_and_plans_near_published_figures_on_a_medium_la():
    code = "831"  # Derby: about 4,000 referrals a year, about 22-23% re-referred within 12 months
    targets, ch = _simulate(code, 3, range(2023, 2026))
    for year in (2024, 2025):
        got = measures_cin.measure(ch, year)
        target = targets.filter(pl.col("year") == year).row(0, named=True)
        share = 100 * got["rereferral_pct"][0] / got["rereferral_pct"][1]
        assert 20 <= share <= 25 and abs(share - target["rereferral_pct"]) < 1.0
        assert abs(got["referrals"][0] - target["referrals"]) <= 1
        second = 100 * got["cpp_second_pct"][0] / got["cpp_second_pct"][1]
        assert abs(second - target["cpp_second_pct"]) < 5
        assert abs(got["cpp_31mar"][0] - target["cpp_31mar"]) <= 0.1 * target["cpp_31mar"]


@pytest.mark.parametrize("year", YEARS)
def test_census_breaks_no_rule(generated, year):
    for la in LAS:
        report = validate_cin(generated / str(year) / la / "cin" / f"cin_{la}_{year}.xml", year=year, la=la)
        assert report.errors.is_empty(), report.summary()


def test_faults_are_reported_with_their_codes(tmp_path):
    out = tmp_path / "faulty"
    generate(GenerateOptions(out=out, years=(2025,), las=parse_las("805"), seed=5, error_rate=0.05, workers=1))
    faults = pl.read_csv(out / "2025" / "805" / "cin" / "faults.csv", infer_schema=False)
    assert faults.height >= 20 and faults["code"].n_unique() >= 10
    report = validate_cin(out / "2025" / "805" / "cin" / "cin_805_2025.xml", year=2025, la="805")
    found = set(report.errors.select("code", "table", pl.col("row").cast(pl.String)).iter_rows())
    missed = [f for f in faults.select("code", "table", "row").iter_rows() if f not in found]
    assert not missed, missed


def test_same_seed_same_bytes(tmp_path):
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        generate(GenerateOptions(out=out, years=(2025,), las=parse_las("318"), seed=11, workers=1))
        digests.append(hashlib.sha256((out / "2025" / "318" / "cin" / "cin_318_2025.xml").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_faults_break_their_intended_rules(tmp_path):
    code, year = "805", 2025
    _, ch = _simulate(code, 5, range(2024, 2026))
    clean = cin_year_tables(ch, year)
    tables, faults = inject_cin_faults(clean, year, code, GenerateOptions(out=tmp_path, error_rate=0.2, seed=5))
    assert inject_cin_faults(clean, year, code, GenerateOptions(out=tmp_path))[1] is None
    rules = {r["code"] for r in _rows("source/rulescincensus.csv") if int(r["year"]) == year}
    assert len(CATALOGUE) >= 15 and {f.code for f in CATALOGUE} <= rules
    kids = tables["ChildIdentifiers"].height
    assert 0.15 * kids <= faults.height <= 0.25 * kids
    assert faults["child"].n_unique() == faults.height  # one fault per child
    assert faults["code"].n_unique() >= 12
    for f in faults.iter_rows(named=True):
        before, after = clean[f["table"]], tables[f["table"]]
        assert after["LAchildID"][f["row"] - 1] == f["child"]
        assert before[f["field"]][f["row"] - 1] != after[f["field"]][f["row"] - 1] or (
            before[f["field"]][f["row"] - 1] is None) != (after[f["field"]][f["row"] - 1] is None), f
        assert f["code"] in {c.code for c in CATALOGUE if c.table == f["table"]}
    # Rows count records in document order: the XML holds the faulty value at that position.
    from carestat.synth.cin_writer import write_cin_xml

    write_cin_xml(tables, tmp_path / "cin.xml", year, code)
    doc = etree.parse(str(tmp_path / "cin.xml"))
    for f in faults.filter(pl.col("table") == "CINdetails").iter_rows(named=True):
        record = doc.getroot().findall("Children/Child/CINdetails")[f["row"] - 1]
        assert record.findtext(f["field"]) == tables["CINdetails"][f["field"]][f["row"] - 1]
    assert np.all(faults["row"].to_numpy() >= 1)


def test_every_kind_of_fault_is_caught(tmp_path):
    """A fault for every child: each is reported by its intended rule at its record, in a year of
    GenderCurrent and one of Sex."""
    from carestat.synth.cin_writer import write_cin_xml

    code, seen = "805", set()
    _, ch = _simulate(code, 5, range(2024, 2026))
    for year in (2024, 2025):
        tables, faults = inject_cin_faults(cin_year_tables(ch, year), year, code,
                                           GenerateOptions(out=tmp_path, error_rate=1.0, seed=3))
        write_cin_xml(tables, tmp_path / f"cin_{year}.xml", year, code)
        report = validate_cin(tmp_path / f"cin_{year}.xml", year=year, la=code)
        found = set(report.errors.select("code", "table", pl.col("row").cast(pl.Int64)).iter_rows())
        missed = [f for f in faults.select("code", "table", "row").iter_rows() if f not in found]
        assert not missed, missed[:20]
        seen |= set(faults["code"])
    # The rarest kinds (an unborn child's, say) may find no record in one LA.
    assert len(seen) >= len(CATALOGUE) - 5, sorted({f.code for f in CATALOGUE} - seen)


def test_codes_and_schema_of_every_year(tmp_path):
    """Each year's census uses that year's code lists and fits that year's schema (2019-2024)."""
    from carestat.spec import spec
    from carestat.synth.cin_writer import write_cin_xml

    code = "318"
    _, ch = _simulate(code, 2, range(2019, 2028))
    for year in range(2019, 2028):
        tables = cin_year_tables(ch, year)
        for name, frame in tables.items():
            for f in spec("cin", year).table(name).fields:
                if f.codes and name != "Header":
                    used = {v.upper() for v in frame[f.name].drop_nulls().unique().to_list()}  # read as upper case
                    assert used <= f.code_set, (year, name, f.name, used - f.code_set)
        if (XSD / f"CIN_schema_{year}.xsd").exists():
            text = (XSD / f"CIN_schema_{year}.xsd").read_text().replace(
                'name="NumberOfPreviousCPP" type="xs:positiveInteger"', 'name="NumberOfPreviousCPP" type="xs:nonNegativeInteger"')
            write_cin_xml(tables, tmp_path / f"{year}.xml", year, code)
            schema = etree.XMLSchema(etree.fromstring(text.encode()))
            assert schema.validate(etree.parse(str(tmp_path / f"{year}.xml"))), (year, schema.error_log.last_error)
