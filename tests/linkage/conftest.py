"""Small synthetic linkage inputs built without the returns (a general population of two LAs)."""

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from carestat.linkage.partners import build_extracts
from carestat.linkage.people import general_population, with_identity
from carestat.provenance import MARKER

WINDOW = (dt.date(2020, 4, 1), dt.date(2025, 3, 31))


def small_population(n: int, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return with_identity(general_population(["318", "805"], WINDOW, 1.0, rng, total=n), rng)


@pytest.fixture(scope="session")
def small_extracts(tmp_path_factory):
    """Extracts (school, employment, justice) and ground truth for 1,500 young people, on disk."""
    rng = np.random.default_rng(5)
    people = small_population(1500)
    tables, truth = build_extracts(people, None, rng)
    root = tmp_path_factory.mktemp("partners")
    for rel, frame in tables.items():
        (root / "extracts" / rel).parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(root / "extracts" / rel)
    manifest = {"synthetic": True, "window": [WINDOW[0].isoformat(), WINDOW[1].isoformat()],
                "general_population_share": 1.0}
    (root / "extracts" / "manifest.json").write_text(json.dumps(manifest))
    (root / "extracts" / MARKER).write_text("synthetic\n")  # as `carestat partners` marks its output
    (root / "truth").mkdir()
    truth.write_csv(root / "truth" / "records.csv")
    return root / "extracts", root / "truth", people
