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

import numpy as np
import polars as pl

from carestat import __version__
from carestat.spec import spec

# Bit positions of the parts of a fragment's key: child | section | episode | part | record | sub-part.
# Records sharing a key (a child's disabilities, an assessment's factors) keep their order: the sort
# is stable and every table is in document order.
_SHIFTS = {"c": 30, "s1": 27, "e": 19, "s2": 16, "i": 2, "s3": 0}


def _el(frame: pl.DataFrame, name: str) -> list[pl.Expr | str]:
    """``<name>value</name>`` pieces for an ignore-nulls concatenation, or nothing when blank. Columns
    that are never (or always) blank need no test, which is most of them and much faster."""
    blanks = frame[name].null_count()
    if blanks == frame.height:
        return []
    if blanks == 0:
        return [f"<{name}>", pl.col(name), f"</{name}>"]
    return [pl.concat_str([pl.lit(f"<{name}>"), pl.col(name), pl.lit(f"</{name}>")])]


def _fields(frame: pl.DataFrame, year: int, table: str, names: slice = slice(None)) -> list[pl.Expr | str]:
    return [piece for f in spec("cin", year).table(table).fields[names] for piece in _el(frame, f.name)]


def _key(**parts: pl.Expr | int) -> pl.Expr:
    expr = pl.lit(0, dtype=pl.Int64)
    for name, value in parts.items():
        v = value if isinstance(value, pl.Expr) else pl.lit(value)
        expr = expr + (v.cast(pl.Int64) * (1 << _SHIFTS[name]))
    return expr


def _frag(frame: pl.LazyFrame, key: pl.Expr, *parts: pl.Expr | str) -> pl.LazyFrame:
    """One fragment per record: its pieces concatenated (adjacent literal text merged first)."""
    pieces: list[pl.Expr | str] = []
    for p in parts:
        if isinstance(p, str) and pieces and isinstance(pieces[-1], str):
            pieces[-1] += p
        else:
            pieces.append(p)
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in pieces]
    return frame.select(key.alias("k"), pl.concat_str(exprs, ignore_nulls=True).alias("x"))


def _with_positions(frame: pl.DataFrame, order: pl.Series) -> pl.LazyFrame:
    """The child's position in the document (from the tables' ``_c``, or their LAchildID), and episode,
    assessment and plan numbers as integers: a lazy frame, so the whole document is one query."""
    ints = [pl.col(c).cast(pl.Int64) for c in ("CINdetailsID", "AssessmentID", "CPPID") if c in frame.columns]
    if "_c" in frame.columns and order.is_sorted() and order.n_unique() == len(order):
        c = pl.Series("c", np.searchsorted(order.to_numpy(), frame["_c"].to_numpy()))
        return frame.lazy().with_columns(c, *ints)
    # tables from elsewhere: match children by LAchildID
    return frame.lazy().join(order.to_frame("LAchildID").with_row_index("c").lazy(), on="LAchildID", how="left",
                             maintain_order="left").with_columns(ints)


def _wrapped(group: list[str], tag: str, inner: list[pl.Expr | str]) -> list[pl.Expr | str]:
    """``inner`` with ``<tag>`` before the first and ``</tag>`` after the last record of each group
    (records of a group are contiguous: tables are in document order)."""
    first = pl.any_horizontal([pl.col(g) != pl.col(g).shift(1) for g in group]).fill_null(True)
    last = pl.any_horizontal([pl.col(g) != pl.col(g).shift(-1) for g in group]).fill_null(True)
    return [pl.when(first).then(pl.lit(f"<{tag}>")), *inner, pl.when(last).then(pl.lit(f"</{tag}>"))]


def _fragments(tables: dict[str, pl.DataFrame], year: int) -> list[pl.LazyFrame]:
    """Every record's fragments, as lazy frames (``tables`` tell which columns are ever blank)."""
    kids = tables["ChildIdentifiers"]
    order = kids["_c"] if "_c" in kids.columns and kids["_c"].is_sorted() else kids["LAchildID"]
    t = {name: _with_positions(frame if order.name == "_c" else frame.drop("_c", strict=False), order)
         for name, frame in tables.items()}
    c, e = pl.col("c"), pl.col("CINdetailsID")
    kids, chars = t["ChildIdentifiers"], tables["ChildCharacteristics"]
    if chars.height == tables["ChildIdentifiers"].height and chars["LAchildID"].equals(tables["ChildIdentifiers"]["LAchildID"]):
        kids = kids.with_columns(chars["Ethnicity"])  # one record each, in the same order
    else:
        kids = kids.join(chars.lazy().select("LAchildID", "Ethnicity"), on="LAchildID", how="left",
                         maintain_order="left")
    dis, cin = t["Disabilities"], t["CINdetails"]
    nfa_at = [f.name for f in spec("cin", year).table("CINdetails").fields].index("ReferralNFA")
    ass, fac, cpp, rev = t["Assessments"], t["AssessmentFactorsList"], t["ChildProtectionPlans"], t["Reviews"]

    def fields(name: str, names: slice = slice(None)) -> list[pl.Expr | str]:
        return _fields(tables[name], year, name, names)

    return [
        _frag(kids, _key(c=c), "<Child><ChildIdentifiers>", *fields("ChildIdentifiers"),
              "</ChildIdentifiers><ChildCharacteristics>", *_el(chars, "Ethnicity")),
        _frag(dis, _key(c=c, s1=1), *_wrapped(["c"], "Disabilities", _el(tables["Disabilities"], "Disability"))),
        _frag(kids, _key(c=c, s1=2), "</ChildCharacteristics>"),
        _frag(cin, _key(c=c, s1=3, e=e), "<CINdetails>", *fields("CINdetails", slice(nfa_at))),
        _frag(ass, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID")), "<Assessments>", *fields("Assessments")),
        _frag(fac, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID"), s3=1),
              *_wrapped(["c", "CINdetailsID", "AssessmentID"], "FactorsIdentifiedAtAssessment",
                        _el(tables["AssessmentFactorsList"], "AssessmentFactors"))),
        _frag(ass, _key(c=c, s1=3, e=e, s2=1, i=pl.col("AssessmentID"), s3=2), "</Assessments>"),
        _frag(t["CINplanDates"], _key(c=c, s1=3, e=e, s2=2), "<CINPlanDates>", *fields("CINplanDates"),
              "</CINPlanDates>"),
        _frag(t["Section47"], _key(c=c, s1=3, e=e, s2=3), "<Section47>", *fields("Section47"), "</Section47>"),
        _frag(cin, _key(c=c, s1=3, e=e, s2=4), *fields("CINdetails", slice(nfa_at, None))),
        _frag(cpp, _key(c=c, s1=3, e=e, s2=5, i=pl.col("CPPID")), "<ChildProtectionPlans>",
              *fields("ChildProtectionPlans")),
        _frag(rev, _key(c=c, s1=3, e=e, s2=5, i=pl.col("CPPID"), s3=1),
              *_wrapped(["c", "CINdetailsID", "CPPID"], "Reviews", _el(tables["Reviews"], "CPPreviewDate"))),
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
    body = pl.concat(_fragments(tables, year)).sort("k", maintain_order=True).select("x").collect()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:  # the fragments go straight from polars to the file, one after another
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{header}<Children>\n'.encode())
        body.write_csv(out, include_header=False, quote_style="never", line_terminator="")
        out.write(b"</Children></Message>\n")
