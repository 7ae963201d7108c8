"""CIN census validation: carestat beside the reference validator (csc-validator-be-cin).

- speed and peak memory on a ~50,000-child census (Kent, 886, at scale 1.6), both in fresh processes;
- per-rule agreement on generated censuses with injected faults (the differential check), for a
  spread of LAs and the years 2023-2025.

The reference is installed in its own virtualenv under benchmarks/work (pandas 1.5 needs numpy < 2)
and stays out of carestat's lock. Synthetic data only: the results hold counts, never child ids.

How locations are compared. The reference numbers each table's records from 0 in document order
(its ROW_ID) and names the table; carestat numbers them from 1 in the same order. So an error is
the key (code, table, row); a return-level error is (code, "", ""). The reference reads only the
first CPPreviewDate of each Reviews element (reference/run_cin.py maps its rows to carestat's):
carestat's errors on the other review dates are counted as `reference_unread`, not as
disagreements. Every error is also reduced to (code, LAchildID), the child-level agreement, which
shows whether the two find the same children when they flag different records of them. A rule the
reference crashed on in a census has that census's errors counted as `reference_crashed`.

`python -m benchmarks.validation_cin` runs both (as `python -m benchmarks validation_cin`);
`... differential [LA ...]` or `... speed` runs one. $CARESTAT_BENCH_JOBS censuses at a time in
the differential (default 2).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import WORK, python, run_json, save

REFERENCE = ("csc-validator-be-cin==0.1.13", "numpy<2")  # its pandas 1.5 breaks on numpy 2
YEARS = (2023, 2024, 2025)
# A spread of regions and sizes; 942 and 943 also write Cumbria (909) for 2022/23, before the split.
DIFFERENTIAL_LAS = ("201", "208", "318", "340", "352", "805", "830", "866", "873", "888", "926",
                    "938", "942", "943")
DIFFERENTIAL_SCALE = 0.12  # ~20 to ~1,800 children a census: the reference grows faster than linearly
SPEED = ("886", 1.6)  # Kent at 1.6x: about 50,000 children in the 2024/25 census
CIN = WORK / "cin"


def reference_python() -> str:
    venv = WORK / "refcin"
    exe = venv / "bin" / "python"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(exe), "-m", "pip", "install", "--quiet", *REFERENCE], check=True)
    return str(exe)


def generate(name: str, las: str, years: str, scale: float, error_rate: float) -> Path:
    out = CIN / name
    if not (out / "calibration.csv").exists():
        subprocess.run([python(), "-m", "carestat", "generate", "--out", str(out), "--las", las, "--years", years,
                        "--scale", str(scale), "--error-rate", str(error_rate), "--seed", "11"], check=True,
                       capture_output=True)
    return out


def censuses(root: Path, las: list[str] | None = None) -> list[tuple[str, int, Path]]:
    """(LA, year, XML) of every generated census under ``root`` (or of the LAs listed)."""
    found = [(p.parent.parent.name, int(p.parent.parent.parent.name), p)
             for p in sorted(root.glob("*/*/cin/cin_*.xml"))]
    return [c for c in found if las is None or c[0] in las]


def run_pair(la: str, year: int, xml: Path) -> dict:
    """Both validators on one census. With $CARESTAT_BENCH_REUSE_REFERENCE=1 the reference's output
    from an earlier run on the same census is reused (it takes minutes where carestat takes a
    second): for checking a fix to carestat against the reference without running it again."""
    out = CIN / "out"
    out_c, out_r, ref_json = out / f"c_{la}_{year}.csv", out / f"r_{la}_{year}.csv", out / f"r_{la}_{year}.json"
    out.mkdir(parents=True, exist_ok=True)
    load = [round(x, 1) for x in os.getloadavg()]  # the machine is shared: say how busy it was
    ours = run_json([python(), "-m", "benchmarks.run_carestat_cin", str(year), str(xml), str(out_c)])
    reuse = os.environ.get("CARESTAT_BENCH_REUSE_REFERENCE") == "1" and ref_json.exists() \
        and ref_json.stat().st_mtime > xml.stat().st_mtime
    if reuse:
        theirs = json.loads(ref_json.read_text())
    else:
        theirs = run_json([reference_python(), str(Path(__file__).parent / "reference" / "run_cin.py"), str(year),
                           str(xml), str(out_r)])
        ref_json.write_text(json.dumps(theirs))
    return {"la": la, "year": year, "xml": xml, "load_average_before": load, "carestat": ours, "reference": theirs,
            "reference_reused": reuse, "ours_csv": out_c, "ref_csv": out_r}


def _errors(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _record_key(e: dict[str, str]) -> tuple[str, str, str]:
    return (e["code"], e["table"], e["row"])


def _later_review_rows(xml: Path) -> set[str]:
    """carestat's Reviews rows that are not the first CPPreviewDate of their Reviews element."""
    from lxml import etree

    later, position = set(), 0
    for _, reviews in etree.iterparse(str(xml), tag="{*}Reviews"):
        n = sum(1 for d in reviews if etree.QName(d).localname == "CPPreviewDate")
        later.update(str(position + i) for i in range(2, n + 1))
        position += n
        reviews.clear()
    return later


