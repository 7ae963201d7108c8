"""What each scorecard holds, declared once as data (docs and outputs are derived from it).

A measure names the indicators that can answer its question, best first: the published id (which
carestat's own figures also take, via ``values.computed(as_published=True)``), then carestat-only or
older published ids. For each LA the first one with a figure is used.

To add a measure: append a ``ScorecardMeasure`` to a scorecard's ``measures`` with a plain-English
question and explanation (what it counts, and why it matters to a child), and run
``uv run pytest tests/analysis`` (every LA's scorecard is rendered there).
"""

from __future__ import annotations

from dataclasses import dataclass

# DfE adoption scorecard thresholds (days) for three-year periods ending 2016 and later: 14 months
# for A1 and 4 months for A2, announced January 2014 for 2013-16 and not lowered since. A10 has no
# threshold of its own: it is A1 adjusted for foster carer adoptions, read against A1's.
A1_THRESHOLD_DAYS = 426.0
A2_THRESHOLD_DAYS = 121.0
A10_THRESHOLD_DAYS = 426.0
THRESHOLDS_FROM_YEAR = 2016


@dataclass(frozen=True)
class ScorecardMeasure:
    key: str
    indicator_ids: tuple[str, ...]
    question: str
    explanation: str
    threshold: float | None = None  # the DfE's expectation (adoption scorecard only)
    suppress_small: bool = False  # DfE adoption scorecard rule: numerator <= 5 or denominator <= 10


@dataclass(frozen=True)
class ScorecardSpec:
    key: str
    title: str
    introduction: str
    measures: tuple[ScorecardMeasure, ...]


_ALL_CHILDREN = ("Most published figures cover every child in the council's care, wherever they live; "
                 "a measure about one kind of placement says so.")

PLACEMENT_MOVES = ScorecardMeasure(
    "three_plus_placements", ("cla_3plus_placements_pct",),
    "How many children in care had to move home three or more times in the year?",
    "Each move means a new home, new carers and often a new school. Fewer moves usually means more "
    "stable care. Children in care on 31 March who had three or more placements during the year.")
LONG_TERM_STABILITY = ScorecardMeasure(
    "long_term_stability", ("cla_long_term_stability_pct",),
    "How many children who have been in care a long time have had the same home for at least two years?",
    "Children under 16 in care for two and a half years or more who have lived in the same placement for "
    "at least two years (or were placed for adoption). Staying put lets children settle.")
HEALTH_CHECKS = ScorecardMeasure(
    "health_checks", ("cla_12m_health_assessment_pct", "cla_health_assessment_pct"),
    "Did children in care have their yearly health check?",
    "Children in care for a year or more whose annual health assessment was up to date.")
DENTAL_CHECKS = ScorecardMeasure(
    "dental_checks", ("cla_12m_dental_checks_pct", "cla_dental_checks_pct"),
    "Did children in care see a dentist?",
    "Children in care for a year or more whose teeth were checked by a dentist in the year.")
DISTANCE = ScorecardMeasure(
    "placed_far_from_home", ("cla_placed_20miles_outside_la_pct",),
    "How many children in care live more than 20 miles from home, outside the council's area?",
    "Living far away can cut children off from family, friends and school. Some do need a specialist "
    "placement further away, so the right figure is not zero.")
LEAVERS_ACCOMMODATION = ScorecardMeasure(
    "care_leavers_accommodation", ("care_leavers_19_21_suitable_accommodation_pct",),
    "Are young people who have left care living somewhere suitable?",
    "Care leavers aged 19 to 21 whose accommodation the council judged suitable, around their birthday.")
LEAVERS_EET = ScorecardMeasure(
    "care_leavers_eet", ("care_leavers_19_21_eet_pct",),
    "Are young people who have left care in education, work or training?",
    "Care leavers aged 19 to 21 in education, employment or training, around their birthday.")
LEAVERS_EET_17_18 = ScorecardMeasure(
    "care_leavers_eet_17_18", ("care_leavers_17_18_eet_pct",),
    "Are 17- and 18-year-olds leaving care in education, work or training?",
    "Care leavers aged 17 or 18 in education, employment or training, around their birthday.")
