"""Every rule's declared examples: records marked ``fail`` fail, all others pass."""

from __future__ import annotations

import pytest

from carestat.validate.engine import run_rules
from carestat.validate.registry import all_rules
from tests.validate.harness import build_return, example_year, expected_failures
from tests.validate.harness_cin import build_cin_return

RETURNS = ("ssda903", "cin")
CASES = [
    pytest.param(rule, example, id=f"{'cin-' if name == 'cin' else ''}{rule.code}-{rule.name}-{i}")
    for name in RETURNS
    for rule in all_rules(name)
    for i, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule, example):
    r = build_cin_return(rule, example) if rule.return_name == "cin" else build_return(rule, example)
    assert example_year(rule, example) in rule.years, "example year outside the rule's years"
    result = run_rules(r, [rule])
    assert not result.skipped, result.skipped
    found: dict[str, set[int]] = {}
    for row in result.errors.iter_rows(named=True):
        found.setdefault(row["table"], set()).add(row["row"])
    expected = {t: rows for t, rows in expected_failures(example).items() if rows}
    assert found == expected

def test_every_rule_has_examples_with_a_failure():
    lacking = [r.code for name in RETURNS for r in all_rules(name)
               if not any(any(rec.get("_fails") for recs in ex.tables.values() for rec in recs)
                          for ex in r.examples)]
    assert not lacking, f"rules without a failing example: {lacking}"
