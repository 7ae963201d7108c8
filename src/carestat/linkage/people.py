"""The synthetic young people behind the partner data: the LAs' own children and a general
population of the same LAs and ages, each with a true identity (names, date of birth, sex,
addresses, UPN, national insurance number) and a hidden profile of need.

Everyone is aged 10 to 21 at some point in the study window. Children in the returns keep their
date of birth, sex and UPN; the general population is drawn per LA and birth cohort from the
LA's child population (ONS estimates via the published rates), at ``share`` of its real size, so
each general-population person stands for ``1 / share`` young people (``weight``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carestat.linkage.names import draw_forenames, draw_surnames
from carestat.linkage.returns import LaChildren
from carestat.refdata import population_for, resolve_la
from carestat.synth.identity import upn_check_letter
from carestat.synth.places import geography

EPOCH = dt.date(1970, 1, 1)
GROUPS = ("looked_after", "in_need", "general")
# Hidden profiles of need (the truth the latent class analysis tries to recover) and each group's mix.
PROFILES = ("few adverse outcomes", "school difficulties", "exclusion and offending", "out of work")
PROFILE_MIX = {"looked_after": (0.36, 0.28, 0.18, 0.18), "in_need": (0.46, 0.30, 0.10, 0.14),
               "general": (0.80, 0.12, 0.02, 0.06)}
_UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))  # letters used in a postcode's inward unit
PEOPLE_COLUMNS = ("person_id", "la_code", "child_id", "group", "care_leaver", "weight", "profile", "dob", "sex",
                  "forename", "surname", "postcode_early", "postcode_late", "upn", "ni_number")


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def cohort_bounds(window: tuple[dt.date, dt.date]) -> tuple[int, int]:
    """Day numbers of the earliest and latest births of people aged 10-21 at some point in the window."""
    start, end = window
    return day(start.replace(year=start.year - 22)) + 1, day(end.replace(year=end.year - 10))


def _postcodes(sectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    units = _UNIT_LETTERS[rng.integers(0, len(_UNIT_LETTERS), (len(sectors), 2))]
    return np.char.add(np.char.add(sectors.astype(str), units[:, 0]), units[:, 1]).astype(object)


def _sectors(la_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    geo = geography()
    out = np.empty(len(la_codes), dtype=object)
    for la in np.unique(la_codes):
        mask = la_codes == la
        if la in geo.sectors:
            out[mask] = geo.sample(la, int(mask.sum()), rng)
        else:  # an LA with no postcode sectors on file: anywhere in England
            out[mask] = geo.sample(next(iter(geo.sectors)), int(mask.sum()), rng)
    return out


def la_children(la: LaChildren) -> pl.DataFrame:
    """The returns' children aged 10-21 at some point in the window, as people."""
    low, high = cohort_bounds(la.window)
    kids = la.children.filter(pl.col("dob").is_not_null(), pl.col("sex").is_not_null(),
                              pl.col("dob").cast(pl.Int32).is_between(low, high))
    group = pl.when(pl.col("looked_after")).then(pl.lit("looked_after")).otherwise(pl.lit("in_need"))
    return kids.select("la_code", "child_id", "dob", "sex", "upn", "home_sector", "care_leaver", group=group,
                       weight=pl.lit(1.0))


def general_population(la_codes: list[str], window: tuple[dt.date, dt.date], share: float,
                       rng: np.random.Generator, total: int | None = None) -> pl.DataFrame:
    """A sample of each LA's young people born in the cohort years (``total`` overrides the size,
    spread over the LAs by population, for benchmarks)."""
    low, high = cohort_bounds(window)
    years = (high - low) / 365.25
    sizes = {la: (population_for(resolve_la(la), window[1].year) or 0) / 18 * years for la in la_codes}
    if total is not None:
        whole = sum(sizes.values()) or 1.0
        counts = {la: int(total * s / whole) for la, s in sizes.items()}
        counts[max(sizes, key=sizes.__getitem__)] += total - sum(counts.values())  # exactly ``total``
    else:
        counts = {la: int(rng.poisson(s * share)) for la, s in sizes.items()}
    codes = np.concatenate([np.full(n, la, dtype=object) for la, n in counts.items()]) if counts else np.array([])
    n = len(codes)
    dob = rng.integers(low, high + 1, n)
    return pl.DataFrame({
        "la_code": pl.Series(codes, dtype=pl.Utf8), "child_id": pl.Series([None] * n, dtype=pl.Utf8),
        "dob": pl.Series(dob, dtype=pl.Int32).cast(pl.Date),
        "sex": pl.Series(np.where(rng.random(n) < 0.488, "F", "M")),
        "upn": pl.Series([None] * n, dtype=pl.Utf8), "home_sector": pl.Series([None] * n, dtype=pl.Utf8),
        "care_leaver": pl.Series(np.zeros(n, dtype=bool)), "group": pl.Series(["general"] * n, dtype=pl.Utf8),
        "weight": pl.Series(np.full(n, 1.0 / share if total is None else 1.0))})