MISSING = ScorecardMeasure(
    "went_missing", ("cla_missing_pct",),
    "How many children in care went missing at least once in the year?",
    "Going missing puts children at risk. A higher figure can also mean a council records every "
    "incident carefully, so this is context rather than a score.")

FOSTER = ScorecardSpec(
    "foster", "Foster care",
    "How children in care are doing where most of them live: with foster families. " + _ALL_CHILDREN,
    (
        ScorecardMeasure(
            "in_foster_care", ("cla_placement_foster_pct",),
            "How many children in care live with a foster family?",
            "Children in care on 31 March living in foster care (with relatives, friends or approved foster "
            "carers). Most children do best in a family."),
        PLACEMENT_MOVES, LONG_TERM_STABILITY,
        ScorecardMeasure(
            "school_moves", ("cla_school_midyear_move_pct",),
            "How many children in care had to change school in the middle of the school year?",
            "A mid-year school move often follows a placement move and disrupts learning and friendships."),
        HEALTH_CHECKS, DENTAL_CHECKS,
        ScorecardMeasure(
            "emotional_health", ("cla_12m_sdq_concern_pct",),
            "How many children in care show signs of emotional or behavioural difficulty?",
            "Children aged 5 to 16 in care for a year or more whose Strengths and Difficulties Questionnaire "
            "score is a cause for concern (17 or more)."),
        DISTANCE,
        ScorecardMeasure(
            "staying_put", ("care_leavers_staying_put_pct",),
            "Do young people get to stay with their foster carers after they turn 18?",
            "Care leavers aged 19 to 21 still living with their former foster carers (\"Staying Put\")."),
        LEAVERS_ACCOMMODATION, LEAVERS_EET,
        ScorecardMeasure(
            "ks2_results", ("lait_lac_ks2_expstd_rwm",),
            "How are children in care doing at the end of primary school?",
            "Children in care reaching the expected standard in reading, writing and maths at Key Stage 2 "
            "(age 11). The group is small in most councils."),
        ScorecardMeasure(
            "ks4_results", ("lait_lac_ks4_avg_attain8",),
            "How are children in care doing in their GCSEs?",
            "Average Attainment 8 score of children in care at Key Stage 4 (age 16): the higher, the better "
            "their results across eight subjects."),
        ScorecardMeasure(
            "fostering_cost", ("lait_fosteringfinance",),
            "What does the council spend on fostering per child each week?",
            "Gross spending on fostering per child per week (section 251 returns). Context, not a score."),
    ),
)

