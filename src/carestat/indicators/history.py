"""Each child's history across every year loaded: periods of care, placements and carers.

Built once per Inputs and shared by the indicators that need more than one year (placement
stability, distance, children's homes, missing, returns home, OC2, adoption). The history starts
with the episodes open on 1 April of the LA's first loaded year: a placement, carer or period of
care that began before then has only a lower bound for its start (``*_start_known`` false).
"""

from __future__ import annotations

import polars as pl

from carestat.indicators.inputs import CHILD_ID, KEY, Inputs
from carestat.indicators.views import not_short_breaks

__all__ = ["ADOPTION", "KEY", "NEW_CARER_RNE", "PLACEMENT_RNE", "TEMPORARY", "episode_history", "periods_of_care"]

PLACEMENT_RNE = ("S", "P", "B", "T", "U")
NEW_CARER_RNE = ("S", "P", "B")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
ADOPTION = ("A3", "A4", "A5", "A6")


def periods_of_care(inputs: Inputs) -> pl.DataFrame:
    """Every episode with its period of care: ``period`` (a number unique across children), ``episode_no``
    (0 for the period's first episode), ``period_start`` (its first episode's DECOM) and
    ``start_known`` (that episode started care, RNE S: otherwise the period began before the
    earliest return loaded and its true start is not known).

    An episode continues the period when it starts on the day the previous one ended and that one
    ended with REC X1 (or no reason); anything else starts a new period.
    """
    return inputs.view("periods_of_care", _periods_of_care)


def _periods_of_care(inputs: Inputs) -> pl.DataFrame:
    e = inputs.episodes  # sorted by child and DECOM
    same_child = pl.col(CHILD_ID) == pl.col(CHILD_ID).shift(1)
    continues = (same_child & (pl.col("DECOM") == pl.col("DEC").shift(1))
                 & (pl.col("REC").shift(1).fill_null("X1") == "X1")).fill_null(False)
    row = pl.int_range(pl.len())
    e = e.with_columns(new=~continues, period=(~continues).cum_sum())
    return e.with_columns(
        episode_no=row - pl.when("new").then(row).forward_fill(),
        period_start=pl.when("new").then("DECOM").forward_fill(),
        start_known=pl.when("new").then((pl.col("RNE") == "S").fill_null(False)).forward_fill(),
    ).drop("new")


def episode_history(inputs: Inputs) -> pl.DataFrame:
    """Every episode (not short breaks), in order per child, with its placement, carer and period
    of care: ``_placement``/``_carer``/``_period`` numbers, their starts (``*_start``, a lower bound
    when ``*_start_known`` is false), the placement's end (null while open), the start of the
    previous carer in the period, the period's category of need, and flags ``_temp`` (a temporary
    placement), ``_back`` (the return from one) and ``_move`` (a change of placement). Other
    fields of the episode are in ``Inputs.episodes`` (row ``_ep``)."""
    return inputs.view("episode_history", _episode_history)


