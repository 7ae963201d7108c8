"""The CIN census's codes as the indicators group and label them (declared once, here).

Labels are "CODE description" from the year's code lists (``spec``), so a published category
names the code it counts. Groups follow the DfE's "Characteristics of children in need" tables:
referral sources (schools, police, health services...), factors at assessment by their number
(3A-3C domestic abuse...), and the bands of working days and months it publishes.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from carestat.spec import SUPPORTED_YEARS, spec

REFERRAL_SOURCES = {"1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services",
                    "4": "Housing", "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other",
                    "9": "Anonymous", "10": "Unknown"}
ASSESSMENT_DAYS = ((0, "Same day"), (10, "1 to 10 working days"), (20, "11 to 20 working days"),
                   (30, "21 to 30 working days"), (40, "31 to 40 working days"), (45, "41 to 45 working days"),
                   (50, "46 to 50 working days"), (60, "51 to 60 working days"))
ASSESSMENT_DAYS_OVER = "61 working days or more"
CONFERENCE_DAYS = ((10, "0 to 10 working days"), (15, "11 to 15 working days"), (20, "16 to 20 working days"))
CONFERENCE_DAYS_OVER = "21 working days or more"
# Whole months a plan lasted -> band (a plan of 2 months and 30 days is under 3 months).
PLAN_MONTHS = ((2, "Under 3 months"), (5, "3 months to under 6 months"), (11, "6 months to under 1 year"),
               (23, "1 year to under 2 years"))
PLAN_MONTHS_OVER = "2 years or more"
# Factors at assessment by their number: codes 1-6 say whose (A child, B parent or carer, C another).
FACTOR_GROUPS = {"1": "Alcohol misuse", "2": "Drug misuse", "3": "Domestic abuse", "4": "Mental health",
                 "5": "Learning disability", "6": "Physical disability or illness", "7": "Young carer",
                 "8": "Privately fostered", "9": "Unaccompanied asylum-seeking child", "10": "Going or being missing",
                 "11": "Child sexual exploitation", "12": "Trafficking", "13": "Gangs",
                 "14": "Socially unacceptable behaviour", "15": "Self-harm", "16": "Neglect", "17": "Emotional abuse",
                 "18": "Physical abuse", "19": "Sexual abuse", "20": "Other", "21": "No factors identified",
                 "22": "Female genital mutilation", "23": "Abuse linked to faith or belief",
                 "24": "Child criminal exploitation"}
WHOSE = {"A": "child", "B": "parent or carer", "C": "another person in the household"}
WHO_HARMED = {"B": "child on child", "C": "adult on child"}  # 18B/C, 19B/C
# The three factors the DfE reports together (any person's: child, parent or carer, or other).
TRIO = {"domestic_abuse": ("3",), "mental_health": ("4",), "substance_misuse": ("1", "2")}
COMBINATIONS = {
    (True, True, True): "Domestic abuse, mental health and substance misuse",
    (True, True, False): "Domestic abuse and mental health, not substance misuse",
    (True, False, True): "Domestic abuse and substance misuse, not mental health",
    (False, True, True): "Mental health and substance misuse, not domestic abuse",
    (True, False, False): "Domestic abuse only (of the three)",
    (False, True, False): "Mental health only (of the three)",
    (False, False, True): "Substance misuse only (of the three)",
    (False, False, False): "None of the three",
}


@cache
def code_labels(table: str, field: str) -> dict[str, str]:
    """Code -> "CODE description" over every year carestat reads (a later year's wording wins)."""
    labels: dict[str, str] = {}
    for year in SUPPORTED_YEARS["cin"]:
        for code in spec("cin", year).table(table).field(field).codes:
            labels[code.code] = f"{code.code} {code.description.strip('( ')}"
    return labels


def factor_label(code: str) -> str:
    number, letter = code.rstrip("ABCDEF"), code[len(code.rstrip("ABCDEF")):]
    group = FACTOR_GROUPS.get(number, "Not known")
    if number in ("1", "2", "3", "4", "5", "6") and letter in WHOSE:
        return f"{code} {group}: {WHOSE[letter]}"
    if number in ("18", "19") and letter in WHO_HARMED:
        return f"{code} {group} ({WHO_HARMED[letter]})"
    return f"{code} {group}"


def band(value: pl.Expr, bands: tuple[tuple[int, str], ...], over: str) -> pl.Expr:
    """The label of the first band whose upper bound ``value`` does not exceed ("Not known" if null
    or negative)."""
    out = pl.when(value.is_null() | (value < 0)).then(pl.lit("Not known"))
    for upper, label in bands:
        out = out.when(value <= upper).then(pl.lit(label))
    return out.otherwise(pl.lit(over))


def grouped(codes: dict[str, str], table: str, field: str) -> dict[str, str]:
    """Every code of a field -> its group by longest matching prefix (2A before 2, 10 before 1)."""
    prefixes = sorted(codes, key=len, reverse=True)
    return {code: next((codes[p] for p in prefixes if code.startswith(p)), "Not known")
            for code in code_labels(table, field)}
