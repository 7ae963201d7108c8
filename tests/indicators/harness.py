"""Build indicator inputs from hand-written records, the way the warehouse would hold them."""

from __future__ import annotations

import polars as pl

from carestat.indicators import Inputs
from carestat.indicators.compute import compute_indicator
from carestat.ingest import assemble_903
from carestat.refdata import resolve_la
from carestat.spec import spec
from carestat.warehouse.schema import columns


def inputs_from(returns: dict[tuple[str, int], dict[str, list[dict]]]) -> Inputs:
    """``{(la_code, year): {"Header": [records], "Episodes": [...]}}`` -> Inputs.

    Records use CSV-style strings (dates dd/mm/yyyy); CHILD stands in for the warehouse's key.
    Every table of the year's spec is present (empty when not given).
    """
    frames: dict[str, list[pl.DataFrame]] = {}
    for (la, year), tables in returns.items():
        s = spec("903", year)
        raw = {}
        for name, table in s.tables.items():
            records = tables.get(name, [])
            rows = [{c: rec.get(c) for c in table.columns} for rec in records]
            frame = pl.DataFrame(rows, schema={c: pl.Utf8 for c in table.columns}, orient="row")
            raw[name] = frame.select(pl.lit(f"{name}.csv").alias("_file"),
                                     pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("_row"), pl.all())
        data = assemble_903(raw, s, resolve_la(la, year))
        for name, frame in data.tables.items():
            wanted = columns("ssda903", name)
            f = frame.rename({"_row": "row_number"}).with_columns(
                la_code=pl.lit(la), collection_year=pl.lit(year, dtype=pl.Int32), child_key=pl.col("CHILD"))
            frames.setdefault(name, []).append(f.select([c for c in wanted if c in f.columns and c != "submission_id"]))
    return Inputs({name: pl.concat(parts, how="diagonal_relaxed") for name, parts in frames.items()})


def value(item, inputs: Inputs, la: str, year: int, breakdown: str = "Total", category: str = "Total") -> dict:
    """The computed numerator, denominator and value for one LA, year and category."""
    out = compute_indicator(item, inputs).filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("old_la_code") == la) & (pl.col("year") == year)
        & (pl.col("breakdown") == breakdown) & (pl.col("category") == category))
    if out.is_empty():
        return {"numerator": None, "denominator": None, "value": None}
    return out.select("numerator", "denominator", "value").row(0, named=True)
