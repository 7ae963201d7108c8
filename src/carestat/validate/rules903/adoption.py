"""Adoption (AD1): the adoption details of children adopted during the year, and how they
agree with the episodes that placed the child for adoption and ended in adoption."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import invalid, not_in
from carestat.validate.registry import Example, Where, fail, ok, rule, where

PLACED_FOR_ADOPTION = ["A3", "A4", "A5", "A6"]
ADOPTED = ["E11", "E12"]
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def _given(field: str) -> pl.Expr:
    """The field was filled in: a date that could not be read is not blank."""
    return pl.col(field).is_not_null() | invalid(field)


def _one_per_child(frame: pl.DataFrame | pl.LazyFrame, by: str, *, latest: bool) -> pl.LazyFrame:
    """Each child's record with the earliest (or latest) ``by`` date, blanks ignored; on a tie,
    the first record in the file."""
    extreme = pl.col(by).max() if latest else pl.col(by).min()
    return (frame.lazy().filter(pl.col(by).is_not_null())
            .filter(pl.col(by) == extreme.over("CHILD"))
            .filter(pl.col("_row") == pl.col("_row").min().over("CHILD")))


def _adopted_in_year(r: Return) -> pl.LazyFrame:
    """Episodes that ended in adoption (REC E11/E12) within the collection year."""
    return r.episodes.lazy().filter(pl.col("REC").is_in(ADOPTED) & pl.col("DEC").is_between(r.start, r.end))


def _pairs(left: pl.DataFrame | pl.LazyFrame, right: pl.DataFrame | pl.LazyFrame, flagged: pl.Expr,
           names: tuple[str, str]) -> dict[str, pl.LazyFrame]:
    """Pair two tables' records of the same child and flag both records of each pair where ``flagged``."""
    joined = left.lazy().join(right.lazy().rename({"_row": "_row_right"}), on="CHILD")
    bad = joined.filter(flagged.fill_null(False))
    return {names[0]: bad.select("_row"), names[1]: bad.select(pl.col("_row_right").alias("_row")).drop_nulls()}


# -- single fields ----------------------------------------------------------------------------

@rule("112", tables=("AD1",), fields=("DATE_INT",), examples=[
    Example({"AD1": [ok(DATE_INT="01/01/2024"), ok(DATE_INT=None), fail(DATE_INT="31/02/2024"),
                     fail(DATE_INT="next week")]}),
])
def should_be_placed_date_invalid(r: Return) -> Where:
    return where(r.ad1, invalid("DATE_INT"))


@rule("113", tables=("AD1",), fields=("DATE_MATCH",), examples=[
    Example({"AD1": [ok(DATE_MATCH="29/02/2024"), ok(DATE_MATCH=None), fail(DATE_MATCH="29/02/2023"),
                     fail(DATE_MATCH="2024")]}),
])
def matching_date_invalid(r: Return) -> Where:
    return where(r.ad1, invalid("DATE_MATCH"))


@rule("114", tables=("AD1",), fields=("FOSTER_CARE",), examples=[
    Example({"AD1": [ok(FOSTER_CARE="0"), ok(FOSTER_CARE="1"), ok(FOSTER_CARE=None),
                     fail(FOSTER_CARE="2"), fail(FOSTER_CARE="Y")]}),
])
def former_foster_carer_code_valid(r: Return) -> Where:
    return where(r.ad1, not_in("FOSTER_CARE", r.codes("AD1", "FOSTER_CARE")))


@rule("175", tables=("AD1",), fields=("NB_ADOPTR",), examples=[
    Example({"AD1": [ok(NB_ADOPTR="1"), ok(NB_ADOPTR="2"), ok(NB_ADOPTR=None), fail(NB_ADOPTR="3"),
                     fail(NB_ADOPTR="0")]}),
])
def number_of_adopters_code_valid(r: Return) -> Where:
    return where(r.ad1, not_in("NB_ADOPTR", r.codes("AD1", "NB_ADOPTR")))


@rule("176", tables=("AD1",), fields=("SEX_ADOPTR",), examples=[
    Example({"AD1": [ok(SEX_ADOPTR="MF"), ok(SEX_ADOPTR="mm"), ok(SEX_ADOPTR="F1"), ok(SEX_ADOPTR=None),
                     fail(SEX_ADOPTR="FM"), fail(SEX_ADOPTR="M2")]}),
])
def adopters_sex_code_valid(r: Return) -> Where:
    return where(r.ad1, not_in("SEX_ADOPTR", r.codes("AD1", "SEX_ADOPTR")))


