"""Fields the DfE's system derives for SSDA903 rules, derived here the same way.

- ``HOME_SECTOR``/``PL_SECTOR``: the postcode sector ("LS1 4") of a full or partial postcode.
- ``PL_DISTANCE``: straight-line miles between the home and placement sector centroids
  (BNG metres / 1000 / 1.6093, to 1 dp, as in the DfE guidance); district centroids when a
  sector is unknown. Null when either postcode is blank or unknown.
- ``PL_LA``: ONS code of the upper-tier LA the placement sector mostly lies in; SCO, WAL or
  NIR outside England. ``PL_LOCATION``: IN or OUT of the return's own LA (null when the LA
  was not given).
- Header ``UASC``: "1" when the child has a UASC record (CSV and XLSX) or as the XML says.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from carestat import refdata
from carestat.refdata import LocalAuthority

_COUNTRY_CODES = {"Scotland": "SCO", "Wales": "WAL", "Northern Ireland": "NIR"}


def sector_of(expr: pl.Expr) -> pl.Expr:
    """Outward code + space + first digit of the inward code; a bare district stays as it is."""
    compact = expr.str.to_uppercase().str.replace_all(r"\s+", "")
    # Full or partial postcodes end in an inward part of digit + 0-2 letters.
    inward = compact.str.extract(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{0,2})$", 2)
    outward = compact.str.extract(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{0,2})$", 1)
    return (
        pl.when(inward.is_not_null())
        .then(pl.concat_str([outward, pl.lit(" "), inward.str.slice(0, 1)]))
        .otherwise(compact)
    )


@cache
def _geography() -> pl.DataFrame:
    sectors = refdata.postcode_sectors().select(
        key="sector", E="easting_bng", N="northing_bng", country="country", la="la_code",
        old="old_la_code")
    districts = refdata.postcode_districts().select(
        key="district", E="easting_bng", N="northing_bng", country="country", la="la_code",
        old="old_la_code")
    return pl.concat([sectors, districts]).unique("key", keep="first")


def add_episode_geography(episodes: pl.DataFrame, la: LocalAuthority | None) -> pl.DataFrame:
    geo = _geography()
    home = geo.select(pl.col("key").alias("HOME_SECTOR"), pl.col("E").alias("_hE"), pl.col("N").alias("_hN"),
                      pl.col("country").alias("_hcountry"))
    place = geo.select(pl.col("key").alias("PL_SECTOR"), pl.col("E").alias("_pE"), pl.col("N").alias("_pN"),
                       pl.col("country").alias("_pcountry"), pl.col("la").alias("_pla"),
                       pl.col("old").alias("_pold"))
    frame = episodes.with_columns(
        HOME_SECTOR=sector_of(pl.col("HOME_POST")), PL_SECTOR=sector_of(pl.col("PL_POST"))
    ).join(home, on="HOME_SECTOR", how="left").join(place, on="PL_SECTOR", how="left")
    country_code = pl.col("_pcountry").replace_strict(_COUNTRY_CODES, default=None)
    pl_la = pl.when(pl.col("_pcountry") == "England").then(pl.col("_pla")).otherwise(country_code)
    # Compare 3-digit codes, counting a predecessor's successors as its own area
    # (Cumbria's returns before 2023/24 cover today's Cumberland and Westmorland and Furness).
    own = sorted(refdata.area_codes(la.old_la_code)) if la else []
    frame = frame.with_columns(
        PL_DISTANCE=(((pl.col("_hE") - pl.col("_pE")) ** 2 + (pl.col("_hN") - pl.col("_pN")) ** 2).sqrt()
                     / 1000 / 1.6093).round(1),
        PL_LA=pl_la,
        HOME_KNOWN=pl.col("_hcountry").is_not_null(),
        PL_KNOWN=pl.col("_pcountry").is_not_null(),
    )
    frame = frame.with_columns(
        PL_LOCATION=(pl.when(pl.col("PL_LA").is_null() | pl.lit(not own)).then(None)
                     .when(pl.col("_pold").is_in(own)).then(pl.lit("IN"))
                     .otherwise(pl.lit("OUT")))
    )
    return frame.drop("_hE", "_hN", "_pE", "_pN", "_hcountry", "_pcountry", "_pla", "_pold")
