"""What indicators are computed from: every LA's current returns across years, as frames.

Tables come from the warehouse (pseudonymised: ``child_key`` instead of CHILD), one frame per
return table across all LAs and collection years, with ``la_code`` and ``collection_year``.
Views many indicators share are built once: each child's whole episode history across the years
loaded (an episode appears in every return it was open in; the latest return's copy wins), the
child population, and the LA -> region map.

Joins, sorts and de-duplication use ``CHILD_ID`` (``_child``), an integer standing for
(la_code, child_key): the keys are long strings and the national frames have millions of rows.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from carestat import refdata

KEY = ["la_code", "child_key"]
CHILD_ID = "_child"
# The tables indicators read by child: their ids come from one encoding, so they join across tables.
KEYED_TABLES = ("Header", "Episodes", "UASC", "OC2", "OC3", "AD1", "PlacedAdoption", "Missing")
# What the indicators read from the warehouse: a national history is millions of rows, and each
# string column unread is memory saved. An indicator using another field adds it here.
_META = ("la_code", "collection_year", "child_key")
INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": (*_META, "DOB", "SEX", "ETHNIC"),
    "Episodes": (*_META, "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "PL_POST",
                 "REASON_PLACE_CHANGE", "PL_DISTANCE", "PL_LOCATION"),
    "UASC": (*_META, "DUC"),
    "OC2": (*_META, "DOB", "SDQ_SCORE", "HEALTH_ASSESSMENT", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_CHECK",
            "CONVICTED", "SUBSTANCE_MISUSE"),
    "OC3": (*_META, "DOB", "ACTIV", "ACCOM", "IN_TOUCH"),
    "AD1": (*_META, "DATE_INT", "DATE_MATCH"),
    "PlacedAdoption": (*_META, "DATE_PLACED", "DATE_PLACED_CEASED"),
    "Missing": (*_META, "MISSING", "MIS_START", "MIS_END"),
}
# The CIN census tables the CIN indicators read (``Inputs.cin``), with the reader's nesting keys.
CIN_INPUT_COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("la_code", "collection_year"),
    "ChildIdentifiers": (*_META, "child_row", "PersonBirthDate"),
    "Disabilities": ("la_code", "collection_year", "child_row", "Disability"),
    "CINdetails": (*_META, "child_row", "CINdetailsID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode",
                   "CINclosureDate", "ReasonForClosure", "ReferralNFA"),
    "Assessments": ("la_code", "collection_year", "AssessmentID", "AssessmentActualStartDate",
                    "AssessmentAuthorisationDate"),
    "AssessmentFactorsList": ("la_code", "collection_year", "AssessmentID", "AssessmentFactors"),
    "Section47": ("la_code", "collection_year", "S47ActualStartDate", "DateOfInitialCPC"),
    "ChildProtectionPlans": (*_META, "child_row", "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
                             "LatestCategoryOfAbuse", "NumberOfPreviousCPP"),
}
# ``Indicator.source`` -> the return it is computed from.
SOURCES = {"SSDA903": "ssda903", "CIN census": "cin"}


class _shared:
    """``functools.cached_property``, built once even when indicators are computed in threads."""

    def __init__(self, build: Callable[[Inputs], Any]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, inputs: Inputs | None, owner: type | None = None) -> Any:
        return self if inputs is None else inputs.once(f"Inputs.{self.name}", self.build)


@dataclass
class Inputs:
    tables: dict[str, pl.DataFrame]  # Header, Episodes, ... each with la_code, collection_year, child_key
    cin: dict[str, pl.DataFrame] = field(default_factory=dict)  # the CIN census's tables, the same way
    _views: dict[str, Any] = field(default_factory=dict, repr=False)
    _locks: dict[str, threading.RLock] = field(default_factory=dict, repr=False, compare=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def from_warehouse(cls, db: str | os.PathLike[str] | None = None, years: list[int] | None = None) -> Inputs:
        """The warehouse's current returns: the tables and columns indicators read (``INPUT_COLUMNS``,
        ``CIN_INPUT_COLUMNS``). Either return may be missing, not both."""
        from carestat.errors import WarehouseError
        from carestat.warehouse import connect, current_tables, query

        con = connect(db, read_only=True)
        try:
            # Only the returns with current submissions are read (one connection for both).
            loaded = set(query(con, "SELECT DISTINCT return_name FROM submissions WHERE current")["return_name"])
            found: dict[str, dict[str, pl.DataFrame]] = {}
            for name, only in (("ssda903", INPUT_COLUMNS), ("cin", CIN_INPUT_COLUMNS)):
                try:
                    found[name] = current_tables(con, name, years, only) if name in loaded else {}
                except WarehouseError:  # none for the years chosen
                    found[name] = {}
        finally:
            con.close()
        if not found["ssda903"] and not found["cin"]:
            raise WarehouseError("the warehouse holds no current submissions for that selection")
        return cls(found["ssda903"], found["cin"])

    def has(self, source: str) -> bool:
        """True when returns of the kind an indicator's ``source`` names were loaded."""
        frames = {"ssda903": self.tables, "cin": self.cin}.get(SOURCES.get(source, ""))
        return frames is None or ("Header" in frames and frames["Header"].height > 0)

    def table(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    def keyed(self, name: str) -> pl.DataFrame:
        """Table ``name`` (one of ``KEYED_TABLES``) with the integer ``CHILD_ID`` column."""
        return self._keyed[name]

    @_shared
    def _keyed(self) -> dict[str, pl.DataFrame]:
        # One categorical cast over every table's keys gives each (la_code, child_key) the same code
        # in every table, whatever the Polars version's string cache. A record without a child key
        # gets its LA's blank key, so that it stays with its LA.
        names = [n for n in KEYED_TABLES if n in self.tables]
        frames = [self.tables[n] for n in names]

        def codes(column: str) -> pl.Series:
            joined = pl.concat([f[column].cast(pl.Utf8) for f in frames], rechunk=True).fill_null("")
            return joined.cast(pl.Categorical).to_physical().cast(pl.UInt64)

        ids = codes("la_code") * (1 << 32) + codes("child_key")
        out, offset = {}, 0
        for name, frame in zip(names, frames, strict=True):
            out[name] = frame.with_columns(ids.slice(offset, frame.height).alias(CHILD_ID)).rechunk()
            offset += frame.height
        return out

    @_shared
    def years(self) -> list[int]:
        """Collection years of the SSDA903 returns loaded."""
        return _present(self.tables, "collection_year")

    @_shared
    def las(self) -> list[str]:
        return _present(self.tables, "la_code")

    @_shared
    def cin_returns(self) -> pl.DataFrame:
        """(la_code, year) of every CIN census loaded, with the LA's first loaded year ``first_year``."""
        header = self.cin.get("Header", pl.DataFrame(schema={"la_code": pl.Utf8, "collection_year": pl.Int32}))
        present = header.select("la_code", pl.col("collection_year").cast(pl.Int64).alias("year")).unique()
        return present.with_columns(first_year=pl.col("year").min().over("la_code")).sort("la_code", "year")

    @_shared
    def returns(self) -> pl.DataFrame:
        """(la_code, year) of every return loaded, with the LA's first loaded year ``first_year``.
        Figures are given only for these: an LA that did not exist yet, or whose return is missing,
        gets no figure rather than one built from other years' returns."""
        present = self.tables["Header"].select("la_code", pl.col("collection_year").cast(pl.Int64).alias("year")).unique()
        return present.with_columns(first_year=pl.col("year").min().over("la_code")).sort("la_code", "year")

    @_shared
    def return_keys(self) -> pl.Series:
        """``return_key`` of every (LA, year) with a return."""
        header = self.keyed("Header")
        return header.select(return_key(pl.col(CHILD_ID), pl.col("collection_year").cast(pl.Int64))).to_series().unique()

    def view(self, name: str, build: Callable[[Inputs], pl.DataFrame]) -> pl.DataFrame:
        """A frame several indicators share, built once per Inputs."""
        return self.once(name, build)

    def once(self, name: str, build: Callable[[Inputs], Any]) -> Any:
        """``build(self)``, kept under ``name``; a second thread asking for it waits for the first."""
        if name in self._views:
            return self._views[name]
        with self._guard:
            lock = self._locks.setdefault(name, threading.RLock())
        with lock:
            if name not in self._views:
                built = build(self)
                # One chunk per column: every later operation on a chunked frame pays to join them.
                self._views[name] = built.rechunk() if isinstance(built, pl.DataFrame) else built
        return self._views[name]

    @_shared
    def dob(self) -> pl.DataFrame:
        """la_code, child_key (and ``CHILD_ID``) -> DOB, SEX, ETHNIC (latest return's record)."""
        h = (self.keyed("Header").select(CHILD_ID, *KEY, "collection_year", "DOB", "SEX", "ETHNIC")
             .sort(CHILD_ID, "collection_year", descending=[False, True], maintain_order=True))
        return h.filter(first_of(CHILD_ID)).select(*KEY, "DOB", "SEX", "ETHNIC", CHILD_ID)

    @_shared
    def episodes(self) -> pl.DataFrame:
        """Every episode once (its latest return's copy), ordered per child by DECOM, with the child's
        date of birth and ``_ep``, the row's number (to join views built from these rows back to them).
        DEC is null while the episode is open in the latest return holding it."""
        e = self.keyed("Episodes")
        # Sort and de-duplicate the keys alone, then gather the rows kept once.
        order = e.select(pl.arg_sort_by(CHILD_ID, "DECOM", "collection_year", descending=[False, False, True],
                                        nulls_last=False, maintain_order=True)).to_series()
        keep = e.select(CHILD_ID, "DECOM")[order].select(first_of(CHILD_ID, "DECOM")).to_series()
        e = e[order.filter(keep)]
        e = e.join(self.dob.select(CHILD_ID, "DOB"), on=CHILD_ID, how="left", maintain_order="left")
        return e.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_ep"))

    @_shared
    def population(self) -> pl.DataFrame:
        """la_code, year -> children aged 0-17 (see refdata.population_for: the nearest year's
        derived figure, else the LA's latest ONS estimate)."""
        derived = {la: list(zip(f["year"], f["population"], strict=True))
                   for (la,), f in refdata.child_population().partition_by("old_la_code", as_dict=True).items()}
        rows = []
        # Every LA and year of either return (a rate's LA-year joins its row here).
        cin = self.cin_returns
        for la in sorted({*self.las, *cin["la_code"]}):
            for year in sorted({*self.years, *cin["year"]}):
                if derived.get(la):
                    population: float | None = float(min(derived[la], key=lambda r: (abs(r[0] - year), r[0]))[1])
                else:
                    authority = refdata.resolve_la(la, year) if _exists(la, year) else refdata.resolve_la(la)
                    population = refdata.population_for(authority, year)
                rows.append((la, year, population))
        return pl.DataFrame(rows, schema={"la_code": pl.Utf8, "year": pl.Int64, "population": pl.Float64},
                            orient="row")

    @_shared
    def regions(self) -> pl.DataFrame:
        """la_code -> new_la_code, la_name, region_code, region_name (by year: codes changed)."""
        las = refdata.local_authorities().select(
            "old_la_code", "new_la_code", "name", "region_code", "region_name", "valid_from", "valid_to")
        return las.rename({"old_la_code": "la_code", "name": "la_name"})


def _present(tables: dict[str, pl.DataFrame], column: str) -> list[Any]:
    header = tables.get("Header")
    return [] if header is None else sorted(header[column].unique().to_list())


def attach(frame: pl.DataFrame, other: pl.DataFrame, on: str | list[str]) -> pl.DataFrame:
    """``frame.join(other, on=on, how="left")``, without copying ``frame``'s columns when no row
    matches more than once (the usual case): the joined columns are added beside them."""
    keys = [on] if isinstance(on, str) else on
    joined = frame.select(keys).with_row_index("_row").join(other, on=keys, how="left", maintain_order="left")
    extra = joined.drop("_row", *keys)
    if joined.height == frame.height:
        return frame.hstack(extra)
    return frame[joined["_row"]].hstack(extra)


def attach_by_episode(frame: pl.DataFrame, other: pl.DataFrame, inputs: Inputs) -> pl.DataFrame:
    """``attach(frame, other, on="_ep")`` where ``other`` holds at most one row per episode: by
    position (a row of ``Inputs.episodes`` is its own index), with no hashing."""
    row = pl.repeat(None, inputs.episodes.height, dtype=pl.UInt32, eager=True).scatter(
        other["_ep"], pl.int_range(other.height, dtype=pl.UInt32, eager=True))
    return frame.hstack(other.drop("_ep")[row.gather(frame["_ep"])])


def first_of(*columns: str) -> pl.Expr:
    """True on the first row of each run of equal ``columns`` (nulls equal), in a sorted frame."""
    same = pl.lit(True)
    for c in columns:
        same = same & pl.col(c).eq_missing(pl.col(c).shift(1))
    return ~same.fill_null(False) | (pl.int_range(pl.len()) == 0)


def return_key(child_id: pl.Expr, year: pl.Expr) -> pl.Expr:
    """An integer for (the child's LA, year): ``CHILD_ID`` holds the LA's code in its high 32 bits."""
    return (child_id // (1 << 32)) * 10_000 + year.cast(pl.UInt64)


def collection_year_of(day: pl.Expr) -> pl.Expr:
    """The collection year a date falls in (1 April to 31 March, named by its end)."""
    # 1 April is always 275 days before 1 January: one date conversion instead of two.
    return (day + pl.duration(days=275)).dt.year().cast(pl.Int64)


def _exists(la: str, year: int) -> bool:
    try:
        refdata.resolve_la(la, year)
    except Exception:
        return False
    return True


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
