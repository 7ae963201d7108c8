"""Each LA's figure beside its comparators: statistical neighbours, region and England, with its
rank, quartile band and direction of travel (definitions and sources in ``docs/benchmarking.md``).

``compare`` works on any *values* frame (``carestat.analysis.values``), so the same code benchmarks
the published figures and carestat's own. Everything is computed for all LAs at once in Polars.

- **Neighbour average**: the mean of the values that exist among the LA's ten DfE statistical
  neighbours (list version 2021 or 2025), with how many there were. LAs are matched by 3-digit code,
  which survives ONS code changes (Buckinghamshire, North Yorkshire, Somerset); an LA without a list
  in the chosen version (Cumberland, Westmorland and Furness in 2021) has none.
- **Region** and **England**: the values frame's own Regional and National rows; none if absent.
- **Rank**: among all LAs with a value that year, 1 the best by polarity; ties share the lower
  (best) rank ("min" ranking). Neutral indicators have no rank.
- **Quartile band**: A (best) to D, ``ceil(4 x rank / n)``: four groups of equal size in rank order
  (LAIT style); tied LAs share a rank and so a band.
- **Direction of travel**: the value now against two years before (the least-squares slope over
  the three years is exactly half that change). Improving or worsening by polarity when the change
  is at least 2 percentage points (percentages) or 5% of the earlier value (anything else);
  otherwise no clear change. Neutral indicators are "increasing" or "decreasing".
"""

from __future__ import annotations

import polars as pl

from carestat import refdata
from carestat.analysis.values import VALUE_COLUMNS, indicator_meta
from carestat.errors import UsageError

NEIGHBOUR_LISTS = (2021, 2025)
BANDS = ("A", "B", "C", "D")
PERCENT_POINTS = 2.0  # a change in a percentage smaller than this is "no clear change"
RELATIVE_CHANGE = 0.05  # ... and in anything else, smaller than 5% of the earlier value
IMPROVING, WORSENING, NO_CLEAR_CHANGE = "improving", "worsening", "no clear change"
INCREASING, DECREASING = "increasing", "decreasing"

COMPARISON_COLUMNS = {
    "indicator_id": pl.Utf8, "year": pl.Int64, "area_code": pl.Utf8, "old_la_code": pl.Utf8,
    "area_name": pl.Utf8, "region_code": pl.Utf8, "region_name": pl.Utf8, "value": pl.Float64,
    "numerator": pl.Float64, "denominator": pl.Float64, "source": pl.Utf8, "polarity": pl.Utf8,
    "unit": pl.Utf8, "neighbour_list": pl.Int64, "neighbours_listed": pl.Int64,
    "neighbours_with_value": pl.Int64, "neighbour_average": pl.Float64, "region_value": pl.Float64,
    "england_value": pl.Float64, "rank": pl.Int64, "n_ranked": pl.Int64, "quartile": pl.Utf8,
    "value_two_years_before": pl.Float64, "change_3y": pl.Float64, "direction": pl.Utf8,
}
_KEYS = ["indicator_id", "year"]


def is_percentage(indicator_id: str, unit: str) -> bool:
    """Whether an indicator is a percentage (its changes are read in percentage points)."""
    unit = unit.casefold()
    return "%" in unit or "percent" in unit or indicator_id.endswith("_pct")


