"""The generator's calendar agrees with the calendar: birthdays, ages, collection years, working days."""

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from carestat.refdata.workdays import bank_holidays
from carestat.synth.calendar import (
    add_years_days,
    age_at,
    collection_year,
    day,
    workday_add,
    workdays_between,
)

_DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2060, 12, 31))
_BUSDAYS = np.busdaycalendar(holidays=np.array(bank_holidays(), dtype="datetime64[D]"))


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        return born.replace(year=born.year + years, day=28)


def _date(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(n))


@given(_DATES, st.integers(-20, 25))
def test_add_years_matches_calendar(born, years):
    assert _date(add_years_days(np.array([day(born)]), years)[0]) == _birthday(born, years)


@given(_DATES, st.integers(0, 9000))
def test_age_counts_birthdays(born, later):
    on = born + dt.timedelta(days=later)
    age = age_at(np.array([day(born)]), np.array([day(on)]))[0]
    assert _birthday(born, age) <= on < _birthday(born, age + 1)


@given(_DATES)
def test_collection_year_runs_april_to_march(d):
    assert collection_year(np.array([day(d)]))[0] == (d.year + 1 if d.month >= 4 else d.year)


@given(_DATES, st.integers(-40, 120), st.sampled_from(["forward", "backward"]))
def test_working_days_match_numpy_with_the_vendored_bank_holidays(d, n, roll):
    start = np.array([day(d)])
    expected = np.busday_offset(start.astype("datetime64[D]"), n, roll=roll, busdaycal=_BUSDAYS).astype("int64")
    assert workday_add(start, n, roll)[0] == expected[0]
    end = start + n
    counted = np.busday_count(start.astype("datetime64[D]"), end.astype("datetime64[D]"), busdaycal=_BUSDAYS)
    assert workdays_between(start, end)[0] == counted[0]


def test_bank_holidays_are_not_working_days():
    christmas = np.array([day(dt.date(2024, 12, 24))])  # Tuesday; 25 and 26 December are bank holidays
    assert _date(workday_add(christmas, 1)[0]) == dt.date(2024, 12, 27)
    assert workdays_between(christmas, christmas + 3)[0] == 1
