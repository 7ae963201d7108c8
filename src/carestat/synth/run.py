"""Run the generator: simulate each LA (in parallel), cut and write its returns, report calibration.

Work is split into jobs of LAs that must be written together: a predecessor's return
(Northamptonshire, Cumbria, Dorset/Bournemouth/Poole) holds the children of several of today's
LAs. Each job is independent and seeded by (seed, LA code), so the same seed gives the same
bytes whatever the number of processes or the LAs chosen alongside.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from carestat.errors import OutputError
from carestat.provenance import MARKER
from carestat.refdata import LocalAuthority, resolve_la
from carestat.synth.draw import draw_index
from carestat.synth.options import GenerateOptions
from carestat.synth.targets import PREDECESSORS, reporting_shares, simulated_years, unit_targets

if TYPE_CHECKING:
    from carestat.synth.cin_tables import CinHistory
    from carestat.synth.history import History


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    years: tuple[int, ...]
    returns: int
    children: int
    seconds: float
    skipped: tuple[str, ...]

    def describe(self) -> str:
        span = f"{self.years[0]}-{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
        note = f"; no children looked after, so no return, for {', '.join(self.skipped)}" if self.skipped else ""
        return (f"Wrote {self.returns} synthetic LA returns for {span} ({self.children:,} children looked "
                f"after at some point) to {self.out} in {self.seconds:.1f}s{note}. "
                f"Calibration against published figures: {self.out / 'calibration.csv'}")


def _jobs(units: tuple[LocalAuthority, ...]) -> list[tuple[str, ...]]:
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for u in units:
        before = PREDECESSORS.get(u.old_la_code)
        key = before[0] if before else (u.old_la_code,)
        groups[key].append(u.old_la_code)
    # Predecessors that share successors (Dorset 835 -> 838/839, 836/837 -> 839) form one job.
    merged: list[set[str]] = []
    for members in groups.values():
        for m in merged:
            if m & {PREDECESSORS.get(x, ((),))[0][0] if x in PREDECESSORS else x for x in members} or any(
                    PREDECESSORS.get(x) and PREDECESSORS.get(y) and set(PREDECESSORS[x][0]) & set(PREDECESSORS[y][0])
                    for x in members for y in m):
                m.update(members)
                break
        else:
            merged.append(set(members))
    # Largest first, so no big LA is left running alone at the end (output does not depend on order).
    return sorted((tuple(sorted(m)) for m in merged),
                  key=lambda job: (-sum(resolve_la(c).population_0_17 or 0 for c in job), job))


def _run_job(units: tuple[str, ...], options: GenerateOptions, folder: Path) -> tuple[list[dict], int]:
    from carestat.synth import measures903, measures_cin
    from carestat.synth.calibration import rows
    from carestat.synth.cin_model import simulate_cin
    from carestat.synth.cin_tables import cin_year_tables
    from carestat.synth.faults import inject_faults
    from carestat.synth.history import simulate_history
    from carestat.synth.tables903 import YearCut
    from carestat.synth.writers import write_903_csv, write_903_xml

    sim_years = simulated_years(options.years)
    cuts: dict[tuple[str, int], list[dict[str, pl.DataFrame]]] = defaultdict(list)
    cin_cuts: dict[tuple[str, int], list[dict[str, pl.DataFrame]]] = defaultdict(list)
    calibration: list[dict] = []
    children = 0
    for code in units:
        la = resolve_la(code)
        targets = unit_targets(la, sim_years)
        if not (targets["starts"].fill_null(0) > 0).any():
            continue  # the Isles of Scilly look after no children: no return to write
        h = simulate_history(code, targets, options.scale, options.seed, min(options.years))
        children += len(h.children)
        ch = simulate_cin(code, targets, h, options.scale, options.seed, options.years) if options.cin else None
        for year in options.years:
            cut = YearCut(h, year).tables()
            cin = cin_year_tables(ch, year) if ch is not None else None
            for reporting, mine, mine_cin in _parts(la, year, h, ch, options.seed):
                part = _only(cut, "CHILD", h.identity.child_id[mine]) if mine is not None else cut
                cuts[(reporting, year)].append(part)
                calibration += rows(reporting, year, measures903.measure(h, year, part["OC3"], mine))
                if ch is not None and cin is not None:
                    ids = ch.children.filter(pl.Series(mine_cin[ch.children["child"].to_numpy()]))["LAchildID"] \
                        if mine_cin is not None else None
                    cin_cuts[(reporting, year)].append(_only(cin, "LAchildID", ids) if ids is not None else cin)
                    calibration += rows(reporting, year, measures_cin.measure(ch, year, mine_cin))
    written = set()
    for (la_code, year), parts in sorted(cuts.items()):
        tables = {name: pl.concat([p[name] for p in parts]) for name in parts[0]}
        if tables["Header"].height == 0:
            continue
        written.add((la_code, year))
        tables, faults = inject_faults(tables, year, la_code, options)
        target = folder / str(year) / la_code
        if options.format in ("csv", "both"):
            write_903_csv(tables, target / "ssda903", year)
        if options.format in ("xml", "both"):
            write_903_xml(tables, target / "ssda903" / f"ssda903_{la_code}_{year}.xml", year)
        if faults is not None and faults.height:
            faults.write_csv(target / "faults.csv")
        if cin_cuts.get((la_code, year)):
            _write_cin(cin_cuts[(la_code, year)], la_code, year, target / "cin", options)
    return [r for r in calibration if (r["old_la_code"], r["year"]) in written], children


def _parts(la: LocalAuthority, year: int, h: History, ch: CinHistory | None,
           seed: int) -> list[tuple[str, np.ndarray | None, np.ndarray | None]]:
    """The returns a unit's year goes to, each with the children it holds (by 903 and by CIN child
    index; None for all). BCP's children before 2019/20 are Poole's or Bournemouth's, each child
    always the same one's."""
    shares = reporting_shares(la, year)
    if len(shares) == 1:
        return [(next(iter(shares)), None, None)]
    rng = np.random.default_rng([seed, int(la.old_la_code), 97])
    which = draw_index(shares.values(), len(h.children.dob), rng)
    others = 0 if ch is None else int(ch.children["child"].max()) + 1 - len(which)
    which_cin = np.r_[which, draw_index(shares.values(), max(others, 0), rng)]
    return [(code, which == k, which_cin == k) for k, code in enumerate(shares)]


