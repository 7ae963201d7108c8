"""What indicators are computed from: every LA's current returns across years, as frames.

Tables come from the warehouse (pseudonymised: ``child_key`` instead of CHILD), one frame per
return table across all LAs and collection years, with ``la_code`` and ``collection_year``.
Views many indicators share are built once: each child's whole episode history across the years
loaded (an episode appears in every return it was open in; the latest return's copy wins), the
child population, and the LA -> region map.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from carestat import refdata


@dataclass
class Inputs:
    tables: dict[str, pl.DataFrame]  # Header, Episodes, ... each with la_code, collection_year, child_key
    cin: dict[str, pl.DataFrame] = field(default_factory=dict)
    _views: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    @property
    def years(self) -> list[int]:
        return sorted(self.tables["Header"]["collection_year"].unique().to_list())

    @property
    def las(self) -> list[str]:
        return sorted(self.tables["Header"]["la_code"].unique().to_list())

    @cached_property
    def returns(self) -> pl.DataFrame:
        """(la_code, year) of every return loaded, with the LA's first loaded year ``first_year``.
        Figures are given only for these: an LA that did not exist yet, or whose return is missing,
        gets no figure rather than one built from other years' returns."""
        present = self.tables["Header"].select("la_code", pl.col("collection_year").cast(pl.Int64).alias("year")).unique()
        return present.with_columns(first_year=pl.col("year").min().over("la_code")).sort("la_code", "year")

    def view(self, name: str, build: Callable[[Inputs], pl.DataFrame]) -> pl.DataFrame:
        """A frame several indicators share, built once per Inputs."""
        if name not in self._views:
            self._views[name] = build(self)
        return self._views[name]

    @cached_property
    def dob(self) -> pl.DataFrame:
        """la_code, child_key -> DOB, SEX, ETHNIC (latest return's record)."""
        return (self.tables["Header"].sort("collection_year", descending=True)
                .unique(["la_code", "child_key"], keep="first")
                .select("la_code", "child_key", "DOB", "SEX", "ETHNIC"))

    @cached_property
    def episodes(self) -> pl.DataFrame:
        """Every episode once (its latest return's copy), ordered per child, with the child's date
        of birth and ``end`` = DEC (null while open in the latest return holding it)."""
        e = (self.tables["Episodes"].sort("collection_year", descending=True)
             .unique(["la_code", "child_key", "DECOM"], keep="first")
             .sort("la_code", "child_key", "DECOM"))
        return e.join(self.dob.select("la_code", "child_key", "DOB"), on=["la_code", "child_key"], how="left")

    @cached_property
    def population(self) -> pl.DataFrame:
        """la_code, year -> children aged 0-17 (see refdata.child_population)."""
        rows = []
        for la in self.las:
            for year in self.years:
                authority = refdata.resolve_la(la, year) if _exists(la, year) else refdata.resolve_la(la)
                rows.append((la, year, refdata.population_for(authority, year)))
        return pl.DataFrame(rows, schema={"la_code": pl.Utf8, "year": pl.Int64, "population": pl.Float64},
                            orient="row")

    @cached_property
    def regions(self) -> pl.DataFrame:
        """la_code -> new_la_code, la_name, region_code, region_name (by year: codes changed)."""
        las = refdata.local_authorities().select(
            "old_la_code", "new_la_code", "name", "region_code", "region_name", "valid_from", "valid_to")
        return las.rename({"old_la_code": "la_code", "name": "la_name"})


def _exists(la: str, year: int) -> bool:
    try:
        refdata.resolve_la(la, year)
    except Exception:
        return False
    return True


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
