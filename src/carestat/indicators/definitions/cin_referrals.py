"""Referrals to children's social care (CIN census), as the DfE's "Characteristics of children in
need" counts them: every referral received in the year (a child referred twice counts twice),
including referrals that led to no further action.

A re-referral is a referral within 12 months of the same child's previous referral to the same LA:
carestat reads "within 12 months" as on or after the same date a year earlier (a referral on
1 June 2024 after one on 1 June 2023 is a re-referral; 29 February looks back to 28 February).
The previous referral may sit in the previous year's census, so the figure for a year needs the
LA's census for the year before too (it starts with an LA's second loaded year). Children are
linked across censuses by their keyed LA identifier; a referral without one links to nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from carestat.indicators.cin_codes import REFERRAL_SOURCES
from carestat.indicators.cin_views import FIRST_YEAR, RECORDS, SOURCE, referrals, shares, tally
from carestat.indicators.inputs import Inputs
from carestat.indicators.registry import indicator, with_breakdowns

_COMMON = dict(source=SOURCE, first_year=FIRST_YEAR, topic="Children in need: referrals")
_PCT = dict(unit="percent", decimal_places=1, **_COMMON)
_REFERRAL = "Referrals received in the year (CINreferralDate from 1 April to 31 March), each counted"


@indicator(id="cin_referrals", name="Referrals to children's social care",
           definition="How many referrals children's social care received during the year (a request for "
                      "services for a child not already in need). A child referred twice is counted twice.",
           numerator=_REFERRAL, denominator="", unit="count", polarity="neutral", breakdowns=("referral_source",),
           published_id="referrals_count", **_COMMON)
def cin_referrals(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(referrals(inputs), {"referral_source": "source_group"}, RECORDS)


@indicator(id="cin_referrals_rate", name="Referrals per 10,000 children",
           definition="For every 10,000 children aged under 18 living in the area, how many referrals children's "
                      "social care received during the year.",
           numerator=_REFERRAL, denominator="Children aged 0 to 17 (ONS mid-year estimate)", unit="rate_per_10k",
           polarity="neutral", published_id="referrals_rate_per_10k", decimal_places=1, **_COMMON)
def cin_referrals_rate(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(referrals(inputs), {}, RECORDS)


@indicator(id="cin_rereferrals_12m_pct", name="Re-referrals within 12 months of a previous referral (%)",
           definition="Of the referrals received during the year, the percentage that came within 12 months of "
                      "a previous referral of the same child to the same local authority.",
           numerator="Referrals in the year whose child had an earlier referral on or after the same date 12 "
                     "months before (from this year's or last year's census)",
           denominator=_REFERRAL, polarity="lower is better", breakdowns=("referral_source",),
           published_id="rereferrals_12m_pct", **_PCT)
def cin_rereferrals_12m_pct(inputs: Inputs) -> pl.DataFrame:
    known = referrals(inputs).filter(pl.col("rereferral").is_not_null())
    return with_breakdowns(known, {"referral_source": "source_group"}, tally("rereferral"), RECORDS)


@indicator(id="cin_referrals_nfa_pct", name="Referrals that led to no further action (%)",
           definition="Of the referrals received during the year, the percentage that resulted in no further "
                      "action (no assessment, services or other action).",
           numerator="Referrals in the year with ReferralNFA true", denominator=_REFERRAL, polarity="neutral",
           published_id="referrals_nfa_pct", **_PCT)
def cin_referrals_nfa_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(referrals(inputs), {}, tally("nfa"), RECORDS)


@indicator(id="cin_referrals_not_in_need_pct", name="Referrals assessed as not in need (%)",
           definition="Of the referrals received during the year, the percentage where the child was assessed "
                      "and found not to be in need, so the case was closed after the assessment.",
           numerator="Referrals in the year whose episode closed after assessment: reason RC8 (no further "
                     "action) or RC9 (referred to early help, from 2022/23)", denominator=_REFERRAL, polarity="neutral",
           published_id="referrals_assessed_not_in_need_pct", **_PCT)
def cin_referrals_not_in_need_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(referrals(inputs), {}, tally("not_in_need"), RECORDS)


@indicator(id="cin_referrals_by_source_pct", name="Referrals by source (%)",
           definition="Who made the referrals received during the year: the percentage from each source (schools, "
                      "police, health services and so on).",
           numerator="Referrals in the year from the source (ReferralSource, grouped as the DfE publishes it)",
           denominator=_REFERRAL, polarity="neutral", breakdowns=("referral_source",), **_PCT)
def cin_referrals_by_source_pct(inputs: Inputs) -> pl.DataFrame:
    return shares(referrals(inputs), "referral_source", "source_group")


# LAIT publishes three sources as indicators of their own: one declaration each, same definition.
_LAIT_SOURCES = {"school": ("Schools", "lait_refbysource_schl"), "health": ("Health services", "lait_refbysource_healthserv"),
                 "police": ("Police", "lait_refbysource_police")}


def _source_share(group: str) -> Callable[[Inputs], pl.DataFrame]:
    def compute(inputs: Inputs) -> pl.DataFrame:
        return with_breakdowns(referrals(inputs), {}, tally(pl.col("source_group") == group), RECORDS)
    return compute


for _key, (_group, _published) in _LAIT_SOURCES.items():
    _codes = ", ".join(code for code, name in REFERRAL_SOURCES.items() if name == _group)
    indicator(id=f"cin_referrals_from_{_key}_pct", name=f"Referrals from {_group.lower()} (%)",
              definition=f"Of the referrals received during the year, the percentage made by {_group.lower()}.",
              numerator=f"Referrals in the year with ReferralSource {_codes} (and its sub-codes)",
              denominator=_REFERRAL, polarity="neutral", published_id=_published, **_PCT)(_source_share(_group))