def _episode_history(inputs: Inputs) -> pl.DataFrame:
    fields = [*KEY, CHILD_ID, "_ep", "DOB", "DECOM", "DEC", "RNE", "LS", "CIN", "PLACE", "PL_POST", "REASON_PLACE_CHANGE"]
    e = inputs.episodes.select(fields).filter(not_short_breaks())  # in order per child
    rne = pl.col("RNE")
    # Rows are sorted by child: "same" marks a row whose previous row is the same child's. These
    # three are used many times below, so they are columns, worked out once.
    e = e.with_columns(_temp_place=pl.col("PLACE").is_in(TEMPORARY).fill_null(False),
                       _post=pl.col("PL_POST").str.to_uppercase().str.replace_all(r"\s+", ""),
                       _same=(pl.col(CHILD_ID) == pl.col(CHILD_ID).shift(1)).fill_null(False))
    temp, post, same = pl.col("_temp_place"), pl.col("_post"), pl.col("_same")

    def previous(expr: pl.Expr) -> pl.Expr:
        return pl.when(same).then(expr.shift(1))

    def last_before_temporary(expr: pl.Expr) -> pl.Expr:
        # The value on the latest earlier episode that is not temporary ("" on a child's first row,
        # so that nothing is carried over from the child before).
        value = pl.when(~temp).then(expr.fill_null("")).when(~same).then(pl.lit(""))
        return previous(value.forward_fill())

    e = e.with_columns(
        _temp=temp, _first_known=~same,
        _contiguous=(same & (pl.col("DEC").shift(1) == pl.col("DECOM"))).fill_null(False),
        _prev_temp=(same & temp.shift(1)).fill_null(False),
        _prev_reason=previous(pl.col("REASON_PLACE_CHANGE")),
        _before_place=last_before_temporary(pl.col("PLACE")),
        _before_post=last_before_temporary(post),
    )
    back = (pl.col("_prev_temp") & pl.col("_contiguous") & (pl.col("PLACE") == pl.col("_before_place"))
            & (post.is_null() | (pl.col("_before_post") == "") | (post == pl.col("_before_post")))).fill_null(False)
    new_period = ~pl.col("_contiguous") | (rne == "S").fill_null(False)
    ordinary = ~pl.col("_temp") & ~pl.col("_back")
    new_placement = new_period | (rne.is_in(PLACEMENT_RNE).fill_null(False) & ordinary)
    new_carer = new_period | (rne.is_in(NEW_CARER_RNE).fill_null(False) & ordinary)
    # Every child's first row starts a period, so these running numbers never span two children.
    e = e.with_columns(_back=back).with_columns(
        _new_period=new_period, _new_placement=new_placement, _new_carer=new_carer,
        _period=new_period.cum_sum(), _placement=new_placement.cum_sum(), _carer=new_carer.cum_sum(),
        _move=pl.col("_contiguous") & rne.is_in(("P", "B", "T", "U")).fill_null(False),
    )
    # Spells are runs of rows: a spell's first (last) value is gathered from the row where it starts (ends).
    row = pl.int_range(pl.len(), dtype=pl.UInt32)

    def first_row(new: str) -> pl.Expr:
        return pl.when(new).then(row).forward_fill()

    last_placement_row = pl.when(pl.col("_new_placement").shift(-1).fill_null(True)).then(row).backward_fill()
    e = e.with_columns(_p0=first_row("_new_period"), _pl0=first_row("_new_placement"), _c0=first_row("_new_carer"),
                       _pl1=last_placement_row)

    # A start is known unless the spell begins with the child's first known episode and that
    # episode does not itself say the spell started then.
    def known(codes: tuple[str, ...]) -> pl.Expr:
        return ~pl.col("_first_known") | rne.is_in(codes).fill_null(False)

    e = e.with_columns(
        period_start=pl.col("DECOM").gather(pl.col("_p0")),
        period_start_known=known(("S",)).gather(pl.col("_p0")),
        period_cin=pl.col("CIN").gather(pl.col("_p0")),
        placement_start=pl.col("DECOM").gather(pl.col("_pl0")),
        placement_start_known=known(PLACEMENT_RNE).gather(pl.col("_pl0")),
        placement_end=pl.col("DEC").gather(pl.col("_pl1")),
        placement_place=pl.col("PLACE").gather(pl.col("_pl0")),
        carer_start=pl.col("DECOM").gather(pl.col("_c0")),
    )
    # At a carer's first row the row before is the previous carer's last (when in the same period).
    previous_carer = pl.when(pl.col("_period") == pl.col("_period").shift(1)).then(pl.col("carer_start").shift(1))
    return e.with_columns(previous_carer_start=previous_carer.gather(pl.col("_c0"))).drop(
        "_temp_place", "_post", "_same", "_first_known", "_contiguous", "_before_post", "_new_period", "_new_placement",
        "_new_carer", "_p0", "_pl0", "_c0", "_pl1")
