"""Placements: types, providers, and the ages and legal statuses each placement type allows.
Reasons for changing placement and temporary placements (T0-T4) are in placement_changes.py."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years, not_in
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
_FOSTER = ["U1", "U2", "U3", "U4", "U5", "U6"]
_ADOPTION = ["A3", "A4", "A5", "A6"]
_SHORT_BREAKS = ["V3", "V4"]
# Placements that take no placement provider code (178, 213, 526): temporary ones and "other".
_NO_PROVIDER_TO_2025 = [*_TEMPORARY, "Z1"]
_NO_PROVIDER_FROM_2026 = [*_TEMPORARY, "Z11", "Z12", "Z13", "Z14"]


def _in(field: str | pl.Expr, codes: list[str]) -> pl.Expr:
    """A value in ``codes`` (a blank is not)."""
    expr = pl.col(field) if isinstance(field, str) else field
    return expr.is_in(codes).fill_null(False)


# -- codes ----------------------------------------------------------------------------------

@rule("146", tables=("Episodes",), fields=("PLACE",), examples=[
    Example({"Episodes": [ok(PLACE="P2"), ok(PLACE="h5"), ok(PLACE="Z1"), ok(PLACE=None),
                          fail(PLACE="K3"), fail(PLACE="Z11"), fail(PLACE="Q1")]}, year=2023),
    Example({"Episodes": [ok(PLACE="K3"), ok(PLACE="k3"), ok(PLACE="P2"), fail(PLACE="Z12")]}, year=2025),
    Example({"Episodes": [ok(PLACE="Z11"), ok(PLACE="z14"), ok(PLACE="K3"), fail(PLACE="Z1"),
                          fail(PLACE="P2"), fail(PLACE="H5")]}, year=2026),
])
def placement_type_valid(r: Return) -> pl.DataFrame:
    return r.episodes.filter(not_in("PLACE", r.codes("Episodes", "PLACE")))


def _provider_code_invalid(r: Return, no_provider: list[str]) -> Where:
    # A supplied code must be valid and must not accompany a placement that takes none;
    # a blank code is 526's business.
    return where(r.episodes, pl.col("PLACE_PROVIDER").is_not_null()
                 & (not_in("PLACE_PROVIDER", r.codes("Episodes", "PLACE_PROVIDER")) | _in("PLACE", no_provider)))


@rule("178", tables=("Episodes",), fields=("PLACE_PROVIDER", "PLACE"), years=range(2023, 2026), examples=[
    Example({"Episodes": [ok(PLACE="U1", PLACE_PROVIDER="PR1"), ok(PLACE="U1", PLACE_PROVIDER="pr0"),
                          fail(PLACE="U1", PLACE_PROVIDER="PR9"), ok(PLACE="T0", PLACE_PROVIDER=None),
                          ok(PLACE="U1", PLACE_PROVIDER=None), fail(PLACE="T4", PLACE_PROVIDER="PR1"),
                          fail(PLACE="Z1", PLACE_PROVIDER="PR2"), ok(PLACE=None, PLACE_PROVIDER="PR3")]},
            year=2025),
])
def provider_code_valid(r: Return) -> Where:
    return _provider_code_invalid(r, _NO_PROVIDER_TO_2025)


@rule("178", tables=("Episodes",), fields=("PLACE_PROVIDER", "PLACE"), years=range(2026, 2028), examples=[
    Example({"Episodes": [ok(PLACE="U1", PLACE_PROVIDER="PR1"), fail(PLACE="U1", PLACE_PROVIDER="PR6"),
                          fail(PLACE="Z11", PLACE_PROVIDER="PR1"), fail(PLACE="T3", PLACE_PROVIDER="PR4"),
                          ok(PLACE="T4", PLACE_PROVIDER="PR1"), ok(PLACE="Z12", PLACE_PROVIDER=None)]}),
])
def provider_code_valid_from_2026(r: Return) -> Where:
    # The DfE's 2025/26 definition of 178 leaves T4 out of its list (213 still covers it).
    return _provider_code_invalid(r, [c for c in _NO_PROVIDER_FROM_2026 if c != "T4"])


# -- placement providers ------------------------------------------------------------------------

@rule("213", tables=("Episodes",), fields=("PLACE_PROVIDER",), years=range(2023, 2026), examples=[
    Example({"Episodes": [fail(PLACE="T0", PLACE_PROVIDER="PR1"), fail(PLACE="t4", PLACE_PROVIDER="PR0"),
                          ok(PLACE="T2", PLACE_PROVIDER=None), ok(PLACE="U1", PLACE_PROVIDER="PR1"),
                          ok(PLACE="Z1", PLACE_PROVIDER="PR1")]}, year=2024),
])
def provider_given_for_temporary_placement(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", _TEMPORARY) & pl.col("PLACE_PROVIDER").is_not_null())


@rule("213", tables=("Episodes",), fields=("PLACE_PROVIDER",), years=range(2026, 2028), examples=[
    Example({"Episodes": [fail(PLACE="T4", PLACE_PROVIDER="PR1"), fail(PLACE="Z13", PLACE_PROVIDER="PR2"),
                          ok(PLACE="Z11", PLACE_PROVIDER=None), ok(PLACE="K3", PLACE_PROVIDER="PR4")]}),
])
def provider_given_for_temporary_or_other_placement(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", _NO_PROVIDER_FROM_2026) & pl.col("PLACE_PROVIDER").is_not_null())


@rule("526", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), years=range(2023, 2026), examples=[
    Example({"Episodes": [fail(PLACE="U1", PLACE_PROVIDER=None), ok(PLACE="U1", PLACE_PROVIDER="PR1"),
                          ok(PLACE="T3", PLACE_PROVIDER=None), ok(PLACE="Z1", PLACE_PROVIDER=None),
                          fail(PLACE=None, PLACE_PROVIDER=None)]}, year=2025),
])
def provider_missing(r: Return) -> Where:
    return where(r.episodes, ~_in("PLACE", _NO_PROVIDER_TO_2025) & pl.col("PLACE_PROVIDER").is_null())


@rule("526", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), years=range(2026, 2028), examples=[
    Example({"Episodes": [fail(PLACE="K3", PLACE_PROVIDER=None), ok(PLACE="Z14", PLACE_PROVIDER=None),
                          ok(PLACE="T4", PLACE_PROVIDER=None), ok(PLACE="R1", PLACE_PROVIDER="PR3")]}),
])
def provider_missing_from_2026(r: Return) -> Where:
    return where(r.episodes, ~_in("PLACE", _NO_PROVIDER_FROM_2026) & pl.col("PLACE_PROVIDER").is_null())


@rule("527", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [fail(PLACE="P1", PLACE_PROVIDER="PR1"), fail(PLACE="r5", PLACE_PROVIDER="pr1"),
                          ok(PLACE="R2", PLACE_PROVIDER="PR0"), ok(PLACE="U1", PLACE_PROVIDER="PR1")]}),
])
def own_provision_for_parents_or_care_home(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", ["P1", "R2", "R5"]) & (pl.col("PLACE_PROVIDER") == "PR1"))


@rule("528", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [fail(PLACE="R2", PLACE_PROVIDER="PR2"), ok(PLACE="K2", PLACE_PROVIDER="PR2"),
                          ok(PLACE="P1", PLACE_PROVIDER="PR0")]}),
])
def other_la_provision_for_parents_or_care_home(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", ["P1", "R2", "R5"]) & (pl.col("PLACE_PROVIDER") == "PR2"))


@rule("529", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [fail(PLACE="A3", PLACE_PROVIDER="PR3"), fail(PLACE="U6", PLACE_PROVIDER="PR3"),
                          fail(PLACE="K2", PLACE_PROVIDER="PR3"), ok(PLACE="R1", PLACE_PROVIDER="PR3"),
                          ok(PLACE="U1", PLACE_PROVIDER="PR4")]}),
])
def public_provider_for_family_or_adoptive_placement(r: Return) -> Where:
    codes = ["P1", *_ADOPTION, "K1", "K2", *_FOSTER]
    return where(r.episodes, _in("PLACE", codes) & (pl.col("PLACE_PROVIDER") == "PR3"))


@rule("530", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [fail(PLACE="P1", PLACE_PROVIDER="PR4"), ok(PLACE="U4", PLACE_PROVIDER="PR4")]}),
])
def private_provider_for_parents(r: Return) -> Where:
    return where(r.episodes, (pl.col("PLACE") == "P1") & (pl.col("PLACE_PROVIDER") == "PR4"))


@rule("531", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [fail(PLACE="P1", PLACE_PROVIDER="PR5"), ok(PLACE="U4", PLACE_PROVIDER="PR5")]}),
])
def voluntary_provider_for_parents(r: Return) -> Where:
    return where(r.episodes, (pl.col("PLACE") == "P1") & (pl.col("PLACE_PROVIDER") == "PR5"))


@rule("550", tables=("Episodes",), fields=("PLACE", "PLACE_PROVIDER"), examples=[
    Example({"Episodes": [ok(PLACE="P1", PLACE_PROVIDER="PR0"), fail(PLACE="U1", PLACE_PROVIDER="PR0"),
                          fail(PLACE=None, PLACE_PROVIDER="PR0"), ok(PLACE="U1", PLACE_PROVIDER="PR1")]}),
])
def parent_provider_not_with_parents(r: Return) -> Where:
    return where(r.episodes, (pl.col("PLACE_PROVIDER") == "PR0") & pl.col("PLACE").ne_missing("P1"))


# -- placement types and legal status ---------------------------------------------------------

@rule("217", tables=("Episodes",), fields=("PLACE", "DECOM", "RNE"), examples=[
    Example({"Episodes": [fail(PLACE="A3", DECOM="01/04/2015", RNE="P"), ok(PLACE="A3", DECOM="31/03/2015", RNE="P"),
                          ok(PLACE="A5", DECOM="01/06/2024", RNE="t"), fail(PLACE="A5", DECOM="01/06/2024", RNE=None),
                          ok(PLACE="A4", DECOM="01/06/2024", RNE="P")]}),
])
def adoption_by_foster_carers_without_new_legal_reason(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", ["A3", "A5"]) & (pl.col("DECOM") >= dt.date(2015, 4, 1))
                 & ~_in("RNE", ["S", "T", "U"]))


@rule("217t", tables=("Episodes",), fields=("PLACE", "DECOM"), examples=[
    Example({"Episodes": [ok(PLACE="P2", DEC="28/10/2023"), fail(PLACE="P2", DEC="29/10/2023"),
                          fail(PLACE="P2", DEC=None), ok(PLACE="H5", DEC=None)]}, year=2024),
])
def p2_after_28_october_2023(r: Return) -> Where:
    # P2 ended on 28 October 2023: no P2 episode may still be open after it.
    return where(r.episodes, (pl.col("PLACE") == "P2")
                 & ((pl.col("DEC") > dt.date(2023, 10, 28)) | pl.col("DEC").is_null()))


@rule("408", tables=("Episodes",), fields=("PLACE", "LS"), examples=[
    Example({"Episodes": [fail(PLACE="A5", LS="C2"), ok(PLACE="A6", LS="E1"), fail(PLACE="A6", LS=None),
                          ok(PLACE="A3", LS="C2")]}),
])
def placed_for_adoption_without_placement_order(r: Return) -> Where:
    return where(r.episodes, _in("PLACE", ["A5", "A6"]) & pl.col("LS").ne_missing("E1"))


@rule("516", tables=("Episodes",), fields=("REC", "PLACE"), examples=[
    Example({"Episodes": [fail(REC="E45", PLACE="R1"), ok(REC="E46", PLACE="U3"), fail(REC="E46", PLACE=None),
                          ok(REC="E11", PLACE="R1")]}),
])
def sgo_by_former_foster_carer_not_from_foster_placement(r: Return) -> Where:
    return where(r.episodes, _in("REC", ["E45", "E46"]) & ~_in("PLACE", _FOSTER))


@rule("384", tables=("Episodes",), fields=("PLACE", "LS"), examples=[
    Example({"Episodes": [fail(LS="V3", PLACE="U1"), fail(LS="V4", PLACE="U4"), ok(LS="V3", PLACE="U3"),
                          ok(LS="C2", PLACE="U1")]}),
])
def short_breaks_in_long_term_foster_placement(r: Return) -> Where:
    return where(r.episodes, _in("LS", _SHORT_BREAKS) & _in("PLACE", ["U1", "U4"]))


# -- age for the placement type ---------------------------------------------------------------

def _under_age(place: str, age: int) -> pl.Expr:
    """An episode in ``place`` beginning before the child's birthday ``age`` (on episodes_dob)."""
    return (pl.col("PLACE") == place) & (pl.col("DECOM") < add_years("DOB_H", age))


