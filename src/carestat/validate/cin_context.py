"""What a CIN census rule receives: the census's typed tables and shared views built on demand.

Every record carries keys that are also row numbers (see :mod:`carestat.ingest.xmlcin`):
``_child`` is the child's ChildIdentifiers ``_row``, ``CINdetailsID`` the episode's CINdetails
``_row``, ``AssessmentID`` the Assessments ``_row`` and ``CPPID`` the ChildProtectionPlans
``_row``. So a view joining a nested record to its episode can flag either record: the nested
one by ``_row``, the episode by ``CINdetailsID`` (:func:`also`).

Views are built once, on first use, and shared; frames are immutable, so no rule can change what
another sees. Fields joined into a view keep their names, except where the base table has a field
of the same name (``DateOfInitialCPC`` in both CINdetails and Section47): the joined one is then
suffixed with its table (``DateOfInitialCPC_CINdetails``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

import polars as pl

from carestat.ingest import ReturnData
from carestat.refdata import LocalAuthority
from carestat.refdata.workdays import (
    add_working_days,
    add_working_days_to,
    is_working_day,
    working_days_between,
)
from carestat.validate.context import Return
from carestat.validate.registry import Example, Needs, RuleResult, rule, where

KEYS = ("_file", "_row", "_invalid", "_child", "LAchildID", "CINdetailsID", "AssessmentID", "CPPID")
# The child's fields views carry (GenderCurrent to 2023/24, Sex from 2024/25: whichever the year has).
CHILD_FIELDS = ("PersonBirthDate", "ExpectedPersonBirthDate", "PersonDeathDate", "GenderCurrent", "Sex")
EPISODE_FIELDS = ("CINreferralDate", "CINclosureDate", "ReasonForClosure", "ReferralNFA", "PrimaryNeedCode",
                  "DateOfInitialCPC")
YES, NO = ("TRUE", "1"), ("FALSE", "0")  # xs:boolean-style flags, upper-cased on reading


def yes(field: str) -> pl.Expr:
    """A true/1 flag (ReferralNFA, ICPCnotRequired); false for a blank or any other value."""
    return pl.col(field).is_in(YES).fill_null(False)


def no(field: str) -> pl.Expr:
    """A false/0 flag; false for a blank or any other value."""
    return pl.col(field).is_in(NO).fill_null(False)


def also(frame: pl.DataFrame | pl.LazyFrame, condition: pl.Expr, key: str) -> pl.LazyFrame:
    """The records of another table that ``frame``'s rows meeting ``condition`` point to, by a
    key that is that table's ``_row`` (``_child``, ``CINdetailsID``, ``AssessmentID``, ``CPPID``):
    for a rule that flags both records of a pair."""
    return frame.lazy().filter(condition).select(pl.col(key).alias("_row")).drop_nulls()


def starts_after_death(view: pl.DataFrame, start: str, table: str) -> RuleResult:
    """Records of ``table`` (``view``'s rows, which carry the child's PersonDeathDate) starting
    after the child died, and that child's ChildIdentifiers record (CIN plans: 4008; protection
    plans: 8915)."""
    late = (pl.col(start) > pl.col("PersonDeathDate")).fill_null(False)
    return {table: where(view, late), "ChildIdentifiers": also(view, late, "_child")}


def overlapping(frame: pl.DataFrame | pl.LazyFrame, by: str, start: str, until: pl.Expr, *,
                closed: bool = True) -> pl.LazyFrame:
    """The records (``_row``) of ``frame`` in an overlapping pair: two records with the same ``by``
    (``_child``, ``CINdetailsID``...) where one's ``start`` falls on or after the other's ``start``
    and on or before (``closed``; else strictly before) the other's ``until`` (an expression on
    ``frame``'s columns, null for a record that spans nothing). Both records of each pair are
    returned; records without a ``start`` take no part."""
    lazy = frame.lazy()
    starts = lazy.select(by, "_row", pl.col(start).alias("_start")).drop_nulls(["_start", by])
    spans = lazy.select(by, pl.col("_row").alias("_row_other"), pl.col(start).alias("_from"),
                        until.alias("_until")).drop_nulls(["_from", "_until", by])
    inside = (pl.col("_start") <= pl.col("_until")) if closed else (pl.col("_start") < pl.col("_until"))
    pairs = (starts.join(spans, on=by)
             .filter((pl.col("_row") != pl.col("_row_other")) & (pl.col("_start") >= pl.col("_from")) & inside))
    return pl.concat([pairs.select("_row"), pairs.select(pl.col("_row_other").alias("_row"))]).unique()


def cin_rule(code: str, *, tables: Iterable[str], fields: Iterable[str] = (), years: Iterable[int] | None = None,
             needs: Iterable[Needs] = (), severity: str | None = None, examples: Iterable[Example] = (),
             ) -> Callable[[Callable[..., RuleResult]], Callable[..., RuleResult]]:
    """``rule`` for the CIN census: codes ending in Q are the DfE's queries, the rest errors."""
    chosen = severity or ("query" if code.endswith("Q") else "error")
    return rule(code, tables=tables, fields=fields, years=years, needs=needs, severity=chosen,
                examples=examples, return_name="cin")


