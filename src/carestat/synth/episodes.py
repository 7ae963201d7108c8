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

from carestat.synth.careers import Careers
from carestat.synth.columns import object_str, opt_str
from carestat.synth.places import Geography, geography, providers
from carestat.synth.population import Periods, day

_IND_SWITCH = day(dt.date(2024, 4, 1))  # semi-independent placements made from here are K3
_PLANNED = [("CARPL", 45), ("LAREQ", 5)]
_UNPLANNED = [("CREQB", 12), ("CREQO", 8), ("CHILD", 6), ("ALLEG", 2), ("STAND", 2), ("CLOSE", 3),
              ("APPRR", 1), ("OTHER", 16)]


def _pick(options: list[tuple[str, float]], n: int, rng: np.random.Generator) -> np.ndarray:
    codes = np.array([c for c, _ in options])
    w = np.array([x for _, x in options], dtype=float)
    return codes[rng.choice(len(codes), n, p=w / w.sum())]


def merge_episodes(periods: Periods, careers: Careers, rec: np.ndarray) -> pl.DataFrame:
    legal, places = careers.legal, careers.placements
    times = pl.concat([legal.select("period", "t"), places.select("period", "t")]).unique().sort("period", "t")
    ep = (times.join_asof(legal, on="t", by="period", strategy="backward", check_sortedness=False)
          .join_asof(places, on="t", by="period", strategy="backward", check_sortedness=False))
    prev = {c: pl.col(c).shift(1).over("period") for c in ("ls", "place", "carer")}
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
        DEC=pl.col("t").shift(-1).over("period").fill_null(pl.col("period_end")),
        is_last=pl.col("t").shift(-1).over("period").is_null(),
    ).with_columns(REC=pl.when(pl.col("is_last")).then(pl.col("period_rec")).otherwise(pl.lit("X1")))
    return ep.select("period", "child", "DECOM", "DEC", "RNE", pl.col("ls").alias("LS"),
                     pl.col("place").alias("PLACE"), "carer", "REC", "is_last")


def add_reasons(ep: pl.DataFrame, rng: np.random.Generator, dob: np.ndarray) -> pl.DataFrame:
    """Reason for placement change, on the episode that ends when the placement changes."""
    nxt_rne = pl.col("RNE").shift(-1).over("period")
    nxt_place = pl.col("PLACE").shift(-1).over("period")
    n = ep.height
    base = np.where(rng.random(n) < 0.5, _pick(_PLANNED, n, rng), _pick(_UNPLANNED, n, rng))
    age_at_dec = (ep["DEC"].to_numpy() - dob[ep["child"].to_numpy()]) / 365.25
    return ep.with_columns(
        REASON_PLACE_CHANGE=pl.when(~nxt_rne.is_in(["P", "B", "T", "U"]).fill_null(True)).then(None)
        .when(nxt_rne.is_in(["T", "U"]) & (nxt_place == "A5")).then(pl.lit("CARPL"))
        .when(nxt_rne.is_in(["T", "U"])).then(pl.lit("PLACE"))
        .when(nxt_place.is_in(["P1", "A6"])).then(pl.lit("CARPL"))
        .when((nxt_place == "R5") & pl.Series(age_at_dec >= 10)).then(pl.lit("CUSTOD"))
        .otherwise(pl.Series(base.astype(str)))
    )


