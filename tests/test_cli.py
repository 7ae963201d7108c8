"""The command line: help, version, one-line errors with status 2, and the validation contract."""

import subprocess
import sys

import polars as pl
from typer.testing import CliRunner

from carestat import __version__
from carestat.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "validate", "demo"):
        assert command in result.output
    sub = runner.invoke(app, ["validate", "--help"])
    assert "903" in sub.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"carestat {__version__}"


def test_console_script_runs():
    done = subprocess.run([sys.executable, "-m", "carestat", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def _one_line_error(result, fragment):
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_generate_bad_input(tmp_path):
    _one_line_error(runner.invoke(app, ["generate", "--out", str(tmp_path / "o"), "--las", "999"]),
                    "Unknown local authority")
    _one_line_error(runner.invoke(app, ["generate", "--out", str(tmp_path / "o"), "--years", "2025-2020"]),
                    "reversed")
    blocker = tmp_path / "f"
    blocker.write_text("x")
    _one_line_error(runner.invoke(app, ["generate", "--out", str(blocker / "o"), "--las", "805", "--years", "2025"]),
                    "cannot write")
    assert not list(tmp_path.glob(".o.partial-*"))


def test_validate_contract(tmp_path):
    header = tmp_path / "header.csv"
    header.write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,M,01/02/2010,XXXX,UN1,,\nC2,F,31/02/2011,WBRI,UN1,,\n")
    errors = tmp_path / "out" / "errors.csv"
    result = runner.invoke(app, ["validate", "903", "--year", "2025", "--errors", str(errors), str(header)])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(errors, infer_schema=False)
    assert frame.columns == ["code", "table", "row", "child", "fields", "message"]
    assert ("103", "Header", "1", "C1", "ETHNIC") in set(frame.select("code", "table", "row", "child", "fields").iter_rows())
    assert ("102", "Header", "2", "C2") in set(frame.select("code", "table", "row", "child").iter_rows())


def test_validate_unusable_input_is_status_2(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("A,B\n1,2\n")
    result = runner.invoke(app, ["validate", "903", "--year", "2025", "--errors", str(tmp_path / "e.csv"), str(bad)])
    _one_line_error(result, "x.csv")
    result = runner.invoke(app, ["validate", "903", "--year", "2031", "--errors", str(tmp_path / "e.csv"), str(bad)])
    _one_line_error(result, "supported years")
