"""Placement stability: how often children in care move, and how long they stay put.

How placements are counted (the DfE's "Children looked after in England" methodology and the
SSDA903 guide; the choices the DfE leaves open are marked *carestat*):

- Episodes under an agreed series of short breaks (legal status V3/V4) are left out altogether.
- A *placement* starts with every episode whose reason for new episode (RNE) says the placement
  changed: S (started care), P, B (new carer) and T, U (placement type changed, same carer: the
  DfE's reasons for placement change include "change in the status of placement only", so these
  count as changes of placement). An L episode (legal status only) continues the placement.
- Temporary placements (PLACE T0-T4: hospital, holiday, respite of 7 days or less) are not
  placements: the temporary episode, and the return to the placement held before it (same PLACE,
  and the same placement postcode when both are given; validation rule 383), continue that
  placement.
- Placements of less than 24 hours are not counted (LAIT: "all placements of 24 hours or more"):
  *carestat* reads that as a placement that began and ended on the same day.
- For long-term stability the DfE asks for "the same carer": there only S, P and B start a new
  spell (T and U keep the carer), again ignoring temporary placements.

The history is each child's episodes across every year loaded (``Inputs.episodes``), so it starts
with the episodes open on 1 April of the LA's first loaded year: a placement, carer or period of
care that began before then has only a lower bound for its start. Long-term stability needs 2.5
years behind 31 March, so it is given only from an LA's third loaded year.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.history import ADOPTION, KEY, TEMPORARY, episode_history
from carestat.indicators.inputs import (
    CHILD_ID,
    Inputs,
    attach,
    attach_by_episode,
    collection_year_of,
    first_of,
)
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import (
    age_band,
    age_on,
    age_on_31_march,
    in_returns,
    looked_after_at_31_march,
    placement_group,
)
from carestat.spec import code_groups

_TIME_IN_CARE = ((1, "Under 1 year"), (2, "1 to 2 years"), (5, "2 to 5 years"))
_STABILITY_BREAKDOWNS = ("age_band", "placement", "time_in_care", "category_of_need")


def placements(inputs: Inputs) -> pl.DataFrame:
    """One row per placement: start (lower bound unless ``placement_start_known``), end, type."""
    return inputs.view("placements", _placements)


def _placements(inputs: Inputs) -> pl.DataFrame:
    return (episode_history(inputs).filter(first_of("_placement"))
            .select(*KEY, "_placement", "placement_start", "placement_start_known", "placement_end",
                    "placement_place", "DOB", CHILD_ID))


def _time_in_care(years: pl.Expr, known: pl.Expr) -> pl.Expr:
    """Time in care (whole ``years``, the start ``known`` or not) as a label."""
    labels = ["5 years or more", "Not known", *(label for _, label in _TIME_IN_CARE)]
    # Numbers first, then labels: one string per row rather than one per band tried.
    code = pl.when(years >= 5).then(0).when(~known).then(1)
    for i, (upper, _) in enumerate(_TIME_IN_CARE, start=2):
        code = code.when(years < upper).then(i)
    return code.otherwise(1).replace_strict(dict(enumerate(labels)), return_dtype=pl.Utf8)


def cla_with_history(inputs: Inputs) -> pl.DataFrame:
    """Children looked after on 31 March (the fields these indicators use) with their episode's
    placement, carer and period."""
    return inputs.view("cla_with_history", _cla_with_history)


def _cla_with_history(inputs: Inputs) -> pl.DataFrame:
    cols = ["period_start", "period_start_known", "period_cin", "placement_start", "carer_start",
            "previous_carer_start"]
    cla = looked_after_at_31_march(inputs).select(*KEY, CHILD_ID, "_ep", "year", "age", "age_band", "placement",
                                                  "PLACE")
    # Every episode open on 31 March is in the history (neither is short breaks).
    cla = attach_by_episode(cla, episode_history(inputs).select("_ep", *cols), inputs)
    cla = cla.with_columns(_years=age_on_31_march(pl.col("period_start"), pl.col("year")))
    return cla.with_columns(
        time_in_care=_time_in_care(pl.col("_years"), pl.col("period_start_known")),
        category_of_need=pl.col("period_cin"),
    ).drop("_years")


def placements_in_year(inputs: Inputs) -> pl.DataFrame:
    """la_code, child_key, year -> number of placements (of 24 hours or more) during the year."""
    return inputs.view("placements_in_year", _placements_in_year)


def _placements_in_year(inputs: Inputs) -> pl.DataFrame:
    # A placement is during year y when it starts by 31 March y and ends (if at all) on or after 1 April y-1.
    start, end = pl.col("placement_start"), pl.col("placement_end")
    p = placements(inputs).filter(start.is_not_null() & (end.is_null() | (end > start)))
    first = pl.max_horizontal(collection_year_of(start), min(inputs.years))
    last = pl.min_horizontal(collection_year_of(end), max(inputs.years))  # null end: the latest year
    years = (p.select(*KEY, CHILD_ID, year=pl.int_ranges(first, last + 1)).explode("year")
             .filter(pl.col("year").is_in(inputs.years)).sort(CHILD_ID, "year", maintain_order=True)
             .with_columns(_row=pl.int_range(pl.len(), dtype=pl.UInt32)))
    # Sorted by child and year: each run's first row, counted by where the next run starts.
    starts = years.filter(first_of(CHILD_ID, "year"))
    count = (pl.col("_row").shift(-1).fill_null(years.height) - pl.col("_row")).alias("placements")
    return starts.select(*KEY, pl.col("year").cast(pl.Int64), count, CHILD_ID)


def _three_plus(inputs: Inputs) -> pl.DataFrame:
    return inputs.view("three_plus_placements", _build_three_plus)


def _build_three_plus(inputs: Inputs) -> pl.DataFrame:
    cla = attach(cla_with_history(inputs), placements_in_year(inputs).select(CHILD_ID, "year", "placements"),
                 on=[CHILD_ID, "year"])
    return cla.with_columns(three_plus=(pl.col("placements").fill_null(1) >= 3))


_THREE_PLUS = dict(
    definition="Children in care on 31 March who had lived in three or more different placements during the "
               "year (1 April to 31 March). Moves to temporary placements (hospital, holidays, respite of a "
               "week or less) and placements of less than a day do not count, nor do children looked after "
               "only under short breaks.",
    numerator="Children looked after on 31 March with 3 or more placements (episodes starting with RNE S, P, B, "
              "T or U, not T0-T4, not the return from a temporary placement) open during the year",
    breakdowns=_STABILITY_BREAKDOWNS, topic="Placement stability",
)


@indicator(id="cla_3plus_placements", name="Children looked after with three or more placements in the year",
           denominator="", unit="count", polarity="neutral", published_id="cla_3plus_placements_count",
           **_THREE_PLUS)
def cla_3plus_placements(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_three_plus(inputs), {b: b for b in _STABILITY_BREAKDOWNS}, pl.col("three_plus").sum())


@indicator(id="cla_3plus_placements_pct",
           name="Children looked after with three or more placements in the year (%)",
           denominator="Children looked after on 31 March (not short breaks only)", unit="percent",
           polarity="lower is better", published_id="cla_3plus_placements_pct", **_THREE_PLUS)
def cla_3plus_placements_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_three_plus(inputs), {b: b for b in _STABILITY_BREAKDOWNS},
                           pl.col("three_plus").sum(), pl.len())


def _long_term(inputs: Inputs) -> pl.DataFrame:
    """Children under 16 on 31 March, looked after for 2.5 years, and whether their placement is stable."""
    return inputs.view("long_term_stability", _build_long_term)


def _build_long_term(inputs: Inputs) -> pl.DataFrame:
    two_half = pl.date(pl.col("year") - 3, 9, 30)  # 31 March less two and a half years
    two = pl.date(pl.col("year") - 2, 3, 31)
    cla = cla_with_history(inputs).join(inputs.returns, on=["la_code", "year"], how="inner")
    cohort = cla.filter((pl.col("age") < 16) & (pl.col("period_start") <= two_half)
                        & (pl.col("year") >= pl.col("first_year") + 2))
    adoption = pl.col("PLACE").is_in(ADOPTION).fill_null(False)
    return cohort.with_columns(stable=(pl.col("carer_start") <= two) | (
        adoption & (pl.col("previous_carer_start") <= two).fill_null(False)))


_LONG_TERM = dict(
    definition="Children under 16 in care on 31 March who had been in care continuously for at least two and a "
               "half years, and who had lived with the same carer for at least two years, or were placed for "
               "adoption and that placement together with the one before it had lasted at least two years.",
    numerator="Children in the denominator with the same carer (no episode with RNE S, P or B, temporary "
              "placements aside) since 31 March two years earlier, or placed for adoption (A3-A6) whose "
              "previous carer started by then",
    breakdowns=_STABILITY_BREAKDOWNS, topic="Placement stability",
)


@indicator(id="cla_long_term_stability", name="Children in long-term stable placements",
           denominator="", unit="count", polarity="neutral", published_id="cla_long_term_stability_count",
           **_LONG_TERM)
def cla_long_term_stability(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_long_term(inputs), {b: b for b in _STABILITY_BREAKDOWNS}, pl.col("stable").sum())


@indicator(id="cla_long_term_stability_pct", name="Children in long-term stable placements (%)",
           denominator="Children looked after on 31 March aged under 16 who had been looked after continuously "
                       "for at least 2.5 years", unit="percent", polarity="higher is better",
           published_id="cla_long_term_stability_pct", **_LONG_TERM)
def cla_long_term_stability_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_long_term(inputs), {b: b for b in _STABILITY_BREAKDOWNS}, pl.col("stable").sum(),
                           pl.len())


def _moves(inputs: Inputs) -> pl.DataFrame:
    """Each change of placement that took place in a year, with its reason group."""
    return inputs.view("placement_moves", _build_moves)


def _build_moves(inputs: Inputs) -> pl.DataFrame:
    groups = code_groups()[("Episodes", "REASON_PLACE_CHANGE")]
    moves = episode_history(inputs).select(
        *KEY, CHILD_ID, "_ep", "DOB", "DECOM", "_move", "_temp", "_prev_temp", "_prev_reason", "_before_place",
    ).filter(pl.col("_move")).with_columns(
        year=collection_year_of(pl.col("DECOM")),
        age=age_on(pl.col("DOB"), pl.col("DECOM")),
        placement=placement_group(pl.col("_before_place")),
        reason=pl.when(pl.col("_temp") | pl.col("_prev_temp")).then(pl.lit("temporary"))
        .otherwise(pl.col("_prev_reason").replace_strict(groups, default="not_known")),
    ).with_columns(age_band=age_band(pl.col("age")))
    return in_returns(moves, inputs)


_MOVES = dict(
    definition="Changes of placement during the year for children in care (not short breaks), by why the "
               "placement ended: planned (care plan, change of status, authority's request), unplanned "
               "(allegation, standards, carer's or child's request, closure, custody, other), or temporary "
               "(a move to or back from hospital, holiday or respite of a week or less).",
    breakdowns=("reason", "age_band", "placement"), topic="Placement stability",
)


@indicator(id="cla_placement_moves", name="Changes of placement during the year",
           numerator="Episodes starting in the year with RNE P, B, T or U that follow another episode of the same "
                     "period of care; reason from the previous episode's REASON_PLACE_CHANGE (temporary: a move to "
                     "or from PLACE T0-T4)", denominator="", unit="count", polarity="neutral", **_MOVES)
def cla_placement_moves(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_moves(inputs), {"reason": "reason", "age_band": "age_band", "placement": "placement"},
                           pl.len())


@indicator(id="cla_placement_moves_unplanned_pct", name="Changes of placement that were unplanned (%)",
           numerator="Changes of placement whose reason (REASON_PLACE_CHANGE) is in the unplanned group",
           denominator="All changes of placement during the year (planned, unplanned, temporary and not known)",
           unit="percent", polarity="lower is better",
           **{**_MOVES, "breakdowns": ("age_band", "placement")})
def cla_placement_moves_unplanned_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_moves(inputs), {"age_band": "age_band", "placement": "placement"},
                           (pl.col("reason") == "unplanned").sum(), pl.len())


@indicator(id="cla_placement_length_days", name="Average length of placements that ended in the year (days)",
           definition="For placements of children in care that ended during the year (because the child moved or "
                      "left care), the average number of days the placement had lasted. Temporary placements are "
                      "part of the placement they interrupted.",
           numerator="Total days from start to end of placements (of 24 hours or more) ending in the year, "
                     "start known",
           denominator="Placements ending in the year whose start is known (not short breaks)", unit="days",
           polarity="neutral", breakdowns=("placement", "age_band"), decimal_places=0, topic="Placement stability")
def cla_placement_length_days(inputs: Inputs) -> pl.DataFrame:
    ended = placements(inputs).filter(pl.col("placement_end") > pl.col("placement_start"))
    ended = ended.filter(pl.col("placement_start_known") & ~pl.col("placement_place").is_in(TEMPORARY).fill_null(False))
    ended = ended.with_columns(
        year=pl.col("placement_end").dt.year().cast(pl.Int64) + (pl.col("placement_end").dt.month() >= 4).cast(pl.Int64),
        days=(pl.col("placement_end") - pl.col("placement_start")).dt.total_days(),
        placement=placement_group(pl.col("placement_place")),
        age_band=age_band(age_on(pl.col("DOB"), pl.col("placement_end"))),
    )
    return with_breakdowns(in_returns(ended, inputs), {"placement": "placement", "age_band": "age_band"},
                           pl.col("days").sum(), pl.len())
