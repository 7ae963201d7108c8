"""What the CIN census indicators count, built once per Inputs and shared.

Each year's figures come from that year's census (``Inputs.cin``): a referral, assessment,
enquiry, conference or plan belongs to year Y when its date falls in 1 April Y-1 to 31 March Y,
and it is taken from the census for Y (a record still open on 31 March is in the next census too,
which counts it only if its next date falls there). Re-referrals also look back at the previous
census. Records join to their child and episode by the reader's keys (``child_row``,
``AssessmentID``), which are exact within one census even when LAchildID is blank; across
censuses, children are linked by ``child_key`` (the keyed hash of LAchildID).

Durations in working days count England's working days (``carestat.refdata.workdays``) from the
first date (counted) to the second (not counted), so an assessment authorised the day it started
took 0 working days and one started on a Monday and authorised the next Monday took 5.

A national census holds millions of records, so most views are *tallies*: records counted (``n``)
by LA, year and whatever the indicators break them down or select by, in one pass. Indicators
then sum ``n`` (``RECORDS``, ``tally(flag)``) over a few thousand rows instead of millions.
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.cin_codes import (
    ASSESSMENT_DAYS,
    ASSESSMENT_DAYS_OVER,
    COMBINATIONS,
    CONFERENCE_DAYS,
    CONFERENCE_DAYS_OVER,
    FACTOR_GROUPS,
    PLAN_MONTHS,
    PLAN_MONTHS_OVER,
    REFERRAL_SOURCES,
    TRIO,
    band,
    code_labels,
    factor_label,
    grouped,
)
from carestat.indicators.inputs import CIN_INPUT_COLUMNS, Inputs, collection_year_of
from carestat.indicators.registry import counts, with_breakdowns
from carestat.refdata.workdays import working_days_between

SOURCE = "CIN census"
FIRST_YEAR = 2019  # the first census carestat reads
YES = ("TRUE", "1")
# Closed after assessment, the child not in need: no further action (RC8) or, from 2022/23, referred
# to early help (RC9, split from RC8).
CLOSED_AFTER_ASSESSMENT = ("RC8", "RC9")
RECORDS = pl.col("n").sum()  # the records a tally's rows stand for
# Polars' default (streaming) engine costs several times the in-memory one on these plans.
ENGINE = "in-memory"


def tally(flag: str | pl.Expr) -> pl.Expr:
    """The records of a tally's rows where ``flag`` holds."""
    return pl.col("n").filter(pl.col(flag) if isinstance(flag, str) else flag).sum()


def year_of(frame_year: str = "collection_year") -> pl.Expr:
    return pl.col(frame_year).cast(pl.Int64).alias("year")


def _census_year() -> pl.Expr:
    return pl.col("collection_year").cast(pl.Int64)


def in_year(day: str) -> pl.Expr:
    """``day`` falls in the census's collection year (1 April to 31 March)."""
    return (collection_year_of(pl.col(day)) == _census_year()).fill_null(False)


def after_31_march(day: str) -> pl.Expr:
    """``day`` is after the census's 31 March (null: false)."""
    return (collection_year_of(pl.col(day)) > _census_year()).fill_null(False)


def is_yes(field: str) -> pl.Expr:
    return pl.col(field).str.to_uppercase().is_in(YES).fill_null(False)


def cin_table(inputs: Inputs, name: str) -> pl.LazyFrame:
    """A CIN table across every census loaded (empty, with its columns, when none is)."""
    frame = inputs.cin.get(name)
    if frame is None:
        from carestat.warehouse.schema import columns

        types = {"DATE": pl.Date, "INTEGER": pl.Int32, "BIGINT": pl.Int64}
        stored = columns("cin", name)
        frame = pl.DataFrame(schema={c: types.get(stored[c], pl.Utf8) for c in CIN_INPUT_COLUMNS[name]})
    return frame.lazy()


# Integer keys: joining or sorting millions of records on (la_code, ...) strings costs many times
# what it does on one integer. Frames are sorted on their key before a join or group_by: Polars
# then merges sorted runs instead of hashing, several times faster on a national census.
def _las(inputs: Inputs) -> list[str]:
    return sorted(inputs.cin_returns["la_code"].unique().to_list())


