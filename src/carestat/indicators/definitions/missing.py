"""Children in care who went missing, or were away from their placement without authorisation.

From the SSDA903 Missing table (collected since 2014/15): each incident has a type (M missing:
whereabouts not known; A away from placement without authorisation: whereabouts known), a start
and an end. An incident belongs to every year it was open in (it started in the year, or was still
open on 1 April), as each year's return holds it (validation rule 576 carries an open incident
into the next return); across returns the latest copy of an incident (same child, type and start)
is used. The denominator is every child looked after at any time in the year, other than children
looked after only under an agreed series of short breaks (V3/V4), as in the DfE's statistics.
Incidents of children outside that group (short breaks only, or an incident outside any episode
loaded) are not counted.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.history import KEY
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import SHORT_BREAKS, age_band, age_on, in_returns

_BREAKDOWNS = ("age_band",)
_END = pl.date(pl.col("year"), 3, 31)


def looked_after_during_year(inputs: Inputs) -> pl.DataFrame:
    """la_code, year, child_key for every child looked after at some time in the year (not short
    breaks only), with the child's age band on 31 March. An episode still open in the latest
    return holding it counts only up to that return's year."""
    return inputs.view("looked_after_during_year", _looked_after_during_year)


def _looked_after_during_year(inputs: Inputs) -> pl.DataFrame:
    e = inputs.episodes.filter(~pl.col("LS").is_in(SHORT_BREAKS).fill_null(False))
    spans = _years_open(inputs, e, "DECOM", "DEC").unique(["la_code", "year", "child_key"])
    return spans.select("la_code", "year", "child_key", age_band=age_band(age_on(pl.col("DOB"), _END)))


def incidents(inputs: Inputs) -> pl.DataFrame:
    """Each missing (M) or away (A) incident once per year it was open in."""
    return inputs.view("missing_incidents", _incidents)


def _incidents(inputs: Inputs) -> pl.DataFrame:
    m = (inputs.tables["Missing"].filter(pl.col("MIS_START").is_not_null())
         .sort("collection_year", descending=True)
         .unique([*KEY, "MISSING", "MIS_START"], keep="first"))
    return _years_open(inputs, m, "MIS_START", "MIS_END").select(*KEY, "year", "MISSING", "MIS_START", "MIS_END")


def _years_open(inputs: Inputs, frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """One row per record and collection year it was open in (a record with no end: up to the
    year of the latest return holding it), for the LA-years with a return."""
    def year_of(day: pl.Expr) -> pl.Expr:
        return day.dt.year().cast(pl.Int64) + (day.dt.month() >= 4).cast(pl.Int64)

    last = year_of(pl.col(end)).fill_null(pl.col("collection_year").cast(pl.Int64))
    spans = frame.with_columns(year=pl.int_ranges(year_of(pl.col(start)), last + 1)).explode("year")
    return in_returns(spans, inputs)


def _children(inputs: Inputs, kind: str) -> pl.DataFrame:
    """Children looked after during the year with their number of incidents of one kind."""
    counted = (incidents(inputs).filter(pl.col("MISSING") == kind)
               .group_by("la_code", "year", "child_key").agg(incidents=pl.len()))
    return looked_after_during_year(inputs).join(counted, on=["la_code", "year", "child_key"], how="left").with_columns(
        pl.col("incidents").fill_null(0))


_MISSING = ("Missing from care: the child was not at their placement, or where they were expected to be "
            "(school, for instance), and nobody knew where they were.")
_AWAY = ("Away without authorisation: the child was not at their placement or where they were expected to be, "
         "their whereabouts were known, and the carer was concerned or told the council or the police.")
_COMMON = dict(breakdowns=_BREAKDOWNS, topic="Missing from care")
_DURING = "Children looked after at any time during the year (not short breaks only)"


@indicator(id="cla_missing", name="Children looked after who went missing",
           definition="Children in care at some time during the year who went missing at least once. " + _MISSING,
           numerator="Children looked after during the year with at least one incident MISSING = M open in the year",
           denominator="", unit="count", polarity="neutral", **_COMMON)
def cla_missing(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_children(inputs, "M"), {"age_band": "age_band"}, (pl.col("incidents") > 0).sum())


@indicator(id="cla_missing_pct", name="Children looked after who went missing (%)",
           definition="Of all children in care at some time during the year, the percentage who went missing at "
                      "least once. " + _MISSING,
           numerator="Children looked after during the year with at least one incident MISSING = M open in the year",
           denominator=_DURING, unit="percent", polarity="neutral", published_id="cla_missing_pct", **_COMMON)
def cla_missing_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_children(inputs, "M"), {"age_band": "age_band"}, (pl.col("incidents") > 0).sum(),
                           pl.len())


@indicator(id="cla_missing_incidents_per_child", name="Missing incidents per child who went missing",
           definition="The average number of times a child in care who went missing during the year went "
                      "missing. " + _MISSING,
           numerator="Incidents MISSING = M open in the year, of children looked after during the year",
           denominator="Children looked after during the year with at least one such incident", unit="mean",
           polarity="lower is better", published_id="cla_missing_incidents_per_missing_child", decimal_places=1,
           **_COMMON)
def cla_missing_incidents_per_child(inputs: Inputs) -> pl.DataFrame:
    went = _children(inputs, "M").filter(pl.col("incidents") > 0)
    return with_breakdowns(went, {"age_band": "age_band"}, pl.col("incidents").sum(), pl.len())


@indicator(id="cla_away", name="Children looked after who were away from placement without authorisation",
           definition="Children in care at some time during the year who were away from their placement without "
                      "authorisation at least once. " + _AWAY,
           numerator="Children looked after during the year with at least one incident MISSING = A open in the year",
           denominator="", unit="count", polarity="neutral", **_COMMON)
def cla_away(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_children(inputs, "A"), {"age_band": "age_band"}, (pl.col("incidents") > 0).sum())


@indicator(id="cla_away_pct", name="Children looked after who were away from placement without authorisation (%)",
           definition="Of all children in care at some time during the year, the percentage who were away from "
                      "their placement without authorisation at least once. " + _AWAY,
           numerator="Children looked after during the year with at least one incident MISSING = A open in the year",
           denominator=_DURING, unit="percent", polarity="neutral",
           published_id="cla_away_without_authorisation_pct", **_COMMON)
def cla_away_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_children(inputs, "A"), {"age_band": "age_band"}, (pl.col("incidents") > 0).sum(),
                           pl.len())


@indicator(id="cla_away_incidents_per_child", name="Away-without-authorisation incidents per child who was away",
           definition="The average number of times a child in care who was away from their placement without "
                      "authorisation during the year was away. " + _AWAY,
           numerator="Incidents MISSING = A open in the year, of children looked after during the year",
           denominator="Children looked after during the year with at least one such incident", unit="mean",
           polarity="lower is better", decimal_places=1, **_COMMON)
def cla_away_incidents_per_child(inputs: Inputs) -> pl.DataFrame:
    away = _children(inputs, "A").filter(pl.col("incidents") > 0)
    return with_breakdowns(away, {"age_band": "age_band"}, pl.col("incidents").sum(), pl.len())
