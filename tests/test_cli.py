"""The command line, as a buyer uses it."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from inclusief_inkopen.cli import main

from .conftest import EXAMPLES


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_advies_prints_the_advice_grouped_by_status(capsys):
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "website-bewoners.yaml"))
    assert code == 0
    assert out.index("Verplicht (wet)") < out.index("Amsterdams beleid") < out.index("Aanbevolen")
    assert "[TOEG-DIG-01]" in out and "BT-754 accessibility: inc" in out


def test_advies_in_english_json_and_markdown(capsys):
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "uitzendkrachten.yaml"), "--lang", "en", "-v")
    assert code == 0 and "Mandatory (law)" in out and "wording:" in out
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "uitzendkrachten.yaml"), "--format", "json")
    assert code == 0 and "ND-01" in [s["id"] for s in json.loads(out)["suggestions"]]
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "uitzendkrachten.yaml"), "--format", "markdown")
    assert code == 0 and out.startswith("# Advies inclusief inkopen") and "### ND-01" in out


def test_advies_lists_the_questions_for_an_incomplete_profile(capsys):
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "callcenter-onvolledig.yaml"))
    assert code == 0 and "Nog te beantwoorden" in out
    assert "? Wie gebruikt het resultaat: inwoners, medewerkers, ondernemers" in out


def test_advies_on_a_date_uses_the_parameters_of_that_date(capsys):
    _, out, _ = run(capsys, "advies", str(EXAMPLES / "laptops.yaml"), "--on", "2025-06-01", "--format", "json")
    assert json.loads(out)["derived"]["eu_threshold_eur"]["value"] == 221000


def test_bad_input_exits_non_zero_naming_file_and_field(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nnature: dienst\nestimated_value_eur: 10\n")
    code, out, err = run(capsys, "advies", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}: nature:" in err and "Traceback" not in err
    code, _, err = run(capsys, "advies", str(tmp_path / "nope.yaml"))
    assert code == 2 and "file not found" in err
    with pytest.raises(SystemExit) as info:
        main(["advies", str(bad), "--on", "1-1-2026"])
    assert info.value.code == 2


def test_criteria_list_and_show(capsys):
    code, out, _ = run(capsys, "criteria", "--theme", "social-return")
    assert code == 0 and out.splitlines()[0].startswith("SR-01") and "ND-01" not in out
    code, out, _ = run(capsys, "criteria", "show", "sr-01", "--lang", "en")
    assert code == 0 and "SR-01:" in out and "Public Procurement Act 2012 (Netherlands), art. 2.80" in out
    assert "{{" not in out.splitlines()[0] and "at least 5%" in out.splitlines()[0]
    code, _, err = run(capsys, "criteria", "show", "XX-01")
    assert code == 2 and "unknown criterion" in err


def test_validate_and_test_rules(capsys, catalogue_copy):
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "valid" in out
    code, out, _ = run(capsys, "test-rules")
    assert code == 0 and " 0 failed" in out
    path = catalogue_copy / "themes" / "social-return.yaml"
    path.write_text(
        path.read_text().replace(
            "expect: not_applicable\n        reasons_include: [nature]",
            "expect: applies\n        reasons_include: [nature]",
        )
    )
    code, out, _ = run(capsys, "test-rules", str(catalogue_copy))
    assert code == 1 and "FAIL SR-02" in out and "1 failed" in out
    code, _, err = run(capsys, "validate", str(catalogue_copy))
    assert code == 2 and "SR-02.tests[1]" in err


def test_schema_prints_a_published_schema(capsys):
    code, out, _ = run(capsys, "schema", "tender-profile")
    assert code == 0 and json.loads(out)["title"] == "Tender profile"


def test_the_console_script_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "inclusief_inkopen", "advies", str(EXAMPLES / "laptops.yaml"), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["eforms"]["accessibility"] == "inc"


def test_advies_json_in_one_language_when_one_is_asked_for(capsys):
    _, both, _ = run(capsys, "advies", str(EXAMPLES / "uitzendkrachten.yaml"), "--format", "json")
    _, english, _ = run(capsys, "advies", str(EXAMPLES / "uitzendkrachten.yaml"), "--format", "json", "--lang", "en")
    first = json.loads(both)["suggestions"][0]
    only = json.loads(english)["suggestions"][0]
    assert set(first["title"]) == {"nl", "en"} and set(only["title"]) == {"en"}
    assert only["title"]["en"] == first["title"]["en"] and len(english) < len(both)


def test_version_names_the_engine_and_the_built_in_catalogue(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("inclusief-inkopen 0.1.0 (catalogus amsterdam-basis ") and out.rstrip().endswith(")")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_checklist_help_lists_every_action(capsys, flag):
    code, out, _ = run(capsys, "checklist", flag)
    assert code == 0
    for action in (
        "checklist [new] TENDER_FILE",
        "checklist check",
        "checklist update",
        "checklist render",
        "import-xlsx",
    ):
        assert action in out


def test_schema_help_lists_the_schema_names_it_accepts(capsys):
    from inclusief_inkopen.authoring.schema import schemas
    from inclusief_inkopen.cli import SCHEMA_NAMES

    assert tuple(schemas()) == SCHEMA_NAMES
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in SCHEMA_NAMES)


def test_a_command_parsed_alone_reads_its_arguments_as_the_whole_parser_does(capsys):
    """main builds only the parser of the command it is given; that must not change what the command reads."""
    import argparse

    from inclusief_inkopen.cli import COMMANDS, build_parser

    whole = build_parser()
    sub = next(a for a in whole._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    tender = str(EXAMPLES / "website-bewoners.yaml")
    for argv in (
        ["advies", tender, "--format", "json", "--lang", "en", "--on", "2026-03-01", "--layer", "a", "--layer", "b"],
        ["advice", tender, "-v"],
        ["criteria", "show", "TOEG-DIG-01", "--lang", "en"],
        ["contract", "status", "c.yaml", "--within", "10", "--format", "json"],
        ["scan", "a", "b", "-o", "out", "--on", "issued", "--workers", "0", "-q"],
        ["checklist", "new", "t.yaml", "-o", "x.yaml"],
        ["schema", "advice"],
    ):
        assert build_parser(argv[0]).parse_args(argv) == whole.parse_args(argv), argv
    for argv in (["advies"], ["schema", "nothing"], ["scan", "a"]):  # the same errors too
        with pytest.raises(SystemExit):
            build_parser(argv[0]).parse_args(argv)
        alone = capsys.readouterr().err
        with pytest.raises(SystemExit):
            whole.parse_args(argv)
        assert capsys.readouterr().err == alone
    # Help and an unknown command get the whole parser: every command is listed.
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS)
    with pytest.raises(SystemExit):
        main(["advise", tender])
    assert "invalid choice: 'advise'" in capsys.readouterr().err


def test_criteria_search_finds_words_in_either_language_and_filters_combine(capsys):
    code, dutch, _ = run(capsys, "criteria", "--search", "gebarentolk")
    code_en, english, _ = run(capsys, "criteria", "--search", "sign language")
    assert code == code_en == 0 and dutch.split()[0] == english.split()[0]
    code, out, _ = run(capsys, "criteria", "--status", "mandatory", "--kind", "requirement")
    rows = out.splitlines()
    assert code == 0 and rows and all(" mandatory " in r and " requirement " in r for r in rows)
    code, out, err = run(capsys, "criteria", "--search", "onvindbaarwoord")
    assert code == 1 and out == "" and "geen criteria gevonden" in err


def test_text_advice_says_kind_theme_and_phase_in_words_with_underlines_as_long_as_headings(capsys):
    for lang, words in (("nl", "eis · Digitale toegankelijkheid"), ("en", "requirement · Digital accessibility")):
        code, out, _ = run(capsys, "advies", str(EXAMPLES / "website-bewoners.yaml"), "--lang", lang)
        assert code == 0 and words in out
        assert "digital-accessibility" not in out and " · specification" not in out
        lines = out.splitlines()
        for heading, underline in itertools.pairwise(lines):
            if underline and set(underline) == {"="}:
                assert len(underline) == len(heading), heading


def test_bt754_below_the_threshold_says_why_there_is_no_code(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        "title: Kleine levering\nnature: supplies\nestimated_value_eur: 20000\nend_users: [staff]\ndigital: []\n"
        "physical: []\npeople_facing: false\nstaffing: false\nsupply_chain_risk: []\ncpv: ['30192000']\n"
        "labour_share: 0.1\nprocedure: single-quotation\neaa_services: []\nlots: 1\nduration_months: 12\n"
    )
    for lang, words in (("nl", "onder de Europese drempel"), ("en", "below the EU threshold")):
        code, out, _ = run(capsys, "advies", str(path), "--on", "2026-03-01", "--lang", lang)
        line = next(line for line in out.splitlines() if line.strip().startswith("BT-754"))
        assert code == 0 and words in line and "?" not in line


def test_check_of_a_decided_checklist_whose_tender_changed_says_it_is_out_of_date(tmp_path, capsys):
    import datetime as dt

    from inclusief_inkopen import checklist as cl

    tender = tmp_path / "t.yaml"
    tender.write_bytes((EXAMPLES / "website-bewoners.yaml").read_bytes())
    path = tmp_path / "c.yaml"
    assert run(capsys, "checklist", str(tender), "-o", str(path), "--on", "2026-03-01")[0] == 0
    c = cl.load(path)
    decided = [
        i.model_copy(
            update={
                "decision": "not-applied",
                "justification": "Niet passend bij deze opdracht.",
                "decided_by": "Categoriemanager",
                "decided_on": dt.date(2026, 3, 2),
            }
        )
        for i in c.items
    ]
    cl.save(c.model_copy(update={"items": decided, "award_basis": "best-price-quality"}), path)
    code, out, _ = run(capsys, "checklist", "check", str(path))
    assert code == 0, out
    tender.write_text(tender.read_text().replace("residents", "staff"))
    code, out, _ = run(capsys, "checklist", "check", str(path))
    assert code == 1 and "out of date" in out and "checklist update" in out and "0 to do" not in out


def test_questions_say_how_to_answer_and_cpv_guesses_are_shown_as_suggestions(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("title: Website\nnature: services\nestimated_value_eur: 90000\ncpv: ['72413000']\n")
    code, out, _ = run(capsys, "advies", str(path), "--on", "2026-03-01")
    assert code == 0
    assert "antwoord: end_users: [...] met residents (inwoners), staff (medewerkers), businesses (bedrijven)" in out
    assert "antwoord: people_facing: true (ja) of false (nee)" in out
    assert "antwoord: labour_share: een getal, zoals 0.4" in out
    assert '~ digital: ["website"]' in out and "72413000" in out
    undetermined = out.split("Nog niet te bepalen:")[1].split("Niet van toepassing")[0]
    assert "for_natural_persons" not in undetermined and "end_users" in undetermined
    code, out, _ = run(capsys, "advies", str(path), "--on", "2026-03-01", "--lang", "en")
    assert "answer: people_facing: true or false" in out and "Suggested by the CPV codes" in out
    code, out, _ = run(capsys, "advies", str(path), "--on", "2026-03-01", "--format", "markdown")
    assert "antwoord: `end_users: [...] met residents (inwoners)" in out


def test_legal_references_are_english_in_english_advice_and_unchanged_in_dutch(capsys):
    for example in sorted(EXAMPLES.glob("*.yaml")):
        _, english, _ = run(capsys, "advies", str(example), "--lang", "en", "--on", "2026-03-01")
        basis = [line for line in english.splitlines() if line.strip().startswith("legal basis:")]
        assert basis, example
        for line in basis:
            for dutch in (
                " lid ",
                " onder ",
                " tot en met ",
                "bijlage",
                "geldt",
                "verlichte",
                "toegankelijkheidsverklaring",
            ):
                assert dutch not in line, (example.name, line)
        _, dutch, _ = run(capsys, "advies", str(example), "--on", "2026-03-01")
        assert "lid" in dutch


def test_an_article_reference_in_english():
    from inclusief_inkopen.base.text import Text
    from inclusief_inkopen.rules.catalogue import LegalRef

    plain = LegalRef(source="aw2012", article="2.115 lid 2 onder c en d")
    assert plain.article_in("nl") == "2.115 lid 2 onder c en d"
    assert plain.article_in("en") == "2.115 para. 2 point c and d"
    assert LegalRef(source="x", article="4.21 tot en met 4.28").article_in("en") == "4.21 to 4.28"
    both = LegalRef(source="aw2012", article=Text(nl="2.76 (of gelijkwaardig)", en="2.76 (or equivalent)"))
    assert (both.article_in("nl"), both.article_in("en")) == ("2.76 (of gelijkwaardig)", "2.76 (or equivalent)")


def test_the_entry_point_exits_with_the_commands_code_and_leaves_the_collector_on_for_the_command(monkeypatch):
    import gc

    import inclusief_inkopen.__main__ as entry
    import inclusief_inkopen.cli as cli

    seen = {}

    def command() -> int:
        # What the command's own objects meet: a collector that runs, and the import's objects frozen out of it.
        seen["collecting"], seen["frozen"] = gc.isenabled(), gc.get_freeze_count()
        return 3

    monkeypatch.setattr(cli, "main", command)
    try:
        with pytest.raises(SystemExit) as ended:
            entry.run()
    finally:
        gc.unfreeze()  # this test process goes on: its objects must stay collectable
    assert ended.value.code == 3
    assert seen["collecting"] is True and seen["frozen"] > 0
    assert gc.isenabled()


def test_a_command_in_a_fresh_process_says_the_same_through_the_script_as_through_main(capsys):
    code, out, _ = run(capsys, "advies", str(EXAMPLES / "website-bewoners.yaml"))
    result = subprocess.run(
        [sys.executable, "-m", "inclusief_inkopen", "advies", str(EXAMPLES / "website-bewoners.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (code, out) == (0, out)
    missing = subprocess.run(
        [sys.executable, "-m", "inclusief_inkopen", "advies", "no-such-tender.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "no-such-tender.yaml" in missing.stderr
