"""Exact check that no suppressed cell can be worked out by combining published totals.

The suppressed cells are the unknowns; each published constraint (members sum to a total, or two
linked cells hold the same count) is a linear equation in them once the published figures are
moved to the right-hand side. A suppressed cell is recoverable exactly when its unit vector lies
in the row space of that system, i.e. when every solution of the homogeneous system is zero in
that coordinate. The system splits into independent blocks (connected components), each solved
with an SVD; blocks are small because most constraints hold no suppressed cell at all.
"""

from __future__ import annotations

import numpy as np
import polars as pl

TOLERANCE = 1e-9


def _components(rows: pl.DataFrame) -> pl.DataFrame:
    """Label each (row, cell) incidence with the connected component of its cell."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for cells in rows.group_by("_row").agg("_cell")["_cell"].to_list():
        first = find(cells[0])
        for c in cells[1:]:
            root = find(c)
            if root != first:
                parent[root] = first
    lookup = pl.DataFrame({"_cell": list(parent), "_comp": [find(c) for c in parent]},
                          schema={"_cell": pl.UInt32, "_comp": pl.Int64})
    return rows.join(lookup, on="_cell")


def system(suppressed: pl.Series, membership: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Sparse rows (_row, _cell, _coef) of the equations the suppressed cells must satisfy."""
    supp = pl.DataFrame({"_cell": suppressed}).with_columns(pl.col("_cell").cast(pl.UInt32))
    groups = (membership.join(supp, on="_cell", how="semi")
              .select(_row=pl.concat_str(pl.lit("g"), "_group"), _cell=pl.col("_cell"),
                      _coef=pl.when(pl.col("_is_total")).then(-1.0).otherwise(1.0)))
    # Linked cells hold the same count: x_src - x_dst = 0 (a denominator link relates a different
    # quantity of the destination cell, so only numerator links enter the system).
    pairs = (edges.filter(pl.col("_role") == "num")
             .join(supp, left_on="_src", right_on="_cell", how="semi")
             .join(supp, left_on="_dst", right_on="_cell", how="semi"))
    rid = pl.concat_str(pl.lit("l"), pl.col("_src").cast(pl.Utf8), pl.lit("-"), pl.col("_dst").cast(pl.Utf8))
    links = pl.concat([pairs.select(_row=rid, _cell="_src", _coef=pl.lit(1.0)),
                       pairs.select(_row=rid, _cell="_dst", _coef=pl.lit(-1.0))])
    return pl.concat([groups, links.with_columns(pl.col("_cell").cast(pl.UInt32))])


def determined(suppressed: pl.Series, membership: pl.DataFrame, edges: pl.DataFrame) -> list[int]:
    """The suppressed cells whose value the published constraints pin down."""
    if suppressed.is_empty():
        return []
    rows = system(suppressed, membership, edges)
    if rows.is_empty():
        return []
    out: list[int] = []
    for _, block in _components(rows).group_by("_comp"):
        cells = block["_cell"].unique().sort()
        row_ids = block["_row"].unique()
        col = {c: i for i, c in enumerate(cells.to_list())}
        row = {r: i for i, r in enumerate(row_ids.to_list())}
        a = np.zeros((len(row), len(col)))
        for r, c, v in block.select("_row", "_cell", "_coef").iter_rows():
            a[row[r], col[c]] += v
        _, s, vt = np.linalg.svd(a, full_matrices=True)
        rank = int((s > TOLERANCE * max(1.0, s.max(initial=0.0))).sum())
        null = vt[rank:].T  # columns span the solutions of A x = 0
        free = np.linalg.norm(null, axis=1) if null.size else np.zeros(len(col))
        out.extend(c for c, i in col.items() if free[i] < 1e-8)
    return sorted(out)
