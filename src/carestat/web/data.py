"""Everything the public pages show, worked out once at startup so that each request only looks
things up (the issue's target: p95 under 50 ms with 50 clients).

Public pages show only figures that are safe to publish: the DfE's published figures as they
are, and carestat's own LA figures after the same disclosure control as ``carestat publish``
(primary and secondary suppression; a suppressed figure is shown as ``c`` and feeds no average or
rank). Only the LA rows of carestat's figures are used: regions and England stay the published
ones, as in ``values.from_warehouse``.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from carestat import refdata
from carestat.analysis import scorecards
from carestat.analysis.comparators import compare
from carestat.analysis.early_warning import EarlyWarning, early_warning
from carestat.analysis.values import (
    SYNTHETIC_SOURCE,
    IndicatorMeta,
    computed,
    indicator_meta,
    published,
)
from carestat.errors import UsageError
from carestat.web.linkage import LinkageData, load_linkage

log = logging.getLogger("carestat.web")
KEYS = ["indicator_id", "year", "geographic_level", "area_code"]


@dataclass(frozen=True)
class Publication:
    folder: Path | None
    files: tuple[Path, ...] = ()
    synthetic: bool = False
    note: str = ""


@dataclass
class SiteData:
    """The aggregate data behind the public pages (read-only once built)."""

    values: pl.DataFrame
    suppressed: frozenset[tuple[str, int, str]]  # (indicator_id, year, old_la_code) shown as "c"
    comparison_by_la: dict[str, pl.DataFrame]
    scorecards: scorecards.ScorecardData
    warning: EarlyWarning
    publication: Publication
    synthetic: bool
    own_las: tuple[str, ...]  # 3-digit codes of the LAs whose figures are carestat's own
    las: tuple[refdata.LocalAuthority, ...]  # for the search, by name
    indicators: tuple[IndicatorMeta, ...]  # those with LA figures, by topic then name
    linkage: LinkageData = field(default_factory=LinkageData)  # the joined-up data pages' figures
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def la(self, code: str) -> refdata.LocalAuthority:
        """An LA by code or name (an unknown one is a UsageError, shown as "not found")."""
        return refdata.resolve_la(code)

    def comparison(self, old_la_code: str) -> pl.DataFrame:
        empty = next(iter(self.comparison_by_la.values())).clear() if self.comparison_by_la else pl.DataFrame()
        return self.comparison_by_la.get(old_la_code, empty)

    def indicator(self, indicator_id: str) -> IndicatorMeta:
        meta = indicator_meta().get(indicator_id)
        if meta is None or all(m.id != indicator_id for m in self.indicators):
            raise UsageError(f"No LA figures for an indicator called {indicator_id!r}: choose one from the list")
        return meta


def protected_own_values(db: Path) -> tuple[pl.DataFrame, pl.DataFrame, bool]:
    """carestat's own LA figures from the warehouse after disclosure control, in the values
    shape: (figures that may be shown, keys of every own figure including suppressed ones with
    ``value`` NaN, synthetic?)."""
    from carestat.disclosure import CONFIDENTIAL, protect
    from carestat.indicators import current_values
    from carestat.indicators.registry import all_indicators
    from carestat.publish import default_rules
    from carestat.publish.tables import topic_tables

    frame, synthetic = current_values(db)
    if frame.is_empty():
        raise UsageError(f"{db}: the warehouse holds no indicator figures yet (run `carestat load` first)")
    la_rows = frame.filter(pl.col("geographic_level") == "Local authority")
    protected = protect(frame, default_rules(topic_tables(frame, all_indicators())))
    hidden = pl.col("flag").eq_missing(CONFIDENTIAL)
    shown = protected.filter(pl.col("geographic_level") == "Local authority").with_columns(
        # NaN (not null) keeps a suppressed figure's row through ``computed`` so that it still
        # replaces the published figure for the same LA and year; the numbers behind it go.
        value=pl.when(hidden).then(float("nan")).otherwise(pl.col("value_published")),
        numerator=pl.when(hidden).then(None).otherwise(pl.col("numerator")),
        denominator=pl.when(hidden).then(None).otherwise(pl.col("denominator")),
    ).select(la_rows.columns)
    own = computed(shown, source=SYNTHETIC_SOURCE if synthetic else "carestat", as_published=True)
    own = own.filter(pl.col("geographic_level") == "Local authority")
    return own.filter(~pl.col("value").is_nan()), own, synthetic


def _values(db: Path | None) -> tuple[pl.DataFrame, pl.DataFrame, bool, tuple[str, ...]]:
    """(values to show, suppressed LA figures as indicator_id/year/area_code/old_la_code,
    synthetic?, the LAs whose figures are carestat's own)."""
    if db is not None and not Path(db).exists():
        raise UsageError(f"{db}: no such warehouse (make one with `carestat demo --no-serve` or `carestat load`)")
    base = published()
    hidden_schema = {"indicator_id": pl.Utf8, "year": pl.Int64, "area_code": pl.Utf8, "old_la_code": pl.Utf8}
    if db is None:
        return base, pl.DataFrame(schema=hidden_schema), False, ()
    shown, every, synthetic = protected_own_values(Path(db))
    values = pl.concat([shown, base.join(every.select(KEYS), on=KEYS, how="anti")])
    la_codes = refdata.local_authorities().select(area_code="new_la_code", code="old_la_code").unique("area_code")
    every = every.join(la_codes, on="area_code", how="left").with_columns(
        old_la_code=pl.coalesce("old_la_code", "code"))
    hidden = every.filter(pl.col("value").is_nan()).select(list(hidden_schema))
    own = tuple(sorted(every["old_la_code"].drop_nulls().unique().to_list()))
    return values, hidden, synthetic, own


def _scorecard_data(values: pl.DataFrame, hidden: pl.DataFrame, neighbour_list: int) -> scorecards.ScorecardData:
    """``scorecards.prepare``, with the disclosure-controlled figures held back as small adoption
    figures are (the scorecard then says the figure rests on too few children)."""
    data = scorecards.prepare(values, neighbour_list)
    if hidden.is_empty():
        return data
    extra = hidden.select(data.suppressed.columns).cast(dict(data.suppressed.schema))
    return dataclasses.replace(data, suppressed=pl.concat([data.suppressed, extra]).unique())


def _indicators(comparison: pl.DataFrame) -> tuple[IndicatorMeta, ...]:
    meta = indicator_meta()
    ids = comparison["indicator_id"].unique().to_list()
    chosen = [meta.get(i) or IndicatorMeta(i, i, "", "neutral", "", "", "published") for i in ids]
    return tuple(sorted(chosen, key=lambda m: ((m.topic or "Other").casefold(), m.name.casefold())))


def publication_files(db: Path | None, folder: Path | None, synthetic: bool) -> Publication:
    """The publication to offer: ``folder`` if given, else the one beside the warehouse (as
    ``carestat demo`` writes it), else one written now into a temporary folder."""
    if db is None and folder is None:
        return Publication(None, note="No warehouse is being served, so there is nothing of carestat's own to "
                                      "publish: the figures shown are the DfE's published ones.")
    if folder is None and db is not None and (Path(db).parent / "publication" / "README.txt").exists():
        folder = Path(db).parent / "publication"
    if folder is None:
        from carestat.indicators import current_values
        from carestat.publish import publish

        frame, synthetic = current_values(db)
        folder = Path(tempfile.mkdtemp(prefix="carestat-publication-"))
        publish(frame, folder, synthetic=synthetic)
    files = tuple(sorted((p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")),
                         key=lambda p: (p.suffix != ".txt", p.suffix, p.name)))
    return Publication(Path(folder), files, synthetic)


def load_site_data(db: Path | None = None, publication: Path | None = None,
                   neighbour_list: int = 2025, outcomes: Path | None = None) -> SiteData:
    """Read and work out everything the public pages need (a few seconds, once). ``outcomes``:
    the folder `carestat outcomes` wrote (default: $CARESTAT_OUTCOMES, else beside the warehouse)."""
    started = time.perf_counter()
    values, hidden, synthetic, own = _values(db)
    comparison = compare(values, neighbour_list=neighbour_list)
    by_la = {code: frame for (code,), frame in comparison.partition_by("old_la_code", as_dict=True).items()}
    data = SiteData(
        values=values, suppressed=frozenset(hidden.select("indicator_id", "year", "old_la_code").iter_rows()),
        comparison_by_la=by_la, scorecards=_scorecard_data(values, hidden, neighbour_list),
        warning=early_warning(values), publication=publication_files(db, publication, synthetic),
        synthetic=synthetic, own_las=own,
        las=tuple(sorted(refdata.current_las(), key=lambda la: la.name)),
        indicators=_indicators(comparison), linkage=load_linkage(db, outcomes),
    )
    data.seconds = time.perf_counter() - started
    log.info("aggregate data ready in %.1fs (%d indicator values)", data.seconds, values.height)
    return data
