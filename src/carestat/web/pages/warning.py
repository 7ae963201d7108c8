"""The early-warning dashboard: which LAs' figures show signs of a faltering service."""

from __future__ import annotations

from typing import Any

import polars as pl

from carestat.analysis.early_warning import CUSUM_H, MEASURES, THRESHOLD
from carestat.analysis.formatting import format_value
from carestat.analysis.values import indicator_meta
from carestat.errors import UsageError
from carestat.web.context import Ctx
from carestat.web.lookup import find_la
from carestat.web.registry import SERVICE_NAV, page

SIGNAL_COLUMNS = ("old_la_code", "area_name", "year", "signal", "score", "measures_assessed", "beyond_998",
                  "cusum_alarms", "domains", "flagged")


def _measure_rows(ctx: Ctx, old_la_code: str, year: int) -> list[dict[str, Any]]:
    meta = indicator_meta()
    f = ctx.site.warning.funnels.filter((pl.col("old_la_code") == old_la_code) & (pl.col("year") == year))
    order = {m.id: n for n, m in enumerate(MEASURES)}
    out = []
    for r in sorted(f.to_dicts(), key=lambda r: order.get(r["indicator_id"], 99)):
        m = meta.get(r["indicator_id"])
        unit = m.unit if m else ""
        fmt = lambda v, u=unit, i=r["indicator_id"]: format_value(v, u, i)  # noqa: E731
        out.append({"indicator_id": r["indicator_id"], "name": m.name if m else r["indicator_id"],
                    "domain": r["domain"], "worse": r["worse"], "value": r["value"], "value_text": fmt(r["value"]),
                    "england_text": fmt(r["target"]), "band": r["band"] or "context (not flagged)",
                    "limits_998": (f"{fmt(r['lower_998'])} to {fmt(r['upper_998'])}"
                                   if r["lower_998"] is not None else ""),
                    "cusum": None if r["cusum"] is None else round(r["cusum"], 2), "alarm": bool(r["alarm"]),
                    "source": r["source"]})
    return out


@page("/early-warning", title="Early warning", template="early_warning.html", nav=SERVICE_NAV("Early warning", 3))
def early_warning_page(ctx: Ctx, year: int | None = None, la: str | None = None) -> dict[str, Any]:
    """LAs whose figures are beyond the 99.8% funnel limit or in CUSUM alarm in two or more
    service areas, for a year; with one LA's measures in detail."""
    signals = ctx.site.warning.signals
    years = sorted(signals["year"].unique().to_list(), reverse=True)
    own = list(ctx.site.own_las)
    if year is None:
        mine = signals.filter(pl.col("old_la_code").is_in(own))
        year = int(mine["year"].max()) if mine.height else int(years[0])
    if year not in years:
        raise UsageError(f"No early-warning figures for {year}: choose a year from {years[-1]} to {years[0]}")
    rows = signals.filter(pl.col("year") == year)
    shown = (rows.filter(pl.col("signal") | pl.col("old_la_code").is_in(own))
             .sort(["signal", "score", "area_name"], descending=[True, True, False]))
    detail = None
    if la:
        authority = find_la(la)
        detail = {"old_la_code": authority.old_la_code, "name": authority.name,
                  "measures": _measure_rows(ctx, authority.old_la_code, year)}
    return {"year": year, "years": years, "threshold": THRESHOLD, "cusum_h": CUSUM_H,
            "n_las": rows.height, "n_signalled": int(rows["signal"].sum()),
            "own_las": own, "signals": shown.select(list(SIGNAL_COLUMNS)).to_dicts(), "detail": detail,
            "chosen_la": la or ""}
