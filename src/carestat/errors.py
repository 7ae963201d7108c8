"""One error hierarchy. Every message is written for a data officer, not a developer.

The CLI prints ``str(error)`` on one line and exits with status 2; the web shows it in a
GOV.UK error summary. Never put a raw child identifier in a message.
"""

from __future__ import annotations


class CarestatError(Exception):
    """Base class: something the user can act on."""


class UsageError(CarestatError):
    """The command or call was given arguments that cannot work (bad year, unknown LA...)."""


class SpecError(CarestatError):
    """A return, year, table or field that the specifications do not cover."""


class InputError(CarestatError):
    """An input file that cannot be read as a return.

    ``where`` names the file and, when known, the row and field, so the message reads
    "Episodes.csv row 214 field DECOM: '31/02/2024' is not a date (expected dd/mm/yyyy)".
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file, self.row, self.field = file, row, field
        where = " ".join(
            part
            for part in (
                file,
                f"row {row}" if row is not None else None,
                f"field {field}" if field else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class OutputError(CarestatError):
    """An output folder or file that cannot be written."""


class WarehouseError(CarestatError):
    """The warehouse cannot do what was asked (missing key, locked file, unknown submission)."""
