"""Write returns to disk: SSDA903 as CSV (one file per table) or DfE XML, CIN census as XML.

XML is assembled with vectorised string operations (one fragment per record, joined per
child), which keeps national-scale generation fast. Values are XML-escaped.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

from carestat.spec import spec

# SSDA903 XML: tables whose fields sit in the child's HEADER, and repeating blocks.
_HEADER_ORDER = ("UPN", "SEX", "DOB", "ETHNIC")
_IN_HEADER_ONE = ("UASC", "OC3", "AD1")  # fields directly inside HEADER
_BLOCKS = {"Reviews": ("HEADER", "AREVIEW"), "Missing": ("HEADER", "AMISSING"),
           "PlacedAdoption": ("HEADER", "AD_PLACED"), "PrevPerm": ("HEADER", "PERMANENCE"),
           "OC2": ("HEADER", "OC2"), "Episodes": ("CHILD", "EPISODE"),
           "SWEpisodes": ("CHILD", "SWEPISODE"), "DoLo": ("CHILD", "DOLO")}


def escape(expr: pl.Expr) -> pl.Expr:
    """&, < and > as XML entities (in one pass: no entity holds another's character but &, done first)."""
    return expr.str.replace_many(["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])


def element(tag: str, column: str) -> pl.Expr:
    """``<tag>value</tag>``, or nothing when the value is blank."""
    return pl.when(pl.col(column).is_not_null() & (pl.col(column) != "")).then(
        pl.concat_str([pl.lit(f"<{tag}>"), escape(pl.col(column)), pl.lit(f"</{tag}>")])).otherwise(pl.lit(""))


def write_903_csv(tables: dict[str, pl.DataFrame], folder: Path, year: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    s = spec("903", year)
    for name, frame in tables.items():
        columns = list(s.table(name).columns)
        frame = frame if frame.columns == columns else frame.select(columns)
        path = folder / f"{s.table(name).csv_name}.csv"
        text = _small_csv(frame)
        if text is None:
            frame.write_csv(path)
        else:
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.write(text)


_SMALL_CELLS = 12_000  # below this, joining in Python beats Polars' fixed cost per file (most files)


def _small_csv(frame: pl.DataFrame) -> str | None:
    """A small all-string frame as Polars' ``write_csv`` writes it, or None to let Polars write it:
    nulls are blank, and as no value may need quotes (an empty string, or one with a separator,
    quote or line break), the text is checked to hold no more separators and line breaks than
    the table's own."""
    if frame.height * frame.width > _SMALL_CELLS or any(t != pl.String for t in frame.dtypes):
        return None
    columns = []
    for series in frame.get_columns():
        values = series.to_list()
        if "" in values:
            return None
        columns.append([v or "" for v in values] if series.null_count() else values)
    text = "\n".join([",".join(frame.columns), *map(",".join, zip(*columns, strict=True))]) + "\n"
    lines = frame.height + 1
    if text.count(",") != (frame.width - 1) * lines or text.count("\n") != lines or '"' in text or "\r" in text:
        return None
    return text


@cache
def _body(year: int, table: str) -> pl.Expr:
    """A record's XML elements, in the spec's order (built once: building expressions costs too)."""
    return pl.concat_str([element(f.xml_element, f.name) for f in spec("903", year).table(table).fields
                          if f.xml_element])


def _fragments(tables: dict[str, pl.DataFrame], year: int) -> dict[str, pl.LazyFrame]:
    """Each child's XML from each table but the header, by ``where:table``."""
    parts = {}
    for name, (where, tag) in _BLOCKS.items():
        if name not in tables:
            continue
        frag = tables[name].lazy().select("CHILD", pl.concat_str([pl.lit(f"<{tag}>"), _body(year, name),
                                                                  pl.lit(f"</{tag}>")]).alias("x"))
        parts[f"{where}:{name}"] = frag.group_by("CHILD", maintain_order=True).agg(pl.col("x").str.join("")).rename(
            {"x": f"{where}:{name}"})
    for name in _IN_HEADER_ONE:
        if name not in tables:
            continue
        body = _body(year, name)
        if name == "UASC":  # the header's UASC flag travels with the UASC record
            body = pl.concat_str([pl.lit("<UASC>1</UASC>"), body])
        parts[f"HEADER:{name}"] = tables[name].lazy().select("CHILD", body.alias(f"HEADER:{name}")).unique(
            "CHILD", keep="first", maintain_order=True)
    return parts


@cache
def _head() -> tuple[pl.Expr, pl.Expr]:
    return (pl.concat_str([pl.lit("<CHILDID>"), escape(pl.col("CHILD")), pl.lit("</CHILDID>"),
                           *[element(f, f) for f in _HEADER_ORDER]]).alias("head"),
            pl.concat_str([element("MOTHER", "MOTHER"), element("MC_DOB", "MC_DOB")]).alias("mother"))


def write_903_xml(tables: dict[str, pl.DataFrame], path: Path, year: int) -> None:
    """The return as one DfE SSDA903 XML document (EXPSSDA903 > CHILD > HEADER/EPISODE...), built
    in one query."""
    frame = tables["Header"].lazy().select("CHILD", *_head())
    parts = _fragments(tables, year)
    for part in parts.values():
        frame = frame.join(part, on="CHILD", how="left", maintain_order="left")
    order = ["HEADER:UASC", "HEADER:Reviews", "HEADER:Missing", "HEADER:PrevPerm", "HEADER:OC2", "HEADER:OC3",
             "HEADER:AD1", "HEADER:PlacedAdoption"]
    in_header = [pl.col(c).fill_null("") for c in order if c in parts]
    children = [pl.col(c).fill_null("") for c in ("CHILD:Episodes", "CHILD:SWEpisodes", "CHILD:DoLo") if c in parts]
    uasc_flag = (pl.when(pl.col("HEADER:UASC").is_null()).then(pl.lit("<UASC>0</UASC>")).otherwise(pl.lit(""))
                 if "HEADER:UASC" in parts else pl.lit("<UASC>0</UASC>"))
    xml = frame.select(pl.concat_str([
        pl.lit("<CHILD><HEADER>"), pl.col("head"), uasc_flag, *in_header[:1], pl.col("mother"), *in_header[1:],
        pl.lit("</HEADER>"), *children, pl.lit("</CHILD>")]).alias("x")).collect()["x"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<EXPSSDA903>')
        out.write("".join(xml.to_list()))
        out.write("</EXPSSDA903>\n")
