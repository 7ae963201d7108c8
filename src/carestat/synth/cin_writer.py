"""Write a CIN census year as one DfE CIN XML document (Message > Header, Children > Child ...).

Each record becomes one string fragment built column-wise; fragments are joined into their parent
(review dates into their plan, factors into their assessment, plans, enquiries and assessments into
their episode, episodes into their child) with ordered group-bys, so the document is built in a few
vectorised passes. Elements follow the XSD's order and are left out when blank.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carestat import __version__
from carestat.spec import spec
from carestat.synth.writers import element

_EPISODE = ["LAchildID", "CINdetailsID"]


def _fields(year: int, table: str) -> list[str]:
    return [f.name for f in spec("cin", year).table(table).fields]


def _record(frame: pl.DataFrame, year: int, table: str, tag: str, inner: list[pl.Expr] | None = None,
            after: str | None = None) -> pl.Expr:
    """``<tag>fields...</tag>``; ``inner`` fragments go after the field named ``after`` (or last)."""
    parts: list[pl.Expr] = []
    for name in _fields(year, table):
        parts.append(element(name, name))
        if name == after:
            parts.extend(inner or [])
    if after is None:
        parts.extend(inner or [])
    return pl.concat_str([pl.lit(f"<{tag}>"), *parts, pl.lit(f"</{tag}>")])


def _nest(child: pl.DataFrame, keys: list[str], body: pl.Expr, name: str, wrap: str | None = None) -> pl.DataFrame:
    """One fragment per parent key: the children's fragments joined in document order."""
    grouped = child.group_by(keys, maintain_order=True).agg(body.str.join("").alias(name))
    if wrap:
        grouped = grouped.with_columns(pl.concat_str([pl.lit(f"<{wrap}>"), pl.col(name), pl.lit(f"</{wrap}>")]).alias(name))
    return grouped


def _attach(parent: pl.DataFrame, *parts: pl.DataFrame) -> pl.DataFrame:
    for part in parts:
        keys = [c for c in part.columns if c in parent.columns]
        parent = parent.join(part, on=keys, how="left", maintain_order="left")
    return parent


def _children(tables: dict[str, pl.DataFrame], year: int) -> pl.Series:
    t = tables
    cpp_keys = [*_EPISODE, "CPPID"]
    reviews = _nest(t["Reviews"], cpp_keys, element("CPPreviewDate", "CPPreviewDate"), "reviews", "Reviews")
    cpp = _attach(t["ChildProtectionPlans"], reviews)
    cpp = _nest(cpp, _EPISODE, _record(cpp, year, "ChildProtectionPlans", "ChildProtectionPlans",
                                       [pl.col("reviews").fill_null("")]), "cpp")
    a_keys = [*_EPISODE, "AssessmentID"]
    factors = _nest(t["AssessmentFactorsList"], a_keys, element("AssessmentFactors", "AssessmentFactors"),
                    "factors", "FactorsIdentifiedAtAssessment")
    ass = _attach(t["Assessments"], factors)
    ass = _nest(ass, _EPISODE, _record(ass, year, "Assessments", "Assessments", [pl.col("factors").fill_null("")]),
                "assessments")
    plans = _nest(t["CINplanDates"], _EPISODE, _record(t["CINplanDates"], year, "CINplanDates", "CINPlanDates"),
                  "plans")
    s47 = _nest(t["Section47"], _EPISODE, _record(t["Section47"], year, "Section47", "Section47"), "s47")
    cin = _attach(t["CINdetails"], ass, plans, s47, cpp)
    # XSD order: ... DateOfInitialCPC, Assessments*, CINPlanDates*, Section47*, ReferralNFA, ChildProtectionPlans*
    inner = [pl.col(c).fill_null("") for c in ("assessments", "plans", "s47")]
    body = _record(cin, year, "CINdetails", "CINdetails", inner, after="DateOfInitialCPC")
    cin = _nest(cin.with_columns(body.alias("b")), ["LAchildID"],
                pl.concat_str([pl.col("b").str.strip_suffix("</CINdetails>"), pl.col("cpp").fill_null(""),
                               pl.lit("</CINdetails>")]), "episodes")
    disabilities = _nest(t["Disabilities"], ["LAchildID"], element("Disability", "Disability"), "disabilities",
                         "Disabilities")
    kids = _attach(t["ChildIdentifiers"], t["ChildCharacteristics"], disabilities, cin)
    return kids.select(pl.concat_str([
        pl.lit("<Child>"), _record(kids, year, "ChildIdentifiers", "ChildIdentifiers"),
        pl.lit("<ChildCharacteristics>"), element("Ethnicity", "Ethnicity"), pl.col("disabilities").fill_null(""),
        pl.lit("</ChildCharacteristics>"), pl.col("episodes").fill_null(""), pl.lit("</Child>")]).alias("x"))["x"]


def write_cin_xml(tables: dict[str, pl.DataFrame], path: Path, year: int, la_code: str) -> None:
    """The year's census for one LA as a DfE CIN XML file (ISO dates, XSD element order)."""
    header = (f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
              f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
              f"<LEA>{la_code}</LEA><SoftwareCode>carestat</SoftwareCode><Release>{__version__}</Release>"
              f"<SerialNo>001</SerialNo><DateTime>{year}-05-01T09:00:00</DateTime></Source></Header>")
    children = _children(tables, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{header}<Children>\n')
        out.write(children.str.join("\n").item() if len(children) else "")
        out.write("\n</Children></Message>\n")
