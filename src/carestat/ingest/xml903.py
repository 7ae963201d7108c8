"""The DfE SSDA903 XML (EXPSSDA903 > CHILD > HEADER / EPISODE ...) into raw tables.

The layout follows the spec's ``xml_parent`` and ``xml_element`` declarations: CHILD/HEADER
holds the child's fields and the one-per-child tables (UASC, OC3 and AD1 sit directly in the
header; OC2 and PERMANENCE are sub-elements), AREVIEW, AMISSING and AD_PLACED repeat inside
HEADER, and EPISODE (and, from 2023/24, SWEPISODE; from 2026/27, DOLO) repeat inside CHILD.
A table's ``_row`` is the record's position among that table's records in document order.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from carestat.errors import InputError
from carestat.ingest.safexml import iter_elements
from carestat.ingest.sources import Source
from carestat.spec import ReturnSpec

# One-per-child tables held directly in HEADER exist for a child when this element has a value.
_PRESENCE = {"UASC": "UASC", "OC3": "IN_TOUCH", "AD1": "DATE_INT"}
_CHILD_FIELDS = ("CHILD", "DOB", "SEX")  # copied from HEADER into every table that has them


def _text(element: object, path: str) -> str | None:
    found = element.find(path)  # type: ignore[attr-defined]
    if found is None or found.text is None:
        return None
    text = found.text.strip()
    return text or None


def read_903_xml(source: Source, spec: ReturnSpec) -> tuple[dict[str, pl.DataFrame], str | None]:
    """Raw string tables from one XML return, plus the LA code if the file names one."""
    columns: dict[str, dict[str, list[str | None]]] = defaultdict(lambda: defaultdict(list))
    header_uasc: list[str | None] = []
    seen_child = False
    for child in iter_elements(source, "CHILD"):
        seen_child = True
        header = child.find("HEADER")
        if header is None:
            raise InputError("has a CHILD with no HEADER", file=source.name)
        base = {"CHILD": _text(header, "CHILDID"), "DOB": _text(header, "DOB"),
                "SEX": _text(header, "SEX")}
        header_uasc.append(_text(header, "UASC"))
        for table in spec.tables.values():
            parent = table.xml_parent.split("/", 1)[1] if "/" in table.xml_parent else ""
            if table.per_child == "one":
                scope = header if parent == "HEADER" else header.find(parent.split("/", 1)[1])
                if scope is None:
                    continue
                presence = _PRESENCE.get(table.name)
                if presence and _text(header, presence) is None:
                    continue
                elements = [scope]
            else:
                if parent.startswith("HEADER/"):
                    elements = header.findall(parent.split("/", 1)[1])
                else:
                    elements = child.findall(parent)
            for element in elements:
                cols = columns[table.name]
                for f in table.fields:
                    if f.xml_element:
                        cols[f.name].append(_text(element, f.xml_element))
                    else:
                        cols[f.name].append(base.get(f.name))
    if not seen_child:
        raise InputError("has no CHILD records (is it an SSDA903 XML return?)", file=source.name)
    frames: dict[str, pl.DataFrame] = {}
    for name, table in spec.tables.items():
        cols = columns.get(name)
        height = len(next(iter(cols.values()))) if cols else 0
        data = {f.name: (cols[f.name] if cols else []) for f in table.fields}
        frame = pl.DataFrame(data, schema={f.name: pl.Utf8 for f in table.fields})
        frames[name] = frame.select(
            pl.lit(source.name).alias("_file"),
            pl.int_range(1, height + 1, dtype=pl.UInt32).alias("_row"),
            *table.columns,
        )
    frames["Header"] = frames["Header"].with_columns(
        UASC=pl.Series(header_uasc, dtype=pl.Utf8)
    )
    return frames, None
