"""Secondary suppression: make sure no suppressed cell can be worked out from what is published.

Every published total gives a linear constraint "members sum to the total":

- categories of a breakdown sum to the Total for the same indicator, year and area;
- LAs sum to their region, and regions (with any LA outside every region) to England, for the same
  indicator, year and category.

A constraint with exactly one suppressed cell gives that cell away, so another is suppressed
with it: the smallest non-zero member (DfE practice), else a zero member, else the total. Cells
that hold the same count in another indicator (a rate's numerator, a percentage's denominator)
are suppressed with it (``link_edges``). This repeats until no constraint has exactly one
suppressed cell; ``audit`` then checks the harder cases (a cell pinned down by combining several
constraints), which get a partner in one of the constraints used to pin them. A secondary cell
that no suppression could hide (its value follows from published figures alone, e.g. an LA's
zero whose categories all had nobody) is shown again rather than chosen over and over.
"""

from __future__ import annotations

import warnings

import polars as pl

from carestat.disclosure import audit
from carestat.disclosure.rules import CONFIDENTIAL, DENOMINATOR, LINKED, SECONDARY, Rules

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
        # England is the sum of its regions and of any LA the reference data place in no region.
        _groups(cells.filter((level == "Regional") | ((level == "Local authority") & pl.col("region_code").is_null())),
                cells.filter(level == "National"), by_cat, "england"),
    ])


def _category_groups(cells: pl.DataFrame, area: list[str], is_total: pl.Expr) -> pl.DataFrame:
    """Categories of each breakdown -> the overall Total of the same indicator, year and area
    (not a breakdown whose categories overlap: they do not add up to the Total)."""
    members = cells.filter(pl.col("breakdown") != "Total").join(_overlapping(), on=["indicator_id", "breakdown"],
                                                                how="anti")
    key = [*area, "breakdown"]
    totals = (members.select(key).unique()
              .join(cells.filter(is_total).select(*area, "_cell"), on=area))
    return _groups(members, totals, key, "cat")


def _overlapping() -> pl.DataFrame:
    """(indicator_id, breakdown) of the registry's breakdowns whose categories overlap (an
    assessment records several factors, a child several disabilities)."""
    from carestat.indicators.registry import all_indicators

    pairs = [(i.id, b) for i in all_indicators().values() for b in i.overlapping]
    return pl.DataFrame(pairs, schema={"indicator_id": pl.Utf8, "breakdown": pl.Utf8}, orient="row")


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
        parts.append(_auto_links(cells))
    if not parts:
        return pl.DataFrame(schema={"_src": pl.UInt32, "_dst": pl.UInt32, "_role": pl.Utf8})
    return pl.concat(parts).unique()


