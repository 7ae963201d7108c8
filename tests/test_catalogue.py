"""The generated reference documents match the registries they are generated from."""

from pathlib import Path

import pytest

from carestat.catalogue import catalogues

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "catalogue"


@pytest.mark.parametrize("name", sorted(catalogues()))
def test_committed_catalogue_is_current(name):
    committed = FOLDER / name
    assert committed.exists(), f"docs/catalogue/{name} is missing: run `uv run python tools/build_docs.py`"
    assert committed.read_text(encoding="utf-8") == catalogues()[name], (
        f"docs/catalogue/{name} is out of date: run `uv run python tools/build_docs.py`")


def test_every_rule_and_indicator_is_catalogued():
    from carestat.indicators.registry import all_indicators
    from carestat.validate.registry import all_rules

    docs = catalogues()
    for r in all_rules("ssda903"):
        assert f"| {r.code} |" in docs["rules-ssda903.md"]
    for i in all_indicators():
        assert f"`{i}`" in docs["indicators.md"]
