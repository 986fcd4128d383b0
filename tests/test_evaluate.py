"""evaluate(): the advice, its JSON contract, dated parameters and the example tenders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusief_inkopen import Advice, EvaluationError, evaluate, load_catalogue, load_tender
from inclusief_inkopen.advice import json_out, words
from inclusief_inkopen.advice.model import AdviceDocument
from inclusief_inkopen.base.errors import NotInForce
from inclusief_inkopen.rules.conditions import Not, Predicate, walk
from inclusief_inkopen.rules.decide import decide
from inclusief_inkopen.tender.profile import TenderProfile

from .conftest import EXAMPLES, ON, tender


def ids(advice: Advice) -> list[str]:
    return advice.suggestion_ids()


def test_a_public_website_below_the_threshold_gets_the_mandatory_wcag_requirement(catalogue):
    advice = evaluate(tender(estimated_value_eur=90000, digital=["website"], end_users=["residents"]), catalogue, on=ON)
    assert "TOEG-DIG-01" in ids(advice)
    assert advice.eforms.accessibility == "inc"
    assert advice.derived["above_eu_threshold"].value is False


def test_social_return_reasons_name_the_threshold_with_its_date_and_source(catalogue):
    advice = evaluate(tender(estimated_value_eur=450000, cpv=["90910000"]), catalogue, on=ON)
    sr = next(s for s in advice.suggestions if s.id == "SR-01")
    assert sr.reasons[0].text.nl == (
        "geraamde waarde € 450.000 ≥ Europese drempel leveringen en diensten € 216.000 (geldig vanaf 1 januari 2026)"
    )
    assert sr.reasons[0].text.en.startswith("estimated value €450,000 ≥ EU threshold")
    assert sr.reasons[0].parameter.source == "eu-2025-2152"
    assert advice.derived["above_eu_threshold"].text.nl == (
        "boven de Europese drempel: ja (geraamde waarde € 450.000 ≥ Europese drempel leveringen en diensten "
        "€ 216.000 (geldig vanaf 1 januari 2026))"
    )
    assert "5 %" in sr.text.nl and "5%" in sr.text.en


def test_the_threshold_in_force_depends_on_the_date(catalogue):
    t = tender(estimated_value_eur=218000, cpv=["90910000"])
    assert "SR-01" not in ids(evaluate(t, catalogue, on=dt.date(2025, 12, 31)))  # 221,000 then
    assert "SR-01" in ids(evaluate(t, catalogue, on=dt.date(2026, 1, 1)))  # 216,000 from 2026
    assert evaluate(t, catalogue, on=dt.date(2025, 12, 31)).derived["eu_threshold_eur"].value == 221000


def test_a_date_before_every_parameter_value_is_a_clear_error(catalogue):
    with pytest.raises(NotInForce, match=r"eu-threshold/.*no value in force on 2019-01-01"):
        evaluate(tender(), catalogue, on=dt.date(2019, 1, 1))
    assert issubclass(NotInForce, EvaluationError)


def test_annex_xiv_services_get_their_own_threshold(catalogue):
    youth_care = tender(estimated_value_eur=500000, cpv=["85311300"], end_users=["residents"])
    advice = evaluate(youth_care, catalogue, on=ON)
    assert advice.derived["annex_xiv_service"].value is True
    assert advice.derived["eu_threshold_eur"].value == 750000
    assert advice.derived["above_eu_threshold"].value is False


def test_services_without_cpv_codes_are_above_the_threshold_only_when_both_thresholds_agree(catalogue):
    unknown = evaluate(tender(estimated_value_eur=400000, cpv=None), catalogue, on=ON)
    assert unknown.derived["above_eu_threshold"].value is None
    assert any(q.field == "cpv" for q in unknown.questions) or not unknown.undetermined
    sure = evaluate(tender(estimated_value_eur=800000, cpv=None), catalogue, on=ON)
    assert sure.derived["above_eu_threshold"].value is True


def test_unknown_end_users_give_undetermined_items_and_a_question_not_silence(catalogue):
    advice = evaluate(load_tender(EXAMPLES / "callcenter-onvolledig.yaml"), catalogue, on=ON)
    undetermined = {u.id for u in advice.undetermined}
    assert {"ONTW-ALG-01", "TOEG-NINC-01", "ND-01"} <= undetermined
    fields = {q.field for q in advice.questions}
    assert {"end_users", "people_facing", "staffing"} <= fields
    question = next(q for q in advice.questions if q.field == "end_users")
    assert question.text.nl == "Wie gebruikt het resultaat: inwoners, medewerkers, ondernemers (of niemand direct)?"
    assert advice.eforms.accessibility is None  # not silently "n-inc"


def test_nobody_uses_it_gives_n_inc(catalogue):
    advice = evaluate(load_tender(EXAMPLES / "bodemonderzoek.yaml"), catalogue)
    assert advice.eforms.accessibility == "n-inc"
    assert advice.eforms.basis["accessibility"] == ["TOEG-NINC-01"]


def test_suggestions_are_ordered_mandatory_policy_recommended(catalogue):
    advice = evaluate(load_tender(EXAMPLES / "website-bewoners.yaml"), catalogue)
    order = {"mandatory": 0, "policy": 1, "recommended": 2}
    ranks = [order[s.status] for s in advice.suggestions]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


@pytest.mark.parametrize(
    ("example", "includes", "excludes", "accessibility"),
    [
        ("website-bewoners", {"TOEG-DIG-01", "ONTW-ALG-01", "SR-01", "TOEG-DIG-04"}, {"TOEG-NINC-01", "ND-01"}, "inc"),
        ("uitzendkrachten", {"ND-01", "ND-02", "SR-01"}, {"TOEG-DIG-01"}, "inc"),
        ("wegreconstructie", {"SR-01", "TOEG-FYS-01", "TOEG-FYS-03"}, {"TOEG-DIG-01", "ONTW-ALG-01", "ND-01"}, "inc"),
        ("laptops", {"TOEG-DIG-01", "TOEG-EAA-01", "ONTW-ALG-01", "ISV-01", "PERC-01"}, {"SR-02", "ND-01"}, "inc"),
        ("jeugdhulp", {"ONTW-ALG-01", "ND-01", "SR-01", "COMM-01", "RES-02"}, {"TOEG-DIG-01", "PERC-01"}, "inc"),
        ("bodemonderzoek", {"TOEG-NINC-01", "SR-01"}, {"ONTW-ALG-01", "TOEG-DIG-01"}, "n-inc"),
    ],
)
def test_the_example_tenders_get_sensible_advice(catalogue, example, includes, excludes, accessibility):
    advice = evaluate(load_tender(EXAMPLES / f"{example}.yaml"), catalogue)
    got = set(ids(advice))
    assert includes <= got, includes - got
    assert not (excludes & got), excludes & got
    assert advice.eforms.accessibility == accessibility


def test_the_json_contract_has_the_documented_shape(catalogue):
    advice = evaluate(load_tender(EXAMPLES / "website-bewoners.yaml"), catalogue)
    data = json.loads(advice.to_json())
    assert set(data) == {
        "format",
        "engine",
        "catalogue",
        "on",
        "tender",
        "derived",
        "suggestions",
        "not_applicable",
        "undetermined",
        "questions",
        "eforms",
    }
    assert data["format"] == "inclusief-inkopen/advice/v1"
    assert set(data["catalogue"]) == {"name", "version", "sha256", "layers"} and len(data["catalogue"]["sha256"]) == 64
    assert {"above_eu_threshold", "eu_threshold_eur"} <= set(data["derived"])
    s = data["suggestions"][0]
    assert {
        "id",
        "theme",
        "kind",
        "status",
        "ambition",
        "title",
        "text",
        "legal_basis",
        "verification",
        "reasons",
        "roles",
        "phase",
    } <= set(s)
    assert set(s["title"]) == {"nl", "en"} and s["legal_basis"][0]["url"].startswith("https://")
    assert set(data["eforms"]) >= {
        "accessibility",
        "strategic_procurement",
        "social_objectives",
        "reserved_participation",
    }
    assert AdviceDocument.model_validate_json(advice.to_json()) == advice.document


def test_the_tender_may_be_a_dict_or_a_profile_and_gives_the_same_advice(catalogue):
    t = tender(estimated_value_eur=300000, digital=["app"], end_users=["residents"])
    assert evaluate(t, catalogue, on=ON).to_json() == evaluate(TenderProfile(**t), catalogue, on=ON).to_json()


# ---------------------------------------------------------------------------------------------- properties

ENUMS = TenderProfile.model_fields
profiles = st.fixed_dictionaries(
    {
        "title": st.text(min_size=1, max_size=30).filter(lambda s: s.strip()),
        "nature": st.sampled_from(["works", "supplies", "services"]),
        "estimated_value_eur": st.one_of(st.integers(0, 10_000_000), st.floats(0, 1e8, allow_nan=False)),
    },
    optional={
        "cpv": st.lists(
            st.sampled_from(["72413000", "45233140", "85311300", "30213100", "79620000", "90910000"]), max_size=3
        ),
        "authority": st.sampled_from(["sub-central", "central"]),
        "end_users": st.lists(st.sampled_from(["residents", "staff", "businesses"]), max_size=3),
        "digital": st.lists(
            st.sampled_from(
                ["website", "app", "software", "documents", "hardware", "self-service-terminal", "telecom"]
            ),
            max_size=4,
        ),
        "physical": st.lists(
            st.sampled_from(["building", "public-space", "furniture", "vehicles", "events"]), max_size=3
        ),
        "people_facing": st.booleans(),
        "staffing": st.booleans(),
        "duration_months": st.integers(1, 120),
        "labour_share": st.floats(0, 1),
    },
)
dates = st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(profiles, dates)
def test_evaluation_never_fails_on_a_valid_profile_and_sorts_every_criterion_once(catalogue, data, on):
    advice = evaluate(data, catalogue, on=on)
    seen = ids(advice) + [n.id for n in advice.not_applicable] + [u.id for u in advice.undetermined]
    in_force = [c.id for c in catalogue if c.in_force(on)]
    assert sorted(seen) == sorted(in_force)


@FAST
@given(profiles, dates)
def test_evaluation_is_deterministic(catalogue, data, on):
    assert evaluate(data, catalogue, on=on).to_json() == evaluate(dict(data), catalogue, on=on).to_json()


@FAST
@given(profiles, dates, st.integers(1, 20_000_000))
def test_raising_the_value_never_removes_a_threshold_triggered_suggestion(catalogue, data, on, extra):
    monotone = {cid for cid, c in catalogue.criteria.items() if threshold_triggered(c.criterion.applies_when)}
    assert {"SR-01", "ONTW-ALG-01"} <= monotone
    low = evaluate(data, catalogue, on=on)
    high = evaluate({**data, "estimated_value_eur": data["estimated_value_eur"] + extra}, catalogue, on=on)
    assert (set(ids(low)) & monotone) <= set(ids(high))


def threshold_triggered(node, negated=False) -> bool:
    """A rule that reads the value only as "at least": never under a not, never as an upper bound."""
    if isinstance(node, Predicate):
        if node.field in ("estimated_value_eur", "above_eu_threshold"):
            upward = node.op in ("gte", "gt") or (node.op == "is_true" and node.operand is True)
            return upward and not negated
        return True
    if isinstance(node, Not):
        return threshold_triggered(node.child, not negated)
    return all(threshold_triggered(c, negated) for c in node.children) and any(
        node.field in ("estimated_value_eur", "above_eu_threshold")
        for node in walk(node)
        if isinstance(node, Predicate)
    )


@FAST
@given(profiles, dates)
def test_used_by_people_above_the_threshold_always_means_accessibility_included(catalogue, data, on):
    data = {**data, "end_users": ["residents"], "estimated_value_eur": 6_000_000}
    advice = evaluate(data, catalogue, on=on)
    assert advice.eforms.accessibility == "inc"
    assert any(s.eforms and s.eforms.accessibility == "inc" and s.kind == "requirement" for s in advice.suggestions)


@FAST
@given(profiles, dates)
def test_every_mandatory_suggestion_names_a_legal_basis(catalogue, data, on):
    for s in evaluate(data, catalogue, on=on).suggestions:
        if s.status == "mandatory":
            assert any(b.kind in ("law", "eu-law") for b in s.legal_basis)


def _fresh(catalogue):
    """The same catalogue with nothing remembered from earlier evaluations."""
    return dataclasses.replace(catalogue, plans={}, wording={}, json_pieces=None)


# ------------------------------------------------------------------ the JSON writer (advice.json_out)

LEFT_OUT = ["end_users", "digital", "physical", "people_facing", "staffing", "cpv", "duration_months", "labour_share"]
partial_profiles = st.tuples(profiles, st.sets(st.sampled_from(LEFT_OUT))).map(
    lambda pair: {k: v for k, v in pair[0].items() if k not in pair[1]}
)
layouts = st.tuples(st.sampled_from([("nl", "en"), ("nl",), ("en",)]), st.sampled_from([2, None, 0, 4]))


def _by_the_models(catalogue, data, on, langs, indent) -> str:
    """The advice's JSON as pydantic writes it from the models (``words.document``), which the writer must match."""
    return words.document(decide(TenderProfile.model_validate(data), catalogue, on), langs).model_dump_json(
        indent=indent
    )


