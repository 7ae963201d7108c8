"""Birthday arithmetic used throughout the generator agrees with the calendar."""

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from carestat.synth.population import add_years_days, day


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        return born.replace(year=born.year + years, day=28)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(-20, 25))
def test_add_years_matches_calendar(born, years):
    got = add_years_days(np.array([day(born)]), years)[0]
    assert dt.date(1970, 1, 1) + dt.timedelta(days=int(got)) == _birthday(born, years)
