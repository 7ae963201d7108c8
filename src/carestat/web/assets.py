"""The front-end assets: govuk-frontend and accessible-autocomplete from npm, served from
node_modules (installed by `make setup`), and carestat's own small static files."""

from __future__ import annotations

from pathlib import Path

from carestat.errors import UsageError

STATIC = Path(__file__).parent / "static"
# URL prefix -> folder under node_modules. govuk-frontend's CSS refers to /assets/fonts and
# /assets/images, so its assets folder is served at /assets.
NPM_MOUNTS = {
    "/assets": "govuk-frontend/dist/govuk/assets",
    "/govuk": "govuk-frontend/dist/govuk",
    "/autocomplete": "accessible-autocomplete/dist",
}
REQUIRED_FILES = (
    "govuk-frontend/dist/govuk/govuk-frontend.min.css",
    "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    "govuk-frontend/dist/govuk/assets/fonts",
    "accessible-autocomplete/dist/accessible-autocomplete.min.js",
    "accessible-autocomplete/dist/accessible-autocomplete.min.css",
)


def check_assets(node_modules: Path) -> dict[str, Path]:
    """The folders to serve, by URL prefix; a clear error when npm's packages are missing."""
    missing = [name for name in REQUIRED_FILES if not (node_modules / name).exists()]
    if missing:
        raise UsageError(f"The web assets are missing from {node_modules} ({missing[0]}): run `make setup` "
                         "(it runs `npm ci`), or set CARESTAT_NODE_MODULES to a node_modules folder that has them")
    return {prefix: node_modules / folder for prefix, folder in NPM_MOUNTS.items()}
