"""Small Polars expression helpers shared by the rules (dates, ages, validity)."""

from __future__ import annotations

import datetime as dt

import polars as pl


def col_or_lit(value: str | pl.Expr | dt.date) -> pl.Expr:
    if isinstance(value, pl.Expr):
        return value
    if isinstance(value, dt.date):
        return pl.lit(value, dtype=pl.Date)
    return pl.col(value)


def age_on(dob: str | pl.Expr, on: str | pl.Expr | dt.date) -> pl.Expr:
    """Whole years of age on a date (birthdays counted on the day; 29 Feb on 1 Mar)."""
    born, day = col_or_lit(dob), col_or_lit(on)
    before_birthday = (day.dt.month() < born.dt.month()) | (
        (day.dt.month() == born.dt.month()) & (day.dt.day() < born.dt.day())
    )
    return day.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)


def add_years(date: str | pl.Expr | dt.date, years: int | pl.Expr) -> pl.Expr:
    """The same day ``years`` later (29 February becomes 28 February)."""
    return col_or_lit(date).dt.offset_by(
        pl.format("{}y", years) if isinstance(years, pl.Expr) else f"{years}y"
    )


def days_between(start: str | pl.Expr, end: str | pl.Expr) -> pl.Expr:
    return (col_or_lit(end) - col_or_lit(start)).dt.total_days()


def invalid(field: str) -> pl.Expr:
    """True where the field held a value that could not be read as its type (not a blank)."""
    return pl.col("_invalid").list.contains(pl.lit(field)).fill_null(False)


def blank(field: str) -> pl.Expr:
    return pl.col(field).is_null()


def present(field: str) -> pl.Expr:
    return pl.col(field).is_not_null()


def not_in(field: str, codes: list[str] | frozenset[str]) -> pl.Expr:
    """A value that is present and not one of ``codes``."""
    return pl.col(field).is_not_null() & ~pl.col(field).is_in(sorted(codes))


def between(field: str | pl.Expr, low: dt.date, high: dt.date) -> pl.Expr:
    value = col_or_lit(field)
    return (value >= pl.lit(low)) & (value <= pl.lit(high))


def child_in(children: pl.Series) -> pl.Expr:
    """CHILD is one of ``children`` (a blank CHILD is not): a semi join's test as a condition,
    so a rule can be one ``where`` instead of a query of its own (``~child_in`` for an anti join)."""
    return pl.col("CHILD").is_in(children.implode()).fill_null(False)


def position_in_run(key: str) -> tuple[pl.Expr, pl.Expr]:
    """In a frame sorted by ``key``: each row's 1-based position in its run of equal ``key``
    (Int64; blanks are one run) and the run's length (UInt32), as ``int_range``/``len`` over
    ``key`` give them, several times faster than those windows."""
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = pl.col(key).ne_missing(pl.col(key).shift(1)) | (idx == 0)
    ends = pl.col(key).ne_missing(pl.col(key).shift(-1)) | (idx == pl.len() - 1)
    first = pl.when(starts).then(idx).forward_fill()
    last = pl.when(ends).then(idx).backward_fill()
    return idx - first + 1, (last - first + 1).cast(pl.UInt32)
