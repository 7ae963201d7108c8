"""OC2: children looked after continuously for 12 months at 31 March (SDQ, health, offending,
substance misuse)."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, between, blank, child_in, invalid, not_in, present
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_HEALTH = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
_OTHER_12_MONTH = ("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
_TWELVE_MONTH = ("CONVICTED", "HEALTH_CHECK", *_HEALTH, "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")

# A score that was entered but is not a whole number still counts as "completed".
_SDQ_SCORE_GIVEN = present("SDQ_SCORE") | invalid("SDQ_SCORE")
_NO_SDQ = ~_SDQ_SCORE_GIVEN & blank("SDQ_REASON")


def _any_present(fields: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal(present(f) for f in fields)


def _any_blank(fields: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal(blank(f) for f in fields)


def _cla(r: Return) -> pl.Expr:
    """The record's child was looked after continuously for 12 months at 31 March."""
    return child_in(r.continuously_looked_after["CHILD"])


# Example episodes for collection year 2025 (1 April 2024 to 31 March 2025).
def _in_care_all_year(child: str) -> dict[str, str]:
    return ok(CHILD=child, DECOM="01/01/2024", RNE="S", LS="C2", PLACE="U1")


def _entered_care_in_year(child: str) -> dict[str, str]:
    return ok(CHILD=child, DECOM="02/04/2024", RNE="S", LS="C2", PLACE="U1")


# -- values and codes ------------------------------------------------------------------------

@rule("180", tables=("OC2",), fields=("SDQ_SCORE",), examples=[
    Example({"OC2": [ok(SDQ_SCORE="0"), ok(SDQ_SCORE="40"), ok(SDQ_SCORE="20.0"), ok(SDQ_SCORE=None),
                     fail(SDQ_SCORE="41"), fail(SDQ_SCORE="-1"), fail(SDQ_SCORE="39.5"), fail(SDQ_SCORE="XX")]}),
])
def sdq_score_valid(r: Return) -> Where:
    return where(r.oc2, invalid("SDQ_SCORE") | ~pl.col("SDQ_SCORE").is_between(0, 40).fill_null(True))


@rule("196", tables=("OC2",), fields=("SDQ_REASON",), examples=[
    Example({"OC2": [ok(SDQ_REASON="SDQ2"), ok(SDQ_REASON="sdq5"), ok(SDQ_REASON=None),
                     fail(SDQ_REASON="SDQ6"), fail(SDQ_REASON="2")]}),
])
def sdq_reason_valid(r: Return) -> Where:
    return where(r.oc2, not_in("SDQ_REASON", r.codes("OC2", "SDQ_REASON")))


@rule("181", tables=("OC2",), fields=_TWELVE_MONTH, examples=[
    Example({"OC2": [ok(CONVICTED="1", HEALTH_CHECK="0", IMMUNISATIONS="1", TEETH_CHECK="0",
                        HEALTH_ASSESSMENT="1", SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0",
                        INTERVENTION_OFFERED="1"),
                     ok(), fail(TEETH_CHECK="2"), fail(INTERVENTION_OFFERED="Y"), fail(CONVICTED="10")]}),
])
def twelve_month_items_coded_0_or_1(r: Return) -> Where:
    return where(r.oc2, pl.any_horizontal(not_in(f, ["0", "1"]) for f in _TWELVE_MONTH))


@rule("182", tables=("OC2",), fields=(*_HEALTH, *_OTHER_12_MONTH), examples=[
    Example({"OC2": [ok(), ok(IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="0", SUBSTANCE_MISUSE="0",
                           CONVICTED="0"),
                     ok(IMMUNISATIONS="1"),
                     fail(CONVICTED="1"), fail(HEALTH_CHECK="1", IMMUNISATIONS="1", TEETH_CHECK="1",
                                               HEALTH_ASSESSMENT="1"),
                     fail(INTERVENTION_OFFERED="0")]}),
])
def health_items_incomplete(r: Return) -> Where:
    # Either the four health items are all completed, or every 12-month item is blank.
    return where(r.oc2, _any_blank(_HEALTH) & _any_present(_OTHER_12_MONTH))


