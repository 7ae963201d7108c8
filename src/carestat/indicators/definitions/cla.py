"""Children looked after: how many on 31 March, how many started and left care during the year."""

from __future__ import annotations

import polars as pl

from carestat.indicators.inputs import CHILD_ID, Inputs, attach
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import (
    ceased_in_year,
    looked_after_at_31_march,
    sex_label,
    started_in_year,
)

_CLA_BREAKDOWNS = ("age_band", "sex", "ethnic_group", "legal_status", "category_of_need", "placement",
                   "placement_provider", "uasc")
_ETHNIC_GROUPS = {"W": "White", "M": "Mixed or multiple ethnic groups", "A": "Asian or Asian British",
                  "B": "Black, African, Caribbean or Black British", "C": "Other ethnic group",
                  "O": "Other ethnic group", "R": "Refused or not obtained", "N": "Refused or not obtained"}


def _ethnic_group(code: pl.Expr) -> pl.Expr:
    return code.str.slice(0, 1).replace_strict(_ETHNIC_GROUPS, default="Not known")


def _cla_with_characteristics(inputs: Inputs) -> pl.DataFrame:
    """Children looked after on 31 March with the breakdowns of ``cla_31mar``."""
    return inputs.view("cla_with_characteristics", _build_cla_with_characteristics)


def _build_cla_with_characteristics(inputs: Inputs) -> pl.DataFrame:
    cla = looked_after_at_31_march(inputs)
    person = inputs.dob.select(CHILD_ID, "SEX", "ETHNIC")
    uasc = (inputs.keyed("UASC").select(CHILD_ID, "collection_year", "DUC")
            .rename({"collection_year": "year"}).with_columns(pl.col("year").cast(pl.Int64), _uasc_record=pl.lit(True)))
    out = attach(cla.drop("SEX", "ETHNIC", strict=False), person, on=CHILD_ID)
    out = attach(out, uasc, on=[CHILD_ID, "year"])
    return out.with_columns(
        sex=sex_label(pl.col("SEX")), ethnic_group=_ethnic_group(pl.col("ETHNIC")),
        legal_status=pl.col("LS"), category_of_need=pl.col("CIN"), placement_provider=pl.col("PLACE_PROVIDER"),
        # Still UASC on 31 March: a UASC record whose status had not ceased by then.
        uasc=pl.when(pl.col("_uasc_record").fill_null(False)
                     & (pl.col("DUC").is_null() | (pl.col("DUC") > pl.date(pl.col("year"), 3, 31))))
        .then(pl.lit("UASC")).otherwise(pl.lit("Not UASC")),
    )


@indicator(id="cla_31mar", name="Children looked after at 31 March",
           definition="Children in the care of the local authority on 31 March, not counting children "
                      "looked after only under an agreed series of short breaks.",
           numerator="Children with an episode of care open on 31 March (legal status not V3/V4)",
           denominator="", unit="count", polarity="neutral", breakdowns=_CLA_BREAKDOWNS,
           published_id="cla_count_31mar")
def cla_31mar(inputs: Inputs) -> pl.DataFrame:
    cla = _cla_with_characteristics(inputs)
    return with_breakdowns(cla, {b: b for b in _CLA_BREAKDOWNS}, pl.len())


@indicator(id="cla_31mar_rate", name="Children looked after at 31 March per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many were in care "
                      "on 31 March.",
           numerator="Children looked after on 31 March", denominator="Children aged 0 to 17 (ONS mid-year estimate)",
           unit="rate_per_10k", polarity="neutral", published_id="cla_rate_per_10k")
def cla_31mar_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(looked_after_at_31_march(inputs), {}, pl.len())


@indicator(id="cla_starts", name="Children who started to be looked after",
           definition="Children who came into care during the year (counted once however many times).",
           numerator="Children with an episode starting a period of care (RNE S) in the year", denominator="",
           unit="count", polarity="neutral", breakdowns=("age_band",), published_id="cla_starts_count")
def cla_starts(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(started_in_year(inputs), {"age_band": "age_band"}, pl.len())


@indicator(id="cla_ceased", name="Children who ceased to be looked after",
           definition="Children who left care during the year (counted once however many times).",
           numerator="Children with an episode ending care (reason not X1) in the year", denominator="",
           unit="count", polarity="neutral", breakdowns=("reason", "age_band"), published_id="cla_ceased_count")
def cla_ceased(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(ceased_in_year(inputs), {"reason": "reason", "age_band": "age_band"}, pl.len())