RESIDENTIAL = ScorecardSpec(
    "residential", "Residential care (children's homes)",
    "How children living in children's homes, who are mostly teenagers, are doing. " + _ALL_CHILDREN,
    (
        ScorecardMeasure(
            "in_childrens_homes", ("cla_placement_secure_and_childrens_homes_pct",),
            "How many children in care live in a children's home?",
            "Children in care on 31 March living in children's homes or secure children's homes. "
            "Context: some children need a children's home; others would be better in a family."),
        ScorecardMeasure(
            "homes_far_from_home", ("cla_childrens_homes_20miles_pct",),
            "How many children in children's homes live more than 20 miles from home?",
            "Children in children's homes on 31 March placed more than 20 miles from where they lived. "
            "Only carestat's own figures have this; it is not published for each council."),
        ScorecardMeasure(
            "homes_outside_area", ("cla_childrens_homes_outside_la_pct",),
            "How many children in children's homes live outside the council's area?",
            "Children in children's homes on 31 March placed outside the council's boundary "
            "(carestat's own figures only)."),
        DISTANCE, PLACEMENT_MOVES, LONG_TERM_STABILITY, MISSING,
        ScorecardMeasure(
            "missing_incidents", ("cla_missing_incidents_per_missing_child",),
            "When children go missing, how often does it happen?",
            "Average number of missing incidents for each child in care who went missing. Repeated "
            "incidents are a warning sign of exploitation."),
        ScorecardMeasure(
            "away_without_permission", ("cla_away_without_authorisation_pct",),
            "How many children in care were away from their home without permission?",
            "Children who were somewhere they should not have been, but whose whereabouts were known. "
            "Context rather than a score."),
        HEALTH_CHECKS, DENTAL_CHECKS,
        ScorecardMeasure(
            "convictions", ("cla_12m_convictions_pct", "cla_convictions_pct"),
            "How many children in care were convicted or cautioned?",
            "Children aged 10 or over in care for a year or more who were convicted or given a youth caution "
            "or conditional caution in the year."),
        ScorecardMeasure(
            "substance_misuse", ("cla_12m_substance_misuse_pct", "cla_substance_misuse_pct"),
            "How many children in care had a problem with drugs or alcohol?",
            "Children in care for a year or more identified as having a substance misuse problem."),
        LEAVERS_ACCOMMODATION, LEAVERS_EET_17_18, LEAVERS_EET,
        ScorecardMeasure(
            "ks4_results", ("lait_lac_ks4_avg_attain8",),
            "How are children in care doing in their GCSEs?",
            "Average Attainment 8 score of children in care at Key Stage 4 (age 16), across all placements."),
        ScorecardMeasure(
            "residential_cost", ("lait_rescarefinance",),
            "What does the council spend on residential care per child each week?",
            "Gross spending on residential care per child per week (section 251 returns). Context, not a score."),
    ),
)

ADOPTION = ScorecardSpec(
    "adoption", "Adoption",
    "How quickly children whose plan is adoption move in with their new family, measured as the DfE's "
    "adoption scorecard does: averages over three years, against the government's expectations. Figures "
    "from fewer than 11 children (or 5 or fewer in a percentage's count) are not shown.",
    (
        ScorecardMeasure(
            "a1", ("adoption_a1_days",),
            "A1: how long from entering care to moving in with the adoptive family?",
            "Average days, over three years, between a child entering care and moving in with the family "
            "who adopted them. The government expects 426 days (14 months) or less.",
            threshold=A1_THRESHOLD_DAYS, suppress_small=True),
        ScorecardMeasure(
            "a10", ("adoption_a10_days",),
            "A10: the same, counting a foster family who adopt from the day the child moved in with them",
            "A1 adjusted for foster carer adoptions: when foster carers adopt, the clock stops on the day the "
            "child first moved in with them. Read against A1's 426 days.",
            threshold=A10_THRESHOLD_DAYS, suppress_small=True),
        ScorecardMeasure(
            "a2", ("adoption_a2_days",),
            "A2: once the court agrees, how long to find a family?",
            "Average days, over three years, between the council receiving court authority to place a child "
            "for adoption and deciding on a match with a family. The government expects 121 days (4 months) "
            "or less.",
            threshold=A2_THRESHOLD_DAYS, suppress_small=True),
        ScorecardMeasure(
            "adopted_share", ("cla_ceased_adopted_pct",),
            "Of the children who left care, how many were adopted?",
            "Children leaving care in the year through adoption. Context: adoption is right for some "
            "children, and others leave care to go home or to special guardians.",
            suppress_small=True),
        ScorecardMeasure(
            "adopted_count", ("cla_adopted_count",),
            "How many children were adopted from care?",
            "Number of children who left the council's care through adoption in the year."),
        ScorecardMeasure(
            "special_guardianship", ("cla_ceased_sgo_pct",),
            "Of the children who left care, how many went to live with special guardians?",
            "Children leaving care through a special guardianship order, often to grandparents or other "
            "relatives: another route to a permanent family. Context."),
    ),
)

SCORECARDS: tuple[ScorecardSpec, ...] = (FOSTER, RESIDENTIAL, ADOPTION)


def scorecard_indicator_ids() -> list[str]:
    """Every indicator any scorecard may use."""
    return sorted({i for spec in SCORECARDS for m in spec.measures for i in m.indicator_ids})
