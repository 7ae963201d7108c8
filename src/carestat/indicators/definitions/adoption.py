"""Adoption and special guardianship: how many children left care through each, and how long the
adoption journey took (the adoption scorecard's A1, A2 and A10, and the stages in single years).

A child adopted in a year is one whose care ended in the year with REC E11 or E12 (the same
leaving of care as ``cla_ceased``: each child's last in the year, short breaks left out). The
dates of the journey come from the period of care that ended in adoption:
- entering care: the start of that period (its first episode, RNE S). When the period began
  before the earliest return loaded, the date is not known and the child is left out of A1 and
  A10 (the more years loaded, the fewer left out);
- moving in with the adoptive family: the first episode of the period placed for adoption
  (PLACE A3-A6);
- for A10, children placed with their own foster carers (A3 or A5) count from the day they moved
  in with those carers: the start of the run of episodes with the same carer (RNE L, T or U
  continue it; S, P or B start a new one) that holds the adoptive placement;
- court authority to place (A2): the day the placement order was granted (the first episode of
  the period with legal status E1). Where no placement order is recorded (placed with parents'
  consent, or E1 missing) the decision that the child should be placed for adoption is used:
  PlacedAdoption DATE_PLACED from the adoption year's return (the latest on or before the match
  that had not ceased by then), else AD1 DATE_INT. The ``court_authority`` breakdown says which;
  A placement order granted before the earliest return loaded has no known date: the child is
  left out of A2 (``court_authority`` says so) rather than given the decision date instead;
- match: AD1 DATE_MATCH, from the adoption year's return.

A1, A2 and A10 are three-year averages, as the scorecard publishes them: the figure for a year
covers children adopted in it and the two years before, and is given only where the LA's returns
for all three years are loaded. Averages carry the sum of days as numerator and the number of
children as denominator, so regions and England are averages over children.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.history import periods_of_care
from carestat.indicators.inputs import CHILD_ID, Inputs, attach
from carestat.indicators.registry import indicator, with_breakdowns
from carestat.indicators.views import ceased_in_year, sex_label

ADOPTED = {"E11": "Adopted: application unopposed", "E12": "Adopted: consent dispensed with by the court"}
SGO = {"E43": "Former foster carers (legacy code)", "E44": "Other carers (legacy code)",
       "E45": "Former foster carers who are relatives or friends",
       "E46": "Former foster carers who are not relatives or friends",
       "E47": "Other carers who are relatives or friends", "E48": "Other carers who are not relatives or friends"}
ADOPTIVE_PLACEMENTS = ("A3", "A4", "A5", "A6")
WITH_FOSTER_CARER = ("A3", "A5")
NEW_CARER = ("S", "P", "B")  # RNE: the child moved to a different carer
PLACEMENT_ORDER = "Placement order (legal status E1)"
DECISION = "Decision to place for adoption (no placement order recorded)"
ORDER_NOT_DATED = "Placement order granted before the returns loaded (left out)"
_KEYS = ["la_code", "child_key"]


def ceased(inputs: Inputs) -> pl.DataFrame:
    """Children who left care in each year (``ceased_in_year``: the fields used here), with sex."""
    return inputs.view("adoption.ceased", _ceased)


def _ceased(inputs: Inputs) -> pl.DataFrame:
    # ceased_in_year holds only LA-years with a return.
    ceased = ceased_in_year(inputs).select(*_KEYS, CHILD_ID, "_ep", "year", "DECOM", "REC", "age_band")
    return (attach(ceased, inputs.dob.select(CHILD_ID, "SEX"), on=CHILD_ID)
            .with_columns(sex=sex_label(pl.col("SEX")), route=pl.col("REC").replace_strict(ADOPTED, default=None),
                          sgo_order=pl.col("REC").replace_strict(SGO, default=None)))


def _days(later: str | pl.Expr, earlier: str | pl.Expr) -> pl.Expr:
    later = pl.col(later) if isinstance(later, str) else later
    earlier = pl.col(earlier) if isinstance(earlier, str) else earlier
    return (later - earlier).dt.total_days()


def adoptions(inputs: Inputs) -> pl.DataFrame:
    """One row per child adopted in each year with the journey's dates and the days between them:
    ``a1_days`` (entry to adoptive placement), ``a10_days`` (entry to moving in with the family
    who adopted), ``a2_days`` (court authority to match), ``decision_to_match_days``."""
    return inputs.view("adoptions", _adoptions)


def _adoptions(inputs: Inputs) -> pl.DataFrame:
    # ``period`` is unique across children, so it alone identifies a child's period of care.
    # Episodes are in order within each child; a run with one carer starts with the period or a move (RNE S, P, B).
    per = periods_of_care(inputs)
    new_carer = (pl.col("episode_no") == 0) | pl.col("RNE").is_in(NEW_CARER).fill_null(False)
    per = per.select("_ep", "period", "period_start", "start_known", "episode_no", "DECOM", "PLACE", "LS",
                     carer_start=pl.when(new_carer).then("DECOM").forward_fill())
    adopted = (ceased(inputs).filter(pl.col("REC").is_in(list(ADOPTED))).select(*_KEYS, CHILD_ID, "year", "DECOM", "route", "_ep")
               .join(per.select("_ep", "period", "period_start", "start_known"), on="_ep").drop("_ep"))
    placed = (per.filter(pl.col("PLACE").is_in(ADOPTIVE_PLACEMENTS)).unique("period", keep="first", maintain_order=True)
              .select("period", placed_date="DECOM", adoptive_place="PLACE", carer_start="carer_start"))
    order = (per.filter(pl.col("LS") == "E1").unique("period", keep="first", maintain_order=True)
             .select("period", e1_date="DECOM", e1_episode_no="episode_no"))
    ad1 = (inputs.keyed("AD1").rename({"collection_year": "year"}).with_columns(pl.col("year").cast(pl.Int64))
           .sort("DATE_MATCH", descending=True, nulls_last=True).unique([CHILD_ID, "year"], keep="first")
           .select(CHILD_ID, "year", "DATE_INT", "DATE_MATCH"))
    out = (adopted.join(placed, on="period", how="left").join(order, on="period", how="left")
           .join(ad1, on=[CHILD_ID, "year"], how="left"))
    decided = (inputs.keyed("PlacedAdoption").rename({"collection_year": "year"})
               .with_columns(pl.col("year").cast(pl.Int64))
               .join(out.select(CHILD_ID, "year", "DATE_MATCH"), on=[CHILD_ID, "year"])
               .filter(pl.col("DATE_MATCH").is_null() | ((pl.col("DATE_PLACED") <= pl.col("DATE_MATCH"))
                       & (pl.col("DATE_PLACED_CEASED").is_null() | (pl.col("DATE_PLACED_CEASED") > pl.col("DATE_MATCH")))))
               .group_by(CHILD_ID, "year").agg(decision_date=pl.col("DATE_PLACED").max()))
    out = out.join(decided, on=[CHILD_ID, "year"], how="left")
    # A placement order is dated only if its episode is not the period's first, or the period began in the data;
    # one granted before the returns loaded leaves the child out of A2 rather than falling back to the decision.
    has_e1 = pl.col("e1_date").is_not_null()
    e1_known = has_e1 & ((pl.col("e1_episode_no") > 0) | pl.col("start_known"))
    foster_carers = pl.col("adoptive_place").is_in(WITH_FOSTER_CARER).fill_null(False)
    moved_in = pl.when(foster_carers).then(pl.col("carer_start")).otherwise(pl.col("placed_date"))
    entry = pl.when(pl.col("start_known")).then(pl.col("period_start"))
    return out.with_columns(
        a1_days=_days("placed_date", entry),
        a10_days=_days(moved_in, entry),
        authority_date=pl.when(e1_known).then(pl.col("e1_date"))
        .when(~has_e1).then(pl.coalesce("decision_date", "DATE_INT")),
        court_authority=pl.when(e1_known).then(pl.lit(PLACEMENT_ORDER)).when(~has_e1).then(pl.lit(DECISION))
        .otherwise(pl.lit(ORDER_NOT_DATED)),
        entry_known=pl.col("start_known"),
        foster_carer_adoption=pl.when(foster_carers).then(pl.lit("Placed with their foster carers"))
        .otherwise(pl.lit("Placed with new carers")),
        decision_to_match_days=_days("DATE_MATCH", "DATE_INT"),
    ).with_columns(a2_days=_days("DATE_MATCH", "authority_date"))


def full_three_years(inputs: Inputs) -> pl.DataFrame:
    """la_code, year: the LA's returns for the year and the two before it are all loaded."""
    present = inputs.returns.select("la_code", "year")
    for back in (1, 2):
        present = present.join(inputs.returns.select("la_code", "year").with_columns(pl.col("year") + back), on=["la_code", "year"],
                               how="semi")
    return present


