"""How close the synthetic returns come to the published figures they were calibrated on.

``measure`` reads a year's tables as written and counts the headline quantities; ``summarise``
sets them beside the published LA and England figures and flags those outside tolerance
(children looked after at 31 March: +-10% for an LA, +-3% for England).
"""

from __future__ import annotations

import polars as pl

from carestat.synth.options import GenerateOptions
from carestat.synth.targets import national_series, published_for_reporting

# name -> (published indicator name in targets, kind) ; counts scale with --scale
MEASURES = {
    "stock": "count", "starts": "count", "ceased": "count", "uasc_stock": "count",
    "three_plus_pct": "pct", "missing_pct": "pct", "foster_pct": "pct", "homes_pct": "pct",
    "independent_pct": "pct", "parents_pct": "pct", "adopted": "count", "sgo": "count",
    "leavers_eet_pct": "pct", "leavers_suitable_pct": "pct", "leavers_not_in_touch_pct": "pct",
    "stability_pct": "pct", "dist20_pct": "pct",
}


def _d(col: str) -> pl.Expr:
    return pl.col(col).str.to_date("%d/%m/%Y", strict=False)


def measure(tables: dict[str, pl.DataFrame], year: int) -> list[dict]:
    import datetime as dt

    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    e = tables["Episodes"].with_columns(DECOM=_d("DECOM"), DEC=_d("DEC"))
    not_break = ~pl.col("LS").is_in(["V3", "V4"])
    open_end = e.filter(pl.col("DEC").is_null() & not_break)
    stock_children = open_end["CHILD"].unique()
    stock = stock_children.len()
    starts = e.filter((pl.col("RNE") == "S") & (pl.col("DECOM") >= start))["CHILD"].n_unique()
    ceased = e.filter(pl.col("REC").is_not_null() & (pl.col("REC") != "X1"))["CHILD"].n_unique()
    uasc = tables.get("UASC")
    uasc_stock = 0 if uasc is None else uasc.filter(pl.col("CHILD").is_in(stock_children.implode()) &
                                                     pl.col("DUC").is_null()).height
    # Placements in the year: changes of placement (not legal status only) among children at 31 March.
    in_year = e.filter(pl.col("CHILD").is_in(stock_children.implode()))
    placements = in_year.filter(pl.col("RNE").is_in(["S", "P", "B", "T", "U"])).group_by("CHILD").len()
    three_plus = placements.filter(pl.col("len") >= 3).height
    latest = open_end.sort("DECOM").group_by("CHILD").last()
    place = latest["PLACE"]
    def share(codes: list[str]) -> float | None:
        return 100 * place.is_in(codes).sum() / stock if stock else None

    missing = tables.get("Missing")
    looked_after = e["CHILD"].n_unique()
    went_missing = 0 if missing is None else missing.filter(pl.col("MISSING") == "M")["CHILD"].n_unique()
    adopted = e.filter(pl.col("REC").is_in(["E11", "E12"]))["CHILD"].n_unique()
    sgo = e.filter(pl.col("REC").is_in(["E43", "E44", "E45", "E46", "E47", "E48"]))["CHILD"].n_unique()
    oc3 = tables["OC3"].join(tables["Header"].select("CHILD", "DOB"), on="CHILD", how="left")
    oc3 = oc3.with_columns(age=(pl.lit(end) - _d("DOB")).dt.total_days() // 365)
    older = oc3.filter(pl.col("age").is_between(19, 21))
    n_old = older.height
    eet = older.filter(pl.col("ACTIV").is_in(["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5"])).height
    suitable = older.filter(pl.col("ACCOM").str.ends_with("1")).height
    not_touch = older.filter(pl.col("IN_TOUCH").is_in(["NO", "REFU"])).height
    values = {
        "stock": stock, "starts": starts, "ceased": ceased, "uasc_stock": uasc_stock,
        "three_plus_pct": 100 * three_plus / stock if stock else None,
        "missing_pct": 100 * went_missing / looked_after if looked_after else None,
        "foster_pct": share(["U1", "U2", "U3", "U4", "U5", "U6"]),
        "homes_pct": share(["K1", "K2"]),
        "independent_pct": share(["H5", "P2", "K3"]),
        "parents_pct": share(["P1"]),
        "adopted": adopted, "sgo": sgo,
        "leavers_eet_pct": 100 * eet / n_old if n_old else None,
        "leavers_suitable_pct": 100 * suitable / n_old if n_old else None,
        "leavers_not_in_touch_pct": 100 * not_touch / n_old if n_old else None,
    }
    return [{"indicator": k, "produced": v, "numerator": None} for k, v in values.items()]


def summarise(rows: pl.DataFrame, options: GenerateOptions) -> pl.DataFrame:
    if rows.height == 0:
        return pl.DataFrame(schema={"indicator": pl.Utf8, "geography": pl.Utf8, "old_la_code": pl.Utf8,
                                    "year": pl.Int64, "target": pl.Float64, "produced": pl.Float64})
    keys = rows.select("old_la_code", "year").unique().sort("old_la_code", "year")
    published = published_for_reporting(list(keys.iter_rows()))
    long = published.unpivot(index=["old_la_code", "year"], variable_name="indicator", value_name="target")
    la = rows.select("old_la_code", "year", "indicator", pl.col("produced").cast(pl.Float64)).join(
        long.with_columns(pl.col("target").cast(pl.Float64)), on=["old_la_code", "year", "indicator"], how="left")
    kinds = pl.col("indicator").replace_strict(MEASURES, default="pct")
    la = la.with_columns(target=pl.when(kinds == "count").then(pl.col("target") * options.scale)
                         .otherwise(pl.col("target")), geography=pl.lit("Local authority"))
    counts = [k for k, v in MEASURES.items() if v == "count"]
    england = (la.filter(pl.col("indicator").is_in(counts)).group_by("year", "indicator")
               .agg(pl.col("produced").sum()))
    complete = options.las is None
    england = england.with_columns(
        target=pl.struct("indicator", "year").map_elements(
            lambda s: (national_series(s["indicator"]).get(s["year"], None) or 0) * options.scale if complete else None,
            return_dtype=pl.Float64),
        geography=pl.lit("England"), old_la_code=pl.lit("E92000001"))
    out = pl.concat([la, england.select(la.columns)], how="vertical_relaxed")
    tolerance = pl.when(pl.col("geography") == "England").then(0.03).otherwise(0.10)
    return out.with_columns(
        difference_pct=((pl.col("produced") - pl.col("target")) / pl.col("target") * 100).round(1),
        within_tolerance=pl.when((pl.col("indicator") == "stock") & pl.col("target").is_not_null() & (pl.col("target") > 0))
        .then(((pl.col("produced") - pl.col("target")).abs() / pl.col("target")) <= tolerance),
        produced=pl.col("produced").round(2), target=pl.col("target").round(2),
    ).select("indicator", "geography", "old_la_code", "year", "target", "produced", "difference_pct",
             "within_tolerance").sort("indicator", "geography", "old_la_code", "year")
