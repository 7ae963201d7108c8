"""Episodes from careers: merge legal status and placement changes, and place each child.

An episode starts at every change of legal status or placement. Its reason for new episode
(RNE) follows what changed: S at the start of a period, L legal status only, P placement only
(T with the same carer), B both (U with the same carer). The last episode of a period carries
the period's reason ceased; others X1. Each placement gets a provider, Ofsted URN and postcode
sector from :mod:`carestat.synth.places`.

Episodes are numpy columns (codes as positions in a list of codes) until :meth:`Episodes.frame`;
what belongs to a placement (one carer, one placement type) is held once per placement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.synth.calendar import day
from carestat.synth.careers import (
    LEGAL_STATUSES,
    PL,
    PLACEMENTS,
    Careers,
    same_as_next,
    same_as_previous,
    split_key,
)
from carestat.synth.columns import codes, object_str, take
from carestat.synth.draw import draw_index
from carestat.synth.places import Geography, geography, next_provider, pools
from carestat.synth.population import Periods

_IND_SWITCH = day(dt.date(2024, 4, 1))  # supported accommodation placed from here is coded K3
_REGISTERED = day(dt.date(2023, 10, 28))  # ... and from here registered with Ofsted (a URN)
_PLANNED = {"CARPL": 45, "LAREQ": 5}
_UNPLANNED = {"CREQB": 12, "CREQO": 8, "CHILD": 6, "ALLEG": 2, "STAND": 2, "CLOSE": 3, "APPRR": 1, "OTHER": 16}
REASONS = (*_PLANNED, *_UNPLANNED, "PLACE", "CUSTOD")  # reasons for placement change
RNE_CODES = ("S", "L", "P", "B", "T", "U")
_RNE = {c: i for i, c in enumerate(RNE_CODES)}
_REASON = {c: i for i, c in enumerate(REASONS)}


@dataclass
class Episodes:
    """One element per episode, sorted by period and start (by child and start once :meth:`take`
    has put them in the returns' order); ``placement`` indexes the arrays of ``placements`` (place,
    provider, urn, post: each once per carer and placement type)."""

    period: np.ndarray
    child: np.ndarray
    start: np.ndarray  # DECOM
    end: np.ndarray  # DEC
    rne: np.ndarray  # position in RNE_CODES
    ls: np.ndarray  # position in LEGAL_STATUSES
    place: np.ndarray  # position in PLACEMENTS as the careers have it (IND and INDR are reported otherwise)
    carer: np.ndarray
    rec: np.ndarray  # position in rec_codes
    rec_codes: list[str]
    is_last: np.ndarray
    reason: np.ndarray | None = None  # position in REASONS, -1 for none
    placement: np.ndarray | None = None
    placements: dict[str, np.ndarray] | None = None  # place (position in PLACEMENTS), provider, urn, post
    home_post: np.ndarray | None = None  # per period

    def take(self, rows: np.ndarray) -> None:
        """Keep ``rows`` of every episode column, in that order."""
        for name in ("period", "child", "start", "end", "rne", "ls", "place", "carer", "rec", "is_last", "reason",
                     "placement"):
            if getattr(self, name) is not None:
                setattr(self, name, getattr(self, name)[rows])

    def columns(self) -> dict[str, np.ndarray]:
        """Numeric columns and codes (as numpy strings) under their names in :meth:`frame`."""
        assert self.placements is not None and self.placement is not None
        return {"child": self.child, "period": self.period, "DECOM": self.start, "DEC": self.end,
                "is_last": self.is_last, "RNE": np.array(RNE_CODES)[self.rne], "LS": np.array(LEGAL_STATUSES)[self.ls],
                "PLACE": np.array(PLACEMENTS)[self.placements["place"][self.placement]],
                "REC": np.array(self.rec_codes)[self.rec]}

    def frame(self, cin: np.ndarray) -> pl.DataFrame:
        """The episodes as a DataFrame (codes as strings); ``cin``: category of need per period."""
        assert self.placements is not None and self.placement is not None and self.reason is not None
        g, row = self.placements, self.placement
        home = object_str(self.home_post)
        return pl.DataFrame({
            "period": self.period, "child": self.child, "DECOM": self.start, "DEC": self.end,
            "RNE": codes(RNE_CODES, self.rne), "LS": codes(LEGAL_STATUSES, self.ls),
            "PLACE": codes(PLACEMENTS, g["place"][row]), "carer": self.carer, "REC": codes(self.rec_codes, self.rec),
            "is_last": self.is_last, "REASON_PLACE_CHANGE": codes(REASONS, self.reason, self.reason < 0),
            "PLACE_PROVIDER": take(object_str(g["provider"]), row), "URN": take(object_str(g["urn"]), row),
            "PL_POST": take(object_str(g["post"]), row), "HOME_POST": take(home, self.period),
            "CIN": take(pl.Series(cin.astype(object), dtype=pl.String), self.period),
        })


def merge_episodes(periods: Periods, careers: Careers, rec: np.ndarray) -> Episodes:
    legal, places = careers.legal, careers.placements
    assert places.carer is not None
    keys = np.unique(np.r_[legal.key(), places.key()])
    period, t = split_key(keys)
    # Each period has a legal status and a placement from its first day.
    at_legal, at_place = legal.at(period, t), places.at(period, t)
    ls, place, carer = legal.code[at_legal], places.code[at_place], places.carer[at_place]
    later = same_as_previous(period)

    def before(x: np.ndarray) -> np.ndarray:
        return np.r_[-1, x[:-1]]

    ls_changed = later & (ls != before(ls))
    place_changed = later & ((carer != before(carer)) | (place != before(place)))
    same_carer = later & (carer == before(carer))
    rne = np.select([~later, ls_changed & place_changed, ls_changed],
                    [_RNE["S"], np.where(same_carer, _RNE["U"], _RNE["B"]), _RNE["L"]],
                    np.where(same_carer, _RNE["T"], _RNE["P"]))
    kept = np.nonzero(~later | ls_changed | place_changed)[0]
    period, t, rne, ls, place, carer = period[kept], t[kept], rne[kept], ls[kept], place[kept], carer[kept]
    has_next = same_as_next(period)
    rec_codes = sorted({str(r) for r in rec} | {"X1"})
    rec_index = {c: i for i, c in enumerate(rec_codes)}
    period_rec = np.array([rec_index[str(r)] for r in rec], dtype=np.int64)
    return Episodes(period=period, child=periods.child[period], start=t,
                    end=np.where(has_next, np.r_[t[1:], 0], periods.end[period]), rne=rne, ls=ls, place=place,
                    carer=carer, rec=np.where(has_next, rec_index["X1"], period_rec[period]), rec_codes=rec_codes,
                    is_last=~has_next)


def add_reasons(ep: Episodes, rng: np.random.Generator, dob: np.ndarray) -> None:
    """Reason for placement change, on the episode that ends when the placement changes (the last
    episode of a period gets a reason too; the returns show it once the period has ended)."""
    n = len(ep.start)
    is_planned = rng.random(n) < 0.5
    planned = np.array([_REASON[c] for c in _PLANNED])[draw_index(_PLANNED.values(), n, rng)]
    unplanned = np.array([_REASON[c] for c in _UNPLANNED])[draw_index(_UNPLANNED.values(), n, rng)]
    base = np.where(is_planned, planned, unplanned)
    has_next = ~ep.is_last
    next_rne, next_place = np.r_[ep.rne[1:], -1], np.r_[ep.place[1:], -1]
    same_carer = has_next & np.isin(next_rne, [_RNE["T"], _RNE["U"]])
    age_at_dec = (ep.end - dob[ep.child]) / 365.25
    ep.reason = np.select(
        [has_next & ~np.isin(next_rne, [_RNE[c] for c in "PBTU"]), same_carer & (next_place == PL["A5"]), same_carer,
         has_next & np.isin(next_place, [PL["P1"], PL["A6"]]), has_next & (next_place == PL["R5"]) & (age_at_dec >= 10)],
        [-1, _REASON["CARPL"], _REASON["PLACE"], _REASON["CARPL"], _REASON["CUSTOD"]], base)


def place_children(ep: Episodes, unit: str, home: np.ndarray, uasc: np.ndarray, rng: np.random.Generator) -> None:
    """PLACE_PROVIDER, URN and PL_POST for every placement (per carer), and HOME_POST."""
    geo = geography()
    kinds = pools()
    # One placement per carer and placement type, in order of their first episodes: foster carers
    # who adopt (A5) keep their address but are placed through the adoption agency.
    _, first_row, which = np.unique(ep.carer * len(PLACEMENTS) + ep.place, return_index=True, return_inverse=True)
    by_first = np.argsort(first_row)
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(len(by_first))
    ep.placement = rank[which]
    rows = first_row[by_first]  # a placement's first episode: its first day
    n = len(rows)
    place, start, carer_ids = ep.place[rows], ep.start[rows], ep.carer[rows]
    # Semi-independent or supported accommodation: H5 without a URN before registration, H5R
    # (reported as H5 with a URN, and as K3 from 2024/25) until April 2024, then K3.
    registered = (place == PL["INDR"]) | ((place == PL["IND"]) & (start >= _REGISTERED))
    place = np.where(registered, np.where(start < _IND_SWITCH, PL["H5R"], PL["K3"]),
                     np.where(place == PL["IND"], PL["H5"], place))
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

    def of(*names: str) -> np.ndarray:
        return np.isin(place, [PL[c] for c in names])

    relative = of("U1", "U2", "U3")
    other_foster = of("U4", "U5", "U6")
    ifa = other_foster & (rng.random(n) < 0.38)
    pool_pick("ifa", ifa, 0.75)
    pool_pick("homes", place == PL["K2"], 0.8)
    pool_pick("secure", place == PL["K1"], 0.6)
    pool_pick("schools", place == PL["S1"], 0.6)
    pool_pick("family_centres", place == PL["R3"], 0.7)
    vaa = (place == PL["A6"]) & (rng.random(n) < 0.15)
    pool_pick("vaa", vaa, 0.5)
    own = (relative | (other_foster & ~ifa) | ((place == PL["A6"]) & ~vaa) | (place == PL["A5"]))
    urn[own], prov[own] = la_urn, "PR1"
    # Supported accommodation: one provider per carer, whether or not yet registered.
    supported = np.nonzero(of("H5", "H5R", "K3"))[0]
    _, first, carer_of = np.unique(carer_ids[supported], return_index=True, return_inverse=True)
    pool_pick("supported", np.isin(np.arange(n), supported[first]), 1.0)
    same = supported[first][carer_of]
    urn[supported], sector[supported], prov[supported] = urn[same], sector[same], prov[same]
    urn[place == PL["H5"]] = None  # not yet registered: no URN (rule 222 in 2022/23)
    prov[place == PL["P1"]], prov[place == PL["R1"]], prov[place == PL["R5"]] = "PR0", "PR4", "PR3"
    # Carers' homes: mostly in the LA, IFA carers further afield.
    where = np.where(rng.random(n) < np.where(ifa, 0.45, 0.85), unit,
                     np.array(near[1:] or [unit])[rng.integers(0, max(len(near) - 1, 1), n)])
    where = np.where(place == PL["R5"], np.array(list(geo.sectors))[rng.integers(0, len(geo.sectors), n)], where)
    needs = (sector == None) & (place != PL["P1"])  # noqa: E711 - object array comparison
    for la in np.unique(where[needs]):
        j = np.nonzero(needs & (where == la))[0]
        sector[j] = geo.sample(str(la), len(j), rng)
    # The same carer keeps one address whatever the placement type.
    _, first, carer_of = np.unique(carer_ids, return_index=True, return_inverse=True)
    sector = sector[first][carer_of]
    ep.placements = {"place": place, "provider": prov, "urn": urn, "post": sector}
    _distinct_moves(ep, carer_ids, unit, geo, rng)
    _home_postcodes(ep, ep.period[rows], unit, home, uasc, geo, rng)


_FIXED_ADDRESS = ("K1", "K2", "S1", "R3", "H5", "H5R", "K3")  # the provider's premises, not a carer's home
_KIND = np.array([PL.get({"H5": "K3", "H5R": "K3"}.get(c, c)) for c in PLACEMENTS])  # H5 is reported as K3 from 2024/25


def _distinct_moves(ep: Episodes, carer_ids: np.ndarray, unit: str, geo: Geography, rng: np.random.Generator) -> None:
    """A move to a new carer must show in the data (rule 435). When type, provider, URN and
    postcode sector all match the previous placement, a carer gets another address; a home or
    other premises is swapped for the next one of its kind (``carer_ids``: by placement)."""
    assert ep.placements is not None and ep.placement is not None
    g, swap = ep.placements, next_provider()
    moves = np.nonzero(np.isin(ep.rne, [_RNE["P"], _RNE["B"]]))[0]  # never a period's first episode
    now, before = ep.placement[moves], ep.placement[moves - 1]
    for _ in range(4):
        same = _KIND[g["place"][now]] == _KIND[g["place"][before]]
        for column in ("provider", "urn", "post"):
            same &= g[column][now] == g[column][before]  # None equals None here, as in the rule
        clash = now[same]
        if not len(clash):
            break
        clash = clash[np.sort(np.unique(clash, return_index=True)[1])]
        # A carer's provider is its URN on any of its episodes (unregistered H5 ones have none): the
        # first one's, and a carer's episodes run together, placement by placement.
        with_urn = np.nonzero(g["urn"] != None)[0]  # noqa: E711
        _, first = np.unique(carer_ids[with_urn], return_index=True)
        provider_urn = dict(zip(carer_ids[with_urn[first]].tolist(), g["urn"][with_urn[first]], strict=True))
        fresh = {}
        for placement in clash.tolist():
            carer, place = int(carer_ids[placement]), PLACEMENTS[g["place"][placement]]
            urn = provider_urn.get(carer)
            if place in _FIXED_ADDRESS and urn in swap:
                new_urn, new_post, owner, code = swap[urn]
                fresh[carer] = (new_post, new_urn, "PR2" if code == "PR1" and owner != unit else code)
            else:
                fresh[carer] = (str(geo.sample(unit, 1, rng)[0]), None, None)
        for placement in np.nonzero(np.isin(carer_ids, list(fresh)))[0].tolist():
            new_post, new_urn, new_provider = fresh[int(carer_ids[placement])]
            g["post"][placement] = new_post
            if g["urn"][placement] is not None and new_urn is not None:
                g["urn"][placement] = new_urn
            if new_provider is not None:
                g["provider"][placement] = new_provider


def _home_postcodes(ep: Episodes, period: np.ndarray, unit: str, home: np.ndarray, uasc: np.ndarray,
                    geo: Geography, rng: np.random.Generator) -> None:
    """HOME_POST per period (blank for UASC), never the same sector as a placement other than
    at home; placements with parents are at the home address (``period``: by placement)."""
    assert ep.placements is not None and ep.placement is not None
    g = ep.placements
    away = np.nonzero((g["place"] != PL["P1"]) & (g["post"] != None))[0]  # noqa: E711
    home = home.copy()
    for _ in range(4):
        at_home = home[period[away]]
        clash = np.unique(period[away][(at_home != None) & (g["post"][away] == at_home)])  # noqa: E711
        if not len(clash):
            break
        home[clash] = geo.sample(unit, len(clash), rng)
    ep.home_post = np.where(~uasc, np.asarray(home).astype(str), None)
    with_parents = g["place"] == PL["P1"]
    g["post"][with_parents] = ep.home_post[period[with_parents]]
