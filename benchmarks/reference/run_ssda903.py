"""Run the public reference validator (csc-validator-be-903) on one return, in ITS OWN virtualenv.

Called by benchmarks/reference903.py with: year, LA ONS code, a sector-centroid CSV, an output CSV,
then "--" and this year's files, optionally "--previous" and last year's files. Writes one line per
(rule code, table, 1-based row) the reference flags, and prints JSON timing and memory to stdout.

The reference derives PL_DISTANCE, PL_LA and PL_LOCATION from full postcodes; carestat's synthetic
returns hold postcode sectors, so this driver gives the reference the same sector-based derivation
carestat uses (see docs/validation-differences.md). Nothing else in the reference is changed.
"""

import csv
import json
import math
import re
import resource
import sys
import time


def main() -> None:
    year, la_code, sectors_csv, out_csv = sys.argv[1:5]
    rest = sys.argv[6:]
    if "--previous" in rest:
        i = rest.index("--previous")
        current, previous = rest[:i], rest[i + 1:]
    else:
        current, previous = rest, []
    started = time.perf_counter()
    import lac_validator.datastore as datastore
    import pandas as pd
    from lac_validator import lac_validator
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    centroids = {}
    with open(sectors_csv, newline="") as f:
        for row in csv.DictReader(f):
            centroids[row["key"]] = (float(row["E"]), float(row["N"]), row["la"], row["country"])

    # As carestat's ingest (derived903.sector_of): a full or partial postcode ends in an inward part
    # of a digit and 0-2 letters; its sector is the outward code, a space and that digit. A bare
    # district (or anything else) is looked up as it is, without spaces.
    postcode = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{0,2})$")

    def sector(value):
        if not isinstance(value, str) or not value.strip():
            return None
        compact = re.sub(r"\s+", "", value.upper())
        parts = postcode.match(compact)
        return f"{parts[1]} {parts[2][0]}" if parts else compact

    def derive(episodes, local_authority):
        episodes = episodes.copy()
        home = episodes["HOME_POST"].map(lambda v: centroids.get(sector(v)))
        place = episodes["PL_POST"].map(lambda v: centroids.get(sector(v)))
        countries = {"Scotland": "SCO", "Wales": "WAL", "Northern Ireland": "NIR"}
        episodes["PL_LA"] = place.map(lambda c: None if c is None else (c[2] if c[3] == "England" else countries.get(c[3])))
        episodes["PL_LOCATION"] = [
            None if la is None else ("IN" if la == local_authority else "OUT") for la in episodes["PL_LA"]]

        def distance(h, p):
            if h is None or p is None:
                return float("nan")
            return round(math.hypot(h[0] - p[0], h[1] - p[1]) / 1000 / 1.6093, 1)

        episodes["PL_DISTANCE"] = [distance(h, p) for h, p in zip(home, place, strict=True)]
        return episodes

    datastore._add_postcode_derived_fields = derive

    def read(paths, description):
        out = []
        for path in paths:
            with open(path, "rb") as f:
                out.append({"name": path, "file_content": f.read(), "description": description})
        return out

    registry = get_year_ruleset(str(year))
    work_started = time.perf_counter()  # after start-up: reading files, ingest and every rule
    files = read(current, "This year") + read(previous, "Prev year")
    metadata = {"collectionYear": str(year), "localAuthority": la_code}
    validator = lac_validator.LacValidator(metadata=metadata, files=files, registry=registry)
    work = time.perf_counter() - work_started
    rows = []
    for table, frame in validator.ds_results.items():
        if table == "metadata" or not hasattr(frame, "columns"):
            continue
        for column in [c for c in frame.columns if str(c).startswith("ERR_")]:
            flagged = frame.index[frame[column].fillna(False).astype(bool)]
            rows.extend((column[4:], table, int(i) + 1) for i in flagged)
    with open(out_csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "table", "row"])
        writer.writerows(rows)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "work_seconds": work, "peak_mb": peak_mb, "errors": len(rows),
                      "failed_rules": validator.fails, "pandas": pd.__version__}))


if __name__ == "__main__":
    import logging

    logging.disable(logging.CRITICAL)
    main()
