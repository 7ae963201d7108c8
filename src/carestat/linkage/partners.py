"""Synthetic partner data sets for the linkage study, consistent with generated returns.

``make_partner_data(returns, out)`` reads the returns written by ``carestat generate``, builds the
young people of the same LAs (``people.py``), what each partner records about them
(``events.py``), and writes four extracts with noisy identifiers (``noise.py``):

- ``la/``: the LAs' identity extract from their case systems (names and addresses the returns
  lack), with the events the returns show;
- ``school/``: a school census and attainment extract (UPN, names, date of birth, sex, postcode,
  key stage results, absence, exclusions);
- ``employment/``: employment and benefits (national insurance number, spells, earnings band);
- ``justice/``: cautions, convictions and custody.

The ground truth (who is who) is written to its own folder, never beside the extracts.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from carestat.errors import OutputError, UsageError
from carestat.linkage.events import add_years, justice_events, school_events, work_and_benefits
from carestat.linkage.names import draw_surnames
from carestat.linkage.noise import NOISE, dates_of_birth, names, postcodes, sexes
from carestat.linkage.people import build_people, day
from carestat.linkage.returns import LaChildren, read_la_children
from carestat.provenance import MARKER

MANIFEST = "manifest.json"
# Each extract's identity file and the name of its own record identifier.
IDENTITY_FILES = {"la": ("la/children.csv", "child_id"), "school": ("school/pupils.csv", "pupil_id"),
                  "employment": ("employment/people.csv", "customer_id"),
                  "justice": ("justice/offenders.csv", "offender_id")}
_PREFIX = {"school": "S", "employment": "E", "justice": "J"}
_LATE_ADDRESS = {"la": 0.0, "school": 0.3, "employment": 0.85, "justice": 0.6}  # chance the current address is the later


@dataclass(frozen=True)
class PartnerResult:
    extracts: Path
    truth: Path
    people: int
    records: dict[str, int]
    seconds: float

    def describe(self) -> str:
        counts = ", ".join(f"{name} {n:,}" for name, n in self.records.items())
        return (f"Wrote synthetic partner extracts for {self.people:,} young people ({counts} records) to "
                f"{self.extracts}, and the ground truth of who is who to {self.truth}, in {self.seconds:.1f}s.")


def identity_records(people: pl.DataFrame, dataset: str, rng: np.random.Generator,
                     la_upn: pl.Series | None = None) -> pl.DataFrame:
    """One data set's identity records for ``people``, with that data set's noise; ``person_id``
    stays on the frame (it goes to the ground truth only)."""
    noise = NOISE[dataset]
    late = rng.random(people.height) < _LATE_ADDRESS[dataset]
    early_pc, late_pc = people["postcode_early"].to_numpy(), people["postcode_late"].to_numpy()
    current, other = np.where(late, late_pc, early_pc), np.where(late, early_pc, late_pc)
    forename, surname = names(people["forename"].to_numpy().copy(), people["surname"].to_numpy().copy(),
                              draw_surnames(people.height, rng), noise, rng)
    frame = people.select("person_id", "la_code").with_columns(
        forename=pl.Series(forename, dtype=pl.Utf8), surname=pl.Series(surname, dtype=pl.Utf8),
        dob=dates_of_birth(people["dob"], noise, rng),
        sex=pl.Series(sexes(people["sex"].to_numpy(), noise, rng), dtype=pl.Utf8),
        postcode=pl.Series(postcodes(current, other, noise, rng).tolist(), dtype=pl.Utf8))  # a list: polars cannot cast an object array that starts with None
    if dataset == "la":
        return frame.with_columns(child_id=people["child_id"], upn=la_upn,
                                  looked_after=people["group"] == "looked_after", care_leaver=people["care_leaver"])
    if dataset == "school":
        return frame.with_columns(upn=people["upn"])
    if dataset == "employment":
        return frame.with_columns(ni_number=people["ni_number"]).drop("la_code")
    return frame.drop("la_code")  # justice records hold no LA


def _record_ids(frame: pl.DataFrame, dataset: str, rng: np.random.Generator) -> pl.DataFrame:
    """Shuffle the records and number them, so that order and ids say nothing about people."""
    order = rng.permutation(frame.height)
    ids = np.char.add(_PREFIX[dataset], np.char.zfill(np.arange(1, frame.height + 1).astype(str), 8))
    return frame[order].with_columns(pl.Series(IDENTITY_FILES[dataset][1], ids))


def build_extracts(people: pl.DataFrame, la: LaChildren | None, rng: np.random.Generator
                   ) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Every extract's tables (by path under the extracts folder) and the ground truth of records."""
    end = day(la.window[1]) if la is not None else day(dt.date(2025, 3, 31))
    dob = people["dob"].cast(pl.Int32).to_numpy()
    tables: dict[str, pl.DataFrame] = {}
    truth = []
    if la is not None:
        kids = people.filter(pl.col("group") != "general")
        known = kids.select("la_code", "child_id").join(la.children.select("la_code", "child_id", "upn"),
                                                         on=["la_code", "child_id"], how="left")
        ids = identity_records(kids, "la", rng, known["upn"])
        tables["la/children.csv"] = ids.drop("person_id").sort("la_code", "child_id")
        tables["la/events.csv"] = la.events.join(kids.select("la_code", "child_id"), on=["la_code", "child_id"])
        truth.append(ids.select(dataset=pl.lit("la"), record_id=pl.concat_str("la_code", pl.lit("-"), "child_id"),
                                person_id="person_id"))
    pupils = people.filter(pl.Series(rng.random(people.height) >= 0.02))  # a few never in state schools
    school = _record_ids(identity_records(pupils, "school", rng), "school", rng)
    workers = people.filter(pl.Series(add_years(dob, 16) <= end))  # NI numbers are issued at 16
    employment = _record_ids(identity_records(workers, "employment", rng), "employment", rng)
    events = school_events(pupils, end, rng)
    events.update(work_and_benefits(workers, end, rng))
    disposals = justice_events(people, end, events["exclusions"], rng)
    offenders = people.filter(pl.col("person_id").is_in(disposals["person_id"].unique().implode()))
    justice = _record_ids(identity_records(offenders, "justice", rng), "justice", rng)
    for name, frame, keyed in (("school", school, ("attainment", "absence", "exclusions")),
                               ("employment", employment, ("employment_spells", "benefit_spells")),
                               ("justice", justice, ())):
        file, id_col = IDENTITY_FILES[name]
        key = frame.select("person_id", id_col)
        tables[file] = frame.drop("person_id").sort(id_col)
        truth.append(frame.select(dataset=pl.lit(name), record_id=id_col, person_id="person_id"))
        for table in keyed:
            tables[f"{name}/{table}.csv"] = _by_record(events[table], key, id_col)
    tables["justice/disposals.csv"] = _by_record(disposals, justice.select("person_id", "offender_id"), "offender_id")
    return tables, pl.concat(truth).sort("dataset", "record_id")


