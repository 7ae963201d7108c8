"""The warehouse and the indicators at national scale (issue 5): loading one national year (target
under 30 s), then every indicator for all LAs x 7 years from the warehouse (target under 10 s).

The 7-year synthetic set (SSDA903 only) is generated once under benchmarks/work and reused. The
warehouse is built afresh each run, with a throwaway pseudonymisation key: the latest year first
(the timed load; returns with validation errors are stored, flagged, so that every LA is in),
then the other six. The indicators run in fresh processes, reading from the warehouse: times
include the read, not start-up. The load average is recorded too: on a shared machine other work
slows every figure here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks.common import WORK, python, run_json, save

NAME = "ssda903_national7"
YEARS = range(2019, 2026)
LOAD_YEAR = 2025
RUNS = 2  # indicator runs (the first also pays for reading files the OS has not cached)

LOAD = """
import json, resource, sys, time
from carestat.warehouse import load
if __name__ == "__main__":
    t = time.perf_counter()
    outcomes = load(sys.argv[2:], db=sys.argv[1], accept_errors=True)
    seconds = time.perf_counter() - t
    print(json.dumps({
        "seconds": round(seconds, 1), "returns": len(outcomes),
        "stored": sum(o.status == "loaded" for o in outcomes),
        "with_errors": sum(o.n_errors > 0 for o in outcomes),
        "children": sum(o.n_children for o in outcomes),
        "peak_mb_main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_mb_largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}))
"""

COMPUTE = """
import json, resource, sys, time
from carestat.indicators import Inputs, compute
if __name__ == "__main__":
    t, cpu = time.perf_counter(), time.process_time()
    inputs = Inputs.from_warehouse(sys.argv[1])
    read = time.perf_counter() - t
    frame = compute(inputs)
    print(json.dumps({
        "seconds": round(time.perf_counter() - t, 2), "read_s": round(read, 2),
        "compute_s": round(time.perf_counter() - t - read, 2), "cpu_s": round(time.process_time() - cpu, 2),
        "indicators": frame["indicator_id"].n_unique(), "rows": frame.height,
        "las": len(inputs.las), "years": inputs.years,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def dataset() -> Path:
    """The national 7-year set, generated on first use."""
    out = WORK / "data" / NAME
    if not (out / "calibration.csv").exists():
        shutil.rmtree(out, ignore_errors=True)
        years = f"{YEARS[0]}-{YEARS[-1]}"
        subprocess.run([python(), "-m", "carestat", "generate", "--out", str(out), "--years", years,
                        "--seed", "11", "--no-cin"], check=True, capture_output=True)
    return out


def _load_avg() -> float:
    return round(os.getloadavg()[0], 1)


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = dataset()
    generate_s = round(time.perf_counter() - started, 1)
    load_script, compute_script = WORK / "load_warehouse.py", WORK / "compute_indicators.py"
    load_script.write_text(LOAD)
    compute_script.write_text(COMPUTE)
    db = WORK / "indicators.duckdb"
    for path in (db, db.with_suffix(".duckdb.wal")):
        path.unlink(missing_ok=True)
    env = {"CARESTAT_KEY": secrets.token_hex(32)}

    results: dict = {"data": f"synthetic, all LAs, {YEARS[0]}-{YEARS[-1]} (seed 11)", "generate_s": generate_s}
    results["load_one_year"] = {"year": LOAD_YEAR, "load_avg": _load_avg(),
                                **run_json([python(), str(load_script), str(db), str(data / str(LOAD_YEAR))], env)}
    print("load", LOAD_YEAR, results["load_one_year"], flush=True)
    others = [str(data / str(y)) for y in YEARS if y != LOAD_YEAR]
    results["load_other_years"] = run_json([python(), str(load_script), str(db), *others], env)
    print("load the other years", results["load_other_years"], flush=True)
    results["indicators"] = []
    for _ in range(RUNS):
        run = {"load_avg": _load_avg(), **run_json([python(), str(compute_script), str(db)])}
        results["indicators"].append(run)
        print("indicators", run, flush=True)
    results["targets"] = {"load_one_year_s": 30, "indicators_s": 10}
    print(f"saved {save('indicators', results)}")


if __name__ == "__main__":
    main()
