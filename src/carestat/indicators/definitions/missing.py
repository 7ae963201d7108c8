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

from carestat.indicators.inputs import CHILD_ID, KEY, Inputs, attach, collection_year_of, first_of
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import (
    age_band,
    age_on_31_march,
    first_per_child_year,
    in_returns,
    not_short_breaks,
)

_BREAKDOWNS = ("age_band",)


def looked_after_during_year(inputs: Inputs) -> pl.DataFrame:
    """la_code, year, child_key for every child looked after at some time in the year (not short
    breaks only), with the child's age band on 31 March. An episode still open in the latest
    return holding it counts only up to that return's year."""
    return inputs.view("looked_after_during_year", _looked_after_during_year)


def _looked_after_during_year(inputs: Inputs) -> pl.DataFrame:
    # Years found on the episodes' numbers alone, the child's fields gathered once per child-year.
    e = inputs.episodes.select("_ep", CHILD_ID, "LS", "DECOM", "DEC", "collection_year").filter(not_short_breaks())
    spans = in_returns(first_per_child_year(_years_open(e, "DECOM", "DEC").select("_ep", CHILD_ID, "year")), inputs)
    child = inputs.episodes.select(*KEY, "DOB")[spans["_ep"]].hstack(spans.select("year", CHILD_ID))
    return child.select("la_code", "year", "child_key", CHILD_ID,
                        age_band=age_band(age_on_31_march(pl.col("DOB"), pl.col("year"))))


def incidents(inputs: Inputs) -> pl.DataFrame:
    """Each missing (M) or away (A) incident once per year it was open in."""
    return inputs.view("missing_incidents", _incidents)


def _incidents(inputs: Inputs) -> pl.DataFrame:
    m = (inputs.keyed("Missing").filter(pl.col("MIS_START").is_not_null())
         .select(*KEY, CHILD_ID, "MISSING", "MIS_START", "MIS_END", "collection_year")
         .sort(CHILD_ID, "MISSING", "MIS_START", "collection_year", descending=[False, False, False, True],
               maintain_order=True)
         .filter(first_of(CHILD_ID, "MISSING", "MIS_START")))
    return in_returns(_years_open(m, "MIS_START", "MIS_END"), inputs).select(
        *KEY, CHILD_ID, "year", "MISSING", "MIS_START", "MIS_END")


def _years_open(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """One row per record and collection year it was open in (a record with no end: up to the
    year of the latest return holding it)."""
    last = collection_year_of(pl.col(end)).fill_null(pl.col("collection_year").cast(pl.Int64))
    return frame.with_columns(year=pl.int_ranges(collection_year_of(pl.col(start)), last + 1)).explode("year")


def _children(inputs: Inputs, kind: str) -> pl.DataFrame:
    """Children looked after during the year with their number of incidents of one kind."""
    return inputs.view(f"missing_children_{kind}", lambda i: _build_children(i, kind))


def _build_children(inputs: Inputs, kind: str) -> pl.DataFrame:
    counted = (incidents(inputs).filter(pl.col("MISSING") == kind)
               .group_by(CHILD_ID, "year").agg(incidents=pl.len()))
    return attach(looked_after_during_year(inputs), counted, on=[CHILD_ID, "year"]).with_columns(
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