def tally(pair: dict, agree: dict[str, Counter], children: dict[str, Counter]) -> None:
    """Add one census's per-rule agreement: records in ``agree``, children in ``children``."""
    crashed = set(pair["reference"]["failed_rules"])
    for code in crashed:
        agree.setdefault(code, Counter())["reference_crashed_censuses"] += 1
    # The reference has no XML schema check: carestat's schema problems (code XSD) have no twin there.
    ours = [e for e in _errors(pair["ours_csv"]) if e["code"] != "XSD"]
    theirs = _errors(pair["ref_csv"])
    unread = _later_review_rows(pair["xml"])
    mine = {_record_key(e): e["child"] for e in ours}
    refs = {_record_key(e) for e in theirs}
    # A child with an error on a review the reference never read: its other records flagged by the
    # same rule (the plan beside that review) are unread by the reference too.
    unread_children = {(e["code"], e["child"]) for e in ours if e["table"] == "Reviews" and e["row"] in unread}
    for key in mine.keys() | refs:
        code = key[0]
        if code in crashed:
            side = "reference_crashed"
        elif key in mine and key in refs:
            side = "both"
        elif key in mine:
            side = "reference_unread" if (key[1] == "Reviews" and key[2] in unread) \
                or (code, mine[key]) in unread_children else "carestat_only"
        else:
            side = "reference_only"
        agree.setdefault(code, Counter())[side] += 1
    # Child level: a return-level error is its own "child"; the reference's unread reviews are left out.
    kids_c = {(e["code"], e["child"] if e["table"] else "") for e in ours
              if (e["code"], e["child"]) not in unread_children}
    kids_r = {(e["code"], e["child"] if e["table"] else "") for e in theirs}
    for key in kids_c | kids_r:
        if key[0] in crashed:
            continue
        side = "both" if key in kids_c and key in kids_r else ("carestat_only" if key in kids_c else "reference_only")
        children.setdefault(key[0], Counter())[side] += 1


def differential(las: list[str] | None = None, jobs: int = 2) -> dict:
    """Per-rule agreement over the generated censuses (or those of the LAs listed); saved as
    validation_cin_differential.json, and the rules that disagree printed."""
    root = generate("differential", ",".join(DIFFERENTIAL_LAS), f"{YEARS[0]}-{YEARS[-1]}", DIFFERENTIAL_SCALE, 0.05)
    todo = censuses(root, las)
    agree: dict[str, Counter] = {}
    children: dict[str, Counter] = {}
    totals: Counter = Counter()
    not_run: dict[str, str] = {}
    runs = []

    def pair_of(item: tuple[str, int, Path]) -> dict | None:
        try:
            return run_pair(*item)
        except RuntimeError as e:  # one validator failed on the whole census: recorded, not compared
            not_run[f"{item[0]}/{item[1]}"] = str(e).splitlines()[-1][:300]
            return None

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:  # each pair runs in its own processes
        for (la, year, _), pair in zip(todo, pool.map(pair_of, todo), strict=True):
            if pair is None:
                print(la, year, "failed:", not_run[f"{la}/{year}"], flush=True)
                continue
            tally(pair, agree, children)
            c, r = pair["carestat"], pair["reference"]
            totals.update(children=c["children"], carestat_s=c["work_seconds"], reference_s=r["work_seconds"])
            runs.append({"la": la, "year": year, "children": c["children"], "load_average_before":
                         pair["load_average_before"], "carestat_work_s": round(c["work_seconds"], 2),
                         "reference_work_s": round(r["work_seconds"], 1), "carestat_errors": c["errors"],
                         "reference_errors": r["errors"], "reference_crashed": r["failed_rules"],
                         "reference_reused": pair["reference_reused"]})
            print(la, year, c["children"], round(c["work_seconds"], 2), round(r["work_seconds"], 1), flush=True)
    per_rule = {code: {**dict(agree.get(code, {})), "children": dict(children.get(code, {}))}
                for code in sorted(set(agree) | set(children))}
    from carestat.validate.registry import rules_for

    declared = {r.code for year in YEARS for r in rules_for("cin", year)}
    summary = Counter()
    for counts in agree.values():
        summary.update({k: v for k, v in counts.items() if k != "reference_crashed_censuses"})
    result = {"command": "python -m benchmarks.validation_cin differential", "reference": REFERENCE[0],
              "data": f"synthetic: carestat generate --las {','.join(DIFFERENTIAL_LAS)} --years "
                      f"{YEARS[0]}-{YEARS[-1]} --scale {DIFFERENTIAL_SCALE} --error-rate 0.05 --seed 11",
              "censuses": len(runs), "children": totals["children"],
              "reference_outputs_reused": any(run["reference_reused"] for run in runs),  # then the two
              # totals below come from different runs (and loads): not a speed comparison
              "carestat_work_s": round(totals["carestat_s"], 1), "reference_work_s": round(totals["reference_s"], 1),
              "records": dict(summary), "rules_flagged": len(per_rule),
              "rules_disagreeing": sorted(disagreements(per_rule)), "not_compared": not_run,
              "rules_not_exercised": sorted(declared - set(per_rule)),
              "per_census": runs, "per_rule": per_rule}
    for code, counts in disagreements(per_rule).items():
        print(code, counts)
    print(f"saved {save('validation_cin_differential', result)}")
    return result


