"""One LA's pages: its profile and its foster, residential and adoption scorecards."""

from __future__ import annotations

from typing import Any

from carestat.analysis import charts, scorecards
from carestat.analysis.profile import la_profile
from carestat.analysis.scorecard_measures import SCORECARDS, ScorecardSpec
from carestat.web.context import Ctx
from carestat.web.lookup import find_la, la_summary
from carestat.web.registry import LA_NAV, page

TREND_YEARS = 6


def suppressed_years(ctx: Ctx, indicator_id: str, old_la_code: str) -> list[int]:
    """Years whose figure for this LA is held back by disclosure control (shown as ``c``)."""
    return sorted(y for i, y, c in ctx.site.suppressed if i == indicator_id and c == old_la_code)


@page("/la/{la}", title="{la_name}", template="profile.html", nav=LA_NAV("Profile", 1))
def profile(ctx: Ctx, la: str, year: int | None = None) -> dict[str, Any]:
    """An LA's profile: codes, region, children, statistical neighbours, Ofsted history and key
    indicators against its neighbours, region and England."""
    authority = find_la(la)
    result = la_profile(authority, ctx.site.values, ctx.site.comparison(authority.old_la_code), year=year,
                        neighbour_list=ctx.web.settings.neighbour_list)
    out = result.as_dict()
    for row in out["indicators"]:
        held = [y for y in suppressed_years(ctx, row["indicator_id"], authority.old_la_code)
                if row.get("year") is None or y > row["year"]]
        row["suppressed_years"] = held
    out["own_figures"] = authority.old_la_code in ctx.site.own_las
    return out


def _scorecard(ctx: Ctx, spec: ScorecardSpec, la: str, year: int | None) -> dict[str, Any]:
    authority = find_la(la)
    cards = scorecards.la_scorecards(authority, ctx.site.scorecards, year)
    card = next(c for c in cards if c.spec.key == spec.key)
    out = card.as_dict()
    comparison = ctx.site.comparison(authority.old_la_code)
    chart_svgs = {}
    for measure, row in zip(card.measures, out["measures"], strict=True):
        row["trend_points"] = [{"year": y, "value": v} for y, v in measure.trend]
        row["comparators"] = _comparator_rows(comparison, authority.old_la_code, measure.indicator_id)
        if row["comparators"] and not measure.suppressed:
            chart_svgs[measure.measure.key] = charts.trend_chart(
                comparison, authority.old_la_code, measure.indicator_id, years=TREND_YEARS,
                chart_id=f"chart-{measure.measure.key}", threshold=measure.threshold)
    out["la"] = la_summary(authority)
    out["other_cards"] = [{"key": s.key, "title": s.title} for s in SCORECARDS if s.key != spec.key]
    out["_charts"] = chart_svgs
    return out


def _comparator_rows(comparison: Any, old_la_code: str, indicator_id: str) -> list[dict[str, Any]]:
    """The last years of one indicator for the LA beside its comparators (the chart's table)."""
    import polars as pl

    rows = (comparison.filter((pl.col("old_la_code") == old_la_code) & (pl.col("indicator_id") == indicator_id))
            .sort("year").tail(TREND_YEARS))
    return rows.select("year", "value", "neighbour_average", "region_value", "england_value", "rank",
                       "n_ranked", "quartile", "source").to_dicts()


def _declare(spec: ScorecardSpec, order: int) -> None:
    def build(ctx: Ctx, la: str, year: int | None = None) -> dict[str, Any]:
        return _scorecard(ctx, spec, la, year)

    build.__name__ = f"scorecard_{spec.key}"
    build.__doc__ = f"The {spec.title.lower()} scorecard for an LA: each measure in plain words, with its figure, " \
                    "comparators, band, trend and caveats."
    page(f"/la/{{la}}/scorecards/{spec.key}", title=f"{{la_name}}: {spec.title.lower()} scorecard",
         template="scorecard.html", nav=LA_NAV(spec.title.split(" (")[0] + " scorecard", order))(build)


for _order, _spec in enumerate(SCORECARDS, start=2):
    _declare(_spec, _order)
