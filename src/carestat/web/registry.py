"""The page registry: each page is declared once, and its route, JSON twin, OpenAPI entry and
place in the navigation are all derived from that declaration (datasette-style).

>>> @page("/la/{la}", title="{la_name}", template="profile.html", nav=LA_NAV("Profile", 1))  # doctest: +SKIP
... def profile(site: Site, la: str) -> dict: ...

A page's *builder* takes the site (data, settings, the signed-in user) and the page's path and
query parameters, and returns a dict: its JSON form. Keys that start with ``_`` are for the
template only (an SVG chart, say) and are left out of the JSON. ``title`` is formatted with the
builder's dict, so a page about an LA can be called after it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Builder = Callable[..., dict[str, Any]]

SERVICE = "service"  # the service navigation at the top of every page
LA = "la"  # the navigation between one LA's pages

PUBLIC = "public"  # aggregate, disclosure-controlled figures: the same for everyone, so cached
OPEN = "open"  # anyone may see it, but it is made for each visitor (a form with a CSRF token)
LA_USER = "la user"  # only for a signed-in LA user (their uploads and reports); never cached


@dataclass(frozen=True)
class Nav:
    menu: str  # SERVICE or LA
    label: str
    order: int


def SERVICE_NAV(label: str, order: int) -> Nav:
    return Nav(SERVICE, label, order)


def LA_NAV(label: str, order: int) -> Nav:
    return Nav(LA, label, order)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    title: str
    template: str
    build: Builder
    nav: Nav | None = None
    access: str = PUBLIC
    summary: str = ""  # one line for the OpenAPI document

    @property
    def api_path(self) -> str:
        return "/api" + (self.path if self.path != "/" else "/home")

    def title_for(self, data: dict[str, Any]) -> str:
        try:
            return self.title.format(**data)
        except (KeyError, IndexError, ValueError):
            return self.title.split("{")[0].strip(" :") or self.name

    def href(self, **params: str) -> str:
        """The page's URL with its path parameters filled in."""
        return self.path.format(**params)

    def la_href(self, old_la_code: str) -> str:
        """The page for one LA: its ``{la}`` path parameter, else a ``la`` query parameter."""
        return self.path.format(la=old_la_code) if "{la}" in self.path else f"{self.path}?la={old_la_code}"


PAGES: dict[str, Page] = {}


def page(path: str, *, title: str, template: str, nav: Nav | None = None, access: str = PUBLIC,
         name: str | None = None) -> Callable[[Builder], Builder]:
    """Declare a page: ``path`` (FastAPI syntax), ``title`` (formatted with the builder's
    dict), ``template`` (under web/templates/pages), ``nav`` (where it appears in navigation) and
    ``access`` (PUBLIC, OPEN or LA_USER)."""

    def register(build: Builder) -> Builder:
        key = name or build.__name__
        if key in PAGES and PAGES[key].build is not build:
            raise ValueError(f"two pages are called {key!r}")
        summary = (build.__doc__ or "").strip().splitlines()[0] if build.__doc__ else title
        if access not in (PUBLIC, OPEN, LA_USER):
            raise ValueError(f"page {key!r}: access must be PUBLIC, OPEN or LA_USER")
        PAGES[key] = Page(key, path, title, template, build, nav, access, summary)
        return build

    return register


def load_pages() -> dict[str, Page]:
    """Import every module in web/pages (each declares its pages) and return the registry."""
    from carestat.web import pages

    for info in pkgutil.iter_modules(pages.__path__):
        importlib.import_module(f"{pages.__name__}.{info.name}")
    return PAGES


def navigation(menu: str) -> list[Page]:
    """The pages in one menu, in order."""
    return sorted((p for p in load_pages().values() if p.nav and p.nav.menu == menu), key=lambda p: p.nav.order)