def disagreements(per_rule: dict[str, dict]) -> dict[str, dict]:
    """The rules whose record sets differ (reference crashes and unread reviews aside)."""
    return {code: c for code, c in per_rule.items() if c.get("carestat_only") or c.get("reference_only")}


def _timed_reference(year: int, xml: Path, out: Path, limit_s: float) -> dict:
    """The reference on one census; past ``limit_s`` it is stopped and only a lower bound kept."""
    cmd = [reference_python(), str(Path(__file__).parent / "reference" / "run_cin.py"), str(year), str(xml), str(out)]
    started = time.perf_counter()
    try:
        return run_json(cmd, timeout=limit_s)
    except subprocess.TimeoutExpired:
        return {"unfinished_after_s": round(time.perf_counter() - started, 1)}


def speed() -> dict:
    """The ~50,000-child census: carestat, the reference, carestat again (each a fresh process; the
    machine is shared, so carestat's slower run is the one compared). The reference is stopped after
    $CARESTAT_BENCH_REF_LIMIT seconds (default 3 hours); then its time is a lower bound."""
    la, scale = SPEED
    root = generate("speed", la, str(YEARS[-1]), scale, 0.05)
    (_, year, xml), = censuses(root, [la])
    out = CIN / "out"
    out.mkdir(parents=True, exist_ok=True)
    runs, loads = [], []
    ours_cmd = [python(), "-m", "benchmarks.run_carestat_cin", str(year), str(xml), str(out / f"c_{la}_{year}.csv")]
    for step in ("carestat", "reference", "carestat"):
        loads.append({step: [round(x, 1) for x in os.getloadavg()]})  # the machine is shared: how busy it was
        if step == "carestat":
            runs.append(run_json(ours_cmd))
        else:
            theirs = _timed_reference(year, xml, out / f"r_{la}_{year}.csv",
                                      float(os.environ.get("CARESTAT_BENCH_REF_LIMIT", 3 * 3600)))
        print(step, runs[-1] if step == "carestat" else theirs, flush=True)
    c = max(runs, key=lambda run: run["seconds"])
    finished = "unfinished_after_s" not in theirs
    ref_s = theirs["seconds"] if finished else theirs["unfinished_after_s"]
    result = {"command": "python -m benchmarks.validation_cin speed", "reference": REFERENCE[0],
              "data": f"synthetic: carestat generate --las {la} --years {year} --scale {scale} --error-rate 0.05 "
                      f"--seed 11", "children": c["children"], "load_average_before": loads,
              "carestat_process_s": [round(run["seconds"], 2) for run in runs],
              "carestat_work_s": [round(run["work_seconds"], 2) for run in runs],
              "carestat_peak_mb": round(c["peak_mb"]), "carestat_errors": c["errors"],
              "reference_finished": finished, "reference_process_s": round(ref_s, 1),
              "speedup_process": round(ref_s / c["seconds"], 1)}
    if finished:
        result |= {"reference_children": theirs["children"], "reference_work_s": round(theirs["work_seconds"], 1),
                   "speedup_work": round(theirs["work_seconds"] / c["work_seconds"], 1),
                   "reference_peak_mb": round(theirs["peak_mb"]), "reference_errors": theirs["errors"],
                   "reference_crashed_rules": theirs["failed_rules"]}
    else:
        result["note"] = "the reference was stopped unfinished: its time and the speedup are lower bounds"
    print(result, flush=True)
    print(f"saved {save('validation_cin_speed', result)}")
    return result


def main() -> None:
    speed()
    differential(jobs=int(os.environ.get("CARESTAT_BENCH_JOBS", "2")))


if __name__ == "__main__":
    if sys.argv[1:2] == ["differential"]:
        differential(sys.argv[2:] or None, jobs=int(os.environ.get("CARESTAT_BENCH_JOBS", "2")))
    elif sys.argv[1:2] == ["speed"]:
        speed()
    else:
        main()