def place_children(ep: pl.DataFrame, unit: str, home: np.ndarray, uasc: np.ndarray,
                   rng: np.random.Generator) -> pl.DataFrame:
    """PLACE_PROVIDER, URN and PL_POST for every placement (per carer), and HOME_POST."""
    geo = geography()
    book = providers()
    # One placement per carer and placement type: foster carers who adopt (A5) keep their
    # address but are placed through the adoption agency.
    carers = ep.group_by("carer", "PLACE", maintain_order=True).agg(
        pl.col("DECOM").min().alias("from"), pl.col("period").first(), pl.col("RNE").first())
    n = carers.height
    place = carers["PLACE"].to_numpy().astype(object)
    place = np.where(place == "IND", np.where(carers["from"].to_numpy() < _IND_SWITCH, "H5", "K3"), place)
    urn = np.full(n, None, dtype=object)
    prov = np.full(n, None, dtype=object)
    sector = np.full(n, None, dtype=object)
    la_service = book.filter((pl.col("pool") == "la_service") & (pl.col("old_la_code") == unit))
    la_urn = la_service["urn"][0] if la_service.height else f"8{unit}000"
    near = [unit] + geo.neighbours.get(unit, [])[:6]

    def pool_pick(pool: str, mask: np.ndarray, local_share: float) -> None:
        idx = np.nonzero(mask)[0]
        if not len(idx):
            return
        candidates = book.filter(pl.col("pool") == pool)
        local = candidates.filter(pl.col("old_la_code").is_in(near))
        use_local = (rng.random(len(idx)) < local_share) & (local.height > 0)
        for chosen_from, sel in ((local, use_local), (candidates, ~use_local)):
            j = idx[sel]
            if not len(j) or not chosen_from.height:
                continue
            k = rng.integers(0, chosen_from.height, len(j))
            urn[j] = chosen_from["urn"].to_numpy()[k]
            sector[j] = chosen_from["sector"].to_numpy()[k]
            owner = chosen_from["old_la_code"].to_numpy()[k]
            code = chosen_from["provider_code"].to_numpy()[k]
            prov[j] = np.where((code == "PR1") & (owner != unit), "PR2", code)

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
    ind = np.isin(place, ["H5", "K3"])
    supported = book.filter((pl.col("pool") == "supported") & (pl.col("old_la_code") == unit))
    if ind.any() and supported.height:
        k = rng.integers(0, supported.height, int(ind.sum()))
        urn[ind], sector[ind], prov[ind] = supported["urn"].to_numpy()[k], supported["sector"].to_numpy()[k], "PR4"
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
                 on=["carer", "PLACE"], how="left").with_columns(PLACE=pl.col("CODE")).drop("CODE")
    ep = _distinct_moves(ep, unit, geo, rng)
    return _home_postcodes(ep, unit, home, uasc, geo, rng)


_FIXED_ADDRESS = ("K1", "K2", "S1", "R3", "H5", "K3")  # the provider's premises, not a carer's home


def _distinct_moves(ep: pl.DataFrame, unit: str, geo: Geography, rng: np.random.Generator) -> pl.DataFrame:
    """A move to a new carer must show in the data (rule 435). When type, provider, URN and
    postcode sector all match the previous placement, a carer gets another address; a home or
    other premises is swapped for the next one of its kind."""
    book = providers().select("urn", "pool", "old_la_code", "sector", "provider_code")
    # The next provider of the same kind in the same LA, or nationally where the LA has one.
    nxt = book.sort("pool", "old_la_code", "urn").with_columns(
        local=pl.col("urn").shift(-1).over("pool", "old_la_code")
        .fill_null(pl.col("urn").first().over("pool", "old_la_code")),
        national=pl.col("urn").shift(-1).over("pool").fill_null(pl.col("urn").first().over("pool")),
    ).with_columns(next_urn=pl.when(pl.col("local") != pl.col("urn")).then("local").otherwise("national"))
    for _ in range(4):
        # H5 is reported as K3 from 2024/25, so the two count as the same type here.
        ep = ep.with_columns(_type=pl.col("PLACE").replace({"H5": "K3"}))
        same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(c).shift(1).over("period"))
                                  for c in ("_type", "PLACE_PROVIDER", "URN", "PL_POST")])
        clash = ep.filter(pl.col("RNE").is_in(["P", "B"]) & same).select("carer", "PLACE", "URN").unique()
        if clash.is_empty():
            break
        premises = clash.filter(pl.col("PLACE").is_in(_FIXED_ADDRESS)).join(
            nxt.select(pl.col("urn").alias("URN"), "next_urn"), on="URN", how="left").join(
            book.select(pl.col("urn").alias("next_urn"), pl.col("sector").alias("new_post"),
                        pl.col("old_la_code").alias("owner"), "provider_code"), on="next_urn", how="left")
        homes = clash.filter(~pl.col("PLACE").is_in(_FIXED_ADDRESS)).select("carer")
        fresh = pl.concat([
            homes.with_columns(new_post=pl.Series(geo.sample(unit, homes.height, rng), dtype=pl.Utf8),
                               new_urn=pl.lit(None, pl.Utf8), new_provider=pl.lit(None, pl.Utf8)),
            premises.select("carer", "new_post", new_urn="next_urn", new_provider=pl.when(
                (pl.col("provider_code") == "PR1") & (pl.col("owner") != unit)).then(pl.lit("PR2"))
                .otherwise(pl.col("provider_code"))),
        ])
        ep = ep.join(fresh, on="carer", how="left").with_columns(
            PL_POST=pl.coalesce("new_post", "PL_POST"), URN=pl.coalesce("new_urn", "URN"),
            PLACE_PROVIDER=pl.coalesce("new_provider", "PLACE_PROVIDER"),
        ).drop("new_post", "new_urn", "new_provider")
    return ep.drop("_type", strict=False)


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
