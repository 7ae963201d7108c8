"""Outcomes from a hand-built linked data set of three young people (window ends 31 March 2025).

A: LA, school and employment records linked; born January 2003; looked after, a care leaver;
   starts care at 12, goes missing, is suspended, convicted at 16, in work from March 2023 (age 20).
B: school and employment records; born January 2004; general population (weight 1 / 0.1 = 10);
   suspended; in work from June 2021 to June 2022 only (ages 17-18).
C: an LA record only; born January 2012; a child protection plan at 11.
"""

import datetime as dt

import polars as pl
import pytest

from carestat.linkage.analysis import analyse
from carestat.linkage.outcomes import co_occurrence, labour_market, pathways, people_table

END = dt.date(2025, 3, 31)
D = dt.date


def _data():
    records = pl.DataFrame({
        "record": ["la:1", "school:1", "employment:1", "school:2", "employment:2", "la:3"],
        "person": ["A", "A", "A", "B", "B", "C"],
        "dataset": ["la", "school", "employment", "school", "employment", "la"],
        "la_code": ["318", None, None, None, None, "318"],
        "birth_month": [D(2003, 1, 1)] * 3 + [D(2004, 1, 1)] * 2 + [D(2012, 1, 1)]})
    ev = [("la:1", "looked_after", None, None), ("la:1", "care_leaver", None, None),
          ("la:1", "care", D(2015, 6, 1), None), ("la:1", "missing", D(2016, 1, 1), None),
          ("school:1", "suspension", D(2016, 5, 1), None), ("employment:1", "employment", D(2023, 3, 1), None),
          ("school:2", "suspension", D(2017, 1, 1), None),
          ("employment:2", "employment", D(2021, 6, 1), D(2022, 6, 1)),
          ("la:3", "child_protection", D(2023, 1, 1), None)]
    events = pl.DataFrame(ev, schema={"record": pl.Utf8, "event": pl.Utf8, "date": pl.Date, "end_date": pl.Date},
                          orient="row").with_columns(value=pl.lit(None, dtype=pl.Float64))
    # A's conviction is recorded by the justice data set, linked to A too
    records = pl.concat([records, pl.DataFrame({"record": ["justice:1"], "person": ["A"], "dataset": ["justice"],
                                                "la_code": [None], "birth_month": [D(2003, 1, 1)]})])
    events = pl.concat([events, pl.DataFrame({"record": ["justice:1"], "event": ["conviction"],
                                              "date": [D(2019, 2, 1)], "end_date": [None], "value": [None]},
                                             schema=events.schema)])
    return records, events


def test_people_table_flags_weights_and_groups():
    records, events = _data()
    people = {r["person"]: r for r in people_table(records, events, END, 0.1).to_dicts()}
    a, b, c = people["A"], people["B"], people["C"]
    assert (a["weight"], b["weight"], c["weight"]) == (1.0, 10.0, 1.0)
    assert (a["group"], b["group"], c["group"]) == ("looked_after", "general", "in_need")
    assert a["care_leaver"] and a["offending"] and a["missing"] and a["suspension"] and not a["custody"]
    assert not a["not_in_work"]  # in work from 20
    assert b["not_in_work"]  # work ended before 19 (January 2023)
    assert not c["not_in_work"] and c["child_protection"]  # C is not 19 yet
    assert a["first_care"] == D(2015, 6, 1) and a["first_offending"] == D(2019, 2, 1)


def test_co_occurrence_is_weighted_by_row():
    records, events = _data()
    co = co_occurrence(people_table(records, events, END, 0.1))
    row = co.filter(pl.col("outcome") == "suspension", pl.col("with_outcome") == "offending").row(0, named=True)
    # suspended: A (1) and B (10); of them, A was also convicted: 1 / 11
    assert row["people"] == 1 and row["people_with_outcome"] == 2
    assert row["pct_of_row"] == pytest.approx(100 / 11)


def test_labour_market_by_birthday():
    records, events = _data()
    people = people_table(records, events, END, 0.1)
    work = {(r["age"], r["group"]): r for r in labour_market(records, events, people, END).to_dicts()}
    assert work[(18, "all young people")]["in_work"] == 1  # B on 1 January 2022
    assert work[(20, "care leavers")]["pct_in_work"] == 0.0  # A's work starts two months after
    assert work[(21, "care leavers")]["pct_in_work"] == 100.0
    # at 21: A in work (weight 1), B not (weight 10); C is too young to count
    assert work[(21, "all young people")]["people"] == 2
    assert work[(21, "all young people")]["pct_in_work"] == pytest.approx(100 / 11)


def test_pathways_order_and_time_between():
    records, events = _data()
    paths = pathways(people_table(records, events, END, 0.1))
    row = paths.filter(pl.col("first") == "care", pl.col("then") == "suspension").row(0, named=True)
    assert row["people"] == 1 and row["pct_first_before_then"] == 100.0
    assert row["median_months_between"] == pytest.approx(335 / 30.44)  # 1 June 2015 to 1 May 2016
    back = paths.filter(pl.col("first") == "suspension", pl.col("then") == "care").row(0, named=True)
    assert back["pct_first_before_then"] == 0.0


def test_every_published_figure_about_so_few_people_is_suppressed():
    records, events = _data()
    tables, _, _ = analyse(records, events, END, 0.1)
    co = tables["co_occurrence"].filter(pl.col("people") > 0)
    assert (co["pct_of_row_display"] == "c").all() and (co["weighted_display"] == "c").all()
    assert (tables["combinations"]["weighted_display"] == "c").all()
    paths = tables["pathways"]
    assert paths["median_months_between"].is_null().all()


def test_a_custodial_sentence_is_also_the_first_offence():
    records, events = _data()
    events = events.with_columns(event=pl.when(pl.col("event") == "conviction").then(pl.lit("custody"))
                                 .otherwise("event"))
    person = people_table(records, events, END, 0.1).filter(pl.col("person") == "A").row(0, named=True)
    assert person["custody"] and person["offending"]
    assert person["first_custody"] == person["first_offending"] == D(2019, 2, 1)
