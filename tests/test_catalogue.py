"""Loading and validating catalogues, layers, and the rule tests kept beside the rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
from pathlib import Path

import pytest

from inclusief_inkopen import CatalogueError, evaluate, load_catalogue, load_tender
from inclusief_inkopen.authoring.schema import schemas
from inclusief_inkopen.base.errors import NotInForce
from inclusief_inkopen.rules.ruletests import run_rule_tests

from .conftest import ON, ROOT, tender

EXAMPLES = ROOT / "examples"


def test_the_builtin_catalogue_loads_and_every_rule_test_passes(catalogue):
    results = run_rule_tests(catalogue)
    assert results and all(r.passed for r in results), [r.message for r in results if not r.passed]


def test_every_criterion_has_a_test_where_it_applies_and_one_where_it_does_not(catalogue):
    for c in catalogue:
        expects = {t.expect for t in c.tests}
        assert {"applies", "not_applicable"} <= expects, c.id


def test_every_mandatory_criterion_cites_law(catalogue):
    for c in catalogue:
        if c.status == "mandatory":
            assert any(catalogue.sources[r.source].kind in ("law", "eu-law") for r in c.legal_basis), c.id


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "themes/social-return.yaml",
            "{field: nature, in: [services, works]}",
            "{field: nature, in: [services, werken]}",
            "themes/social-return.yaml: SR-02.applies_when/all/1/in: 'werken' is not a value of 'nature'",
        ),
        (
            "themes/social-return.yaml",
            "gte: {param: eu-threshold/supplies-services-sub-central}}\n    legal",
            "gte: {param: eu-threshold/diensten}}\n    legal",
            "SR-01.applies_when/gte: unknown parameter",
        ),
        (
            "themes/social-return.yaml",
            "{field: estimated_value_eur, gte:",
            "{field: estimated_value_eur, groter:",
            "SR-01.applies_when: unknown operator 'groter'",
        ),
        ("themes/non-discrimination.yaml", "id: ND-02", "id: ND-01", "ND-01: duplicate id"),
        (
            "themes/non-discrimination.yaml",
            "source: rijk-handreiking-di}\n    verification:\n      nl: Schriftelijke",
            "source: onbekend}\n    verification:\n      nl: Schriftelijke",
            "unknown source 'onbekend'",
        ),
        ("themes/inclusive-design.yaml", "status: mandatory", "status: verplicht", "ONTW-ALG-01.status"),
        (
            "themes/social-return.yaml",
            "expect: not_applicable\n        reasons_include: [nature]",
            "expect: applies\n        reasons_include: [nature]",
            "SR-02.tests[1]: test 'Een levering van laptops",
        ),
        (
            "parameters/eu-threshold/works.yaml",
            "source: eu-2025-2152",
            "source: eu-2099-1",
            "unknown source 'eu-2099-1'",
        ),
        (
            "themes/inclusive-design.yaml",
            '{source: dir-2014-24, article: "42 lid 1"}',
            "{source: rijk-handreiking-di}",
            None,
        ),
    ],
)
def test_a_broken_catalogue_names_file_criterion_and_place(catalogue_copy, file, old, new, message):
    _edit(catalogue_copy / file, old, new)
    if message is None:  # a mandatory rule that keeps one law source is still valid
        load_catalogue(catalogue_copy)
        return
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue_copy)
    assert message in str(info.value)


def test_a_mandatory_criterion_without_a_law_source_is_refused(catalogue_copy):
    path = catalogue_copy / "themes/inclusive-design.yaml"
    text = path.read_text()
    # ONTW-ALG-01 comes first in the file: its legal basis, every line of it, becomes a guidance source only.
    start = text.index("    legal_basis:\n") + len("    legal_basis:\n")
    end = text.index("    verification:", start)
    path.write_text(text[:start] + "      - {source: rijk-handreiking-di}\n" + text[end:])
    with pytest.raises(CatalogueError, match=r"ONTW-ALG-01\.legal_basis: a mandatory criterion must cite"):
        load_catalogue(catalogue_copy)


def test_a_missing_threshold_parameter_is_refused(catalogue_copy):
    (catalogue_copy / "parameters/eu-threshold/works.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"works\.yaml: missing"):
        load_catalogue(catalogue_copy)


def test_the_catalogue_hash_changes_with_any_file(catalogue_copy, catalogue):
    assert load_catalogue(catalogue_copy).sha256 == catalogue.sha256
    _edit(catalogue_copy / "sources.yaml", "consulted: 2025-11-05", "consulted: 2025-11-06")
    assert load_catalogue(catalogue_copy).sha256 != catalogue.sha256


def _layer(tmp_path: Path, header: str, themes: str | None = None, params: str | None = None) -> Path:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "layer.yaml").write_text(header)
    if themes:
        (layer / "themes").mkdir()
        (layer / "themes" / "extra.yaml").write_text(themes)
    if params:
        (layer / "parameters" / "social-return").mkdir(parents=True)
        (layer / "parameters" / "social-return" / "percentage.yaml").write_text(params)
    return layer


HEADER = """name: gemeente-voorbeeld
version: "1"
format: inclusief-inkopen/v1
base: amsterdam-basis
title: {nl: Voorbeeldlaag, en: Example layer}
"""


def test_a_layer_withdraws_replaces_adds_and_overrides_parameters(tmp_path):
    layer = _layer(
        tmp_path,
        HEADER + "withdraw: [SR-02]\nreplace:\n  ND-01: {status: policy}\n",
        themes="""theme: lots-and-sme