@rule("544", tables=("OC2",), fields=("CONVICTED", *_HEALTH), examples=[
    Example({"OC2": [ok(CONVICTED="1", IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1",
                        SUBSTANCE_MISUSE="0"),
                     ok(CONVICTED="0"), ok(),
                     fail(CONVICTED="1"),
                     fail(CONVICTED="1", IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1")]}),
])
def conviction_without_health_items(r: Return) -> Where:
    return where(r.oc2, (pl.col("CONVICTED") == "1") & _any_blank(_HEALTH))


@rule("547", tables=("OC2",), fields=("HEALTH_CHECK", *_HEALTH), examples=[
    Example({"OC2": [ok(HEALTH_CHECK="1", IMMUNISATIONS="1", TEETH_CHECK="0", HEALTH_ASSESSMENT="1",
                        SUBSTANCE_MISUSE="0"),
                     ok(HEALTH_CHECK="0"), ok(),
                     fail(HEALTH_CHECK="1"),
                     fail(HEALTH_CHECK="1", IMMUNISATIONS="1", TEETH_CHECK="1", SUBSTANCE_MISUSE="0")]}),
])
def health_check_without_health_items(r: Return) -> Where:
    return where(r.oc2, (pl.col("HEALTH_CHECK") == "1") & _any_blank(_HEALTH))


# -- substance misuse ------------------------------------------------------------------------

@rule("192", tables=("OC2",), fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED"), examples=[
    Example({"OC2": [ok(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0"), ok(SUBSTANCE_MISUSE="0"), ok(),
                     fail(SUBSTANCE_MISUSE="1")]}),
])
def intervention_received_missing(r: Return) -> Where:
    return where(r.oc2, (pl.col("SUBSTANCE_MISUSE") == "1") & blank("INTERVENTION_RECEIVED"))


@rule("158", tables=("OC2",), fields=("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"), examples=[
    Example({"OC2": [ok(INTERVENTION_RECEIVED="1"), ok(INTERVENTION_RECEIVED="0", INTERVENTION_OFFERED="1"),
                     ok(INTERVENTION_OFFERED="1"),
                     fail(INTERVENTION_RECEIVED="1", INTERVENTION_OFFERED="1"),
                     fail(INTERVENTION_RECEIVED="1", INTERVENTION_OFFERED="0")]}),
])
def intervention_offered_after_received(r: Return) -> Where:
    return where(r.oc2, (pl.col("INTERVENTION_RECEIVED") == "1") & present("INTERVENTION_OFFERED"))


@rule("159", tables=("OC2",), fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
      examples=[
    Example({"OC2": [ok(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0", INTERVENTION_OFFERED="0"),
                     ok(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1"),
                     ok(SUBSTANCE_MISUSE="0", INTERVENTION_RECEIVED="0"),
                     fail(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")]}),
])
def intervention_offered_missing(r: Return) -> Where:
    return where(r.oc2, (pl.col("SUBSTANCE_MISUSE") == "1") & (pl.col("INTERVENTION_RECEIVED") == "0")
                 & blank("INTERVENTION_OFFERED"))


@rule("193", tables=("OC2",), fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
      examples=[
    Example({"OC2": [ok(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1"), ok(SUBSTANCE_MISUSE="0"), ok(),
                     fail(SUBSTANCE_MISUSE="0", INTERVENTION_RECEIVED="0"),
                     fail(INTERVENTION_OFFERED="0"), fail(SUBSTANCE_MISUSE="0", INTERVENTION_OFFERED="1")]}),
])
def intervention_without_substance_misuse(r: Return) -> Where:
    no_misuse = blank("SUBSTANCE_MISUSE") | (pl.col("SUBSTANCE_MISUSE") == "0")
    return where(r.oc2, no_misuse & _any_present(("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")))


# -- SDQ and age -----------------------------------------------------------------------------

@rule("197a", tables=("OC2",), fields=("SDQ_SCORE", "SDQ_REASON"), examples=[
    Example({"OC2": [ok(SDQ_SCORE="10"), ok(SDQ_REASON="SDQ1"), ok(),
                     fail(SDQ_SCORE="0", SDQ_REASON="SDQ2"), fail(SDQ_SCORE="abc", SDQ_REASON="SDQ2")]}),
])
def sdq_reason_with_score(r: Return) -> Where:
    return where(r.oc2, _SDQ_SCORE_GIVEN & present("SDQ_REASON"))


@rule("188", tables=("OC2",), fields=("SDQ_SCORE", "SDQ_REASON"), examples=[
    Example({"OC2": [ok(DOB="31/03/2021", SDQ_SCORE="10"), ok(DOB="01/04/2021"),
                     fail(DOB="01/04/2021", SDQ_SCORE="10"), fail(DOB="01/01/2023", SDQ_REASON="SDQ1")]},
            year=2025),
])
def sdq_under_4(r: Return) -> Where:
    # Under 4 on 31 March: the 4th birthday is after the year end.
    return where(r.oc2, (add_years("DOB", 4) > r.end) & (_SDQ_SCORE_GIVEN | present("SDQ_REASON")))


@rule("189", tables=("OC2",), fields=("DOB", "SDQ_SCORE", "SDQ_REASON"), examples=[
    Example({"OC2": [ok(DOB="01/04/2007", SDQ_SCORE="10"), ok(DOB="01/01/2000"),
                     fail(DOB="31/03/2007", SDQ_SCORE="10"), fail(DOB="01/01/2000", SDQ_REASON="SDQ1")]},
            year=2025, note="a child turning 17 on 1 April is in 197B's cohort, so allowed here"),
])
def sdq_17_or_over(r: Return) -> Where:
    return where(r.oc2, (add_years("DOB", 17) < r.start) & (_SDQ_SCORE_GIVEN | present("SDQ_REASON")))


def _sdq_age_cohort(r: Return) -> pl.Expr:
    """Aged 4 or over on 1 April and under 17 on 31 March: the children an SDQ is for."""
    return (add_years("DOB", 4) <= r.start) & (add_years("DOB", 17) > r.end)


@rule("186", tables=("OC2", "Episodes"), fields=("SDQ_SCORE",), examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _in_care_all_year("B"), _in_care_all_year("C"),
                     _in_care_all_year("D"), _in_care_all_year("E"), _entered_care_in_year("F")],
        "OC2": [ok(CHILD="A", DOB="01/04/2020", SDQ_SCORE="12"),
                ok(CHILD="B", DOB="01/04/2008", SDQ_REASON="SDQ2"),
                fail(CHILD="C", DOB="01/04/2020"),      # 4 on 1 April 2024
                fail(CHILD="D", DOB="01/04/2008"),      # 16 on 31 March 2025
                ok(CHILD="E", DOB="31/03/2008"),        # 17 on 31 March 2025
                ok(CHILD="F", DOB="01/01/2015"),        # not looked after all year
                ok(CHILD="G", DOB="01/01/2015")],       # no episodes
    }, year=2025),
])
def sdq_missing(r: Return) -> Where:
    return where(r.oc2, _cla(r) & _sdq_age_cohort(r) & _NO_SDQ)


@rule("157", tables=("OC2", "Episodes"), fields=("SDQ_REASON", "DOB"), examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _in_care_all_year("B"), _in_care_all_year("C"),
                     _in_care_all_year("D"), _entered_care_in_year("E")],
        "OC2": [fail(CHILD="A", DOB="01/04/2020", SDQ_REASON="sdq1"),
                fail(CHILD="B", DOB="01/06/2008", SDQ_REASON="SDQ1"),  # 16 on 31 March 2025
                ok(CHILD="C", DOB="02/04/2020", SDQ_REASON="SDQ1"),    # 3 on 1 April 2024
                ok(CHILD="D", DOB="01/06/2015", SDQ_REASON="SDQ2"),
                ok(CHILD="E", DOB="01/06/2015", SDQ_REASON="SDQ1")],
    }, year=2025),
])
def sdq1_reason_in_sdq_age_range(r: Return) -> Where:
    # SDQ1 means the child was outside the SDQ age range (under 4 or 17 and over).
    return where(r.oc2, _cla(r) & _sdq_age_cohort(r) & ~_SDQ_SCORE_GIVEN & (pl.col("SDQ_REASON") == "SDQ1"))


@rule("197B", tables=("OC2", "Episodes"), fields=("SDQ_REASON", "DOB"), examples=[
    Example({
        "Episodes": [_in_care_all_year(c) for c in "ABCDEF"] + [_entered_care_in_year("G")],
        "OC2": [fail(CHILD="A", DOB="01/04/2020"),                    # 4 on 1 April 2024
                fail(CHILD="B", DOB="31/03/2021"),                    # 4 on 31 March 2025
                fail(CHILD="C", DOB="01/04/2007"),                    # 17 on 1 April 2024
                ok(CHILD="D", DOB="01/04/2021"),                      # still 3
                ok(CHILD="E", DOB="31/03/2008", SDQ_REASON="SDQ1"),
                ok(CHILD="F", DOB="01/06/2007", SDQ_SCORE="30"),
                ok(CHILD="G", DOB="01/06/2007")],
    }, year=2025),
])
def sdq_missing_turning_4_or_17(r: Return) -> Where:
    turns_4_or_17 = between(add_years("DOB", 4), r.start, r.end) | between(add_years("DOB", 17), r.start, r.end)
    return where(r.oc2, _cla(r) & turns_4_or_17 & _NO_SDQ)


# -- who should have OC2 data ----------------------------------------------------------------

@rule("185", tables=("OC2", "Episodes"), fields=("SDQ_SCORE",), examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _entered_care_in_year("B"),
                     ok(CHILD="C", DECOM="01/01/2024", RNE="S", LS="V3", PLACE="U1"),
                     _entered_care_in_year("E")],
        "OC2": [ok(CHILD="A", SDQ_SCORE="10"), fail(CHILD="B", SDQ_SCORE="10"), fail(CHILD="C", SDQ_SCORE="x"),
                fail(CHILD="D", SDQ_SCORE="0"), ok(CHILD="E")],
    }, year=2025),
])
def sdq_score_not_looked_after_12_months(r: Return) -> Where:
    return where(r.oc2, ~_cla(r) & _SDQ_SCORE_GIVEN)


