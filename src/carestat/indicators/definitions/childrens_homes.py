"""Children living in children's homes (PLACE K2) and secure children's homes (K1) on 31 March.

Counts by who provides the home (PLACE_PROVIDER: the LA itself, another LA, another public body,
a private company or a voluntary organisation) and by how far it is from the child's home (more
than 20 miles, outside the LA's area; see :mod:`carestat.indicators.definitions.distance`). The
share of children in secure and children's homes matches LAIT's "secure homes and children's
homes" (K1 and K2 together).
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.definitions.distance import MILES
from carestat.indicators.inputs import CHILD_ID, Inputs
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import looked_after_at_31_march

CHILDRENS_HOME, SECURE = "K2", "K1"
PROVIDERS = {"PR0": "Parents or other person with parental responsibility", "PR1": "Own local authority",
             "PR2": "Other local authority", "PR3": "Other public provision", "PR4": "Private provision",
             "PR5": "Voluntary or third sector provision"}
_BREAKDOWNS = ("provider", "distance", "location")


def _cla(inputs: Inputs) -> pl.DataFrame:
    return inputs.view(f"{__name__}._cla", _build)


def _build(inputs: Inputs) -> pl.DataFrame:
    cla = looked_after_at_31_march(inputs).select("la_code", CHILD_ID, "year", "age_band", "PLACE", "PLACE_PROVIDER",
                                                  "PL_DISTANCE", "PL_LOCATION")
    return cla.with_columns(
        provider=pl.col("PLACE_PROVIDER").replace_strict(PROVIDERS, default="Not known"),
        distance=pl.when(pl.col("PL_DISTANCE").is_null()).then(pl.lit("Not known"))
        .when(pl.col("PL_DISTANCE") > MILES).then(pl.lit("More than 20 miles"))
        .otherwise(pl.lit("20 miles or less")),
        location=pl.col("PL_LOCATION").replace_strict({"IN": "Inside the LA", "OUT": "Outside the LA"},
                                                      default="Not known"),
        _far=(pl.col("PL_DISTANCE") > MILES).fill_null(False),
        _outside=(pl.col("PL_LOCATION") == "OUT").fill_null(False),
    )


def _in(inputs: Inputs, place: str) -> pl.DataFrame:
    return _cla(inputs).filter(pl.col("PLACE") == place)


def _count(inputs: Inputs, place: str) -> pl.DataFrame:
    """Children in one type of home: the total from every child looked after (so an LA with none
    shows 0), the breakdowns from the children in such homes."""
    total = with_breakdowns(_cla(inputs), {}, (pl.col("PLACE") == place).fill_null(False).sum())
    by = with_breakdowns(_in(inputs, place), {b: b for b in _BREAKDOWNS}, pl.len())
    return pl.concat([total, by.filter(pl.col("breakdown") != "Total")])


_COMMON = dict(topic="Children's homes")


@indicator(id="cla_childrens_homes", name="Children looked after living in children's homes",
           definition="Children in care on 31 March living in a children's home (registered under the Children's "
                      "Homes Regulations, not a secure children's home), by who runs the home and how far it is "
                      "from the child's home.",
           numerator="Children looked after on 31 March (not short breaks only) with PLACE K2", denominator="",
           unit="count", polarity="neutral", breakdowns=_BREAKDOWNS, **_COMMON)
def cla_childrens_homes(inputs: Inputs) -> pl.DataFrame:
    return _count(inputs, CHILDRENS_HOME)


@indicator(id="cla_secure_childrens_homes", name="Children looked after living in secure children's homes",
           definition="Children in care on 31 March living in a secure children's home, by who runs the home and "
                      "how far it is from the child's home.",
           numerator="Children looked after on 31 March (not short breaks only) with PLACE K1", denominator="",
           unit="count", polarity="neutral", breakdowns=_BREAKDOWNS, **_COMMON)
def cla_secure_childrens_homes(inputs: Inputs) -> pl.DataFrame:
    return _count(inputs, SECURE)


@indicator(id="cla_secure_and_childrens_homes_pct",
           name="Children looked after in secure children's homes and children's homes (%)",
           definition="Of children in care on 31 March, the percentage living in a children's home or a secure "
                      "children's home.",
           numerator="Children looked after on 31 March with PLACE K1 or K2",
           denominator="Children looked after on 31 March (not short breaks only)", unit="percent",
           polarity="neutral", breakdowns=("age_band",), first_year=2015,
           published_id="cla_placement_secure_and_childrens_homes_pct", **_COMMON)
def cla_secure_and_childrens_homes_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(_cla(inputs), {"age_band": "age_band"},
                           pl.col("PLACE").is_in((SECURE, CHILDRENS_HOME)).fill_null(False).sum(), pl.len())


@indicator(id="cla_childrens_homes_20miles_pct",
           name="Children in children's homes placed more than 20 miles from home (%)",
           definition="Of children in care on 31 March living in a children's home, the percentage whose home is "
                      "more than 20 miles (in a straight line) from the home they came from. Children whose home "
                      "or placement postcode is not known are left out.",
           numerator="Children looked after on 31 March with PLACE K2 and PL_DISTANCE over 20 miles",
           denominator="Children looked after on 31 March with PLACE K2 and a known distance", unit="percent",
           polarity="lower is better", breakdowns=("provider",), **_COMMON)
def cla_childrens_homes_20miles_pct(inputs: Inputs) -> pl.DataFrame:
    homes = _in(inputs, CHILDRENS_HOME).filter(pl.col("PL_DISTANCE").is_not_null())
    return with_breakdowns(homes, {"provider": "provider"}, pl.col("_far").sum(), pl.len())


@indicator(id="cla_childrens_homes_outside_la_pct",
           name="Children in children's homes placed outside the local authority (%)",
           definition="Of children in care on 31 March living in a children's home, the percentage whose home is "
                      "outside the area of the local authority looking after them. Children whose placement "
                      "postcode is not known are left out.",
           numerator="Children looked after on 31 March with PLACE K2 and PL_LOCATION OUT",
           denominator="Children looked after on 31 March with PLACE K2 and a known placement LA", unit="percent",
           polarity="lower is better", breakdowns=("provider",), **_COMMON)
def cla_childrens_homes_outside_la_pct(inputs: Inputs) -> pl.DataFrame:
    homes = _in(inputs, CHILDRENS_HOME).filter(pl.col("PL_LOCATION").is_not_null())
    return with_breakdowns(homes, {"provider": "provider"}, pl.col("_outside").sum(), pl.len())
