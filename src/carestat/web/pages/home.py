"""The home page: find a local authority (and what the service offers)."""

from __future__ import annotations

from typing import Any

from carestat.web.context import Ctx
from carestat.web.lookup import la_summary
from carestat.web.registry import SERVICE_NAV, page


@page("/", title="Children's social care data for England", template="home.html", nav=SERVICE_NAV("Home", 0))
def home(ctx: Ctx) -> dict[str, Any]:
    """Every local authority, to find one; and the LAs whose figures carestat computed itself."""
    site = ctx.site
    own = [la_summary(site.la(code)) for code in site.own_las]
    return {"las": [la_summary(la) for la in site.las], "own_las": own,
            "indicator_count": len(site.indicators), "synthetic": site.synthetic}
