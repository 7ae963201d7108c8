"""Validate one CIN census with carestat in a fresh process; print JSON timing and peak memory.

Arguments mirror reference/run_cin.py: year, the census XML, output CSV (code, table, row, child).
Time includes start-up (imports), as the reference's does; work time starts after the rules load.
"""

import json
import resource
import sys
import time


def main() -> None:
    started = time.perf_counter()
    year, xml_path, out_csv = sys.argv[1:4]
    from carestat.validate import validate_cin
    from carestat.validate.registry import all_rules

    all_rules()
    work_started = time.perf_counter()  # after start-up: reading the XML, checking and every rule
    report = validate_cin(xml_path, year=int(year))
    work = time.perf_counter() - work_started
    report.errors.select("code", "table", "row", "child").write_csv(out_csv)
    print(json.dumps({"seconds": time.perf_counter() - started, "work_seconds": work, "rules_seconds": report.seconds,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "errors": report.errors.height, "children": report.n_children,
                      "rules_run": len(report.rules_run), "skipped": len(report.skipped)}))


if __name__ == "__main__":
    main()
