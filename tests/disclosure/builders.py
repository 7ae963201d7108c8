"""Small hierarchical count tables in the indicator engine's tidy shape, and an independent check
of what a reader could work out from a protected one."""

from __future__ import annotations

import numpy as np
import polars as pl

ENGLAND = "E92000001"


def _row(ind, level, region, la, breakdown, category, num, den=None, value=None):
    return {"indicator_id": ind, "year": 2025, "geographic_level": level, "country_code": ENGLAND,
            "country_name": "England", "region_code": region, "region_name": region and f"Region {region}",
            "new_la_code": la and f"E0{la}", "old_la_code": la, "la_name": la and f"LA {la}",
            "breakdown": breakdown, "category": category, "numerator": float(num) if num is not None else None,
            "denominator": None if den is None else float(den),
            "value": float(num) if value is None and num is not None else value}


def counts_table(las: dict[str, dict[str, np.ndarray]], ind: str = "n") -> pl.DataFrame:
    """``{region: {la: joint counts (rows: breakdown "a" categories, columns: "b")}}`` -> tidy rows
    for LAs, regions and England; breakdown "a" is the row sums, "b" the column sums, so every
    breakdown sums to the same Total. Region "" holds LAs outside every region."""
    rows = []
    totals: dict[tuple, np.ndarray] = {}
    for region, members in las.items():
        for la, joint in members.items():
            totals[(region, la)] = joint
            totals[(region, None)] = totals.get((region, None), 0) + joint
            totals[(None, None)] = totals.get((None, None), 0) + joint
    for (region, la), joint in totals.items():
        if region == "" and la is None:
            continue  # region "" holds LAs the reference data place in no region: no region total
        level = "Local authority" if la else "Regional" if region else "National"
        region = region or None
        rows.append(_row(ind, level, region, la, "Total", "Total", joint.sum()))
        rows += [_row(ind, level, region, la, "a", f"a{i}", v) for i, v in enumerate(joint.sum(axis=1))]
        rows += [_row(ind, level, region, la, "b", f"b{j}", v) for j, v in enumerate(joint.sum(axis=0))]
    return pl.DataFrame(rows, schema_overrides={"denominator": pl.Float64, "region_code": pl.Utf8,
                                                "region_name": pl.Utf8, "new_la_code": pl.Utf8,
                                                "old_la_code": pl.Utf8, "la_name": pl.Utf8})


def area(frame: pl.DataFrame) -> pl.Expr:
    return pl.coalesce("old_la_code", "region_code", "country_code")


def constraints(frame: pl.DataFrame) -> list[tuple[list[int], int]]:
    """(member row indices, total row index) for every additive constraint, worked out afresh."""
    f = frame.with_row_index("i").with_columns(_area=area(frame))
    index = {(r["indicator_id"], r["geographic_level"], r["_area"], r["breakdown"], r["category"]): r["i"]
             for r in f.iter_rows(named=True)}
    out = []
    for (ind, level, ar, _bd), g in f.filter(pl.col("breakdown") != "Total").group_by(
            "indicator_id", "geographic_level", "_area", "breakdown"):
        total = index.get((ind, level, ar, "Total", "Total"))
        if total is not None:
            out.append((g["i"].to_list(), total))
    for (ind, bd, cat, region), g in f.filter(pl.col("geographic_level") == "Local authority").group_by(
            "indicator_id", "breakdown", "category", "region_code"):
        total = index.get((ind, "Regional", region, bd, cat))
        if total is not None:
            out.append((g["i"].to_list(), total))
    outside = (pl.col("geographic_level") == "Local authority") & pl.col("region_code").is_null()
    for (ind, bd, cat), g in f.filter((pl.col("geographic_level") == "Regional") | outside).group_by(
            "indicator_id", "breakdown", "category"):
        total = index.get((ind, "National", ENGLAND, bd, cat))
        if total is not None:
            out.append((g["i"].to_list(), total))
    return out


def derivable(frame: pl.DataFrame, extra: list[tuple[int, int]] = ()) -> list[int]:
    """Rows shown as c whose value follows from the published figures (floating-point rank test,
    independent of the package's exact audit). ``extra`` pairs of rows hold equal values."""
    hidden = [i for i, f in enumerate(frame["flag"].to_list()) if f == "c"]
    if not hidden:
        return []
    col = {c: k for k, c in enumerate(hidden)}
    eqs = []
    for members, total in constraints(frame):
        row = np.zeros(len(hidden))
        for m in members:
            if m in col:
                row[col[m]] += 1
        if total in col:
            row[col[total]] -= 1
        eqs.append(row)
    for a, b in extra:
        if a in col and b in col:
            row = np.zeros(len(hidden))
            row[col[a]], row[col[b]] = 1, -1
            eqs.append(row)
    a = np.array(eqs) if eqs else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    out = []
    for c, k in col.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(c)
    return out


def cell(frame: pl.DataFrame, *, la=None, region=None, level="Local authority", breakdown="Total",
         category="Total", ind=None) -> dict:
    f = frame.filter((pl.col("geographic_level") == level) & (pl.col("breakdown") == breakdown)
                     & (pl.col("category") == category))
    if ind:
        f = f.filter(pl.col("indicator_id") == ind)
    if la:
        f = f.filter(pl.col("old_la_code") == la)
    elif region:
        f = f.filter(pl.col("region_code") == region)
    assert len(f) == 1, f
    return f.row(0, named=True)


__all__ = ["cell", "constraints", "counts_table", "derivable"]
