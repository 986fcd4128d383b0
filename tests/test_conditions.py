"""The condition language: parsing, checking, each operator, three-valued logic and reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from inclusief_inkopen.base.parameters import Parameter, ParameterValue
from inclusief_inkopen.rules.conditions import (
    ConditionError,
    Context,
    check_condition,
    compile_condition,
    compile_truth,
    parse_condition,
    reads,
    to_data,
)

PARAMS = {
    "eu-threshold/x": Parameter(
        label={"nl": "drempel", "en": "threshold"},
        description={"nl": "d", "en": "d"},
        unit="EUR",
        values={dt.date(2024, 1, 1): {"value": 216000, "source": "s"}},
    ),
    "share": Parameter(
        label={"nl": "aandeel", "en": "share"},
        description={"nl": "d", "en": "d"},
        unit="ratio",
        values={dt.date(2024, 1, 1): {"value": 0.3}},
    ),
}
LISTS = {"annex": frozenset({"85311300", "79622000"})}


def run(raw, **facts):
    node = parse_condition(raw)
    assert check_condition(node, PARAMS, LISTS) == []
    ctx = Context(facts, {"eu-threshold/x": ParameterValue(216000, dt.date(2024, 1, 1), "s")}, LISTS)
    truth, reasons = compile_condition(node)(ctx)
    assert compile_truth(node)(ctx) is truth  # the fast path agrees with the explaining one
    return truth, reasons


@pytest.mark.parametrize(
    ("raw", "facts", "expected"),
    [
        ({"field": "nature", "eq": "works"}, {"nature": "works"}, True),
        ({"field": "nature", "eq": "works"}, {"nature": "services"}, False),
        ({"field": "nature", "in": ["works", "supplies"]}, {"nature": "supplies"}, True),
        ({"field": "nature", "in": ["works", "supplies"]}, {"nature": "services"}, False),
        ({"field": "estimated_value_eur", "gte": 100}, {"estimated_value_eur": 100}, True),
        ({"field": "estimated_value_eur", "gt": 100}, {"estimated_value_eur": 100}, False),
        ({"field": "estimated_value_eur", "lte": 100}, {"estimated_value_eur": 100}, True),
        ({"field": "estimated_value_eur", "lt": 100}, {"estimated_value_eur": 100}, False),
        ({"field": "estimated_value_eur", "eq": 100}, {"estimated_value_eur": 100.0}, True),
        ({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}}, {"estimated_value_eur": 216000}, True),
        ({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}}, {"estimated_value_eur": 215999}, False),
        ({"field": "digital", "contains_any": ["website", "app"]}, {"digital": ["app", "software"]}, True),
        ({"field": "digital", "contains_any": ["website", "app"]}, {"digital": ["software"]}, False),
        ({"field": "digital", "contains_all": ["website", "app"]}, {"digital": ["app", "website"]}, True),
        ({"field": "digital", "contains_all": ["website", "app"]}, {"digital": ["app"]}, False),
        ({"field": "end_users", "not_empty": True}, {"end_users": ["staff"]}, True),
        ({"field": "end_users", "not_empty": True}, {"end_users": []}, False),
        ({"field": "end_users", "not_empty": False}, {"end_users": []}, True),
        ({"field": "staffing", "is_true": True}, {"staffing": True}, True),
        ({"field": "staffing", "is_true": True}, {"staffing": False}, False),
        ({"field": "staffing", "is_true": False}, {"staffing": False}, True),
        ({"field": "cpv", "prefix": ["853"]}, {"cpv": ["45000000", "85311300"]}, True),
        ({"field": "cpv", "prefix": ["853"]}, {"cpv": ["45000000"]}, False),
        ({"field": "cpv", "prefix": {"list": "annex"}}, {"cpv": ["79622000"]}, True),
        ({"field": "cpv", "prefix": {"list": "annex"}}, {"cpv": ["79620000"]}, False),
    ],
)
def test_each_operator_decides_as_documented(raw, facts, expected):
    truth, reasons = run(raw, **facts)
    assert truth is expected
    assert len(reasons) == 1 and reasons[0].holds is expected


def test_a_missing_field_is_unknown_not_false():
    truth, reasons = run({"field": "staffing", "is_true": True}, staffing=None)
    assert truth is None
    assert reasons[0].holds is None and reasons[0].field == "staffing"


@pytest.mark.parametrize(
    ("a", "b", "all_", "any_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, False, False, False),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
    ],
)
def test_all_and_any_follow_kleene_logic(a, b, all_, any_):
    facts = {"staffing": a, "people_facing": b}
    preds = [{"field": "staffing", "is_true": True}, {"field": "people_facing", "is_true": True}]
    assert run({"all": preds}, **facts)[0] is all_
    assert run({"any": preds}, **facts)[0] is any_


@pytest.mark.parametrize(("value", "expected"), [(True, False), (False, True), (None, None)])
def test_not_flips_known_values_and_keeps_unknown(value, expected):
    assert run({"not": {"field": "staffing", "is_true": True}}, staffing=value)[0] is expected


def test_reasons_name_only_what_decided_the_outcome():
    preds = [
        {"field": "staffing", "is_true": True},
        {"field": "people_facing", "is_true": True},
        {"field": "nature", "eq": "services"},
    ]
    # a failed all: only the failing children
    truth, reasons = run({"all": preds}, staffing=True, people_facing=False, nature="services")
    assert truth is False and [r.field for r in reasons] == ["people_facing"]
    # a held any: only the children that held
    truth, reasons = run({"any": preds}, staffing=False, people_facing=True, nature="works")
    assert truth is True and [r.field for r in reasons] == ["people_facing"]
    # a failed any: every child
    truth, reasons = run({"any": preds}, staffing=False, people_facing=False, nature="works")
    assert [r.field for r in reasons] == ["staffing", "people_facing", "nature"]
    # an unknown all: the unknown children
    truth, reasons = run({"all": preds}, staffing=True, people_facing=None, nature="services")
    assert truth is None and [r.field for r in reasons] == ["people_facing"]


def test_a_parameter_reason_carries_value_date_and_source():
    _, reasons = run({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}}, estimated_value_eur=1)
    assert reasons[0].parameter == "eu-threshold/x"
    assert reasons[0].parameter_value == ParameterValue(216000, dt.date(2024, 1, 1), "s")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "nature", "equals": "works"}, "unknown operator 'equals'"),
        ({"field": "nature", "eq": "works", "in": ["works"]}, "exactly one operator"),
        ({"all": []}, "non-empty list"),
        ({"all": [{"field": "nature", "eq": "works"}], "any": []}, "stands alone"),
        ({"foo": 1}, "unknown condition"),
        ("nature == 'works'", "expected a mapping"),
        ({"field": "nature", "eq": None}, "may not be empty"),
        ({"field": "nature", "eq": {"python": "os.system"}}, "an operand is a value"),
    ],
)
def test_malformed_conditions_are_refused_with_the_place(raw, message):
    with pytest.raises(ConditionError, match=message):
        parse_condition(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "natuur", "eq": "works"}, "unknown field 'natuur' (did you mean 'nature'?)"),
        ({"field": "nature", "eq": "werken"}, "'werken' is not a value of 'nature'"),
        ({"field": "nature", "gte": 3}, "does not apply to field 'nature'"),
        ({"field": "estimated_value_eur", "gte": "216000"}, "expected a number"),
        ({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/y"}}, "unknown parameter"),
        ({"field": "estimated_value_eur", "gte": {"param": "share"}}, "is in EUR but parameter 'share' is in ratio"),
        ({"field": "cpv", "prefix": ["8a"]}, "CPV prefixes"),
        ({"field": "cpv", "prefix": {"list": "nope"}}, "unknown list"),
        ({"field": "title", "eq": "x"}, "cannot be used in conditions"),
        ({"field": "staffing", "is_true": "yes"}, "expected true or false"),
    ],
)
def test_semantic_errors_are_found_at_load(raw, message):
    errors = check_condition(parse_condition(raw), PARAMS, LISTS)
    assert errors and message in str(errors[0])


def test_hostile_strings_stay_data():
    hostile = "__import__('os').system('touch /tmp/pwned')"
    node = parse_condition({"field": "nature", "eq": hostile})
    errors = check_condition(node, PARAMS, LISTS)
    assert errors and "is not a value of 'nature'" in str(errors[0])
    # Even unchecked, the operand is only ever compared, never run.
    truth, _ = compile_condition(node)(Context({"nature": "works"}, {}, {}))
    assert truth is False


def test_conditions_round_trip_and_report_what_they_read():
    raw = {
        "all": [
            {"field": "digital", "contains_any": ["website"]},
            {"not": {"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}}},
        ]
    }
    node = parse_condition(raw)
    assert to_data(node) == raw
    assert reads(node) == {"digital", "estimated_value_eur"}


def test_a_reason_records_the_fact_the_expectation_the_parameter_and_what_matched():
    # Found by mutation testing: every part of a reason is shown to the buyer, so every part is checked.
    threshold = ParameterValue(216000, dt.date(2024, 1, 1), "s")
    truth, [reason] = run({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}}, estimated_value_eur=5)
    assert truth is False
    assert (reason.field, reason.op, reason.actual, reason.expected, reason.holds) == (
        "estimated_value_eur",
        "gte",
        5,
        216000,
        False,
    )
    assert (reason.parameter, reason.parameter_value, reason.matched) == ("eu-threshold/x", threshold, ())

    truth, [reason] = run({"field": "estimated_value_eur", "gte": {"param": "eu-threshold/x"}})
    assert truth is None
    assert (reason.actual, reason.expected, reason.holds) == (None, 216000, None)
    assert (reason.parameter, reason.parameter_value) == ("eu-threshold/x", threshold)

    truth, [reason] = run({"field": "digital", "contains_any": ["website", "app"]}, digital=["app", "software"])
    assert truth is True and reason.matched == ("app",) and reason.expected == ("website", "app")


def test_the_fast_path_leaves_an_all_open_when_one_part_is_unknown_and_none_is_false():
    node = parse_condition(
        {"all": [{"field": "staffing", "is_true": True}, {"field": "people_facing", "is_true": True}]}
    )
    assert check_condition(node, PARAMS, LISTS) == []
    fast = compile_truth(node)
    assert fast(Context({"staffing": True}, {}, LISTS)) is None
    assert fast(Context({"staffing": True, "people_facing": True}, {}, LISTS)) is True
    assert fast(Context({"people_facing": False}, {}, LISTS)) is False