def _census(inputs: Inputs) -> pl.Expr:
    """An integer for a census (its LA and year)."""
    numbers = {la: n for n, la in enumerate(_las(inputs))}
    la = pl.col("la_code").replace_strict(numbers, default=None, return_dtype=pl.UInt64)
    return la * 10_000 + pl.col("collection_year").cast(pl.UInt64)


def record_key(inputs: Inputs, id_column: str) -> pl.Expr:
    """An integer for a record of one census: the census and ``id_column`` (``child_row``,
    ``AssessmentID``...: unique within a census), as ``_<id_column>``."""
    return (_census(inputs) * (1 << 32) + pl.col(id_column).cast(pl.UInt64)).alias(f"_{id_column}")


def _tallied(inputs: Inputs, rows: pl.LazyFrame, *by: str, key: str | None = None) -> pl.DataFrame:
    """Records counted (``n``) by LA, year and ``by``; by the census within a record ``key`` when
    the rows have one (grouping by an integer, not the LA's code)."""
    census = pl.col(key) // (1 << 32) if key else _census(inputs)
    found = rows.group_by(census.alias("_census"), *by).agg(n=pl.len()).collect(engine=ENGINE)
    las = dict(enumerate(_las(inputs)))
    return found.with_columns(la_code=(pl.col("_census") // 10_000).replace_strict(las, return_dtype=pl.Utf8),
                              year=(pl.col("_census") % 10_000).cast(pl.Int64)).drop("_census")


def referrals(inputs: Inputs) -> pl.DataFrame:
    """Referrals in each year tallied by ``source_group`` (and ``ReferralSource``), ``nfa``,
    ``not_in_need`` (closed after assessment: RC8, or RC9 referred to early help) and
    ``rereferral``: the child had an earlier referral on or after the same date 12 months before
    (null where the LA's census for the year before is not loaded)."""
    return inputs.view("cin.referrals", _referrals)


def _referrals(inputs: Inputs) -> pl.DataFrame:
    details = cin_table(inputs, "CINdetails").collect(engine=ENGINE)
    # Each child's referrals in date order (a referral open across two censuses is in both); the
    # previous referral is the latest earlier date: the one before the first row of a run of equal
    # dates. Children are the keyed LAchildID's hash (the key already names the LA; a referral
    # without an id links to nothing). Sorted on these two columns alone, then put back in order.
    child, day = pl.col("_child"), pl.col("CINreferralDate")
    same_child = (child == child.shift(1)).fill_null(False)
    run_start = ~(same_child & (day == day.shift(1)).fill_null(False))
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    previous = (details.lazy().select(pl.when(pl.col("child_key").is_not_null()).then(pl.col("child_key").hash())
                                      .alias("_child"), day, _row=row)
                .sort("_child", "CINreferralDate")
                .select("_row", previous=pl.when(same_child).then(day.shift(1))
                        .gather(pl.when(run_start).then(row).forward_fill()))
                .sort("_row").collect(engine=ENGINE))
    rows = (details.lazy().with_columns(previous["previous"]).filter(in_year("CINreferralDate"))
            .select("la_code", "collection_year", "ReferralSource", nfa=is_yes("ReferralNFA"),
                    not_in_need=pl.col("ReasonForClosure").is_in(CLOSED_AFTER_ASSESSMENT).fill_null(False),
                    within=(pl.col("previous") >= day.dt.offset_by("-12mo")).fill_null(False)))
    loaded = inputs.cin_returns.select("la_code", "year")
    follows = loaded.join(loaded.with_columns(pl.col("year") + 1), on=["la_code", "year"], how="semi")
    sources = grouped(REFERRAL_SOURCES, "CINdetails", "ReferralSource")
    return (_tallied(inputs, rows, "ReferralSource", "nfa", "not_in_need", "within")
            .join(follows.with_columns(_both=pl.lit(True)), on=["la_code", "year"], how="left")
            .with_columns(rereferral=pl.when(pl.col("_both")).then(pl.col("within")),
                          source_group=pl.col("ReferralSource").replace_strict(sources, default="Not known"))
            .drop("_both", "within"))


def _completed(inputs: Inputs) -> pl.DataFrame:
    """Assessments authorised in each year: ``_AssessmentID`` and working ``days``."""
    return inputs.view("cin.completed", lambda i: cin_table(i, "Assessments")
                       .filter(in_year("AssessmentAuthorisationDate"))
                       .select(record_key(i, "AssessmentID"),
                               days=working_days_between("AssessmentActualStartDate", "AssessmentAuthorisationDate"))
                       .sort("_AssessmentID").collect(engine=ENGINE))


def _factor_rows(inputs: Inputs) -> pl.LazyFrame:
    """Each factor recorded at an assessment completed in the year: ``_AssessmentID``, ``code``
    and its ``number`` (3A -> 3; 0 for a code with no number)."""
    def build(i: Inputs) -> pl.DataFrame:
        completed = _completed(i).lazy().select("_AssessmentID")
        rows = (cin_table(i, "AssessmentFactorsList").filter(pl.col("AssessmentFactors").is_not_null())
                .select(record_key(i, "AssessmentID"), code=pl.col("AssessmentFactors")).sort("_AssessmentID")
                .join(completed, on="_AssessmentID").sort("_AssessmentID").collect(engine=ENGINE))
        numbers = {c: _factor_number(c) for c in rows["code"].unique().to_list()}
        return rows.with_columns(number=pl.col("code").replace_strict(numbers, return_dtype=pl.UInt8))
    return inputs.view("cin.factor_rows", build).lazy()


def _factor_number(code: str) -> int:
    digits = code.rstrip("ABCDEF")
    return int(digits) if digits.isdigit() else 0


def assessments(inputs: Inputs) -> pl.DataFrame:
    """Completed assessments tallied by working ``days`` (with its band ``duration`` and
    ``within_45``), ``has_factors`` (any factor recorded) and the three of ``TRIO`` (with their
    ``combination``)."""
    return inputs.view("cin.assessments", _assessments)


def _assessments(inputs: Inputs) -> pl.DataFrame:
    flags = _factor_rows(inputs).group_by("_AssessmentID").agg(
        has_factors=pl.lit(True),
        **{name: pl.col("number").is_in([int(n) for n in numbers]).any() for name, numbers in TRIO.items()})
    done = (_completed(inputs).lazy().join(flags, on="_AssessmentID", how="left")
            .with_columns(pl.col("has_factors", *TRIO).fill_null(False)))
    combination = pl.concat_str([pl.col(name).cast(pl.Utf8) for name in TRIO], separator=",")
    names = {",".join(str(v).lower() for v in key): text for key, text in COMBINATIONS.items()}
    return _tallied(inputs, done, "days", "has_factors", *TRIO, key="_AssessmentID").with_columns(
        duration=band(pl.col("days"), ASSESSMENT_DAYS, ASSESSMENT_DAYS_OVER),
        within_45=(pl.col("days") <= 45).fill_null(False),
        combination=combination.replace_strict(names, return_dtype=pl.Utf8))


def factors(inputs: Inputs) -> pl.DataFrame:
    """Completed assessments recording each factor, tallied by ``factor`` (its code, labelled)."""
    def build(i: Inputs) -> pl.DataFrame:
        found = _tallied(i, _factor_rows(i), "code", key="_AssessmentID")
        labels = {c: factor_label(c) for c in found["code"].unique().to_list()}
        return found.with_columns(factor=pl.col("code").replace_strict(labels, return_dtype=pl.Utf8))
    return inputs.view("cin.factors", build)


def factor_groups(inputs: Inputs) -> pl.DataFrame:
    """Completed assessments recording each group of factors (3A and 3C are domestic abuse once),
    tallied by ``factor_group``."""
    def build(i: Inputs) -> pl.DataFrame:
        # Each (assessment, number) once: sorted, a repeat follows its first.
        pair = pl.col("_AssessmentID") * 256 + pl.col("number")
        once = _factor_rows(i).with_columns(_pair=pair).sort("_pair").filter(
            (pl.col("_pair") != pl.col("_pair").shift(1)).fill_null(True))
        groups = {int(n): label for n, label in FACTOR_GROUPS.items()}
        return _tallied(i, once, "number", key="_AssessmentID").with_columns(
            factor_group=pl.col("number").replace_strict(groups, default="Not known", return_dtype=pl.Utf8))
    return inputs.view("cin.factor_groups", build)


def enquiries(inputs: Inputs) -> pl.DataFrame:
    """Section 47 enquiries started in each year, tallied."""
    return inputs.view("cin.enquiries", lambda i: _tallied(i, cin_table(i, "Section47").filter(
        in_year("S47ActualStartDate"))))


def conferences(inputs: Inputs) -> pl.DataFrame:
    """Initial child protection conferences held in each year after a section 47 enquiry, tallied by
    ``days`` (working days from the enquiry's start) with its band ``timeliness`` and ``within_15``."""
    return inputs.view("cin.conferences", lambda i: _tallied(i, cin_table(i, "Section47").filter(
        in_year("DateOfInitialCPC")).with_columns(
            days=working_days_between("S47ActualStartDate", "DateOfInitialCPC")), "days").with_columns(
        timeliness=band(pl.col("days"), CONFERENCE_DAYS, CONFERENCE_DAYS_OVER),
        within_15=(pl.col("days") <= 15).fill_null(False)))


def plans(inputs: Inputs) -> pl.DataFrame:
    """Child protection plans of each census (one row each: there are few) with ``started`` and
    ``ceased`` (in the year), ``open_31_march``, their categories' labels, ``subsequent``
    (NumberOfPreviousCPP 1 or more) and ``two_years`` (lasted 2 years or more: the end, or 31
    March for a plan still open, on or after the second anniversary of the start)."""
    return inputs.view("cin.plans", _plans)


def _plans(inputs: Inputs) -> pl.DataFrame:
    start, end = pl.col("CPPstartDate"), pl.col("CPPendDate")
    categories = code_labels("ChildProtectionPlans", "InitialCategoryOfAbuse")
    march_31 = pl.date(pl.col("collection_year").cast(pl.Int32), 3, 31)
    until = pl.when(end.is_not_null() & ~after_31_march("CPPendDate")).then(end).otherwise(march_31)
    months = (until.dt.year() - start.dt.year()) * 12 + until.dt.month() - start.dt.month() - (
        until.dt.day() < start.dt.day()).cast(pl.Int32)
    return cin_table(inputs, "ChildProtectionPlans").with_columns(
        year_of(), record_key(inputs, "child_row"), started=in_year("CPPstartDate"), ceased=in_year("CPPendDate"),
        open_31_march=(start.is_not_null() & ~after_31_march("CPPstartDate")
                       & (end.is_null() | after_31_march("CPPendDate"))),
        two_years=(until >= start.dt.offset_by("2y")).fill_null(False),
        duration=band(months, PLAN_MONTHS, PLAN_MONTHS_OVER),
        subsequent=(pl.col("NumberOfPreviousCPP").cast(pl.Int64, strict=False) >= 1).fill_null(False),
        initial_category=pl.col("InitialCategoryOfAbuse").replace_strict(categories, default="Not known"),
        latest_category=pl.col("LatestCategoryOfAbuse").replace_strict(categories, default="Not known"),
    ).collect(engine=ENGINE)


def _children(inputs: Inputs) -> pl.LazyFrame:
    """Children in need during each year: one row per child of the census (``_child_row``) with an
    episode open at some time in the year, not counting a referral with no further action or an
    episode closed after assessment found the child not in need (RC8, RC9), with
    ``at_31_march`` (an episode still open then) and the ``PrimaryNeedCode`` of their latest such
    episode (open on 31 March when there is one)."""
    return inputs.view("cin.children", _build_children).lazy()


def _build_children(inputs: Inputs) -> pl.DataFrame:
    referral, closure = pl.col("CINreferralDate"), pl.col("CINclosureDate")
    closed_not_in_need = pl.col("ReasonForClosure").is_in(CLOSED_AFTER_ASSESSMENT).fill_null(False)
    episodes = (cin_table(inputs, "CINdetails")
                .filter(~is_yes("ReferralNFA") & ~closed_not_in_need
                        & (collection_year_of(referral) <= _census_year()).fill_null(False)
                        & (closure.is_null() | (collection_year_of(closure) >= _census_year())))
                .select("CINreferralDate", "PrimaryNeedCode", record_key(inputs, "child_row"),
                        at_31_march=closure.is_null() | after_31_march("CINclosureDate"))
                .collect(engine=ENGINE))
    # Each child's last episode, open ones last: its flag says whether any was open on 31 March.
    # The order is found on the keys alone, then those rows taken whole.
    last = (episodes.select("_child_row", "at_31_march", "CINreferralDate", _i=pl.int_range(pl.len(), dtype=pl.UInt32))
            .sort("_child_row", "at_31_march", "CINreferralDate").filter(pl.col("_child_row").is_last_distinct()))
    return episodes[last["_i"]]


def in_need(inputs: Inputs) -> pl.DataFrame:
    """Children in need during each year tallied by ``at_31_march``, ``primary_need`` and
    ``disabled`` (a disability other than NONE recorded)."""
    return inputs.view("cin.in_need", _in_need)


def _in_need(inputs: Inputs) -> pl.DataFrame:
    disabled = (cin_table(inputs, "Disabilities").filter((pl.col("Disability") != "NONE").fill_null(False))
                .select(record_key(inputs, "child_row")).unique().with_columns(_disabled=pl.lit(True)))
    children = _children(inputs).join(disabled, on="_child_row", how="left").with_columns(
        disabled=pl.when(pl.col("_disabled")).then(pl.lit("Disabled")).otherwise(pl.lit("Not disabled")))
    needs = code_labels("CINdetails", "PrimaryNeedCode")
    return _tallied(inputs, children, "at_31_march", "PrimaryNeedCode", "disabled", key="_child_row").with_columns(
        primary_need=pl.col("PrimaryNeedCode").replace_strict(needs, default="Not known"))


def disabilities(inputs: Inputs) -> pl.DataFrame:
    """Children in need during each year tallied by ``at_31_march`` and each ``disability``
    recorded (labelled; NONE is no disability): a child with two is in both."""
    labels = {**code_labels("Disabilities", "Disability"), "NONE": "NONE No disability"}
    return inputs.view("cin.disabilities", lambda i: _tallied(
        i, cin_table(i, "Disabilities").filter(pl.col("Disability").is_not_null())
        .select(record_key(i, "child_row"), "Disability").sort("_child_row")
        .join(_children(i).select("_child_row", "at_31_march"), on="_child_row"),
        "at_31_march", "Disability", key="_child_row").with_columns(
        disability=pl.col("Disability").replace_strict(labels, default="Not known")))


def shares(tallies: pl.DataFrame, breakdown: str, column: str) -> pl.DataFrame:
    """Each category's share of the records (numerator its records, denominator all of the LA's
    and year's); Total is all over all."""
    found = with_breakdowns(tallies, {breakdown: column}, RECORDS)
    total = found.filter(pl.col("breakdown") == "Total").select("la_code", "year", denominator=pl.col("numerator"))
    return counts(found.drop("denominator").join(total, on=["la_code", "year"]))


def with_overlapping(frame: pl.DataFrame, by: dict[str, str], rows_by: dict[str, tuple[pl.DataFrame, str]],
                     numerator: pl.Expr, denominator: pl.Expr | None = None) -> pl.DataFrame:
    """``with_breakdowns`` of ``frame``, plus breakdowns whose categories overlap (a record can be
    in several: factors, disabilities): ``rows_by`` names each one's frame and column."""
    parts = [with_breakdowns(frame, by, numerator, denominator)]
    for name, (rows, column) in rows_by.items():
        found = with_breakdowns(rows, {name: column}, numerator, denominator)
        parts.append(found.filter(pl.col("breakdown") != "Total"))
    return counts(pl.concat(parts, how="vertical_relaxed"))
