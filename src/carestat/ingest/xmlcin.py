"""The DfE CIN census XML (Message > Header, Children > Child > ...) into typed tables.

The layout follows the spec's ``xml_parent`` and ``xml_element`` declarations. Every Child gives
exactly one ChildIdentifiers and one ChildCharacteristics record (all blank when the element is
missing, so a rule can still flag it); CINdetails, Assessments, CINPlanDates, Section47 and
ChildProtectionPlans elements are records of their tables; Disabilities,
FactorsIdentifiedAtAssessment and Reviews wrap lists, each item a record. The Header is one
record. Elements are matched by name whatever their order, so an off-schema file is still read;
elements the year's spec does not know are counted and reported in the notes, never an error.

Besides the spec's fields, every record keeps:

- ``_file``, ``_row``: the file and the record's 1-based position among its table's records in
  document order;
- ``_child``: the 1-based position of its Child in the file (equal to the child's ChildIdentifiers
  ``_row``), exact even when LAchildID is blank or repeated, and ``LAchildID``;
- ``CINdetailsID`` (the ``_row`` of the CINdetails record it belongs to), ``AssessmentID`` (of its
  Assessments record) and ``CPPID`` (of its ChildProtectionPlans record), in the tables nested
  below those. Unlike the DfE's tools, which number episodes per child, these are unique in the
  return, so a join on one of them alone is exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl
from lxml import etree

from carestat.errors import InputError, SpecError
from carestat.ingest.safexml import iter_elements
from carestat.ingest.sources import Source
from carestat.ingest.typing import blank_to_null, typed_plan
from carestat.refdata import LocalAuthority
from carestat.spec import ReturnSpec, Table, spec

if TYPE_CHECKING:
    from carestat.ingest import PathOrSource, ReturnData

CHILD_PATH = "Message/Children/Child/"
HEADER = "Header"
# Tables whose records other records hang below, and the key those carry.
ID_OF = {"CINdetails": "CINdetailsID", "Assessments": "AssessmentID", "ChildProtectionPlans": "CPPID"}
KEY_TYPES: dict[str, pl.DataType] = {"_child": pl.UInt32(), "LAchildID": pl.Utf8(), "CINdetailsID": pl.UInt32(),
                                     "AssessmentID": pl.UInt32(), "CPPID": pl.UInt32()}
_MAX_LISTED = 8  # unread element paths named in a note


def _relative(table: Table) -> str:
    if not table.xml_parent.startswith(CHILD_PATH):
        raise SpecError(f"CIN table {table.name} is not below {CHILD_PATH} ({table.xml_parent})")
    return table.xml_parent[len(CHILD_PATH):]


def _ancestors(return_spec: ReturnSpec, table: Table) -> list[str]:
    """Tables whose element holds this table's, outermost first (paths below Child)."""
    path = _relative(table)
    others = [t for t in return_spec.tables.values() if t.name not in (HEADER, table.name)]
    found = [t for t in others if path.startswith(_relative(t) + "/")]
    return [t.name for t in sorted(found, key=lambda t: len(_relative(t)))]


@cache
def _keys(return_name: str, year: int, table_name: str) -> tuple[str, ...]:
    return_spec = spec(return_name, year)
    if table_name == HEADER:
        return ()
    table = return_spec.table(table_name)
    keys = ["_child"] + ([] if "LAchildID" in table.columns else ["LAchildID"])
    keys += [ID_OF[a] for a in [*_ancestors(return_spec, table), table.name] if a in ID_OF]
    return tuple(keys)


def cin_keys(table: str, year: int = 2025) -> tuple[str, ...]:
    """The key columns a CIN table carries besides its fields (``_child``, ``LAchildID``,
    ``CINdetailsID``, ``AssessmentID``, ``CPPID`` as its nesting gives)."""
    return _keys("cin", year, table)


KEY_ORDER = ("_child", "LAchildID", "CINdetailsID", "AssessmentID", "CPPID")


@dataclass
class _Node:
    """How one table's records appear below their parent element. A record is a list laid out as
    the table's keys, then its fields (raw text; typing strips and blanks it later)."""

    table: Table
    tag: str  # the element that is (or, for a list table, wraps) the record
    key_from: tuple[int, ...]  # for each key column, its place in KEY_ORDER
    slots: dict[str, int]  # element -> place of its field in the record
    deep: tuple[tuple[int, str], ...]  # fields further down: (place, path); none in the DfE layout
    listed: str | None  # the repeated element of a list table (one field per record)
    own_id: int | None  # place in KEY_ORDER of the table's own id, if its records have one
    children: dict[str, _Node] = field(default_factory=dict)

    @property
    def blank(self) -> list[None]:
        return [None] * len(self.table.fields)


