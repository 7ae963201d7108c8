"""Noisy identifiers as real administrative data hold them: typing errors, nicknames, day and month
transposed, old addresses, missing values. Each data set's error rates are declared in one place
(``NOISE``); the functions never change their input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from carestat.linkage.names import NICKNAMES

_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
_KEYS_NEAR = {c: n for c, n in zip("QWERTYUIOPASDFGHJKLZXCVBNM", "WEQRTUYIOPSDAFGJHKLZXCVNMB", strict=True)}


@dataclass(frozen=True)
class Noise:
    """Chance per record of each kind of error in a data set's identifiers."""

    name_typo: float = 0.03  # one character wrong, missing, added or swapped (forename and surname apart)
    nickname: float = 0.04  # a short form of the forename (William -> Bill)
    surname_change: float = 0.01  # another surname altogether (family change)
    dob_swap: float = 0.015  # day and month transposed (only where both are 12 or less)
    dob_typo: float = 0.01  # day or year one out
    postcode_old: float = 0.0  # the other address (earlier or later) instead of the current one
    postcode_typo: float = 0.01
    postcode_missing: float = 0.02
    sex_wrong: float = 0.003
    id_missing: float = 0.0  # the data set's own identifier (UPN) not recorded


NOISE = {
    "la": Noise(name_typo=0.01, nickname=0.02, surname_change=0.005, dob_swap=0.003, dob_typo=0.003,
                postcode_missing=0.01, id_missing=0.0),
    "school": Noise(postcode_old=0.25, id_missing=0.0),
    "employment": Noise(name_typo=0.03, nickname=0.08, surname_change=0.02, postcode_old=0.15, postcode_missing=0.05),
    "justice": Noise(name_typo=0.05, nickname=0.1, surname_change=0.02, dob_swap=0.03, dob_typo=0.02,
                     postcode_old=0.3, postcode_missing=0.1, sex_wrong=0.005),
}


def typo(text: str, rng: np.random.Generator) -> str:
    """One keyboard-like error: a neighbouring key, a dropped, doubled or swapped character."""
    if len(text) < 3:
        return text
    i = int(rng.integers(1, len(text)))
    kind = int(rng.integers(0, 4))
    if kind == 0:
        near = _KEYS_NEAR.get(text[i].upper(), str(_LETTERS[rng.integers(0, 26)]))
        return text[:i] + (near if text[i].isupper() else near.lower()) + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:] if i < len(text) else text


def _apply(values: np.ndarray, mask: np.ndarray, func: Callable[[str], str]) -> np.ndarray:
    out = values.copy()
    for i in np.flatnonzero(mask):
        if out[i] is not None:
            out[i] = func(out[i])
    return out


def names(forename: np.ndarray, surname: np.ndarray, other_surname: np.ndarray, noise: Noise,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(forename)
    nick = rng.random(n) < noise.nickname
    forename = _apply(forename, nick, lambda f: (lambda opts: str(opts[rng.integers(0, len(opts))]))(
        NICKNAMES[f]) if f in NICKNAMES else f)
    forename = _apply(forename, rng.random(n) < noise.name_typo, lambda f: typo(f, rng))
    changed = rng.random(n) < noise.surname_change
    surname = np.where(changed, other_surname, surname)
    surname = _apply(surname, rng.random(n) < noise.name_typo, lambda s: typo(s, rng))
    return forename, surname


def dates_of_birth(dob: pl.Series, noise: Noise, rng: np.random.Generator) -> pl.Series:
    """Dates of birth with day and month transposed or a day or year one out, as recorded."""
    n = dob.len()
    d = pl.DataFrame({"dob": dob}).with_columns(y=pl.col("dob").dt.year(), m=pl.col("dob").dt.month(),
                                                 dd=pl.col("dob").dt.day())
    swap = pl.Series(rng.random(n) < noise.dob_swap) & (d["dd"] <= 12) & (d["dd"] != d["m"])
    out = d.select(pl.when(pl.lit(swap)).then(pl.date("y", "dd", "m")).otherwise("dob").alias("dob"))["dob"]
    shift = rng.random(n) < noise.dob_typo
    day_or_year = rng.random(n) < 0.5
    delta = pl.Series(np.where(shift & day_or_year, rng.choice([-1, 1], n), 0), dtype=pl.Int32)
    years = np.where(shift & ~day_or_year, rng.choice([-1, 1], n), 0)
    out = (out.cast(pl.Int32) + delta).cast(pl.Date)
    return pl.DataFrame({"d": out, "y": years}).select(
        pl.col("d").dt.offset_by(pl.format("{}y", pl.col("y")))).to_series().alias(dob.name)


def postcodes(current: np.ndarray, other: np.ndarray, noise: Noise, rng: np.random.Generator) -> np.ndarray:
    n = len(current)
    out = np.where(rng.random(n) < noise.postcode_old, other, current)
    out = _apply(out, rng.random(n) < noise.postcode_typo,
                 lambda p: p[:-2] + p[-1] + p[-2] if len(p) > 3 else p)
    return np.where(rng.random(n) < noise.postcode_missing, None, out)


def sexes(sex: np.ndarray, noise: Noise, rng: np.random.Generator) -> np.ndarray:
    flip = rng.random(len(sex)) < noise.sex_wrong
    return np.where(flip, np.where(sex == "F", "M", "F"), sex)