def _placed_under_age(r: Return, place: str, age: int) -> pl.DataFrame:
    return r.episodes_dob.filter(_under_age(place, age))


def _age_example(place: str, age: int, year: int) -> Example:
    start = f"01/06/{year - 1}"
    return Example({
        "Header": [ok(CHILD="A", DOB=f"01/06/{year - 1 - age}"), ok(CHILD="B", DOB=f"02/06/{year - 1 - age}"),
                   ok(CHILD="C", DOB=None)],
        "Episodes": [ok(CHILD="A", PLACE=place, DECOM=start),  # on the birthday
                     fail(CHILD="B", PLACE=place, DECOM=start),
                     fail(CHILD="B", PLACE=place.lower(), DECOM=start, DEC=f"01/07/{year - 1}"),
                     ok(CHILD="B", PLACE="U1", DECOM=start),
                     ok(CHILD="C", PLACE=place, DECOM=start)],
    }, year=year)


@rule("370", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), years=[2023],
      examples=[_age_example("P2", 15, 2023)])
def independent_living_under_15(r: Return) -> Where:
    return where(r.episodes_dob, _under_age("P2", 15))


@rule("370", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), years=[2024],
      examples=[_age_example("P2", 16, 2024)])
def independent_living_under_16(r: Return) -> Where:
    return where(r.episodes_dob, _under_age("P2", 16))


