"""What the linkage keeps, and where: pseudonymised records, clusters, pairs and events in the
warehouse. Names, dates of birth, postcodes, UPNs and NI numbers are dropped after linking; each
record is known only by a keyed hash (an LA child by the warehouse's own ``child_key``, so linked
records join the stored returns) and keeps its month of birth for ages.

The events each extract holds are declared once in ``EVENT_SOURCES``, in the analysis's terms.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from carestat.linkage.partners import IDENTITY_FILES, MANIFEST
from carestat.warehouse.db import connect, insert_frame, query, run
from carestat.warehouse.keys import child_keys


@dataclass(frozen=True)
class EventSource:
    dataset: str
    file: str
    build: Callable[[pl.DataFrame], pl.DataFrame]  # -> record_id, event, date, end_date, value


def _d(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%Y-%m-%d", strict=False)


def _july(year: str) -> pl.Expr:
    return pl.date(pl.col(year).cast(pl.Int32, strict=False), 7, 20)


def _events(frame: pl.DataFrame, rid: pl.Expr, event: pl.Expr, date: pl.Expr, end: pl.Expr | None = None,
            value: pl.Expr | None = None) -> pl.DataFrame:
    return frame.select(record_id=rid, event=event, date=date,
                        end_date=end if end is not None else pl.lit(None, dtype=pl.Date),
                        value=(value if value is not None else pl.lit(None)).cast(pl.Float64))


_LA_ID = pl.concat_str("la_code", pl.lit("-"), "child_id")
EVENT_SOURCES = (
    EventSource("la", "la/events.csv", lambda f: _events(f, _LA_ID, pl.col("event"), _d("date"))),
    EventSource("la", "la/children.csv", lambda f: pl.concat([
        _events(f.filter(pl.col(flag) == "true"), _LA_ID, pl.lit(flag), pl.lit(None, dtype=pl.Date))
        for flag in ("looked_after", "care_leaver")])),
    EventSource("school", "school/exclusions.csv", lambda f: _events(
        f, pl.col("pupil_id"), pl.when(pl.col("exclusion_type") == "permanent exclusion")
        .then(pl.lit("permanent_exclusion")).otherwise(pl.lit("suspension")), _d("date"))),
    EventSource("school", "school/absence.csv", lambda f: _events(
        f.filter(pl.col("sessions_missed").cast(pl.Float64) >= 0.1 * pl.col("sessions_possible").cast(pl.Float64)),
        pl.col("pupil_id"), pl.lit("persistent_absence"), pl.date(pl.col("academic_year").cast(pl.Int32), 9, 1))),
    EventSource("school", "school/attainment.csv", lambda f: pl.concat([
        _events(f.filter(pl.col("ks2_expected").is_not_null()), pl.col("pupil_id"), pl.lit("ks2_expected"),
                _july("ks2_year"), value=(pl.col("ks2_expected") == "true")),
        _events(f.filter(pl.col("ks4_attainment8").is_not_null()), pl.col("pupil_id"), pl.lit("ks4_attainment8"),
                _july("ks4_year"), value=pl.col("ks4_attainment8").cast(pl.Float64))])),
    EventSource("employment", "employment/employment_spells.csv", lambda f: _events(
        f, pl.col("customer_id"), pl.lit("employment"), _d("start"), _d("end"))),
    EventSource("employment", "employment/benefit_spells.csv", lambda f: _events(
        f, pl.col("customer_id"), pl.lit("benefit"), _d("start"), _d("end"))),
    EventSource("justice", "justice/disposals.csv", lambda f: _events(
        f, pl.col("offender_id"), pl.col("outcome"), _d("date"))),
)


def read_manifest(extracts: Path) -> dict[str, Any]:
    path = Path(extracts) / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def analysis_frames(extracts: Path, identities: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records (unique_id, dataset, la_code, birth_month) and their events (unique_id, event, date,
    end_date, value), keyed by the linkage's unique ids; no identifiers but the month of birth."""
    records = []
    for dataset, frame in identities.items():
        la = pl.col("unique_id").str.split(":").list.last().str.split("-").list.first() if dataset == "la" else \
            pl.lit(None, dtype=pl.Utf8)
        records.append(frame.select("unique_id", dataset="source_dataset", la_code=la,
                                    birth_month=pl.col("dob").dt.truncate("1mo")))
    events = []
    for source in EVENT_SOURCES:
        path = Path(extracts) / source.file
        if source.dataset in identities and path.exists():
            built = source.build(pl.read_csv(path, infer_schema=False))
            events.append(built.select(unique_id=pl.concat_str(pl.lit(f"{source.dataset}:"), "record_id"),
                                       event="event", date="date", end_date="end_date", value="value"))
    return pl.concat(records), pl.concat(events)


