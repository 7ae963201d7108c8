"""The publication: EES files agree with their metadata, the workbooks are accessible and safe,
suppressed figures show as c everywhere, and synthetic data say so."""

import csv
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from carestat.disclosure import Rules, protect
from carestat.errors import UsageError
from carestat.publish import PACKS, publish
from carestat.publish.safety import safe_text
from carestat.publish.tables import GEOGRAPHY
from tests.publish.conftest import REGISTRY, chosen_ids, indicator_frame

SYMBOLS = {"c", "x", "z", "low"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, frame):
    out = tmp_path_factory.mktemp("synthetic")
    return out, publish(frame, out, synthetic=True)


@pytest.fixture(scope="module")
def real(tmp_path_factory, frame):
    out = tmp_path_factory.mktemp("real")
    return out, publish(frame, out, synthetic=False)


def data_files(paths):
    return [p for p in paths if p.suffix == ".csv" and not p.name.endswith(".meta.csv")]


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_file_is_written_and_returned(synthetic):
    out, paths = synthetic
    assert all(p.exists() and p.parent == out for p in paths)
    names = {p.name for p in paths}
    assert "childrens_social_care_tables.xlsx" in names and "README.txt" in names
    for data in data_files(paths):
        assert data.with_name(data.name.replace(".csv", ".meta.csv")) in paths
    assert {p.name for p in out.iterdir()} == names


def test_ees_columns_and_metadata_agree(real):
    _, paths = real
    for data in data_files(paths):
        rows = read_csv(data)
        meta = read_csv(data.with_name(data.name.replace(".csv", ".meta.csv")))
        columns = list(rows[0])
        assert columns[:len(GEOGRAPHY)] == list(GEOGRAPHY)
        described = [m["col_name"] for m in meta]
        assert sorted(described) == sorted(columns[len(GEOGRAPHY):])  # every other column, once
        filters = [m["col_name"] for m in meta if m["col_type"] == "Filter"]
        indicators = [m["col_name"] for m in meta if m["col_type"] == "Indicator"]
        assert set(filters) | set(indicators) == set(described) and indicators
        assert columns[len(GEOGRAPHY):] == filters + indicators  # filters, then indicators
        for m in meta:
            assert m["label"]
            if m["col_type"] == "Filter":
                assert m["indicator_unit"] == m["indicator_dp"] == ""
                assert "Total" in {r[m["col_name"]] for r in rows}  # the default filter item
            else:
                assert m["indicator_dp"].isdigit()
                unit = REGISTRY[m["col_name"]].unit
                assert m["indicator_unit"] == ("%" if unit == "percent" else "")
        for r in rows:
            assert re.fullmatch(r"\d{4}", r["time_period"]) and r["time_identifier"] == "Reporting year"
            assert r["geographic_level"] in ("National", "Regional", "Local authority")
            assert r["country_code"] == "E92000001"
            if r["geographic_level"] == "Local authority":
                assert r["old_la_code"] and r["new_la_code"] and r["la_name"] and r["region_code"]
            else:
                assert not r["old_la_code"] and not r["la_name"]
            for i in indicators:
                assert r[i] in SYMBOLS or NUMBER.match(r[i]), (i, r[i])  # never blank


def test_suppressed_counts_show_c_in_csv_and_workbook(real, frame):
    out, paths = real
    protected = protect(frame, Rules())
    hidden = protected.filter((pl.col("indicator_id") == "cla_31mar") & (pl.col("old_la_code") == "101")
                              & (pl.col("breakdown") == "Total"))
    assert hidden["flag"].to_list() == ["c"]  # the fixture's LA 101 has 3 children
    rows = [r for p in data_files(paths) for r in read_csv(p) if "cla_31mar" in r]
    la = [r for r in rows if r["old_la_code"] == "101" and r["time_period"] == "2024"
          and all(r[b] == "Total" for b in REGISTRY["cla_31mar"].breakdowns if b in r)]
    assert la and all(r["cla_31mar"] == "c" for r in la)
    wb = openpyxl.load_workbook(out / "childrens_social_care_tables.xlsx")
    found = False
    for ws in wb.worksheets:
        header = _header_row(ws)
        if header is None or "LA code (DfE)" not in header or REGISTRY["cla_31mar"].name not in header:
            continue
        code, col = header.index("LA code (DfE)"), header.index(REGISTRY["cla_31mar"].name)
        for row in ws.iter_rows(min_row=2, values_only=True):
            if row[code] == "101" and row[0] == 2024:
                assert row[col] == "c"
                found = True
    assert found


def _header_row(ws):
    for row in ws.iter_rows(min_row=1, max_row=8, values_only=True):
        if row and row[0] in ("Year (ending 31 March)", "Sheet", "Note"):
            return list(row)
    return None


def test_workbooks_are_accessible_and_hold_no_formulas(synthetic):
    _, paths = synthetic
    books = [p for p in paths if p.suffix == ".xlsx"]
    assert len(books) >= 2  # the tables and at least one data pack
    for path in books:
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"] and len(wb.sheetnames) > 3
        for ws in wb.worksheets:
            assert isinstance(ws["A1"].value, str) and ws["A1"].value  # a title in A1
            assert not ws.merged_cells.ranges
            numbers = 0
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "@", "\t", "\r")), cell.value
                    numbers += isinstance(cell.value, int | float)
            if ws.title.startswith("Table"):
                assert numbers > 0  # figures are stored as numbers
                header = _header_row(ws)
                assert header is not None and all(header)  # one header row, every column named
        contents = [r[0] for r in wb["Contents"].iter_rows(values_only=True)]
        assert all(name in contents for name in wb.sheetnames[3:])