@rule("177", tables=("AD1",), fields=("LS_ADOPTR",), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L0"), ok(LS_ADOPTR="l12"), ok(LS_ADOPTR=None), fail(LS_ADOPTR="L1"),
                     fail(LS_ADOPTR="L5")]}),
])
def adopters_legal_status_code_valid(r: Return) -> Where:
    return where(r.ad1, not_in("LS_ADOPTR", r.codes("AD1", "LS_ADOPTR")))


_ALL_AD1 = {"DATE_INT": "01/01/2024", "DATE_MATCH": "01/02/2024", "FOSTER_CARE": "0", "NB_ADOPTR": "1",
            "SEX_ADOPTR": "F1", "LS_ADOPTR": "L0"}


@rule("151", tables=("AD1",), fields=AD1_FIELDS, examples=[
    Example({"AD1": [ok(**_ALL_AD1), ok(), fail(DATE_INT="01/01/2024"), fail(**{**_ALL_AD1, "LS_ADOPTR": None}),
                     fail(DATE_MATCH="31/02/2024"), ok(**{**_ALL_AD1, "DATE_INT": "31/02/2024"})]}),
])
def adoption_details_partly_given(r: Return) -> Where:
    given = [_given(f) for f in AD1_FIELDS]
    return where(r.ad1, pl.any_horizontal(given) & ~pl.all_horizontal(given))


# -- the adopters: number, sexes and legal status ----------------------------------------------

def _sexes_not(r: Return, legal_status: str, allowed: list[str]) -> Where:
    # A blank SEX_ADOPTR is not one of the allowed codes, so it fails too.
    return where(r.ad1, (pl.col("LS_ADOPTR") == legal_status)
                 & ~pl.col("SEX_ADOPTR").is_in(allowed).fill_null(False))


@rule("511", tables=("AD1",), fields=("NB_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(NB_ADOPTR="2", SEX_ADOPTR="MF"), ok(NB_ADOPTR="1", SEX_ADOPTR="M1"),
                     fail(NB_ADOPTR="2", SEX_ADOPTR="F1"), fail(NB_ADOPTR="2", SEX_ADOPTR="m1"),
                     ok(NB_ADOPTR=None, SEX_ADOPTR="F1"), ok(NB_ADOPTR="2", SEX_ADOPTR=None)]}),
])
def couple_coded_as_single_adopter(r: Return) -> Where:
    return where(r.ad1, (pl.col("NB_ADOPTR") == "2") & pl.col("SEX_ADOPTR").is_in(["M1", "F1"]))


@rule("514", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L0", SEX_ADOPTR="M1"), ok(LS_ADOPTR="l0", SEX_ADOPTR="f1"),
                     fail(LS_ADOPTR="L0", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L0", SEX_ADOPTR=None),
                     ok(LS_ADOPTR="L11", SEX_ADOPTR="MF"), ok(LS_ADOPTR=None, SEX_ADOPTR="MM")]}),
])
def single_adopter_coded_as_couple(r: Return) -> Where:
    return _sexes_not(r, "L0", ["M1", "F1"])


@rule("517", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L3", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L3", SEX_ADOPTR="MM"),
                     fail(LS_ADOPTR="L3", SEX_ADOPTR=None), ok(LS_ADOPTR=None, SEX_ADOPTR="FF")]}),
])
def unmarried_different_sex_couple_not_mf(r: Return) -> Where:
    return _sexes_not(r, "L3", ["MF"])


@rule("518", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L4", SEX_ADOPTR="MM"), ok(LS_ADOPTR="L4", SEX_ADOPTR="ff"),
                     fail(LS_ADOPTR="L4", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L4", SEX_ADOPTR=None),
                     ok(LS_ADOPTR="L3", SEX_ADOPTR="MF")]}),
])
def unmarried_same_sex_couple_not_mm_ff(r: Return) -> Where:
    return _sexes_not(r, "L4", ["MM", "FF"])


@rule("519", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L2", SEX_ADOPTR="MM"), ok(LS_ADOPTR="L2", SEX_ADOPTR="FF"),
                     ok(LS_ADOPTR="L2", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L2", SEX_ADOPTR="M1"),
                     fail(LS_ADOPTR="L2", SEX_ADOPTR=None), ok(LS_ADOPTR="L0", SEX_ADOPTR="F1")]}),
])
def civil_partners_not_coded_as_couple(r: Return) -> Where:
    return _sexes_not(r, "L2", ["MM", "FF", "MF"])


