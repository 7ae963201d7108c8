"""Parse XML without entity expansion, DTDs or network access (billion laughs, XXE)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from carestat.errors import InputError
from carestat.ingest.sources import Source, looks_binary

# Every XML parse: no entity expansion, no DTD, no network, no huge trees (billion laughs, XXE).
SAFE_OPTIONS: dict[str, bool] = {"resolve_entities": False, "no_network": True, "load_dtd": False,
                                 "huge_tree": False, "remove_comments": True, "remove_pis": True}


def _refuse_dtd(source: Source) -> None:
    head = source.data[:65536].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise InputError(
            "contains a DOCTYPE or ENTITY declaration, which carestat refuses for safety "
            "(returns never need one)",
            file=source.name,
        )


def safe_iterparse(source: Source, tag: str | None = None) -> etree.iterparse:
    """lxml's ``iterparse`` (end events of ``tag``) over ``source`` with :data:`SAFE_OPTIONS`,
    after refusing binary data and DTDs. The caller frees what it has used."""
    if looks_binary(source.data) and not source.data.startswith(b"\xef\xbb\xbf<"):
        raise InputError("is not an XML file (it contains binary data)", file=source.name)
    _refuse_dtd(source)
    return etree.iterparse(io.BytesIO(source.data), events=("end",), tag=tag, **SAFE_OPTIONS)


def iter_elements(source: Source, tag: str) -> Iterator[etree._Element]:
    """Yield each complete ``tag`` element in document order, freeing memory as it goes."""
    context = safe_iterparse(source, tag)
    try:
        for _, element in context:
            yield element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        line = f" near line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise InputError(f"is not well-formed XML{line} ({exc.msg})", file=source.name) from None


def parse_document(source: Source) -> etree._Element:
    """Parse a whole (small) document safely, for schema validation."""
    if looks_binary(source.data):
        raise InputError("is not an XML file (it contains binary data)", file=source.name)
    _refuse_dtd(source)
    parser = etree.XMLParser(**SAFE_OPTIONS)
    try:
        return etree.fromstring(source.data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"is not well-formed XML ({exc.msg})", file=source.name) from None