@cache
def _tree(year: int) -> dict[str, _Node]:
    """Nodes of the tables directly below Child, each with its nested tables."""
    return_spec = spec("cin", year)
    nodes: dict[str, _Node] = {}
    for table in return_spec.tables.values():
        if table.name == HEADER:
            continue
        path = _relative(table)
        keys = _keys("cin", year, table.name)
        place = {f.name: len(keys) + i for i, f in enumerate(table.fields)}
        # A "many" table of one field wraps a list of that field (Disabilities > Disability ...).
        listed = table.fields[0].xml_element if table.per_child == "many" and len(table.fields) == 1 else None
        slots = {f.xml_element: place[f.name] for f in table.fields if f.xml_element and "/" not in f.xml_element}
        deep = tuple((place[f.name], f.xml_element) for f in table.fields if "/" in f.xml_element)
        own = KEY_ORDER.index(ID_OF[table.name]) if table.name in ID_OF else None
        nodes[path] = _Node(table, path.rsplit("/", 1)[-1], tuple(KEY_ORDER.index(k) for k in keys),
                            slots, deep, listed, own)
    top: dict[str, _Node] = {}
    for path, node in sorted(nodes.items()):
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        (nodes[parent].children if parent in nodes else top)[node.tag] = node
    return top


def _text(element: Any) -> str | None:
    text = element.text
    if text is None:
        return None
    return text.strip() or None


class _Collector:
    """Records per table, as lists in document order (a few list operations per element: the
    reader's time is almost all here)."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.rows: dict[str, list[list[Any]]] = {name: [] for name in spec("cin", year).tables}
        self.unread: Counter[str] = Counter()

    def record(self, element: Any, node: _Node, keys: tuple[Any, ...], where: str) -> None:
        """One record of ``node``'s table from ``element``, then the records nested in it."""
        rows = self.rows[node.table.name]
        if node.listed is not None:
            for item in element:
                if item.tag == node.listed:
                    rows.append([*(keys[j] for j in node.key_from), item.text])
                elif isinstance(item.tag, str):
                    self.unread[f"{where}/{item.tag}"] += 1
            return
        if node.own_id is not None:  # the record's id is its _row
            keys = (*keys[:node.own_id], len(rows) + 1, *keys[node.own_id + 1:])
        row = [keys[j] for j in node.key_from]
        row.extend(node.blank)
        slots, children = node.slots, node.children
        nested = []
        for item in element:
            tag = item.tag
            place = slots.get(tag)
            if place is not None:
                if row[place] is None:
                    row[place] = item.text
                else:
                    self.unread[f"{where}/{tag} (repeated)"] += 1
            elif tag in children:
                nested.append((item, children[tag]))
            elif isinstance(tag, str):
                self.unread[f"{where}/{tag}"] += 1
        for place, path in node.deep:
            found = element.find(path)
            row[place] = None if found is None else found.text
        rows.append(row)
        for item, child_node in nested:
            self.record(item, child_node, keys, f"{where}/{child_node.tag}")

    def child(self, element: Any, position: int) -> None:
        top = _tree(self.year)
        identifiers = element.find("ChildIdentifiers")
        la_child = identifiers.find("LAchildID") if identifiers is not None else None
        keys = (position, None if la_child is None else _text(la_child), None, None, None)
        seen: set[str] = set()
        for item in element:
            node = top.get(item.tag)
            if node is None:
                if isinstance(item.tag, str):
                    self.unread[f"Child/{item.tag}"] += 1
                continue
            if node.table.per_child == "one":
                if node.table.name in seen:
                    self.unread[f"Child/{item.tag} (repeated)"] += 1
                    continue
                seen.add(node.table.name)
            self.record(item, node, keys, node.tag)
        for node in top.values():  # one record per child even when its element is missing
            if node.table.per_child == "one" and node.table.name not in seen:
                self.rows[node.table.name].append([*(keys[j] for j in node.key_from), *node.blank])

    def header(self, element: Any | None) -> None:
        found = [None if element is None else element.find(f.xml_element)
                 for f in spec("cin", self.year).table(HEADER).fields]
        self.rows[HEADER].append([None if e is None else e.text for e in found])


def record_elements(child: Any, year: int) -> dict[str, list[Any]]:
    """The elements one Child element's records are read from, per table in row order, as the
    reader finds them: the first ChildIdentifiers and ChildCharacteristics, every episode and the
    records nested in it, and a list table's items (each Disability, not Disabilities). Lets a
    place in the file be named by table and row (elements without a namespace)."""
    found: dict[str, list[Any]] = {}

    def walk(element: Any, node: _Node) -> None:
        records = found.setdefault(node.table.name, [])
        if node.listed is not None:
            records.extend(item for item in element if item.tag == node.listed)
            return
        records.append(element)
        for item in element:
            if item.tag not in node.slots and item.tag in node.children:
                walk(item, node.children[item.tag])

    top = _tree(year)
    seen: set[str] = set()
    for item in child:
        node = top.get(item.tag) if isinstance(item.tag, str) else None
        if node is None or (node.table.per_child == "one" and node.table.name in seen):
            continue
        seen.add(node.table.name)
        walk(item, node)
    return found