def _written(catalogue, data, on, langs, indent) -> str:
    return json_out.advice_json(decide(TenderProfile.model_validate(data), catalogue, on), langs, indent)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(partial_profiles, min_size=1, max_size=8), dates, layouts)
def test_the_json_writer_gives_the_bytes_of_the_models_in_every_language_and_layout(catalogue, tenders, on, layout):
    # Each tender four times over: the first time an item is made of pieces, the second it is kept whole, the
    # third its run of criteria is kept whole (its items are), the fourth the run is used as it was kept.
    langs, indent = layout
    shared = _fresh(catalogue)
    expected = [_by_the_models(catalogue, data, on, langs, indent) for data in tenders]
    for data, text in zip(tenders * 4, expected * 4, strict=True):
        assert _written(shared, data, on, langs, indent) == text
        decided = decide(TenderProfile.model_validate(data), shared, on)
        assert json_out.advice_json_bytes(decided, langs, indent) == text.encode()


def test_the_json_writer_gives_the_same_bytes_when_what_it_keeps_is_dropped_midway(catalogue):
    # A limit of a few kilobytes: everything kept is dropped again and again, within one advice too.
    tight = dataclasses.replace(catalogue, plans={}, wording={}, json_pieces=json_out.Kept(limit=20_000))
    tenders = [
        tender(estimated_value_eur=value, digital=digital, end_users=users, duration_months=months)
        for value in (90_000, 250_000.5, 6_000_000)
        for digital in ([], ["website"], ["app", "documents"])
        for users in ([], ["residents"])
        for months in (12, 48)
    ]
    for data in tenders + tenders:
        assert _written(tight, data, ON, ("nl", "en"), 2) == _by_the_models(catalogue, data, ON, ("nl", "en"), 2)
    assert tight.json_pieces.used <= 20_000 + 50_000  # the last piece may be one advice's worth of items


