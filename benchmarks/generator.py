"""The synthetic generator at national scale: all LAs x 7 years, wall time and peak memory."""

from __future__ import annotations

import shutil
import time

from benchmarks.common import WORK, python, run_json, save

SCRIPT = """
import json, resource, sys, time
from pathlib import Path
from carestat.synth import GenerateOptions, generate, parse_years
if __name__ == "__main__":
    t = time.perf_counter()
    r = generate(GenerateOptions(out=Path(sys.argv[1]), years=parse_years("2019-2025"), cin=sys.argv[2] == "1"))
    seconds = time.perf_counter() - t
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "returns": r.returns, "children": r.children,
                      "peak_mb_main": own, "peak_mb_largest_worker": kids}))
"""


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "generate_national.py"
    script.write_text(SCRIPT)
    results = {}
    for label, cin in (("SSDA903 and CIN census", "1"), ("SSDA903 only", "0")):
        out = WORK / "national"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        r = run_json([python(), str(script), str(out), cin])
        r["wall_s"] = round(time.perf_counter() - started, 1)
        r["disk_mb"] = round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6)
        results[label] = r
        print(label, r, flush=True)
        shutil.rmtree(out, ignore_errors=True)
    print(f"saved {save('generator', results)}")


if __name__ == "__main__":
    main()
