"""Regenerate docs/catalogue/ from carestat's registries (rules, indicators, specifications).

    uv run python tools/build_docs.py

tests/test_catalogue.py fails when the committed files differ from what this writes.
"""

from pathlib import Path

from carestat.catalogue import write_catalogues

if __name__ == "__main__":
    for path in write_catalogues(Path(__file__).resolve().parent.parent / "docs" / "catalogue"):
        print(path)
