"""Rule test cases kept beside the rules, run by ``inclusief-inkopen test-rules`` and by pytest.

A test gives a *partial* tender: the fields it leaves out are filled from ``TEST_DEFAULTS`` (nothing digital,
nothing physical, nobody uses it, …) so that a test only says what matters for its rule. A field given as
``null`` stays unknown, to test undetermined outcomes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.rules.catalogue import Catalogue, RuleTest
from inclusief_inkopen.rules.conditions import AllOf, AnyOf, Reason, compile_truth, describe, walk
from inclusief_inkopen.rules.decide import Decision, context_for, decide
from inclusief_inkopen.tender.profile import parse_tender

# The neutral tender a rule test starts from; a test overrides what its rule is about.
TEST_DEFAULTS: dict[str, Any] = {
    "title": "Testopdracht",
    "end_users": [],
    "digital": [],
    "physical": [],
    "people_facing": False,
    "staffing": False,
    "supply_chain_risk": [],
}
DEFAULT_TEST_DATE = dt.date(2026, 3, 1)


@dataclass(frozen=True)
class RuleTestResult:
    criterion: str
    file: str
    index: int
    name: str
    expected: str
    outcome: str
    passed: bool
    message: str


def tender_for_test(test: RuleTest) -> dict[str, Any]:
    return {**TEST_DEFAULTS, **test.tender}


def _outcome(decision: Decision) -> str:
    if decision.truth is True:
        return "not_applicable" if decision.overridden_by else "applies"
    return "not_applicable" if decision.truth is False else "undetermined"


def run_rule_test(catalogue: Catalogue, criterion_id: str, index: int, test: RuleTest) -> RuleTestResult:
    compiled = catalogue.criteria[criterion_id]
    try:
        decisions = decide(parse_tender(tender_for_test(test)), catalogue, test.on or DEFAULT_TEST_DATE)
    except InputError as exc:
        return RuleTestResult(
            criterion_id, compiled.file, index, test.name, test.expect, "error", False, str(exc).replace("\n", "; ")
        )
    outcome = "not_in_force"
    reasons: list[Reason] = []
    missing: list[str] = []
    for decision in decisions:
        if decision.id == criterion_id:
            outcome = _outcome(decision)
            reasons = decision.reasons
            missing = decision.missing
    problems = []
    if outcome != test.expect:
        detail = "; ".join(describe(r) for r in reasons) or "not in force on that date"
        if outcome == "not_applicable" and not reasons:
            detail = "overridden"
        problems.append(f"expected {test.expect}, got {outcome} ({detail})")
    fields = {r.field for r in reasons}
    for field in test.reasons_include:
        if field not in fields:
            problems.append(f"reasons do not mention {field!r} (they mention {sorted(fields)})")
    for field in test.missing_include:
        if field not in missing:
            problems.append(f"{field!r} is not reported missing (missing: {missing})")
    return RuleTestResult(
        criterion_id, compiled.file, index, test.name, test.expect, outcome, not problems, "; ".join(problems)
    )


def run_rule_tests(catalogue: Catalogue, criterion_ids: list[str] | None = None) -> list[RuleTestResult]:
    results = []
    for cid in criterion_ids or list(catalogue.criteria):
        for index, test in enumerate(catalogue.criteria[cid].criterion.tests):
            results.append(run_rule_test(catalogue, cid, index, test))
    return results


@dataclass(frozen=True)
class CoverageRow:
    """Which outcomes and which branches of one criterion its own tests exercise."""

    criterion: str
    applies: bool
    not_applicable: bool
    branches: int
    untested_branches: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.applies and self.not_applicable


def coverage(catalogue: Catalogue, results: list[RuleTestResult] | None = None) -> list[CoverageRow]:
    """Per criterion: a test where it applies, one where it does not, and every any/all branch decisive once.

    A child of ``any`` counts as exercised when some test makes it true, a child of ``all`` when some test makes
    it false: then that branch, and not another, decided the outcome at least once.
    """
    results = results if results is not None else run_rule_tests(catalogue)
    outcomes: dict[str, set[str]] = {}
    for r in results:
        if r.passed:
            outcomes.setdefault(r.criterion, set()).add(r.outcome)
    rows = []
    for cid, compiled in catalogue.criteria.items():
        crit = compiled.criterion
        branches = {}
        for node in walk(crit.applies_when):
            if isinstance(node, AllOf | AnyOf):
                for child in node.children:
                    branches[child.path] = (isinstance(node, AnyOf), compile_truth(child))
        exercised: set[str] = set()
        for test in crit.tests:
            try:
                ctx, _ = context_for(parse_tender(tender_for_test(test)), catalogue, test.on or DEFAULT_TEST_DATE)
            except InputError:
                continue
            for path, (under_any, truth) in branches.items():
                if truth(ctx) is under_any:
                    exercised.add(path)
        seen = outcomes.get(cid, set())
        rows.append(
            CoverageRow(
                cid,
                "applies" in seen,
                "not_applicable" in seen,
                len(branches),
                tuple(sorted(set(branches) - exercised)),
            )
        )
    return rows
