"""The indicator explorer: one LA's figure against its statistical neighbours, region and England
over time, as a chart and a table, with the figures to download as CSV."""

from __future__ import annotations

from typing import Any

import polars as pl

from carestat.analysis import charts
from carestat.analysis.formatting import format_value
from carestat.web.context import Ctx
from carestat.web.lookup import NotFound, find_la, la_summary
from carestat.web.registry import LA_NAV, SERVICE_NAV, page

DEFAULT_INDICATOR = "cla_rate_per_10k"
CHART_YEARS = 10
CSV_COLUMNS = ("indicator_id", "year", "old_la_code", "area_name", "value", "neighbour_average",
               "neighbours_with_value", "region_name", "region_value", "england_value", "rank", "n_ranked",
               "quartile", "direction", "source")


def indicator_groups(ctx: Ctx) -> list[dict[str, Any]]:
    """The indicators with LA figures, by topic, for the chooser."""
    groups: dict[str, list[dict[str, str]]] = {}
    for m in ctx.site.indicators:
        groups.setdefault(m.topic or "Other", []).append({"id": m.id, "name": m.name})
    return [{"topic": topic, "indicators": items} for topic, items in groups.items()]


def explorer_rows(ctx: Ctx, old_la_code: str, indicator_id: str) -> pl.DataFrame:
    """Every year of one indicator for one LA beside its comparators, with suppressed years as
    rows whose value is missing."""
    rows = (ctx.site.comparison(old_la_code).filter(pl.col("indicator_id") == indicator_id).sort("year")
            .select(list(CSV_COLUMNS)))
    held = sorted(y for i, y, c in ctx.site.suppressed if i == indicator_id and c == old_la_code)
    missing = [y for y in held if y not in rows["year"].to_list()]
    if missing:
        extra = pl.DataFrame({"indicator_id": indicator_id, "year": missing, "old_la_code": old_la_code},
                             schema_overrides={"year": pl.Int64})
        rows = pl.concat([rows, extra], how="diagonal_relaxed").sort("year")
    return rows.with_columns(suppressed=pl.col("year").is_in(held))


@page("/explore", title="Explore an indicator", template="explore.html", nav=SERVICE_NAV("Explore indicators", 1))
def explore(ctx: Ctx, la: str | None = None, indicator: str | None = None) -> dict[str, Any]:
    """Choose an LA and an indicator; see the LA's figure over time beside its statistical
    neighbours' average, its region and England (chart and table, CSV to download)."""
    out: dict[str, Any] = {"la": None, "indicator": None, "groups": indicator_groups(ctx), "rows": [],
                           "chosen_la": la or "", "chosen_indicator": indicator or DEFAULT_INDICATOR,
                           "las": [{"old_la_code": x.old_la_code, "name": x.name} for x in ctx.site.las]}
    if not la:
        return out
    authority = find_la(la)
    indicator_id = indicator or DEFAULT_INDICATOR
    try:
        meta = ctx.site.indicator(indicator_id)
    except Exception as exc:
        raise NotFound(str(exc)) from None
    rows = explorer_rows(ctx, authority.old_la_code, indicator_id)
    fmt = lambda v: "c" if v is None else format_value(v, meta.unit, meta.id)  # noqa: E731
    table = [{**r, "value_text": "c" if r["suppressed"] else fmt(r["value"]),
              "neighbour_text": format_value(r["neighbour_average"], meta.unit, meta.id),
              "region_text": format_value(r["region_value"], meta.unit, meta.id),
              "england_text": format_value(r["england_value"], meta.unit, meta.id)}
             for r in rows.to_dicts()]
    chart_rows = ctx.site.comparison(authority.old_la_code)
    chart = charts.trend_chart(chart_rows, authority.old_la_code, indicator_id, years=CHART_YEARS, chart_id="explorer")
    out.update({
        "la": la_summary(authority), "chosen_la": authority.old_la_code, "chosen_indicator": indicator_id,
        "indicator": {"id": meta.id, "name": meta.name, "unit": meta.unit, "polarity": meta.polarity,
                      "definition": meta.definition, "topic": meta.topic},
        "rows": table, "la_name": authority.name, "chart_years": CHART_YEARS,
        "csv_href": f"/explore.csv?la={authority.old_la_code}&indicator={indicator_id}",
        "_chart": chart,
    })
    return out


@page("/la/{la}/explore", title="{la_name}: explore an indicator", template="explore.html",
      nav=LA_NAV("Explore an indicator", 5), name="la_explore")
def la_explore(ctx: Ctx, la: str, indicator: str | None = None) -> dict[str, Any]:
    """The indicator explorer for one LA (the same page as /explore?la=...)."""
    return explore(ctx, la, indicator)


def explorer_csv(ctx: Ctx, la: str, indicator: str) -> tuple[str, bytes]:
    """(file name, CSV bytes) of the explorer's table."""
    authority = find_la(la)
    try:
        ctx.site.indicator(indicator)
    except Exception as exc:
        raise NotFound(str(exc)) from None
    rows = explorer_rows(ctx, authority.old_la_code, indicator).with_columns(
        value=pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("value")),
        synthetic=pl.lit(ctx.site.synthetic))
    return f"{authority.old_la_code}_{indicator}.csv", rows.write_csv().encode()
