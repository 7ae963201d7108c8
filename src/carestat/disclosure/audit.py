"""Exact check that no suppressed cell can be worked out by combining published totals.

The suppressed cells are the unknowns (cells linked as holding the same count are one unknown);
each published constraint (members sum to a total) is a linear equation in them once the
published figures are moved to the right-hand side. A suppressed cell is recoverable exactly when its unit vector lies
in the row space of that system (every solution of the homogeneous system is zero there). The
system splits into independent blocks (connected components), each reduced exactly; blocks are
small because most constraints hold no suppressed cell at all.
"""

from __future__ import annotations

import numpy as np
import polars as pl

PRIME = 2_147_483_647  # products of two residues still fit in int64


def _labels(row: np.ndarray, col: np.ndarray, n: int) -> np.ndarray:
    """Connected components of ``n`` columns joined by the rows they share: each column's label is
    the smallest column index in its component (minimum labels spread through rows, with pointer
    jumping so long chains settle in a few passes)."""
    label = np.arange(n)
    if not len(row):
        return label
    while True:
        row_min = np.full(row.max() + 1, n)
        np.minimum.at(row_min, row, label[col])
        new = label.copy()
        np.minimum.at(new, col, row_min[row])
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def system(suppressed: pl.Series, membership: pl.DataFrame, edges: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sparse rows (_row, _cell, _coef) of the equations the suppressed cells must satisfy, and the
    map (_cell -> _rep) that stands each cell for its class of linked cells.

    Linked cells hold the same count, so each class is one unknown (its smallest cell id) rather
    than several tied by equations; a denominator link relates a different quantity of the
    destination cell, so only numerator links are merged."""
    supp = pl.DataFrame({"_cell": suppressed}).with_columns(pl.col("_cell").cast(pl.UInt32)).sort("_cell")
    pairs = (edges.filter(pl.col("_role") == "num")
             .join(supp, left_on="_src", right_on="_cell", how="semi")
             .join(supp, left_on="_dst", right_on="_cell", how="semi"))
    cells = supp["_cell"].to_numpy()
    src, dst = (np.searchsorted(cells, pairs[c].to_numpy()) for c in ("_src", "_dst"))
    idx = np.arange(len(pairs))
    label = _labels(np.r_[idx, idx], np.r_[src, dst], len(cells))
    rep = supp.with_columns(_rep=pl.Series(cells[label], dtype=pl.UInt32))
    rows = (membership.join(rep, on="_cell")
            .group_by(_row=pl.col("_group"), _cell=pl.col("_rep"))
            .agg(_coef=pl.when(pl.col("_is_total")).then(-1).otherwise(1).sum())
            .filter(pl.col("_coef") != 0))
    return rows, rep


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
    rows, rep = system(suppressed, membership, edges)
    if rows.is_empty():
        return {}
    # Dense numbering of equations and unknowns, then the blocks they fall into.
    rows = rows.with_columns(_r=pl.col("_row").rank("dense").cast(pl.Int64) - 1,
                             _c=pl.col("_cell").rank("dense").cast(pl.Int64) - 1)
    r, c = rows["_r"].to_numpy(), rows["_c"].to_numpy()
    rows = rows.with_columns(_comp=pl.Series(_labels(r, c, int(c.max()) + 1)[c]))
    if focus is not None:
        reps = rep.filter(pl.col("_cell").is_in(list(focus)))["_rep"]
        wanted = rows.filter(pl.col("_cell").is_in(reps.implode()))["_comp"].unique()
        rows = rows.filter(pl.col("_comp").is_in(wanted.implode()))
    if rows.is_empty():
        return {}
    rows = rows.sort("_comp", "_row", "_cell").with_columns(
        _r=pl.col("_row").rank("dense").over("_comp").cast(pl.Int64) - 1,
        _c=pl.col("_cell").rank("dense").over("_comp").cast(pl.Int64) - 1)
    comp, r, c, coef, cell = (rows[x].to_numpy() for x in ("_comp", "_r", "_c", "_coef", "_cell"))
    row_id = rows["_row"].to_list()
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    out: dict[int, list[str]] = {}
    for lo, hi in zip(starts, [*starts[1:], len(comp)], strict=True):
        nr, nc = r[lo:hi].max() + 1, c[lo:hi].max() + 1
        if nr == 1 and nc > 1:
            continue  # one equation in several unknowns pins nothing
        a = np.zeros((nr, nc), dtype=np.int64)
        a[r[lo:hi], c[lo:hi]] = coef[lo:hi]
        cells = np.empty(nc, dtype=np.int64)
        cells[c[lo:hi]] = cell[lo:hi]
        names = [""] * nr
        for k in range(lo, hi):
            names[r[k]] = row_id[k]
        for i, used in _pinned_columns(a).items():
            out[int(cells[i])] = [names[j] for j in used]
    # A pinned class pins every cell in it.
    members = rep.filter(pl.col("_rep").is_in(list(out))).select("_cell", "_rep").iter_rows()
    return {int(cell): out[int(r)] for cell, r in members}
