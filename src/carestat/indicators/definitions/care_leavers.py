"""Care leavers (OC3): young people aged 17 to 21 who were looked after for at least 13 weeks after
their 14th birthday, including some time after their 16th, recorded around their birthday in the
year: whether the LA is in touch, their main activity and their accommodation.

The cohort is the OC3 rows of each year's return (the LA reports on each young person whose 17th
to 21st birthday falls in the year; 17- and 18-year-olds only if they had left care by the
birthday). Age is the one reached at that birthday (the age on 31 March). The DfE publishes two
bands, 17 to 18 and 19 to 21, so every indicator here comes once for each band.

Codes (SSDA903 guidance):
- activity (ACTIV): F1-F5 full time and P1-P5 part time in education, training or employment
  (F1/P1 higher education, F2/P2 other education, F3/P3 training or employment to 2020/21, then
  F4/P4 apprenticeship and F5/P5 other training or employment) are EET; G4-G6 are NEET; 0 (not in
  touch, died, or returned home for 6 months or more) or blank is "not known". The DfE's EET,
  NEET and not known add up to the whole cohort, so all three use it as the denominator.
- accommodation (ACCOM): a letter for the type and a digit for suitability, 1 suitable and 2 not
  suitable; 0 or blank is not known. Suitable accommodation is counted over the whole cohort.
- in touch (IN_TOUCH): YES in touch; NO not in touch and REFU refuses contact are "not in touch";
  NREQ (no longer needs services), RHOM (returned home) and DIED are neither.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from carestat.indicators.inputs import CHILD_ID, Inputs
from carestat.indicators.registry import distribution, indicator, with_breakdowns
from carestat.indicators.views import age_on_31_march, sex_label

BANDS = {"17_18": (17, 18, "17 to 18"), "19_21": (19, 21, "19 to 21")}
EET = ("F1", "F2", "F3", "F4", "F5", "P1", "P2", "P3", "P4", "P5")
HIGHER_EDUCATION = ("F1", "P1")
NEET = ("G4", "G5", "G6")
NOT_IN_TOUCH = ("NO", "REFU")

ACTIVITY_LABELS = {
    "F1": "Higher education", "P1": "Higher education",
    "F2": "Education other than higher education", "P2": "Education other than higher education",
    "F3": "Training or employment", "P3": "Training or employment",
    "F4": "Apprenticeship", "P4": "Apprenticeship",
    "F5": "Training or employment", "P5": "Training or employment",
    "G4": "NEET: illness or disability", "G6": "NEET: pregnancy or parenting", "G5": "NEET: other reasons",
}
ACCOMMODATION_LABELS = {
    "B": "With parents or relatives", "C": "Community home or other residential care",
    "D": "Semi-independent, transitional accommodation", "E": "Supported lodgings", "G": "Gone abroad",
    "H": "Deported", "K": "Ordinary lodgings, without formal support", "R": "Residence not known",
    "S": "No fixed abode or homeless", "T": "Foyer or similar supported accommodation",
    "U": "Independent living", "V": "Emergency accommodation", "W": "Bed and breakfast", "X": "In custody",
    "Y": "Other accommodation", "Z": "With former foster carers",
}
CONTACT_LABELS = {"YES": "In touch", "NO": "Not in touch", "REFU": "Refuses contact",
                  "NREQ": "No longer requires services", "RHOM": "Returned home", "DIED": "Died"}
NOT_KNOWN = "Not known"
_BREAKDOWNS = ("age", "sex")
_COHORT = ("Young people whose {b}th birthday fell in the year and who were looked after for at least 13 "
           "weeks after their 14th birthday, including some time after their 16th (OC3 rows)")


def care_leavers(inputs: Inputs) -> pl.DataFrame:
    """One row per OC3 record aged 17 to 21, with ``age``, ``band`` (17_18 or 19_21), ``sex`` and
    the grouped activity, accommodation and contact."""
    return inputs.view("care_leavers", _care_leavers)


def _care_leavers(inputs: Inputs) -> pl.DataFrame:
    oc3 = (inputs.keyed("OC3").rename({"collection_year": "year", "DOB": "OC3_DOB"})
           .with_columns(pl.col("year").cast(pl.Int64))
           .unique([CHILD_ID, "year"], keep="first")
           .join(inputs.dob.select(CHILD_ID, "DOB", "SEX"), on=CHILD_ID, how="left"))
    # The cleaned codes are used many times: columns, cleaned once.
    fields = ("ACTIV", "ACCOM", "IN_TOUCH")
    oc3 = oc3.with_columns(pl.col(c).str.strip_chars().str.to_uppercase().alias(f"_{c}") for c in fields)
    code = {c: pl.col(f"_{c}") for c in fields}
    out = oc3.with_columns(
        age=age_on_31_march(pl.coalesce("OC3_DOB", "DOB"), pl.col("year")),
        sex=sex_label(pl.col("SEX")),
        activity=code["ACTIV"].replace_strict(ACTIVITY_LABELS, default=NOT_KNOWN),
        eet=code["ACTIV"].is_in(EET).fill_null(False),
        higher_education=code["ACTIV"].is_in(HIGHER_EDUCATION).fill_null(False),
        neet=code["ACTIV"].is_in(NEET).fill_null(False),
        accommodation=code["ACCOM"].str.slice(0, 1).replace_strict(ACCOMMODATION_LABELS, default=NOT_KNOWN),
        suitable=(code["ACCOM"].str.len_chars() == 2) & code["ACCOM"].str.ends_with("1")
        & code["ACCOM"].str.slice(0, 1).is_in(list(ACCOMMODATION_LABELS)),
        contact=code["IN_TOUCH"].replace_strict(CONTACT_LABELS, default=NOT_KNOWN),
        in_touch=(code["IN_TOUCH"] == "YES").fill_null(False),
        not_in_touch=code["IN_TOUCH"].is_in(NOT_IN_TOUCH).fill_null(False),
    ).with_columns(pl.col("suitable").fill_null(False), activity_not_known=~pl.col("eet") & ~pl.col("neet"))
    band = pl.when(pl.col("age").is_between(17, 18)).then(pl.lit("17_18")).when(
        pl.col("age").is_between(19, 21)).then(pl.lit("19_21"))
    return out.with_columns(band=band).filter(pl.col("band").is_not_null()).drop(*(f"_{c}" for c in fields))


Compute = Callable[[Inputs], pl.DataFrame]


def _band(band: str) -> Compute:
    def frame(inputs: Inputs) -> pl.DataFrame:
        return inputs.view(f"care_leavers_{band}", lambda i: care_leavers(i).filter(pl.col("band") == band))
    return frame


def _share(band: str, flag: str) -> Compute:
    def compute(inputs: Inputs) -> pl.DataFrame:
        return with_breakdowns(_band(band)(inputs), {b: b for b in _BREAKDOWNS}, pl.col(flag).sum(), pl.len())
    return compute


def _spread(band: str, column: str) -> Compute:
    def compute(inputs: Inputs) -> pl.DataFrame:
        return distribution(_band(band)(inputs), column, column)
    return compute


def _count(band: str) -> Compute:
    def compute(inputs: Inputs) -> pl.DataFrame:
        return with_breakdowns(_band(band)(inputs), {b: b for b in _BREAKDOWNS}, pl.len())
    return compute


def _declare(band: str) -> None:
    """Every care-leaver indicator for one age band (ids ``care_leavers_<band>_...``)."""
    low, high, label = BANDS[band]
    cohort = _COHORT.format(b=f"{low}th to {high}")
    who = f"care leavers aged {label}"
    first_year = 2016 if band == "17_18" else 2015  # 17- and 18-year-olds were first reported on in 2015/16
    published = {"count", "eet_pct", "neet_pct", "higher_education_pct", "activity_not_known_pct",
                 "suitable_accommodation_pct"} | ({"not_in_touch_pct"} if band == "19_21" else set())

    def declare(short: str, name: str, definition: str, numerator: str, compute: Compute, unit: str = "percent",
                polarity: str = "neutral", breakdowns: tuple[str, ...] = _BREAKDOWNS) -> None:
        ident = f"care_leavers_{band}_{short}"
        indicator(id=ident, name=f"Care leavers aged {label}: {name}", definition=definition,
                  numerator=numerator, denominator="" if unit == "count" else cohort, unit=unit,
                  polarity=polarity, breakdowns=breakdowns, topic="Care leavers", first_year=first_year,
                  published_id=ident if short in published else None)(compute)

    declare("count", "number", f"The number of {who} the LA reported on around their birthday in the year: "
            "young people who had been in care for at least 13 weeks after turning 14, including some time "
            "after turning 16.", cohort, _count(band), unit="count")
    declare("in_touch_pct", "LA in touch (%)", f"The percentage of {who} that the local authority was in touch "
            "with around their birthday.", "Young people with IN_TOUCH YES", _share(band, "in_touch"),
            polarity="higher is better")
    declare("not_in_touch_pct", "LA not in touch (%)", f"The percentage of {who} that the local authority was not "
            "in touch with around their birthday, including those who refused contact.",
            "Young people with IN_TOUCH NO (not in touch) or REFU (refuses contact)", _share(band, "not_in_touch"),
            polarity="lower is better")
    declare("contact_pct", "contact with the LA (%)", f"{who.capitalize()} by whether the local authority was in "
            "touch with them: in touch, not in touch, refuses contact, no longer needs services, returned home, "
            "died.", "Young people in each IN_TOUCH group", _spread(band, "contact"), breakdowns=("contact",))
    declare("eet_pct", "in education, employment or training (%)", f"The percentage of {who} who were in "
            "education, employment or training (full or part time) around their birthday.",
            "Young people with ACTIV F1-F5 or P1-P5", _share(band, "eet"), polarity="higher is better")
    declare("neet_pct", "not in education, employment or training (%)", f"The percentage of {who} who were not "
            "in education, employment or training around their birthday, because of illness or disability, "
            "pregnancy or parenting, or other reasons.", "Young people with ACTIV G4, G5 or G6",
            _share(band, "neet"), polarity="lower is better")
    declare("activity_not_known_pct", "activity not known (%)", f"The percentage of {who} whose activity the "
            "local authority did not know (not in touch, died, or returned home to their parents).",
            "Young people with ACTIV 0 or blank", _share(band, "activity_not_known"), polarity="lower is better")
    declare("higher_education_pct", "in higher education (%)", f"The percentage of {who} who were studying "
            "beyond A level (full or part time) around their birthday.", "Young people with ACTIV F1 or P1",
            _share(band, "higher_education"), polarity="higher is better")
    declare("activity_pct", "main activity (%)", f"{who.capitalize()} by their main activity around their "
            "birthday.", "Young people in each activity group (ACTIV)", _spread(band, "activity"),
            breakdowns=("activity",))
    declare("suitable_accommodation_pct", "in suitable accommodation (%)", f"The percentage of {who} whose "
            "accommodation around their birthday was judged suitable.",
            "Young people whose ACCOM code ends in 1 (suitable)", _share(band, "suitable"),
            polarity="higher is better")
    declare("accommodation_pct", "type of accommodation (%)", f"{who.capitalize()} by the type of accommodation "
            "they lived in around their birthday.", "Young people in each accommodation type (ACCOM letter)",
            _spread(band, "accommodation"), breakdowns=("accommodation",))


for _b in BANDS:
    _declare(_b)
