"""Validate one return with carestat in a fresh process; print JSON timing and peak memory.

Arguments mirror reference/run_ssda903.py: year, LA code, providers CSV or "-", output CSV, "--",
this year's files, optionally "--previous" and last year's files. Time includes start-up
(imports), as the reference's does.
"""

import sys
import time

from benchmarks.timing import print_timing


def main() -> None:
    started = time.perf_counter()
    year, la, providers, out_csv = sys.argv[1:5]
    rest = sys.argv[6:]
    current, previous = (rest[:rest.index("--previous")], rest[rest.index("--previous") + 1:]) \
        if "--previous" in rest else (rest, [])
    from carestat.validate import validate_903
    from carestat.validate.providers import read_providers
    from carestat.validate.registry import all_rules

    all_rules()
    work_started = time.perf_counter()  # after start-up: reading files, checking and every rule
    report = validate_903(current, year=int(year), la=la, previous=previous,
                          providers=read_providers(providers) if providers != "-" else None)
    work = time.perf_counter() - work_started
    report.errors.select("code", "table", "row").write_csv(out_csv)
    print_timing(started, work, report)


if __name__ == "__main__":
    main()
