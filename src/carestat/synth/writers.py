"""Write returns to disk: SSDA903 as CSV (one file per table) or DfE XML, CIN census as XML.

XML is assembled with vectorised string operations (one fragment per record, joined per
child), which keeps national-scale generation fast. Values are XML-escaped.
"""

from __future__ import annotations

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
    return expr.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True) \
        .str.replace_all(">", "&gt;", literal=True)


def element(tag: str, column: str) -> pl.Expr:
    """``<tag>value</tag>``, or nothing when the value is blank."""
    return pl.when(pl.col(column).is_not_null() & (pl.col(column) != "")).then(
        pl.concat_str([pl.lit(f"<{tag}>"), escape(pl.col(column)), pl.lit(f"</{tag}>")])).otherwise(pl.lit(""))


def write_903_csv(tables: dict[str, pl.DataFrame], folder: Path, year: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    s = spec("903", year)
    for name, frame in tables.items():
        columns = list(s.table(name).columns)
        (frame if frame.columns == columns else frame.select(columns)).write_csv(folder / f"{s.table(name).csv_name}.csv")


def _body(year: int, table: str) -> pl.Expr:
    """A record's XML elements, in the spec's order."""
    return pl.concat_str([element(f.xml_element, f.name) for f in spec("903", year).table(table).fields
                          if f.xml_element])


def _fragments(tables: dict[str, pl.DataFrame], year: int) -> list[pl.DataFrame]:
    parts = []
    for name, (where, tag) in _BLOCKS.items():
        if name not in tables:
            continue
        body = _body(year, name)
        frag = tables[name].select("CHILD", pl.concat_str([pl.lit(f"<{tag}>"), body, pl.lit(f"</{tag}>")]).alias("x"))
        parts.append(frag.group_by("CHILD", maintain_order=True).agg(pl.col("x").str.join("")).rename(
            {"x": f"{where}:{name}"}))
    for name in _IN_HEADER_ONE:
        if name not in tables:
            continue
        body = _body(year, name)
        if name == "UASC":  # the header's UASC flag travels with the UASC record
            body = pl.concat_str([pl.lit("<UASC>1</UASC>"), body])
        parts.append(tables[name].select("CHILD", body.alias(f"HEADER:{name}")).unique("CHILD", keep="first",
                                                                                         maintain_order=True))
    return parts


def write_903_xml(tables: dict[str, pl.DataFrame], path: Path, year: int) -> None:
    """The return as one DfE SSDA903 XML document (EXPSSDA903 > CHILD > HEADER/EPISODE...)."""
    header = tables["Header"]
    frame = header.select(
        "CHILD",
        pl.concat_str([pl.lit("<CHILDID>"), escape(pl.col("CHILD")), pl.lit("</CHILDID>"),
                       *[element(f, f) for f in _HEADER_ORDER]]).alias("head"),
        pl.concat_str([element("MOTHER", "MOTHER"), element("MC_DOB", "MC_DOB")]).alias("mother"),
    )
    for part in _fragments(tables, year):
        frame = frame.join(part, on="CHILD", how="left")
    order = ["HEADER:UASC", "HEADER:Reviews", "HEADER:Missing", "HEADER:PrevPerm", "HEADER:OC2", "HEADER:OC3",
             "HEADER:AD1", "HEADER:PlacedAdoption"]
    in_header = [pl.col(c).fill_null("") for c in order if c in frame.columns]
    children = [pl.col(c).fill_null("") for c in ("CHILD:Episodes", "CHILD:SWEpisodes", "CHILD:DoLo")
                if c in frame.columns]
    uasc_flag = (pl.when(pl.col("HEADER:UASC").is_null()).then(pl.lit("<UASC>0</UASC>")).otherwise(pl.lit(""))
                 if "HEADER:UASC" in frame.columns else pl.lit("<UASC>0</UASC>"))
    xml = frame.select(pl.concat_str([
        pl.lit("<CHILD><HEADER>"), pl.col("head"), uasc_flag, *in_header[:1], pl.col("mother"), *in_header[1:],
        pl.lit("</HEADER>"), *children, pl.lit("</CHILD>")]).alias("x"))["x"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<EXPSSDA903>')
        out.write("".join(xml.to_list()))
        out.write("</EXPSSDA903>\n")