def average_days(frame: pl.DataFrame, column: str, by: dict[str, str]) -> pl.DataFrame:
    """Mean of ``column`` over the children who have it: sum of days over number of children."""
    have = frame.filter(pl.col(column).is_not_null())
    return with_breakdowns(have, by, pl.col(column).sum(), pl.len())


def three_year_window(inputs: Inputs) -> pl.DataFrame:
    """``adoptions`` with each child counted in the figure for its adoption year and the two years
    after (``year`` is the figure's year), for LA-years whose three returns are all loaded."""
    return inputs.view("adoption.three_year_window", _three_year_window)


def _three_year_window(inputs: Inputs) -> pl.DataFrame:
    journeys = adoptions(inputs)
    window = pl.concat([journeys.filter(pl.col("year").is_between(year - 2, year)).with_columns(
        year=pl.lit(year, dtype=pl.Int64)) for year in inputs.years])
    return window.join(full_three_years(inputs), on=["la_code", "year"], how="semi")


def three_year_average(inputs: Inputs, column: str, by: dict[str, str]) -> pl.DataFrame:
    """``column`` averaged over the children adopted in each year and the two years before."""
    return average_days(three_year_window(inputs), column, by)


_ADOPTED_NUM = "Children whose care ended in the year by adoption (REC E11 or E12)"
_SGO_NUM = "Children whose care ended in the year by a special guardianship order (REC E43-E48)"
_CEASED = "Children who ceased to be looked after in the year (each child's last leaving of care, not short breaks)"
_THREE_YEAR = ("Children adopted in the year or the two years before (three-year average; shown only where the "
               "LA's returns for all three years are loaded)")


