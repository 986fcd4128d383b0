"""docs/layers.md is followed to the letter: its files are written as shown, validated and used."""

from __future__ import annotations

import re
from pathlib import Path

from inclusief_inkopen import evaluate, load_catalogue
from inclusief_inkopen.cli import main

from .conftest import ON, ROOT, tender

DOC = ROOT / "docs" / "layers.md"
FILE_BLOCK = re.compile(r"<!-- file: (?P<name>[^ ]+) -->\n```yaml\n(?P<body>.*?)```", re.DOTALL)


def _write_documented_layer(folder: Path) -> list[str]:
    names = []
    for match in FILE_BLOCK.finditer(DOC.read_text()):
        path = folder / match["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(match["body"])
        names.append(match["name"])
    return names


def test_the_documented_layer_validates_and_changes_the_advice_as_the_page_says(tmp_path, capsys):
    layer = tmp_path / "gemeente-voorbeeld"
    names = _write_documented_layer(layer)
    assert names == [
        "layer.yaml",
        "sources.yaml",
        "parameters/social-return/percentage.yaml",
        "themes/lots-and-sme.yaml",
    ]
    assert main(["validate", "--layer", str(layer)]) == 0
    out = capsys.readouterr().out
    # a finding about the layer's criterion or parameter names the layer's file, not the base's
    assert "criteria/parameters/social-return" not in out
    assert "amsterdam-basis" in out and "+ gemeente-voorbeeld 1" in out and "valid." in out

    base = load_catalogue()
    layered = load_catalogue(layers=[layer])
    assert layered.identity != base.identity and layered.sha256 == base.sha256
    assert "SR-02" not in layered.criteria and layered.get("ND-01").status == "policy"
    small = tender(estimated_value_eur=80_000, procedure="multiple-quotation", nature="services")
    assert "VB-MKB-01" in evaluate(small, layered, on=ON).suggestion_ids()
    big = tender(estimated_value_eur=500_000, nature="services")
    before, after = evaluate(big, layered, on=ON), evaluate(big, layered, on=ON.replace(month=8))
    assert "5 %" in next(s for s in before.suggestions if s.id == "SR-01").text.nl
    assert "7 %" in next(s for s in after.suggestions if s.id == "SR-01").text.nl
    receipt = before.catalogue.layers[0]
    assert receipt["withdrawn"] == ["SR-02"] and receipt["replaced"] == ["ND-01"]
    assert receipt["added"] == ["VB-MKB-01"] and receipt["parameters"] == ["social-return/percentage"]

    example = ROOT / "examples" / "website-bewoners.yaml"
    assert main(["advies", str(example), "--layer", str(layer)]) == 0
    assert f"+ gemeente-voorbeeld 1 ({layered.identity[:12]})" in capsys.readouterr().out
    assert "gemeente-voorbeeld 1" in repr(layered)


def test_every_field_the_page_lists_for_layer_yaml_is_a_field_of_the_format():
    from inclusief_inkopen.base.parameters import Parameter
    from inclusief_inkopen.rules.catalogue import LayerInfo

    text = DOC.read_text()
    layer_rows = re.findall(r"^\| `([a-z_]+)` \| (?:yes|no) \|", text.split("## `sources.yaml`")[0], re.MULTILINE)
    parameter_rows = re.findall(
        r"^\| `([a-z_]+)` \| (?:yes|no) \|", text.split("## A parameter")[1].split("## The layer")[0], re.MULTILINE
    )
    assert set(layer_rows) == set(LayerInfo.model_fields)
    assert set(parameter_rows) == set(Parameter.model_fields)


def test_a_finding_about_a_layers_parameter_names_the_layers_file(tmp_path):
    from inclusief_inkopen.rules.freshness import check_freshness

    layer = tmp_path / "gemeente-voorbeeld"
    _write_documented_layer(layer)
    path = layer / "parameters" / "social-return" / "percentage.yaml"
    path.write_text(path.read_text().replace("last_reviewed: 2026-11-01", ""))
    catalogue = load_catalogue(layers=[layer])
    [finding] = [f for f in check_freshness(catalogue, ON) if "social-return/percentage" in f.file]
    assert finding.file == f"{layer}/parameters/social-return/percentage.yaml"
    assert finding.location == "last_reviewed" and finding.message == "no review date"


def test_a_layer_mistake_names_the_layer_file_and_a_failing_layer_rule_test_exits_2(tmp_path, capsys):
    layer = tmp_path / "gemeente-voorbeeld"
    _write_documented_layer(layer)
    header = layer / "layer.yaml"
    header.write_text(header.read_text().replace("ND-01: {status: policy}", "ND-01: {statsu: policy}"))
    example = str(ROOT / "examples" / "website-bewoners.yaml")
    assert main(["advies", example, "--layer", str(layer)]) == 2
    err = capsys.readouterr().err
    assert f"{layer}/layer.yaml: replace.ND-01.statsu: unknown field" in err and "tender profile" not in err

    _write_documented_layer(layer)  # a clean layer again, now with a rule test that fails
    theme = layer / "themes" / "lots-and-sme.yaml"
    theme.write_text(theme.read_text().replace("expect: not_applicable", "expect: applies"))
    assert main(["advies", example, "--layer", str(layer)]) == 2
    assert "VB-MKB-01.tests[1]" in capsys.readouterr().err
    assert main(["test-rules", "--layer", str(layer)]) == 1  # the one command that reports failing tests with 1