@rule("520", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L11", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L11", SEX_ADOPTR="FF"),
                     fail(LS_ADOPTR="l11", SEX_ADOPTR=None), ok(LS_ADOPTR="L12", SEX_ADOPTR="FF")]}),
])
def married_different_sex_couple_not_mf(r: Return) -> Where:
    return _sexes_not(r, "L11", ["MF"])


@rule("524", tables=("AD1",), fields=("LS_ADOPTR", "SEX_ADOPTR"), examples=[
    Example({"AD1": [ok(LS_ADOPTR="L12", SEX_ADOPTR="MM"), ok(LS_ADOPTR="L12", SEX_ADOPTR="FF"),
                     fail(LS_ADOPTR="L12", SEX_ADOPTR="MF"), fail(LS_ADOPTR="L12", SEX_ADOPTR=None),
                     ok(LS_ADOPTR="L11", SEX_ADOPTR="MF")]}),
])
def married_same_sex_couple_not_mm_ff(r: Return) -> Where:
    return _sexes_not(r, "L12", ["MM", "FF"])


# -- dates of the adoption ---------------------------------------------------------------------

@rule("333", tables=("AD1",), fields=("DATE_INT", "DATE_MATCH"), examples=[
    Example({"AD1": [ok(DATE_INT="01/01/2024", DATE_MATCH="01/01/2024"),
                     ok(DATE_INT="31/12/2023", DATE_MATCH="01/01/2024"),
                     fail(DATE_INT="02/01/2024", DATE_MATCH="01/01/2024"),
                     fail(DATE_INT=None, DATE_MATCH="01/01/2024"),
                     fail(DATE_INT="31/02/2024", DATE_MATCH="01/01/2024"),
                     ok(DATE_INT="02/01/2024", DATE_MATCH=None), ok()]}),
])
def matched_before_decision_to_adopt(r: Return) -> Where:
    # Once matched, the date should be placed must be known (a date that cannot be read is not).
    return where(r.ad1, pl.col("DATE_MATCH").is_not_null()
                 & (pl.col("DATE_INT").is_null() | (pl.col("DATE_INT") > pl.col("DATE_MATCH"))))


@rule("331", tables=("AD1", "Episodes"), fields=("DATE_MATCH", "DECOM", "REC"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/06/2024", REC="E11"), fail(CHILD="B", DECOM="01/06/2024", REC="e12"),
                     ok(CHILD="B", DECOM="01/01/2024", REC="X1"), ok(CHILD="C", DECOM="01/06/2024", REC="E4A")],
        "AD1": [ok(CHILD="A", DATE_MATCH="01/06/2024"), fail(CHILD="B", DATE_MATCH="02/06/2024"),
                ok(CHILD="C", DATE_MATCH="02/06/2024")],
    }, year=2025),
])
def matched_after_adoption_placement(r: Return) -> dict[str, pl.LazyFrame]:
    # The episode ending in adoption began with the adoption placement.
    adopted = r.episodes.lazy().filter(pl.col("REC").is_in(ADOPTED)).select("CHILD", "DECOM", "_row")
    return _pairs(adopted, r.ad1.lazy().select("CHILD", "DATE_MATCH", "_row"),
                  pl.col("DATE_MATCH") > pl.col("DECOM"), ("Episodes", "AD1"))


@rule("334", tables=("Episodes", "AD1"), fields=("DATE_INT", "DECOM", "RNE"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", DECOM="01/05/2020", RNE="S"), ok(CHILD="A", DECOM="01/05/2024", RNE="s"),
                     fail(CHILD="B", DECOM="01/05/2024", RNE="S"), ok(CHILD="B", DECOM="01/06/2024", RNE="P"),
                     ok(CHILD="C", DECOM="01/01/2020", RNE="S"), fail(CHILD="C", DECOM="01/01/2024", RNE="S")],
        "AD1": [ok(CHILD="A", DATE_INT="01/05/2024"), fail(CHILD="B", DATE_INT="30/04/2024"),
                fail(CHILD="C", DATE_INT="01/06/2022")],
    }, year=2025),
])
def decision_to_adopt_before_care_began(r: Return) -> dict[str, pl.LazyFrame]:
    # Compared with the start of the latest period of care (the last episode with RNE S).
    starts = _one_per_child(r.episodes.lazy().filter(pl.col("RNE") == "S"), "DECOM", latest=True)
    return _pairs(starts.select("CHILD", "DECOM", "_row"), r.ad1.lazy().select("CHILD", "DATE_INT", "_row"),
                  pl.col("DATE_INT") < pl.col("DECOM"), ("Episodes", "AD1"))