@rule("371", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), years=[2023],
      examples=[_age_example("H5", 14, 2023)])
def semi_independent_living_under_14(r: Return) -> pl.DataFrame:
    return _placed_under_age(r, "H5", 14)


@rule("371", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), years=[2024],
      examples=[_age_example("H5", 16, 2024)])
def semi_independent_living_under_16(r: Return) -> pl.DataFrame:
    return _placed_under_age(r, "H5", 16)


@rule("371", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), years=range(2025, 2028),
      examples=[_age_example("K3", 16, 2025), _age_example("K3", 16, 2027)])
def supported_accommodation_under_16(r: Return) -> pl.DataFrame:
    return _placed_under_age(r, "K3", 16)


@rule("372", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), examples=[_age_example("R5", 10, 2025)])
def youth_custody_under_10(r: Return) -> Where:
    return where(r.episodes_dob, _under_age("R5", 10))


@rule("373", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), examples=[_age_example("S1", 4, 2025)])
def school_placement_under_4(r: Return) -> Where:
    return where(r.episodes_dob, _under_age("S1", 4))


@rule("374", tables=("Episodes", "Header"), fields=("DECOM", "PLACE"), examples=[_age_example("P3", 14, 2025)])
def residential_employment_under_14(r: Return) -> Where:
    return where(r.episodes_dob, _under_age("P3", 14))
