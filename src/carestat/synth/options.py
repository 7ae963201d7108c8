"""Options of the synthetic generator and the parsing of its command-line values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carestat.errors import UsageError
from carestat.refdata import LocalAuthority, current_las, resolve_la

FIRST_YEAR, LAST_YEAR = 2015, 2027  # years the generator can write (the 903 spec starts 2014;
# 2015 is the first year with the Missing table and reasons for placement change)


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    years: tuple[int, ...] = tuple(range(2019, 2026))
    las: tuple[LocalAuthority, ...] | None = None  # None = all current LAs
    scale: float = 1.0
    seed: int = 1
    error_rate: float = 0.0
    format: str = "csv"
    cin: bool = True
    workers: int = field(default=0)  # 0 = one per core

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 10:
            raise UsageError(f"--scale must be above 0 and at most 10, not {self.scale}")
        if not 0 <= self.error_rate <= 1:
            raise UsageError(f"--error-rate must be between 0 and 1, not {self.error_rate}")
        if self.format not in ("csv", "xml", "both"):
            raise UsageError(f"--format must be csv, xml or both, not {self.format!r}")
        if not self.years:
            raise UsageError("no years to generate")

    @property
    def units(self) -> tuple[LocalAuthority, ...]:
        return self.las if self.las is not None else tuple(current_las())


def parse_years(text: str) -> tuple[int, ...]:
    """'2019-2025', '2024' or '2019,2021' -> collection years (named by their end)."""
    text = text.strip()
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            if high < low:
                raise UsageError(f"the year range {text!r} is reversed; write it as {high}-{low}")
            years = tuple(range(low, high + 1))
        else:
            years = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise UsageError(f"cannot read years {text!r}: write e.g. 2019-2025 or 2024") from None
    bad = [y for y in years if not FIRST_YEAR <= y <= LAST_YEAR]
    if bad:
        raise UsageError(
            f"the generator writes collection years {FIRST_YEAR} to {LAST_YEAR}; {bad[0]} is outside them")
    return years


def parse_las(text: str) -> tuple[LocalAuthority, ...] | None:
    """'all' or a comma-separated list of 3-digit or ONS codes (current LAs)."""
    if text.strip().lower() in ("", "all"):
        return None
    units = []
    for code in (c.strip() for c in text.split(",") if c.strip()):
        la = resolve_la(code)
        if la.valid_to is not None:
            raise UsageError(
                f"{la.name} ({la.old_la_code}) no longer exists; the generator simulates today's LAs "
                "and writes their predecessors' returns for earlier years automatically")
        if la not in units:
            units.append(la)
    return tuple(sorted(units, key=lambda la: la.old_la_code))
