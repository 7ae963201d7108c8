"""Write a CIN census year as one DfE CIN XML document (Message > Header, Children > Child ...).

Every record becomes one string fragment, built column-wise, and every tag that closes a record
(or wraps a list: a child's disabilities, an assessment's factors, a plan's reviews) one more row,
each with a numeric key giving its place in the document: child, then episode, then the section of
the episode (assessments, plans, enquiries, the no-further-action flag, protection plans) and the
record's place in it. One stable sort of the keys and one gather of the rows make the document,
written straight from polars: no per-child work and no sorting of strings. Elements follow the
XSD's order and are left out when blank. Values are codes, dates and identifiers made by the
generator, none of which needs XML escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from carestat import __version__
from carestat.spec import spec
from carestat.synth.columns import take

# Bit positions of the parts of a key: child | section | episode | part | record | sub-part. Rows
# sharing a key (a child's disabilities, an assessment's factors) keep their order: the sort is
# stable and every table is in document order.
_C, _S1, _E, _S2, _I = 30, 27, 19, 16, 3


def _blanks(frame: pl.DataFrame, name: str) -> int:
    """Whether a column is never (0), sometimes (1) or always (2) blank."""
    blanks = frame[name].null_count()
    return 0 if blanks == 0 else 2 if blanks == frame.height else 1


@cache
def _element(name: str, blanks: int) -> list[pl.Expr | str]:
    """``<name>value</name>`` pieces for :func:`_joined`, or nothing, for a column whose :func:`_blanks`
    are ``blanks``: columns never (or always) blank need no test, which is most of them and much faster."""
    if blanks == 2:
        return []
    if blanks == 0:
        return [f"<{name}>", pl.col(name), f"</{name}>"]
    return [pl.concat_str([pl.lit(f"<{name}>"), pl.col(name), pl.lit(f"</{name}>")])]


def _joined(*parts: pl.Expr | str) -> pl.Expr:
    """The pieces concatenated, blanks left out (adjacent literal text merged first)."""
    pieces: list[pl.Expr | str] = []
    for p in parts:
        if isinstance(p, str) and pieces and isinstance(pieces[-1], str):
            pieces[-1] += p
        else:
            pieces.append(p)
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in pieces], ignore_nulls=True)


def _at(s1: int, s2: int = 0, s3: int = 0) -> int:
    return (s1 << _S1) + (s2 << _S2) + s3


@dataclass(frozen=True)
class _Part:
    """A kind of fragment: its table and place (``at``; ``i``: the record's ID column), its text
    (``head``, the fields or a slice of them, ``tail``, ``extra``), the tags rows after each record (text and
    place, in the record's child, episode and ID) and, for a list (its records share a key), the tags
    around it (at the places before and after)."""

    table: str
    at: int
    i: str | None = None
    head: str = ""
    names: tuple[int | None, int | None] = (None, None)  # a slice of the table's fields
    tail: str = ""
    extra: str = ""  # another table's field rendered after the tail (one record each, in the same order)
    after: tuple[tuple[str, int], ...] = ()
    wrap: tuple[str, str] = ("", "")


@cache
def _parts(nfa_at: int) -> tuple[_Part, ...]:
    """The document's fragments (``nfa_at``: where the no-further-action flag sits in an episode's fields)."""
    return (
        _Part("ChildIdentifiers", _at(0), head="<Child><ChildIdentifiers>", tail="</ChildIdentifiers><ChildCharacteristics>",
              extra="Ethnicity", after=(("</ChildCharacteristics>", _at(2)), ("</Child>\n", _at(7)))),
        _Part("Disabilities", _at(1, 0, 1), wrap=("<Disabilities>", "</Disabilities>")),
        _Part("CINdetails", _at(3), head="<CINdetails>", names=(None, nfa_at), after=(("</CINdetails>", _at(3, 6)),)),
        _Part("Assessments", _at(3, 1), i="AssessmentID", head="<Assessments>", after=(("</Assessments>", _at(3, 1, 4)),)),
        _Part("AssessmentFactorsList", _at(3, 1, 2), i="AssessmentID",
              wrap=("<FactorsIdentifiedAtAssessment>", "</FactorsIdentifiedAtAssessment>")),
        _Part("CINplanDates", _at(3, 2), head="<CINPlanDates>", tail="</CINPlanDates>"),
        _Part("Section47", _at(3, 3), head="<Section47>", tail="</Section47>"),
        _Part("CINdetails", _at(3, 4), names=(nfa_at, None)),
        _Part("ChildProtectionPlans", _at(3, 5), i="CPPID", head="<ChildProtectionPlans>",
              after=(("</ChildProtectionPlans>", _at(3, 5, 4)),)),
        _Part("Reviews", _at(3, 5, 2), i="CPPID", wrap=("<Reviews>", "</Reviews>")),
    )


@cache
def _text(part: _Part, fields: tuple[tuple[str, int], ...]) -> pl.Expr:
    """A fragment's text: its head, its ``fields`` (name, :func:`_blanks`) as elements and its tail (then
    its ``extra`` field's element, the last given)."""
    own = fields[:-1] if part.extra else fields
    return _joined(part.head, *(p for n, b in own for p in _element(n, b)), part.tail,
                  *(p for n, b in fields[len(own):] for p in _element(n, b))).alias("_x")


@cache
def _tags(parts: tuple[_Part, ...]) -> tuple[pl.Series, dict[str, int]]:
    """Every tag a row may hold, and where each is."""
    tags = sorted({t for p in parts for t in (*(a for a, _ in p.after), *p.wrap) if t})
    return pl.Series(tags, dtype=pl.String), {t: n for n, t in enumerate(tags)}


def _places(tables: dict[str, pl.DataFrame]) -> dict[str, np.ndarray]:
    """Each table's records' child positions in the document (from the tables' ``_c``, or LAchildID)."""
    kids = tables["ChildIdentifiers"]
    if all("_c" in t.columns for t in tables.values()):
        order = kids["_c"].to_numpy()
        if bool(np.all(np.diff(order) > 0)):
            if len(order) and order[-1] - order[0] == len(order) - 1:  # one unit's children, numbered in order
                return {n: t["_c"].to_numpy() - order[0] for n, t in tables.items()}
            return {n: np.searchsorted(order, t["_c"].to_numpy()) for n, t in tables.items()}
    # tables from elsewhere: match children by LAchildID
    index = kids.select("LAchildID").with_row_index("c")
    return {n: t.select("LAchildID").join(index, on="LAchildID", how="left", maintain_order="left")["c"]
            .cast(pl.Int64).fill_null(-1).to_numpy() for n, t in tables.items()}  # a stranger's records go first


def _record_keys(frame: pl.DataFrame, c: np.ndarray, i: str | None) -> np.ndarray:
    """Records' keys without their place in the child's or episode's sections: child, episode, ID."""
    k = c << _C
    for column, shift in (("CINdetailsID", _E), (i, _I)):
        if column is not None and column in frame.columns:
            k += frame[column].cast(pl.Int64).to_numpy() << shift
    return k


def _document(tables: dict[str, pl.DataFrame], year: int) -> pl.DataFrame:
    """Every record's fragment and every tag around them, in document order (one column)."""
    fields = {name: [f.name for f in spec("cin", year).table(name).fields] for name in tables}
    parts = _parts(fields["CINdetails"].index("ReferralNFA"))
    tags, tag_at = _tags(parts)
    places = _places(tables)
    kids, chars = tables["ChildIdentifiers"], tables["ChildCharacteristics"]
    if chars.height == kids.height and chars["LAchildID"].equals(kids["LAchildID"]):
        ethnicity = chars["Ethnicity"]  # one record each, in the same order
    else:
        ethnicity = kids.select("LAchildID").join(chars.select("LAchildID", "Ethnicity"), on="LAchildID", how="left",
                                                  maintain_order="left")["Ethnicity"]
    texts, keys, rows = [], [], []  # rows: what each key places (a fragment's row, or a tag's after them all)
    done, tag_rows = 0, sum(tables[p.table].height for p in parts)
    for p in parts:
        frame = tables[p.table]
        names = fields[p.table][slice(*p.names)]
        if p.extra:
            frame = frame.with_columns(ethnicity)
            names = [*names, p.extra]
        base = _record_keys(frame, places[p.table], p.i)
        keys.append(base + p.at)
        rows.append(done + np.arange(frame.height))
        done += frame.height
        texts.append(frame.with_columns(_text(p, tuple((n, _blanks(frame, n)) for n in names)))["_x"])
        for tag, at in p.after:
            keys.append(base + at)
            rows.append(np.full(frame.height, tag_rows + tag_at[tag]))
        if p.wrap[0]:  # a list: its first record opens it, its last closes it
            k = keys[-1 - len(p.after)]
            change = k[1:] != k[:-1]
            for tag, edge, step in ((p.wrap[0], np.r_[True, change], -1), (p.wrap[1], np.r_[change, True], 1)):
                keys.append(k[edge[:len(k)]] + step)
                rows.append(np.full(len(keys[-1]), tag_rows + tag_at[tag]))
    order = np.argsort(np.concatenate(keys), kind="stable")
    return take(pl.concat([*texts, tags], rechunk=True), np.concatenate(rows)[order]).to_frame()


def write_cin_xml(tables: dict[str, pl.DataFrame], path: Path, year: int, la_code: str) -> None:
    """The year's census for one LA as a DfE CIN XML file (ISO dates, XSD element order)."""
    header = (f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
              f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
              f"<LEA>{la_code}</LEA><SoftwareCode>carestat</SoftwareCode><Release>{__version__}</Release>"
              f"<SerialNo>001</SerialNo><DateTime>{year}-05-01T09:00:00</DateTime></Source></Header>")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:  # the fragments go straight from polars to the file, one after another
        out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<Message>{header}<Children>\n'.encode())
        _document(tables, year).write_csv(out, include_header=False, quote_style="never", line_terminator="")
        out.write(b"</Children></Message>\n")
