"""Who the children are: identifiers, sex, ethnicity, UPN and motherhood (all synthetic)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carestat.synth.calendar import add_years_days
from carestat.synth.draw import draw
from carestat.synth.population import Children, Periods
from carestat.synth.targets import PREDECESSORS

_ETHNIC = {"WBRI": 63, "WIRI": 0.5, "WOTH": 5, "WIRT": 0.3, "WROM": 0.6, "MWBC": 3.5, "MWBA": 1.2,
           "MWAS": 1.5, "MOTH": 4, "AIND": 0.7, "APKN": 1.2, "ABAN": 0.6, "AOTH": 1.5, "BCRB": 1.5,
           "BAFR": 3.5, "BOTH": 1.5, "CHNE": 0.1, "OOTH": 4, "REFU": 0.2, "NOBT": 0.3}
_UASC_ETHNIC = {"AOTH": 28, "BAFR": 34, "OOTH": 28, "WOTH": 6, "BOTH": 4}
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(digits: np.ndarray) -> np.ndarray:
    """DfE UPN check letter for 12-digit strings: sum of digit x weight (2..13) mod 23."""
    text = np.ascontiguousarray(digits, dtype=str)
    if text.dtype.itemsize == 48 and len(text):  # read the characters' codes in place
        values = text.view(np.uint32).reshape(-1, 12).astype(np.int64) - ord("0")
        if ((values >= 0) & (values <= 9)).all():
            return np.array(list(_UPN_LETTERS))[_check(values)]
    values = np.array([[int(c) for c in d] for d in digits]) if len(digits) else np.zeros((0, 12), int)
    return np.array(list(_UPN_LETTERS))[_check(values)]


def _check(values: np.ndarray) -> np.ndarray:
    """The check letter's position in the alphabet, from rows of 12 digits."""
    return (values * np.arange(2, 14)).sum(axis=1) % 23


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Whole numbers under 10**width as zero-padded digits, one column per digit."""
    if len(values) and values.max() >= 10**width:
        raise ValueError(f"{values.max()} has more than {width} digits")
    return values[:, None] // 10 ** np.arange(width - 1, -1, -1) % 10


def _text(codes: np.ndarray) -> np.ndarray:
    """Rows of character codes as strings (numpy's own layout, so no string is built in Python)."""
    codes = np.ascontiguousarray(codes, dtype=np.uint32)
    return codes.view(f"<U{codes.shape[1]}").ravel()


@dataclass
class Identity:
    child_id: np.ndarray  # CHILD, unique within the LA
    ethnic: np.ndarray
    upn: np.ndarray  # the UPN the child gets when starting school
    mother_date: np.ndarray  # day the child's first child was born, or -1


def make_identity(unit: str, periods: Periods, children: Children, rng: np.random.Generator) -> Identity:
    n = len(children)
    serial = np.arange(1, n + 1)
    la = np.broadcast_to(np.array([int(c) for c in unit]), (n, len(unit)))
    child_id = _text(np.hstack([la, _digits(serial, 6)]) + ord("0"))
    ethnic = draw(_ETHNIC, n, rng)
    ethnic = np.where(children.uasc, draw(_UASC_ETHNIC, n, rng), ethnic)
    # UPN: check letter + LA number + establishment + year + serial (unique in the LA). The LA is
    # where the child started school: the predecessor (Cumbria for Cumberland) for a child who
    # started (the school year after the fourth birthday) before today's LA existed.
    school = 1000 + (serial // 1000) % 9000  # with the serial's last 3 digits: unique in the LA
    born = children.dob.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    before = PREDECESSORS.get(unit)
    upn_la = la if before is None else np.where(
        (born + 5 < before[1])[:, None], np.array([int(c) for c in before[0][0]]), la)
    digits = np.hstack([upn_la, _digits(school, 4), _digits((born + 5) % 100, 2), _digits(serial % 1000, 3)])
    letter = np.frombuffer(_UPN_LETTERS.encode(), dtype=np.uint8)[_check(digits)]
    upn = _text(np.hstack([letter[:, None], digits + ord("0")]))
    # Motherhood: a few girls in care in their mid-teens have a child before they leave care.
    # Within the child's last period of care, so the birth is never after they left (rule 625).
    order = np.argsort(periods.end, kind="stable")
    last_end = np.full(n, -1, dtype=np.int64)
    last_start = np.full(n, -1, dtype=np.int64)
    last_end[periods.child[order]] = periods.end[order]
    last_start[periods.child[order]] = periods.start[order]
    fifteenth = add_years_days(children.dob, 15)
    window_start = np.maximum(fifteenth, last_start)
    eligible = (children.sex == 1) & (last_end > window_start + 60) & (rng.random(n) < 0.04)
    span = np.maximum(last_end - window_start - 30, 1)
    mother_date = np.where(eligible, window_start + (rng.random(n) * span).astype(np.int64), -1)
    return Identity(child_id, ethnic, upn, mother_date)
