"""The synthetic generator at national scale: all LAs x 7 years, wall time, CPU time and peak memory.

The machine is shared, so every figure travels with the load average before and after the run,
and with CPU time (user + system of the generating process and all its workers), which other
work on the machine disturbs far less than wall time.
"""

from __future__ import annotations

import os
import shutil
import time

from benchmarks.common import WORK, python, run_json, save

SCRIPT = """
import json, os, resource, sys, time
from pathlib import Path
from carestat.synth import GenerateOptions, generate, parse_years
if __name__ == "__main__":
    t = time.perf_counter()
    r = generate(GenerateOptions(out=Path(sys.argv[1]), years=parse_years("2019-2025"), cin=sys.argv[2] == "1"))
    seconds = time.perf_counter() - t
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": round(seconds, 1), "returns": r.returns, "children": r.children,
                      "cpu_s": round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 1),
                      "cpu_s_workers": round(kids.ru_utime + kids.ru_stime, 1),
                      "peak_mb_main": round(own.ru_maxrss / 1024), "peak_mb_largest_worker": round(kids.ru_maxrss / 1024),
                      "workers": os.cpu_count()}))
"""


def calibration_summary(path: os.PathLike) -> dict:
    """The measures with a tolerance (children looked after on 31 March): how many LA-years and
    England-years are within it, and the worst of each, kept before the output is deleted."""
    import polars as pl

    cal = pl.read_csv(path, infer_schema_length=None).filter(pl.col("within_tolerance").is_not_null())
    out = {}
    for level, frame in cal.group_by("geography"):
        out[level[0]] = {"within": int(frame["within_tolerance"].sum()), "of": frame.height,
                         "worst_difference_pct": float(frame["difference_pct"].abs().max())}
    return out


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "generate_national.py"
    script.write_text(SCRIPT)
    results = {}
    for label, cin in (("SSDA903 and CIN census", "1"), ("SSDA903 only", "0")):
        out = WORK / "national"
        shutil.rmtree(out, ignore_errors=True)
        load_before = [round(x, 1) for x in os.getloadavg()]
        started = time.perf_counter()
        r = run_json([python(), str(script), str(out), cin])
        r["wall_s"] = round(time.perf_counter() - started, 1)
        r["load_average_before"], r["load_average_after"] = load_before, [round(x, 1) for x in os.getloadavg()]
        r["disk_mb"] = round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6)
        r["calibration"] = calibration_summary(out / "calibration.csv")
        results[label] = r
        print(label, r, flush=True)
        shutil.rmtree(out, ignore_errors=True)
    print(f"saved {save('generator', results)}")


if __name__ == "__main__":
    main()