@rule("198", tables=("OC2", "Episodes"), fields=("SDQ_REASON",), examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _entered_care_in_year("B"),
                     ok(CHILD="C", DECOM="01/01/2024", RNE="S", LS="C2", DEC="01/06/2024", REC="E4A"),
                     ok(CHILD="C", DECOM="01/07/2024", RNE="S", LS="C2")],
        "OC2": [ok(CHILD="A", SDQ_REASON="SDQ1"), fail(CHILD="B", SDQ_REASON="SDQ1"),
                fail(CHILD="C", SDQ_REASON="SDQ2"), ok(CHILD="D")],
    }, year=2025),
])
def sdq_reason_not_looked_after_12_months(r: Return) -> Where:
    return where(r.oc2, ~_cla(r) & present("SDQ_REASON"))


@rule("190", tables=("OC2", "Episodes"), fields=_TWELVE_MONTH, examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _entered_care_in_year("B"), _entered_care_in_year("C")],
        "OC2": [ok(CHILD="A", CONVICTED="0"), fail(CHILD="B", INTERVENTION_OFFERED="0"),
                ok(CHILD="C", SDQ_SCORE="10"), fail(CHILD="D", HEALTH_CHECK="1")],
    }, year=2025),
])
def twelve_month_items_not_looked_after_12_months(r: Return) -> Where:
    return where(r.oc2, ~_cla(r) & _any_present(_TWELVE_MONTH))


