"""An example address for every registered page (tests fail when a page is added without one)."""

from __future__ import annotations

from carestat.web.registry import PUBLIC

LA = "805"

EXAMPLES: dict[str, str] = {
    "home": "/",
    "profile": f"/la/{LA}",
    "scorecard_foster": f"/la/{LA}/scorecards/foster",
    "scorecard_residential": f"/la/{LA}/scorecards/residential",
    "scorecard_adoption": f"/la/{LA}/scorecards/adoption",
    "explore": f"/explore?la={LA}&indicator=cla_3plus_placements_pct",
    "la_explore": f"/la/{LA}/explore?indicator=cla_rate_per_10k",
    "early_warning_page": f"/early-warning?la={LA}",
    "publications": "/publications",
    "joined_up": "/joined-up-data",
    "linkage_quality": "/joined-up-data/linkage-quality",
    "sign_in": "/sign-in",
    "upload": "/upload",
    "reports": "/reports",
    "report": "/reports/{report_id}",
}
# Pages that are not in the registry but are seen: errors and the search's error.
EXTRA = ["/explore", "/find?la=nowhere", "/no-such-page", "/la/805/scorecards/foster?year=2024"]


def public_examples(pages: dict) -> list[tuple[str, str]]:
    return [(name, EXAMPLES[name]) for name, p in pages.items() if p.access == PUBLIC]