def _strip_namespaces(element: Any) -> None:
    for item in element.iter():
        if isinstance(item.tag, str) and item.tag.startswith("{"):
            item.tag = etree.QName(item).localname


def parse_cin_xml(source: Source, year: int) -> tuple[dict[str, pl.DataFrame], tuple[str, ...]]:
    """Raw tables of one CIN census XML file (fields as text, keys typed) and notes about it."""
    collected = _Collector(year)
    root = None
    namespaced = False
    for position, element in enumerate(iter_elements(source, "{*}Child"), start=1):
        if root is None:
            root = element.getroottree().getroot()
            namespaced = isinstance(root.tag, str) and root.tag.startswith("{")
        if namespaced:
            _strip_namespaces(element)
        collected.child(element, position)
    if root is None:
        raise InputError("has no Child records (is it a CIN census XML file? expected Message > Children > "
                         "Child)", file=source.name)
    if namespaced:
        _strip_namespaces(root)
    notes: list[str] = []
    header = root.find(HEADER)
    if header is None:
        notes.append(f"{source.name}: has no Header; the Header's fields are blank")
    collected.header(header)
    if collected.unread:
        label = spec("cin", year).label
        listed = ", ".join(f"{path} ({n})" for path, n in collected.unread.most_common(_MAX_LISTED))
        more = len(collected.unread) - _MAX_LISTED
        notes.append(f"{source.name}: {sum(collected.unread.values())} element(s) that the {label} CIN census does "
                     f"not hold were ignored: {listed}" + (f" and {more} more kinds" if more > 0 else ""))
    frames = {name: _raw_frame(source.name, year, name, rows) for name, rows in collected.rows.items()}
    return frames, tuple(notes)


def _raw_frame(file: str, year: int, table: str, rows: list[list[Any]]) -> pl.DataFrame:
    columns = [*_keys("cin", year, table), *spec("cin", year).table(table).columns]
    frame = pl.DataFrame(rows, schema={c: KEY_TYPES.get(c, pl.Utf8()) for c in columns}, orient="row")
    return frame.select(pl.lit(file, pl.Utf8).alias("_file"),
                        pl.int_range(1, frame.height + 1, dtype=pl.UInt32).alias("_row"), pl.all())


def assemble_cin(raw: Mapping[str, pl.DataFrame], return_spec: ReturnSpec, la: LocalAuthority | None = None,
                 fmt: str = "xml", notes: tuple[str, ...] = ()) -> ReturnData:
    """Type raw CIN tables (fields as text, plus ``_file``, ``_row`` and key columns) once.

    Every table of the year is in the result (empty when ``raw`` lacks it): a census file holds
    them all, even with no records. Columns: ``_file``, ``_row``, keys, fields, ``_invalid``.
    """
    from carestat.ingest import ReturnData

    # ``la`` is unused: the CIN census has no fields derived from the LA (kept for read_903's shape).
    names = list(return_spec.tables)
    plans, key_frames = [], []
    for name in names:
        table = return_spec.table(name)
        keys = _keys("cin", return_spec.year, name)
        frame = raw.get(name)
        if frame is None:
            frame = pl.DataFrame(schema={"_file": pl.Utf8, "_row": pl.UInt32, **{k: KEY_TYPES[k] for k in keys},
                                         **{c: pl.Utf8 for c in table.columns}})
        missing = [c for c in table.columns if c not in frame.columns]
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in missing)
        plans.append(typed_plan(frame.select("_file", "_row", *table.columns), table))
        key_frames.append(frame.select(
            (blank_to_null(pl.col(k)) if k == "LAchildID" else pl.col(k)).cast(KEY_TYPES[k]) for k in keys))
    typed = pl.collect_all(plans, engine="in-memory")
    tables = {}
    for name, frame, keys in zip(names, typed, key_frames, strict=True):
        tables[name] = frame.select("_file", "_row").hstack(keys).hstack(frame.drop("_file", "_row"))
    return ReturnData(return_spec, tables, fmt, notes)


def read_cin(path_or_source: PathOrSource, year: int, la: LocalAuthority | None = None) -> ReturnData:
    """Read a CIN census XML file for collection year ``year`` (2025 = 2024/25) into typed tables."""
    return_spec = spec("cin", year)
    source = path_or_source if isinstance(path_or_source, Source) else Source.from_path(path_or_source)
    raw, notes = parse_cin_xml(source, year)
    return assemble_cin(raw, return_spec, la, "xml", notes)
