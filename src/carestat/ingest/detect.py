"""Recognise which table a CSV file or spreadsheet sheet holds, from its header alone."""

from __future__ import annotations

from dataclasses import dataclass

from carestat.errors import InputError
from carestat.spec import ReturnSpec


@dataclass(frozen=True)
class HeaderMatch:
    table: str
    columns: dict[str, str]  # canonical field name -> column name as written in the file
    extra: tuple[str, ...]  # columns the table does not have (reported, then ignored)


def _norm(column: str) -> str:
    return column.strip().strip('"').upper()


def match_header(header: list[str], spec: ReturnSpec, source: str) -> HeaderMatch:
    """The table whose fields the header covers best (order and case free).

    A header that fits no table well, or fits two equally, is an error that names the file
    and the columns it expected.
    """
    written = {_norm(c): c for c in header if c.strip()}
    if len(written) < len([c for c in header if c.strip()]):
        raise InputError("has the same column name twice in its header", file=source)
    best: list[tuple[int, int, str]] = []
    for name, table in spec.tables.items():
        if table.per_child == "return":
            continue
        wanted = {f.name for f in table.fields}
        overlap = len(wanted & written.keys())
        best.append((overlap, -len(wanted - written.keys()), name))
    best.sort(reverse=True)
    overlap, neg_missing, name = best[0]
    table = spec.tables[name]
    if overlap < max(3, (len(table.fields) + 1) // 2):
        raise InputError(
            f"does not look like any {spec.return_name.upper()} {spec.label} table: its columns "
            f"({', '.join(header[:12])}) match none of {', '.join(spec.tables)}"
            + _other_years_hint(set(written), spec),
            file=source,
        )
    if len(best) > 1 and best[1][:2] == (overlap, neg_missing):
        raise InputError(
            f"matches both the {name} and {best[1][2]} tables equally; check its header", file=source
        )
    missing = [f.name for f in table.fields if f.name not in written]
    if missing:
        raise InputError(
            f"looks like the {name} table but lacks the column(s) {', '.join(missing)} "
            f"required in {spec.label}",
            file=source,
        )
    extra = tuple(c for n, c in written.items() if n not in {f.name for f in table.fields})
    return HeaderMatch(name, {f.name: written[f.name] for f in table.fields}, extra)


def _other_years_hint(columns: set[str], this_year: ReturnSpec) -> str:
    from carestat.spec import SUPPORTED_YEARS, spec

    for year in SUPPORTED_YEARS[this_year.return_name]:
        for name, table in spec(this_year.return_name, year).tables.items():
            if name not in this_year.tables and set(table.columns) <= columns:
                return f" (it looks like the {name} table, which is collected in other years)"
    return ""