def test_renderings_kept_by_the_words_are_bounded_by_memory_and_dropping_them_changes_no_answer(catalogue, monkeypatch):
    monkeypatch.setattr(words, "KEEP_BYTES", 40_000)  # a few dozen renderings: dropped again and again
    tight = _fresh(catalogue)
    tenders = [tender(estimated_value_eur=70_000 * i, digital=["website"], end_users=["residents"]) for i in range(12)]
    for data in tenders:
        assert evaluate(data, tight, on=ON).document == evaluate(data, _fresh(catalogue), on=ON).document
        assert tight.wording[words._USED] <= 40_000
        kept = [v for k, v in tight.wording.items() if k is not words._USED and k is not words._UNMEASURED]
        assert sum(map(words._size, kept)) <= 40_000 + 20_000  # those not measured yet pass the bound by a few
    assert len(tight.wording) < 100  # unbounded, these tenders keep 181


def test_a_number_shown_in_many_tenders_is_kept_once_as_a_template_not_once_per_tender(catalogue):
    shared = _fresh(catalogue)
    for value in range(300_000, 300_000 + 40 * 1_000, 1_000):
        _written(shared, tender(estimated_value_eur=float(value)), ON, ("nl", "en"), 2)
    templates = [piece for piece in _kept_items(shared) if isinstance(piece, json_out._Template)]
    assert templates  # the items that show the value (social return) are templates
    text = _written(shared, tender(estimated_value_eur=123_456.78), ON, ("nl", "en"), 2)
    assert "€ 123.456,78" in text and "€123,456.78" in text and '"actual": 123456.78' in text


