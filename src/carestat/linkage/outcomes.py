"""Overlapping adverse outcomes of young people aged 10 to 21, from linked records.

A person is a cluster of linked records. Each outcome is declared once in ``OUTCOMES`` (which
events count, at which ages); from those the person table, the co-occurrence matrix, the
combinations for the UpSet chart, the pathways and the latent classes are derived. People who
stand for more than themselves (the general-population sample) carry a weight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

AGES = (10, 21)


@dataclass(frozen=True)
class Outcome:
    id: str
    label: str
    events: tuple[str, ...]  # event names that count (any one)
    dated: bool = True  # counted only at ages 10-21 (else a flag the LA records)


OUTCOMES = (
    Outcome("looked_after", "Looked after", ("looked_after",), dated=False),
    Outcome("child_protection", "Child protection plan", ("child_protection",)),
    Outcome("missing", "Missing from care", ("missing",)),
    Outcome("persistent_absence", "Persistently absent from school", ("persistent_absence",)),
    Outcome("suspension", "Suspended from school", ("suspension",)),
    Outcome("permanent_exclusion", "Permanently excluded", ("permanent_exclusion",)),
    Outcome("offending", "Cautioned or convicted", ("caution", "conviction", "custody")),
    Outcome("custody", "Custodial sentence", ("custody",)),
    Outcome("benefit", "Out-of-work benefit", ("benefit",)),
    Outcome("not_in_work", "Not in work at 19 to 21", ()),  # derived from employment spells
)
OUTCOME_IDS = tuple(o.id for o in OUTCOMES)
LABELS = {o.id: o.label for o in OUTCOMES}
# Events whose order the pathways describe (first occurrence at ages 10-21).
PATHWAY_EVENTS = ("care", "child_protection", "missing", "suspension", "permanent_exclusion", "offending",
                  "custody", "benefit")
WORK_AGES = (16, 17, 18, 19, 20, 21)


def _years_after(col: str, years: int) -> pl.Expr:
    return pl.col(col).dt.offset_by(f"{years}y")


def linked_events(records: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Events with their person (``person``) and the person's birth month."""
    people = person_attributes(records)
    return (events.join(records.select("record", "person"), on="record")
            .join(people.select("person", "birth_month"), on="person"))


def person_attributes(records: pl.DataFrame) -> pl.DataFrame:
    """One row per person: birth month and LA from their LA record if linked, else the most common
    among their records; ``has_la_record``."""
    priority = pl.col("dataset").replace_strict({"la": 0, "school": 1, "employment": 2, "justice": 3}, default=4)
    return (records.sort(priority).group_by("person", maintain_order=True)
            .agg(pl.col("birth_month").drop_nulls().first(), pl.col("la_code").drop_nulls().first(),
                 has_la_record=(pl.col("dataset") == "la").any()))


def people_table(records: pl.DataFrame, events: pl.DataFrame, window_end: dt.date, share: float) -> pl.DataFrame:
    """One row per person: weight, group, care leaver, every outcome (true/false) and the date of
    the first event of each pathway step. ``records`` has record, person, dataset, la_code,
    birth_month; ``events`` has record, event, date, end_date, value."""
    people = person_attributes(records).with_columns(
        weight=pl.when(pl.col("has_la_record")).then(pl.lit(1.0)).otherwise(pl.lit(1.0 / share)))
    ev = linked_events(records, events)
    at10, at22 = _years_after("birth_month", AGES[0]), _years_after("birth_month", AGES[1] + 1)
    in_ages = (pl.col("date") >= at10) & (pl.col("date") < at22) & (pl.col("date") <= window_end)
    flags = []
    for o in OUTCOMES:
        if not o.events:
            continue
        cond = pl.col("event").is_in(list(o.events)) & (in_ages if o.dated else pl.lit(True))
        flags.append(cond.any().alias(o.id))
    # Every caution, conviction or custodial sentence is also an offence: the offending step.
    offences = ev.filter(pl.col("event").is_in(["caution", "conviction", "custody"])).with_columns(
        step=pl.lit("offending"))
    steps = pl.concat([ev.with_columns(step=pl.col("event")), offences])
    firsts = (steps.filter(in_ages).filter(pl.col("step").is_in(list(PATHWAY_EVENTS)))
              .group_by("person", "step").agg(pl.col("date").min())
              .pivot(on="step", index="person", values="date"))
    firsts = firsts.rename({c: f"first_{c}" for c in firsts.columns if c != "person"})
    out = (people.join(ev.group_by("person").agg(*flags, care_leaver=(pl.col("event") == "care_leaver").any()),
                       on="person", how="left")
           .join(not_in_work(ev, people, window_end), on="person", how="left")
           .join(firsts, on="person", how="left"))
    for c in PATHWAY_EVENTS:
        if f"first_{c}" not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Date).alias(f"first_{c}"))
    out = out.with_columns([pl.col(c).fill_null(False) for c in (*OUTCOME_IDS, "care_leaver")])
    group = (pl.when(pl.col("looked_after")).then(pl.lit("looked_after"))
             .when(pl.col("has_la_record")).then(pl.lit("in_need")).otherwise(pl.lit("general")))
    return out.with_columns(group=group)


