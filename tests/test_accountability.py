"""Rules a public body can answer for: freshness, conflicts, coverage, diff, changelog, and the properties
that tie decisions to their reasons."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusief_inkopen import CatalogueError, evaluate, load_catalogue, load_tender
from inclusief_inkopen.authoring.diff import diff_catalogues
from inclusief_inkopen.cli import main
from inclusief_inkopen.rules.conditions import Context, compile_condition, parse_condition
from inclusief_inkopen.rules.decide import context_for
from inclusief_inkopen.rules.freshness import check_freshness
from inclusief_inkopen.rules.loader import content_hash
from inclusief_inkopen.rules.ruletests import coverage
from inclusief_inkopen.tender.profile import parse_tender

from .conftest import EXAMPLES, ON, ROOT, tender
from .test_evaluate import profiles

PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_every_criterion_is_tested_both_ways(catalogue):
    rows = coverage(catalogue)
    incomplete = [r.criterion for r in rows if not r.complete]
    assert not incomplete, f"criteria without a test where they apply and one where they do not: {incomplete}"


def test_coverage_reports_branches_no_test_exercises(catalogue_copy):
    path = catalogue_copy / "themes/non-discrimination.yaml"
    # Drop the call-centre test of ND-01: its people_facing branch is then never decisive.
    _edit(
        path,
        "      - name: Een callcenter voor inwoners krijgt de clausule\n"
        "        tender: {nature: services, estimated_value_eur: 500000, people_facing: true}\n"
        "        expect: applies\n",
        "",
    )
    rows = {r.criterion: r for r in coverage(load_catalogue(catalogue_copy))}
    assert rows["ND-01"].untested_branches == ("/any/1",)
    assert rows["ND-01"].complete


def test_freshness_fails_on_a_review_older_than_its_newest_value(catalogue_copy):
    _edit(
        catalogue_copy / "parameters/eu-threshold/works.yaml", "last_reviewed: 2026-11-22", "last_reviewed: 2025-01-01"
    )
    findings = check_freshness(load_catalogue(catalogue_copy), ON, today=dt.date(2026, 11, 22))
    errors = [f for f in findings if f.level == "error"]
    assert len(errors) == 1 and "holds a value from 2026-01-01" in errors[0].message
    assert errors[0].file.endswith("parameters/eu-threshold/works.yaml")


def test_freshness_warns_after_twelve_months_and_reports_what_changes_soon(catalogue):
    later = check_freshness(catalogue, ON, today=dt.date(2028, 1, 1))
    assert any(f.level == "warning" and "more than twelve months" in f.message for f in later)
    assert not [f for f in check_freshness(catalogue, ON, today=dt.date(2026, 11, 22)) if f.level != "notice"]
    soon = check_freshness(catalogue, dt.date(2025, 12, 15), today=dt.date(2026, 11, 22))
    assert any(
        "supplies-services-sub-central" in f.file and "changes to 216000 on 2026-01-01" in f.message for f in soon
    )


def test_validate_exits_non_zero_on_stale_reviews(catalogue_copy, capsys):
    _edit(
        catalogue_copy / "parameters/eu-threshold/works.yaml", "last_reviewed: 2026-11-22", "last_reviewed: 2025-01-01"
    )
    assert main(["validate", str(catalogue_copy)]) == 1
    assert "freshness errors" in capsys.readouterr().out


def test_two_criteria_setting_different_single_values_without_overrides_is_a_load_error(catalogue_copy):
    _edit(catalogue_copy / "themes/digital-accessibility.yaml", "    overrides: [TOEG-NINC-01]\n", "")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue_copy)
    assert "TOEG-DIG-01.eforms.accessibility: conflicts with TOEG-NINC-01" in str(info.value)


def test_an_override_is_named_in_the_advice(catalogue):
    advice = evaluate(tender(digital=["website"], end_users=[]), catalogue, on=ON)
    ninc = next(n for n in advice.not_applicable if n.id == "TOEG-NINC-01")
    assert ninc.overridden_by == "TOEG-DIG-01"
    assert advice.eforms.accessibility == "inc"


def test_the_diff_names_changed_criteria_parameters_and_advice(catalogue_copy, catalogue, capsys):
    _edit(
        catalogue_copy / "parameters/eu-threshold/supplies-services-sub-central.yaml",
        "2026-01-01: {value: 216000",
        "2026-01-01: {value: 700000",
    )
    _edit(catalogue_copy / "themes/non-discrimination.yaml", "status: recommended", "status: policy")
    new = load_catalogue(catalogue_copy, run_tests=False)
    d = diff_catalogues(catalogue, new, sorted(EXAMPLES.glob("*.yaml")))
    assert d.parameters == {"eu-threshold/supplies-services-sub-central": {"2026-01-01": (216000, 700000)}}
    assert d.changed["ND-01"] == {"status": ("recommended", "policy")}
    website = next(t for t in d.tenders if t.tender.endswith("website-bewoners.yaml"))
    assert "SR-01" in website.removed and "ONTW-ALG-01" in website.removed
    staffing = next(t for t in d.tenders if t.tender.endswith("uitzendkrachten.yaml"))
    assert staffing.status["ND-01"] == ("recommended", "policy")
    assert main(["diff", str(ROOT / "criteria"), str(catalogue_copy), "--tenders", str(EXAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "eu-threshold/supplies-services-sub-central from 2026-01-01: 216000 -> 700000" in out
    assert "suggestions gone: " in out


def test_the_catalogue_version_and_changelog_follow_every_change(catalogue):
    changelog = (ROOT / "criteria" / "CHANGELOG.md").read_text()
    entries = re.findall(r"^## (\S+) — sha256 ([0-9a-f]{64})$", changelog, re.M)
    assert entries, "criteria/CHANGELOG.md has no entries"
    versions = [v for v, _ in entries]
    assert len(set(versions)) == len(versions), "a version appears twice in the changelog"
    top_version, top_hash = entries[0]
    assert top_version == catalogue.info.version, "catalogue.yaml version differs from the newest changelog entry"
    assert top_hash == content_hash(ROOT / "criteria"), (
        "criteria/ changed since the last changelog entry: bump the version in criteria/catalogue.yaml, add an "
        "entry naming the criteria and periods affected, with the hash that 'inclusief-inkopen validate' prints"
    )


# ------------------------------------------------------------------------------------------------ properties


def _thresholds(catalogue):
    """Every numeric parameter that a criterion compares a value against, with each of its dated values."""
    out = []
    for name, param in catalogue.parameters.items():
        readers = {cid for cid, c in catalogue.criteria.items() if name in c.parameters}
        if readers and param.is_numeric:
            out += [(name, day, entry.value, readers) for day, entry in param.values.items() if entry.value]
    return out


def test_around_each_threshold_value_only_the_criteria_that_read_it_flip(catalogue):
    cases = _thresholds(catalogue)
    assert cases
    for name, day, value, readers in cases:
        on = max(day, dt.date(2024, 1, 1))
        base = tender(nature="supplies", cpv=["30213100"])
        results = []
        for v in (value - 1, value, value + 1):
            advice = evaluate({**base, "estimated_value_eur": v}, catalogue, on=on)
            results.append(set(advice.suggestion_ids()))
        flipped = (results[0] ^ results[1]) | (results[1] ^ results[2])
        # Only criteria that read this parameter or the derived threshold facts may change.
        derived_readers = {
            cid for cid, c in catalogue.criteria.items() if c.reads & {"above_eu_threshold", "eu_threshold_eur"}
        }
        assert flipped <= readers | derived_readers, (name, day, flipped)
        assert results[0] != results[1] or results[1] == results[2]
        assert readers & (results[1] - results[0]) or not (readers & results[2]), (name, day)


def test_moving_the_date_across_a_parameter_start_changes_only_its_readers(catalogue):
    base = tender(
        nature="services", estimated_value_eur=218000, cpv=["79000000"], end_users=["residents"], digital=["software"]
    )
    for name, param in catalogue.parameters.items():
        for day in list(param.values)[1:]:
            before = evaluate(base, catalogue, on=day - dt.timedelta(days=1))
            after = evaluate(base, catalogue, on=day)
            changed = set(before.suggestion_ids()) ^ set(after.suggestion_ids())
            starting = {n for n, p in catalogue.parameters.items() if day in p.values}
            allowed = {
                cid
                for cid, c in catalogue.criteria.items()
                if c.parameters & starting or c.reads & {"above_eu_threshold", "eu_threshold_eur"}
            }
            assert changed <= allowed, (name, day, changed)


@PROPS
@given(profiles, st.sampled_from(["SR-01", "SR-02", "ND-01", "TOEG-DIG-01", "TOEG-DIG-04", "ONTW-ALG-01"]))
def test_withdrawing_a_criterion_in_a_layer_never_adds_a_suggestion(catalogue, tmp_path_factory, data, withdrawn):
    layer = tmp_path_factory.mktemp("layer")
    (layer / "layer.yaml").write_text(
        "name: test\nversion: '1'\nformat: inclusief-inkopen/v1\nbase: amsterdam-basis\n"
        f"title: {{nl: Test, en: Test}}\nwithdraw: [{withdrawn}]\n"
    )
    layered = load_catalogue(layers=[layer], run_tests=False)
    before = set(evaluate(data, catalogue, on=ON).suggestion_ids())
    after = set(evaluate(data, layered, on=ON).suggestion_ids())
    assert after <= before | _overridden_by(catalogue, withdrawn)
    assert withdrawn not in after


def _overridden_by(catalogue, cid):
    """Withdrawing a criterion may bring back one it overrode, and nothing else."""
    return set(catalogue.get(cid).overrides)


@PROPS
@given(profiles, st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))
def test_each_recorded_reason_re_evaluated_alone_gives_its_recorded_truth(catalogue, data, on):
    advice = evaluate(data, catalogue, on=on)
    ctx, _ = context_for(parse_tender(data), catalogue, on)
    items = [*advice.suggestions, *advice.not_applicable, *advice.undetermined]
    for item in items:
        for reason in item.reasons:
            raw = {"field": reason.field, reason.op: _operand(reason)}
            truth, _ = compile_condition(parse_condition(raw))(Context(ctx.facts, ctx.params, ctx.lists))
            assert truth is reason.holds, (item.id, reason)


def _operand(reason):
    if reason.parameter is not None:
        return {"param": reason.parameter.name}
    if isinstance(reason.expected, dict) and "list" in reason.expected:
        return reason.expected
    return reason.expected


def test_every_not_applicable_criterion_explains_itself_in_both_languages(catalogue):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        advice = evaluate(load_tender(path), catalogue)
        for item in advice.not_applicable:
            assert item.reasons or item.overridden_by
            for r in item.reasons:
                assert r.text.nl.strip() and r.text.en.strip()
