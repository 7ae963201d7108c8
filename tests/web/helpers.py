"""Signing in and uploading through the app, as a browser would (CSRF token from the form)."""

from __future__ import annotations

import re
from pathlib import Path

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client, token: str) -> None:
    form = client.get("/sign-in")
    r = client.post("/sign-in", data={"token": token, "next": "/upload", "csrf_token": csrf_from(form.text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:500]


def upload(client, files: list[Path], previous: list[Path] = (), year: int = 2025, follow: bool = False):
    token = csrf_from(client.get("/upload").text)
    parts = [("files", (p.name, p.read_bytes(), "text/csv")) for p in files]
    parts += [("previous", (p.name, p.read_bytes(), "text/csv")) for p in previous]
    return client.post("/upload", data={"year": str(year), "csrf_token": token}, files=parts,
                       follow_redirects=follow)
