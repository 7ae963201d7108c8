"""Secondary suppression: make sure no suppressed cell can be worked out from what is published.

Every published total gives a linear constraint "members sum to the total":

- categories of a breakdown sum to the Total for the same indicator, year and area;
- LAs sum to their region, and regions to England, for the same indicator, year and category.

A constraint with exactly one suppressed cell gives that cell away, so another is suppressed
with it: the smallest non-zero member (DfE practice), else a zero member, else the total. Cells
that hold the same count in another indicator (a rate's numerator, a percentage's denominator)
are suppressed with it (``link_edges``). This repeats until no constraint has exactly one
suppressed cell; ``audit`` then checks the harder cases (a cell pinned down by combining several
constraints) and those get a further partner too.
"""

from __future__ import annotations

import polars as pl

from carestat.disclosure import audit
from carestat.disclosure.rules import CONFIDENTIAL, Rules

SEP = "\x1f"
KEY = ["year", "geographic_level", "_geo", "breakdown", "category"]  # one cell of one indicator
MAX_AUDITS = 50


def _groups(members: pl.DataFrame, totals: pl.DataFrame, key: list[str], kind: str) -> pl.DataFrame:
    """Membership rows (_group, _cell, _is_total) of the groups that have a published total."""
    gid = pl.concat_str([pl.lit(kind), *[pl.col(k).cast(pl.Utf8) for k in key]], separator=SEP).alias("_group")
    members = members.drop_nulls(key)
    tot = totals.drop_nulls(key).select(*key, "_cell").join(members.select(key).unique(), on=key)
    mem = members.join(tot.select(key), on=key, how="semi")
    return pl.concat([mem.select(gid, "_cell", _is_total=pl.lit(False)),
                      tot.select(gid, "_cell", _is_total=pl.lit(True))])


def constraints(cells: pl.DataFrame) -> pl.DataFrame:
    """Every additive constraint the published tables carry, as membership rows."""
    level = pl.col("geographic_level")
    is_total = (pl.col("breakdown") == "Total") & (pl.col("category") == "Total")
    area = ["indicator_id", "year", "geographic_level", "_geo"]
    by_cat = ["indicator_id", "year", "breakdown", "category"]
    return pl.concat([
        _category_groups(cells, area, is_total),
        _groups(cells.filter(level == "Local authority"), cells.filter(level == "Regional"),
                [*by_cat, "region_code"], "region"),
        _groups(cells.filter(level == "Regional"), cells.filter(level == "National"), by_cat, "england"),
    ])


def _category_groups(cells: pl.DataFrame, area: list[str], is_total: pl.Expr) -> pl.DataFrame:
    """Categories of each breakdown -> the overall Total of the same indicator, year and area."""
    members = cells.filter(pl.col("breakdown") != "Total")
    key = [*area, "breakdown"]
    totals = (members.select(key).unique()
              .join(cells.filter(is_total).select(*area, "_cell"), on=area))
    return _groups(members, totals, key, "cat")


