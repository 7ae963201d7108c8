"""One simulated LA's full history: everything the yearly returns are cut from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from carestat.synth.careers import Careers, build_careers
from carestat.synth.episodes import add_reasons, merge_episodes, place_children
from carestat.synth.exits import assign_exits, link_reentries
from carestat.synth.identity import Identity, make_identity
from carestat.synth.places import geography
from carestat.synth.population import Children, Periods, simulate_periods
from carestat.synth.records import (
    deprivation_of_liberty,
    missing_incidents,
    reviews,
    social_worker_episodes,
)


@dataclass
class History:
    unit: str
    periods: Periods
    children: Children
    identity: Identity
    rec: np.ndarray
    careers: Careers
    episodes: pl.DataFrame  # day numbers; DEC is the true end (may be after the last year)
    reviews: pl.DataFrame
    missing: pl.DataFrame
    social_workers: pl.DataFrame
    dolo: pl.DataFrame
    seed: tuple[int, ...]

    @cached_property
    def id_series(self) -> pl.Series:
        """CHILD ids by child index (converted from numpy once: string conversion is costly)."""
        return pl.Series("CHILD", self.identity.child_id)

    @cached_property
    def dob_series(self) -> pl.Series:
        """Dates of birth as dd/mm/yyyy by child index."""
        return pl.Series("DOB", self.children.dob).cast(pl.Int32).cast(pl.Date).dt.strftime("%d/%m/%Y")


def simulate_history(unit: str, targets: pl.DataFrame, scale: float, seed: int) -> History:
    rng = np.random.default_rng([seed, int(unit)])
    periods, children = simulate_periods(targets, scale, rng)
    rec = assign_exits(periods, children, rng)
    periods, children, rec = link_reentries(periods, children, rec, rng)
    careers = build_careers(periods, children, rec, rng)
    episodes = merge_episodes(periods, careers, rec)
    episodes = add_reasons(episodes, rng, children.dob)
    geo = geography()
    home = geo.sample(unit, len(periods), rng) if unit in geo.sectors else np.full(len(periods), None)
    episodes = place_children(episodes, unit, home, periods.uasc, rng)
    cin = pl.Series(careers.cin[episodes["period"].to_numpy()])
    episodes = episodes.with_columns(CIN=cin).sort("child", "DECOM")
    identity = make_identity(unit, periods, children, rng)
    return History(
        unit=unit, periods=periods, children=children, identity=identity, rec=rec, careers=careers,
        episodes=episodes, reviews=reviews(periods, rng), missing=missing_incidents(episodes, children, rng),
        social_workers=social_worker_episodes(periods, children, rng), dolo=deprivation_of_liberty(episodes, rng),
        seed=(seed, int(unit)),
    )
