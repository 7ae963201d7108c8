"""What a rule receives: one return (and optionally the previous year's), with shared views.

Views that many rules need (episodes in sequence with their neighbours, the child's date of
birth, who was looked after continuously for 12 months) are built once, on first use, and
shared; frames are immutable, so no rule can change what another sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import polars as pl

from carestat.ingest import ReturnData
from carestat.refdata import LocalAuthority
from carestat.spec import ReturnSpec, spec
from carestat.validate.expr import position_in_run

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)
T = TypeVar("T")
_NEIGHBOUR_FIELDS = ("DECOM", "DEC", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC",
                     "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "_row")


class Return:
    """An SSDA903 (or CIN) return as rules see it."""

    def __init__(self, data: ReturnData, previous: ReturnData | None = None,
                 la: LocalAuthority | None = None, providers: pl.DataFrame | None = None) -> None:
        self.data = data
        self.previous = previous
        self.la = la
        self.providers = providers
        self._views: dict[str, Any] = {}

    # -- the return -------------------------------------------------------------------
    @property
    def spec(self) -> ReturnSpec:
        return self.data.spec

    @property
    def year(self) -> int:
        return self.spec.year

    @property
    def start(self) -> dt.date:
        """1 April at the start of the collection year."""
        return self.spec.collection_start

    @property
    def end(self) -> dt.date:
        """31 March at the end of the collection year."""
        return self.spec.collection_end

    def has(self, name: str) -> bool:
        if name.endswith("_last"):
            return self.previous is not None and self.previous.has(name[: -len("_last")])
        return self.data.has(name)

    def table(self, name: str) -> pl.DataFrame:
        if name.endswith("_last"):
            return self.last(name[: -len("_last")])
        return self.data.table(name)

    def last(self, name: str) -> pl.DataFrame:
        """The previous year's table (an empty frame when no previous return was given)."""
        if self.previous is not None:
            return self.previous.table(name)
        from carestat.ingest.typing import empty_frame
        from carestat.spec import SUPPORTED_YEARS

        years = SUPPORTED_YEARS[self.spec.return_name]
        last_spec = spec(self.spec.return_name, self.year - 1) if self.year - 1 in years else self.spec
        return empty_frame(last_spec.table(name) if name in last_spec.tables else self.spec.table(name))

    def codes(self, table: str, field: str) -> list[str]:
        return sorted(self.spec.codes(table, field))

    # -- SSDA903 tables ---------------------------------------------------------------
    @property
    def header(self) -> pl.DataFrame:
        return self.table("Header")

    @property
    def episodes(self) -> pl.DataFrame:
        return self.table("Episodes")

    @property
    def reviews(self) -> pl.DataFrame:
        return self.table("Reviews")

    @property
    def uasc(self) -> pl.DataFrame:
        return self.table("UASC")

    @property
    def oc2(self) -> pl.DataFrame:
        return self.table("OC2")

    @property
    def oc3(self) -> pl.DataFrame:
        return self.table("OC3")

    @property
    def ad1(self) -> pl.DataFrame:
        return self.table("AD1")

    @property
    def placed_adoption(self) -> pl.DataFrame:
        return self.table("PlacedAdoption")

    @property
    def prev_perm(self) -> pl.DataFrame:
        return self.table("PrevPerm")

    @property
    def missing(self) -> pl.DataFrame:
        return self.table("Missing")

    @property
    def sw_episodes(self) -> pl.DataFrame:
        return self.table("SWEpisodes")

    @property
    def dolo(self) -> pl.DataFrame:
        return self.table("DoLo")

    # -- shared views -----------------------------------------------------------------
    def view(self, name: str, build: Callable[[Return], T]) -> T:
        """A view several rules of a family share (``build(self)``), built once per return."""
        if name not in self._views:
            self._views[name] = build(self)
        return self._views[name]

    @cached_property
    def dob(self) -> pl.DataFrame:
        """CHILD -> DOB, SEX from the Header (first record per child)."""
        return self.header.select("CHILD", "DOB", "SEX").unique("CHILD", keep="first", maintain_order=True)

    def with_dob(self, frame: FrameT) -> FrameT:
        """``frame`` with the Header's date of birth as ``DOB_H`` (left join on CHILD); lazy if
        ``frame`` is."""
        if isinstance(frame, pl.LazyFrame):
            return frame.join(self._dob_h.lazy(), on="CHILD", how="left")
        return frame.join(self._dob_h, on="CHILD", how="left")

    @cached_property
    def _dob_h(self) -> pl.DataFrame:
        return self.dob.select("CHILD", pl.col("DOB").alias("DOB_H"))

    @cached_property
    def episodes_dob(self) -> pl.DataFrame:
        """Episodes with the Header's date of birth as ``DOB_H`` (``with_dob``, by lookup: a
        join would copy every column)."""
        dob = self._dob_h.drop_nulls("CHILD")
        return self.episodes.with_columns(DOB_H=pl.col("CHILD").replace_strict(
            dob["CHILD"], dob["DOB_H"], default=None, return_dtype=pl.Date))

    @cached_property
    def episodes_seq(self) -> pl.DataFrame:
        """Episodes ordered by child and start, with ``prev_*``/``next_*`` neighbour fields,
        ``_seq`` (1 = child's first episode in this return) and ``_n`` (episodes per child)."""
        return sequence_episodes(self.episodes)

    @cached_property
    def episodes_last_seq(self) -> pl.DataFrame:
        return sequence_episodes(self.last("Episodes")) if self.has("Episodes_last") else pl.DataFrame()

    @cached_property
    def episodes_last_order(self) -> pl.DataFrame:
        """Last year's episodes in ``episodes_last_seq``'s order with only ``prev_DECOM``/``next_DECOM``
        as neighbours: enough to find each child's latest episodes, at a fraction of the cost."""
        return sequence_episodes(self.last("Episodes"), neighbours=("DECOM",))

    @cached_property
    def continuously_looked_after(self) -> pl.DataFrame:
        """Children looked after continuously throughout the collection year (CHILD, one row
        each): in care on 1 April, no episode starting a new period of care (RNE S) or ending
        care (REC not X1) within the year, and no short-break (V3/V4) episode in the year."""
        e = self.episodes
        during = (pl.col("DECOM") <= self.end) & ((pl.col("DEC") >= self.start) | pl.col("DEC").is_null())
        breaks = (
            ((pl.col("RNE") == "S") & (pl.col("DECOM") > self.start) & (pl.col("DECOM") <= self.end))
            # A blank REC on an ended episode counts as leaving care, as in the DfE's definition.
            | (pl.col("REC").ne_missing("X1") & (pl.col("DEC") >= self.start) & (pl.col("DEC") < self.end))
            | (pl.col("LS").is_in(["V3", "V4"]) & during)
        )
        flags = e.group_by("CHILD").agg(during=during.any(), broken=breaks.fill_null(False).any())
        return flags.filter(pl.col("during") & ~pl.col("broken")).select("CHILD")


def sequence_episodes(episodes: pl.DataFrame, neighbours: tuple[str, ...] = _NEIGHBOUR_FIELDS) -> pl.DataFrame:
    ordered = episodes.sort("CHILD", "DECOM", "_row", nulls_last=True)
    fields = [f for f in neighbours if f in ordered.columns]
    # Whole-frame shifts masked at child boundaries: far faster than .over("CHILD") per column.
    same_prev = pl.col("CHILD") == pl.col("CHILD").shift(1)
    same_next = pl.col("CHILD") == pl.col("CHILD").shift(-1)
    seq, n = position_in_run("CHILD")
    return ordered.with_columns(
        *[pl.when(same_prev).then(pl.col(f).shift(1)).alias(f"prev_{f.lstrip('_')}") for f in fields],
        *[pl.when(same_next).then(pl.col(f).shift(-1)).alias(f"next_{f.lstrip('_')}") for f in fields],
        _seq=seq,
        _n=n,
    )
