"""Validate one CIN census with carestat in a fresh process; print JSON timing and peak memory.

Arguments mirror reference/run_cin.py: year, the census XML, output CSV (code, table, row, child).
Time includes start-up (imports), as the reference's does; work time starts after the rules load.
"""

import sys
import time

from benchmarks.timing import print_timing


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
    print_timing(started, work, report)


if __name__ == "__main__":
    main()