@indicator(id="cla_adopted_count", name="Children looked after who were adopted",
           definition="Children who left care during the year because they were adopted.",
           numerator=_ADOPTED_NUM, denominator="", unit="count", polarity="neutral",
           breakdowns=("route", "age_band", "sex"), published_id="cla_adopted_count", topic="Adoption")
def cla_adopted_count(inputs: Inputs) -> pl.DataFrame:
    adopted = ceased(inputs).filter(pl.col("REC").is_in(list(ADOPTED)))
    return with_breakdowns(adopted, {"route": "route", "age_band": "age_band", "sex": "sex"}, pl.len())


@indicator(id="cla_ceased_adopted_pct", name="Children leaving care who were adopted (%)",
           definition="Of the children who left care during the year, the percentage who were adopted.",
           numerator=_ADOPTED_NUM, denominator=_CEASED, unit="percent", polarity="higher is better",
           breakdowns=("age_band", "sex"), published_id="cla_ceased_adopted_pct", topic="Adoption")
def cla_ceased_adopted_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(ceased(inputs), {"age_band": "age_band", "sex": "sex"},
                           pl.col("REC").is_in(list(ADOPTED)).sum(), pl.len())


@indicator(id="cla_ceased_sgo_count", name="Children looked after who left care through a special guardianship order",
           definition="Children who left care during the year because a special guardianship order was made, "
                      "by who the special guardians are.",
           numerator=_SGO_NUM, denominator="", unit="count", polarity="neutral",
           breakdowns=("sgo_order", "age_band", "sex"), published_id="cla_ceased_sgo_count", topic="Adoption")
def cla_ceased_sgo_count(inputs: Inputs) -> pl.DataFrame:
    sgo = ceased(inputs).filter(pl.col("REC").is_in(list(SGO)))
    return with_breakdowns(sgo, {"sgo_order": "sgo_order", "age_band": "age_band", "sex": "sex"}, pl.len())


@indicator(id="cla_ceased_sgo_pct", name="Children leaving care through a special guardianship order (%)",
           definition="Of the children who left care during the year, the percentage who left because a special "
                      "guardianship order was made.",
           numerator=_SGO_NUM, denominator=_CEASED, unit="percent", polarity="neutral",
           breakdowns=("age_band", "sex"), published_id="cla_ceased_sgo_pct", topic="Adoption")
def cla_ceased_sgo_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(ceased(inputs), {"age_band": "age_band", "sex": "sex"},
                           pl.col("REC").is_in(list(SGO)).sum(), pl.len())