def _only(tables: dict[str, pl.DataFrame], column: str, ids: np.ndarray | pl.Series) -> dict[str, pl.DataFrame]:
    keep = pl.col(column).is_in(pl.Series(ids).implode())
    return {name: frame.filter(keep) for name, frame in tables.items()}


def _write_cin(parts: list[dict[str, pl.DataFrame]], la_code: str, year: int, folder: Path,
               options: GenerateOptions) -> None:
    from carestat.synth.cin_faults import inject_cin_faults
    from carestat.synth.cin_writer import write_cin_xml

    tables = {name: pl.concat([p[name] for p in parts], how="vertical_relaxed") for name in parts[0]}
    tables, faults = inject_cin_faults(tables, year, la_code, options)
    write_cin_xml(tables, folder / f"cin_{la_code}_{year}.xml", year, la_code)
    if faults is not None and faults.height:
        faults.write_csv(folder / "faults.csv")


def _prepare_output(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(f"{out} is not empty and was not written by carestat generate; choose another folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot write to {out.parent} ({exc.strerror})") from None
    return staging


def _publish(staging: Path, out: Path) -> None:
    (staging / MARKER).write_text("Synthetic data written by carestat generate. No real child is described.\n")
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


def generate(options: GenerateOptions) -> GenerateResult:
    """Generate synthetic returns for the chosen LAs and years (see ``carestat generate --help``)."""
    from carestat.synth.calibration import summarise
    from carestat.synth.places import provider_list_csv

    started = time.perf_counter()
    staging = _prepare_output(options.out)
    try:
        jobs = _jobs(options.units)
        workers = options.workers or min(os.cpu_count() or 1, len(jobs))
        rows: list[dict] = []
        children = 0
        if workers > 1:
            # spawn, not fork: Polars' thread pool does not survive a fork. The processes share the
            # cores, so each worker's Polars gets its share of threads (read when it starts).
            preset = "POLARS_MAX_THREADS" in os.environ
            if not preset:
                os.environ["POLARS_MAX_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
            try:
                with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                    results = pool.map(_run_job, jobs, [options] * len(jobs), [staging] * len(jobs))
                    for job_rows, n in results:
                        rows.extend(job_rows)
                        children += n
            finally:
                if not preset:
                    del os.environ["POLARS_MAX_THREADS"]
        else:
            for job in jobs:
                job_rows, n = _run_job(job, options, staging)
                rows.extend(job_rows)
                children += n
        calibration = summarise(rows, options)
        calibration.write_csv(staging / "calibration.csv")
        provider_list_csv().write_csv(staging / "providers.csv")
        returns = len({(r["old_la_code"], r["year"]) for r in rows})
        _publish(staging, options.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    skipped = tuple(la.old_la_code for la in options.units if all(
        (la.old_la_code, y) not in {(r["old_la_code"], r["year"]) for r in rows} for y in options.years))
    return GenerateResult(options.out, options.years, returns, children, time.perf_counter() - started, skipped)
