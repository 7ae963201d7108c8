"""The shape of a return's specification: tables, fields and code lists for one year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["id", "date", "partial_date", "code", "int", "string", "postcode"]
ReturnName = Literal["ssda903", "cin"]


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    first_year: int
    last_year: int


@dataclass(frozen=True)
class Field:
    table: str
    name: str
    type: FieldType
    required: bool
    xml_element: str  # path below the table's XML parent; "" when the value comes from elsewhere
    description: str
    codes: tuple[Code, ...] = ()

    @property
    def code_set(self) -> frozenset[str]:
        return frozenset(c.code for c in self.codes)


@dataclass(frozen=True)
class Table:
    name: str
    per_child: Literal["one", "many", "return"]
    xml_parent: str
    csv_name: str
    description: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")


@dataclass(frozen=True)
class ReturnSpec:
    """Everything carestat knows about one return in one collection year."""

    return_name: ReturnName
    year: int
    tables: dict[str, Table] = field(repr=False)

    @property
    def collection_start(self) -> dt.date:
        """1 April of the year before ``year`` (2025 is 1 April 2024 to 31 March 2025)."""
        return dt.date(self.year - 1, 4, 1)

    @property
    def collection_end(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year - 1}/{str(self.year)[2:]}"

    def table(self, name: str) -> Table:
        from carestat.errors import SpecError

        try:
            return self.tables[name]
        except KeyError:
            raise SpecError(
                f"The {self.return_name.upper()} return for {self.label} has no table {name!r}; "
                f"its tables are {', '.join(self.tables)}"
            ) from None

    def codes(self, table: str, field_name: str) -> frozenset[str]:
        """The valid codes of a field this year (upper case, as readers store them)."""
        return self.table(table).field(field_name).code_set
