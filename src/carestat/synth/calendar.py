"""The calendar the generator works in: day numbers (days since 1970-01-01), birthdays, collection
years and England's working days.

Working days skip weekends and the England and Wales bank holidays vendored in ``refdata`` (the
same list the CIN validation rules use, so a date the generator puts 15 working days after
another is 15 working days after it for the validator too). Every function takes and returns
whole arrays; they look days up in tables built once for 1900-2100, which is many times faster
than numpy's date arithmetic on the millions of dates a national run moves.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

from carestat.refdata.workdays import bank_holidays

EPOCH = dt.date(1970, 1, 1)
_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def year_end(year: int) -> int:
    """31 March of a collection year, as a day number."""
    return day(dt.date(year, 3, 31))


class _Tables:
    """Per day from 1900 to 2100: year, month, day of month, collection year, working days before it;
    per month: its first day and length; the working days in order."""

    def __init__(self) -> None:
        self.base = day(_FIRST)
        days = np.arange(self.base, day(_LAST) + 1).astype("datetime64[D]")
        months = days.astype("datetime64[M]")
        self.year = days.astype("datetime64[Y]").astype(np.int64) + 1970
        self.month = months.astype(np.int64) % 12 + 1  # 1-12
        self.dom = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
        self.collection_year = self.year + (self.month >= 4)
        all_months = np.arange(months[0], months[-1] + 2)
        self.month_start = all_months.astype("datetime64[D]").astype(np.int64)  # by months since 1900-01
        self.month_len = np.diff(self.month_start)
        holidays = np.array(bank_holidays(), dtype="datetime64[D]")
        working = np.is_busday(days, holidays=holidays)
        self.working = working
        self.working_before = np.concatenate([[0], np.cumsum(working)[:-1]])  # working days before each day
        self.working_days = np.nonzero(working)[0] + self.base  # day numbers of the working days

    def index(self, days: np.ndarray) -> np.ndarray:
        i = np.asarray(days, dtype=np.int64) - self.base
        if i.size and (i.min() < 0 or i.max() >= len(self.year)):
            raise ValueError("a simulated date falls outside 1900-2100")
        return i


@cache
def _tables() -> _Tables:
    return _Tables()


def add_years_days(dob: np.ndarray, years: int) -> np.ndarray:
    """Day numbers of birthdays ``years`` after ``dob`` (29 February -> 28 February)."""
    t = _tables()
    i = t.index(dob)
    month = (t.year[i] - 1900 + years) * 12 + t.month[i] - 1  # months since January 1900
    if month.size and (month.min() < 0 or month.max() >= len(t.month_len)):
        raise ValueError("a simulated birthday falls outside 1900-2100")
    return t.month_start[month] + np.minimum(t.dom[i], t.month_len[month]) - 1


def age_at(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years of age on a day (exact, by birthdays as :func:`add_years_days` places them)."""
    t = _tables()
    b, o = t.index(dob), t.index(on)
    years = t.year[o] - t.year[b]
    # This year's birthday: the day of birth in the month of birth, or that month's last day.
    birthday_dom = np.minimum(t.dom[b], t.month_len[(t.year[o] - 1900) * 12 + t.month[b] - 1])
    before = (t.month[o] < t.month[b]) | ((t.month[o] == t.month[b]) & (t.dom[o] < birthday_dom))
    return years - before


def month_and_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month (1-12) and day of the month of each day."""
    t = _tables()
    i = t.index(days)
    return t.month[i], t.dom[i]


def is_31_march(days: np.ndarray) -> np.ndarray:
    t = _tables()
    i = t.index(days)
    return (t.month[i] == 3) & (t.dom[i] == 31)


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (named by its end: 1 April 2024 - 31 March 2025 is 2025) of each day (a day
    beyond 2100, such as a plan's end far in the future, counts as 2101)."""
    t = _tables()
    return t.collection_year[np.clip(np.asarray(days, dtype=np.int64) - t.base, 0, len(t.year) - 1)]


def workday_add(days: np.ndarray, n: np.ndarray | int, roll: str = "forward") -> np.ndarray:
    """Day numbers of the working day ``n`` working days after ``days``, counting from the working day
    on or after (``roll="forward"``) or on or before (``"backward"``) each day."""
    t = _tables()
    i = t.index(days)
    k = t.working_before[i]  # the position of the working day on or after the day
    if roll == "backward":
        k = k - ~t.working[i]
    return t.working_days[k + n]


def workdays_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` (counted) to ``end`` (not counted); when ``end`` is earlier, minus
    those after ``end`` up to ``start`` (as numpy's ``busday_count``)."""
    t = _tables()
    a, b = t.index(start), t.index(end)
    back = b < a
    return np.where(back, t.working_before[np.minimum(b + 1, len(t.year) - 1)] - t.working_before[
        np.minimum(a + 1, len(t.year) - 1)], t.working_before[b] - t.working_before[a])


def not_overdue(start: np.ndarray, end: np.ndarray, limit: int) -> np.ndarray:
    """Bring forward to 31 March an ``end`` that would leave the task open at a year end ``limit``
    working days or more after it started (rare; avoids the DfE's 8670Q/8675Q queries)."""
    years = collection_year(start)
    ye = _tables().month_start[(years - 1900) * 12 + 2] + 30  # 31 March of the start's collection year
    late = (end > ye) & (workdays_between(start, ye) >= limit - 1)
    return np.where(late, workday_add(ye, 0, roll="backward"), end)
