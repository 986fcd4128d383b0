"""The command line, as a buyer uses it."""

from __future__ import annotations

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
