"""carestat's web service: GOV.UK-style pages over the analysis, each also available as JSON.

>>> from carestat.web import create_app                       # doctest: +SKIP
>>> app = create_app("demo-output/carestat.duckdb")           # then serve with uvicorn

See ARCHITECTURE.md ("web/: how to add a page").
"""

from carestat.web.app import create_app

__all__ = ["create_app"]
