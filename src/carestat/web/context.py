"""What a page builder is given: the running service, the request, and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from carestat.web.data import SiteData
from carestat.web.users import User

if TYPE_CHECKING:
    from carestat.web.app import Web


@dataclass
class Ctx:
    web: Web
    request: Request
    user: User | None

    @property
    def site(self) -> SiteData:
        return self.web.data
