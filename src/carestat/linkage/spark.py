"""The Spark backend: the same model on data that outgrows one machine.

Give ``carestat.linkage.link(..., backend="spark", spark=session)`` a session of your cluster's;
without one, a local session is started (``local[2]``), with Splink's similarity functions
(Jaro-Winkler and friends, a jar shipped inside Splink) on its class path. Spark needs Java
(17 or later for Spark 4): ``apt-get install default-jre-headless`` on Debian.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

import polars as pl

from carestat.errors import UsageError


def local_session(cores: int = 2) -> Any:
    """A small local Spark session with Splink's jar (for tests and one-machine runs)."""
    if shutil.which("java") is None:
        raise UsageError("the Spark backend needs Java: install it (Debian: apt-get install default-jre-headless)")
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        raise UsageError("the Spark backend needs pyspark: install carestat with its 'spark' extra") from None
    return (SparkSession.builder.master(f"local[{cores}]").appName("carestat-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(cores))
            .config("spark.default.parallelism", str(cores))
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


def spark_api(spark: Any = None) -> Any:
    from splink import SparkAPI

    session = spark or local_session()
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="carestat-spark-"))
    session.sparkContext.setLogLevel("ERROR")
    # Keep intermediate tables in memory: checkpointing each to disk dominates on small data.
    return SparkAPI(spark_session=session, num_partitions_on_repartition=2, break_lineage_method="persist")


def to_spark(db_api: Any, frame: pl.DataFrame) -> Any:
    """A Polars frame as a Spark DataFrame (through Arrow)."""
    return db_api.spark.createDataFrame(frame.to_arrow())
