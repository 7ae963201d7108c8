"""Postcodes and what is derived from them: placement distance, LA of placement and whether the
placement is in or out of the LA's area (see :mod:`carestat.ingest.derived903`)."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.registry import Example, Where, fail, ok, rule, where

_SHORT_BREAKS = ["V3", "V4"]
_FULL_POSTCODE = r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$"


def _in(field: str, codes: list[str]) -> pl.Expr:
    return pl.col(field).is_in(codes).fill_null(False)


def _short_breaks() -> pl.Expr:
    return _in("LS", _SHORT_BREAKS)


def _pl_la() -> pl.Expr:
    # A known postcode outside the UK (Channel Islands, Isle of Man) is the DfE's NUK, not a blank.
    return pl.coalesce(pl.col("PL_LA"), pl.when(pl.col("PL_KNOWN")).then(pl.lit("NUK")))


def _ever_uasc(r: Return) -> pl.Expr:
    """The child is UASC this year or was last year (when last year's return was given)."""
    return pl.col("CHILD").is_in(r.view("ever_uasc", _ever_uasc_children).implode())


def _ever_uasc_children(r: Return) -> pl.Series:
    headers = [r.header.select("CHILD", "UASC")]
    if r.has("Header_last"):
        headers.append(r.last("Header").select("CHILD", "UASC"))
    return pl.concat(headers).filter(pl.col("UASC") == "1")["CHILD"].unique()


# -- postcodes --------------------------------------------------------------------------------

@rule("392b", tables=("Episodes", "Header"), fields=("HOME_POST", "PL_POST"), examples=[
    Example({
        "Header": [ok(CHILD="A"), ok(CHILD="B", UASC="1")],
        "Episodes": [ok(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     fail(CHILD="A", LS="C2", HOME_POST=None, PL_POST="TW1 3AA"),
                     fail(CHILD="A", LS=None, HOME_POST="TW9 1AA", PL_POST=None),
                     ok(CHILD="A", LS="V3", HOME_POST=None, PL_POST=None),
                     ok(CHILD="B", LS="C2", HOME_POST=None, PL_POST=None)],
    }),
    Example({
        "Header": [ok(CHILD="A"), ok(CHILD="B")],
        "Header_last": [{"CHILD": "B", "UASC": "1"}],
        "Episodes": [fail(CHILD="A", LS="C2"), ok(CHILD="B", LS="C2")],
    }),
])
def postcodes_missing(r: Return) -> Where:
    return where(r.episodes, ~_ever_uasc(r) & ~_short_breaks()
                 & (pl.col("HOME_POST").is_null() | pl.col("PL_POST").is_null()))


@rule("392c", tables=("Episodes",), fields=("HOME_POST", "PL_POST"), examples=[
    Example({"Episodes": [ok(HOME_POST="TW9 1AA", PL_POST="tw1 3aa"), ok(HOME_POST="TW9", PL_POST="TW1 3"),
                          fail(HOME_POST="ZZ9 9ZZ", PL_POST="TW1 3AA"), fail(HOME_POST="TW9 1AA", PL_POST="NOT KNOWN"),
                          ok(HOME_POST=None, PL_POST=None), ok(HOME_POST="JE2 3AB", PL_POST="CF10 1AA")]}),
])
def postcode_not_found(r: Return) -> pl.DataFrame:
    return r.episodes.filter(
        (pl.col("HOME_POST").is_not_null() & ~pl.col("HOME_KNOWN"))
        | (pl.col("PL_POST").is_not_null() & ~pl.col("PL_KNOWN"))
    )


@rule("392d", tables=("Episodes",), fields=("HOME_POST", "PL_POST", "PLACE"), examples=[
    Example({"Episodes": [fail(PLACE="U1", HOME_POST="TW9 1AA", PL_POST="TW9 1AA"),
                          fail(PLACE=None, HOME_POST="TW9 1AA", PL_POST="tw91aa"),
                          ok(PLACE="P1", HOME_POST="TW9 1AA", PL_POST="TW9 1AA"),
                          ok(PLACE="U1", HOME_POST="TW9 1AA", PL_POST="TW9 1AB"),
                          # Partial postcodes: the same sector is not the same address.
                          ok(PLACE="U1", HOME_POST="TW9 1", PL_POST="TW9 1"), ok(PLACE="U1")]}),
])
def placed_at_home_postcode(r: Return) -> pl.DataFrame:
    home = pl.col("HOME_POST").str.replace_all(" ", "")
    return r.episodes.filter(
        pl.col("PLACE").ne_missing("P1") & (home == pl.col("PL_POST").str.replace_all(" ", ""))
        & home.str.contains(_FULL_POSTCODE)
    )


@rule("214", tables=("Episodes",), fields=("PL_POST", "URN"), examples=[
    Example({"Episodes": [fail(LS="V3", PL_POST="TW1 3AA"), fail(LS="v4", URN="SC1"), ok(LS="V3", HOME_POST="TW9 1AA"),
                          ok(LS="C2", PL_POST="TW1 3AA", URN="SC1")]}),
])
def short_breaks_with_placement_location(r: Return) -> Where:
    return where(r.episodes, _short_breaks()
                 & (pl.col("PL_POST").is_not_null() | pl.col("URN").is_not_null()))


@rule("398", tables=("Episodes",), fields=("LS", "HOME_POST", "PL_POST"), examples=[
    Example({"Episodes": [fail(LS="V3", HOME_POST="TW9 1AA"), fail(LS="V4", PL_POST="TW1 3AA"), ok(LS="V4"),
                          ok(LS="C2", HOME_POST="TW9 1AA", PL_POST="TW1 3AA")]}),
])
def short_breaks_with_postcodes(r: Return) -> Where:
    return where(r.episodes, _short_breaks()
                 & (pl.col("HOME_POST").is_not_null() | pl.col("PL_POST").is_not_null()))


# -- distance ---------------------------------------------------------------------------------

@rule("392a", tables=("Episodes", "Header"), fields=("PL_DISTANCE",), examples=[
    Example({
        "Header": [ok(CHILD="A"), ok(CHILD="B", UASC="1")],
        "Episodes": [ok(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     fail(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST=None),
                     fail(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="ZZ9 9ZZ"),
                     ok(CHILD="A", LS="V4"), ok(CHILD="B", LS="C2")],
    }),
])
def distance_missing(r: Return) -> pl.DataFrame:
    return r.episodes.filter(~_ever_uasc(r) & ~_short_breaks() & pl.col("PL_DISTANCE").is_null())


@rule("164", tables=("Episodes", "Header"), fields=("PL_DISTANCE",), examples=[
    Example({
        "Header": [ok(CHILD="A"), ok(CHILD="B", UASC="1")],
        "Episodes": [ok(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     ok(CHILD="A", LS="C2", HOME_POST="TR21 0AA", PL_POST="ZE1 0AA"),
                     fail(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="ZZ9 9ZZ"),
                     fail(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST="JE2 3AB"),
                     ok(CHILD="A", LS="C2", HOME_POST="TW9 1AA", PL_POST=None),
                     ok(CHILD="A", LS="V3", HOME_POST="TW9 1AA", PL_POST="ZZ9 9ZZ"),
                     ok(CHILD="B", LS="C2", HOME_POST="TW9 1AA", PL_POST="ZZ9 9ZZ")],
    }),
])
def distance_not_valid(r: Return) -> Where:
    # The distance is derived here as by the DfE: it is invalid when the two postcodes were given
    # but no distance (0.0-999.9 miles) could be worked out from them.
    distance = pl.col("PL_DISTANCE")
    given = pl.col("HOME_POST").is_not_null() & pl.col("PL_POST").is_not_null()
    out_of_range = ((distance < 0) | (distance > 999.9)).fill_null(False)
    return where(r.episodes, ~_ever_uasc(r) & ~_short_breaks()
                 & (out_of_range | (given & distance.is_null())))


@rule("406", tables=("Episodes", "Header"), fields=("PL_DISTANCE",), examples=[
    Example({
        "Header": [ok(CHILD="A", UASC="1"), ok(CHILD="B", UASC="0")],
        "Header_last": [{"CHILD": "C", "UASC": "1"}],
        "Episodes": [fail(CHILD="A", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"), ok(CHILD="A", PL_POST="TW1 3AA"),
                     ok(CHILD="B", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     fail(CHILD="C", HOME_POST="TW9 1AA", PL_POST="TW1 3AA")],
    }),
])
def distance_for_uasc(r: Return) -> Where:
    return where(r.episodes, _ever_uasc(r) & pl.col("PL_DISTANCE").is_not_null())


@rule("454", tables=("Episodes",), fields=("PL_DISTANCE",), examples=[
    Example({"Episodes": [fail(HOME_POST="TR21 0AA", PL_POST="ZE1 0AA"), ok(HOME_POST="TW9 1AA", PL_POST="M1 1AE"),
                          ok(HOME_POST="TW9 1AA", PL_POST=None)]}),
])
def distance_over_350_miles(r: Return) -> Where:
    return where(r.episodes, (pl.col("PL_DISTANCE") > 350) & (pl.col("PL_DISTANCE") != 999.9))


# -- LA of placement and placement location ------------------------------------------------------

@rule("169", tables=("Episodes",), fields=("PL_LA",), examples=[
    Example({"Episodes": [ok(LS="C2", PL_POST="TW1 3AA"), ok(LS="C2", PL_POST="CF10 1AA"), ok(LS="C2", PL_POST="JE2 3AB"),
                          fail(LS="C2", PL_POST="ZZ9 9ZZ"), fail(LS=None, PL_POST=None), ok(LS="V3", PL_POST=None)]}),
])
def placement_la_missing(r: Return) -> pl.DataFrame:
    return r.episodes.filter(~_short_breaks() & _pl_la().is_null())


@rule("179", tables=("Episodes",), fields=("PL_LOCATION",), needs=("la",), examples=[
    Example({"Episodes": [ok(LS="C2", PL_POST="TW1 3AA"), ok(LS="C2", PL_POST="M1 1AE"), ok(LS="C2", PL_POST="JE2 3AB"),
                          fail(LS="C2", PL_POST="ZZ9 9ZZ"), fail(LS="C2", PL_POST=None), ok(LS="V4", PL_POST=None)]},
            la="318"),
])
def placement_location_missing(r: Return) -> pl.DataFrame:
    # PL_LOCATION is derived: blank when the placement postcode gave no area (a known postcode
    # outside the UK is OUT).
    return r.episodes.filter(~_short_breaks() & pl.col("PL_LOCATION").is_null() & ~pl.col("PL_KNOWN"))


@rule("420", tables=("Episodes",), fields=("PL_LA",), examples=[
    Example({"Episodes": [fail(LS="V3", PL_POST="TW1 3AA"), fail(LS="V4", PL_POST="JE2 3AB"), ok(LS="V3", PL_POST=None),
                          ok(LS="V3", PL_POST="ZZ9 9ZZ"), ok(LS="C2", PL_POST="TW1 3AA")]}),
])
def short_breaks_with_placement_la(r: Return) -> Where:
    return where(r.episodes, _short_breaks() & _pl_la().is_not_null())


def _own_provision_outside_la(r: Return, family_placements: list[str]) -> pl.DataFrame:
    return r.episodes.filter(
        (pl.col("PLACE_PROVIDER") == "PR1") & pl.col("PLACE").is_not_null() & ~_in("PLACE", family_placements)
        & pl.col("LS").is_not_null() & ~_short_breaks() & pl.col("PL_LOCATION").ne_missing("IN")
    )


_FAMILY = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]


@rule("1015", tables=("Episodes",), fields=("PL_LA",), years=range(2023, 2026), needs=("la",), examples=[
    Example({"Episodes": [ok(PLACE="R1", LS="C2", PLACE_PROVIDER="PR1", PL_POST="TW1 3AA"),
                          fail(PLACE="R1", LS="C2", PLACE_PROVIDER="PR1", PL_POST="M1 1AE"),
                          fail(PLACE="K3", LS="C2", PLACE_PROVIDER="PR1", PL_POST="CF10 1AA"),
                          fail(PLACE="K2", LS="C2", PLACE_PROVIDER="PR1", PL_POST=None),
                          ok(PLACE="U1", LS="C2", PLACE_PROVIDER="PR1", PL_POST="M1 1AE"),
                          ok(PLACE="R1", LS="V3", PLACE_PROVIDER="PR1", PL_POST="M1 1AE"),
                          ok(PLACE="R1", LS=None, PLACE_PROVIDER="PR1", PL_POST="M1 1AE"),
                          ok(PLACE="R1", LS="C2", PLACE_PROVIDER="PR2", PL_POST="M1 1AE")]}, year=2025, la="318"),
])
def own_provision_outside_la(r: Return) -> pl.DataFrame:
    return _own_provision_outside_la(r, _FAMILY)


@rule("1015", tables=("Episodes",), fields=("PL_LA",), years=range(2026, 2028), needs=("la",), examples=[
    Example({"Episodes": [ok(PLACE="K3", LS="C2", PLACE_PROVIDER="PR1", PL_POST="CF10 1AA"),
                          fail(PLACE="K2", LS="C2", PLACE_PROVIDER="PR1", PL_POST="M1 1AE")]}, la="318"),
])
def own_provision_outside_la_from_2026(r: Return) -> pl.DataFrame:
    return _own_provision_outside_la(r, [*_FAMILY, "K3"])


# -- continuity with last year's return --------------------------------------------------------------

def _continuing_episodes(r: Return) -> pl.DataFrame:
    """The child's first episode this year beside last year's final episode, when that was still
    open and is the same episode continuing (same RNE); last year's fields end ``_last``."""
    return r.view("continuing_episodes", _build_continuing_episodes)


def _build_continuing_episodes(r: Return) -> pl.DataFrame:
    first = r.episodes_seq.lazy().filter((pl.col("_seq") == 1) & pl.col("DECOM").is_not_null())
    # Last year's final episode: the last with a start in (CHILD, DECOM, _row) order.
    previous = (r.episodes_last_order.lazy()
                .filter(pl.col("DECOM").is_not_null() & pl.col("next_DECOM").is_null() & pl.col("DEC").is_null())
                .select("CHILD", "RNE", pl.col("PL_LA").alias("PL_LA_last"), pl.col("PL_KNOWN").alias("_known_last"),
                        pl.col("PL_DISTANCE").alias("PL_DISTANCE_last")))
    return first.join(previous, on=["CHILD", "RNE"], how="inner").collect(engine="in-memory")


@rule("452", tables=("Episodes", "Episodes_last"), fields=("PL_LA",), examples=[
    Example({
        "Episodes_last": [{"CHILD": "A", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": "TW1 3AA"},
                          {"CHILD": "B", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": "TW1 3AA"},
                          {"CHILD": "C", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": "TW1 3AA", "DEC": "01/02/2024"},
                          {"CHILD": "D", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": None},
                          {"CHILD": "E", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": "TW1 3AA"}],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", RNE="S", PL_POST="KT1 4AA"),
                     fail(CHILD="B", DECOM="01/01/2024", RNE="S", PL_POST="M1 1AE"),
                     ok(CHILD="B", DECOM="01/06/2024", RNE="P", PL_POST="TW1 3AA"),
                     ok(CHILD="C", DECOM="01/01/2024", RNE="S", PL_POST="M1 1AE"),
                     fail(CHILD="D", DECOM="01/01/2024", RNE="S", PL_POST="M1 1AE"),
                     ok(CHILD="E", DECOM="01/01/2024", RNE="P", PL_POST="M1 1AE")],
    }, year=2025),
])
def placement_la_differs_from_last_year(r: Return) -> Where:
    la_last = pl.coalesce(pl.col("PL_LA_last"), pl.when(pl.col("_known_last")).then(pl.lit("NUK")))
    return where(_continuing_episodes(r), _pl_la().ne_missing(la_last))


@rule("453", tables=("Episodes", "Episodes_last"), fields=("PL_DISTANCE",), examples=[
    Example({
        "Episodes_last": [{"CHILD": c, "DECOM": "01/01/2024", "RNE": "S", "HOME_POST": "TW9 1AA", "PL_POST": p}
                          for c, p in [("A", "TW2 7AA"), ("B", "TW9 3AA"), ("C", None), ("D", "TW9 3AA")]],
        "Episodes": [ok(CHILD="A", DECOM="01/01/2024", RNE="S", HOME_POST="TW9 1AA", PL_POST="SW13 0AA"),
                     fail(CHILD="B", DECOM="01/01/2024", RNE="S", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     fail(CHILD="C", DECOM="01/01/2024", RNE="S", HOME_POST="TW9 1AA", PL_POST="TW1 3AA"),
                     ok(CHILD="D", DECOM="01/01/2024", RNE="S", HOME_POST="TW9 1AA", PL_POST=None)],
    }, year=2025),
])
def distance_differs_from_last_year(r: Return) -> Where:
    # Distances are to 1 dp: round the difference so 0.2 is not lost to floating point.
    now, last = pl.col("PL_DISTANCE"), pl.col("PL_DISTANCE_last")
    moved = ((now - last).abs().round(1) >= 0.2).fill_null(False)
    return where(_continuing_episodes(r), moved | (last.is_null() & now.is_not_null()))