def _auto_links(cells: pl.DataFrame) -> pl.DataFrame:
    """Edges between indicators whose counts agree wherever both are published.

    Candidate pairs come from the overall (Total) figures alone, joined on their values, so the
    work grows with the pairs that agree rather than with every pair; each candidate is then
    checked on every cell the two share."""
    nums = cells.filter(pl.col("numerator").is_not_null()).select(
        *KEY, "indicator_id", "_cell", amount=pl.col("numerator"), role=pl.lit("num"))
    dens = cells.filter(pl.col("denominator").is_not_null() & ~pl.col("_unit").is_in(["count", "rate_per_10k"]))
    both = pl.concat([nums, dens.select(*KEY, "indicator_id", "_cell", amount=pl.col("denominator"),
                                        role=pl.lit("den"))])
    pair = ["indicator_id", "indicator_id_d", "role_d"]
    area = ["year", "geographic_level", "_geo"]
    total = pl.col("breakdown") == "Total"
    equal = (nums.filter(total).join(both.filter(total), on=[*area, "amount"], suffix="_d")
             .filter(pl.col("indicator_id") != pl.col("indicator_id_d"))
             .group_by(pair).agg(n=pl.len(), nonzero=(pl.col("amount") > 0).any()).filter("nonzero"))
    shared = (nums.filter(total).select(*area, "indicator_id").join(equal.select(pair), on="indicator_id")
              .join(both.filter(total).select(*area, indicator_id_d="indicator_id", role_d="role"),
                    on=[*area, "indicator_id_d", "role_d"])
              .group_by(pair).agg(n=pl.len()))
    candidates = equal.join(shared, on=[*pair, "n"], how="semi").select(pair)
    pairs = (nums.join(candidates, on="indicator_id")
             .join(both.rename({"indicator_id": "indicator_id_d", "role": "role_d"}),
                   on=[*KEY, "indicator_id_d", "role_d"], suffix="_d"))
    agree = pairs.group_by(pair).agg(ok=(pl.col("amount") == pl.col("amount_d")).all()).filter("ok")
    return (pairs.join(agree, on=pair, how="semi")
            .select(_src=pl.col("_cell"), _dst=pl.col("_cell_d"), _role=pl.col("role_d")))


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
    primary = pl.col("flag").eq_missing(CONFIDENTIAL)
    # A figure suppressed for its denominator (small, or a hidden count) hides that denominator,
    # which is protected where it is published as a count, not its numerator: the audit need not
    # hide such a numerator, and must never show the figure again (that would give the ratio).
    state = cells.select("_cell", "_size", _supp=primary, _primary=primary, _eligible=pl.col("flag").is_null(),
                         _reason=pl.lit(None, pl.Utf8), _den_only=pl.col("suppression").eq_missing(DENOMINATOR))

    def mark(new: pl.Series, reason: str) -> None:
        nonlocal state
        hit = pl.col("_cell").is_in(new.implode())
        state = state.with_columns(_supp=pl.col("_supp") | hit,
                                   _reason=pl.when(hit).then(pl.lit(reason)).otherwise("_reason"),
                                   _den_only=pl.col("_den_only") | (hit & (reason == DENOMINATOR)))

    def spread() -> None:
        """Links, then the one-suppressed-cell rule, until neither finds anything (each pass
        suppresses at least one more cell, so this ends)."""
        while True:
            supp = state.filter("_supp").select("_cell")
            linked = (edges.join(supp, left_on="_src", right_on="_cell", how="semi")
                      .join(state.filter(~pl.col("_supp") & pl.col("_eligible")), left_on="_dst",
                            right_on="_cell", how="semi"))
            if len(linked):
                by_num = linked.filter(pl.col("_role") == "num")["_dst"]
                mark(by_num, LINKED)
                mark(linked.filter(~pl.col("_dst").is_in(by_num.implode()))["_dst"], DENOMINATOR)
                continue
            counts = membership.join(state, on="_cell").group_by("_group").agg(n=pl.col("_supp").sum())
            new = _partners(state, membership, counts.filter(pl.col("n") == 1))["_cell"]
            if not len(new):
                return
            mark(new, SECONDARY)

    focus: set[int] | None = None  # cells suppressed since the last audit (None: audit everything)
    exposed: list[int] = []
    for _ in range(MAX_AUDITS):
        before = set(state.filter("_supp")["_cell"].to_list())
        spread()
        now = state.filter("_supp")["_cell"]
        if focus is not None:
            focus |= set(now.to_list()) - before
        # Cells pinned by combining several constraints. Cells found safe stay safe when more are
        # suppressed, so only blocks holding a newly suppressed cell are solved again.
        pinned = audit.determined(now, membership, edges, focus)
        den_only = set(state.filter("_den_only")["_cell"].to_list())
        pinned = {c: groups for c, groups in pinned.items() if c not in den_only}
        if not pinned:
            exposed = []
            break
        # One partner per pinned cell: the smallest candidate in a constraint used to pin it.
        used = pl.DataFrame([(g, c) for c, groups in pinned.items() for g in groups],
                            schema={"_group": pl.Utf8, "_pinned": pl.UInt32}, orient="row")
        options = (_partners(state, membership, used.select("_group").unique()).join(used, on="_group")
                   .join(state.select("_cell", "_size"), on="_cell"))
        chosen = options.group_by("_pinned").agg(pl.col("_cell").sort_by("_size", "_cell").first())
        # A pinned cell with no candidate in those constraints is fixed by what is already
        # published, so no further suppression can hide it: a secondary cell is shown again
        # (it tells nothing new, and will not be chosen again); a primary one is reported.
        stuck = state.filter(pl.col("_cell").is_in(list(set(pinned) - set(chosen["_pinned"].to_list()))))
        release = stuck.filter(~pl.col("_primary"))["_cell"]
        exposed = stuck.filter("_primary")["_cell"].to_list()
        if len(release):
            hit = pl.col("_cell").is_in(release.implode())
            state = state.with_columns(_supp=pl.col("_supp") & ~hit, _eligible=pl.col("_eligible") & ~hit,
                                       _reason=pl.when(hit).then(None).otherwise("_reason"))
        if chosen.is_empty() and release.is_empty():
            break
        mark(chosen["_cell"], SECONDARY)
        focus = set(chosen["_cell"].to_list()) | (set(pinned) - set(release.to_list()))
    else:
        warnings.warn(f"Secondary suppression stopped after {MAX_AUDITS} rounds; some cells may still be "
                      "recoverable (check with carestat.disclosure.recoverable)", stacklevel=3)
    if exposed:
        warnings.warn(f"{len(exposed)} suppressed cells can be worked out from other published figures "
                      "whatever else is suppressed", stacklevel=3)
    return (cells.join(state.select("_cell", "_supp", "_reason"), on="_cell", how="left")
            .with_columns(flag=pl.when("_supp").then(pl.lit(CONFIDENTIAL))
                          .when(pl.col("flag") == CONFIDENTIAL).then(None).otherwise("flag"),
                          suppression=pl.when("_supp").then(pl.coalesce("suppression", "_reason")))
            .drop("_supp", "_reason"))