class CinReturn(Return):
    """A CIN census as rules see it. ``r.start``/``r.end`` are the collection year's 1 April and
    31 March (from the year validated, not the file's header)."""

    def __init__(self, data: ReturnData, la: LocalAuthority | None = None) -> None:
        if data.spec.return_name != "cin":
            raise ValueError("CinReturn holds a CIN census")
        super().__init__(data, None, la, None)

    # -- the census's tables ------------------------------------------------------------
    # ``header`` and ``reviews`` come from Return (same table names).
    @property
    def children(self) -> pl.DataFrame:
        """ChildIdentifiers: one record per Child."""
        return self.table("ChildIdentifiers")

    @property
    def characteristics(self) -> pl.DataFrame:
        return self.table("ChildCharacteristics")

    @property
    def disabilities(self) -> pl.DataFrame:
        return self.table("Disabilities")

    @property
    def cin_details(self) -> pl.DataFrame:
        """CINdetails: one record per episode of need (referral)."""
        return self.table("CINdetails")

    @property
    def assessments(self) -> pl.DataFrame:
        return self.table("Assessments")

    @property
    def factors(self) -> pl.DataFrame:
        """AssessmentFactorsList: one record per factor code of an assessment."""
        return self.table("AssessmentFactorsList")

    @property
    def cin_plans(self) -> pl.DataFrame:
        return self.table("CINplanDates")

    @property
    def section47(self) -> pl.DataFrame:
        return self.table("Section47")

    @property
    def cpp(self) -> pl.DataFrame:
        """ChildProtectionPlans."""
        return self.table("ChildProtectionPlans")

    # -- joining records to what they belong to -------------------------------------------
    def with_child(self, frame: pl.DataFrame, fields: Iterable[str] = CHILD_FIELDS) -> pl.DataFrame:
        """``frame`` with its child's ChildIdentifiers ``fields`` (by ``_child``)."""
        return _join(frame, self.children, "_child", fields, "ChildIdentifiers")

    def with_episode(self, frame: pl.DataFrame, fields: Iterable[str] = EPISODE_FIELDS) -> pl.DataFrame:
        """``frame`` with its episode's CINdetails ``fields`` (by ``CINdetailsID``)."""
        return _join(frame, self.cin_details, "CINdetailsID", fields, "CINdetails")

    # -- shared views -------------------------------------------------------------------
    @cached_property
    def cin_episodes(self) -> pl.DataFrame:
        """CINdetails with the child's PersonBirthDate, ExpectedPersonBirthDate, PersonDeathDate."""
        return self.with_child(self.cin_details)

    @cached_property
    def assessments_episode(self) -> pl.DataFrame:
        """Assessments with their episode's fields (``EPISODE_FIELDS``)."""
        return self.with_episode(self.assessments)

    @cached_property
    def factor_sets(self) -> pl.DataFrame:
        """Assessments with ``factors``: the set of their factor codes (sorted, blanks dropped;
        an empty list when none), for rules that treat factors as a set."""
        sets = (self.factors.filter(pl.col("AssessmentFactors").is_not_null())
                .group_by("AssessmentID").agg(factors=pl.col("AssessmentFactors").unique().sort()))
        return (self.assessments.join(sets, on="AssessmentID", how="left")
                .with_columns(pl.col("factors").fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))))

    @cached_property
    def section47_episode(self) -> pl.DataFrame:
        """Section47 with their episode's fields (its ``DateOfInitialCPC`` as
        ``DateOfInitialCPC_CINdetails``)."""
        return self.with_episode(self.section47)

    @cached_property
    def cin_plans_episode(self) -> pl.DataFrame:
        """CINplanDates with their episode's fields and the child's dates."""
        return self.with_child(self.with_episode(self.cin_plans))

    @cached_property
    def cpp_episode(self) -> pl.DataFrame:
        """ChildProtectionPlans with their episode's fields and the child's dates."""
        return self.with_child(self.with_episode(self.cpp))

    @cached_property
    def reviews_cpp(self) -> pl.DataFrame:
        """Reviews with their plan's CPPstartDate and CPPendDate."""
        plans = self.cpp.select(pl.col("_row").alias("CPPID"), "CPPstartDate", "CPPendDate")
        return self.reviews.join(plans, on="CPPID", how="left")

    @cached_property
    def children_further_action(self) -> pl.Series:
        """The ``_child`` of every child with a referral that went on to further action (ReferralNFA
        false or 0), imploded for ``pl.col("_child").is_in(...)``."""
        return self.cin_details.filter(no("ReferralNFA"))["_child"].unique().implode()

    # -- dates ----------------------------------------------------------------------------
    def working_days_before_end(self, n: int) -> pl.Expr:
        """The working day ``n`` working days before 31 March of the collection year (a literal)."""
        return pl.lit(add_working_days_to(self.end, -n), dtype=pl.Date)


def _join(frame: pl.DataFrame, other: pl.DataFrame, key: str, fields: Iterable[str], name: str) -> pl.DataFrame:
    """Left join of ``other``'s ``fields`` on ``key`` (its own row key), clashing names suffixed."""
    wanted = [f for f in fields if f in other.columns and f not in KEYS]
    right = other.select(key, *[pl.col(f).alias(f"{f}_{name}" if f in frame.columns else f) for f in wanted])
    return frame.join(right.unique(key, keep="first"), on=key, how="left", maintain_order="left")


__all__ = ["CHILD_FIELDS", "EPISODE_FIELDS", "KEYS", "CinReturn", "add_working_days", "also", "cin_rule",
           "is_working_day", "no", "overlapping", "starts_after_death", "working_days_between", "yes"]
