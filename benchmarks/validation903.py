"""SSDA903 validation: carestat beside the reference validator (csc-validator-be-903), in one run.

- speed and peak memory on a ~2,000-child and a ~20,000-child return, each with its previous year;
- speed over every LA's return for one year;
- per-rule agreement on generated returns with injected faults (the differential check).

The reference is installed in its own virtualenv under benchmarks/work (it pins pandas < 2 and
stays out of carestat's lock). Both validators run in fresh processes; times include start-up.

To iterate on agreement: `python -m benchmarks.validation903 differential [LA ...]` runs only the
differential (every LA, or those listed; $CARESTAT_BENCH_LAS="805,318" does the same for any entry
point, `make bench` included), $CARESTAT_BENCH_JOBS LAs at a time (default 4).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from benchmarks.common import WORK, python, run_json, save

REFERENCE = "csc-validator-be-903==0.1.17"
YEAR = 2025


def reference_python() -> str:
    venv = WORK / "ref903"
    exe = venv / "bin" / "python"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(exe), "-m", "pip", "install", "--quiet", REFERENCE], check=True)
    return str(exe)


def sector_centroids() -> Path:
    from carestat import refdata

    path = WORK / "sector_centroids.csv"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        frames = [refdata.postcode_sectors().select(key="sector", E="easting_bng", N="northing_bng",
                                                    la="la_code", country="country"),
                  refdata.postcode_districts().select(key="district", E="easting_bng", N="northing_bng",
                                                      la="la_code", country="country")]
        pl.concat(frames).drop_nulls(["E", "N"]).unique("key").write_csv(path)
    return path


def generate(name: str, las: str, years: str, scale: float = 1.0, error_rate: float = 0.0) -> Path:
    out = WORK / "data" / name
    if not (out / "calibration.csv").exists():
        subprocess.run([python(), "-m", "carestat", "generate", "--out", str(out), "--las", las, "--years", years,
                        "--scale", str(scale), "--error-rate", str(error_rate), "--seed", "11", "--no-cin"], check=True,
                       capture_output=True)
    return out


def _files(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.glob("*.csv"))]


def run_pair(root: Path, la: str, year: int, providers: bool = False) -> dict:
    from carestat.refdata import resolve_la

    current = _files(root / str(year) / la / "ssda903")
    previous = _files(root / str(year - 1) / la / "ssda903")
    prev_args = ["--previous", *previous] if previous else []
    out_c, out_r = WORK / f"c_{la}_{year}.csv", WORK / f"r_{la}_{year}.csv"
    ours = run_json([python(), "-m", "benchmarks.run_carestat", str(year), la,
                     str(root / "providers.csv") if providers else "-", str(out_c), "--", *current, *prev_args])
    ons = resolve_la(la, year).new_la_code
    theirs = run_json([reference_python(), str(Path(__file__).parent / "reference" / "run_ssda903.py"), str(year),
                       ons, str(sector_centroids()), str(out_r), "--", *current, *prev_args])
    return {"la": la, "year": year, "carestat": ours, "reference": theirs, "ours_csv": out_c, "ref_csv": out_r}


def _error_set(path: Path) -> set[tuple[str, str, int]]:
    with open(path, newline="") as f:
        return {(r["code"], r["table"], int(r["row"])) for r in csv.DictReader(f) if r["row"]}


def speed(root_small: Path, la_small: str, root_large: Path, la_large: str) -> dict:
    out = {}
    for label, root, la in (("about 2,000 children", root_small, la_small), ("about 20,000 children", root_large, la_large)):
        pair = run_pair(root, la, YEAR)
        c, r = pair["carestat"], pair["reference"]
        out[label] = {"children": c["children"],
                      "carestat_work_s": round(c["work_seconds"], 3), "reference_work_s": round(r["work_seconds"], 2),
                      "speedup_work": round(r["work_seconds"] / c["work_seconds"], 1),
                      "carestat_process_s": round(c["seconds"], 2), "reference_process_s": round(r["seconds"], 2),
                      "speedup_process": round(r["seconds"] / c["seconds"], 1),
                      "carestat_peak_mb": round(c["peak_mb"]), "reference_peak_mb": round(r["peak_mb"]),
                      "memory_ratio": round(c["peak_mb"] / r["peak_mb"], 3)}
        print(label, out[label], flush=True)
    return out


def _selected_las(root: Path, las: list[str] | None) -> list[str]:
    """The LAs to run: `las` if given, else $CARESTAT_BENCH_LAS (comma-separated codes), else every LA."""
    available = sorted(p.name for p in (root / str(YEAR)).iterdir() if p.is_dir())
    if las is None:
        env = os.environ.get("CARESTAT_BENCH_LAS", "").strip()
        las = [la.strip() for la in env.split(",") if la.strip()] if env else None
    if las is None:
        return available
    unknown = sorted(set(las) - set(available))
    if unknown:
        raise SystemExit(f"no {YEAR} return under {root} for LA(s) {', '.join(unknown)}")
    return sorted(set(las))


def every_la(root: Path, las: list[str] | None = None, jobs: int = 1) -> dict:
    """Every LA's return for one year (or the LAs listed), side by side, and the per-rule agreement on them.

    An error set is only compared where both validators ran the rule: for an LA where the reference
    crashed on a rule, that rule's errors are counted under `reference_crashed` (and the LA under
    `reference_crashed_las`), never as carestat_only. `jobs` > 1 runs several LAs at once (for
    iterating on agreement; the times are then not comparable with a sequential run).
    """
    totals = Counter()
    agree: dict[str, Counter] = {}
    failed = Counter()
    las = _selected_las(root, las)
    not_run: dict[str, str] = {}

    def pair_of(la: str) -> dict | None:
        try:
            return run_pair(root, la, YEAR)
        except RuntimeError as e:  # one validator failed on the whole return: recorded, not compared
            not_run[la] = str(e).splitlines()[-1][:300]
            return None

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:  # each pair runs in its own processes
        for la, pair in zip(las, pool.map(pair_of, las), strict=True):
            if pair is None:
                print(la, "failed:", not_run[la], flush=True)
                continue
            _tally(pair, totals, agree, failed)
            print(la, round(pair["carestat"]["work_seconds"], 2), round(pair["reference"]["work_seconds"], 2),
                  flush=True)
    rules = {code: dict(c) for code, c in sorted(agree.items())}
    return {"las": len(las) - len(not_run), "children": totals["children"],
            "carestat_s": round(totals["carestat_s"], 1), "reference_s": round(totals["reference_s"], 1),
            "speedup": round(totals["reference_s"] / max(totals["carestat_s"], 1e-9), 1),
            "las_not_compared": not_run, "reference_crashed_rules": dict(failed), "per_rule": rules}


def _tally(pair: dict, totals: Counter, agree: dict[str, Counter], failed: Counter) -> None:
    totals["carestat_s"] += pair["carestat"]["work_seconds"]
    totals["reference_s"] += pair["reference"]["work_seconds"]
    totals["children"] += pair["carestat"]["children"]
    crashed = set(pair["reference"]["failed_rules"])
    for code in crashed:
        failed[code] += 1
        agree.setdefault(code, Counter())["reference_crashed_las"] += 1
    ours, theirs = _error_set(pair["ours_csv"]), _error_set(pair["ref_csv"])
    theirs = {e for e in theirs if not e[1].endswith("_last")}
    for e in ours | theirs:
        if e[0] in crashed:
            side = "reference_crashed"
        else:
            side = "both" if e in ours and e in theirs else ("carestat_only" if e in ours else "reference_only")
        agree.setdefault(e[0], Counter())[side] += 1


def disagreements(result: dict) -> dict[str, dict]:
    """The rules whose error sets differ (reference crashes aside), from an `every_la` result."""
    return {code: c for code, c in result["per_rule"].items()
            if c.get("carestat_only") or c.get("reference_only")}


def main() -> None:
    small = generate("ssda903_small", "805", f"{YEAR - 1}-{YEAR}", scale=5.0)  # Hartlepool x5
    large = generate("ssda903_large", "886", f"{YEAR - 1}-{YEAR}", scale=2.7)  # Kent x2.7
    national = generate("ssda903_national", "all", f"{YEAR - 1}-{YEAR}", error_rate=0.02)
    result = {"speed": speed(small, "805", large, "886"), "every_la": every_la(national)}
    path = save("validation903", result)
    print(f"saved {path}")


def differential(las: list[str] | None = None, jobs: int = 4) -> None:
    """Only the differential check, on the generated national returns (or the LAs listed); prints the
    rules that disagree and saves the whole result as validation903_differential.json."""
    national = generate("ssda903_national", "all", f"{YEAR - 1}-{YEAR}", error_rate=0.02)
    result = every_la(national, las, jobs=jobs)
    for code, counts in disagreements(result).items():
        print(code, counts)
    print(f"saved {save('validation903_differential', {'every_la': result})}")


if __name__ == "__main__":
    # `python -m benchmarks.validation903` runs everything (as `make bench`);
    # `python -m benchmarks.validation903 differential [LA ...]` only the agreement check, 4 LAs at a time.
    if sys.argv[1:2] == ["differential"]:
        differential(sys.argv[2:] or None, jobs=int(os.environ.get("CARESTAT_BENCH_JOBS", "4")))
    else:
        main()
