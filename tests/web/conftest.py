"""Fixtures for the web service's tests: one small demo warehouse and its aggregate data for the
whole session (the slow part), an app per test module, a live server and a real browser."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from carestat.web import create_app
from carestat.web.data import load_site_data
from carestat.web.users import add_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
DEMO_LA = "805"  # Hartlepool


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo warehouse (one LA, two years of synthetic SSDA903 returns), its publication
    and its joined-up data, as `carestat demo` makes them (without its validation and CIN steps;
    partners at a small share, so linking takes seconds)."""
    from carestat.indicators import compute_warehouse
    from carestat.linkage import link, make_partner_data, write_outcomes
    from carestat.publish import publish
    from carestat.synth import GenerateOptions, generate, parse_las
    from carestat.warehouse import load

    existing = os.environ.get("CARESTAT_WEB_TEST_DEMO")  # a `carestat demo` folder, to skip this step
    if existing:
        return Path(existing)
    out = tmp_path_factory.mktemp("web-demo")
    key = out / "demo.key"
    key.write_text(secrets.token_hex(32) + "\n")
    os.environ["CARESTAT_KEY_FILE"] = str(key)
    generate(GenerateOptions(out=out / "returns", years=(2024, 2025), las=parse_las(DEMO_LA), cin=False, workers=1))
    load([out / "returns"], db=out / "carestat.duckdb")
    frame, synthetic = compute_warehouse(out / "carestat.duckdb")
    publish(frame, out / "publication", synthetic=synthetic)
    partners = make_partner_data(out / "returns", out / "linkage" / "partner-extracts",
                                 truth=out / "linkage" / "ground-truth", share=0.02, seed=1)
    link(partners.extracts, out / "carestat.duckdb", truth=partners.truth)
    write_outcomes(out / "carestat.duckdb", out / "linkage" / "outcomes")  # where the service looks, as in the demo
    return out


@pytest.fixture(scope="session")
def site_data(demo_dir: Path):
    return load_site_data(demo_dir / "carestat.duckdb")


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-users") / "users.sqlite"


@pytest.fixture(scope="session")
def la_token(users_file: Path) -> str:
    _, token = add_user(users_file, DEMO_LA, "Test data team")
    return token


@pytest.fixture(scope="session")
def other_token(users_file: Path) -> str:
    """A user of another LA (who must never see the first user's reports)."""
    _, token = add_user(users_file, "318", "Another LA's team")
    return token


@pytest.fixture(scope="session")
def app(demo_dir: Path, site_data, users_file: Path):
    return create_app(demo_dir / "carestat.duckdb", users=users_file, data=site_data, max_upload_mb=5)


@pytest.fixture()
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="session")
def error_return(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """A generated SSDA903 return with deliberate faults (5% of children), and last year's: CSV
    files by year ("2025"), and the same as DfE XML ("2025 xml")."""
    from carestat.synth import GenerateOptions, generate, parse_las

    out = tmp_path_factory.mktemp("error-return")
    generate(GenerateOptions(out=out, years=(2024, 2025), las=parse_las(DEMO_LA), error_rate=0.05, cin=False,
                             workers=1, format="both"))
    folders = {str(y): out / str(y) / DEMO_LA / "ssda903" for y in (2024, 2025)}
    return {**{y: sorted(f.glob("*.csv")) for y, f in folders.items()},
            **{f"{y} xml": sorted(f.glob("*.xml")) for y, f in folders.items()}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(app) -> str:
    """The app served by uvicorn on loopback, in a thread, for the browser."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def chromium_path() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)


def require_chromium() -> str:
    """chromium's path; without it the browser tests fail (CI must not pass them by skipping),
    unless CARESTAT_ALLOW_NO_BROWSER=1 says to skip them."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CARESTAT_ALLOW_NO_BROWSER") == "1":
            pytest.skip("chromium not found and CARESTAT_ALLOW_NO_BROWSER=1: browser tests skipped")
        pytest.fail("chromium not found: run `make browser` (apt-get install chromium), or set "
                    "CARESTAT_ALLOW_NO_BROWSER=1 to skip the browser tests")
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (which downloads no browser of its own)."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser, live_server):
    """A fresh browser context (no cookies) with console errors collected."""
    context = browser.new_context(base_url=live_server, accept_downloads=True)
    tab = context.new_page()
    # Console errors (a CSP violation, a script error) and failed assets; a page's own 4xx status
    # (an error page) is not a failure of its assets.
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text)
           if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    tab.on("pageerror", lambda e: tab.console_errors.append(str(e)))
    tab.on("response", lambda r: tab.console_errors.append(f"{r.status} {r.url}")
           if r.status >= 400 and r.request.resource_type != "document" else None)
    yield tab
    context.close()