criteria:
  - id: PERC-99
    kind: procedure
    status: policy
    ambition: 1
    title: {nl: Verdeel in percelen, en: Divide into lots}
    text: {nl: Verdeel de opdracht in percelen of motiveer waarom niet., en: Divide into lots or say why not.}
    applies_when: {field: estimated_value_eur, gte: 50000}
    legal_basis: [{source: aw2012, article: "1.5 lid 3"}]
    verification: {nl: Motivering in de stukken, en: Justification in the documents}
    roles: [inkoper]
    phase: preparation
    tests:
      - name: Een grote opdracht krijgt het perceeladvies
        tender: {nature: works, estimated_value_eur: 90000}
        expect: applies
      - name: Een kleine opdracht krijgt het perceeladvies niet
        tender: {nature: works, estimated_value_eur: 9000}
        expect: not_applicable
""",
        params="""label: {nl: social-returnpercentage, en: social return percentage}
description: {nl: Hoger percentage, en: Higher percentage}
unit: ratio
values:
  2026-01-01: {value: 0.07, source: ams-leidraad-so}
""",
    )
    layered = load_catalogue(layers=[layer])
    assert "SR-02" not in layered.criteria and "PERC-99" in layered.criteria
    assert layered.get("ND-01").status == "policy"
    advice = evaluate(tender(estimated_value_eur=500000, staffing=True), layered, on=ON)
    ids = advice.suggestion_ids()
    assert "PERC-99" in ids and "SR-02" not in ids
    sr = next(s for s in advice.suggestions if s.id == "SR-01")
    assert "7 %" in sr.text.nl
    receipt = advice.catalogue.layers[0]
    assert receipt["name"] == "gemeente-voorbeeld" and receipt["withdrawn"] == ["SR-02"]
    assert receipt["replaced"] == ["ND-01"] and receipt["added"] == ["PERC-99"]
    assert receipt["version"] == "1" and receipt["parameters"] == ["social-return/percentage"]
    assert len(receipt["sha256"]) == 64 and receipt["sha256"] != advice.catalogue.sha256
    # before the layer's new value starts, the base value holds
    old = evaluate(tender(estimated_value_eur=500000), layered, on=__import__("datetime").date(2025, 6, 1))
    assert "5 %" in next(s for s in old.suggestions if s.id == "SR-01").text.nl


def test_a_rule_on_the_value_is_overridden_by_a_layer_for_every_value(tmp_path):
    # SR-03 reads the estimated value; for every value where SR-99 applies, the item must say that SR-99 takes its
    # place. (The base's own rule tests for SR-03 would now fail by design, so they are not run.)
    layer = _layer(
        tmp_path,
        HEADER,
        themes="""theme: social-return
