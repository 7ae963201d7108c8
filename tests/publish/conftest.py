"""A small indicator frame, in the engine's shape, for registry indicators of each unit."""

import numpy as np
import polars as pl
import pytest

from carestat.indicators import all_indicators
from tests.disclosure.builders import counts_table

REGISTRY = all_indicators()
# Indicators the data packs look for, when the registry has them, plus one of each unit.
WANTED = ["cla_31mar", "cla_31mar_rate", "cla_3plus_placements", "cla_3plus_placements_pct",
          "cla_placement_length_days", "cla_childrens_homes"]


def chosen_ids() -> list[str]:
    ids = [i for i in WANTED if i in REGISTRY]
    for unit in ("count", "percent", "rate_per_10k", "days", "mean"):
        if not any(REGISTRY[i].unit == unit for i in ids):
            ids += [i for i in REGISTRY if REGISTRY[i].unit == unit][:1]
    return ids


def indicator_frame(ids: list[str], seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for n, i in enumerate(ids):
        item = REGISTRY[i]
        regions = {f"E1200000{r}": {f"{r}{la:02d}": rng.choice([0, 1, 2, 3, 6, 9, 15, 40], size=(3, 2))
                                    for la in range(1, 4)} for r in range(1, 3)}
        regions["E12000001"]["101"] = np.array([[1, 0], [1, 1], [0, 0]])  # an LA whose total is 3
        t = counts_table(regions, ind=i)
        names = [*item.breakdowns, "a", "b"][:2] if item.breakdowns else []
        if names:
            t = t.with_columns(pl.col("breakdown").replace({"a": names[0], "b": names[1] if len(names) > 1 else "b"}))
        else:
            t = t.filter(pl.col("breakdown") == "Total")
        count = pl.col("numerator")
        if item.unit == "percent":
            t = t.with_columns(numerator=(count * (0.3 + 0.1 * n)).floor(), denominator=count)
        elif item.unit == "rate_per_10k":
            t = t.with_columns(denominator=count * 50 + 1000)
        elif item.unit != "count":
            t = t.with_columns(numerator=count * 120, denominator=count)
        unit_scale = {"percent": 100, "rate_per_10k": 10_000}.get(item.unit, 1)
        value = count if item.unit == "count" else pl.when(pl.col("denominator") > 0).then(
            unit_scale * pl.col("numerator") / pl.col("denominator"))
        parts.append(t.with_columns(value=value, year=pl.lit(2024 + n % 2, dtype=pl.Int64)))
    frame = pl.concat(parts, how="vertical_relaxed")
    return frame.with_columns(  # real-looking geography
        region_name=pl.col("region_code").replace({"E12000001": "North East", "E12000002": "North West"}),
        new_la_code=pl.when(pl.col("old_la_code").is_not_null()).then(pl.lit("E0600") + pl.col("old_la_code")),
        la_name=pl.when(pl.col("old_la_code").is_not_null()).then(pl.lit("Authority ") + pl.col("old_la_code")))


@pytest.fixture(scope="session")
def frame() -> pl.DataFrame:
    return indicator_frame(chosen_ids())
