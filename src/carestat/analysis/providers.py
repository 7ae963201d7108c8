"""Provider quality: are children in care placed with providers Ofsted judges good or outstanding?

Each child looked after on 31 March (not short breaks only) is matched, by the URN of the
placement open that day, to the Ofsted list of registered children's social care providers
(children's homes, secure homes, residential special schools, family centres, independent
fostering and voluntary adoption agencies) and the provider's latest full-inspection judgement
(overall experiences and progress of children). The list is a snapshot: the latest one taken on or
before that 31 March, or the earliest there is for years before it (``judgement_as_at`` says which;
carestat vendors 31 March 2022 and 2023).

Many placements cannot be matched, and are counted, not hidden: most foster placements with the
LA's own carers have no URN (blank or XXXXXXX) or the LA's URN (LA fostering services are inspected
with the LA, not listed), placements with parents or in supported accommodation have none, and
some URNs are not on the list (closed, registered after the snapshot, or mistyped). So:

- ``cla_provider_good_outstanding_pct``: of children whose provider is on the list and has been
  judged, the share whose provider was judged good or outstanding;
- ``cla_provider_judged_pct``: of all children looked after, the share with such a provider (how
  much of the picture the first figure covers);
- ``cla_provider_status``: every child looked after by provider status (each judgement, not yet
  inspected, URN not on the list, no URN).

Both percentages come by children's needs: category of need (CIN), three or more placements in
the year, unaccompanied asylum-seeking (UASC), and distance from home (more than 20 miles). The
measures are declared as unregistered indicators, so LAs, regions and England (the LAs loaded) come
from the indicator engine and disclosure control (``protect``) treats them like any other table.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import polars as pl

from carestat import refdata
from carestat.disclosure import Rules, protect
from carestat.indicators.compute import compute_indicator
from carestat.indicators.definitions.cla import _cla_with_characteristics
from carestat.indicators.definitions.distance import MILES
from carestat.indicators.definitions.placement_stability import placements_in_year
from carestat.indicators.history import KEY
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import Indicator, with_breakdowns

GOOD = ("Outstanding", "Good")
JUDGEMENTS = {"Outstanding": "Outstanding", "Good": "Good",
              "Requires improvement to be good": "Requires improvement", "Inadequate": "Inadequate"}
NOT_INSPECTED, NOT_LISTED, NO_URN = "Registered, not yet inspected", "URN not on the Ofsted list", "No URN"
NEEDS = ("category_of_need", "placements_in_year", "uasc", "distance")
BLANK_URNS = ("", "XXXXXXX")


def provider_list(snapshots: pl.DataFrame | None = None) -> pl.DataFrame:
    """urn, as_at, provision_type, judgement (Ofsted's wording shortened; null if not yet inspected)."""
    raw = refdata.provider_judgements() if snapshots is None else snapshots
    return raw.select(
        urn=pl.col("urn").cast(pl.Utf8).str.strip_chars().str.to_uppercase(), as_at=pl.col("as_at"),
        provision_type=pl.col("provision_type"),
        judgement=pl.col("judgement_overall_experiences_and_progress").replace_strict(JUDGEMENTS, default=None),
    ).unique(["urn", "as_at"], keep="first")


def _snapshot_for(years: list[int], providers: pl.DataFrame) -> pl.DataFrame:
    """year -> the snapshot date used: the latest on or before 31 March, else the earliest."""
    dates = sorted(providers["as_at"].unique().to_list())
    rows = []
    for year in years:
        earlier = [d for d in dates if d <= dt.date(year, 3, 31)]
        rows.append((year, earlier[-1] if earlier else (dates[0] if dates else None)))
    return pl.DataFrame(rows, schema={"year": pl.Int64, "judgement_as_at": pl.Date}, orient="row")


def placements(inputs: Inputs, providers: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per child looked after on 31 March: the placement's URN, provider status, whether it is
    judged and good or outstanding, the snapshot used, and the needs breakdowns."""
    plist = provider_list() if providers is None else providers
    cla = _cla_with_characteristics(inputs).join(placements_in_year(inputs), on=[*KEY, "year"], how="left")
    cla = cla.join(_snapshot_for(inputs.years, plist), on="year", how="left")
    urn = pl.col("URN").cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    cla = cla.with_columns(urn=pl.when(urn.is_in(BLANK_URNS)).then(None).otherwise(urn))
    cla = cla.join(plist.with_columns(listed=pl.lit(True)), left_on=["urn", "judgement_as_at"],
                   right_on=["urn", "as_at"], how="left")
    status = (pl.when(pl.col("urn").is_null()).then(pl.lit(NO_URN))
              .when(~pl.col("listed").fill_null(False)).then(pl.lit(NOT_LISTED))
              .when(pl.col("judgement").is_null()).then(pl.lit(NOT_INSPECTED))
              .otherwise(pl.col("judgement")))
    distance = (pl.when(pl.col("PL_DISTANCE").is_null()).then(pl.lit("Not known"))
                .when(pl.col("PL_DISTANCE") > MILES).then(pl.lit(f"More than {MILES} miles"))
                .otherwise(pl.lit(f"{MILES} miles or less")))
    return cla.with_columns(
        provider_status=status,
        judged=pl.col("judgement").is_not_null(),
        good=pl.col("judgement").is_in(GOOD).fill_null(False),
        # As the 3+ placements indicator: a child with no placement counted in the year has one.
        placements_in_year=pl.when(pl.col("placements").fill_null(1) >= 3).then(pl.lit("3 or more"))
        .otherwise(pl.lit("Fewer than 3")),
        distance=distance,
        provision_type=pl.col("provision_type").fill_null("Not known"),
    ).select(*KEY, "year", "urn", "provider_status", "judged", "good", "judgement_as_at", "provision_type",
             "category_of_need", "placements_in_year", "uasc", "distance", "PLACE")


def _good_pct(inputs: Inputs, providers: pl.DataFrame | None) -> pl.DataFrame:
    judged = placements(inputs, providers).filter(pl.col("judged"))
    by = {b: b for b in (*NEEDS, "provision_type")}
    return with_breakdowns(judged, by, pl.col("good").sum(), pl.len())


def _judged_pct(inputs: Inputs, providers: pl.DataFrame | None) -> pl.DataFrame:
    return with_breakdowns(placements(inputs, providers), {b: b for b in NEEDS}, pl.col("judged").sum(), pl.len())


def _status(inputs: Inputs, providers: pl.DataFrame | None) -> pl.DataFrame:
    return with_breakdowns(placements(inputs, providers), {"provider_status": "provider_status"}, pl.len())


_COMMON = dict(breakdowns=NEEDS, topic="Provider quality", first_year=2015, source="SSDA903 and Ofsted")


def measures(providers: pl.DataFrame | None = None) -> tuple[Indicator, ...]:
    """The provider-quality measures as (unregistered) indicators over ``providers``."""
    return (
        Indicator(id="cla_provider_good_outstanding_pct",
                  name="Children in care placed with providers judged good or outstanding (%)",
                  definition="Of children in care on 31 March whose placement is with an Ofsted-registered provider "
                             "that has had a full inspection, the percentage whose provider was judged good or "
                             "outstanding for children's experiences and progress.",
                  numerator="Children looked after on 31 March whose placement URN is on the Ofsted list with a "
                            "Good or Outstanding overall judgement",
                  denominator="Children looked after on 31 March whose placement URN is on the Ofsted list with a "
                              "judgement", unit="percent", polarity="higher is better",
                  compute=partial(_good_pct, providers=providers), decimal_places=1,
                  **{**_COMMON, "breakdowns": (*NEEDS, "provision_type")}),
        Indicator(id="cla_provider_judged_pct",
                  name="Children in care whose provider could be matched to an Ofsted judgement (%)",
                  definition="Of children in care on 31 March, the percentage whose placement could be matched by "
                             "its URN to an Ofsted-registered provider with a judgement.",
                  numerator="Children looked after on 31 March whose placement URN is on the Ofsted list with a "
                            "judgement", denominator="Children looked after on 31 March (not short breaks only)",
                  unit="percent", polarity="neutral", compute=partial(_judged_pct, providers=providers),
                  decimal_places=1, **_COMMON),
        Indicator(id="cla_provider_status",
                  name="Children in care by their placement provider's Ofsted status",
                  definition="Children in care on 31 March by the Ofsted judgement of their placement's provider, "
                             "or why there is none.", numerator="Children looked after on 31 March",
                  denominator="", unit="count", polarity="neutral", compute=partial(_status, providers=providers),
                  **{**_COMMON, "breakdowns": ("provider_status",)}),
    )


def provider_quality(inputs: Inputs, providers: pl.DataFrame | None = None) -> pl.DataFrame:
    """The three measures for every LA, region and England (the LAs loaded) and year, unsuppressed
    (for analysts with access to the warehouse)."""
    return pl.concat([compute_indicator(item, inputs) for item in measures(providers)], how="vertical_relaxed")


def for_publication(frame: pl.DataFrame) -> pl.DataFrame:
    """``provider_quality`` output with DfE disclosure control: LA counts of 1 to 5, and figures
    built on them, suppressed (``c``), with secondary suppression across breakdowns and areas."""
    items = measures()
    rules = Rules(units={i.id: i.unit for i in items}, decimal_places={i.id: i.decimal_places for i in items})
    return protect(frame, rules)


def snapshot_note(frame: pl.DataFrame, providers: pl.DataFrame | None = None) -> str:
    """Which provider-list snapshot each year's judgements come from, in one line."""
    plist = provider_list() if providers is None else providers
    years = sorted(frame["year"].unique().to_list())
    used = _snapshot_for(years, plist)
    parts = [f"{r['year']}: {r['judgement_as_at']}" for r in used.iter_rows(named=True)]
    return "Provider judgements as at (by collection year) " + ", ".join(parts)