@rule("521", tables=("Episodes", "AD1"), fields=("PLACE", "DECOM", "DATE_INT"), examples=[
    Example({
        "Episodes": [ok(CHILD="A", PLACE="A3", DECOM="01/06/2024"), fail(CHILD="B", PLACE="a6", DECOM="01/06/2024"),
                     ok(CHILD="B", PLACE="U1", DECOM="01/01/2024"), ok(CHILD="C", PLACE="U1", DECOM="01/06/2024")],
        "AD1": [ok(CHILD="A", DATE_INT="01/06/2024"), fail(CHILD="B", DATE_INT="02/06/2024"),
                ok(CHILD="C", DATE_INT="02/06/2024")],
    }, year=2025),
])
def decision_to_adopt_after_adoption_placement(r: Return) -> dict[str, pl.LazyFrame]:
    placed = r.episodes.lazy().filter(pl.col("PLACE").is_in(PLACED_FOR_ADOPTION)).select("CHILD", "DECOM", "_row")
    return _pairs(placed, r.ad1.lazy().select("CHILD", "DATE_INT", "_row"),
                  pl.col("DATE_INT") > pl.col("DECOM"), ("Episodes", "AD1"))


@rule("582", tables=("Episodes", "AD1"), fields=("DEC", "DATE_MATCH"), severity="query", examples=[
    Example({
        "Episodes": [fail(CHILD="A", REC="E11", DEC="01/10/2024"), ok(CHILD="B", REC="E12", DEC="01/10/2024"),
                     ok(CHILD="C", REC="E4A", DEC="01/10/2024"), ok(CHILD="D", REC="E11", DEC=None)],
        "AD1": [ok(CHILD="A", DATE_MATCH="01/10/2024"), ok(CHILD="B", DATE_MATCH="30/09/2024"),
                ok(CHILD="C", DATE_MATCH="01/10/2024"), ok(CHILD="D", DATE_MATCH=None)],
    }, year=2025),
])
def adopted_on_matching_date(r: Return) -> pl.LazyFrame:
    adopted = r.episodes.lazy().filter(pl.col("REC").is_in(ADOPTED))
    return adopted.join(r.ad1.lazy().select("CHILD", "DATE_MATCH"), on="CHILD").filter(
        pl.col("DEC") == pl.col("DATE_MATCH"))


# -- placements and the adopters ----------------------------------------------------------------

@rule("335", tables=("Episodes", "AD1"), fields=("PLACE", "FOSTER_CARE"), examples=[
    Example({
        "Episodes": [fail(CHILD="A", PLACE="A5", REC="E11"), ok(CHILD="B", PLACE="A5", REC="E12"),
                     fail(CHILD="C", PLACE="A6", REC="E11"), ok(CHILD="D", PLACE="A6", REC="E11"),
                     ok(CHILD="E", PLACE="A5", REC="X1"), ok(CHILD="E", PLACE="A4", REC="E11")],
        "AD1": [fail(CHILD="A", FOSTER_CARE="0"), ok(CHILD="B", FOSTER_CARE="1"), fail(CHILD="C", FOSTER_CARE="1"),
                ok(CHILD="D", FOSTER_CARE="0"), ok(CHILD="E", FOSTER_CARE="0")],
    }),
])
def foster_carer_status_contradicts_placement(r: Return) -> dict[str, pl.LazyFrame]:
    # A2/A3/A5 are placements with the current foster carer(s); A1/A4/A6 are not.
    adopted = r.episodes.lazy().filter(pl.col("REC").is_in(["E1", *ADOPTED])).select("CHILD", "PLACE", "_row")
    contradicts = ((pl.col("PLACE").is_in(["A2", "A3", "A5"]) & (pl.col("FOSTER_CARE") == "0"))
                   | (pl.col("PLACE").is_in(["A1", "A4", "A6"]) & (pl.col("FOSTER_CARE") == "1")))
    return _pairs(adopted, r.ad1.lazy().select("CHILD", "FOSTER_CARE", "_row"), contradicts, ("Episodes", "AD1"))


