"""Header: the child's sex, date of birth, ethnicity and UPN, this year and against last year."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years
from carestat.validate.registry import Example, Where, fail, ok, rule, where

# UPN: a check letter (not I, O or S) and 12 digits, or 11 digits and a letter; or an "unknown" code.
_UPN_PATTERN = r"^([A-HJ-NP-RT-Z](\d{12}|\d{11}[A-Z])|UN[1-5])$"
_UPN_UNKNOWN = ["UN1", "UN2", "UN3", "UN4", "UN5"]


def _upn(name: str = "UPN") -> pl.Expr:
    """UPN is free text in the spec (not upper-cased on reading); compare it case-free."""
    return pl.col(name).str.to_uppercase()


def _with_last(r: Return, *fields: str) -> pl.DataFrame:
    """Header rows of children also in last year's Header, with last year's ``fields`` as ``*_last``."""
    last = r.table("Header_last").select("CHILD", *[pl.col(f).alias(f"{f}_last") for f in fields])
    return r.header.join(last, on="CHILD", how="inner")


def _header_with_last(r: Return) -> pl.DataFrame:
    """``_with_last`` of the fields compared with last year, built once for the rules sharing it."""
    return r.view("header_with_last", lambda r: _with_last(r, "DOB", "ETHNIC", "UPN"))


@rule("101", tables=("Header",), fields=("SEX",), examples=[
    Example({"Header": [ok(SEX="1"), ok(SEX="2"), fail(SEX="3"), fail(SEX=None), fail(SEX="M")]}, year=2024),
    Example({"Header": [ok(SEX="M"), ok(SEX="f"), ok(SEX="U"), fail(SEX="1"), fail(SEX=None),
                        fail(SEX="X")]}, year=2025),
])
def sex_code_valid(r: Return) -> Where:
    # The code list comes from the year's spec: 1/2 to 2023/24, M/F/U from 2024/25.
    return where(r.header, ~pl.col("SEX").is_in(r.codes("Header", "SEX")).fill_null(False))


@rule("102", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="01/01/2010"), ok(DOB="2010-01-31"), fail(DOB="31/02/2010"),
                        fail(DOB=None), fail(DOB="yesterday")]}),
])
def dob_valid(r: Return) -> Where:
    return where(r.header, pl.col("DOB").is_null())


@rule("103", tables=("Header",), fields=("ETHNIC",), examples=[
    Example({"Header": [ok(ETHNIC="WBRI"), ok(ETHNIC="wbri"), fail(ETHNIC="White British"),
                        fail(ETHNIC=None)]}),
])
def ethnicity_code_valid(r: Return) -> Where:
    return where(r.header, ~pl.col("ETHNIC").is_in(r.codes("Header", "ETHNIC")).fill_null(False))


@rule("168", tables=("Header",), fields=("UPN",), examples=[
    Example({"Header": [ok(UPN="A123456789012"), ok(UPN="a12345678901z"), ok(UPN="UN5"), ok(UPN=None),
                        fail(UPN="I123456789012"), fail(UPN="S123456789012"), fail(UPN="UN6"),
                        fail(UPN="A12345678901"), fail(UPN="1234567890123"), fail(UPN="A1234567890123")]}),
])
def upn_valid(r: Return) -> Where:
    return where(r.header, pl.col("UPN").is_not_null() & ~_upn().str.contains(_UPN_PATTERN))


@rule("202", tables=("Header", "Header_last"), fields=("SEX",), examples=[
    Example({"Header": [ok(CHILD="A", SEX="1"), fail(CHILD="B", SEX="2"), ok(CHILD="C", SEX="1"),
                        fail(CHILD="D", SEX=None), ok(CHILD="E", SEX=None)],
             "Header_last": [ok(CHILD="A", SEX="1"), ok(CHILD="B", SEX="1"), ok(CHILD="E", SEX=None),
                             ok(CHILD="D", SEX="2")]}, year=2024),
    Example({"Header": [ok(CHILD="A", SEX="M"), ok(CHILD="B", SEX="F"), fail(CHILD="C", SEX="M"),
                        fail(CHILD="D", SEX="U")],
             "Header_last": [ok(CHILD="A", SEX="1"), ok(CHILD="B", SEX="2"), ok(CHILD="C", SEX="2"),
                             ok(CHILD="D", SEX="1")]}, year=2025, note="last year's 1/2 read as M/F"),
    Example({"Header": [ok(CHILD="A", SEX="M"), fail(CHILD="B", SEX="F")],
             "Header_last": [ok(CHILD="A", SEX="m"), ok(CHILD="B", SEX="U")]}, year=2026),
])
def sex_differs_from_last_year(r: Return) -> pl.DataFrame:
    both = _with_last(r, "SEX")
    last_sex = pl.col("SEX_last")
    if r.year >= 2025:  # last year may still use the 1/2 codes of 2023/24 and earlier
        last_sex = last_sex.replace({"1": "M", "2": "F"})
    return both.filter(pl.col("SEX").ne_missing(last_sex))


@rule("203", tables=("Header", "Header_last"), fields=("DOB",), examples=[
    Example({"Header": [ok(CHILD="A", DOB="16/03/2020"), fail(CHILD="B", DOB="23/09/2016"),
                        ok(CHILD="C", DOB="31/02/2018"), fail(CHILD="D", DOB=None),
                        ok(CHILD="E", DOB="01/01/2015"), ok(CHILD="F", DOB="2019-12-31")],
             "Header_last": [ok(CHILD="A", DOB="16/03/2020"), ok(CHILD="B", DOB="22/09/2016"),
                             ok(CHILD="C", DOB="31/02/2018"), ok(CHILD="D", DOB="04/06/2017"),
                             ok(CHILD="F", DOB="31/12/2019")]}),
])
def dob_differs_from_last_year(r: Return) -> Where:
    # Dates compare as dates (an unreadable date on both sides is not a disagreement).
    return where(_header_with_last(r), pl.col("DOB").ne_missing(pl.col("DOB_last")))


@rule("204", tables=("Header", "Header_last"), fields=("ETHNIC",), examples=[
    Example({"Header": [ok(CHILD="A", ETHNIC="WBRI"), fail(CHILD="B", ETHNIC="WBRI"),
                        ok(CHILD="C", ETHNIC="nobt"), fail(CHILD="D", ETHNIC=None), ok(CHILD="E", ETHNIC=None),
                        ok(CHILD="F", ETHNIC="BOTH")],
             "Header_last": [ok(CHILD="A", ETHNIC="WBRI"), ok(CHILD="B", ETHNIC="NOBT"),
                             ok(CHILD="C", ETHNIC="NOBT"), ok(CHILD="D", ETHNIC="MOTH"),
                             ok(CHILD="E", ETHNIC=None)]}),
])
def ethnicity_differs_from_last_year(r: Return) -> Where:
    return where(_header_with_last(r), pl.col("ETHNIC").ne_missing(pl.col("ETHNIC_last")))


@rule("208", tables=("Header", "Header_last"), fields=("UPN",), examples=[
    Example({"Header": [ok(CHILD="A", UPN="H801200001001"), fail(CHILD="B", UPN="A123456789012"),
                        ok(CHILD="C", UPN="UN1"), ok(CHILD="D", UPN="UN2"), ok(CHILD="E", UPN=None),
                        fail(CHILD="F", UPN="UN3"), fail(CHILD="G", UPN=None), ok(CHILD="H", UPN="UN4"),
                        ok(CHILD="I", UPN="A123456789012"), ok(CHILD="J", UPN="UN1"),
                        fail(CHILD="K", UPN="UN1"), ok(CHILD="L", UPN="X999999999999")],
             "Header_last": [ok(CHILD="A", UPN="UN5"), ok(CHILD="B", UPN="X888888888888"),
                             ok(CHILD="C", UPN="UN1"), ok(CHILD="D", UPN="UN1"), ok(CHILD="E", UPN=None),
                             ok(CHILD="F", UPN="UN4"), ok(CHILD="G", UPN="UN1"), ok(CHILD="H", UPN=None),
                             ok(CHILD="I", UPN="a123456789012"), ok(CHILD="J", UPN=None),
                             ok(CHILD="K", UPN="H801200001001")]}),
])
def upn_differs_from_last_year(r: Return) -> Where:
    upn, last = _upn(), _upn("UPN_last")
    allowed_change = (
        last.is_null()  # a first UPN or unknown code after a blank one
        | ((last == "UN1") & upn.is_in(_UPN_UNKNOWN[1:]))  # UN1 (not of school age) to another reason
        | (last.is_in(_UPN_UNKNOWN) & upn.is_not_null() & ~upn.is_in(_UPN_UNKNOWN))  # unknown to known
    )
    return where(_header_with_last(r), upn.ne_missing(last) & ~allowed_change.fill_null(False))


@rule("209", tables=("Header",), fields=("UPN", "DOB"), examples=[
    Example({"Header": [fail(UPN="UN1", DOB="31/08/2019"), ok(UPN="UN1", DOB="01/09/2019"),
                        ok(UPN="UN2", DOB="01/01/2010"), fail(UPN="un1", DOB="01/01/2010"),
                        ok(UPN="UN1", DOB=None)]}, year=2025),
])
def school_age_with_upn_un1(r: Return) -> Where:
    # School age: 4 or over on 31 August before the collection year began.
    cutoff = dt.date(r.start.year - 1, 8, 31)
    return where(r.header, (_upn() == "UN1") & (add_years("DOB", 4) <= cutoff))


@rule("210", tables=("Header", "Episodes"), fields=("UPN", "DECOM"), examples=[
    Example({
        "Header": [fail(CHILD="A", UPN="UN4"), ok(CHILD="B", UPN="UN4"), ok(CHILD="C", UPN="UN4"),
                   ok(CHILD="D", UPN="UN3"), fail(CHILD="E", UPN="un4"), ok(CHILD="F", UPN="UN4")],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2025", DEC="10/01/2025", RNE="S"),
                     fail(CHILD="A", DECOM="10/01/2025", RNE="P"),
                     ok(CHILD="B", DECOM="24/03/2025", RNE="S"),
                     ok(CHILD="C", DECOM="01/01/2025", DEC="01/02/2025", RNE="S"),
                     ok(CHILD="D", DECOM="01/01/2025", RNE="S"),
                     fail(CHILD="E", DECOM="23/03/2025", RNE="S"),
                     ok(CHILD="F", DECOM="01/01/2025", DEC="01/02/2025", RNE="S"),
                     ok(CHILD="F", DECOM="30/03/2025", RNE="S")],
    }, year=2025, note="B and F started to be looked after in the last week; C left care"),
])
def upn_un4_after_a_week_in_care(r: Return) -> dict[str, pl.LazyFrame]:
    # UN4 (UPN not yet obtained for a child new to care) is allowed only for children whose care
    # began in the last week: looked after at 31 March and no episode starting on/after 24 March.
    week_before = dt.date(r.end.year, 3, 24)
    un4 = r.header.lazy().filter(_upn() == "UN4").select("CHILD")
    episodes = r.episodes.lazy().join(un4, on="CHILD", how="semi")
    recent = episodes.filter(pl.col("DECOM") >= week_before).select("CHILD")
    open_at_end = episodes.filter(
        (pl.col("DECOM") <= r.end) & (pl.col("DEC").is_null() | (pl.col("DEC") > r.end))
    ).join(recent, on="CHILD", how="anti")
    return {"Header": r.header.lazy().join(open_at_end.select("CHILD"), on="CHILD", how="semi"),
            "Episodes": open_at_end}


@rule("232", tables=("Header",), fields=("SEX",), severity="query", examples=[
    Example({"Header": [ok(SEX="M"), ok(SEX="F"), fail(SEX="U"), fail(SEX="u"), ok(SEX=None)]}),
])
def sex_unknown(r: Return) -> Where:
    return where(r.header, pl.col("SEX") == "U")


@rule("301", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="31/03/2025"), fail(DOB="01/04/2025"), ok(DOB=None)]}, year=2025),
])
def born_after_year_end(r: Return) -> Where:
    return where(r.header, pl.col("DOB") > r.end)


@rule("302", tables=("Header", "Episodes"), fields=("DECOM", "DOB"), examples=[
    Example({
        "Header": [fail(CHILD="A", DOB="16/03/2021"), ok(CHILD="B", DOB="23/09/2019"),
                   ok(CHILD="C", DOB="23/08/2020"), ok(CHILD="D", DOB=None)],
        "Episodes": [ok(CHILD="A", DECOM="16/03/2021"), fail(CHILD="A", DECOM="20/03/2020"),
                     ok(CHILD="B", DECOM="17/06/2020"), ok(CHILD="B", DECOM=None),
                     ok(CHILD="C", DECOM="23/08/2020"), ok(CHILD="D", DECOM="01/01/2020")],
    }),
])
def first_episode_before_birth(r: Return) -> dict[str, pl.LazyFrame]:
    first = r.with_dob(r.episodes_seq.lazy().filter(pl.col("_seq") == 1).select("CHILD", "DECOM", "_row"))
    flagged = first.filter(pl.col("DOB_H") > pl.col("DECOM"))
    return {"Episodes": flagged, "Header": r.header.lazy().join(flagged.select("CHILD"), on="CHILD", how="semi")}


@rule("351", tables=("Header",), fields=("DOB",), examples=[
    Example({"Header": [ok(DOB="02/04/1999"), ok(DOB="01/04/1999"), fail(DOB="31/03/1999"),
                        fail(DOB="01/01/1990"), ok(DOB=None)]}, year=2025),
])
def over_25_at_year_start(r: Return) -> Where:
    # Over 25 on 1 April: the 25th birthday fell before the collection year began.
    return where(r.header, add_years("DOB", 25) < r.start)


@rule("352", tables=("Episodes", "Header"), fields=("DECOM", "RNE"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="16/03/2005"), ok(CHILD="B", DOB="23/09/2002"),
                   ok(CHILD="C", DOB="31/12/2000")],
        "Episodes": [ok(CHILD="A", RNE="S", DECOM="15/03/2023"), fail(CHILD="A", RNE="s", DECOM="16/03/2023"),
                     ok(CHILD="B", RNE="P", DECOM="17/06/2021"), ok(CHILD="B", RNE=None, DECOM=None),
                     fail(CHILD="C", RNE="S", DECOM="23/08/2020")],
    }),
])
def started_care_aged_18_or_over(r: Return) -> Where:
    return where(r.episodes_dob, (pl.col("RNE") == "S") & (add_years("DOB_H", 18) <= pl.col("DECOM")))


@rule("442", tables=("Header", "Episodes"), fields=("UPN",), examples=[
    Example({
        "Header": [fail(CHILD="A", UPN=None), ok(CHILD="B", UPN="H801200001001"), ok(CHILD="C", UPN=None),
                   ok(CHILD="D", UPN=None), fail(CHILD="E", UPN=None)],
        "Episodes": [ok(CHILD="A", LS="C2"), ok(CHILD="A", LS="C2"), ok(CHILD="B", LS="L4"),
                     ok(CHILD="C", LS="V4"), ok(CHILD="C", LS="v3"), ok(CHILD="E", LS=None)],
    }),
])
def upn_missing(r: Return) -> pl.LazyFrame:
    # Required for every child with an episode other than a short break (V3/V4).
    looked_after = r.episodes.lazy().filter(~pl.col("LS").is_in(["V3", "V4"]).fill_null(False)).select("CHILD")
    return r.header.lazy().filter(pl.col("UPN").is_null()).join(looked_after, on="CHILD", how="semi")


@rule("444", tables=("Header",), fields=("UPN",), examples=[
    Example({"Header": [ok(UPN="UN1"), ok(UPN="UN1"), ok(UPN=None), ok(UPN=None), ok(UPN="A123456789012"),
                        fail(UPN="B123456789012"), fail(UPN="b123456789012"), fail(UPN="C123456789012"),
                        fail(UPN="C123456789012")]}),
])
def upn_duplicated(r: Return) -> Where:
    upn = _upn()
    return where(r.header, upn.is_not_null() & ~upn.is_in(_UPN_UNKNOWN) & (pl.len().over(upn) > 1))
