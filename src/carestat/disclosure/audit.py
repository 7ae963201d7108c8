"""Exact check that no suppressed cell can be worked out by combining published totals.

The suppressed cells are the unknowns; each published constraint (members sum to a total, or two
linked cells hold the same count) is a linear equation in them once the published figures are
moved to the right-hand side. A suppressed cell is recoverable exactly when its unit vector lies
in the row space of that system (every solution of the homogeneous system is zero there). The
system splits into independent blocks (connected components), each reduced exactly; blocks are
small because most constraints hold no suppressed cell at all.
"""

from __future__ import annotations

import numpy as np
import polars as pl

PRIME = 2_147_483_647  # products of two residues still fit in int64


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


def _pinned_columns(a: np.ndarray) -> dict[int, np.ndarray]:
    """Columns whose unit vector lies in the row space of integer matrix ``a``, each with the rows
    that combine to give it (its certificate).

    Exact Gauss-Jordan elimination modulo a large prime (numpy integer arithmetic: no floating
    point tolerance, no BLAS threads), carrying an identity block to record the row combinations.
    In reduced row echelon form the row space holds e_i exactly when column i is a pivot whose row
    has no other non-zero entry."""
    m, k = a.shape
    aug = np.concatenate([a % PRIME, np.eye(m, dtype=np.int64)], axis=1)
    pivots: list[int] = []
    row = 0
    for col in range(k):
        if row == m:
            break
        nz = np.flatnonzero(aug[row:, col])
        if nz.size == 0:
            continue
        r = row + int(nz[0])
        aug[[row, r]] = aug[[r, row]]
        aug[row] = (aug[row] * pow(int(aug[row, col]), PRIME - 2, PRIME)) % PRIME
        factors = aug[:, col].copy()
        factors[row] = 0
        others = np.flatnonzero(factors)
        if others.size:
            aug[others] = (aug[others] - (factors[others, None] * aug[row]) % PRIME) % PRIME
        pivots.append(col)
        row += 1
    return {col: np.flatnonzero(aug[i, k:]) for i, col in enumerate(pivots)
            if np.count_nonzero(aug[i, :k]) == 1}


def determined(suppressed: pl.Series, membership: pl.DataFrame, edges: pl.DataFrame,
               focus: set[int] | None = None) -> dict[int, list[str]]:
    """The suppressed cells whose value the published constraints pin down, each with the groups
    (``_group`` of ``membership``) whose totals were combined to do it. With ``focus``, only the
    blocks holding one of those cells are solved."""
    if suppressed.is_empty():
        return {}
    rows = system(suppressed, membership, edges)
    if rows.is_empty():
        return {}
    rows = _components(rows)
    if focus is not None:
        wanted = rows.filter(pl.col("_cell").is_in(list(focus)))["_comp"].unique()
        rows = rows.filter(pl.col("_comp").is_in(wanted.implode()))
    out: dict[int, list[str]] = {}
    for _, block in rows.group_by("_comp"):
        cells = block["_cell"].unique().sort().to_list()
        row_ids = block["_row"].unique().to_list()
        col = {c: i for i, c in enumerate(cells)}
        row = {r: i for i, r in enumerate(row_ids)}
        a = np.zeros((len(row), len(col)), dtype=np.int64)
        for r, c, v in block.select("_row", "_cell", "_coef").iter_rows():
            a[row[r], col[c]] += int(v)
        for i, used in _pinned_columns(a).items():
            out[cells[i]] = [row_ids[j][1:] for j in used if row_ids[j].startswith("g")]
    return out
