"""Connected components of linked pairs: one cluster per group of records joined by links, found
by label propagation in Polars (every record takes the smallest label among its neighbours until
nothing changes), so any threshold's clusters can be drawn from the stored pairs."""

from __future__ import annotations

import polars as pl


def connected_components(pairs: pl.DataFrame, ids: pl.Series, left: str = "unique_id_l",
                         right: str = "unique_id_r") -> pl.DataFrame:
    """``unique_id`` and ``cluster_id`` (the smallest id in its cluster) for every id in ``ids``."""
    edges = pairs.select(a=pl.col(left), b=pl.col(right))
    edges = pl.concat([edges, edges.select(a="b", b="a")])
    label = pl.DataFrame({"unique_id": ids.unique()}).with_columns(cluster_id=pl.col("unique_id"))
    while True:
        best = (edges.join(label, left_on="b", right_on="unique_id")
                .group_by("a").agg(pl.col("cluster_id").min().alias("candidate")))
        updated = (label.join(best, left_on="unique_id", right_on="a", how="left")
                   .with_columns(cluster_id=pl.min_horizontal("cluster_id", "candidate")).drop("candidate"))
        changed = updated.join(label, on="unique_id", suffix="_old").filter(
            pl.col("cluster_id") != pl.col("cluster_id_old")).height
        label = updated
        if not changed:
            return label.sort("unique_id")