def test_a_run_of_criteria_kept_whole_is_used_for_the_next_tender_like_it_with_its_own_numbers(catalogue, monkeypatch):
    made = []
    original = json_out._Writer.run
    monkeypatch.setattr(json_out._Writer, "run", lambda self, *args: made.append(args[1]) or original(self, *args))
    shared = _fresh(catalogue)
    facts = {"digital": ["website"], "end_users": ["residents"], "duration_months": 36}
    for _ in range(3):  # the items kept whole by the second time, their runs by the third
        _written(shared, tender(estimated_value_eur=400_000.0, **facts), ON, ("nl", "en"), 2)
    heads = [head for head in shared.json_pieces.criteria if head[0] == "runs"]
    runs = [entry for head in heads for entry in _entries(shared.json_pieces.criteria[head])]
    assert any(isinstance(entry, tuple) for entry in runs)  # runs where nothing applies, as their items
    assert any(isinstance(entry, json_out._Run) and entry.suggestions for entry in runs)  # runs with suggestions
    assert any(isinstance(entry, json_out._Run) and entry.templates for entry in runs)  # items showing the value
    assert made  # runs made one criterion at a time until they were kept
    made.clear()
    data = tender(estimated_value_eur=512_345.5, **facts)  # the same facts and verdicts, another number
    text = _written(shared, data, ON, ("nl", "en"), 2)
    assert made == []  # every run as it was kept
    assert text == _by_the_models(catalogue, data, ON, ("nl", "en"), 2)
    assert "€ 512.345,5" in text and "€512,345.5" in text and '"actual": 512345.5' in text


