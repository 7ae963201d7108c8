"""Reference data vendored with the package (sources in ``data/SOURCES.md``).

Local authorities are named by their 3-digit DfE code (``old_la_code``, e.g. "318") in the
returns and by their 9-character ONS code (``new_la_code``, e.g. "E09000027") elsewhere;
every function that takes an LA accepts either, or the LA's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from carestat.errors import UsageError

ENGLAND_CODE = "E92000001"


def data_path(name: str) -> Path:
    return Path(str(resources.files("carestat.refdata").joinpath("data", name)))


def _read(name: str) -> pl.DataFrame:
    path = data_path(name)
    if name.endswith(".parquet"):
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema_length=None,
                       schema_overrides={"old_la_code": pl.Utf8, "neighbour_old_la_code": pl.Utf8})


@dataclass(frozen=True)
class LocalAuthority:
    old_la_code: str
    new_la_code: str
    name: str
    region_code: str
    region_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    population_0_17: int | None
    ofsted_urn: str | None = None

    def exists_in(self, year: int) -> bool:
        """Whether the LA made returns for collection year ``year`` (1 April year-1 to 31 March)."""
        starts_ok = self.valid_from is None or self.valid_from <= dt.date(year - 1, 4, 1)
        ends_ok = self.valid_to is None or self.valid_to >= dt.date(year, 3, 31)
        return starts_ok and ends_ok


@cache
def local_authorities() -> pl.DataFrame:
    """Every LA with children's services, current and predecessor, one row per code period."""
    return _read("local_authorities.csv").with_columns(
        pl.col("valid_from", "valid_to").str.to_date("%Y-%m-%d", strict=False)
    )


@cache
def _all_las() -> tuple[LocalAuthority, ...]:
    return tuple(
        LocalAuthority(r["old_la_code"], r["new_la_code"], r["name"], r["region_code"],
                       r["region_name"], r["valid_from"], r["valid_to"], r["population_0_17"],
                       None if r["ofsted_urn"] is None else str(r["ofsted_urn"]))
        for r in local_authorities().iter_rows(named=True)
    )


def las_in_year(year: int) -> list[LocalAuthority]:
    """The LAs that made returns for a collection year, ordered by 3-digit code."""
    return sorted((la for la in _all_las() if la.exists_in(year)), key=lambda la: la.old_la_code)


def current_las() -> list[LocalAuthority]:
    """The 153 LAs in existence now."""
    return [la for la in _all_las() if la.valid_to is None]


def resolve_la(code: str, year: int | None = None) -> LocalAuthority:
    """Find an LA by 3-digit code, ONS code or name (case-free).

    With ``year``, a code shared by a predecessor and a successor (815 North Yorkshire, say)
    resolves to the body that existed in that collection year; without, to the current one.
    """
    key = str(code).strip().casefold()
    matches = [
        la for la in _all_las()
        if key in (la.old_la_code.casefold(), la.new_la_code.casefold(), la.name.casefold())
    ]
    if not matches:
        raise UsageError(
            f"Unknown local authority {code!r}: give its 3-digit DfE code (e.g. 318), "
            "its 9-character ONS code (e.g. E09000027) or its name"
        )
    if year is not None:
        in_year = [la for la in matches if la.exists_in(year)]
        if in_year:
            return in_year[0]
        raise UsageError(f"Local authority {code!r} did not exist in collection year {year}")
    current = [la for la in matches if la.valid_to is None]
    return (current or matches)[-1]


# Predecessor LAs and the current LAs that now cover their area.
SUCCESSORS: dict[str, frozenset[str]] = {
    "909": frozenset({"942", "943"}),
    "928": frozenset({"940", "941"}),
    "835": frozenset({"838", "839"}),
    "836": frozenset({"839"}),
    "837": frozenset({"839"}),
}


def area_codes(old_la_code: str) -> frozenset[str]:
    """The 3-digit codes whose postcodes lie in an LA's area (itself, or its successors)."""
    return frozenset({old_la_code}) | SUCCESSORS.get(old_la_code, frozenset())


@cache
def postcode_sectors() -> pl.DataFrame:
    """Postcode sector centroids (ONSPD Nov 2025), with the upper-tier LA each mostly lies in."""
    return _read("postcode_sectors.parquet")


