"""Legal status: who may be looked after under which legal status, and for how long."""

from __future__ import annotations

import polars as pl

from carestat.validate.context import Return
from carestat.validate.expr import add_years
from carestat.validate.registry import Example, fail, ok, rule


@rule("358", tables=("Episodes", "Header"), fields=("LS", "DECOM", "DOB"), examples=[
    Example({
        "Header": [ok(CHILD="A", DOB="01/01/2010"), fail(CHILD="B", DOB="01/06/2014")],
        "Episodes": [ok(CHILD="A", LS="J1", DECOM="01/06/2024"), fail(CHILD="B", LS="J2", DECOM="01/06/2024"),
                     ok(CHILD="B", LS="C2", DECOM="01/05/2024")],
    }, year=2025),
])
def custody_status_under_10(r: Return) -> dict[str, pl.DataFrame]:
    # LS J1-J3 only for children 10 or over when the episode began (DECOM after 10th birthday).
    flagged = r.with_dob(r.episodes).filter(
        pl.col("LS").is_in(["J1", "J2", "J3"]) & (add_years("DOB_H", 10) >= pl.col("DECOM"))
    )
    return {"Episodes": flagged, "Header": r.header.filter(pl.col("CHILD").is_in(flagged["CHILD"].implode()))}
