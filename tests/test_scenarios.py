"""Whole-tender scenarios across the city's purchasing (tests/scenarios/*.yaml) and catalogue-wide properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusief_inkopen import evaluate
from inclusief_inkopen.authoring.reference import catalogue_documents
from inclusief_inkopen.base.files import load_document
from inclusief_inkopen.rules.catalogue import Criterion
from inclusief_inkopen.rules.conditions import check_condition

from .conftest import ROOT
from .test_evaluate import profiles

SCENARIOS = [s for path in sorted((Path(__file__).parent / "scenarios").glob("*.yaml")) for s in load_document(path)]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(catalogue, scenario):
    advice = evaluate(scenario["tender"], catalogue, on=scenario["on"])
    got = set(advice.suggestion_ids())
    missing = set(scenario["includes"]) - got
    unexpected = set(scenario.get("excludes", [])) & got
    assert not missing, f"missing {sorted(missing)}; got {sorted(got)}"
    assert not unexpected, f"should not suggest {sorted(unexpected)}"
    assert not advice.undetermined, [u.id for u in advice.undetermined]  # every fact is given
    for field, value in scenario.get("eforms", {}).items():
        assert getattr(advice.eforms, field) == value, field
    for field, value in scenario.get("derived", {}).items():
        assert advice.derived[field].value == value, field


def test_the_scenarios_cover_every_theme(catalogue):
    suggested = set()
    for scenario in SCENARIOS:
        suggested |= set(scenario["includes"])
    themes = {catalogue.get(cid).theme for cid in suggested}
    assert themes == set(Criterion.model_fields["theme"].annotation.__args__)


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOT_EAA = st.lists(
    st.sampled_from(["45233140", "85311300", "79620000", "90910000", "79411000"]), min_size=1, max_size=3
)


@PROPS
@given(profiles, st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)), NOT_EAA)
def test_a_tender_nobody_uses_gets_n_inc(catalogue, data, on, cpv):
    advice = evaluate({**data, "end_users": [], "digital": [], "cpv": cpv}, catalogue, on=on)
    assert advice.eforms.accessibility == "n-inc"
    assert not [s.id for s in advice.suggestions if s.eforms and s.eforms.accessibility == "inc"]


def test_criterion_ids_are_unique_and_conditions_refer_only_to_known_things(catalogue):
    ids = [c.id for c in catalogue]
    assert len(ids) == len(set(ids))
    for c in catalogue:
        assert check_condition(c.applies_when, catalogue.parameters, catalogue.lists) == [], c.id


def test_the_generated_reference_is_current(catalogue):
    for name, text in catalogue_documents(catalogue).items():
        path = ROOT / "docs" / name
        assert path.exists() and path.read_text() == text, (
            f"docs/{name} is stale: run 'python -m inclusief_inkopen.authoring.reference'"
        )