@cache
def postcode_districts() -> pl.DataFrame:
    return _read("postcode_districts.parquet")


@cache
def statistical_neighbours() -> pl.DataFrame:
    """DfE statistical neighbours, long format: list_version 2021 or 2025, ten per LA."""
    return _read("statistical_neighbours.csv")


@cache
def published_la_indicators() -> pl.DataFrame:
    """Published LA-level indicator values 2013-2025 (LAIT and EES), long format."""
    return _read("la_indicators.parquet")


@cache
def published_national_figures() -> pl.DataFrame:
    return _read("national_figures.parquet")


@cache
def published_regional_figures() -> pl.DataFrame:
    return _read("regional_figures.parquet")


@cache
def indicator_dictionary() -> pl.DataFrame:
    return _read("indicator_dictionary.csv")


@cache
def ofsted_judgements() -> pl.DataFrame:
    """ILACS inspections of LA children's services (2018 onwards)."""
    return _read("ofsted_judgements.csv").with_columns(
        pl.col("inspection_date", "publication_date").str.to_date("%Y-%m-%d", strict=False)
    )


@cache
def ofsted_judgement_history() -> pl.DataFrame:
    """Every graded Ofsted inspection of each LA's children's services since 2009 (SLAC, CPI, TLAC,
    SIF, ILACS), one row per inspection, newest last per LA.

    The official history runs to inspections published by 31 March 2025; ILACS inspections
    published after that come from :func:`ofsted_judgements` (its ``source`` says which are
    scraped, unofficial). Earlier frameworks give only a publication date.
    """
    history = _read("ofsted_la_judgements_history.csv").with_columns(
        pl.col("inspection_date", "publication_date").str.to_date("%Y-%m-%d", strict=False)
    )
    # The two files agree on every ILACS inspection they share; add only the later ones.
    later = ofsted_judgements().join(history, on=["old_la_code", "publication_date"], how="anti")
    return pl.concat([history, later], how="diagonal_relaxed").sort("old_la_code", "publication_date")


@cache
def children_homes() -> pl.DataFrame:
    """Ofsted-registered children's social care providers at 31 March 2023, with judgements."""
    return _read("children_homes.parquet")


@cache
def provider_judgements() -> pl.DataFrame:
    """Every vendored snapshot of the Ofsted provider list (31 March 2022 and 2023), one row per
    provider and snapshot, with ``as_at`` as a date: the judgement each provider held that day."""
    snapshots = [_read("children_homes_2022.parquet"), children_homes()]
    return pl.concat([s.with_columns(pl.col("multi_building").cast(pl.Utf8)) for s in snapshots],
                     how="vertical_relaxed").with_columns(pl.col("as_at").str.to_date("%Y-%m-%d"))


@cache
def la_centroids() -> pl.DataFrame:
    return _read("la_centroids.csv")


@cache
def child_population() -> pl.DataFrame:
    """Children aged 0-17 by LA and year.

    Derived from the published children looked after count and rate per 10,000 (which the DfE
    computes from ONS mid-year estimates): population = count / rate x 10,000. Years without
    a published rate use the nearest year that has one, then the latest ONS estimate.
    """
    published = published_la_indicators().filter(
        pl.col("indicator_id").is_in(["cla_count_31mar", "cla_rate_per_10k"])
    )
    wide = published.pivot(on="indicator_id", index=["old_la_code", "year"], values="value",
                           aggregate_function="first")
    derived = wide.filter(pl.col("cla_rate_per_10k") > 0).select(
        "old_la_code", "year",
        population=(pl.col("cla_count_31mar") / pl.col("cla_rate_per_10k") * 1_000).round(0) * 10,
    )
    return derived.sort("old_la_code", "year")


def population_for(la: LocalAuthority, year: int) -> float | None:
    """Children aged 0-17 in an LA for a collection year (see :func:`child_population`)."""
    rows = child_population().filter(pl.col("old_la_code") == la.old_la_code)
    if rows.height:
        nearest = rows.with_columns(gap=(pl.col("year") - year).abs()).sort("gap", "year").row(0, named=True)
        return float(nearest["population"])
    return float(la.population_0_17) if la.population_0_17 else None
