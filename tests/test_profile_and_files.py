"""The tender profile and the safe file readers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusief_inkopen import TenderError, load_tender
from inclusief_inkopen.base.cpv import InvalidCPV, validate
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import MAX_DEPTH, _json_depth_ok, atomic_write, load_document, parse_json, parse_yaml
from inclusief_inkopen.tender.profile import parse_tender

from .conftest import EXAMPLES, tender


def test_every_example_is_a_valid_profile():
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        assert load_tender(path).title


def test_cpv_codes_are_normalised_and_a_wrong_check_digit_is_refused():
    assert parse_tender(tender(cpv=["72413000-8", " 72413000 ", "45000000"])).cpv == ["72413000", "45000000"]
    with pytest.raises(TenderError, match=r"cpv: .*check digit of 72413000 is 8, not 3"):
        parse_tender(tender(cpv=["72413000-3"]))
    with pytest.raises(InvalidCPV, match="not a CPV code"):
        validate("7241300")


def test_errors_name_the_file_the_field_and_the_expectation(tmp_path, monkeypatch):
    monkeypatch.delenv("INCLUSIEF_INKOPEN_LANG")  # the default: Dutch, whatever else the suite reads
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "t.yaml"
    path.write_text("title: x\nnature: dienst\nestimated_value_eur: -5\nend_users: [inwoners]\nkleur: rood\n")
    with pytest.raises(TenderError) as info:
        load_tender(path)
    text = str(info.value)
    assert (
        f"{path}: nature: verwacht een van: works (werken), supplies (leveringen), services (diensten), "
        "gegeven: 'dienst'; bedoelt u 'services'?"
    ) in text
    assert f"{path}: estimated_value_eur: moet ten minste 0 zijn, gegeven: -5" in text
    assert f"{path}: end_users[0]: verwacht een van: residents (inwoners)" in text
    assert f"{path}: kleur: onbekend veld" in text


def test_a_missing_field_stays_unknown_and_an_empty_list_means_none():
    profile = parse_tender({"title": "x", "nature": "works", "estimated_value_eur": 1, "digital": []})
    assert profile.end_users is None and profile.digital == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!python/object/apply:os.system ['echo hi']", "could not determine a constructor"),
        ("a: &x [1, 2]\nb: *x", "aliases"),
        ("a: 1\na: 2", "duplicate key 'a'"),
        ("[" * 100 + "]" * 100, "nested more than"),
        ("a: [1, 2", "not valid YAML"),
    ],
)
def test_hostile_yaml_is_refused(text, message):
    with pytest.raises(InputError, match=message):
        parse_yaml(text, "evil.yaml")


def _depth_by_hand(text: str) -> bool:
    """The depth check as one would write it character by character (what the regular expressions replace)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet='[]{}"\\a\n', max_size=200))
def test_the_json_depth_check_counts_only_brackets_outside_strings(text):
    assert _json_depth_ok(text) is _depth_by_hand(text)


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ('["' + "[" * 500 + '"]', False),  # brackets in a string are text
        ('["\\"' + "[" * 500 + '"]', False),  # an escaped quote does not end the string
        ('["\\\\"' + "[" * 500, True),  # an escaped backslash does
    ],
)
def test_json_nested_too_deep_is_refused_and_brackets_in_strings_are_not_counted(text, deep):
    if deep:
        with pytest.raises(InputError, match="nested more than"):
            parse_json(text, "deep.json")
    else:
        assert _json_depth_ok(text)


def test_yaml_reads_on_as_a_word_not_a_boolean():
    assert parse_yaml("on: 2026-01-01\nyes: no") == {"on": __import__("datetime").date(2026, 1, 1), "yes": "no"}


def test_files_in_other_encodings_or_too_big_are_refused(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: café".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_document(latin)
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"a": "x" * (6 * 1024 * 1024)}))
    with pytest.raises(InputError, match="at most"):
        load_document(huge)
    with pytest.raises(InputError, match="file not found"):
        load_document(tmp_path / "missing.yaml")


def test_json_tenders_load_too(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tender(title="JSON")))
    assert load_tender(path).title == "JSON"
    path.write_text("{" * 100)
    with pytest.raises(InputError, match="nested"):
        load_tender(path)


