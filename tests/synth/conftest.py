from pathlib import Path

import pytest

from carestat.synth import GenerateOptions, generate, parse_las

SMALL = "318,805"  # Richmond upon Thames and Hartlepool: small, quick, different regions
YEARS = (2022, 2023, 2024, 2025)


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "returns"
    generate(GenerateOptions(out=out, years=YEARS, las=parse_las(SMALL), seed=7, cin=False, workers=1))
    return out
