"""The JSON line a carestat validation run prints for the speed benchmarks (stdlib only, so it
adds nothing to the start-up being timed)."""

import json
import resource
import time
from typing import Any


def print_timing(started: float, work_seconds: float, report: Any) -> None:
    """Whole-process and work seconds, the rules' own time, peak memory and what the report found."""
    print(json.dumps({"seconds": time.perf_counter() - started, "work_seconds": work_seconds,
                      "rules_seconds": report.seconds,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "errors": report.errors.height, "children": report.n_children,
                      "rules_run": len(report.rules_run), "skipped": len(report.skipped)}))
