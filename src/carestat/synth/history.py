"""One simulated LA's full history: everything the yearly returns are cut from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from carestat.synth.calendar import day
from carestat.synth.careers import Careers, build_careers
from carestat.synth.columns import day_strings
from carestat.synth.episodes import Episodes, add_reasons, merge_episodes, place_children
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
    arrays: Episodes = field(repr=False)  # the episodes again, as numpy columns (codes as positions)
    # What the yearly cuts share, prepared on the first (see tables903.Shared).
    derived: dict[str, object] = field(default_factory=dict, repr=False)

    @cached_property
    def id_series(self) -> pl.Series:
        """CHILD ids by child index (converted from numpy once: string conversion is costly)."""
        return pl.Series("CHILD", self.identity.child_id)

    @cached_property
    def columns(self) -> dict[str, np.ndarray]:
        """Episode columns as numpy arrays (codes as strings), converted once for every year's measures."""
        return self.arrays.columns()

    @cached_property
    def dob_series(self) -> pl.Series:
        """Dates of birth as dd/mm/yyyy by child index."""
        return day_strings(self.children.dob).alias("DOB")


# A child who left care this many years before the first year written appears in no return (care
# leavers are followed to 21, having left at 16 or over): their care is simulated for the counts on
# each 31 March, then dropped before anything else is built for them.
_FORGOTTEN_AFTER = 7


def simulate_history(unit: str, targets: pl.DataFrame, scale: float, seed: int,
                     first_written: int | None = None) -> History:
    rng = np.random.default_rng([seed, int(unit)])
    periods, children = simulate_periods(targets, scale, rng)
    rec = assign_exits(periods, children, rng)
    periods, children, rec = link_reentries(periods, children, rec, rng)
    if first_written is not None:
        periods, children, rec = _still_relevant(periods, children, rec, day(dt.date(first_written - _FORGOTTEN_AFTER, 4, 1)))
    careers = build_careers(periods, children, rec, rng)
    ep = merge_episodes(periods, careers, rec)
    add_reasons(ep, rng, children.dob)
    geo = geography()
    home = geo.sample(unit, len(periods), rng) if unit in geo.sectors else np.full(len(periods), None)
    place_children(ep, unit, home, periods.uasc, rng)
    ep.take(np.lexsort((ep.start, ep.child)))  # a child's episodes start on different days
    episodes = ep.frame(careers.cin)
    identity = make_identity(unit, periods, children, rng)
    return History(
        unit=unit, periods=periods, children=children, identity=identity, rec=rec, careers=careers,
        episodes=episodes, reviews=reviews(periods, rng), missing=missing_incidents(ep, children, rng),
        social_workers=social_worker_episodes(periods, children, rng), dolo=deprivation_of_liberty(ep, rng),
        seed=(seed, int(unit)), arrays=ep,
    )


def _still_relevant(periods: Periods, children: Children, rec: np.ndarray,
                    cutoff: int) -> tuple[Periods, Children, np.ndarray]:
    """Only the children in care on or after ``cutoff`` (with all their periods), renumbered."""
    last_end = np.full(len(children), -1, dtype=np.int64)
    np.maximum.at(last_end, periods.child, periods.end)
    keep = last_end >= cutoff
    number = np.cumsum(keep) - 1
    mine = keep[periods.child]
    kept = Periods(number[periods.child[mine]], *(getattr(periods, f)[mine] for f in
                                                 ("start", "end", "entry_age", "capped", "uasc")))
    return kept, Children(children.dob[keep], children.sex[keep], children.uasc[keep]), rec[mine]
