"""Episodes from careers: merge legal status and placement changes, and place each child.

An episode starts at every change of legal status or placement. Its reason for new episode
(RNE) follows what changed: S at the start of a period, L legal status only, P placement only
(T with the same carer), B both (U with the same carer). The last episode of a period carries
the period's reason ceased; others X1. Each placement gets a provider, Ofsted URN and postcode
sector from :mod:`carestat.synth.places`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.synth.calendar import day
from carestat.synth.careers import Careers
from carestat.synth.columns import in_run, object_str, opt_str
from carestat.synth.draw import draw
from carestat.synth.places import Geography, geography, next_provider, pools
from carestat.synth.population import Periods

_IND_SWITCH = day(dt.date(2024, 4, 1))  # supported accommodation placed from here is coded K3
_REGISTERED = day(dt.date(2023, 10, 28))  # ... and from here registered with Ofsted (a URN)
_PLANNED = {"CARPL": 45, "LAREQ": 5}
_UNPLANNED = {"CREQB": 12, "CREQO": 8, "CHILD": 6, "ALLEG": 2, "STAND": 2, "CLOSE": 3, "APPRR": 1, "OTHER": 16}


def merge_episodes(periods: Periods, careers: Careers, rec: np.ndarray) -> pl.DataFrame:
    legal, places = careers.legal, careers.placements
    times = pl.concat([legal.select("period", "t"), places.select("period", "t")]).unique().sort("period", "t")
    ep = (times.join_asof(legal, on="t", by="period", strategy="backward", check_sortedness=False)
          .join_asof(places, on="t", by="period", strategy="backward", check_sortedness=False))
    prev = {c: in_run("period", pl.col(c)) for c in ("ls", "place", "carer")}
    ls_changed = pl.col("ls") != prev["ls"]
    place_changed = (pl.col("carer") != prev["carer"]) | (pl.col("place") != prev["place"])
    same_carer = pl.col("carer") == prev["carer"]
    first = prev["ls"].is_null()
    ep = ep.with_columns(first=first, ls_changed=ls_changed.fill_null(False),
                         place_changed=place_changed.fill_null(False), same_carer=same_carer.fill_null(False))
    ep = ep.filter(pl.col("first") | pl.col("ls_changed") | pl.col("place_changed"))
    ep = ep.with_columns(
        RNE=pl.when(pl.col("first")).then(pl.lit("S"))
        .when(pl.col("ls_changed") & pl.col("place_changed")).then(
            pl.when(pl.col("same_carer")).then(pl.lit("U")).otherwise(pl.lit("B")))
        .when(pl.col("ls_changed")).then(pl.lit("L"))
        .otherwise(pl.when(pl.col("same_carer")).then(pl.lit("T")).otherwise(pl.lit("P"))),
    )
    period = ep["period"].to_numpy()
    ep = ep.with_columns(
        period_end=pl.Series(periods.end[period]),
        period_rec=pl.Series(rec.astype(str)[period]),
        child=pl.Series(periods.child[period]),
    )
    ep = ep.with_columns(
        DECOM=pl.col("t"),
        DEC=in_run("period", pl.col("t"), -1).fill_null(pl.col("period_end")),
        is_last=in_run("period", pl.col("t"), -1).is_null(),
    ).with_columns(REC=pl.when(pl.col("is_last")).then(pl.col("period_rec")).otherwise(pl.lit("X1")))
    return ep.select("period", "child", "DECOM", "DEC", "RNE", pl.col("ls").alias("LS"),
                     pl.col("place").alias("PLACE"), "carer", "REC", "is_last")


def add_reasons(ep: pl.DataFrame, rng: np.random.Generator, dob: np.ndarray) -> pl.DataFrame:
    """Reason for placement change, on the episode that ends when the placement changes."""
    ep = ep.with_columns(_next_rne=in_run("period", pl.col("RNE"), -1), _next_place=in_run("period", pl.col("PLACE"), -1))
    nxt_rne, nxt_place = pl.col("_next_rne"), pl.col("_next_place")
    n = ep.height
    base = np.where(rng.random(n) < 0.5, draw(_PLANNED, n, rng), draw(_UNPLANNED, n, rng))
    age_at_dec = (ep["DEC"].to_numpy() - dob[ep["child"].to_numpy()]) / 365.25
    return ep.with_columns(
        REASON_PLACE_CHANGE=pl.when(~nxt_rne.is_in(["P", "B", "T", "U"]).fill_null(True)).then(None)
        .when(nxt_rne.is_in(["T", "U"]) & (nxt_place == "A5")).then(pl.lit("CARPL"))
        .when(nxt_rne.is_in(["T", "U"])).then(pl.lit("PLACE"))
        .when(nxt_place.is_in(["P1", "A6"])).then(pl.lit("CARPL"))
        .when((nxt_place == "R5") & pl.Series(age_at_dec >= 10)).then(pl.lit("CUSTOD"))
        .otherwise(pl.Series(base.astype(str)))
    ).drop("_next_rne", "_next_place")


def place_children(ep: pl.DataFrame, unit: str, home: np.ndarray, uasc: np.ndarray,
                   rng: np.random.Generator) -> pl.DataFrame:
    """PLACE_PROVIDER, URN and PL_POST for every placement (per carer), and HOME_POST."""
    geo = geography()
    kinds = pools()
    # One placement per carer and placement type: foster carers who adopt (A5) keep their
    # address but are placed through the adoption agency.
    carers = ep.group_by("carer", "PLACE", maintain_order=True).agg(
        pl.col("DECOM").min().alias("from"), pl.col("period").first(), pl.col("RNE").first())
    n = carers.height
    place = carers["PLACE"].to_numpy().astype(object)
    # Semi-independent or supported accommodation: H5 without a URN before registration, H5R
    # (reported as H5 with a URN, and as K3 from 2024/25) until April 2024, then K3.
    start = carers["from"].to_numpy()
    registered = (place == "INDR") | ((place == "IND") & (start >= _REGISTERED))
    place = np.where(registered, np.where(start < _IND_SWITCH, "H5R", "K3"), np.where(place == "IND", "H5", place))
    urn = np.full(n, None, dtype=object)
    prov = np.full(n, None, dtype=object)
    sector = np.full(n, None, dtype=object)
    service = kinds["la_service"].by_la.get(unit)
    la_urn = kinds["la_service"].urn[service[0]] if service is not None else f"8{unit}000"
    near = [unit, *geo.neighbours.get(unit, [])[:6]]

    def pool_pick(pool: str, mask: np.ndarray, local_share: float) -> None:
        idx = np.nonzero(mask)[0]
        if len(idx):
            urn[idx], sector[idx], prov[idx] = kinds[pool].pick(len(idx), near, local_share, unit, rng)

    relative = np.isin(place, ["U1", "U2", "U3"])
    other_foster = np.isin(place, ["U4", "U5", "U6"])
    ifa = other_foster & (rng.random(n) < 0.38)
    pool_pick("ifa", ifa, 0.75)
    pool_pick("homes", place == "K2", 0.8)
    pool_pick("secure", place == "K1", 0.6)
    pool_pick("schools", place == "S1", 0.6)
    pool_pick("family_centres", place == "R3", 0.7)
    vaa = (place == "A6") & (rng.random(n) < 0.15)
    pool_pick("vaa", vaa, 0.5)
    own = (relative | (other_foster & ~ifa) | ((place == "A6") & ~vaa) | (place == "A5"))
    urn[own], prov[own] = la_urn, "PR1"
    # Supported accommodation: one provider per carer, whether or not yet registered.
    supported = np.isin(place, ["H5", "H5R", "K3"])
    carer_ids = carers["carer"].to_numpy()
    first_rows = np.unique(carer_ids[supported], return_index=True)[1] if supported.any() else np.array([], int)
    first_of_carer = np.nonzero(supported)[0][first_rows]
    pool_pick("supported", np.isin(np.arange(n), first_of_carer), 1.0)
    by_carer = {carer_ids[i]: (urn[i], sector[i], prov[i]) for i in first_of_carer}
    for i in np.nonzero(supported)[0]:
        urn[i], sector[i], prov[i] = by_carer[carer_ids[i]]
    urn[place == "H5"] = None  # not yet registered: no URN (rule 222 in 2022/23)
    prov[place == "P1"], prov[place == "R1"], prov[place == "R5"] = "PR0", "PR4", "PR3"
    # Carers' homes: mostly in the LA, IFA carers further afield.
    where = np.where(rng.random(n) < np.where(ifa, 0.45, 0.85), unit,
                     np.array(near[1:] or [unit])[rng.integers(0, max(len(near) - 1, 1), n)])
    where = np.where(place == "R5", np.array(list(geo.sectors))[rng.integers(0, len(geo.sectors), n)], where)
    needs = (sector == None) & (place != "P1")  # noqa: E711 - object array comparison
    for la in np.unique(where[needs]):
        j = np.nonzero(needs & (where == la))[0]
        sector[j] = geo.sample(str(la), len(j), rng)
    carers = carers.with_columns(CODE=pl.Series(place.astype(str)), PLACE_PROVIDER=object_str(prov),
                                 URN=object_str(urn), PL_POST=object_str(sector))
    # The same carer keeps one address whatever the placement type.
    carers = carers.with_columns(PL_POST=pl.col("PL_POST").first().over("carer"))
    ep = ep.join(carers.select("carer", "PLACE", "CODE", "PLACE_PROVIDER", "URN", "PL_POST"),
                 on=["carer", "PLACE"], how="left", maintain_order="left").with_columns(PLACE=pl.col("CODE")).drop("CODE")
    ep = _distinct_moves(ep, unit, geo, rng)
    return _home_postcodes(ep, unit, home, uasc, geo, rng)


_FIXED_ADDRESS = ("K1", "K2", "S1", "R3", "H5", "H5R", "K3")  # the provider's premises, not a carer's home


def _distinct_moves(ep: pl.DataFrame, unit: str, geo: Geography, rng: np.random.Generator) -> pl.DataFrame:
    """A move to a new carer must show in the data (rule 435). When type, provider, URN and
    postcode sector all match the previous placement, a carer gets another address; a home or
    other premises is swapped for the next one of its kind."""
    swap = next_provider()
    for _ in range(4):
        # H5 is reported as K3 from 2024/25, so the two count as the same type here.
        kind = pl.col("PLACE").replace({"H5": "K3", "H5R": "K3"})
        same = pl.all_horizontal([e.eq_missing(in_run("period", e)) for e in
                                  (kind, pl.col("PLACE_PROVIDER"), pl.col("URN"), pl.col("PL_POST"))])
        clash = ep.filter(pl.col("RNE").is_in(["P", "B"]) & same).select("carer", "PLACE").unique(
            maintain_order=True)
        if clash.is_empty():
            break
        # A carer's provider is its URN on any of its rows (unregistered H5 rows have none).
        provider_urn = ep.filter(pl.col("URN").is_not_null()).group_by("carer").agg(pl.col("URN").first())
        rows = []
        for carer, place, urn in clash.join(provider_urn, on="carer", how="left").iter_rows():
            if place in _FIXED_ADDRESS and urn in swap:
                new_urn, new_post, owner, code = swap[urn]
                rows.append((carer, new_post, new_urn, "PR2" if code == "PR1" and owner != unit else code))
            else:
                rows.append((carer, str(geo.sample(unit, 1, rng)[0]), None, None))
        fresh = pl.DataFrame(rows, schema={"carer": pl.Int64, "new_post": pl.Utf8, "new_urn": pl.Utf8,
                                           "new_provider": pl.Utf8}, orient="row")
        ep = ep.join(fresh, on="carer", how="left", maintain_order="left").with_columns(
            PL_POST=pl.coalesce("new_post", "PL_POST"),
            URN=pl.when(pl.col("URN").is_not_null()).then(pl.coalesce("new_urn", "URN")),
            PLACE_PROVIDER=pl.coalesce("new_provider", "PLACE_PROVIDER"),
        ).drop("new_post", "new_urn", "new_provider")
    return ep


def _home_postcodes(ep: pl.DataFrame, unit: str, home: np.ndarray, uasc: np.ndarray, geo: Geography,
                    rng: np.random.Generator) -> pl.DataFrame:
    """HOME_POST per period (blank for UASC), never the same sector as a placement other than
    at home; placements with parents are at the home address."""
    period = ep["period"].to_numpy()
    home = home.copy()
    for _ in range(4):
        clash = ep.with_columns(h=pl.Series(home[period], dtype=pl.Utf8)).filter(
            (pl.col("PLACE") != "P1") & (pl.col("PL_POST") == pl.col("h")))["period"].unique().to_numpy()
        if not len(clash):
            break
        home[clash] = geo.sample(unit, len(clash), rng)
    ep = ep.with_columns(HOME_POST=opt_str(~uasc[period], home[period]))
    return ep.with_columns(PL_POST=pl.when(pl.col("PLACE") == "P1").then(pl.col("HOME_POST")).otherwise(pl.col("PL_POST")))
