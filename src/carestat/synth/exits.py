"""Why each period of care ended (REC), and children who came back into care (re-entry)."""

from __future__ import annotations

import numpy as np
import polars as pl

from carestat.synth.calendar import add_years_days, age_at
from carestat.synth.draw import draw
from carestat.synth.population import Children, Periods

# Reasons ceased (code: weight) by route; the ages each code allows follow the DfE rules (E5/E6 from 16,
# E7 from 16, E17 only at 18, no adoption or SGO at 18).
AT_18 = {"E5": 35, "E6": 10, "E17": 25, "E8": 20, "E13": 5, "E7": 5}
UASC_EARLY = {"E15": 20, "E16": 10, "E3": 30, "E8": 30, "E13": 10}
PERMANENCE = {"E11": 46, "E12": 16, "E45": 7, "E46": 2, "E47": 7, "E48": 2, "E41": 4, "E4A": 10, "E4B": 2}
SHORT = {"E4A": 30, "E4B": 7, "E13": 12, "E47": 4, "E48": 2, "E41": 6, "E8": 18, "E3": 2, "E9": 2, "E14": 2,
         "E2": 0.3, "E7": 1}
ADOPTED = ("E11", "E12")
RETURNED_HOME = ("E4A", "E4B", "E13")


def assign_exits(periods: Periods, children: Children, rng: np.random.Generator) -> np.ndarray:
    """REC of each period's last episode ('' while the period is open)."""
    n = len(periods)
    rec = np.full(n, "", dtype=object)
    ended = np.ones(n, dtype=bool)  # every period ends some day; REC is used once it has
    end_age = age_at(children.dob[periods.child], periods.end)
    length = periods.end - periods.start
    at18 = ended & periods.capped
    rec[at18] = draw(AT_18, int(at18.sum()), rng)
    uasc = ended & ~periods.capped & periods.uasc
    rec[uasc] = draw(UASC_EARLY, int(uasc.sum()), rng)
    perm = ended & ~periods.capped & ~periods.uasc & (periods.entry_age < 5) & (length >= 450)
    rec[perm] = draw(PERMANENCE, int(perm.sum()), rng)
    short = ended & ~at18 & ~uasc & ~perm
    rec[short] = draw(SHORT, int(short.sum()), rng)
    # Codes the child is too young for become a move to relatives without parental responsibility.
    too_young = ((np.isin(rec, ["E7", "E5", "E6"]) & (end_age < 16))
                 | (np.isin(rec, ["E9", "E14"]) & (end_age < 10)))
    rec[too_young] = "E13"
    # Adoption needs time for decision, placement order, match and placement, and rarely takes
    # more than four years; longer permanence cases end in special guardianship instead.
    rec[np.isin(rec, ADOPTED) & (length < 450)] = "E4A"
    rec[np.isin(rec, ADOPTED) & (length > 1460)] = "E47"
    return rec


def link_reentries(periods: Periods, children: Children, rec: np.ndarray, rng: np.random.Generator,
                   share: float = 0.25) -> tuple[Periods, Children, np.ndarray]:
    """Make some later periods the same child as an earlier one who went home.

    A period that ended with a return home (child under 16) may be followed, 1 to 24 months later,
    by another period of a child of the same age; the two become one child. Start and end dates
    are kept, so the calibrated counts do not move.
    """
    n = len(periods)
    if n == 0:
        return periods, children, rec
    dob = children.dob[periods.child].copy()
    end_age = (periods.end - dob) // 365
    candidate = np.isin(rec, RETURNED_HOME) & (end_age < 16) & ~periods.uasc & (rng.random(n) < share)
    gap = rng.integers(30, 730, n)
    want_start = periods.end + gap
    want_age = (want_start - dob) // 365
    src = np.nonzero(candidate)[0]
    later = ~periods.uasc & (periods.entry_age >= 1)
    targets = pl.DataFrame({"dst": np.nonzero(later)[0], "age": periods.entry_age[later],
                            "month": periods.start[later] // 30})
    targets = targets.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(2**31)))
    # The k-th candidate of an age and month (in period order) pairs with the k-th period of that
    # age and month (in shuffled order).
    _, mine, theirs = np.intersect1d(
        _nth_of_group(want_age[candidate], want_start[candidate] // 30),
        _nth_of_group(targets["age"].to_numpy(), targets["month"].to_numpy()), assume_unique=True,
        return_indices=True)
    src, dst = src[mine], targets["dst"].to_numpy()[theirs]
    src_dob = children.dob[periods.child[src]]
    ok = (periods.start[dst] > periods.end[src]) & (periods.start[dst] < add_years_days(src_dob, 18) - 30)
    src, dst = src[ok], dst[ok]
    # A period can be linked from only one earlier period; follow chains to the first child.
    parent = np.arange(n)
    _, first = np.unique(dst, return_index=True)
    parent[dst[first]] = src[first]
    for _ in range(20):
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    # Undo links that would make a later period start at 18 or over under the first child's birth date.
    too_old = periods.start >= add_years_days(children.dob[periods.child[parent]], 18) - 30
    parent = np.where(too_old, np.arange(n), parent)
    child = periods.child[parent]
    new_dob = children.dob[child]
    eighteenth = add_years_days(new_dob, 18)
    end = np.minimum(periods.end, eighteenth)
    capped = end == eighteenth
    entry_age = age_at(new_dob, periods.start)
    linked = Periods(child, periods.start, end, entry_age, capped, periods.uasc)
    rec = rec.copy()
    newly_capped = capped & ~periods.capped
    rec[newly_capped] = draw(AT_18, int(newly_capped.sum()), rng)
    # A period that no longer reaches the 18th birthday cannot end for reasons of age.
    no_longer = ~capped & periods.capped
    rec[no_longer] = draw(SHORT, int(no_longer.sum()), rng)
    end_age = age_at(new_dob, end)
    rec[no_longer & np.isin(rec, ["E7", "E5", "E6"]) & (end_age < 16)] = "E13"
    rec[no_longer & np.isin(rec, ["E9", "E14"]) & (end_age < 10)] = "E13"
    return linked, children, rec


def _nth_of_group(age: np.ndarray, month: np.ndarray) -> np.ndarray:
    """A number per element for (age, month, its position among those of its age and month)."""
    group = age.astype(np.int64) * 100_000 + month
    order = np.argsort(group, kind="stable")
    ordered = group[order]
    first = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    position = np.empty(len(group), dtype=np.int64)
    position[order] = np.arange(len(group)) - np.repeat(first, np.diff(np.r_[first, len(group)]))
    return (group << 21) | position