@rule("336", tables=("Episodes",), fields=("PLACE",), examples=[
    Example({"Episodes": [
        ok(CHILD="A", PLACE="U1", DECOM="01/01/2024"), ok(CHILD="A", PLACE="A3", DECOM="01/02/2024"),
        fail(CHILD="B", PLACE="A5", DECOM="01/02/2024"), ok(CHILD="B", PLACE="R1", DECOM="01/01/2024"),
        ok(CHILD="C", PLACE="K2", DECOM="01/01/2024"), ok(CHILD="C", PLACE="A4", DECOM="01/02/2024"),
        ok(CHILD="D", PLACE="A3", DECOM="01/02/2024"),
        ok(CHILD="E", PLACE=None, DECOM="01/01/2024"), fail(CHILD="E", PLACE="a3", DECOM="01/02/2024"),
        ok(CHILD="F", PLACE="A6", DECOM="01/01/2024"), ok(CHILD="F", PLACE="A5", DECOM="01/02/2024"),
    ]}),
])
def adoption_with_foster_carer_not_after_fostering(r: Return) -> Where:
    # A3/A5 place the child for adoption with their current foster carer(s), so the placement
    # before must be a foster (U1-U6) or adoption (A3-A6) placement.
    before = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]
    return where(r.episodes_seq, pl.col("PLACE").is_in(["A3", "A5"]) & (pl.col("_seq") > 1)
                 & ~pl.col("prev_PLACE").is_in(before).fill_null(False))


@rule("390", tables=("Episodes",), fields=("PLACE", "REC"), examples=[
    Example({"Episodes": [ok(REC="E11", PLACE="A3"), ok(REC="e12", PLACE="a6"), fail(REC="E12", PLACE="U1"),
                          fail(REC="E11", PLACE=None), ok(REC="E4A", PLACE="U1"), ok(REC=None, PLACE="U1")]}),
])
def adopted_without_adoption_placement(r: Return) -> Where:
    return where(r.episodes, pl.col("REC").is_in(ADOPTED)
                 & ~pl.col("PLACE").is_in(PLACED_FOR_ADOPTION).fill_null(False))


# -- adopted during the year <-> AD1 -----------------------------------------------------------

@rule("601", tables=("Episodes", "AD1"), fields=("REC", *AD1_FIELDS), examples=[
    Example({
        "Episodes": [ok(CHILD="A", REC="E11", DEC="01/10/2024"), fail(CHILD="B", REC="E12", DEC="31/03/2025"),
                     ok(CHILD="C", REC="E11", DEC="31/03/2024"), fail(CHILD="D", REC="E11", DEC="01/04/2024"),
                     ok(CHILD="E", REC="E11", DEC="01/06/2024"), ok(CHILD="F", REC="E4A", DEC="01/06/2024")],
        "AD1": [ok(CHILD="A", **_ALL_AD1), fail(CHILD="B", **{**_ALL_AD1, "LS_ADOPTR": None}),
                ok(CHILD="C", DATE_INT="01/01/2024"), ok(CHILD="E", **{**_ALL_AD1, "DATE_INT": "31/02/2024"}),
                ok(CHILD="F", DATE_INT="01/01/2024")],
    }, year=2025),
])
def adoption_details_missing(r: Return) -> dict[str, pl.LazyFrame]:
    # A child adopted during the year with no AD1 record at all has no details either.
    complete = r.ad1.lazy().select("CHILD", pl.col("_row").alias("_row_ad1"),
                            _complete=pl.all_horizontal([_given(f) for f in AD1_FIELDS]))
    bad = (_adopted_in_year(r).select("CHILD", "_row").join(complete, on="CHILD", how="left")
           .filter(~pl.col("_complete").fill_null(False)))
    return {"Episodes": bad.select("_row"), "AD1": bad.select(pl.col("_row_ad1").alias("_row")).drop_nulls()}


@rule("602", tables=("AD1", "Episodes"), fields=("CHILD",), examples=[
    Example({
        "Episodes": [ok(CHILD="A", REC="E11", DEC="31/03/2025"), ok(CHILD="B", REC="E11", DEC="31/03/2024"),
                     ok(CHILD="C", REC="E4A", DEC="01/06/2024"), ok(CHILD="E", REC="E12", DEC="01/04/2024")],
        "AD1": [ok(CHILD="A", DATE_INT="01/01/2024"), fail(CHILD="B", DATE_INT="01/01/2023"),
                ok(CHILD="C"), fail(CHILD="D", FOSTER_CARE="1"), ok(CHILD="E", LS_ADOPTR="L0")],
    }, year=2025),
])
def adoption_details_without_adoption(r: Return) -> pl.LazyFrame:
    return r.ad1.lazy().filter(pl.any_horizontal([_given(f) for f in AD1_FIELDS])).join(
        _adopted_in_year(r).select("CHILD"), on="CHILD", how="anti")
