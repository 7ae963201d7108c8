"""Clusters of need: a latent class model (a mixture of independent Bernoulli outcomes) fitted by
expectation maximisation with case weights, the number of classes chosen by the Bayesian
information criterion (BIC, lowest wins; the effective sample size is the number of people, not
the sum of weights, so weights do not shrink the penalty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-6


@dataclass(frozen=True)
class LatentClasses:
    k: int
    shares: np.ndarray  # (k,) weighted share of people in each class
    probabilities: np.ndarray  # (k, outcomes) chance of each outcome in each class
    log_likelihood: float
    bic: float
    membership: np.ndarray  # (people,) most likely class of each person


def fit(x: np.ndarray, k: int, weights: np.ndarray | None = None, seed: int = 1, starts: int = 5,
        iterations: int = 500, tol: float = 1e-7) -> LatentClasses:
    """Best of ``starts`` random starts of EM for ``k`` classes on a 0/1 matrix ``x``. People with
    the same outcomes are one row of the fit (at most 2^outcomes rows), weighted by their total."""
    people = np.asarray(x, dtype=float)
    n, d = people.shape
    w_people = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    w_people = w_people * n / w_people.sum()  # rescaled to sum to n: the likelihood is on the people's scale
    x, inverse = np.unique(people, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    w = np.bincount(inverse, weights=w_people, minlength=len(x))
    rng = np.random.default_rng(seed)
    best: LatentClasses | None = None
    for _ in range(starts):
        pi = np.full(k, 1.0 / k)
        theta = np.clip(rng.uniform(0.1, 0.9, (k, d)) * 0.5 + x.mean(axis=0) * 0.5, _EPS, 1 - _EPS)
        previous = -np.inf
        for _ in range(iterations):
            log_p = x @ np.log(theta).T + (1 - x) @ np.log(1 - theta).T + np.log(pi)
            top = log_p.max(axis=1, keepdims=True)
            log_total = top[:, 0] + np.log(np.exp(log_p - top).sum(axis=1))
            resp = np.exp(log_p - log_total[:, None])
            ll = float((w * log_total).sum())
            wr = resp * w[:, None]
            mass = wr.sum(axis=0)
            pi = np.clip(mass / mass.sum(), _EPS, None)
            theta = np.clip((wr.T @ x) / np.maximum(mass[:, None], _EPS), _EPS, 1 - _EPS)
            if ll - previous < tol * abs(ll):
                break
            previous = ll
        params = k * d + (k - 1)
        result = LatentClasses(k, pi, theta, ll, -2 * ll + params * np.log(n), resp.argmax(axis=1)[inverse])
        if best is None or result.log_likelihood > best.log_likelihood:
            best = result
    assert best is not None
    order = np.argsort(-best.shares)  # classes numbered largest first
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    return LatentClasses(k, best.shares[order], best.probabilities[order], best.log_likelihood, best.bic,
                         relabel[best.membership])


def choose(x: np.ndarray, weights: np.ndarray | None = None, max_k: int = 6,
           seed: int = 1) -> tuple[LatentClasses, list[LatentClasses]]:
    """Fit 1..max_k classes and return the one with the lowest BIC, and all fits."""
    fits = [fit(x, k, weights, seed=seed) for k in range(1, max_k + 1)]
    return min(fits, key=lambda f: f.bic), fits
