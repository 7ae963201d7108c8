"""England's working days: weekdays that are not bank holidays in England and Wales.

The bank holidays are vendored (``data/bank_holidays_england_wales.csv``, 2012-2028, source and
caveats in its header), never fetched. Dates outside those years are counted as if they had no
bank holidays, so extend the file before relying on later years. Used by the CIN census rules
(assessments within 45 working days, conferences within 15) and the CIN indicators.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

from carestat.refdata import data_path

FIRST_YEAR, LAST_YEAR = 2012, 2028


@cache
def bank_holidays() -> tuple[dt.date, ...]:
    """England and Wales bank holidays, 2012-2028, in date order."""
    frame = pl.read_csv(data_path("bank_holidays_england_wales.csv"), comment_prefix="#",
                        schema={"date": pl.Date, "name": pl.Utf8})
    return tuple(sorted(frame["date"].to_list()))


def _expr(value: str | pl.Expr | dt.date) -> pl.Expr:
    if isinstance(value, pl.Expr):
        return value
    if isinstance(value, dt.date):
        return pl.lit(value, dtype=pl.Date)
    return pl.col(value)


def working_days_between(start: str | pl.Expr | dt.date, end: str | pl.Expr | dt.date) -> pl.Expr:
    """Working days from ``start`` (counted) to ``end`` (not counted): Monday to the next Monday
    is 5, a day to itself 0, negative when ``end`` is before ``start``; null if either is."""
    return pl.business_day_count(_expr(start), _expr(end), holidays=bank_holidays())


def add_working_days(date: str | pl.Expr | dt.date, n: int) -> pl.Expr:
    """The working day ``n`` working days after ``date`` (before it when ``n`` is negative).

    A date that is not a working day counts from the working day just before it (``n`` > 0) or
    just after it (``n`` < 0): one working day after a Saturday is the Monday, one before it the
    Friday, as date offsets in most tools (pandas' business days) count."""
    roll = "backward" if n > 0 else "forward"
    return _expr(date).dt.add_business_days(n, holidays=bank_holidays(), roll=roll)


def is_working_day(date: str | pl.Expr | dt.date) -> pl.Expr:
    """A weekday that is not a bank holiday (null for a null date)."""
    return _expr(date).dt.is_business_day(holidays=bank_holidays())


def add_working_days_to(date: dt.date, n: int) -> dt.date:
    """``add_working_days`` of one date, for a rule's thresholds (e.g. 45 working days before
    31 March)."""
    return pl.select(add_working_days(pl.lit(date, dtype=pl.Date), n)).item()