def test_a_fact_the_decisions_lack_is_written_in_the_same_bytes_and_kept_as_unknown(catalogue):
    # The writer numbers the values of the facts the conditions read; every fact is derived for every tender
    # today, but one the decisions lack must still give the models' bytes, the first time and once kept.
    shared = _fresh(catalogue)
    data = tender(people_facing=True, digital=["website"])
    for _ in range(4):
        d = decide(TenderProfile.model_validate(data), shared, ON)
        del d.facts["people_facing"]
        assert json_out.advice_json(d, ("nl", "en"), 2) == words.document(d, ("nl", "en")).model_dump_json(indent=2)
    slots = [slot for table in shared.json_pieces.criteria.values() for slots in table for slot in slots.values()]
    assert any(slot[2] for slot in slots if "people_facing" in slot[0])  # kept for the fact's absence


def test_a_value_that_does_not_hash_numbers_nothing(catalogue):
    writer = json_out._Writer(decide(TenderProfile.model_validate(tender()), _fresh(catalogue), ON), ("nl",), 2)
    slot = writer.kept.slot(("end_users", "digital"))
    assert writer.number(slot) >= 0
    writer.fact_numbers["end_users"] = (set, {"residents"})  # what the writer holds for a value without a hash
    assert writer.number(slot) == -1


def test_numbers_as_shown_are_kept_by_class_and_value_and_dropped_whole_when_full(monkeypatch):
    template = json_out._Template('{"nl": "\ue0000\ue001", "actual": "\ue0000\ue001"}', ["lots"])
    monkeypatch.setattr(json_out, "_SHOWN", {})
    monkeypatch.setattr(json_out, "_SHOWN_MAX", 3)
    assert "".join(template.fill({"lots": 2}, {})) == '{"nl": "2", "actual": 2}'
    assert "".join(template.fill({"lots": 2.5}, {})) == '{"nl": "2,5", "actual": 2.5}'
    assert "".join(template.fill({"lots": 2.0}, {})) == '{"nl": "2", "actual": 2.0}'  # not the int's JSON
    assert len(json_out._SHOWN) == 3  # six numbers as shown, at most three kept: dropped whole when full
    assert "".join(template.fill({"lots": 1200}, {})) == '{"nl": "1.200", "actual": 1200}'
    assert sorted(key[:3] for key in json_out._SHOWN) == [(("lots", "json"), int, 1200), (("lots", "nl"), int, 1200)]


def _entries(table):
    for slot in (slot for slots in table for slot in slots.values()):
        yield from slot[2].values()  # (facts, their set's number, what is kept by their values, the picker)


def _kept_items(catalogue):
    for table in catalogue.json_pieces.criteria.values():
        yield from _entries(table)


