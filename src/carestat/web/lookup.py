"""Finding what a page is about from what a visitor typed or chose."""

from __future__ import annotations

from carestat import refdata
from carestat.errors import UsageError


class NotFound(UsageError):
    """Something a page names does not exist (an unknown LA, indicator, report or file)."""


def find_la(text: str | None) -> refdata.LocalAuthority:
    """An LA by 3-digit code, ONS code, name, or a part of its name that only one LA has."""
    query = (text or "").strip()
    if not query:
        raise UsageError("Enter or choose a local authority")
    try:
        return refdata.resolve_la(query)
    except UsageError:
        pass
    key = query.casefold()
    matches = {la.old_la_code: la for la in refdata.current_las() if key in la.name.casefold()}
    if len(matches) == 1:
        return next(iter(matches.values()))
    if matches:
        names = ", ".join(sorted(la.name for la in matches.values())[:5])
        raise UsageError(f"More than one local authority matches '{query}' ({names}): choose one from the list")
    raise NotFound(f"No local authority matches '{query}': enter its name, its 3-digit DfE code (for example 318) "
                   "or its ONS code (for example E09000027)")


def la_summary(la: refdata.LocalAuthority) -> dict[str, object]:
    return {"old_la_code": la.old_la_code, "new_la_code": la.new_la_code, "name": la.name,
            "region_name": la.region_name, "exists": la.valid_to is None}