def _upns(la_codes: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """New UPNs (LA number, establishment 8xxx, year, serial), unique within each LA."""
    serial = np.zeros(len(la_codes), dtype=np.int64)
    for la in np.unique(la_codes):
        mask = la_codes == la
        serial[mask] = np.arange(int(mask.sum()))
    year = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970 + 5) % 100
    digits = np.char.add(np.char.add(np.char.add(la_codes.astype(str), np.char.add(
        "8", np.char.zfill((serial // 1000 % 1000).astype(str), 3))), np.char.zfill(year.astype(str), 2)),
        np.char.zfill((serial % 1000).astype(str), 3))
    return np.char.add(upn_check_letter(digits), digits).astype(object)


def _ni_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    prefixes = np.array([a + b for a in "ABCEGHJKLMNOPRSTWXYZ" for b in "ABCEGHJKLMNPRSTWXYZ"])
    serial = rng.permutation(n)  # unique six digits per prefix block
    prefix = prefixes[(serial // 1_000_000) % len(prefixes)]
    suffix = np.array(list("ABCD"))[rng.integers(0, 4, n)]
    return np.char.add(np.char.add(prefix, np.char.zfill((serial % 1_000_000).astype(str), 6)), suffix).astype(object)


def with_identity(people: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Give every person names, an earlier and a later address, a UPN and an NI number, and a profile."""
    n = people.height
    la_codes = people["la_code"].to_numpy().astype(str)
    female = (people["sex"] == "F").to_numpy()
    sectors = people["home_sector"].to_numpy()
    missing = np.array([s is None for s in sectors], dtype=bool)
    sectors = np.where(missing, _sectors(la_codes, rng), sectors)
    early = _postcodes(sectors, rng)
    moved = rng.random(n) < 0.35  # a later address: another unit of the sector, or another sector of the LA
    far = rng.random(n) < 0.7
    late = np.where(moved, _postcodes(np.where(far, _sectors(la_codes, rng), sectors), rng), early)
    dob = people["dob"].cast(pl.Int32).to_numpy()
    known = people["upn"].to_numpy()
    upn = np.where(np.array([u is None for u in known], dtype=bool), _upns(la_codes, dob), known)
    groups = people["group"].to_numpy()
    profile = np.zeros(n, dtype=np.int64)
    for g, mix in PROFILE_MIX.items():
        mask = groups == g
        profile[mask] = rng.choice(len(mix), int(mask.sum()), p=np.array(mix))
    return people.with_columns(
        person_id=pl.Series(np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 8))),
        forename=pl.Series(draw_forenames(female, rng), dtype=pl.Utf8),
        surname=pl.Series(draw_surnames(n, rng), dtype=pl.Utf8),
        postcode_early=pl.Series(early, dtype=pl.Utf8), postcode_late=pl.Series(late, dtype=pl.Utf8),
        upn=pl.Series(upn, dtype=pl.Utf8), ni_number=pl.Series(_ni_numbers(n, rng), dtype=pl.Utf8),
        profile=pl.Series(profile)).select(PEOPLE_COLUMNS)


def build_people(la: LaChildren, share: float, rng: np.random.Generator) -> pl.DataFrame:
    """The LAs' children and a general-population sample of the same LAs, with identities."""
    kids = la_children(la)
    general = general_population(sorted(kids["la_code"].unique().to_list()), la.window, share, rng)
    return with_identity(pl.concat([kids, general], how="diagonal_relaxed"), rng)