def test_catalogue_text_that_looks_like_the_writers_marker_does_not_confuse_it(catalogue_copy):
    # The writer finds numbers in a template by a private-use marker; a criterion whose own words contain one
    # must still give the bytes the models give (the template is checked and, failing, not used).
    path = catalogue_copy / "themes" / "social-return.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title:\n" in text or "title:" in text
    marked = text.replace("Social return van ten minste", "Social return \ue0000\ue001 van ten minste", 1)
    assert marked != text
    path.write_text(marked, encoding="utf-8")
    odd = load_catalogue(catalogue_copy)
    for value in (300_000.0, 300_000.0, 410_000.0):
        data = tender(estimated_value_eur=value)
        assert _written(odd, data, ON, ("nl", "en"), 2) == _by_the_models(odd, data, ON, ("nl", "en"), 2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(profiles, min_size=2, max_size=12), dates)
def test_advice_does_not_depend_on_what_was_evaluated_before(catalogue, tenders, on):
    shared = _fresh(catalogue)
    in_order = [evaluate(t, shared, on=on).to_json() for t in tenders]
    reversed_order = [evaluate(t, _fresh(catalogue), on=on).to_json() for t in reversed(tenders)][::-1]
    assert in_order == reversed_order


@pytest.mark.parametrize("first, then", [(500_000, 500_000.0), (500_000.0, 500_000)])
def test_a_value_is_shown_as_given_whatever_was_evaluated_before(catalogue, first, then):
    # 500000 == 500000.0 in Python; remembered outcomes once mixed them up, so the JSON depended on history.
    shared = _fresh(catalogue)
    evaluate(tender(estimated_value_eur=first), shared, on=ON)
    after = evaluate(tender(estimated_value_eur=then), shared, on=ON)
    assert after.to_json() == evaluate(tender(estimated_value_eur=then), _fresh(catalogue), on=ON).to_json()
    sr = next(s for s in after.suggestions if s.id == "SR-01")
    assert type(sr.reasons[0].actual) is type(then)


def test_plans_kept_per_date_never_change_an_answer_however_many_dates_are_asked(catalogue):
    # A catalogue keeps one plan per date asked for, and drops them all past a limit. Advice on 200 dates, each
    # after the others, must be what a catalogue that never saw another date gives.
    shared = _fresh(catalogue)
    days = [ON + dt.timedelta(days=3 * i) for i in range(200)]
    t = tender(estimated_value_eur=250_000, digital=["website"], end_users=["residents"])
    advice = [evaluate(t, shared, on=day).to_json() for day in days]
    assert len(shared.plans) <= 2 * 64
    for i in (0, 63, 64, 127, 128, 199):
        assert advice[i] == evaluate(t, _fresh(catalogue), on=days[i]).to_json()


def test_an_accessibility_criterion_still_open_leaves_the_notice_code_open_too(catalogue):
    # Nobody uses the result, so "no accessibility criteria" applies; but the digital deliverables are
    # not given, so TOEG-DIG-01 (which would make it "inc") is still open. The code must wait for the answer.
    advice = evaluate({k: v for k, v in tender(end_users=[]).items() if k != "digital"}, catalogue, on=ON)
    assert "TOEG-NINC-01" in ids(advice)
    assert "TOEG-DIG-01" in [u.id for u in advice.undetermined]
    assert advice.eforms.accessibility is None
    settled = evaluate(tender(end_users=[]), catalogue, on=ON)
    assert settled.eforms.accessibility == catalogue.get("TOEG-NINC-01").eforms.accessibility == "n-inc"


def test_every_derived_fact_is_explained_in_words(catalogue):
    advice = evaluate(tender(estimated_value_eur=100000, cpv=["85311300"], end_users=["residents"]), catalogue, on=ON)
    texts = {name: (d.text.nl, d.text.en) for name, d in advice.derived.items()}
    assert texts["annex_xiv_service"] == (
        "sociale of andere specifieke dienst (bijlage XIV; speciale sectoren: bijlage XVII; concessies: bijlage IV; "
        "defensie: bijlage II van Richtlijn 2009/81/EG): ja",
        "social or other specific service (Annex XIV; utilities: Annex XVII; concessions: Annex IV; defence: Annex II "
        "of Directive 2009/81/EC): yes",
    )
    assert texts["for_natural_persons"] == (
        "bestemd voor gebruik door natuurlijke personen: ja",
        "intended for use by natural persons: yes",
    )
    assert texts["eu_threshold_eur"][0] == (
        "Europese drempel: € 750.000 (Europese drempel sociale en andere specifieke diensten € 750.000, "
        "geldig vanaf 1 januari 2026)"
    )
    assert texts["eu_threshold_kind"][1] == "kind of EU threshold: social and other specific services"


