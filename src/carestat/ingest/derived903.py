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


_SECTOR = r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{0,2})$"
_OUTWARD = r"^[A-Z]{1,2}[0-9][0-9A-Z]?$"


def sector_of(expr: pl.Expr) -> pl.Expr:
    """Outward code + space + first digit of the inward code; a bare district stays as it is.

    A space, where given, separates outward from inward ("SE1 8" is a sector, "SE18" a district).
    Without one, a string that is itself a valid outward code is a district ("SE18", "M11"), since
    reading it as a sector would move the child to another district."""
    upper = expr.str.to_uppercase().str.strip_chars()
    compact = upper.str.replace_all(r"\s+", "")
    spaced = upper.str.extract_groups(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s+([0-9])")
    parts = compact.str.extract_groups(_SECTOR)
    return (
        pl.when(spaced.struct.field("2").is_not_null())
        .then(pl.concat_str([spaced.struct.field("1"), pl.lit(" "), spaced.struct.field("2")]))
        .when(compact.str.contains(_OUTWARD))
        .then(compact)
        .when(parts.struct.field("2").is_not_null())
        .then(pl.concat_str([parts.struct.field("1"), pl.lit(" "), parts.struct.field("2").str.slice(0, 1)]))
        .otherwise(compact)
        .name.keep()  # named after the input, as str.extract would have it
    )


@cache
def _geography() -> pl.DataFrame:
    # The vendored tables (refdata.postcode_sectors/_districts), reading only the columns used.
    columns = {"E": "easting_bng", "N": "northing_bng", "country": "country", "la": "la_code", "old": "old_la_code"}
    sectors, districts = (
        pl.scan_parquet(refdata.data_path(f"postcode_{kind}s.parquet")).select(key=kind, **columns)
        for kind in ("sector", "district"))
    return pl.concat([sectors, districts]).unique("key", keep="first").collect(engine="in-memory")


def add_episode_geography(episodes: pl.DataFrame, la: LocalAuthority | None) -> pl.DataFrame:
    geo = _geography().lazy().rename({"key": "_sector"})
    # Postcodes repeat across episodes (a child's home, a children's home): look each one up once.
    posts = (pl.concat([episodes.lazy().select(_post="HOME_POST"), episodes.lazy().select(_post="PL_POST")])
             .drop_nulls().unique().with_columns(_sector=sector_of(pl.col("_post")))
             .join(geo, on="_sector", how="left"))
    home = posts.select(HOME_POST="_post", HOME_SECTOR="_sector", _hE="E", _hN="N", _hcountry="country")
    place = posts.select(PL_POST="_post", PL_SECTOR="_sector", _pE="E", _pN="N", _pcountry="country",
                         _pla="la", _pold="old")
    frame = (episodes.lazy().join(home, on="HOME_POST", how="left", maintain_order="left")
             .join(place, on="PL_POST", how="left", maintain_order="left"))
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
    derived = ["HOME_SECTOR", "PL_SECTOR", "PL_DISTANCE", "PL_LA", "HOME_KNOWN", "PL_KNOWN", "PL_LOCATION"]
    return frame.select(*episodes.columns, *derived).collect(engine="in-memory")