def link_edges(cells: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Directed (_src, _dst, _role) cell pairs: suppressing _src must suppress _dst.

    Declared links join cells of the listed indicators both ways. With ``auto_link``, indicator B
    is linked from A when B's numerator (or, for a percentage or average, its denominator) equals
    A's numerator in every cell they share and some of those are non-zero: B then publishes A's
    count, or a figure built on it."""
    base = cells.select(*KEY, "indicator_id", "_cell")
    parts = []
    for ids in rules.links:
        group = base.filter(pl.col("indicator_id").is_in(ids))
        pairs = group.join(group, on=KEY, suffix="_d").filter(pl.col("indicator_id") != pl.col("indicator_id_d"))
        parts.append(pairs.select(_src=pl.col("_cell"), _dst=pl.col("_cell_d"), _role=pl.lit("num")))
    if rules.auto_link:
        nums = cells.filter(pl.col("numerator").is_not_null()).select(
            *KEY, "indicator_id", "_cell", amount=pl.col("numerator"), role=pl.lit("num"))
        dens = cells.filter(pl.col("denominator").is_not_null() & ~pl.col("_unit").is_in(["count", "rate_per_10k"]))
        dens = dens.select(*KEY, "indicator_id", "_cell", amount=pl.col("denominator"), role=pl.lit("den"))
        pairs = nums.join(pl.concat([nums, dens]), on=KEY, suffix="_d").filter(
            pl.col("indicator_id") != pl.col("indicator_id_d"))
        agree = (pairs.group_by("indicator_id", "indicator_id_d", "role_d")
                 .agg(ok=(pl.col("amount") == pl.col("amount_d")).all() & (pl.col("amount") > 0).any())
                 .filter("ok"))
        parts.append(pairs.join(agree, on=["indicator_id", "indicator_id_d", "role_d"], how="semi")
                     .select(_src=pl.col("_cell"), _dst=pl.col("_cell_d"), _role=pl.col("role_d")))
    if not parts:
        return pl.DataFrame(schema={"_src": pl.UInt32, "_dst": pl.UInt32, "_role": pl.Utf8})
    return pl.concat(parts).unique()


def _partners(state: pl.DataFrame, membership: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """For each group in ``groups``, the cell to suppress next: smallest non-zero member, then a
    zero member, then the total (among publishable cells not yet suppressed)."""
    m = membership.join(groups.select("_group"), on="_group", how="semi").join(state, on="_cell")
    open_ = m.filter(~pl.col("_supp") & pl.col("_eligible"))
    order = [pl.col("_is_total"), pl.col("_size") == 0, pl.col("_size"), pl.col("_cell")]
    return open_.group_by("_group").agg(pl.col("_cell").sort_by(order).first())


def suppress(cells: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``cells`` with ``flag`` = c and ``suppression`` = secondary / linked where protection needs it."""
    membership = constraints(cells)
    edges = link_edges(cells, rules)
    state = cells.select("_cell", "_size", _supp=pl.col("flag").eq_missing(CONFIDENTIAL),
                         _eligible=pl.col("flag").is_null())
    reasons: list[pl.DataFrame] = []

    def mark(new: pl.Series, reason: str) -> None:
        nonlocal state
        reasons.append(pl.DataFrame({"_cell": new.unique(), "_new_reason": reason}))
        state = state.with_columns(_supp=pl.col("_supp") | pl.col("_cell").is_in(new.implode()))

    def spread() -> None:
        """Links, then the one-suppressed-cell rule, until neither finds anything (each pass
        suppresses at least one more cell, so this ends)."""
        while True:
            supp = state.filter("_supp").select("_cell")
            linked = (edges.join(supp, left_on="_src", right_on="_cell", how="semi")
                      .join(state.filter(~pl.col("_supp") & pl.col("_eligible")), left_on="_dst",
                            right_on="_cell", how="semi")["_dst"])
            if len(linked):
                mark(linked, "linked")
                continue
            counts = membership.join(state, on="_cell").group_by("_group").agg(n=pl.col("_supp").sum())
            new = _partners(state, membership, counts.filter(pl.col("n") == 1))["_cell"]
            if not len(new):
                return
            mark(new, "secondary")

    focus: set[int] | None = None  # cells suppressed since the last audit (None: audit everything)
    for _ in range(MAX_AUDITS):
        before = set(state.filter("_supp")["_cell"].to_list())
        spread()
        now = state.filter("_supp")["_cell"]
        if focus is not None:
            focus |= set(now.to_list()) - before
        # Cells pinned by combining several constraints; cells already found safe stay safe when
        # more are suppressed, so only blocks holding a newly suppressed cell are solved again.
        pinned = audit.determined(now, membership, edges, focus)
        if not pinned:
            break
        # One partner per pinned cell: the smallest candidate in a constraint that was used to pin it.
        used = pl.DataFrame([(g, c) for c, groups in pinned.items() for g in groups],
                            schema={"_group": pl.Utf8, "_pinned": pl.UInt32}, orient="row")
        options = (_partners(state, membership, used.select("_group").unique()).join(used, on="_group")
                   .join(state.select("_cell", "_size"), on="_cell"))
        new = options.group_by("_pinned").agg(pl.col("_cell").sort_by("_size", "_cell").first())["_cell"]
        if not len(new):
            break
        mark(new, "secondary")
        focus = set(new.to_list()) | set(pinned)
    if not reasons:
        return cells
    why = pl.concat(reasons).unique("_cell", keep="first")
    return (cells.join(why, on="_cell", how="left")
            .with_columns(flag=pl.when(pl.col("_new_reason").is_not_null()).then(pl.lit(CONFIDENTIAL))
                          .otherwise(pl.col("flag")),
                          suppression=pl.coalesce("suppression", "_new_reason"))
            .drop("_new_reason"))