def _texts(node, found):
    """Every {nl, en} text object in a JSON document."""
    if isinstance(node, dict):
        if set(node) <= {"nl", "en"} and node and all(isinstance(v, str) for v in node.values()):
            found.append(node)
        else:
            for value in node.values():
                _texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _texts(value, found)
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_advice_in_one_language_is_the_same_advice_with_only_that_language(catalogue, lang):
    t = tender(estimated_value_eur=450_000, digital=["website"], end_users=["residents"], staffing=True)
    advice = evaluate(t, catalogue, on=ON)
    both, one = json.loads(advice.to_json()), json.loads(advice.to_json(lang=lang))
    assert len(advice.to_json(lang=lang)) < 0.85 * len(advice.to_json())
    texts_both, texts_one = _texts(both, []), _texts(one, [])
    assert len(texts_both) == len(texts_one) > 50
    assert all(set(t) == {"nl", "en"} for t in texts_both)
    assert all(set(t) == {lang} for t in texts_one)
    assert [t[lang] for t in texts_both] == [t[lang] for t in texts_one]

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not (isinstance(v, dict) and v in texts_any)}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    texts_any = texts_both + texts_one
    assert strip(both) == strip(one)  # nothing but the texts differs


def test_evaluating_decides_and_words_come_when_read(catalogue, monkeypatch):
    from inclusief_inkopen.advice import words

    made = []
    monkeypatch.setattr(words, "document", lambda d, langs=("nl", "en"): made.append(langs) or "document")
    advice = evaluate(tender(digital=["website"], end_users=["residents"]), catalogue, on=ON)
    assert "TOEG-DIG-01" in advice.suggestion_ids() and made == []
    assert advice.document == "document" and made == [("nl", "en")]


def test_an_advice_travels_between_processes_as_its_words(catalogue, monkeypatch):
    import pickle

    from inclusief_inkopen.advice import batch

    monkeypatch.setattr(batch, "MIN_PER_WORKER", 0)  # spread even this small batch over processes

    from inclusief_inkopen import evaluate_many

    tenders = [tender(estimated_value_eur=100_000 * i, digital=["app"], end_users=["staff"]) for i in range(1, 9)]
    here = [evaluate(t, catalogue, on=ON) for t in tenders]
    back = pickle.loads(pickle.dumps(here[0]))
    assert back.decisions is None and back.to_json() == here[0].to_json()
    assert back.suggestion_ids() == here[0].suggestion_ids() and back == here[0]
    spread = list(evaluate_many(tenders, catalogue, on=ON, workers=2, chunk_size=3))
    assert [a.to_json() for a in spread] == [a.to_json() for a in here]


def test_advice_as_json_from_worker_processes_is_the_text_one_process_writes(catalogue, monkeypatch):
    # Workers send UTF-8 back (written from UTF-8 pieces); what the batch yields is the same text, in order.
    from inclusief_inkopen import evaluate_many
    from inclusief_inkopen.advice import batch

    monkeypatch.setattr(batch, "MIN_PER_WORKER", 2)
    tenders = [tender(estimated_value_eur=50_000 * i, digital=["website"], end_users=["residents"]) for i in range(12)]
    got = list(evaluate_many(tenders, catalogue, on=ON, workers=2, chunk_size=5, as_json=True))
    assert all(isinstance(text, str) for text in got)
    assert got == [evaluate(t, catalogue, on=ON).to_json() for t in tenders]


def test_a_batch_too_small_to_gain_from_processes_starts_none(catalogue, monkeypatch):
    from inclusief_inkopen import evaluate_many
    from inclusief_inkopen.advice import batch

    def no_processes(*args, **kwargs):
        raise AssertionError("started processes for a small batch")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_processes)
    tenders = [tender(estimated_value_eur=1000 * i) for i in range(1, 50)]
    got = list(evaluate_many(tenders, catalogue, on=ON, workers=0, as_json=True))
    assert got == [evaluate(t, catalogue, on=ON).to_json() for t in tenders]
