"""Write a CIN census year as one DfE CIN XML document (Message > Header, Children > Child ...).

Every record becomes one string fragment, built column-wise, with a numeric key giving its place in
the document: child, then episode, then the section of the episode (assessments, plans, enquiries,
the no-further-action flag, protection plans) and the record's place in it. One sort on that key and
one join make the document, so national-scale writing takes a few vectorised passes and no
per-child work. Elements follow the XSD's order and are left out when blank. Values are codes,
dates and identifiers made by the generator, none of which needs XML escaping.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from carestat import __version__
from carestat.spec import spec

# Bit positions of the parts of a fragment's key: child | section | episode | part | record | sub-part.
# Records sharing a key (a child's disabilities, an assessment's factors) keep their order: the sort
# is stable and every table is in document order.
_SHIFTS = {"c": 30, "s1": 27, "e": 19, "s2": 16, "i": 2, "s3": 0}


def _el(name: str) -> pl.Expr:
    """``<name>value</name>``, or nothing when blank (blanks are nulls in the tables)."""
    return pl.concat_str([pl.lit(f"<{name}>"), pl.col(name), pl.lit(f"</{name}>")]).fill_null("")


def _fields(year: int, table: str) -> list[pl.Expr]:
    return [_el(f.name) for f in spec("cin", year).table(table).fields]


def _key(**parts: pl.Expr | int) -> pl.Expr:
    expr = pl.lit(0, dtype=pl.Int64)
    for name, value in parts.items():
        v = value if isinstance(value, pl.Expr) else pl.lit(value)
        expr = expr + (v.cast(pl.Int64) * (1 << _SHIFTS[name]))
    return expr


def _frag(frame: pl.DataFrame, key: pl.Expr, *parts: pl.Expr | str) -> pl.DataFrame:
    return frame.select(key.alias("k"), pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
                        .alias("x"))


def _with_positions(frame: pl.DataFrame, child: pl.DataFrame) -> pl.DataFrame:
    """The child's position in the document, and episode, assessment and plan numbers as integers."""
    frame = frame.join(child, on="LAchildID", how="left", maintain_order="left")
    ints = [pl.col(c).cast(pl.Int64) for c in ("CINdetailsID", "AssessmentID", "CPPID") if c in frame.columns]
    return frame.with_columns(ints)


def _wrapped(group: list[str], tag: str, inner: pl.Expr) -> pl.Expr:
    """``inner`` with ``<tag>`` before the first and ``</tag>`` after the last record of each group
    (records of a group are contiguous: tables are in document order)."""
    first = pl.any_horizontal([pl.col(g) != pl.col(g).shift(1) for g in group]).fill_null(True)
    last = pl.any_horizontal([pl.col(g) != pl.col(g).shift(-1) for g in group]).fill_null(True)
    return pl.concat_str([pl.when(first).then(pl.lit(f"<{tag}>")).otherwise(pl.lit("")), inner,
                          pl.when(last).then(pl.lit(f"</{tag}>")).otherwise(pl.lit(""))])


def _fragments(tables: dict[str, pl.DataFrame], year: int) -> list[pl.DataFrame]:
    ids = tables["ChildIdentifiers"].select("LAchildID").with_row_index("c")
    t = {name: _with_positions(frame, ids) for name, frame in tables.items()}
    c, e = pl.col("c"), pl.col("CINdetailsID")
    kids = t["ChildIdentifiers"].join(tables["ChildCharacteristics"], on="LAchildID", how="left",
                                      maintain_order="left")
    dis = t["Disabilities"]
    cin = t["CINdetails"]
    head_fields = _fields(year, "CINdetails")
    nfa_at = [f.name for f in spec("cin", year).table("CINdetails").fields].index("ReferralNFA")
    ass, fac, cpp, rev = t["Assessments"], t["AssessmentFactorsList"], t["ChildProtectionPlans"], t["Reviews"]
    return [
        _frag(kids, _key(c=c), "<Child><ChildIdentifiers>", *_fields(year, "ChildIdentifiers"),
              "</ChildIdentifiers><ChildCharacteristics>", _el("Ethnicity")),
        _frag(dis, _key(c=c, s1=1), _wrapped(["c"], "Disabilities", _el("Disability"))),
        _frag(kids, _key(c=c, s1=2), "</ChildCharacteristics>"),
        _frag(cin, _key(c=c, s1=3, e=e), "<CINdetails>", *head_fields[:nfa_at]),
        _frag(ass, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID")), "<Assessments>",
              *_fields(year, "Assessments")),
        _frag(fac, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID"), s3=1),
              _wrapped(["c", "CINdetailsID", "AssessmentID"], "FactorsIdentifiedAtAssessment", _el("AssessmentFactors"))),
        _frag(ass, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID"), s3=2), "</Assessments>"),
        _frag(t["CINplanDates"], _key(c=c, s1=3, e=e, s2=2), "<CINPlanDates>",
              *_fields(year, "CINplanDates"), "</CINPlanDates>"),
        _frag(t["Section47"], _key(c=c, s1=3, e=e, s2=3), "<Section47>",
              *_fields(year, "Section47"), "</Section47>"),
        _frag(cin, _key(c=c, s1=3, e=e, s2=4), *head_fields[nfa_at:]),
        _frag(cpp, _key(c=c, s1=3, e=e, s2=5, i=pl.col("CPPID")), "<ChildProtectionPlans>",
              *_fields(year, "ChildProtectionPlans")),
        _frag(rev, _key(c=c, s1=3, e=e, s2=5, i=pl.col("CPPID"), s3=1),
              _wrapped(["c", "CINdetailsID", "CPPID"], "Reviews", _el("CPPreviewDate"))),
        _frag(cpp, _key(c=c, s1=3, e=e, s2=5, i=pl.col("CPPID"), s3=2), "</ChildProtectionPlans>"),
        _frag(cin, _key(c=c, s1=3, e=e, s2=6), "</CINdetails>"),
        _frag(kids, _key(c=c, s1=7), "</Child>\n"),
    ]


def write_cin_xml(tables: dict[str, pl.DataFrame], path: Path, year: int, la_code: str) -> None:
    """The year's census for one LA as a DfE CIN XML file (ISO dates, XSD element order)."""
    header = (f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
              f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
              f"<LEA>{la_code}</LEA><SoftwareCode>carestat</SoftwareCode><Release>{__version__}</Release>"
              f"<SerialNo>001</SerialNo><DateTime>{year}-05-01T09:00:00</DateTime></Source></Header>")
    body = pl.concat(_fragments(tables, year)).sort("k", maintain_order=True)["x"].str.join("").item()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{header}<Children>\n')
        out.write(body)
        out.write("</Children></Message>\n")