def _meta_frame(ids: list[str]) -> pl.DataFrame:
    meta = indicator_meta()
    rows = []
    for i in ids:
        m = meta.get(i)
        polarity = m.polarity if m else "neutral"
        unit = m.unit if m else ""
        sign = {"higher is better": 1, "lower is better": -1}.get(polarity, 0)
        rows.append({"indicator_id": i, "polarity": polarity, "unit": unit, "sign": sign,
                     "percent": is_percentage(i, unit)})
    schema = {"indicator_id": pl.Utf8, "polarity": pl.Utf8, "unit": pl.Utf8, "sign": pl.Int64, "percent": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def la_lookup() -> pl.DataFrame:
    """3-digit code, ONS code, name and region of every LA (current and predecessor, by ONS code)."""
    return refdata.local_authorities().select(
        area_code="new_la_code", lookup_old_code="old_la_code", lookup_name="name",
        region_code="region_code", region_name="region_name").unique("area_code", keep="last")


def _la_rows(values: pl.DataFrame) -> pl.DataFrame:
    """The LA rows, with the 3-digit code filled from the ONS code where missing, and the region."""
    las = values.filter(pl.col("geographic_level") == "Local authority")
    return (las.join(la_lookup(), on="area_code", how="left")
            .with_columns(old_la_code=pl.coalesce("old_la_code", "lookup_old_code"),
                          area_name=pl.coalesce("area_name", "lookup_name"))
            .filter(pl.col("old_la_code").is_not_null())
            .unique([*_KEYS, "old_la_code"], keep="first", maintain_order=True)
            .drop("lookup_old_code", "lookup_name"))


def neighbour_pairs(neighbour_list: int = 2025) -> pl.DataFrame:
    """old_la_code, neighbour_old_la_code, neighbour_rank: the DfE statistical neighbour lists."""
    if neighbour_list not in NEIGHBOUR_LISTS:
        raise UsageError(f"Statistical neighbour list {neighbour_list} does not exist: use 2021 or 2025")
    return (refdata.statistical_neighbours().filter(pl.col("list_version") == neighbour_list)
            .select("old_la_code", "neighbour_old_la_code", "neighbour_rank"))


def _neighbour_averages(las: pl.DataFrame, neighbour_list: int) -> pl.DataFrame:
    pairs = las.select(*_KEYS, "old_la_code").join(neighbour_pairs(neighbour_list), on="old_la_code")
    theirs = las.select(*_KEYS, neighbour_old_la_code="old_la_code", neighbour_value="value")
    return (pairs.join(theirs, on=[*_KEYS, "neighbour_old_la_code"], how="left")
            .group_by(*_KEYS, "old_la_code")
            .agg(neighbours_listed=pl.len().cast(pl.Int64),
                 neighbours_with_value=pl.col("neighbour_value").count().cast(pl.Int64),
                 neighbour_average=pl.col("neighbour_value").mean()))


def _area_values(values: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    regions = (values.filter(pl.col("geographic_level") == "Regional")
               .select(*_KEYS, region_code="area_code", region_value="value")
               .unique([*_KEYS, "region_code"], keep="first", maintain_order=True))
    england = (values.filter(pl.col("geographic_level") == "National")
               .select(*_KEYS, england_value="value").unique(_KEYS, keep="first", maintain_order=True))
    return regions, england


def _rank_and_band(frame: pl.DataFrame) -> pl.DataFrame:
    score = pl.col("value") * pl.col("sign")
    rank = score.rank("min", descending=True).over(_KEYS).cast(pl.Int64)
    n = pl.col("value").count().over(_KEYS).cast(pl.Int64)
    ranked = pl.col("sign") != 0
    band = (4 * pl.col("rank") / pl.col("n_ranked")).ceil().cast(pl.Int64)
    return (frame.with_columns(rank=pl.when(ranked).then(rank), n_ranked=pl.when(ranked).then(n))
            .with_columns(quartile=pl.when(ranked).then(band.replace_strict({1: "A", 2: "B", 3: "C", 4: "D"},
                                                                            return_dtype=pl.Utf8))))


def _direction(frame: pl.DataFrame, las: pl.DataFrame) -> pl.DataFrame:
    before = las.select("indicator_id", "old_la_code", year=pl.col("year") + 2, value_two_years_before="value")
    out = frame.join(before, on=[*_KEYS, "old_la_code"], how="left")
    change = pl.col("value") - pl.col("value_two_years_before")
    threshold = (pl.when(pl.col("percent")).then(pl.lit(PERCENT_POINTS))
                 .otherwise(pl.col("value_two_years_before").abs() * RELATIVE_CHANGE))
    clear = (change.abs() >= threshold) & (change != 0)
    direction = (pl.when(pl.col("value_two_years_before").is_null()).then(pl.lit(None, dtype=pl.Utf8))
                 .when(~clear).then(pl.lit(NO_CLEAR_CHANGE))
                 .when(pl.col("sign") == 0).then(pl.when(change > 0).then(pl.lit(INCREASING)).otherwise(pl.lit(DECREASING)))
                 .when(change * pl.col("sign") > 0).then(pl.lit(IMPROVING))
                 .otherwise(pl.lit(WORSENING)))
    return out.with_columns(change_3y=change, direction=direction)


def compare(values: pl.DataFrame, indicator_ids: list[str] | tuple[str, ...] | None = None,
            year: int | None = None, neighbour_list: int = 2025) -> pl.DataFrame:
    """One row per indicator, year and LA (``COMPARISON_COLUMNS``): the LA's value beside its
    neighbours' average, region and England, with rank, quartile band and direction of travel.

    ``values`` is a values frame (``VALUE_COLUMNS``); ``indicator_ids`` and ``year`` narrow the
    output (the two years before ``year`` are still read for the direction of travel).
    """
    missing = set(VALUE_COLUMNS) - set(values.columns)
    if missing:
        raise UsageError(f"A values frame needs the columns {sorted(missing)}")
    neighbour_pairs(neighbour_list)  # fail early on an unknown list version
    frame = values
    if indicator_ids is not None:
        frame = frame.filter(pl.col("indicator_id").is_in(list(indicator_ids)))
    if year is not None:
        frame = frame.filter(pl.col("year").is_between(year - 2, year))
    las = _la_rows(frame)
    meta = _meta_frame(las["indicator_id"].unique().to_list())
    regions, england = _area_values(frame)
    out = (las.join(meta, on="indicator_id", how="left")
           .join(_neighbour_averages(las, neighbour_list), on=[*_KEYS, "old_la_code"], how="left")
           .join(regions, on=[*_KEYS, "region_code"], how="left")
           .join(england, on=_KEYS, how="left")
           .with_columns(neighbour_list=pl.lit(neighbour_list, dtype=pl.Int64),
                         neighbours_listed=pl.col("neighbours_listed").fill_null(0),
                         neighbours_with_value=pl.col("neighbours_with_value").fill_null(0)))
    out = _direction(_rank_and_band(out), las)
    if year is not None:
        out = out.filter(pl.col("year") == year)
    return (out.select([pl.col(c).cast(t) for c, t in COMPARISON_COLUMNS.items()])
            .sort("indicator_id", "year", "old_la_code"))


def neighbours(la: refdata.LocalAuthority, neighbour_list: int = 2025) -> pl.DataFrame:
    """An LA's statistical neighbours in one list version, by rank, with names and closeness
    (empty when the LA has no list in that version)."""
    names = refdata.local_authorities().select(
        neighbour_old_la_code="old_la_code", neighbour_name="name").unique("neighbour_old_la_code", keep="last")
    return (refdata.statistical_neighbours()
            .filter((pl.col("list_version") == neighbour_list) & (pl.col("old_la_code") == la.old_la_code))
            .join(names, on="neighbour_old_la_code", how="left")
            .select("neighbour_rank", "neighbour_old_la_code", "neighbour_la_code", "neighbour_name", "closeness")
            .sort("neighbour_rank"))


def benchmark(values: pl.DataFrame, la: str | None = None, indicator_ids: list[str] | tuple[str, ...] | None = None,
              year: int | None = None, neighbour_list: int = 2025) -> pl.DataFrame:
    """``compare`` narrowed for a reader: one LA (any code or name) and, without ``year``, each
    indicator's latest year (the LA's latest, when ``la`` is given). Unknown indicators and empty results are errors, not empty tables."""
    if indicator_ids:
        known = set(values["indicator_id"].unique().to_list())
        unknown = [i for i in indicator_ids if i not in known]
        if unknown:
            raise UsageError(f"No figures for indicator {', '.join(unknown)}: see the indicator dictionary "
                             "(`carestat indicators --out`, or refdata's indicator_dictionary.csv) for ids")
    table = compare(values, indicator_ids, year, neighbour_list)
    if la is not None:
        table = table.filter(pl.col("old_la_code") == refdata.resolve_la(la, year).old_la_code)
    if year is None:
        table = table.filter(pl.col("year") == pl.col("year").max().over("indicator_id"))
    if table.is_empty():
        raise UsageError("No figures match: try another year, LA or indicator")
    return table.sort("indicator_id", "year", "rank", "area_name", nulls_last=True)
