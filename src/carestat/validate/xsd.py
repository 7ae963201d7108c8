"""Check a CIN census XML file against the DfE's XML schema (XSD) for its collection year.

The DfE's collection system refuses a file that breaks the schema, so each problem is an error
line (code ``XSD``) in the same report as the rules: the table and row of the record it is in
(as the reader numbers them), the child, the element and a plain-English message that starts with
the line of the file. The first ``LISTED`` problems by line are listed, then one line counting
the rest. Years without a held schema (2024/25 on) get a note instead.

The file is parsed again, streamed with the reader's safe settings, and validated a batch of
Child elements at a time in a small document of their own. libxml2 names each problem's place by
counting the element's siblings, so on a whole national census (30,000 children) a few thousand
problems would take minutes; in batches the cost stays in proportion to the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from lxml import etree

from carestat.errors import InputError
from carestat.ingest import ReturnData, Source
from carestat.ingest.safexml import SAFE_OPTIONS, safe_iterparse
from carestat.ingest.xmlcin import record_elements
from carestat.validate.xsd_messages import plain

XSD_CODE = "XSD"
XSD_SUMMARY = ("The file does not match the DfE's XML schema (XSD) for the year, so the DfE's collection system "
               "would reject it. Each error line says where (the line of the file) and what is wrong.")
LISTED = 100  # problems listed; the rest are counted
XSD_FOLDER = Path(__file__).parents[1] / "spec" / "data" / "xsd"
_BATCH = 500  # Child elements validated together (see the module's note)
# Where carestat departs from the held schemas, each explained in docs/validation-differences.md.
_RELAXED = (('name="NumberOfPreviousCPP" type="xs:positiveInteger"',
             'name="NumberOfPreviousCPP" type="xs:nonNegativeInteger"'),)
_XS = "{http://www.w3.org/2001/XMLSchema}"


@dataclass(frozen=True)
class Problem:
    """One schema problem: where (line; table, the Child's position and the record's place among
    the child's records of that table) and what."""

    line: int
    text: str
    fields: tuple[str, ...]
    table: str | None = None
    child: int | None = None  # the Child's position in the file (its ChildIdentifiers row)
    nth: int = 0  # the record's place among the child's records of ``table`` (0 = first)


@dataclass(frozen=True)
class SchemaCheck:
    """The outcome of checking one file: the first problems by line, how many there were in all,
    and a note when the year has no schema."""

    year: int
    problems: tuple[Problem, ...] = ()
    total: int = 0
    note: str | None = None
    seconds: float = 0.0

    def errors(self, data: ReturnData) -> pl.DataFrame:
        """Error lines (``code, table, row, child, fields, message``), rows and child IDs from
        ``data`` (the tables read from the same file)."""
        lines = [_line(p, data) for p in self.problems]
        if self.total > len(self.problems):
            more = self.total - len(self.problems)
            lines.append((None, None, None, "", f"The file breaks the schema in {self.total:,} places; only the first "
                          f"{len(self.problems):,} (by line) are listed, so {more:,} more are not. Fix those listed "
                          "and check the file again."))
        return pl.DataFrame([(XSD_CODE, *line) for line in lines], orient="row", schema={
            "code": pl.Utf8, "table": pl.Utf8, "row": pl.UInt32, "child": pl.Utf8, "fields": pl.Utf8,
            "message": pl.Utf8})


def _line(p: Problem, data: ReturnData) -> tuple[Any, ...]:
    """(table, row, child, fields, message) of one problem; rows as the reader numbers records."""
    row = child = None
    if p.table == "Header":
        row = 1
    elif p.table is not None and p.child is not None:
        if data.spec.table(p.table).per_child == "one":
            row = p.child
        else:  # records of the children before this one, then this child's own
            row = int(data.table(p.table)["_child"].search_sorted(p.child, side="left")) + p.nth + 1
        ids = data.table("ChildIdentifiers")["LAchildID"]
        child = ids[p.child - 1] if p.child <= ids.len() else None
    return (p.table, row, child, ";".join(p.fields), f"Line {p.line}: {p.text}")


def schema_path(year: int) -> Path | None:
    """The held XSD for ``year`` (2024 = 2023/24), or None."""
    path = XSD_FOLDER / f"CIN_schema_{year}.xsd"
    return path if path.is_file() else None


@cache
def _schema_document(year: int) -> tuple[bytes, frozenset[str]] | None:
    """The year's schema as validated (with carestat's relaxations) and every element it names."""
    path = schema_path(year)
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    for old, new in _RELAXED:
        text = text.replace(old, new)
    data = text.encode()
    names = etree.fromstring(data, etree.XMLParser(**SAFE_OPTIONS)).iterfind(f".//{_XS}element")
    return data, frozenset(e.get("name") for e in names if e.get("name"))


def _schema(data: bytes) -> etree.XMLSchema:
    # A fresh validator per check: lxml's validators keep their error log, so they are not shared.
    return etree.XMLSchema(etree.fromstring(data, etree.XMLParser(**SAFE_OPTIONS)))


def check_schema(source: Source, year: int, *, limit: int = LISTED) -> SchemaCheck:
    """Validate ``source`` (a CIN census XML file) against the held schema of ``year``."""
    started = time.perf_counter()
    held = _schema_document(year)
    if held is None:
        label = f"{year - 1}/{str(year)[2:]}"
        return SchemaCheck(year, note=f"carestat holds no DfE XML schema (XSD) for {label}, so the file's layout was "
                                      "not checked against one; the DfE's system checks it when you submit.")
    checker = _Checker(_schema(held[0]), held[1], year, limit)
    checker.run(source)
    found = sorted(checker.found, key=lambda p: p.line)[:limit]
    return SchemaCheck(year, tuple(found), checker.total, seconds=time.perf_counter() - started)


class _Checker:
    def __init__(self, schema: etree.XMLSchema, known: frozenset[str], year: int, limit: int) -> None:
        self.schema, self.known, self.year, self.limit = schema, known, year, limit
        self.found: list[Problem] = []
        self.total = 0
        self.positions: dict[Any, int] = {}  # Child element -> its position in the file

    def run(self, source: Source) -> None:
        context = safe_iterparse(source, "{*}Child")
        root = main = None
        plain_root = True
        since = 0
        try:
            for position, (_, child) in enumerate(context, start=1):
                if root is None:
                    root = child.getroottree().getroot()
                    plain_root = root.tag == "Message"
                if not plain_root:  # the schema stops at the top element: free the rest as we go
                    child.clear(keep_tail=False)
                    while child.getprevious() is not None:
                        del child.getparent()[0]
                    continue
                self.positions[child] = position
                parent = child.getparent()
                if main is None and parent is not None and parent.tag == "Children" and parent.getparent() is root:
                    main = parent
                if parent is main:
                    since += 1
                    if since > _BATCH:
                        self._batch(main, child)
                        since = 1
        except etree.XMLSyntaxError as exc:
            raise InputError(f"is not well-formed XML near line {exc.lineno} ({exc.msg})", file=source.name) from None
        if context.root is not None:
            self._validate(context.root, resolve=self.limit)

    def _batch(self, main: Any, upto: Any) -> None:
        """Validate, in a document of their own, the complete elements of Children before ``upto``."""
        skeleton = etree.Element("Message")
        kids = etree.SubElement(skeleton, "Children")
        moving = []
        for item in main:
            if item is upto:
                break
            moving.append(item)
        kids.extend(moving)  # moves them: the live tree keeps only what is still being read
        self._validate(skeleton, resolve=self.limit - len(self.found))
        for item in moving:
            self.positions.pop(item, None)

    def _validate(self, root: Any, resolve: int) -> None:
        if self.schema.validate(root):
            return
        tree = root.getroottree()
        for n, error in enumerate(self.schema.error_log):
            self.total += 1
            if n < resolve:
                self.found.append(self._problem(error, tree))

    def _problem(self, error: Any, tree: Any) -> Problem:
        element = _find(tree, error.path)
        parent = element.getparent() if element is not None else None
        said = plain(error.message, parent=None if parent is None else str(parent.tag), known=self.known,
                     stray=_stray_text(element) if "Character content" in error.message else None)
        table, child, nth = self._place(element)
        return Problem(error.line, said.text, said.fields, table, child, nth)

    def _place(self, element: Any) -> tuple[str | None, int | None, int]:
        """The table, Child position and place among the child's records of the record holding
        ``element`` (the child's ChildIdentifiers when no record does)."""
        chain = []
        node = element
        while node is not None and node not in self.positions:
            chain.append(node)
            node = node.getparent()
        if node is None:  # outside every Child: the Header's, or the return's as a whole
            header = next((e for e in chain if e.tag == "Header" and e.getparent() is not None
                           and e.getparent().getparent() is None), None)
            first = header.getparent().find("Header") if header is not None else None
            return ("Header", None, 0) if header is not None and first is header else (None, None, 0)
        position = self.positions[node]
        records = record_elements(node, self.year)  # kept alive while ids are compared
        where = {id(e): (table, i) for table, elements in records.items() for i, e in enumerate(elements)}
        for item in chain:
            if id(item) in where:
                table, i = where[id(item)]
                return table, position, i
        return "ChildIdentifiers", position, 0


def _find(tree: Any, path: str | None) -> Any:
    if not path:
        return None
    try:
        found = tree.xpath(path)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found else None


def _stray_text(element: Any) -> str | None:
    """Where the first text between an element's child elements is, for a message."""
    if element is None:
        return None
    if element.text and element.text.strip():
        return f"at line {element.sourceline}, before its first element"
    for item in element:
        if item.tail and item.tail.strip():
            name = item.tag if isinstance(item.tag, str) else "a comment"
            return f"at line {item.sourceline}, after <{name}>"
    return None


__all__ = ["LISTED", "XSD_CODE", "XSD_SUMMARY", "Problem", "SchemaCheck", "check_schema", "schema_path"]
