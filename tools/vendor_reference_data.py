"""Copy the reference data carestat needs at run time from ../shared/data into the package.

Run from the project root: ``uv run python tools/vendor_reference_data.py [SHARED_DATA_DIR]``.
Users never run this: the vendored files are committed. Large tables become Parquet (same
columns, smaller, typed). Provenance: ``src/carestat/refdata/data/SOURCES.md`` is copied from
the shared folder, with the geography and provider notes appended.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
REFDATA = ROOT / "src" / "carestat" / "refdata" / "data"
SPECDATA = ROOT / "src" / "carestat" / "spec" / "data"

CSV_AS_IS = {
    "local_authorities.csv": "local_authorities.csv",
    "statistical_neighbours.csv": "statistical_neighbours.csv",
    "indicator_dictionary.csv": "indicator_dictionary.csv",
    "ofsted_judgements.csv": "ofsted_judgements.csv",
    "geo/la_centroids.csv": "la_centroids.csv",
    "providers/ofsted_la_judgements_history.csv": "ofsted_la_judgements_history.csv",
}
AS_PARQUET = {
    "la_indicators.csv": "la_indicators.parquet",
    "national_figures.csv": "national_figures.parquet",
    "regional_figures.csv": "regional_figures.parquet",
    "providers/children_homes.csv": "children_homes.parquet",
    "providers/children_homes_2022.csv": "children_homes_2022.parquet",
}
POSTCODE_COLUMNS = ["latitude", "longitude", "easting_bng", "northing_bng", "country",
                    "la_code", "old_la_code", "la_share", "n_postcodes"]


def main(shared: Path) -> None:
    REFDATA.mkdir(parents=True, exist_ok=True)
    for src, dst in CSV_AS_IS.items():
        shutil.copyfile(shared / src, REFDATA / dst)
    for src, dst in AS_PARQUET.items():
        frame = pl.read_csv(shared / src, infer_schema_length=None,
                            schema_overrides={"old_la_code": pl.Utf8})
        frame.write_parquet(REFDATA / dst, compression="zstd", compression_level=19)
    sectors = pl.read_csv(shared / "geo/postcode_sectors.csv", schema_overrides={"old_la_code": pl.Utf8})
    sectors.select(["sector", "district", *POSTCODE_COLUMNS]).write_parquet(
        REFDATA / "postcode_sectors.parquet", compression="zstd", compression_level=19)
    districts = pl.read_csv(shared / "geo/postcode_districts.csv", schema_overrides={"old_la_code": pl.Utf8})
    districts.select(["district", *POSTCODE_COLUMNS]).write_parquet(
        REFDATA / "postcode_districts.parquet", compression="zstd", compression_level=19)
    shutil.copyfile(shared / "geo/upper_tier_las.geojson", REFDATA / "upper_tier_las.geojson")

    # Specifications and rule texts feed carestat.spec and carestat.validate.
    SPECDATA.mkdir(parents=True, exist_ok=True)
    (SPECDATA / "source").mkdir(exist_ok=True)
    for name in ("codes903.csv", "codescin.csv", "rules/rules903.csv", "rules/rulescincensus.csv"):
        shutil.copyfile(shared / name, SPECDATA / "source" / Path(name).name)
    (SPECDATA / "xsd").mkdir(exist_ok=True)
    for xsd in sorted((shared / "xsd").glob("CIN_schema_*.xsd")):
        shutil.copyfile(xsd, SPECDATA / "xsd" / xsd.name)

    sources = [(shared / "SOURCES.md").read_text()]
    for extra in ("geo/SOURCES.md", "providers/SOURCES.md"):
        sources.append((shared / extra).read_text())
    header = ("# Vendored reference data\n\nCopied from the project's shared reference folder by "
              "`tools/vendor_reference_data.py`. Large CSVs are stored as Parquet with the same "
              "columns; postcode files keep only the columns carestat uses. The provenance notes "
              "below are the originals.\n\n")
    (REFDATA / "SOURCES.md").write_text(header + "\n\n---\n\n".join(sources))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
