"""Children who left care to go home, and children who came back into care after going home.

Leaving care to go home is a period of care ending with REC E4A (returned home to live with parents
or another person with parental responsibility, as part of the care planning process) or E4B (not
as part of it); E4 is the code used before the split in 2015/16. As in ``cla_ceased``, each child is
counted once a year, by the last time they left care in it; the percentages are of all children who
left care in the year, as in LAIT.

Re-entry follows children who went home in one year (each child's first return home that year) for
365 days: did a new period of care (an episode with RNE S, not short breaks) start with the same LA
within 365 days of going home? The figure for year Y is about children who went home in year Y-1,
so every child has had a full 365 days by 31 March of year Y. It needs the LA's returns for both
years: it starts with an LA's second loaded year (2025 from returns for 2024 and 2025). Children who
came back into care with another LA are not seen (child keys are per LA).
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.inputs import CHILD_ID, KEY, Inputs, collection_year_of
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import age_band, age_on, ceased_in_year, not_short_breaks
from carestat.spec import code_groups

_CARE_PLAN = {"E4A": "Part of the care plan", "E4B": "Not part of the care plan", "E4": "Not recorded"}
DAYS = 365


def _returned_home_codes() -> list[str]:
    return [code for code, group in code_groups()[("Episodes", "REC")].items() if group == "returned_home"]


def _ceased(inputs: Inputs) -> pl.DataFrame:
    """Children who ceased to be looked after in each year, marked if they went home."""
    return inputs.view("ceased_went_home", _build_ceased)


def _build_ceased(inputs: Inputs) -> pl.DataFrame:
    # ceased_in_year holds only LA-years with a return.
    return ceased_in_year(inputs).select("la_code", CHILD_ID, "year", "REC", "age_band").with_columns(
        home=pl.col("REC").is_in(_returned_home_codes()),
        care_plan=pl.col("REC").replace_strict(_CARE_PLAN, default=None),
    )


_HOME = ("Children who left care during the year to live with their parents, or another person with parental "
         "responsibility, whether or not that was part of their care plan.")
_COMMON = dict(topic="Leaving care and returning home")


@indicator(id="cla_returned_home", name="Children who left care to return home",
           definition=_HOME + " Each child is counted once, by the last time they left care in the year.",
           numerator="Children whose last ceasing in the year has REC E4A or E4B (E4 before 2016)", denominator="",
           unit="count", polarity="neutral", breakdowns=("care_plan", "age_band"), **_COMMON)
def cla_returned_home(inputs: Inputs) -> pl.DataFrame:
    home = _ceased(inputs).filter(pl.col("home"))
    return with_breakdowns(home, {"care_plan": "care_plan", "age_band": "age_band"}, pl.len())


@indicator(id="cla_returned_home_pct", name="Children leaving care who returned home (%)",
           definition="Of all children who left care during the year, the percentage who went home to live with "
                      "their parents or another person with parental responsibility.",
           numerator="Children whose last ceasing in the year has REC E4A or E4B (E4 before 2016)",
           denominator="Children who ceased to be looked after in the year (REC not X1, not short breaks)",
           unit="percent", polarity="neutral", breakdowns=("age_band",), **_COMMON)
def cla_returned_home_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_ceased(inputs), {"age_band": "age_band"}, pl.col("home").sum(), pl.len())


@indicator(id="cla_returned_home_care_plan_pct",
           name="Children leaving care who returned home as part of the care plan (%)",
           definition="Of all children who left care during the year, the percentage who went home to live with "
                      "their parents (or another person with parental responsibility) as part of their care plan.",
           numerator="Children whose last ceasing in the year has REC E4A",
           denominator="Children who ceased to be looked after in the year (REC not X1, not short breaks)",
           unit="percent", polarity="neutral", breakdowns=("age_band",), first_year=2016,
           published_id="lait_lac_rethome_careplan", **_COMMON)
def cla_returned_home_care_plan_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_ceased(inputs), {"age_band": "age_band"}, (pl.col("REC") == "E4A").sum(), pl.len())


@indicator(id="cla_returned_home_not_care_plan_pct",
           name="Children leaving care who returned home not as part of the care plan (%)",
           definition="Of all children who left care during the year, the percentage who went home to live with "
                      "their parents (or another person with parental responsibility) when that was not part of "
                      "their care plan.",
           numerator="Children whose last ceasing in the year has REC E4B",
           denominator="Children who ceased to be looked after in the year (REC not X1, not short breaks)",
           unit="percent", polarity="lower is better", breakdowns=("age_band",), first_year=2016,
           published_id="lait_lac_rethome_not_careplan", **_COMMON)
def cla_returned_home_not_care_plan_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_ceased(inputs), {"age_band": "age_band"}, (pl.col("REC") == "E4B").sum(), pl.len())


def _reentry(inputs: Inputs) -> pl.DataFrame:
    """Children who went home in year Y-1 (first time that year), reported in year Y, with whether
    a new period of care began within 365 days."""
    return inputs.view("returns_home.reentry", _build_reentry)


def _build_reentry(inputs: Inputs) -> pl.DataFrame:
    e = inputs.episodes.select(*KEY, CHILD_ID, "LS", "RNE", "DECOM", "DEC", "REC", "DOB").filter(not_short_breaks())
    went_home = (e.filter(pl.col("REC").is_in(_returned_home_codes()) & pl.col("DEC").is_not_null())
                 .with_columns(home_year=collection_year_of(pl.col("DEC")))
                 .sort("DEC").unique([CHILD_ID, "home_year"], keep="first")
                 .select(*KEY, CHILD_ID, "home_year", "DEC", "REC", "DOB"))
    starts = e.filter(pl.col("RNE") == "S").select(CHILD_ID, "DECOM")
    back = (went_home.select(CHILD_ID, "home_year", "DEC").join(starts, on=CHILD_ID, how="inner")
            .filter((pl.col("DECOM") >= pl.col("DEC")) & ((pl.col("DECOM") - pl.col("DEC")).dt.total_days() <= DAYS))
            .select(CHILD_ID, "home_year").unique().with_columns(reentered=pl.lit(True)))
    cohort = went_home.join(back, on=[CHILD_ID, "home_year"], how="left").with_columns(
        year=pl.col("home_year") + 1, reentered=pl.col("reentered").fill_null(False),
        care_plan=pl.col("REC").replace_strict(_CARE_PLAN, default=None),
        age_band=age_band(age_on(pl.col("DOB"), pl.col("DEC"))))
    # Both years' returns are needed: the return home (Y-1) and the 365 days after it (Y).
    years = inputs.returns.select("la_code", "year")
    both = years.join(years.with_columns(pl.col("year") + 1), on=["la_code", "year"], how="inner")
    return cohort.join(both, on=["la_code", "year"], how="semi")


_REENTRY = dict(
    definition="Of the children who left care to go home during the previous year, those who came back into care "
               "with the same local authority within 12 months (365 days) of going home.",
    numerator="Children in the denominator with an episode RNE S (not short breaks) starting within 365 days of "
              "the return home",
    breakdowns=("care_plan", "age_band"), first_year=2016, **_COMMON,
)


@indicator(id="cla_returned_home_reentered_12m", name="Children who came back into care within 12 months of going home",
           denominator="", unit="count", polarity="neutral", **_REENTRY)
def cla_returned_home_reentered_12m(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_reentry(inputs), {"care_plan": "care_plan", "age_band": "age_band"},
                           pl.col("reentered").sum())


@indicator(id="cla_returned_home_reentered_12m_pct",
           name="Children who came back into care within 12 months of going home (%)",
           denominator="Children who ceased to be looked after with REC E4A/E4B (E4) in the previous year (each "
                       "child once, by their first return home that year)",
           unit="percent", polarity="lower is better", **_REENTRY)
def cla_returned_home_reentered_12m_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_reentry(inputs), {"care_plan": "care_plan", "age_band": "age_band"},
                           pl.col("reentered").sum(), pl.len())