@indicator(id="adoption_a1_days", name="A1: average days from entering care to moving in with the adoptive family",
           definition="For children adopted in the last three years, the average number of days between coming "
                      "into care and moving in with the family who adopted them (adoption scorecard measure A1).",
           numerator="Sum over the children of the days from the start of the period of care that ended in "
                     "adoption to the start of its first placement for adoption (PLACE A3-A6)",
           denominator=_THREE_YEAR + ", whose entry into care is in the returns loaded", unit="days",
           polarity="lower is better", breakdowns=("foster_carer_adoption",), topic="Adoption")
def adoption_a1_days(inputs: Inputs) -> pl.DataFrame:
    return three_year_average(inputs, "a1_days", {"foster_carer_adoption": "foster_carer_adoption"})


@indicator(id="adoption_a1_entry_known_pct",
           name="Children adopted in the last three years whose entry into care is in the returns loaded (%)",
           definition="How complete A1 and A10 are: of the children adopted in the last three years, the percentage "
                      "whose period of care began within the returns loaded, so that the time from entering care "
                      "can be measured. Below 100, A1 and A10 leave out the children longest in care and understate "
                      "the average; loading earlier years' returns raises it.",
           numerator="Children adopted in the three years whose period of care starts with an episode in the "
                     "returns loaded (RNE S)", denominator=_THREE_YEAR, unit="percent",
           polarity="higher is better", topic="Adoption")
def adoption_a1_entry_known_pct(inputs: Inputs) -> pl.DataFrame:
    return with_breakdowns(three_year_window(inputs), {}, pl.col("entry_known").sum(), pl.len())


@indicator(id="adoption_a10_days",
           name="A10: average days from entering care to moving in with the adoptive family, adjusted for foster "
                "carer adoptions",
           definition="As A1, but for children adopted by their foster carers the time is counted to the day they "
                      "first moved in with those carers rather than the day the placement became an adoptive one "
                      "(adoption scorecard measure A10, three-year average).",
           numerator="Sum over the children of the days from entering care to the start of the adoptive placement, "
                     "or, for placements with the child's foster carers (A3, A5), to the start of the placement "
                     "with those carers",
           denominator=_THREE_YEAR + ", whose entry into care is in the returns loaded", unit="days",
           polarity="lower is better", breakdowns=("foster_carer_adoption",), topic="Adoption")
def adoption_a10_days(inputs: Inputs) -> pl.DataFrame:
    return three_year_average(inputs, "a10_days", {"foster_carer_adoption": "foster_carer_adoption"})


@indicator(id="adoption_a2_days",
           name="A2: average days from court authority to place to the decision on a match",
           definition="For children adopted in the last three years, the average number of days between the local "
                      "authority receiving court authority to place the child for adoption (the placement order) "
                      "and deciding on a match with an adoptive family (adoption scorecard measure A2).",
           numerator="Sum over the children of the days from the placement order (start of legal status E1; "
                     "where none is recorded, the decision to place for adoption) to AD1 DATE_MATCH",
           denominator=_THREE_YEAR + ", with a match date", unit="days", polarity="lower is better",
           breakdowns=("court_authority",), topic="Adoption")
def adoption_a2_days(inputs: Inputs) -> pl.DataFrame:
    return three_year_average(inputs, "a2_days", {"court_authority": "court_authority"})


@indicator(id="adoption_order_to_match_days",
           name="Average days from placement order to match (children adopted in the year)",
           definition="For children adopted during the year, the average number of days between the court "
                      "authority to place them for adoption and the decision on a match with their adopters.",
           numerator="Sum over the children of the days from the placement order (start of legal status E1; "
                     "where none is recorded, the decision to place for adoption) to AD1 DATE_MATCH",
           denominator="Children adopted in the year with a match date", unit="days", polarity="lower is better",
           breakdowns=("court_authority",), topic="Adoption")
def adoption_order_to_match_days(inputs: Inputs) -> pl.DataFrame:
    return average_days(adoptions(inputs), "a2_days", {"court_authority": "court_authority"})


@indicator(id="adoption_decision_to_match_days",
           name="Average days from the decision to place for adoption to match (children adopted in the year)",
           definition="For children adopted during the year, the average number of days between the decision "
                      "that they should be placed for adoption and the decision on a match with their adopters.",
           numerator="Sum over the children of the days from AD1 DATE_INT to AD1 DATE_MATCH",
           denominator="Children adopted in the year with both dates in their AD1 record", unit="days",
           polarity="lower is better", topic="Adoption")
def adoption_decision_to_match_days(inputs: Inputs) -> pl.DataFrame:
    return average_days(adoptions(inputs), "decision_to_match_days", {})