def test_atomic_write_replaces_whole_files(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    atomic_write(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


BUYER_MISTAKES = (
    'title: x\nnature: dienst\nestimated_value_eur: "€ 180.000"\nend_users: [inwoners]\npeople_facing: ja\n'
    "planned_publication: 10-06-2026\nestimted_value: 3\n"
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "nl",
            [
                "nature: verwacht een van: works (werken), supplies (leveringen), services (diensten), "
                "gegeven: 'dienst'; bedoelt u 'services'?",
                "estimated_value_eur: verwacht een getal zonder €-teken, punten of spaties, zoals 180000, "
                "gegeven: '€ 180.000'; bedoelt u '180000'?",
                "end_users[0]: verwacht een van: residents (inwoners), staff (medewerkers), businesses (bedrijven), "
                "gegeven: 'inwoners'; bedoelt u 'residents'?",
                "people_facing: verwacht true (ja) of false (nee), gegeven: 'ja'; bedoelt u 'true'?",
                "planned_publication: verwacht een datum als JJJJ-MM-DD, zoals 2026-06-10, gegeven: '10-06-2026'; "
                "bedoelt u '2026-06-10'?",
                "estimted_value: onbekend veld; bedoelt u 'estimated_value_eur'?",
            ],
        ),
        (
            "en",
            [
                "nature: expected one of: works, supplies, services, given: 'dienst'; do you mean 'services'?",
                "estimated_value_eur: expected a number without € sign, thousands separators or spaces, such as "
                "180000, given: '€ 180.000'; do you mean '180000'?",
                "end_users[0]: expected one of: residents, staff, businesses, given: 'inwoners'; "
                "do you mean 'residents'?",
                "people_facing: expected true or false, given: 'ja'; do you mean 'true'?",
                "planned_publication: expected a date as YYYY-MM-DD, such as 2026-06-10, given: '10-06-2026'; "
                "do you mean '2026-06-10'?",
                "estimted_value: unknown field; do you mean 'estimated_value_eur'?",
            ],
        ),
    ],
)
def test_a_buyers_mistakes_are_told_in_their_language_with_the_value_and_how_to_write_it(
    tmp_path, capsys, lang, expected
):
    from inclusief_inkopen.cli import main

    path = tmp_path / "t.yaml"
    path.write_text(BUYER_MISTAKES)
    assert main(["advies", str(path), "--lang", lang]) == 2
    err = capsys.readouterr().err
    for line in expected:
        assert f"{path}: {line}" in err, line


@pytest.mark.parametrize(
    ("environment", "lang"),
    [
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        ({}, "nl"),
        ({"INCLUSIEF_INKOPEN_LANG": "en", "LANG": "nl_NL.UTF-8"}, "en"),
    ],
)
def test_messages_follow_the_locale_unless_a_language_is_asked_for(monkeypatch, environment, lang):
    from inclusief_inkopen.base.messages import message_language

    for name in ("INCLUSIEF_INKOPEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert message_language() == lang


@pytest.mark.parametrize(
    ("lang", "missing", "yaml_error", "label"),
    [
        ("nl", "bestand niet gevonden", "geen geldige YAML", "fout:"),
        ("en", "file not found", "not valid YAML", "error:"),
    ],
)
def test_file_errors_in_the_language_asked_for(tmp_path, capsys, monkeypatch, lang, missing, yaml_error, label):
    from inclusief_inkopen.cli import main

    monkeypatch.setenv("INCLUSIEF_INKOPEN_LANG", lang)
    assert main(["advies", str(tmp_path / "nergens.yaml")]) == 2
    assert capsys.readouterr().err == f"{label} {tmp_path / 'nergens.yaml'}: {missing}\n"
    broken = tmp_path / "kapot.yaml"
    broken.write_text("a: [\n")
    assert main(["advies", str(broken)]) == 2
    assert yaml_error in capsys.readouterr().err


def test_the_packages_own_yaml_data_passes_the_strict_loader():
    from importlib import resources

    from inclusief_inkopen.base.packaged import packaged_data

    data = resources.files("inclusief_inkopen").joinpath("data")
    names = sorted(entry.name.removesuffix(".yaml") for entry in data.iterdir() if entry.name.endswith(".yaml"))
    assert names == ["currencies", "notice-subtypes", "ratings", "reasons", "regimes", "vocabulary"]
    for name in names:
        text = data.joinpath(f"{name}.yaml").read_text("utf-8")
        assert parse_yaml(text, f"data/{name}.yaml") == packaged_data(name)


@pytest.mark.parametrize(
    ("fields", "location", "words"),
    [
        ({"regime": "concession", "nature": "supplies"}, "regime", "2a.1"),
        ({"social_services": True}, "social_services", "regime utilities, concession of defence"),
        ({"regime": "defence", "nature": "supplies", "social_services": True}, "social_services", "nature: services"),
        ({"regime": "utilities", "nature": "works", "social_services": False}, "social_services", "nature: services"),
    ],
)
def test_a_regime_that_does_not_fit_the_tender_is_refused_by_field(fields, location, words, tmp_path, monkeypatch):
    monkeypatch.setenv("INCLUSIEF_INKOPEN_LANG", "nl")
    path = tmp_path / "t.yaml"
    path.write_text(json.dumps(tender(**fields)))
    with pytest.raises(TenderError) as caught:
        load_tender(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.location) == (str(path), location)
    assert words in problem.message


def test_the_regimes_and_social_services_that_fit_are_accepted():
    assert parse_tender(tender(regime="concession", nature="works")).regime == "concession"
    profile = parse_tender(tender(regime="utilities", nature="services", social_services=True))
    assert (profile.regime, profile.social_services) == ("utilities", True)
    # For defence the same field says the services are in Annex II of Directive 2009/81/EC (ADV art. 2.29).
    defence = parse_tender(tender(regime="defence", nature="services", social_services=True))
    assert (defence.regime, defence.social_services) == ("defence", True)
    assert parse_tender(tender()).regime == "classical"  # the default
