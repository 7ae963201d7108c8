"""Run the public reference validator (csc-validator-be-cin) on one CIN census, in ITS OWN virtualenv.

Called by benchmarks/validation_cin.py with: year, the census XML, an output CSV. Writes one line
per location the reference flags (code, table, row, child) and prints JSON timing and memory.

Locations: the reference numbers each table's records from 0 in document order (ROW_ID), as
carestat does from 1, so `row` here is ROW_ID + 1; a return-level error has table and row empty.
One exception: the reference reads only the first CPPreviewDate of a plan's Reviews element
(the schema allows several), so its Reviews rows are mapped to carestat's row of that first date.
Nothing in the reference is changed: its report is captured by wrapping `include_issue_child`,
which the reference itself calls with every location (Header ones included) before it splits them.
"""

import contextlib
import csv
import io
import json
import re
import resource
import sys
import time


def review_rows(root) -> list[int]:
    """carestat's 1-based Reviews row of the first CPPreviewDate of each Reviews element (the reference's rows)."""
    rows, position = [], 0
    for reviews in root.iter("Reviews"):
        dates = reviews.findall("CPPreviewDate")
        if dates:
            rows.append(position + 1)
        position += len(dates)
    return rows


def main() -> None:
    year, xml_path, out_csv = sys.argv[1:4]
    started = time.perf_counter()
    import xml.etree.ElementTree as ET

    import pandas as pd
    from cin_validator import cin_validator
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    registry = get_year_ruleset(str(year))
    captured = []
    original = cin_validator.include_issue_child

    def capture(issue_df, cin_data):
        out = original(issue_df, cin_data)
        captured.append(out.copy())  # the reference renames its columns in place afterwards
        return out

    cin_validator.include_issue_child = capture
    printed = io.StringIO()
    work_started = time.perf_counter()  # after start-up: parsing, ingest and every rule, as its CLI `run`
    with contextlib.redirect_stdout(printed):  # it prints one line per rule that raised
        root = ET.parse(xml_path).getroot()
        data = cin_validator.process_data(cin_validator.convert_data(root))
        validator = cin_validator.CinValidator(data, registry)
    work = time.perf_counter() - work_started
    crashed = sorted(set(re.findall(r"^Error with rule (\w+):", printed.getvalue(), flags=re.M)))

    reviews = review_rows(root)
    rows = []
    issues = captured[-1]
    if len(issues):
        for rec in issues.to_dict("records"):
            table = rec.get("tables_affected")
            if not isinstance(table, str):
                continue  # return-level rows come from la_rule_issues below
            row = int(rec["ROW_ID"]) + 1
            if table == "Reviews":
                row = reviews[row - 1] if row - 1 < len(reviews) else -row
            child = rec.get("LAchildID")
            rows.append((str(rec["rule_code"]), table, row, "" if pd.isna(child) else str(child)))
    la_level = validator.la_rule_issues
    if len(la_level):
        rows.extend((str(code), "", "", "") for code in la_level["rule_code"])
    rows = sorted(set(rows), key=str)
    with open(out_csv, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "table", "row", "child"])
        writer.writerows(rows)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "work_seconds": work, "peak_mb": peak_mb, "errors": len(rows),
                      "children": len(data["ChildIdentifiers"]), "failed_rules": crashed,
                      "rules_run": len(registry), "pandas": pd.__version__}))


if __name__ == "__main__":
    import logging
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    main()