def _by_record(frame: pl.DataFrame, key: pl.DataFrame, id_col: str) -> pl.DataFrame:
    joined = frame.join(key, on="person_id", how="inner").drop("person_id")
    return joined.select(id_col, *[c for c in joined.columns if c != id_col]).sort(id_col, maintain_order=True)


def _staging(out: Path) -> Path:
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(f"{out} is not empty and was not written by carestat; choose another folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def _publish(staging: Path, out: Path) -> None:
    (staging / MARKER).write_text("Synthetic data written by carestat partners. No real person is described.\n")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def write_tables(tables: dict[str, pl.DataFrame], out: Path, manifest: dict) -> None:
    staging = _staging(out)
    try:
        for rel, frame in tables.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            frame.write_csv(staging / rel)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        _publish(staging, Path(out))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def make_partner_data(returns: Path, out: Path, truth: Path | None = None, share: float = 0.1,
                      seed: int = 1) -> PartnerResult:
    """Partner extracts for the young people of the LAs in ``returns`` (see the module docstring)."""
    started = time.perf_counter()
    if not 0 < share <= 1:
        raise UsageError(f"--share must be above 0 and at most 1, not {share}")
    out = Path(out)
    truth = Path(truth) if truth is not None else out.parent / f"{out.name}-ground-truth"
    if truth.resolve() == out.resolve() or out.resolve() in truth.resolve().parents:
        raise UsageError("the ground truth must be written outside the extracts folder")
    la = read_la_children(Path(returns))
    rng = np.random.default_rng([seed, 903])
    people = build_people(la, share, rng)
    tables, records = build_extracts(people, la, rng)
    manifest = {"synthetic": True, "window": [la.window[0].isoformat(), la.window[1].isoformat()],
                "general_population_share": share, "seed": seed,
                "las": sorted(people["la_code"].unique().to_list()),
                "datasets": {k: {"identity": f, "id": i} for k, (f, i) in IDENTITY_FILES.items()}}
    write_tables(tables, out, manifest)
    write_tables({"people.csv": people, "records.csv": records}, truth,
                 manifest)
    counts = {name: tables[file].height for name, (file, _) in IDENTITY_FILES.items() if file in tables}
    return PartnerResult(out, truth, people.height, counts, time.perf_counter() - started)
