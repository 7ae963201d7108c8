"""Weighted random draws, shared by every part of the generator.

A mix of codes is declared once as ``{code: weight}`` (weights need not sum to anything); these
helpers draw from it. Each draw is one ``Generator.choice`` over the mix's positions, so a given
generator state always yields the same codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import polars as pl

Mix = Mapping[str, float]


def draw_index(weights: Iterable[float], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` positions drawn with probability proportional to ``weights``."""
    w = np.asarray(list(weights), dtype=float)
    return rng.choice(len(w), n, p=w / w.sum())


def draw(mix: Mix, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` codes drawn from ``mix`` (code -> weight), as a numpy string array."""
    return np.array(list(mix))[draw_index(mix.values(), n, rng)]


def draw_by_group(mixes: Mapping[int, Mix], groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One code per element of ``groups``, each from its group's mix (an object array)."""
    out = np.empty(len(groups), dtype=object)
    for group, mix in mixes.items():
        idx = np.nonzero(groups == group)[0]
        if len(idx):
            out[idx] = draw(mix, len(idx), rng)
    return out


def codes_of(mix: Mix | Iterable[str], idx: np.ndarray) -> pl.Series:
    """The codes at positions ``idx`` of a mix (or a list of codes), as a string Series."""
    return pl.Series(list(mix), dtype=pl.String).gather(idx)