def test_symbols_are_text_and_figures_numbers_in_the_workbook(real):
    out, _ = real
    wb = openpyxl.load_workbook(out / "childrens_social_care_tables.xlsx")
    names = {item.name for item in REGISTRY.values()}
    seen = set()
    for ws in wb.worksheets[3:]:
        header = _header_row(ws)
        start = next(n for n, row in enumerate(ws.iter_rows(values_only=True), 1) if list(row) == header)
        cols = [n for n, h in enumerate(header) if h in names]
        assert cols
        for row in ws.iter_rows(min_row=start + 1, values_only=True):
            for n in cols:
                value = row[n]
                assert isinstance(value, int | float) or value in SYMBOLS, (ws.title, header[n], value)
                seen.add(type(value).__name__ if not isinstance(value, str) else value)
    assert "c" in seen and ({"int", "float"} & seen)


def test_synthetic_output_says_so_everywhere(synthetic, real):
    _, paths = synthetic
    for p in paths:
        if p.suffix == ".csv":
            text = p.read_text(encoding="utf-8")
            assert "synthetic" in text.lower(), p.name
        elif p.suffix == ".xlsx":
            wb = openpyxl.load_workbook(p)
            for ws in wb.worksheets:
                top = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
                assert "synthetic" in top.lower(), (p.name, ws.title)
        else:
            assert "synthetic" in p.read_text(encoding="utf-8").lower()
    _, real_paths = real
    for p in real_paths:
        if p.suffix in (".csv", ".txt"):
            assert "synthetic" not in p.read_text(encoding="utf-8").lower(), p.name
        else:
            wb = openpyxl.load_workbook(p)
            assert not any("synthetic" in str(c.value).lower() for ws in wb.worksheets for row in ws.iter_rows()
                           for c in row if c.value)


def test_text_that_could_run_as_a_formula_is_defused(tmp_path):
    ids = chosen_ids()[:1]
    frame = indicator_frame(ids).with_columns(
        la_name=pl.when(pl.col("old_la_code") == "102").then(pl.lit("=HYPERLINK(\"http://x\")"))
        .otherwise(pl.col("la_name")),
        category=pl.when(pl.col("category") == "a1").then(pl.lit("+1+2")).otherwise(pl.col("category")))
    paths = publish(frame, tmp_path, synthetic=False)
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths if p.suffix == ".csv")
    assert "'=HYPERLINK" in text and "'+1+2" in text
    assert not re.search(r"(^|,)=HYPERLINK", text, re.M)
    wb = openpyxl.load_workbook(tmp_path / "childrens_social_care_tables.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == "'=HYPERLINK(\"http://x\")" for c in cells)
    assert all(c.data_type != "f" for c in cells)
    assert safe_text("-3") == "-3" and safe_text("-x") == "'-x" and safe_text("@a") == "'@a"


def test_national_counts_in_rounded_tables_are_rounded(real, frame):
    _, paths = real
    cla = next(p for p in data_files(paths) if "cla_31mar" in read_csv(p)[0])
    national = [r for r in read_csv(cla) if r["geographic_level"] != "Local authority"]
    assert national and all(r["cla_31mar"] in SYMBOLS or int(r["cla_31mar"]) % 10 == 0 for r in national)


def test_data_packs_skip_what_is_missing_and_say_so(tmp_path):
    # Only one of the placement stability pack's indicators, none of the children's homes pack.
    ids = [i for i in ("cla_3plus_placements",) if i in REGISTRY]
    if not ids:
        pytest.skip("cla_3plus_placements is not in the registry")
    paths = publish(indicator_frame(ids), tmp_path, synthetic=False)
    names = {p.name for p in paths}
    assert "placement_stability_data_pack.xlsx" in names
    assert "childrens_homes_data_pack.xlsx" not in names
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "cla_long_term_stability" in readme and "childrens_homes" in readme
    wb = openpyxl.load_workbook(tmp_path / "placement_stability_data_pack.xlsx")
    cover = " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value)
    assert "cla_long_term_stability" in cover  # listed as not yet available
    assert len(wb.sheetnames) == 4  # one section present


def test_every_pack_section_names_indicators():
    assert all(section.ids for pack in PACKS for section in pack.sections)


def test_nothing_to_publish(tmp_path, frame):
    with pytest.raises(UsageError):
        publish(frame.clear(), tmp_path, synthetic=True)


def test_publish_leaves_its_input_alone(tmp_path, frame):
    before = frame.clone()
    publish(frame, tmp_path, synthetic=True)
    assert frame.equals(before)


def test_default_rules_use_the_scorecard_thresholds_for_its_measures(frame):
    from carestat.publish import SCORECARD_IDS, default_rules, topic_tables

    rules = default_rules(topic_tables(frame, REGISTRY))
    assert all(rules.rule_for(i).denominator.high == 10 for i in SCORECARD_IDS)
    assert rules.rule_for("cla_31mar").numerator.high == 5
