"""The warehouse schema, derived from the returns' specifications (the union over all years).

One table per return table (``s903_episodes``, ``cin_assessments``...), each with the submission
it came from, the LA and year, the record's row in its file, and the spec's fields, typed.
Identifiers are replaced by keys: CHILD and LAchildID by ``child_key``, UPN by ``upn_key``,
FormerUPN by ``former_upn_key``. Episodes also keep the derived placement fields. CIN census
tables keep the reader's nesting keys (``child_row``, the child's ChildIdentifiers row, and
``CINdetailsID``, ``AssessmentID``, ``CPPID``: rows of the records they name, unique within a
submission), so a record joins to its child and episode exactly even when LAchildID is blank.
"""

from __future__ import annotations

from functools import cache

from carestat.ingest.xmlcin import cin_keys
from carestat.spec import SUPPORTED_YEARS, spec

PREFIX = {"ssda903": "s903", "cin": "cin"}
IDENTIFIERS = {"CHILD": "child_key", "LAchildID": "child_key", "UPN": "upn_key", "FormerUPN": "former_upn_key"}
DERIVED = {
    ("ssda903", "Episodes"): {"PL_DISTANCE": "DOUBLE", "PL_LA": "VARCHAR", "PL_LOCATION": "VARCHAR",
                              "HOME_SECTOR": "VARCHAR", "PL_SECTOR": "VARCHAR"},
    ("ssda903", "Header"): {"UASC": "VARCHAR"},
}
# The CIN reader's nesting keys, as stored (``_child`` is renamed: indicators use ``_child`` for their own id).
CIN_KEYS = {"_child": ("child_row", "INTEGER"), "LAchildID": ("child_key", "VARCHAR"),
            "CINdetailsID": ("CINdetailsID", "INTEGER"), "AssessmentID": ("AssessmentID", "INTEGER"),
            "CPPID": ("CPPID", "INTEGER")}
_TYPES = {"date": "DATE", "int": "BIGINT"}
META = {"submission_id": "INTEGER", "la_code": "VARCHAR", "collection_year": "INTEGER", "row_number": "INTEGER"}


def table_name(return_name: str, table: str) -> str:
    """``s903_episodes``, ``cin_assessments``...: the stored table of a return's table."""
    return f"{PREFIX[return_name]}_{_csv_names(return_name)[table]}"


@cache
def _csv_names(return_name: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for year in SUPPORTED_YEARS[return_name]:
        for name, table in spec(return_name, year).tables.items():
            names.setdefault(name, table.csv_name)
    return names


@cache
def columns(return_name: str, table: str) -> dict[str, str]:
    """Column name -> DuckDB type, in order, for one warehouse table."""
    cols = dict(META)
    if return_name == "cin":
        cols.update(_cin_key_columns(table))
    for year in SUPPORTED_YEARS[return_name]:
        if table not in spec(return_name, year).tables:
            continue
        for f in spec(return_name, year).table(table).fields:
            name = IDENTIFIERS.get(f.name, f.name)
            cols.setdefault(name, _TYPES.get(f.type, "VARCHAR"))
    cols.update(DERIVED.get((return_name, table), {}))
    return cols


def _cin_key_columns(table: str) -> dict[str, str]:
    return dict(CIN_KEYS[k] for k in cin_keys(table))


@cache
def tables(return_name: str) -> tuple[str, ...]:
    return tuple(_csv_names(return_name))


def ddl(return_name: str) -> list[str]:
    statements = []
    for table in tables(return_name):
        name = table_name(return_name, table)
        body = ", ".join(f'"{c}" {t}' for c, t in columns(return_name, table).items())
        statements.append(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
        if return_name == "cin":  # warehouses made before the keys were stored gain them on opening
            statements += [f'ALTER TABLE {name} ADD COLUMN IF NOT EXISTS "{c}" {t}'
                           for c, t in _cin_key_columns(table).items()]
        statements.append(f"CREATE OR REPLACE VIEW current_{name} AS SELECT t.* FROM {name} t "
                          "JOIN submissions s USING (submission_id) WHERE s.current")
    return statements


SUBMISSIONS = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id INTEGER PRIMARY KEY,
    return_name VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    source VARCHAR,
    content_sha256 VARCHAR NOT NULL,
    n_children INTEGER NOT NULL,
    n_errors INTEGER NOT NULL,
    accepted_with_errors BOOLEAN NOT NULL,
    current BOOLEAN NOT NULL,
    superseded_at TIMESTAMP,
    synthetic BOOLEAN NOT NULL DEFAULT false
)
"""
# Warehouses made before the column existed gain it on opening.
MIGRATIONS = ["ALTER TABLE submissions ADD COLUMN IF NOT EXISTS synthetic BOOLEAN DEFAULT false"]

# The latest computed indicator values (``carestat indicators``), replaced whole on each run.
INDICATOR_VALUES = """
CREATE TABLE IF NOT EXISTS indicator_values (
    indicator_id VARCHAR, year INTEGER, geographic_level VARCHAR, country_code VARCHAR, country_name VARCHAR,
    region_code VARCHAR, region_name VARCHAR, new_la_code VARCHAR, old_la_code VARCHAR, la_name VARCHAR,
    breakdown VARCHAR, category VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE,
    computed_at TIMESTAMP, synthetic BOOLEAN
)
"""