def not_in_work(ev: pl.DataFrame, people: pl.DataFrame, window_end: dt.date) -> pl.DataFrame:
    """True for people seen at 19 (their 19th birthday by the window's end) with no employment spell
    overlapping ages 19 to 21."""
    at19, at22 = _years_after("birth_month", 19), _years_after("birth_month", 22)
    worked = (ev.filter(pl.col("event") == "employment",
                        pl.col("date") < at22, pl.col("end_date").fill_null(window_end) >= at19)
              .select("person").unique().with_columns(worked=pl.lit(True)))
    seen = people.filter(at19 <= window_end).select("person")
    return seen.join(worked, on="person", how="left").select(
        "person", not_in_work=pl.col("worked").is_null())


def weighted(flag: pl.Expr) -> pl.Expr:
    return (pl.col("weight") * flag.cast(pl.Float64)).sum()


def co_occurrence(people: pl.DataFrame, outcomes: tuple[str, ...] = OUTCOME_IDS) -> pl.DataFrame:
    """For each pair of outcomes: people with both (count in the linked data, and weighted), and the
    weighted share of those with the row outcome who also have the column outcome."""
    rows = []
    for a in outcomes:
        base = people.filter(pl.col(a))
        for b in outcomes:
            both = base.filter(pl.col(b))
            w_base, w_both = float(base["weight"].sum()), float(both["weight"].sum())
            rows.append({"outcome": a, "with_outcome": b, "people": both.height, "people_with_outcome": base.height,
                         "weighted": w_both, "pct_of_row": 100 * w_both / w_base if w_base else None})
    return pl.DataFrame(rows, schema_overrides={"pct_of_row": pl.Float64})


def combinations(people: pl.DataFrame, outcomes: tuple[str, ...] = OUTCOME_IDS, top: int = 15) -> pl.DataFrame:
    """The exact combinations of outcomes people have (at least one), largest first (UpSet bars)."""
    combo = pl.concat_str([pl.when(pl.col(o)).then(pl.lit(o)) for o in outcomes], separator="+", ignore_nulls=True)
    counts = (people.with_columns(combination=combo).filter(pl.col("combination") != "")
              .group_by("combination").agg(people=pl.len(), weighted=pl.col("weight").sum())
              .sort(["weighted", "combination"], descending=[True, False]))
    return counts.head(top)


def labour_market(records: pl.DataFrame, events: pl.DataFrame, people: pl.DataFrame,
                  window_end: dt.date) -> pl.DataFrame:
    """Share in paid work on each birthday from 16 to 21, for care leavers and for all young people
    (weighted), among those whose birthday at that age falls by the window's end."""
    ev = linked_events(records, events).filter(pl.col("event") == "employment")
    rows = []
    for age in WORK_AGES:
        birthday = _years_after("birth_month", age)
        seen = people.filter(birthday <= window_end).select("person", "weight", "care_leaver", "birth_month")
        working = (ev.filter(pl.col("date") <= birthday, pl.col("end_date").fill_null(window_end) >= birthday)
                   .select("person").unique().with_columns(in_work=pl.lit(True)))
        seen = seen.join(working, on="person", how="left").with_columns(pl.col("in_work").fill_null(False))
        for group, frame in (("care leavers", seen.filter(pl.col("care_leaver"))), ("all young people", seen)):
            w = float(frame["weight"].sum())
            rows.append({"age": age, "group": group, "people": frame.height,
                         "in_work": int(frame["in_work"].sum()),
                         "pct_in_work": 100 * float((frame["weight"] * frame["in_work"]).sum()) / w if w else None})
    return pl.DataFrame(rows, schema_overrides={"pct_in_work": pl.Float64})


def pathways(people: pl.DataFrame, steps: tuple[str, ...] = PATHWAY_EVENTS) -> pl.DataFrame:
    """For each ordered pair of steps: people with both, the weighted share whose first ``first``
    came before their first ``then``, and the median months between (when it did)."""
    rows = []
    for a in steps:
        for b in steps:
            if a == b:
                continue
            both = people.filter(pl.col(f"first_{a}").is_not_null(), pl.col(f"first_{b}").is_not_null())
            before = both.filter(pl.col(f"first_{a}") < pl.col(f"first_{b}"))
            w = float(both["weight"].sum())
            months = ((before[f"first_{b}"] - before[f"first_{a}"]).dt.total_days() / 30.44)
            rows.append({"first": a, "then": b, "people": both.height, "first_before_then": before.height,
                         "pct_first_before_then": 100 * float(before["weight"].sum()) / w if w else None,
                         "median_months_between": float(months.median()) if before.height else None})
    return pl.DataFrame(rows, schema_overrides={"pct_first_before_then": pl.Float64,
                                                "median_months_between": pl.Float64})
