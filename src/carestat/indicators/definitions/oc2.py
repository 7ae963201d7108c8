"""Children looked after continuously for 12 months at 31 March (the OC2 cohort): health checks,
emotional and behavioural health (SDQ), offending and substance misuse.

The cohort is derived from the episodes, not taken from the OC2 rows an LA chose to send: children
in care on 31 March (not under short breaks only, legal status V3/V4) whose period of care had
begun by 1 April of the year before, so they were looked after on every day of the collection
year. The DfE's collection derives the OC2 cohort the same way and validates the LA's OC2 rows
against it. Each child's OC2 record for the year gives the outcomes; a child in the cohort with no
OC2 record stays in the denominators, counted as not recorded (not up to date, no SDQ score).

Ages are on 31 March, as in the DfE's tables: development (health surveillance) checks for
children under 5, convictions for those aged 10 or over, and the SDQ for those aged 5 to 16 with
a score (the SDQ is due for ages 4 to 16 at the latest assessment, but the DfE publishes ages 5
to 16 at 31 March).
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.history import periods_of_care
from carestat.indicators.inputs import CHILD_ID, Inputs, first_of
from carestat.indicators.registry import distribution, indicator, with_breakdowns
from carestat.indicators.views import (
    age_band,
    age_on_31_march,
    first_per_child_year,
    in_returns,
    open_on_31_march,
    sex_label,
)

_KEYS = ["la_code", "child_key"]
_BREAKDOWNS = ("age_band", "sex")
_FLAGS = ("HEALTH_ASSESSMENT", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_CHECK", "CONVICTED", "SUBSTANCE_MISUSE")
SDQ_BANDS = ((14, "Normal (0 to 13)"), (17, "Borderline (14 to 16)"))
SDQ_CONCERN = "Cause for concern (17 or more)"


def looked_after_12_months(inputs: Inputs) -> pl.DataFrame:
    """One row per child in the OC2 cohort of each year, with the OC2 fields (null when the LA
    sent no OC2 record: ``has_oc2`` False), age on 31 March, age band and sex."""
    return inputs.view("looked_after_12_months", _looked_after_12_months)


def _looked_after_12_months(inputs: Inputs) -> pl.DataFrame:
    # Episodes open on 31 March whose period of care had begun by 1 April of the year before.
    rows = open_on_31_march(inputs)
    rows = rows.with_columns(periods_of_care(inputs)["period_start"].gather(rows["_ep"]))
    rows = first_per_child_year(rows.filter(pl.col("period_start") <= pl.date(pl.col("year") - 1, 4, 1)))
    cohort = in_returns(inputs.episodes.select(*_KEYS, CHILD_ID, "DOB")[rows["_ep"]].with_columns(rows["year"]),
                        inputs)
    oc2 = (inputs.keyed("OC2").select(CHILD_ID, pl.col("collection_year").cast(pl.Int64).alias("year"),
                                      pl.col("DOB").alias("OC2_DOB"), "SDQ_SCORE", *_FLAGS, has_oc2=pl.lit(True))
           .sort(CHILD_ID, "year", maintain_order=True).filter(first_of(CHILD_ID, "year")))  # each child's first record
    out = (cohort.join(oc2, on=[CHILD_ID, "year"], how="left")
           .join(inputs.dob.select(CHILD_ID, "SEX"), on=CHILD_ID, how="left"))
    dob = pl.coalesce("DOB", "OC2_DOB")
    return out.with_columns(
        has_oc2=pl.col("has_oc2").fill_null(False),
        age=age_on_31_march(dob, pl.col("year")),
        sex=sex_label(pl.col("SEX")),
        **{f.lower(): (pl.col(f).str.strip_chars() == "1").fill_null(False) for f in _FLAGS},
    ).with_columns(age_band=age_band(pl.col("age")))


def sdq_band(score: pl.Expr) -> pl.Expr:
    expr = pl.when(score < SDQ_BANDS[0][0]).then(pl.lit(SDQ_BANDS[0][1]))
    for upper, label in SDQ_BANDS[1:]:
        expr = expr.when(score < upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(SDQ_CONCERN))


def _with_sdq(inputs: Inputs) -> pl.DataFrame:
    """Children aged 5 to 16 on 31 March who have an SDQ score (0-40) in their OC2 record."""
    return (looked_after_12_months(inputs)
            .filter(pl.col("age").is_between(5, 16) & pl.col("SDQ_SCORE").is_between(0, 40))
            .with_columns(sdq_band=sdq_band(pl.col("SDQ_SCORE"))))


_COHORT = "Children looked after continuously for 12 months or more at 31 March"


def _share(flag: str, frame: pl.DataFrame, by: tuple[str, ...] = _BREAKDOWNS) -> pl.DataFrame:
    return with_breakdowns(frame, {b: b for b in by}, pl.col(flag).sum(), pl.len())


@indicator(id="cla_12m_count", name="Children looked after continuously for 12 months at 31 March",
           definition="Children who had been in care for the whole year to 31 March (at least 12 months "
                      "without a break), not counting children looked after only under short breaks. They are "
                      "the group whose health and offending the DfE reports on.",
           numerator=_COHORT + " (derived from the episodes)", denominator="", unit="count",
           polarity="neutral", breakdowns=_BREAKDOWNS)
def cla_12m_count(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(looked_after_12_months(inputs), {b: b for b in _BREAKDOWNS}, pl.len())


@indicator(id="cla_12m_health_assessment_pct", name="Children looked after for 12 months: annual health assessment up to date (%)",
           definition="Of children in care for at least a year at 31 March, the percentage whose annual health "
                      "assessment was up to date.",
           numerator="Children in the cohort whose OC2 record has HEALTH_ASSESSMENT 1", denominator=_COHORT,
           unit="percent", polarity="higher is better", breakdowns=_BREAKDOWNS,
           published_id="cla_12m_health_assessment_pct")
def cla_12m_health_assessment_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("health_assessment", looked_after_12_months(inputs))


@indicator(id="cla_12m_immunisations_pct", name="Children looked after for 12 months: immunisations up to date (%)",
           definition="Of children in care for at least a year at 31 March, the percentage whose immunisations "
                      "were up to date.",
           numerator="Children in the cohort whose OC2 record has IMMUNISATIONS 1", denominator=_COHORT,
           unit="percent", polarity="higher is better", breakdowns=_BREAKDOWNS,
           published_id="cla_12m_immunisations_pct")
def cla_12m_immunisations_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("immunisations", looked_after_12_months(inputs))


@indicator(id="cla_12m_dental_checks_pct", name="Children looked after for 12 months: teeth checked by a dentist (%)",
           definition="Of children in care for at least a year at 31 March, the percentage who had their teeth "
                      "checked by a dentist during the year.",
           numerator="Children in the cohort whose OC2 record has TEETH_CHECK 1", denominator=_COHORT,
           unit="percent", polarity="higher is better", breakdowns=_BREAKDOWNS,
           published_id="cla_12m_dental_checks_pct")
def cla_12m_dental_checks_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("teeth_check", looked_after_12_months(inputs))


@indicator(id="cla_12m_development_assessments_pct",
           name="Children looked after for 12 months aged under 5: development checks up to date (%)",
           definition="Of children under 5 on 31 March who had been in care for at least a year, the percentage "
                      "whose health surveillance (development) checks were up to date.",
           numerator="Children in the cohort aged under 5 on 31 March whose OC2 record has HEALTH_CHECK 1",
           denominator=_COHORT + ", aged under 5 on 31 March", unit="percent", polarity="higher is better",
           breakdowns=("sex",), published_id="cla_12m_development_assessments_pct")
def cla_12m_development_assessments_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("health_check", looked_after_12_months(inputs).filter(pl.col("age") < 5), ("sex",))


@indicator(id="cla_12m_sdq_average_score", name="Average SDQ score of children looked after for 12 months",
           definition="The average Strengths and Difficulties Questionnaire score (0 to 40; higher means more "
                      "emotional and behavioural difficulties) of children aged 5 to 16 who had been in care for "
                      "at least a year at 31 March and had a score.",
           numerator="Sum of SDQ_SCORE over children in the cohort aged 5 to 16 on 31 March with a score",
           denominator=_COHORT + ", aged 5 to 16 on 31 March, with an SDQ score", unit="score",
           polarity="lower is better", breakdowns=_BREAKDOWNS, decimal_places=1,
           published_id="cla_sdq_average_score")
def cla_12m_sdq_average_score(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_with_sdq(inputs), {b: b for b in _BREAKDOWNS}, pl.col("SDQ_SCORE").sum(), pl.len())


@indicator(id="cla_12m_sdq_band_pct", name="Children looked after for 12 months by SDQ band (%)",
           definition="Children aged 5 to 16 in care for at least a year at 31 March who had an SDQ score, by "
                      "band: 0 to 13 normal, 14 to 16 borderline, 17 or more a cause for concern.",
           numerator="Children with an SDQ score in the band", denominator=_COHORT + ", aged 5 to 16, with an SDQ score",
           unit="percent", polarity="neutral", breakdowns=("sdq_band",))
def cla_12m_sdq_band_pct(inputs: Inputs) -> pl.DataFrame:
    return distribution(_with_sdq(inputs), "sdq_band", "sdq_band")


@indicator(id="cla_12m_sdq_concern_pct", name="Children looked after for 12 months: SDQ score a cause for concern (%)",
           definition="Of children aged 5 to 16 in care for at least a year at 31 March who had an SDQ score, the "
                      "percentage whose score (17 or more) is a cause for concern.",
           numerator="Children with an SDQ score of 17 or more", denominator=_COHORT + ", aged 5 to 16, with an SDQ score",
           unit="percent", polarity="lower is better", breakdowns=_BREAKDOWNS,
           published_id="cla_12m_sdq_concern_pct")
def cla_12m_sdq_concern_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_with_sdq(inputs), {b: b for b in _BREAKDOWNS}, (pl.col("SDQ_SCORE") >= 17).sum(), pl.len())


@indicator(id="cla_12m_sdq_completed_pct", name="Children looked after for 12 months aged 5 to 16 with an SDQ score (%)",
           definition="Of children aged 5 to 16 who had been in care for at least a year at 31 March, the percentage "
                      "with a Strengths and Difficulties Questionnaire score.",
           numerator="Children in the cohort aged 5 to 16 on 31 March with an SDQ score",
           denominator=_COHORT + ", aged 5 to 16 on 31 March", unit="percent", polarity="higher is better",
           breakdowns=_BREAKDOWNS)
def cla_12m_sdq_completed_pct(inputs: Inputs) -> pl.DataFrame:
    frame = looked_after_12_months(inputs).filter(pl.col("age").is_between(5, 16))
    return with_breakdowns(frame, {b: b for b in _BREAKDOWNS}, pl.col("SDQ_SCORE").is_between(0, 40).sum(), pl.len())


@indicator(id="cla_12m_convictions_pct", name="Children looked after for 12 months aged 10 or over: convicted or cautioned (%)",
           definition="Of children aged 10 or over who had been in care for at least a year at 31 March, the "
                      "percentage convicted, or given a youth caution or youth conditional caution, during the year.",
           numerator="Children in the cohort aged 10 or over on 31 March whose OC2 record has CONVICTED 1",
           denominator=_COHORT + ", aged 10 or over on 31 March", unit="percent", polarity="lower is better",
           breakdowns=_BREAKDOWNS, published_id="cla_12m_convictions_pct")
def cla_12m_convictions_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("convicted", looked_after_12_months(inputs).filter(pl.col("age") >= 10))


@indicator(id="cla_12m_substance_misuse_pct", name="Children looked after for 12 months: substance misuse problem (%)",
           definition="Of children in care for at least a year at 31 March, the percentage identified as having "
                      "a substance misuse problem during the year.",
           numerator="Children in the cohort whose OC2 record has SUBSTANCE_MISUSE 1", denominator=_COHORT,
           unit="percent", polarity="lower is better", breakdowns=_BREAKDOWNS,
           published_id="cla_12m_substance_misuse_pct")
def cla_12m_substance_misuse_pct(inputs: Inputs) -> pl.DataFrame:
    return _share("substance_misuse", looked_after_12_months(inputs))
