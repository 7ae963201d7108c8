"""Run the linkage model (``model.py``) with Splink on a backend: DuckDB by default, Spark for data
that outgrows one machine. Identity records go in; scored pairs and clusters come out, keyed by
each record's data set and identifier (pseudonymised before anything is stored: ``store.py``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from splink import Linker

from carestat.errors import InputError, UsageError
from carestat.linkage import model
from carestat.linkage.clusters import connected_components
from carestat.linkage.partners import IDENTITY_FILES

BACKENDS = ("duckdb", "spark")
DEFAULT_THRESHOLD = 0.9  # match probability at which records are put in one cluster
PAIR_FLOOR = 0.5  # scored pairs below this are not kept (evaluation thresholds start here)


@dataclass
class LinkResult:
    pairs: pl.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight
    clusters: pl.DataFrame  # unique_id, source_dataset, cluster_id
    model: dict[str, Any]  # the trained Splink model (parameters only, no records)
    threshold: float
    backend: str
    seconds: dict[str, float] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)


def record_id_expr(dataset: str) -> pl.Expr:
    """A record's identifier within its data set (an LA child is known by LA code and child id)."""
    if dataset == "la":
        return pl.concat_str("la_code", pl.lit("-"), "child_id")
    return pl.col(IDENTITY_FILES[dataset][1])


def read_identities(extracts: Path) -> dict[str, pl.DataFrame]:
    """Each data set's identity records, standardised (``model.standardise``)."""
    out = {}
    for dataset, (file, _) in IDENTITY_FILES.items():
        path = Path(extracts) / file
        if not path.exists():
            continue
        try:
            frame = pl.read_csv(path, infer_schema=False)
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"cannot be read as CSV ({str(exc).splitlines()[0]})", file=str(path)) from None
        missing = {"forename", "surname", "dob", "sex", "postcode"} - set(frame.columns)
        if missing:
            raise InputError(f"lacks the identity columns {', '.join(sorted(missing))}", file=str(path))
        out[dataset] = model.standardise(frame, dataset, record_id_expr(dataset))
    if len(out) < 2:
        raise InputError("needs at least two data sets' identity files to link "
                         f"({', '.join(f for f, _ in IDENTITY_FILES.values())})", file=str(extracts))
    return out


def _db_api(backend: str, spark: Any = None) -> Any:
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # no progress bars on the command line
        return DuckDBAPI(con)
    if backend == "spark":
        from carestat.linkage.spark import spark_api

        return spark_api(spark)
    raise UsageError(f"--backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def _register(db_api: Any, backend: str, name: str, frame: pl.DataFrame) -> Any:
    table = frame.to_arrow()
    if backend == "spark":
        from carestat.linkage.spark import to_spark

        return db_api.register(to_spark(db_api, frame), table_name=name)
    return db_api.register(table, table_name=name)


def for_backend(trained: dict[str, Any], backend: str) -> dict[str, Any]:
    """The model's declaration written for ``backend``'s SQL, with the parameters ``trained`` learnt
    (on any backend): a model trained on DuckDB scores on Spark."""
    settings = model.settings().create_settings_dict("spark" if backend == "spark" else "duckdb")
    settings["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    for mine, theirs in zip(settings["comparisons"], trained["comparisons"], strict=True):
        for level, learnt in zip(mine["comparison_levels"], theirs["comparison_levels"], strict=True):
            for name in ("m_probability", "u_probability"):
                if name in learnt:
                    level[name] = learnt[name]
    return settings


def train(linker: Linker) -> None:
    """Estimate the model's parameters as ``model`` declares."""
    training = linker.training
    training.estimate_probability_two_random_records_match(list(model.DETERMINISTIC_RULES),
                                                           recall=model.DETERMINISTIC_RECALL)
    training.estimate_u_using_random_sampling(max_pairs=model.U_MAX_PAIRS, seed=1)
    for rule in model.EM_SESSIONS:
        # Term frequencies are left out of the iterations (much faster; they still adjust the scores).
        training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=model.EM_MAX_PAIRS,
                                                                    estimate_without_term_frequencies=True)


def run_linkage(identities: dict[str, pl.DataFrame], backend: str = "duckdb",
                threshold: float = DEFAULT_THRESHOLD, spark: Any = None,
                trained: dict[str, Any] | None = None) -> LinkResult:
    """Train (unless ``trained`` is given), score candidate pairs and cluster them at ``threshold``."""
    if not 0 < threshold < 1:
        raise UsageError(f"the match threshold must be between 0 and 1, not {threshold}")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    db_api = _db_api(backend, spark)
    frames = [_register(db_api, backend, f"records_{name}", frame) for name, frame in identities.items()]
    logging.getLogger("splink").setLevel(logging.ERROR)  # Splink's notes are for its own users
    settings = for_backend(trained, backend) if trained else model.settings()
    linker = Linker(frames, settings, log_level=None)
    seconds["prepare"] = time.perf_counter() - started
    if trained is None:
        train(linker)
    seconds["train"] = time.perf_counter() - started - seconds["prepare"]
    predictions = linker.inference.predict(threshold_match_probability=PAIR_FLOOR, warning_mode="never")
    pairs = pl.from_arrow(predictions.as_pyarrow_table()).select(
        "unique_id_l", "unique_id_r", "match_probability", "match_weight")
    seconds["predict"] = time.perf_counter() - started - seconds["prepare"] - seconds["train"]
    if backend == "spark":
        # Splink's iterative clustering is slow on Spark; the kept pairs are few enough to cluster here.
        ids = pl.concat([f.select("unique_id", "source_dataset") for f in identities.values()])
        clusters = connected_components(pairs.filter(pl.col("match_probability") >= threshold), ids["unique_id"])
        clusters = clusters.join(ids, on="unique_id").select("unique_id", "source_dataset", "cluster_id")
    else:
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        clusters = pl.from_arrow(clustered.as_pyarrow_table()).select("unique_id", "source_dataset", "cluster_id")
    seconds["cluster"] = time.perf_counter() - started - sum(seconds.values())
    trained_model = linker.misc.save_model_to_json()
    if backend == "duckdb":
        db_api.duckdb_con.close()
    return LinkResult(pairs=pairs, clusters=clusters, model=trained_model, threshold=threshold, backend=backend,
                      seconds=seconds, records={k: v.height for k, v in identities.items()})
