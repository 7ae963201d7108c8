"""The web service's commands: serve, user add/list/disable, and demo's --no-serve."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from carestat.cli import app
from carestat.web.serve import free_port
from carestat.web.users import user_for_token

runner = CliRunner()


def test_serve_and_demo_offer_their_options():
    serve = runner.invoke(app, ["serve", "--help"])
    assert serve.exit_code == 0 and "--db" in serve.output and "--port" in serve.output and "--host" in serve.output
    assert "--no-serve" in runner.invoke(app, ["demo", "--help"]).output


def test_user_add_prints_a_token_once_that_signs_in(tmp_path):
    users = tmp_path / "users.sqlite"
    added = runner.invoke(app, ["user", "add", "--la", "E06000001", "--users", str(users)])
    assert added.exit_code == 0, added.output
    token = added.output.split("Sign-in token (shown once, keep it safe): ")[1].strip()
    user = user_for_token(users, token)
    assert user is not None and user.la.old_la_code == "805"
    listed = runner.invoke(app, ["user", "list", "--users", str(users)])
    assert "805" in listed.output and token not in listed.output
    assert runner.invoke(app, ["user", "disable", str(user.id), "--users", str(users)]).exit_code == 0
    assert user_for_token(users, token) is None


def test_user_add_for_an_unknown_la_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["user", "add", "--la", "nowhere", "--users", str(tmp_path / "u.sqlite")])
    assert result.exit_code == 2 and "Unknown local authority" in result.output


def test_serve_without_a_warehouse_file_says_so(tmp_path):
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2 and "no such warehouse" in result.output


def test_a_taken_port_is_swapped_for_a_free_one():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert free_port("127.0.0.1", taken) != taken


def test_browser_tests_fail_without_chromium_unless_allowed_to_skip(monkeypatch):
    import pytest

    from . import conftest

    monkeypatch.setattr(conftest, "chromium_path", lambda: None)
    monkeypatch.delenv("CARESTAT_ALLOW_NO_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception, match="make browser"):
        conftest.require_chromium()
    monkeypatch.setenv("CARESTAT_ALLOW_NO_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception):
        conftest.require_chromium()
    monkeypatch.setattr(conftest, "chromium_path", lambda: "/usr/bin/chromium")
    assert conftest.require_chromium() == "/usr/bin/chromium"
