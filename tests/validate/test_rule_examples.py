"""Every rule's declared examples: records marked ``fail`` fail, all others pass."""

from __future__ import annotations

import pytest

from carestat.validate.engine import run_rules
from carestat.validate.registry import all_rules
from tests.validate.harness import build_return, example_year, expected_failures

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{i}")
    for rule in all_rules("ssda903")
    for i, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule, example):
    r = build_return(rule, example)
    assert example_year(rule, example) in rule.years, "example year outside the rule's years"
    result = run_rules(r, [rule])
    assert not result.skipped, result.skipped
    found: dict[str, set[int]] = {}
    for row in result.errors.iter_rows(named=True):
        found.setdefault(row["table"], set()).add(row["row"])
    expected = {t: rows for t, rows in expected_failures(example).items() if rows}
    assert found == expected

def test_every_rule_has_examples_with_a_failure():
    lacking = [r.code for r in all_rules("ssda903")
               if not any(any(rec.get("_fails") for recs in ex.tables.values() for rec in recs)
                          for ex in r.examples)]
    assert not lacking, f"rules without a failing example: {lacking}"