criteria:
  - id: SR-99
    kind: contract-clause
    status: policy
    ambition: 2
    title: {nl: Social return op maat, en: Tailored social return}
    text: {nl: Spreek social return op maat af., en: Agree tailored social return.}
    applies_when: {field: estimated_value_eur, gte: 300000}
    overrides: [SR-03]
    legal_basis: [{source: aw2012, article: "2.80"}]
    verification: {nl: Plan van aanpak, en: Plan of approach}
    roles: [inkoper]
    phase: contract-management
    tests:
      - name: Een grote opdracht krijgt social return op maat
        tender: {nature: services, estimated_value_eur: 400000}
        expect: applies
      - name: Een kleinere opdracht niet
        tender: {nature: services, estimated_value_eur: 250000}
        expect: not_applicable
""",
    )
    layered = dataclasses.replace(load_catalogue(layers=[layer], run_tests=False), plans={})
    for i in range(300):
        advice = evaluate(tender(estimated_value_eur=400_000 + 17 * i), layered, on=ON)
        overridden = {n.id: n.overridden_by for n in advice.not_applicable if n.overridden_by}
        assert overridden == {"SR-03": "SR-99"}, i
        assert "SR-99" in advice.suggestion_ids() and "SR-03" not in advice.suggestion_ids()


def test_a_layer_that_replaces_or_withdraws_what_the_base_lacks_is_an_error(tmp_path):
    layer = _layer(tmp_path, HEADER + "withdraw: [XX-99]\nreplace:\n  YY-01: {status: policy}\n")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(layers=[layer])
    assert "withdraw[0]: criterion 'XX-99' is not in 'amsterdam-basis'" in str(info.value)
    assert "replace.YY-01" in str(info.value)


def test_published_schemas_match_the_models():
    for name, schema in schemas().items():
        published = ROOT / "docs" / "schema" / f"{name}.schema.json"
        assert published.exists(), f"run: python -m inclusief_inkopen.authoring.schema ({name})"
        assert json.loads(published.read_text()) == schema, f"docs/schema/{name}.schema.json is stale"


def test_catalogue_files_and_examples_satisfy_the_published_schemas(catalogue):
    jsonschema = pytest.importorskip("jsonschema")
    from inclusief_inkopen.base.files import load_document

    all_schemas = schemas()
    root = Path(catalogue.root)
    for path in sorted((root / "themes").glob("*.yaml")):
        data = json.loads(json.dumps(load_document(path), default=str))
        jsonschema.validate(data, all_schemas["theme-file"])
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = json.loads(json.dumps(load_document(path), default=str))
        jsonschema.validate(data, all_schemas["tender-profile"])


def test_passed_rule_tests_are_remembered_by_content_hash_and_only_trusted_when_asked(
    catalogue_copy, tmp_path, monkeypatch
):
    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    catalogues.forget()
    load_catalogue(catalogue_copy)  # runs the rule tests and remembers that they passed
    assert len(list((tmp_path / "cache" / "catalogues").iterdir())) == 1

    def must_not_run(*args, **kwargs):
        raise AssertionError("rule tests ran although this catalogue already passed them")

    catalogues.forget()
    monkeypatch.setattr(catalogues, "test_catalogue", must_not_run)
    load_catalogue(catalogue_copy, trust_cache=True)
    catalogues.forget()
    with pytest.raises(AssertionError, match="rule tests ran"):
        load_catalogue(catalogue_copy)  # without trust the tests always run
    # any change to the files is a new catalogue whose tests must run again
    _edit(catalogue_copy / "sources.yaml", "consulted: 2025-11-05", "consulted: 2025-11-07")
    catalogues.forget()
    with pytest.raises(AssertionError, match="rule tests ran"):
        load_catalogue(catalogue_copy, trust_cache=True)


def test_a_remembered_catalogue_gives_the_same_advice_as_a_fresh_load(catalogue_copy, tmp_path, monkeypatch):
    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    catalogues.forget()
    fresh = load_catalogue(catalogue_copy)
    catalogues.forget()
    monkeypatch.setattr(catalogues, "read_parts", lambda *a: pytest.fail("read the YAML although it was remembered"))
    remembered = load_catalogue(catalogue_copy, trust_cache=True)
    assert remembered is not fresh
    assert remembered.sha256 == fresh.sha256
    for example in sorted(EXAMPLES.glob("*.yaml")):
        tender = load_tender(example)
        assert evaluate(tender, remembered).to_json() == evaluate(tender, fresh).to_json()


class _Payload:
    """What a tampered cache file would hold: an object whose unpickling runs a command."""

    def __reduce__(self):
        import os

        return (os.system, ("touch PWNED",))


@pytest.mark.parametrize("content", [b"not a pickle at all", pickle.dumps(_Payload()), b""])
def test_a_damaged_or_tampered_cache_entry_is_never_run_only_replaced(catalogue_copy, tmp_path, monkeypatch, content):
    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    catalogues.forget()
    load_catalogue(catalogue_copy)
    [entry] = (tmp_path / "cache" / "catalogues").iterdir()
    entry.write_bytes(content)
    catalogues.forget()
    catalogue = load_catalogue(catalogue_copy, trust_cache=True)
    assert not (tmp_path / "PWNED").exists()
    assert len(catalogue.criteria) > 30
    assert entry.read_bytes() != content  # the fresh load wrote a good entry again


def test_each_code_list_written_as_the_law_writes_it_expands_to_its_codes(catalogue):
    """Annex XIV and Article 77 keep their items as written ('85000000-9 .. 85323000-9'); expanded against CPV
    2008 (every code from A to B inclusive, in code order) they must give exactly the codes the list holds."""
    from inclusief_inkopen import cpv

    ordered = cpv.codes()
    # One item of Annex XIV row 11 has nine digits as transcribed; the list's notes say how it is read.
    misprints = {"794300000-7": "79430000-7"}
    for name in ("annex-xiv", "annex-xiv-health-social", "article-77"):
        code_list = catalogue.list_info[name]
        expanded: set[str] = set()
        for item in code_list.as_written:
            if ".." in item:
                start, end = (cpv.validate(part.strip()) for part in item.split(".."))
                expanded |= {c for c in ordered if start <= c <= end}
            else:
                expanded.add(cpv.validate(misprints.get(item, item)))
        assert expanded == set(code_list.codes), name
        assert all(cpv.label(code, "nl") == label for code, label in code_list.codes.items()), name
    annex, art77 = set(catalogue.lists["annex-xiv"]), set(catalogue.lists["article-77"])
    assert len(annex) == 423 and len(art77) == 115 and art77 <= annex
    # The services the light regime was wrongly denied before catalogue 2026.4.
    assert {"55520000", "79110000", "79713000", "79952000", "80500000", "92000000", "64110000"} <= annex


def test_a_catalogue_is_kept_in_the_process_until_one_of_its_files_changes(catalogue_copy):
    import os

    import inclusief_inkopen.rules.catalogues as catalogues

    first = load_catalogue(catalogue_copy, run_tests=False)
    assert load_catalogue(catalogue_copy, run_tests=False) is first
    path = catalogue_copy / "sources.yaml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # touched, not changed
    assert load_catalogue(catalogue_copy, run_tests=False) is first
    theme = catalogue_copy / "themes" / "digital-accessibility.yaml"
    _edit(theme, "Digitale opleveringen voldoen aan", "Digitale producten voldoen aan")
    changed = load_catalogue(catalogue_copy, run_tests=False)
    assert changed is not first and changed.sha256 != first.sha256
    assert changed.get("TOEG-DIG-01").title.nl.startswith("Digitale producten voldoen aan")
    catalogues.forget()
    assert load_catalogue(catalogue_copy, run_tests=False) is not changed


def test_the_built_in_catalogue_behind_evaluate_is_loaded_once_per_process(monkeypatch):
    import inclusief_inkopen.rules.catalogues as catalogues

    first = catalogues.default_catalogue()
    monkeypatch.setattr(catalogues, "content_hash", lambda *a: pytest.fail("hashed the files again"))
    monkeypatch.setattr(catalogues, "read_parts", lambda *a: pytest.fail("read the files again"))
    for _ in range(100):
        assert catalogues.default_catalogue() is first
    assert evaluate(tender(), on=ON).decisions.catalogue is first


def test_a_catalogue_without_another_regimes_thresholds_serves_classical_tenders_and_names_what_a_utility_needs(
    catalogue_copy,
):
    from inclusief_inkopen import EvaluationError, evaluate

    for name in ("utilities-works", "utilities-supplies-services", "utilities-social-services"):
        (catalogue_copy / f"parameters/eu-threshold/{name}.yaml").unlink()
    # The classical thresholds are all a catalogue must hold to load; its own rule tests of utilities tenders, kept
    # here, would then fail with the same message, so they are not run.
    own = load_catalogue(catalogue_copy, run_tests=False)
    assert evaluate(tender(), own, on=ON).derived["above_eu_threshold"].value is not None
    with pytest.raises(EvaluationError) as caught:
        evaluate(tender(regime="utilities"), own, on=ON)
    files = sorted(p.file.rsplit("/", 1)[-1] for p in caught.value.problems)
    assert files == ["utilities-social-services.yaml", "utilities-supplies-services.yaml", "utilities-works.yaml"]
    assert all("regime 'utilities' needs this threshold" in p.message for p in caught.value.problems)


def test_a_regime_threshold_that_has_no_value_on_the_date_says_what_it_holds(catalogue_copy):
    from inclusief_inkopen import EvaluationError, evaluate

    _edit(
        catalogue_copy / "parameters/eu-threshold/defence-works.yaml",
        "  2024-01-01: {value: 5538000, source: eu-2023-2510}\n",
        "",
    )
    own = load_catalogue(catalogue_copy, run_tests=False)
    assert evaluate(tender(regime="defence", nature="works"), own, on=ON).derived["above_eu_threshold"].value is False
    with pytest.raises(EvaluationError, match=r"defence-works\.yaml: values: no value in force on 2025-06-01") as err:
        evaluate(tender(regime="defence", nature="works"), own, on=dt.date(2025, 6, 1))
    assert isinstance(err.value, NotInForce)  # the date is the matter: a scan on dispatch dates reports it as such


def test_a_regime_threshold_missing_from_the_catalogue_is_not_a_matter_of_the_date(catalogue_copy):
    from inclusief_inkopen import EvaluationError, evaluate

    (catalogue_copy / "parameters/eu-threshold/defence-works.yaml").unlink()
    own = load_catalogue(catalogue_copy, run_tests=False)
    with pytest.raises(EvaluationError, match=r"defence-works\.yaml: values: missing from this catalogue") as err:
        evaluate(tender(regime="defence", nature="works"), own, on=ON)
    assert not isinstance(err.value, NotInForce)


def test_parts_that_passed_the_checks_compile_to_the_same_catalogue_without_them():
    # What a catalogue from the cache is assembled with: its checks are skipped, never its compiling.
    from inclusief_inkopen.rules.loader import assemble, builtin_catalogue_dir, read_parts

    root = builtin_catalogue_dir()
    parts = read_parts(root, [])
    checked = assemble(parts, root)
    again = assemble(parts, root, checked=True)
    assert list(again.criteria) == list(checked.criteria)
    assert again == checked
    pairs = zip(again.criteria.values(), checked.criteria.values(), strict=True)
    assert all((a.reads, a.parameters, a.file) == (b.reads, b.parameters, b.file) for a, b in pairs)
