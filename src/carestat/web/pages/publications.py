"""Publication downloads: the disclosure-controlled files `carestat publish` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carestat.web.context import Ctx
from carestat.web.lookup import NotFound
from carestat.web.registry import SERVICE_NAV, page

KINDS = {".csv": "CSV (open data)", ".xlsx": "Spreadsheet (XLSX)", ".txt": "Text"}
MEDIA = {".csv": "text/csv; charset=utf-8", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".txt": "text/plain; charset=utf-8"}


def describe(path: Path) -> str:
    name = path.name
    if name == "README.txt":
        return "What each file holds, and what the symbols (c, x, z, low) mean"
    if name.endswith(".meta.csv"):
        return f"Metadata for {name.removesuffix('.meta.csv')}.csv: each column's label, type and unit"
    if name.endswith("_data_pack.xlsx"):
        return "Data pack: " + name.removesuffix("_data_pack.xlsx").replace("_", " ")
    if path.suffix == ".xlsx":
        return "Accessible tables: every topic for England, regions and local authorities"
    return "Open data (explore education statistics format): " + path.stem.replace("_", " ")


@page("/publications", title="Publications", template="publications.html", nav=SERVICE_NAV("Publications", 4))
def publications(ctx: Ctx) -> dict[str, Any]:
    """The publication files, after disclosure control (suppression shown as c)."""
    pub = ctx.site.publication
    files = [{"name": p.name, "href": f"/publications/files/{p.name}", "kind": KINDS.get(p.suffix, p.suffix),
              "bytes": p.stat().st_size, "description": describe(p)} for p in pub.files]
    return {"files": files, "synthetic": pub.synthetic, "note": pub.note}


def publication_file(ctx: Ctx, name: str) -> tuple[Path, str]:
    """A file of the publication by name (only names in the listing: no paths)."""
    for path in ctx.site.publication.files:
        if path.name == name:
            return path, MEDIA.get(path.suffix, "application/octet-stream")
    raise NotFound(f"The publication has no file called {name!r}")