def record_keys(key: bytes, ids: pl.Series) -> pl.Series:
    """Keyed hashes of unique ids: an LA child's is the warehouse's child_key (LA code, child id);
    another record's hashes its data set and identifier."""
    frame = pl.DataFrame({"unique_id": ids}).with_row_index("_i").with_columns(
        dataset=pl.col("unique_id").str.split(":").list.first(),
        rest=pl.col("unique_id").str.split(":").list.last())
    parts = []
    for (dataset,), group in frame.group_by(["dataset"]):
        if dataset == "la":
            la = group["rest"].str.split("-").list.first()
            child = group["rest"].str.split("-").list.slice(1).list.join("-")
            keys = pl.concat([child_keys(key, code, child.filter(la == code)).to_frame("k")
                              .with_columns(_i=group["_i"].filter(la == code)) for code in la.unique().to_list()])
        else:
            keys = child_keys(key, f"partner-{dataset}", group["rest"]).to_frame("k").with_columns(_i=group["_i"])
        parts.append(keys)
    return pl.concat(parts).sort("_i")["k"]


TABLES = {
    "linkage_records": "dataset VARCHAR, record_key VARCHAR, cluster_key VARCHAR, la_code VARCHAR, "
                       "birth_month DATE",
    "linkage_pairs": "record_key_l VARCHAR, record_key_r VARCHAR, match_probability DOUBLE, match_weight DOUBLE",
    "linkage_events": "record_key VARCHAR, event VARCHAR, date DATE, end_date DATE, value DOUBLE",
    "linkage_runs": "linked_at TIMESTAMP, backend VARCHAR, threshold DOUBLE, window_start DATE, window_end DATE, "
                    "general_population_share DOUBLE, synthetic BOOLEAN, records VARCHAR, model VARCHAR, "
                    "evaluation VARCHAR",
}


def pseudonymise(key: bytes, records: pl.DataFrame, events: pl.DataFrame, clusters: pl.DataFrame,
                 pairs: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The frames to store: every unique id and cluster id replaced by its keyed hash."""
    ids = records["unique_id"]
    mapping = pl.DataFrame({"unique_id": ids, "record_key": record_keys(key, ids)})
    cluster = clusters.select("unique_id", "cluster_id")
    cluster = cluster.with_columns(cluster_key=child_keys(key, "cluster", cluster["cluster_id"]))
    stored = (records.join(mapping, on="unique_id").join(cluster, on="unique_id", how="left")
              .with_columns(cluster_key=pl.col("cluster_key").fill_null(pl.col("record_key")))
              .select("dataset", "record_key", "cluster_key", "la_code", "birth_month"))
    pair_keys = (pairs.join(mapping.rename({"unique_id": "unique_id_l", "record_key": "record_key_l"}), on="unique_id_l")
                 .join(mapping.rename({"unique_id": "unique_id_r", "record_key": "record_key_r"}), on="unique_id_r")
                 .select("record_key_l", "record_key_r", "match_probability", "match_weight"))
    event_keys = events.join(mapping, on="unique_id").select("record_key", "event", "date", "end_date", "value")
    return {"linkage_records": stored, "linkage_pairs": pair_keys, "linkage_events": event_keys}


def store(db: Path | str | None, frames: dict[str, pl.DataFrame], run_row: dict[str, Any]) -> None:
    """Replace the warehouse's linkage tables with these, in one transaction."""
    con = connect(db)
    try:
        for table, columns in TABLES.items():
            run(con, f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        run(con, "BEGIN TRANSACTION")
        for table in TABLES:
            run(con, f"DELETE FROM {table}")
        for table, frame in frames.items():
            insert_frame(con, table, frame)
        insert_frame(con, "linkage_runs", pl.DataFrame([run_row]))
        run(con, "COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            run(con, "ROLLBACK")
        raise
    finally:
        con.close()


def load_linked(db: Path | str | None) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """The stored linked records (with cluster_key as person), their events and the run's details."""
    from carestat.errors import WarehouseError

    con = connect(db, read_only=True)
    try:
        tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        if "linkage_runs" not in tables:
            raise WarehouseError("the warehouse holds no linked data: run `carestat link` first")
        records = query(con, "SELECT record_key, cluster_key, dataset, la_code, birth_month FROM linkage_records")
        events = query(con, "SELECT record_key, event, date, end_date, value FROM linkage_events")
        runs = query(con, "SELECT * FROM linkage_runs ORDER BY linked_at DESC LIMIT 1").to_dicts()
    finally:
        con.close()
    if not runs:
        raise WarehouseError("the warehouse holds no linked data: run `carestat link` first")
    return records, events, runs[0]


def run_details(result: Any, manifest: dict[str, Any], synthetic: bool, evaluation: Any = None) -> dict[str, Any]:
    window = manifest.get("window") or [None, None]
    return {"linked_at": dt.datetime.now(), "backend": result.backend, "threshold": result.threshold,
            "window_start": dt.date.fromisoformat(window[0]) if window[0] else None,
            "window_end": dt.date.fromisoformat(window[1]) if window[1] else None,
            "general_population_share": manifest.get("general_population_share", 1.0), "synthetic": synthetic,
            "records": json.dumps(result.records), "model": json.dumps(result.model, default=str),
            "evaluation": json.dumps(evaluation, default=str) if evaluation is not None else None}


__all__ = ["EVENT_SOURCES", "IDENTITY_FILES", "TABLES", "analysis_frames", "load_linked", "pseudonymise",
           "read_manifest", "record_keys", "run_details", "store"]