@rule("191", tables=("OC2", "Episodes"), fields=(*_HEALTH, "CHILD"), examples=[
    Example({
        "Episodes": [_in_care_all_year("A"), _in_care_all_year("B"), _entered_care_in_year("C"),
                     ok(CHILD="D", DECOM="01/06/2023", RNE="S", LS="C2", DEC="01/01/2024", REC="X1"),
                     fail(CHILD="D", DECOM="01/01/2023", RNE="S", LS="C2", DEC="01/06/2023", REC="X1"),
                     ok(CHILD="D", DECOM="01/01/2024", RNE="P", LS="C2")],
        "OC2": [ok(CHILD="A", IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="0", SUBSTANCE_MISUSE="0"),
                fail(CHILD="B", IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="0"),
                ok(CHILD="C")],
    }, year=2025, note="D is looked after all year but has no OC2 record: its first episode is flagged"),
])
def twelve_month_health_items_missing(r: Return) -> dict[str, pl.LazyFrame | Where]:
    cla = r.continuously_looked_after.lazy()
    first_episodes = r.episodes_seq.lazy().filter(pl.col("_seq") == 1)
    without_oc2 = (first_episodes.join(cla, on="CHILD", how="semi")
                   .join(r.oc2.lazy(), on="CHILD", how="anti").select("_row"))
    return {"OC2": where(r.oc2, _cla(r) & _any_blank(_HEALTH)), "Episodes": without_oc2}


