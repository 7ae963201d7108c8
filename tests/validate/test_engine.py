"""The engine's batched conditions (``where``) and the shared helpers they rely on."""

from __future__ import annotations

import polars as pl
import pytest

from carestat.ingest import assemble_903
from carestat.spec import spec
from carestat.validate import Return
from carestat.validate.engine import run_rules
from carestat.validate.expr import child_in, position_in_run
from carestat.validate.registry import Rule, where
from tests.validate.harness import _raw

CONDITIONS = {
    "plain": pl.col("LS") == "C2",
    "null is not true": pl.col("DEC") > pl.col("DECOM"),
    "window": pl.len().over("CHILD") > 1,
    "window over a filter": (pl.col("LS") == "C2") & ((pl.col("LS") == "C2").sum().over("CHILD") > 1),
    "scalar": pl.lit(True),
    "never": pl.lit(False),
    "aggregate broadcast": pl.col("DECOM") == pl.col("DECOM").max(),
}


def _return() -> Return:
    records = [
        {"CHILD": "A", "DECOM": "01/05/2024", "LS": "C2", "DEC": "01/06/2024"},
        {"CHILD": "A", "DECOM": "01/06/2024", "LS": "C2"},
        {"CHILD": "B", "DECOM": "01/07/2024", "LS": "V3", "DEC": "01/07/2024"},
        {"CHILD": None, "DECOM": "02/07/2024", "LS": "C2"},
        {"CHILD": "C", "DECOM": None, "LS": None},
    ]
    table = spec("903", 2025).table("Episodes")
    return Return(assemble_903({"Episodes": _raw(records, table, "Episodes")}, spec("903", 2025), None))


def _rule(code: str, func) -> Rule:
    return Rule(code, "ssda903", func, ("Episodes",), (), frozenset({2025}), frozenset(), "error")


def _rows(result, code: str) -> set[int]:
    return set(result.errors.filter(pl.col("code") == code)["row"].to_list())


def test_where_flags_what_filter_keeps():
    r = _return()
    rules = [_rule(name, lambda r, c=cond: where(r.episodes, c)) for name, cond in CONDITIONS.items()]
    result = run_rules(r, rules)  # all conditions on the same frame: one query
    assert not result.skipped
    for name, cond in CONDITIONS.items():
        assert _rows(result, name) == set(r.episodes.filter(cond)["_row"].to_list()), name


def test_a_failing_condition_skips_only_its_rule():
    r = _return()
    rules = [_rule("good", lambda r: where(r.episodes, pl.col("LS") == "C2")),
             _rule("bad", lambda r: where(r.episodes, pl.col("NO_SUCH_FIELD") == "x"))]
    result = run_rules(r, rules)
    assert [s.code for s in result.skipped] == ["bad"]
    assert _rows(result, "good") == {1, 2, 4}


def test_mixed_results_in_one_rule():
    r = _return()
    rule = _rule("mixed", lambda r: {"Episodes": where(r.episodes, pl.col("LS") == "V3"),
                                     "Header": r.episodes.lazy().filter(pl.col("LS") == "C2").select("_row")})
    rows = run_rules(r, [rule]).errors.select("table", "row").rows()
    assert sorted(rows) == [("Episodes", 3), ("Header", 1), ("Header", 2), ("Header", 4)]


@pytest.mark.parametrize("keys", [["A", "A", "B", None, None], [None, None], ["A"], [], ["A", "B", "B", "B"]])
def test_position_in_run_matches_windows(keys):
    frame = pl.DataFrame({"k": keys}, schema={"k": pl.Utf8})
    seq, n = position_in_run("k")
    fast = frame.with_columns(_seq=seq, _n=n)
    windows = frame.with_columns(_seq=pl.int_range(1, pl.len() + 1).over("k"), _n=pl.len().over("k"))
    assert fast.equals(windows) and fast.schema == windows.schema


def test_child_in_is_a_semi_join():
    frame = pl.DataFrame({"CHILD": ["A", "B", None]})
    children = pl.Series(["A", None])
    assert frame.filter(child_in(children))["CHILD"].to_list() == ["A"]
    assert frame.filter(~child_in(children))["CHILD"].to_list() == ["B", None]  # as an anti join keeps blanks
