"""Ofsted unique reference numbers (URNs): when a placement needs one, and whether it agrees with
the Ofsted provider list (placement types, provider codes, postcode, LA and registration dates)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat import refdata
from carestat.validate.context import Return
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_NO_URN = "XXXXXXX"  # a placement with a provider not registered with Ofsted (adoption agencies)
_TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
_OTHER_FROM_2026 = ["Z11", "Z12", "Z13", "Z14"]
_SHORT_BREAKS = ["V3", "V4"]

# Placement types that are not Ofsted-registered settings, by the year the list changed.
_NOT_REGISTERED_TO_2024 = ["H5", "P1", "P2", "P3", "R1", "R2", "R5", *_TEMPORARY, "Z1"]
_NOT_REGISTERED_2024 = ["P1", "P2", "P3", "R1", "R2", "R5", *_TEMPORARY, "Z1"]
_NOT_REGISTERED_2025 = ["P1", "P3", "R1", "R2", "R5", *_TEMPORARY, "Z1"]
_NOT_REGISTERED_FROM_2026 = ["P1", "P3", "R1", "R2", "R5", *_TEMPORARY, *_OTHER_FROM_2026]

_PROVIDER = {"URN": "SC100001", "PLACE_CODES": "K2,R1", "PROVIDER_CODES": "PR4", "REG_START": "01/01/2010",
             "REG_END": None, "POSTCODE": "TW9 1AA", "LA_CODES": "318"}
_CLOSED = {"URN": "SC100002", "PLACE_CODES": "K2", "PROVIDER_CODES": "PR1,PR2", "REG_START": "01/01/2010",
           "REG_END": "30/06/2024", "POSTCODE": "M1 1AE", "LA_CODES": "352"}


def _in(field: str | pl.Expr, codes: list[str]) -> pl.Expr:
    expr = pl.col(field) if isinstance(field, str) else field
    return expr.is_in(codes).fill_null(False)


def _urn() -> pl.Expr:
    # URN is free text in the spec; Ofsted's are compared case-free, as the provider list's are.
    return pl.col("URN").str.to_uppercase()


def _urn_given() -> pl.Expr:
    return pl.col("URN").is_not_null() & (_urn() != _NO_URN)


def _outside_england() -> pl.Expr:
    # A placement postcode found outside England: Wales, Scotland, NI (PL_LA WAL/SCO/NIR) or
    # the Channel Islands and Isle of Man (PL_LA blank, postcode known: the DfE's NUK).
    return pl.col("PL_KNOWN") & ~pl.col("PL_LA").str.starts_with("E").fill_null(False)


def _with_provider(r: Return) -> pl.DataFrame:
    """Episodes with a URN (not XXXXXXX) and that URN's provider-list entry (``_listed``), built
    once for the rules sharing it."""
    return r.view("with_provider", _build_with_provider)


def _build_with_provider(r: Return) -> pl.DataFrame:
    providers = r.providers.select(  # type: ignore[union-attr]
        "URN", "PLACE_CODES", "PROVIDER_CODES", "REG_END", "LA_CODES",
        pl.col("PL_SECTOR").alias("_provider_sector"), _listed=pl.lit(True))
    return r.episodes.lazy().filter(_urn_given()).with_columns(_URN=_urn()).join(
        providers.lazy().rename({"URN": "_URN"}), on="_URN", how="left").with_columns(
        pl.col("_listed").fill_null(False)).collect(engine="in-memory")


# -- whether a URN is needed ---------------------------------------------------------------------

def _urn_missing(r: Return, not_registered: list[str]) -> Where:
    # Only episodes open after URNs were introduced (31 March 2015) in English placements.
    return where(r.episodes, ((pl.col("DEC") > dt.date(2015, 3, 31)) | pl.col("DEC").is_null())
                 & pl.col("URN").is_null() & ~_in("PLACE", not_registered) & ~_outside_england())


@rule("218", tables=("Episodes",), fields=("URN",), years=range(2023, 2025), examples=[
    Example({"Episodes": [fail(PLACE="K2", URN=None, PL_POST="TW9 1AA"), ok(PLACE="K2", URN="SC1", PL_POST="TW9 1AA"),
                          ok(PLACE="H5", URN=None), ok(PLACE="p2", URN=None), fail(PLACE="U1", URN=None, PL_POST=None),
                          ok(PLACE="K2", URN=None, PL_POST="CF10 1AA"), ok(PLACE="K2", URN=None, PL_POST="JE2 3AB"),
                          ok(PLACE="K2", URN=None, DEC="31/03/2015"), fail(PLACE="K2", URN=None, DEC="01/04/2015")]},
            year=2024),
])
def urn_missing(r: Return) -> Where:
    return _urn_missing(r, _NOT_REGISTERED_TO_2024)


@rule("218", tables=("Episodes",), fields=("URN",), years=[2025], examples=[
    Example({"Episodes": [fail(PLACE="K3", URN=None), fail(PLACE="H5", URN=None), ok(PLACE="Z1", URN=None),
                          ok(PLACE="U1", URN="XXXXXXX")]}, year=2025),
])
def urn_missing_2025(r: Return) -> Where:
    return _urn_missing(r, _NOT_REGISTERED_2025)


@rule("218", tables=("Episodes",), fields=("URN",), years=range(2026, 2028), examples=[
    Example({"Episodes": [fail(PLACE="K3", URN=None), ok(PLACE="Z13", URN=None), fail(PLACE="Z1", URN=None),
                          ok(PLACE="R1", URN=None), ok(PLACE="K2", URN=None, PL_POST="EH1 1AA")]}),
])
def urn_missing_from_2026(r: Return) -> Where:
    return _urn_missing(r, _NOT_REGISTERED_FROM_2026)


@rule("230", tables=("Episodes",), fields=("PLACE", "DEC", "URN"), examples=[
    Example({"Episodes": [fail(PLACE="H5", DEC=None, URN=None), fail(PLACE="H5", DEC="29/10/2023", URN="XXXXXXX"),
                          ok(PLACE="H5", DEC="28/10/2023", URN=None), ok(PLACE="H5", DEC=None, URN="SC1"),
                          ok(PLACE="H5", DEC=None, URN=None, PL_POST="CF10 1AA"), ok(PLACE="K2", DEC=None, URN=None)]},
            year=2024),
])
def supported_accommodation_urn_missing(r: Return) -> Where:
    # H5 settings had to register with Ofsted from 28 October 2023.
    return where(r.episodes, (pl.col("PLACE") == "H5")
                 & ((pl.col("DEC") >= dt.date(2023, 10, 29)) | pl.col("DEC").is_null())
                 & (pl.col("URN").is_null() | (_urn() == _NO_URN)) & ~_outside_england())


def _urn_not_needed(r: Return, not_registered: list[str]) -> Where:
    return where(r.episodes, _in("PLACE", not_registered) & _urn_given())


@rule("222", tables=("Episodes",), fields=("URN",), years=[2023], examples=[
    Example({"Episodes": [fail(PLACE="H5", URN="SC1"), fail(PLACE="t1", URN="SC1"), ok(PLACE="P1", URN="XXXXXXX"),
                          ok(PLACE="P1", URN=None), ok(PLACE="K2", URN="SC1")]}, year=2023),
])
def urn_for_unregistered_placement_2023(r: Return) -> Where:
    return _urn_not_needed(r, _NOT_REGISTERED_TO_2024)


@rule("222", tables=("Episodes",), fields=("URN",), years=[2024], examples=[
    Example({"Episodes": [ok(PLACE="H5", URN="SC1"), fail(PLACE="P2", URN="SC1")]}, year=2024),
])
def urn_for_unregistered_placement_2024(r: Return) -> Where:
    return _urn_not_needed(r, _NOT_REGISTERED_2024)


@rule("222", tables=("Episodes",), fields=("URN",), years=[2025], examples=[
    Example({"Episodes": [ok(PLACE="K3", URN="SC1"), fail(PLACE="Z1", URN="SC1"), fail(PLACE="R2", URN="1234567")]},
            year=2025),
])
def urn_for_unregistered_placement_2025(r: Return) -> Where:
    return _urn_not_needed(r, _NOT_REGISTERED_2025)


@rule("222", tables=("Episodes",), fields=("URN",), years=range(2026, 2028), examples=[
    Example({"Episodes": [fail(PLACE="Z12", URN="SC1"), ok(PLACE="K3", URN="SC1"), ok(PLACE="Z14", URN="XXXXXXX")]}),
])
def urn_for_unregistered_placement(r: Return) -> Where:
    return _urn_not_needed(r, _NOT_REGISTERED_FROM_2026)


@rule("242", tables=("Episodes",), fields=("URN",), examples=[
    Example({"Episodes": [ok(URN="XXXXXXX", PLACE="A5"), ok(URN="xxxxxxx", PLACE="U3"), fail(URN="XXXXXXX", PLACE="K2"),
                          fail(URN="XXXXXXX", PLACE=None), ok(URN="SC1", PLACE="K2")]}),
])
def no_urn_marker_outside_adoption_or_fostering(r: Return) -> Where:
    codes = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]
    return where(r.episodes, (_urn() == _NO_URN) & ~_in("PLACE", codes))


@rule("243", tables=("Episodes",), fields=("URN",), examples=[
    Example({"Episodes": [fail(URN="SC1", PL_POST="CF10 1AA"), fail(URN="XXXXXXX", PL_POST="EH1 1AA"),
                          fail(URN="SC1", PL_POST="JE2 3AB"), ok(URN=None, PL_POST="CF10 1AA"),
                          ok(URN="SC1", PL_POST="TW9 1AA"), ok(URN="SC1", PL_POST="ZZ9 9ZZ")]}),
])
def urn_for_placement_outside_england(r: Return) -> Where:
    return where(r.episodes, _outside_england() & pl.col("URN").is_not_null())


# -- agreement with the Ofsted provider list ----------------------------------------------------

@rule("1008", tables=("Episodes",), fields=("URN",), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100001"), ok(URN="sc100001"), fail(URN="SC999999"), ok(URN="XXXXXXX"), ok(URN=None)]},
            providers=[_PROVIDER]),
])
def urn_not_in_provider_list(r: Return) -> Where:
    return where(_with_provider(r), ~pl.col("_listed"))


@rule("219", tables=("Episodes",), fields=("URN", "PLACE"), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100001", PLACE="K2"), ok(URN="SC100001", PLACE="r1"), fail(URN="SC100001", PLACE="K1"),
                          fail(URN="SC100001", PLACE=None), fail(URN="SC999999", PLACE="K2"), ok(URN="XXXXXXX", PLACE="A5")]},
            providers=[_PROVIDER]),
])
def urn_does_not_offer_placement_type(r: Return) -> Where:
    return where(_with_provider(r), ~pl.col("PLACE_CODES").list.contains(pl.col("PLACE")).fill_null(False))


@rule("224", tables=("Episodes",), fields=("PLACE_PROVIDER",), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100001", PLACE_PROVIDER="PR4"), fail(URN="SC100001", PLACE_PROVIDER="PR1"),
                          fail(URN="SC100001", PLACE_PROVIDER=None), fail(URN="SC999999", PLACE_PROVIDER="PR4"),
                          ok(URN="SC100002", PLACE_PROVIDER="pr2")]},
            providers=[_PROVIDER, _CLOSED]),
])
def urn_does_not_match_provider_code(r: Return) -> Where:
    offered = pl.col("PROVIDER_CODES").list.contains(pl.col("PLACE_PROVIDER"))
    return where(_with_provider(r), ~offered.fill_null(False))


def _same_area(sector: pl.Expr, other: pl.Expr) -> pl.Expr:
    """The same postcode sector; only the same district when either side gave no more than that."""
    district = sector.str.split(" ").list.first()
    other_district = other.str.split(" ").list.first()
    partial = ~sector.str.contains(" ") | ~other.str.contains(" ")
    return ((sector == other) | (partial & (district == other_district))).fill_null(False)


def _postcode_mismatch(r: Return, places: list[str]) -> Where:
    return where(_with_provider(r), ~_in("LS", _SHORT_BREAKS) & _in("PLACE", places)
                 & pl.col("PL_POST").is_not_null()
                 & ~_same_area(pl.col("PL_SECTOR"), pl.col("_provider_sector")))


def _postcode_example(year: int, place: str) -> Example:
    return Example({"Episodes": [
        ok(URN="SC100002", PLACE=place, PL_POST="M1 1AE"), ok(URN="SC100002", PLACE=place, PL_POST="M1 1ZZ"),
        ok(URN="SC100002", PLACE=place, PL_POST="M1"), fail(URN="SC100002", PLACE=place, PL_POST="TW9 1AA"),
        fail(URN="SC100002", PLACE=place, PL_POST="M1 2AA"), ok(URN="SC100002", PLACE=place, PL_POST=None),
        ok(URN="SC100002", PLACE=place, PL_POST="TW9 1AA", LS="V3"), ok(URN="SC100002", PLACE="U1", PL_POST="TW9 1AA"),
        fail(URN="SC999999", PLACE=place, PL_POST="M1 1AE"),
    ]}, year=year, providers=[_PROVIDER, _CLOSED])


@rule("221", tables=("Episodes",), fields=("PL_POST",), years=[2023], needs=("providers",),
      examples=[_postcode_example(2023, "K2")])
def urn_postcode_mismatch_2023(r: Return) -> Where:
    return _postcode_mismatch(r, ["K1", "K2", "R3", "S1"])


@rule("221", tables=("Episodes",), fields=("PL_POST",), years=[2024], needs=("providers",),
      examples=[_postcode_example(2024, "H5")])
def urn_postcode_mismatch_2024(r: Return) -> Where:
    return _postcode_mismatch(r, ["H5", "K1", "K2", "R3", "S1"])


@rule("221", tables=("Episodes",), fields=("PL_POST",), years=range(2025, 2028), needs=("providers",),
      examples=[_postcode_example(2025, "K3"), _postcode_example(2027, "S1")])
def urn_postcode_mismatch(r: Return) -> Where:
    return _postcode_mismatch(r, ["K1", "K2", "K3", "R3", "S1"])


@rule("227", tables=("Episodes",), fields=("URN", "DECOM"), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100002", DECOM="29/06/2024"), fail(URN="SC100002", DECOM="30/06/2024"),
                          fail(URN="SC100002", DECOM="01/07/2024"), ok(URN="SC100001", DECOM="01/07/2024"),
                          ok(URN="SC999999", DECOM="01/07/2024")]},
            year=2025, providers=[_PROVIDER, _CLOSED]),
])
def episode_starts_after_registration_ended(r: Return) -> Where:
    return where(_with_provider(r), pl.col("DECOM") >= pl.col("REG_END"))


@rule("228", tables=("Episodes",), fields=("URN", "DEC"), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100002", DEC="30/06/2024"), fail(URN="SC100002", DEC="01/07/2024"),
                          fail(URN="SC100002", DEC=None), ok(URN="SC100001", DEC=None),
                          ok(URN="SC999999", DEC=None)]},
            year=2025, providers=[_PROVIDER, _CLOSED]),
    Example({"Episodes": [ok(URN="SC100003", DEC=None), fail(URN="SC100003", DEC="01/04/2025")]}, year=2025,
            providers=[{**_CLOSED, "URN": "SC100003", "REG_END": "31/03/2025"}]),
])
def episode_ends_after_registration_ended(r: Return) -> Where:
    # An open episode must be with a provider still registered on 31 March.
    return where(_with_provider(r), pl.coalesce("DEC", pl.lit(r.end)) > pl.col("REG_END"))


def _provider_la_mismatch(r: Return, places_exempt: list[str]) -> Where:
    # PR1 (own LA) needs a provider with premises in the LA; PR2 (another LA) one without.
    own = sorted(refdata.area_codes(r.la.old_la_code))  # type: ignore[union-attr]
    in_own_la = pl.col("LA_CODES").list.eval(pl.element().is_in(own)).list.any().fill_null(False)
    return where(_with_provider(r), ~_in("PLACE", places_exempt)
                 & (((pl.col("PLACE_PROVIDER") == "PR1") & ~in_own_la)
                    | ((pl.col("PLACE_PROVIDER") == "PR2") & in_own_la)))


def _la_example(year: int) -> Example:
    return Example({"Episodes": [
        ok(URN="SC100001", PLACE="K2", PLACE_PROVIDER="PR1"), fail(URN="SC100002", PLACE="K2", PLACE_PROVIDER="PR1"),
        ok(URN="SC100002", PLACE="K2", PLACE_PROVIDER="PR2"), fail(URN="SC100001", PLACE="K2", PLACE_PROVIDER="PR2"),
        fail(URN="SC999999", PLACE="K2", PLACE_PROVIDER="PR1"), ok(URN="SC100001", PLACE="K2", PLACE_PROVIDER="PR4"),
    ]}, year=year, la="318", providers=[_PROVIDER, _CLOSED])


@rule("229", tables=("Episodes",), fields=("URN", "PLACE_PROVIDER"), years=range(2023, 2026),
      needs=("providers", "la"), examples=[
          _la_example(2025),
          Example({"Episodes": [fail(URN="SC100001", PLACE="R1", PLACE_PROVIDER="PR2")]}, year=2024, la="318",
                  providers=[_PROVIDER]),
      ])
def provider_la_mismatch(r: Return) -> Where:
    return _provider_la_mismatch(r, [])


@rule("229", tables=("Episodes",), fields=("URN", "PLACE_PROVIDER"), years=range(2026, 2028),
      needs=("providers", "la"), examples=[
          _la_example(2026),
          Example({"Episodes": [ok(URN="SC100001", PLACE="R1", PLACE_PROVIDER="PR2"),
                                ok(URN="SC100001", PLACE="K3", PLACE_PROVIDER="PR2")]}, la="318", providers=[_PROVIDER]),
      ])
def provider_la_mismatch_from_2026(r: Return) -> Where:
    return _provider_la_mismatch(r, ["K3", "P1", "P3", "R1", "R2", "R5", *_TEMPORARY, *_OTHER_FROM_2026])


@rule("241", tables=("Episodes",), fields=("URN",), needs=("providers",), examples=[
    Example({"Episodes": [ok(URN="SC100004", PLACE="K3", PL_POST="TW9 1AA"), ok(URN="SC100004", PLACE="K3", PL_POST="M1 1AE"),
                          fail(URN="SC100004", PLACE="K3", PL_POST="CF10 1AA"), fail(URN="SC100001", PLACE="K3", PL_POST="M1 1AE"),
                          ok(URN="SC100001", PLACE="K2", PL_POST="M1 1AE"), ok(URN="SC100004", PLACE="K3", PL_POST=None),
                          ok(URN="SC999999", PLACE="K3", PL_POST="M1 1AE")]},
            providers=[_PROVIDER, {**_PROVIDER, "URN": "SC100004", "PLACE_CODES": "K3", "LA_CODES": "318,352"}]),
])
def supported_accommodation_outside_provider_las(r: Return) -> pl.LazyFrame:
    # PL_LA is an ONS code (or WAL/SCO/NIR); the provider list gives 3-digit codes.
    to_old = refdata.local_authorities().select(
        pl.col("new_la_code").alias("PL_LA"), pl.col("old_la_code").alias("_pl_la_old")).unique("PL_LA")
    return _with_provider(r).lazy().filter((pl.col("PLACE") == "K3") & pl.col("_listed") & pl.col("PL_KNOWN")).join(
        to_old.lazy(), on="PL_LA", how="left").filter(
        ~pl.col("LA_CODES").list.contains(pl.col("_pl_la_old")).fill_null(False))