# -- offending and health promotion by age at 31 March ---------------------------------------

@rule("542", tables=("OC2",), fields=("CONVICTED",), examples=[
    Example({"OC2": [ok(DOB="31/03/2015", CONVICTED="0"), ok(DOB="01/04/2015"), ok(DOB=None, CONVICTED="1"),
                     fail(DOB="01/04/2015", CONVICTED="0"), fail(DOB="01/01/2020", CONVICTED="1")]}, year=2025),
])
def conviction_under_10(r: Return) -> Where:
    return where(r.oc2, (add_years("DOB", 10) > r.end) & present("CONVICTED"))


@rule("543", tables=("OC2", "Episodes"), fields=("DOB", "CONVICTED"), examples=[
    Example({
        "Episodes": [_in_care_all_year(c) for c in "ABCD"] + [_entered_care_in_year("E")],
        "OC2": [fail(CHILD="A", DOB="31/03/2015"),          # 10 on 31 March 2025
                ok(CHILD="B", DOB="01/04/2015"),            # 9
                ok(CHILD="C", DOB="01/01/2010", CONVICTED="0"),
                fail(CHILD="D", DOB="01/01/2010"),
                ok(CHILD="E", DOB="01/01/2010")],
    }, year=2025),
])
def conviction_missing_aged_10_or_over(r: Return) -> Where:
    return where(r.oc2, _cla(r) & (add_years("DOB", 10) <= r.end) & blank("CONVICTED"))


@rule("545", tables=("OC2", "Episodes"), fields=("DOB", "HEALTH_CHECK"), examples=[
    Example({
        "Episodes": [_in_care_all_year(c) for c in "ABCD"] + [_entered_care_in_year("E")],
        "OC2": [fail(CHILD="A", DOB="01/04/2020"),          # 4 on 31 March 2025
                ok(CHILD="B", DOB="31/03/2020"),            # 5
                ok(CHILD="C", DOB="01/01/2022", HEALTH_CHECK="0"),
                fail(CHILD="D", DOB="01/01/2022"),
                ok(CHILD="E", DOB="01/01/2022")],
    }, year=2025),
])
def health_check_missing_under_5(r: Return) -> Where:
    return where(r.oc2, _cla(r) & (add_years("DOB", 5) > r.end) & blank("HEALTH_CHECK"))


@rule("546", tables=("OC2", "Episodes"), fields=("DOB", "HEALTH_CHECK"), examples=[
    Example({
        "Episodes": [_in_care_all_year(c) for c in "ABCD"] + [_entered_care_in_year("E")],
        "OC2": [fail(CHILD="A", DOB="31/03/2020", HEALTH_CHECK="1"),   # 5 on 31 March 2025
                ok(CHILD="B", DOB="01/04/2020", HEALTH_CHECK="1"),     # 4
                ok(CHILD="C", DOB="01/01/2010"),
                fail(CHILD="D", DOB="01/01/2010", HEALTH_CHECK="0"),
                ok(CHILD="E", DOB="01/01/2010", HEALTH_CHECK="1")],
    }, year=2025),
])
def health_check_aged_5_or_over(r: Return) -> Where:
    return where(r.oc2, _cla(r) & (add_years("DOB", 5) <= r.end) & present("HEALTH_CHECK"))
