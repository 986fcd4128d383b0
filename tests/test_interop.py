"""eForms and OCDS: import every example notice, export values that round-trip, compare, scan.

The example notices, code lists and ``fields.json`` in ``tests/data/eforms`` are the eForms SDK's own files,
copied unchanged; ``tests/data/ocds`` holds the OCDS project's fictional example. Expected values are read from
those files with the SDK's *absolute* XPaths, independently of the relative ones the library uses.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from inclusief_inkopen import cpv, eforms, ocds
from inclusief_inkopen.advice.evaluate import evaluate
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.cli import main
from inclusief_inkopen.notices.compare import compare
from inclusief_inkopen.notices.importing import import_notice, read_notice, to_tender
from inclusief_inkopen.notices.scan import indicators, mark_counted, scan
from inclusief_inkopen.rules.catalogue import AccessibilityCode, ReservedCode, SocialObjective, StrategicCode
from inclusief_inkopen.tender.profile import load_tender, parse_tender

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
NOTICES = sorted((DATA / "eforms" / "notices").glob("*.xml"))
OCDS_FILES = sorted((DATA / "ocds").glob("*.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ON = "2026-03-01"


def sdk_fields() -> dict[str, dict[str, Any]]:
    data = json.loads((DATA / "eforms" / "fields.json").read_text("utf-8"))
    return {f["id"]: f for f in data["fields"]}


def gc_codes(name: str) -> set[str]:
    """Codes of a genericode list, read straight from the SDK file."""
    tree = etree.parse(str(DATA / "eforms" / "codelists" / f"{name}.gc"))
    return {v.findtext("SimpleValue") for v in tree.iter("Value") if v.get("ColumnRef") == "code"}


def absolute(doc: Any, field_id: str, fields: dict[str, dict[str, Any]]) -> list[str]:
    hits = doc.xpath(fields[field_id]["xpathAbsolute"], namespaces=eforms.NAMESPACES)
    texts = [h if isinstance(h, str) else (h.text or "") for h in hits]
    return [" ".join(t.split()) for t in texts if t.strip()]


def test_packaged_sdk_data_is_what_the_build_script_makes_from_the_sdk_files() -> None:
    spec = importlib.util.spec_from_file_location("build_eforms_data", ROOT / "scripts" / "build_eforms_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_eforms_data"] = module
    spec.loader.exec_module(module)
    packaged = (ROOT / "src" / "inclusief_inkopen" / "data" / "eforms.json").read_text("utf-8")
    assert packaged == module.render(), "data/eforms.json is stale: run python scripts/build_eforms_data.py"


@pytest.mark.parametrize(
    ("literal", "codelist"),
    [
        (AccessibilityCode, "accessibility"),
        (StrategicCode, "strategic-procurement"),
        (SocialObjective, "social-objective"),
        (ReservedCode, "reserved-procurement"),
    ],
)
def test_every_eforms_code_the_catalogue_can_name_is_in_the_sdk_code_list(literal: Any, codelist: str) -> None:
    from typing import get_args

    assert set(get_args(literal)) <= gc_codes(codelist)


def test_all_92_example_notices_are_there() -> None:
    assert len(NOTICES) == 92


@pytest.mark.parametrize("path", NOTICES, ids=lambda p: p.name)
def test_every_example_notice_imports_and_reads_what_the_sdk_xpaths_find(path: Path) -> None:
    fields = sdk_fields()
    doc = etree.parse(str(path))
    imported = import_notice(path)
    notice = imported.notice
    lots = [lot for lot in notice.lots if lot.scheme == "Lot"]
    parts = [lot for lot in notice.lots if lot.scheme == "Part"]

    assert notice.id == (absolute(doc, "BT-701-notice", fields) or [None])[0]
    assert notice.form_type == (absolute(doc, "BT-03-notice", fields) or [None])[0]
    assert notice.nature == (absolute(doc, "BT-23-Procedure", fields) or [None])[0]
    assert notice.procedure == (absolute(doc, "BT-105-Procedure", fields) or [None])[0]
    assert notice.cpv == absolute(doc, "BT-262-Procedure", fields) + absolute(doc, "BT-263-Procedure", fields)
    assert notice.buyer_legal_types == list(dict.fromkeys(absolute(doc, "BT-11-Procedure-Buyer", fields)))
    value = absolute(doc, "BT-27-Procedure", fields)
    assert (notice.value.amount if notice.value else None) == (float(value[0]) if value else None)
    # A lot without an id (invalid notices have them) is named by its position.
    assert [lot.id for lot in lots if not lot.id.startswith("#")] == absolute(doc, "BT-137-Lot", fields)
    assert [p.id for p in parts if not p.id.startswith("#")] == absolute(doc, "BT-137-Part", fields)
    per_lot = {
        "BT-754-Lot": [lot.accessibility for lot in lots if lot.accessibility],
        "BT-06-Lot": [c for lot in lots for c in lot.strategic_procurement],
        "BT-775-Lot": [c for lot in lots for c in lot.social_objectives],
        "BT-71-Lot": [c for lot in lots for c in lot.reserved_participation],
        "BT-71-Part": [c for p in parts for c in p.reserved_participation],
        "BT-23-Lot": [lot.nature for lot in lots if lot.nature],
        "BT-539-Lot": [c.type for lot in lots for c in lot.award_criteria if c.type],
    }
    for field_id, ours in per_lot.items():
        assert Counter(ours) == Counter(absolute(doc, field_id, fields)), field_id
    lot_cpv = [c for lot in lots for c in lot.cpv]
    assert Counter(lot_cpv) == Counter(absolute(doc, "BT-262-Lot", fields) + absolute(doc, "BT-263-Lot", fields))
    # The draft profile holds only fields a tender profile accepts, with the right types.
    if imported.complete:
        parse_tender(imported.tender, str(path))
    assert set(imported.questions).isdisjoint(imported.tender)


def test_the_maximal_contract_notice_declares_what_its_xml_says() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "cn_24_maximal.xml")
    n = imported.notice
    assert imported.tender["nature"] == "services"
    # BT-27-Procedure says 9,999,999.99 but each of its two lots says as much: all lots together decide (Aw 2.18)
    assert imported.tender["estimated_value_eur"] == 19999999.98
    assert imported.sources["estimated_value_eur"] == "the sum of the lots' BT-271-Lot or BT-27-Lot"
    assert n.procedure_id == "aff2863e-b4cc-4e91-baba-b3b85f709117"  # BT-04
    assert n.legal_basis == "32014L0024"  # BT-01
    assert n.issued == "2023-03-23+01:00"  # BT-05(a)
    assert imported.tender["procedure"] == "competitive-negotiation"  # BT-105 neg-w-call
    assert imported.tender["authority"] == "sub-central"  # BT-11 body-pl
    assert imported.tender["lots"] == 2
    assert [lot.accessibility for lot in n.lots] == ["n-inc-just", "n-inc-just"]
    assert all(lot.accessibility_justification for lot in n.lots)
    assert [lot.strategic_procurement for lot in n.lots] == [["env-imp"], ["env-imp"]]
    assert [lot.social_objectives for lot in n.lots] == [["acc-all"], ["acc-all"]]
    assert [lot.reserved_participation for lot in n.lots] == [["res-pub-ser"], ["none"]]
    assert [c.type for c in n.lots[0].award_criteria] == ["cost", "quality"]


def test_a_value_in_another_currency_is_reported_and_not_converted() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "cn-social_25.xml")
    assert "estimated_value_eur" not in imported.tender
    assert "estimated_value_eur" in imported.questions
    assert any("1231 BWP" in w and "not converted" in w for w in imported.warnings)


def test_a_notice_without_lot_values_sums_nothing_and_asks() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "cn_24_open.xml")
    assert imported.tender["estimated_value_eur"] == 500000
    assert imported.tender["duration_months"] == 36  # BT-36-Lot 36 MONTH
    assert imported.tender["cpv"] == ["71630000", "71314100", "50300000", "31600000"]
    assert imported.complete


def test_an_empty_invalid_notice_imports_as_all_questions() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "INVALID_cn_24_empty.xml")
    assert imported.tender == {}
    assert not imported.complete
    assert {"title", "nature", "estimated_value_eur", "cpv", "end_users", "digital"} <= set(imported.questions)


def test_a_business_registration_notice_imports_with_a_warning() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "X01_EEIG.xml")
    assert imported.tender == {}
    assert any("describes no purchase" in w for w in imported.warnings)


@pytest.mark.parametrize("path", OCDS_FILES, ids=lambda p: p.name)
def test_every_ocds_example_imports(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    imported = import_notice(path)
    assert imported.notice.format == "ocds"
    assert imported.notice.id == "ocds-213czf-000-00001"
    releases = data.get("releases") or [r.get("compiledRelease") for r in data.get("records", [])]
    tender = next((r["tender"] for r in releases if r and "tender" in r and "title" in r["tender"]), None)
    if tender is None:
        assert "title" not in imported.tender
        return
    assert imported.tender["title"] == tender["title"]
    assert imported.tender["nature"] == {"goods": "supplies"}.get(
        tender["mainProcurementCategory"], tender["mainProcurementCategory"]
    )
    if "items" in tender:
        assert imported.tender["cpv"] == ["45233130", "45233162"]
        assert "CPV id 45233130.0 read as 45233130" in imported.warnings
    if "value" in tender:
        assert tender["value"]["currency"] == "GBP"
        assert "estimated_value_eur" not in imported.tender
        assert any("GBP" in w for w in imported.warnings)
    if "contractPeriod" in tender:
        assert imported.tender["duration_months"] == 12  # 365 days
    assert "lots" not in imported.tender  # an OCDS tender without lots is not one lot the buyer made


def test_the_ocds_guess_for_a_cycle_lane_is_public_space_and_marked_as_a_guess() -> None:
    imported = import_notice(DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json")
    guess = next(g for g in imported.guesses if g.field == "physical")
    assert guess.value == ["public-space"]
    assert "gok" in guess.because.nl and "guess" in guess.because.en
    assert "physical" not in imported.tender and "physical" in imported.questions


def test_a_release_package_with_two_processes_is_refused_for_import_but_scanned(tmp_path: Path) -> None:
    release = json.loads((DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text("utf-8"))["releases"][0]
    other = dict(release, ocid="ocds-213czf-000-00002", id="other")
    path = tmp_path / "two.json"
    path.write_text(json.dumps({"releases": [release, other]}))
    with pytest.raises(InputError, match="holds 2 contracting processes"):
        read_notice(path)
    rows = list(scan([path]))
    assert [r["notice_id"] for r in rows] == ["ocds-213czf-000-00001", "ocds-213czf-000-00002"]


# --- export and round trips -------------------------------------------------------------------------------


def declared_codes(notice: Any) -> set[tuple[str, str, str]]:
    """(lot, field, code) for every strategic-procurement code a notice declares."""
    return {(lot.id, field, code) for lot in notice.lots for field in eforms.TERMS for code in lot.codes(field)}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_exported_values_use_only_sdk_codes_and_read_back_the_same(path: Path) -> None:
    advice = evaluate(load_tender(path))
    lots = ["LOT-0001", "LOT-0002"]
    values = eforms.export_values(advice, lots)
    lists = {v.codelist for v in values}
    for codelist in lists:
        assert {v.code for v in values if v.codelist == codelist} <= gc_codes(codelist)
    wanted = {(v.lot, v.field, v.code) for v in values if not v.option}

    back = eforms.read_eforms(eforms.lots_xml(values), "exported.xml")
    assert declared_codes(back) == wanted

    release = {"ocid": "ocds-test-1", "tag": ["tender"], **ocds.export_lots(advice, lots)}
    from_ocds = ocds.read_ocds(json.dumps(release), "exported.json")
    assert declared_codes(from_ocds) == wanted


def test_a_notice_that_declares_what_the_advice_exports_has_no_gaps() -> None:
    advice = evaluate(load_tender(ROOT / "examples" / "website-bewoners.yaml"))
    notice = eforms.read_eforms(eforms.lots_xml(eforms.export_values(advice, ["LOT-1"])), "x.xml")
    comparison = compare(notice, advice)
    assert comparison.findings and not comparison.gaps


def test_a_public_website_notice_saying_accessibility_is_not_included_contradicts_the_advice() -> None:
    path = DATA / "eforms" / "notices" / "cn_24_maximal.xml"
    imported = import_notice(path)
    tender = parse_tender(imported.tender | {"end_users": ["residents"], "digital": ["website"]})
    comparison = compare(imported.notice, evaluate(tender, on=__import__("datetime").date(2026, 3, 1)))
    access = [f for f in comparison.findings if f.business_term == "BT-754-Lot"]
    assert [f.status for f in access] == ["contradicts", "contradicts"]
    assert all(f.level == "required" and "TOEG-DIG-01" in f.basis for f in access)
    assert access[0].declared == ["n-inc-just"]
    social = {(f.lot, f.expected): f.status for f in comparison.findings if f.business_term == "BT-775-Lot"}
    assert social[("LOT-0001", "acc-all")] == "declared"
    assert social[("LOT-0001", "opp")] == "missing"  # social return applies above the threshold


def test_an_unassessable_notice_compares_to_nothing() -> None:
    imported = import_notice(DATA / "eforms" / "notices" / "cn_24_minimal.xml")
    assert not imported.complete
    comparison = compare(imported.notice, None)
    assert not comparison.assessed and comparison.findings == []


# --- CPV ---------------------------------------------------------------------------------------------------


def test_every_cpv_2008_code_is_bundled_with_both_labels() -> None:
    assert len(cpv.codes()) == 9454
    assert cpv.label("79710000", "en") == "Security services"
    assert cpv.label("79710000", "nl") == "Beveiligingsdiensten"
    assert cpv.label("72413000", "nl") == "Diensten voor het ontwerpen van websites"
    # The eForms social-service list is a subset of the full list, with the same labels.
    listed = gc_codes("cpv_social-service-cpv")
    assert len(listed) == 115 and all(cpv.exists(code) for code in listed)


def test_the_bundled_cpv_table_is_the_shared_one() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "cpv" / "cpv2008.csv"
    if not shared.exists():
        pytest.skip("the project's shared/ folder is not beside this checkout")
    import csv

    with shared.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(cpv.codes())
    for row in rows:
        assert cpv.full(row["code"]) == f"{row['code']}-{row['check_digit']}"
        assert (cpv.label(row["code"], "nl"), cpv.label(row["code"], "en")) == (row["label_nl"], row["label_en"])


def test_a_cpv_code_that_does_not_exist_is_refused_with_the_nearest_codes() -> None:
    with pytest.raises(cpv.InvalidCPV, match=r"72413001 is not in the CPV 2008 list; the closest codes are 72413000-8"):
        cpv.validate("72413001")
    with pytest.raises(cpv.InvalidCPV, match=r"check digit of 55520000 is 1, not 2"):
        cpv.validate("55520000-2")
    assert cpv.validate("55520000-1") == "55520000"


def test_the_cpv_hierarchy_comes_from_the_list() -> None:
    # 45233130 has no 4523313x parent in the list; its parent is the nearest code above it that exists.
    assert cpv.parent("45233130") == "45233000"
    assert cpv.ancestors("79713000") == ["79710000", "79700000", "79000000"]
    assert all(cpv.exists(a) for code in ("85311300", "30213100") for a in cpv.ancestors(code))


def test_cpv_hierarchy() -> None:
    assert [cpv.level(c) for c in ("45000000", "45200000", "45230000", "45233000", "45233130")] == [
        "division",
        "group",
        "class",
        "category",
        "subcategory",
    ]
    chain = []
    code: str | None = "45233130"
    while code:
        chain.append(code)
        code = cpv.parent(code)
    assert chain == ["45233130", "45233000", "45230000", "45200000", "45000000"]


# --- scan --------------------------------------------------------------------------------------------------


def test_scanning_the_examples_gives_one_row_per_process_and_counts_only_assessed_notices_above_threshold() -> None:
    import datetime as dt

    rows = list(scan([DATA / "eforms" / "notices", DATA / "ocds"], on=dt.date(2026, 3, 1)))
    skipped = [r for r in rows if r["status"] == "skipped"]
    assert [Path(r["file"]).name for r in skipped] == ["README.md"]  # listed, never silently left out
    assert "not a notice or an archive (.md)" in skipped[0]["error"]
    rows = [r for r in rows if r["status"] != "skipped"]
    assert len(rows) == 100
    assert not [r for r in rows if r["status"] == "error"]
    by_file = {Path(r["file"]).name: r for r in rows}
    assert by_file["cn_24_maximal.xml"]["declares_accessibility"] == "no"
    assert by_file["cn_24_maximal.xml"]["names_social_objective"] == "yes"
    assert by_file["cn_24_maximal.xml"]["reserved"] == "yes"
    # no value, but subtype 16 under the directive: judged as above the threshold, as declared
    assert by_file["cn_24_minimal.xml"]["status"] == "gaps" and by_file["cn_24_minimal.xml"]["above_threshold"] == "yes"
    assert by_file["E3_minimal.xml"]["status"] == "ok" and by_file["E3_minimal.xml"]["above_threshold"] == "no"
    # what is still not assessed names what is missing: the nature, the value in euro, or a regime advised
    for row in rows:
        if row["status"] == "not-assessed":
            error = row["error"]
            assert "does not give nature" in error or "value" in error or "does not cover this regime" in error, error
    items = indicators(rows)
    overall = {i.indicator: i for i in items if i.group == "all"}
    mark_counted(rows)
    # once per procedure: the SDK's examples share procedure identifiers, and the OCDS files are one process
    assert len({r["procedure_id"] for r in rows}) < len(rows)
    assert sum(r["counted"] == "yes" for r in rows if r["procedure_id"] == "ocds-213czf-000-00001") == 1

    def above(column: str) -> list[dict[str, str]]:  # counted procedures above the threshold that say yes or no
        return [
            r
            for r in rows
            if r["counted"] == "yes"
            and r["status"] in ("ok", "gaps")
            and r["above_threshold"] == "yes"
            and r[column] in ("yes", "no")
        ]

    social = above("names_social_objective")
    assert overall["social-objective-named"].denominator == len(social) > 0
    assert overall["social-objective-named"].numerator == sum(r["names_social_objective"] == "yes" for r in social)
    by_nature = [i for i in items if i.group == "nature" and i.indicator == "reserved"]
    assert sum(i.denominator for i in by_nature) == len(above("reserved")) > 0


def test_a_broken_file_is_a_row_with_its_error_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-broken.xml").write_bytes(b"<ContractNotice><unclosed>")
    (tmp_path / "b-bomb.xml").write_bytes(b'<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>')
    (tmp_path / "c-good.xml").write_bytes((DATA / "eforms" / "notices" / "cn_24_open.xml").read_bytes())
    (tmp_path / "d-bad.json").write_text("{not json")
    rows = list(scan([tmp_path]))
    assert [r["status"] for r in rows] == ["error", "error", "gaps", "error"]
    assert "a-broken.xml" in rows[0]["error"] and "not well-formed XML" in rows[0]["error"]
    assert "DOCTYPE" in rows[1]["error"]
    assert "not valid JSON" in rows[3]["error"]


def test_cli_scan_writes_csv_and_an_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    code = main(
        [
            "scan",
            str(DATA / "ocds"),
            str(DATA / "eforms" / "notices" / "cn_24_open.xml"),
            "-o",
            str(out),
            "-q",
            "--on",
            ON,
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "9 notices from 10 files" in printed and "1 skipped" in printed  # the folder's README.md
    assert "2 procedures, 2 counted from their latest contract notice" in printed
    notices = (out / "notices.csv").read_text().splitlines()
    assert notices[0].startswith("file,notice_id,procedure_id,issued,judged_on,format") and len(notices) == 11
    assert (out / "indicators.csv").read_text().startswith("group,value,indicator,numerator,denominator,share")
    page = (out / "report.html").read_text()
    assert '<html lang="nl">' in page and '<svg role="img"' in page and "<caption" in page


def test_cli_scan_on_two_workers_gives_the_same_rows(tmp_path: Path) -> None:
    import datetime as dt

    one = list(scan([DATA / "eforms" / "notices"], on=dt.date(2026, 3, 1)))
    two = list(scan([DATA / "eforms" / "notices"], on=dt.date(2026, 3, 1), workers=2))
    assert one == two


# --- CLI ---------------------------------------------------------------------------------------------------


def test_cli_import_writes_a_draft_that_validates_once_the_questions_are_answered(tmp_path: Path) -> None:
    out = tmp_path / "tender.yaml"
    assert main(["import", str(DATA / "eforms" / "notices" / "cn_24_open.xml"), "-o", str(out)]) == 0
    text = out.read_text("utf-8")
    assert text.startswith("# Concept-tenderprofiel uit") and "#   end_users:" in text
    tender = load_tender(out)
    assert tender.nature == "services" and tender.estimated_value_eur == 500000 and tender.end_users is None
    # Run again over the file: the old version is kept as a backup.
    assert main(["import", str(DATA / "eforms" / "notices" / "cn_24_open.xml"), "-o", str(out)]) == 0
    assert (tmp_path / "tender.yaml~").read_text("utf-8") == text


def test_cli_compare_strict_fails_on_a_required_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    notice = str(DATA / "eforms" / "notices" / "cn_24_maximal.xml")
    assert main(["compare", notice, "--answers", str(answers), "--on", ON, "--strict"]) == 1
    assert "BT-754-Lot" in capsys.readouterr().out
    assert main(["compare", notice, "--answers", str(answers), "--on", ON]) == 0


def test_compare_without_a_value_reports_what_holds_at_any_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # cn_24_minimal gives no estimated value (BT-27 is optional); a public website needs BT-775 "acc-all" whatever
    # the value, and the notice names no social objective: that gap is reported, the value asked. With its legal
    # basis (BT-01) and subtype (OPP-070) taken out, the notice does not say on which side of the threshold it is.
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    notice = str(_undeclared(tmp_path, "cn_24_minimal.xml"))
    assert main(["compare", notice, "--answers", str(answers), "--on", ON, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value_known"] is False and result["above_threshold"] is None and result["assessed"] is True
    assert "estimated_value_eur" in result["undetermined"]
    gaps = {(f["business_term"], f["expected"], f["status"]) for f in result["findings"] if f["level"] == "required"}
    assert ("BT-775-Lot", "acc-all", "missing") in gaps
    # the website's accessibility (BT-754) is expected at every value, by TOEG-DIG-01 alone: kept with that basis
    [bt754] = [f for f in result["findings"] if f["business_term"] == "BT-754-Lot"]
    assert bt754["basis"] == ["TOEG-DIG-01"] and bt754["status"] == "missing"
    # social return's objective comes only from the EU threshold up: it is no finding at any value
    assert not [f for f in result["findings"] if f["expected"] == "opp"]
    # the same finding at a value above and below every threshold: it is one no value could make right
    for value in (1, 10**9):
        answers.write_text(f"end_users: [residents]\ndigital: [website]\nestimated_value_eur: {value}\n")
        assert main(["compare", notice, "--answers", str(answers), "--on", ON, "--format", "json"]) == 0
        found = json.loads(capsys.readouterr().out)["findings"]
        assert any(f["expected"] == "acc-all" and f["status"] == "missing" for f in found)
        assert any(f["expected"] == "opp" for f in found) == (value > 216000)  # social return, above the threshold
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    assert main(["compare", notice, "--answers", str(answers), "--on", ON, "--strict", "--lang", "en"]) == 1
    assert "the notice gives no estimated value: only what holds at any value is assessed" in capsys.readouterr().out


def _undeclared(tmp_path: Path, name: str) -> Path:
    """An SDK example with its legal basis (BT-01), notice subtype (OPP-070) and buyer legal type (BT-11, which would
    name another regime) taken out."""
    text = (DATA / "eforms" / "notices" / name).read_text("utf-8")
    for tag in ("cbc:RegulatoryDomain", "cbc:SubTypeCode", "cac:ContractingPartyType"):
        start = text.index(f"<{tag}")
        text = text[:start] + text[text.index(f"</{tag}>", start) + len(f"</{tag}>") :]
    path = tmp_path / f"undeclared-{name}"
    path.write_text(text, "utf-8")
    return path


def test_a_notice_without_a_value_is_judged_on_the_side_of_the_threshold_it_was_published_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # cn_24_minimal is subtype 16 under Directive 2014/24/EU and gives no value: the buyer runs a procedure above the
    # threshold, so what holds at every value above it is compared, social return's objective included.
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    notice = str(DATA / "eforms" / "notices" / "cn_24_minimal.xml")
    assert main(["compare", notice, "--answers", str(answers), "--on", ON, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["assessed"] is True and result["above_threshold"] is True and result["value_known"] is False
    assert result["note"]["en"] == (
        "published under Directive 2014/24/EU (BT-01 32014L0024, subtype 16: Contract notice – general directive, "
        "standard regime); no estimated value given: judged as above the EU threshold, as declared"
    )
    assert result["note"]["nl"].startswith("aangekondigd onder Richtlijn 2014/24/EU (BT-01 32014L0024, subtype 16: ")
    expected = {(f["expected"], f["status"]) for f in result["findings"] if f["level"] == "required"}
    assert ("acc-all", "missing") in expected and ("opp", "missing") in expected  # social return, above it
    # a voluntary notice (E3, legal basis "other") without a value: judged as below the threshold, as declared
    voluntary = str(DATA / "eforms" / "notices" / "E3_minimal.xml")
    assert main(["compare", voluntary, "--on", ON, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["above_threshold"] is False and result["assessed"] is True
    assert result["note"]["en"].startswith(
        "published as a voluntary or national notice, not under the directive (BT-01 other, subtype E3: Voluntary "
        "contract notice); no estimated value given: judged as below the EU threshold"
    )


def test_a_directive_notice_far_below_the_threshold_is_a_voluntary_publication_judged_on_its_value(
    tmp_path: Path,
) -> None:
    from inclusief_inkopen.notices.compare import assess
    from inclusief_inkopen.rules.catalogues import default_catalogue

    text = OPEN.decode().replace(
        ">500000</cbc:EstimatedOverallContractAmount>", ">20000</cbc:EstimatedOverallContractAmount>"
    )
    imported = import_notice(_write(tmp_path, "small.xml", text))
    assert imported.tender["estimated_value_eur"] == 20000
    comparison, advice = assess(imported, default_catalogue(), on=dt.date(2026, 3, 1))
    assert advice is not None and comparison.above_threshold is False
    assert comparison.note is not None and comparison.note.en == (
        "voluntary publication: published under Directive 2014/24/EU (BT-01 32014L0024, subtype 16: Contract notice – "
        "general directive, standard regime), but the estimated value is below the EU threshold; judged on the value"
    )
    assert not [f for f in comparison.findings if f.expected == "opp"]  # no social return below the threshold


def test_the_subtype_says_the_legal_basis_where_bt_01_is_missing() -> None:
    from inclusief_inkopen.notices.notice import Notice
    from inclusief_inkopen.notices.regimes import declared, regime_of

    # Subtype 17 is a contract notice under the utilities directive (eForms SDK notice types).
    assert regime_of(Notice(file=None, format="eforms", subtype="17")) == ("utilities", "subtype 17")
    said = declared(Notice(file=None, format="eforms", subtype="16"))
    assert said is not None and said.above is True
    assert said.text.en == (
        "published under Directive 2014/24/EU (OPP-070, subtype 16: Contract notice – general directive, standard "
        "regime)"
    )
    assert declared(Notice(file=None, format="eforms", subtype="E2")).above is False  # type: ignore[union-attr]
    assert declared(Notice(file=None, format="eforms")) is None  # nothing declared: judged at any value
    utilities = declared(Notice(file=None, format="eforms", legal_basis="32014L0025"))  # another regime, advised
    assert utilities is not None and utilities.above is True
    assert utilities.text.en == "published under Directive 2014/25/EU (BT-01 32014L0025)"
    assert declared(Notice(file=None, format="eforms", legal_basis="32024R2509")) is None  # a regime not advised


def test_a_utilities_notice_without_a_value_is_judged_above_its_own_threshold_as_declared() -> None:
    from inclusief_inkopen.notices.scan import scan_file

    [row] = scan_file(DATA / "eforms" / "notices" / "cn-social_25.xml", on=dt.date(2026, 3, 1))
    assert row["regime"] == "utilities" and row["status"] in ("ok", "gaps") and row["above_threshold"] == "yes"
    assert row["error"].startswith(
        "published under Directive 2014/25/EU (BT-01 32014L0025, subtype 21: Contract notice – sectoral directive, "
        "light regime); no estimated value given: judged as above the EU threshold, as declared"
    )


def test_cli_compare_names_what_a_notice_lacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DATA / "eforms" / "notices" / "cn_24_minimal.xml").read_text("utf-8")
    path = tmp_path / "no-nature.xml"
    path.write_text(
        text.replace('<cbc:ProcurementTypeCode listName="contract-nature">services</cbc:ProcurementTypeCode>', "")
    )
    assert main(["compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no-nature.xml: nature" in err and "--answers" in err


def test_cli_export_takes_lot_ids_from_the_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    notice = str(DATA / "eforms" / "notices" / "cn_24_maximal.xml")
    assert main(["export", notice, "--answers", str(answers), "--on", ON, "--format", "ocds"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [lot["id"] for lot in data["tender"]["lots"]] == ["LOT-0001", "LOT-0002"]
    assert data["tender"]["lots"][0]["hasAccessibilityCriteria"] is True


def test_bad_answers_are_named_with_their_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [aliens]\n")
    assert main(["compare", str(DATA / "eforms" / "notices" / "cn_24_open.xml"), "--answers", str(answers)]) == 2
    err = capsys.readouterr().err
    assert "answers.yaml" in err and "end_users[0]" in err


def test_the_imported_draft_of_a_complete_notice_evaluates() -> None:
    for path in NOTICES:
        imported = to_tender(read_notice(path))
        if imported.complete:
            assert evaluate(imported.tender).tender["title"] == imported.tender["title"]


# --- hostile and malformed input ---------------------------------------------------------------------------

OPEN = (DATA / "eforms" / "notices" / "cn_24_open.xml").read_bytes()


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "xxe.xml",
            '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>',
            "line 2: a DOCTYPE or ENTITY declaration is not allowed",
        ),
        (
            "laughs.xml",
            '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><l>&d;</l>',
            "a DOCTYPE or ENTITY declaration is not allowed",
        ),
        ("undefined-entity.xml", "<r>&x;</r>", "not well-formed XML"),
        ("truncated.xml", OPEN[: len(OPEN) // 2], "not well-formed XML"),
        ("empty.xml", "", "neither"),
        ("latin1.xml", '<?xml version="1.0" encoding="UTF-8"?><r>caf\xe9</r>'.encode("latin-1"), "not well-formed XML"),
        ("deep.xml", "<a>" * 5000 + "</a>" * 5000, "not well-formed XML"),
        (
            "wrong-namespace.xml",
            OPEN.replace(
                b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"', b'xmlns="urn:example:wrong"'
            ),
            "expected an eForms notice",
        ),
        ("html.xml", "<html><body>hello</body></html>", "got 'html' in namespace 'none'"),
        (
            "bad-amount.xml",
            OPEN.replace(b'currencyID="EUR">500000<', b'currencyID="EUR">lots<', 1),
            "BT-27-Procedure: expected a number, got 'lots'",
        ),
        (
            "negative-duration.xml",
            OPEN.replace(b'unitCode="MONTH">36<', b'unitCode="MONTH">-36<', 1),
            "BT-36-Lot: expected a number of zero or more",
        ),
        ("not-json.json", "{not json", "not valid JSON"),
        ("deep.json", '{"releases": ' + "[" * 200 + "]" * 200 + "}", "nested more than 64 levels"),
        (
            "string-amount.json",
            '{"ocid": "o-1", "tender": {"value": {"amount": "1e6", "currency": "EUR"}}}',
            "tender.value.amount: expected a number",
        ),
        ("lots-object.json", '{"ocid": "o-1", "tender": {"lots": {"id": 1}}}', "tender.lots: expected a list"),
        ("no-ocid.json", '{"releases": [{"tender": {}}]}', "releases[0]: a release needs an ocid"),
        ("not-ocds.json", '{"title": "a tender profile"}', "expected OCDS"),
        ("utf16.json", '{"ocid": "o-1"}'.encode("utf-16"), "not UTF-8 text; OCDS JSON is UTF-8"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.endswith((".xml", ".json")) else "",
)
def test_hostile_and_malformed_notices_get_a_clear_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes | str, expected: str
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(InputError) as caught:
        import_notice(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message


def test_the_entity_in_a_refused_file_is_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = _write(tmp_path, "x.xml", f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>')
    with pytest.raises(InputError) as caught:
        import_notice(path)
    assert "TOP-SECRET" not in str(caught.value)


def test_a_notice_bigger_than_the_cap_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inclusief_inkopen.notices.importing as notice_module

    monkeypatch.setattr(notice_module, "MAX_NOTICE_BYTES", 1_000_000)
    with pytest.raises(InputError, match=r"file is 1,762,438 bytes; at most 1,000,000 are accepted"):
        import_notice(DATA / "eforms" / "notices" / "cn_24_maximal_100_lots.xml")


def test_a_wrong_cpv_check_digit_in_a_notice_is_reported_and_left_out(tmp_path: Path) -> None:
    path = _write(tmp_path, "cpv.xml", OPEN.replace(b">71630000<", b">72413000-1<", 1))
    imported = import_notice(path)
    assert "72413000" not in imported.tender["cpv"]
    assert any("check digit of 72413000 is 8, not 1" in w for w in imported.warnings)


def test_an_unknown_code_in_a_notice_is_reported(tmp_path: Path) -> None:
    maximal = (DATA / "eforms" / "notices" / "cn_24_maximal.xml").read_bytes()
    path = _write(
        tmp_path,
        "code.xml",
        maximal.replace(b'listName="strategic-procurement">env-imp<', b'listName="strategic-procurement">inc-soc<', 1),
    )
    imported = import_notice(path)
    assert any("BT-06 code 'inc-soc' is not in the eForms code list" in w for w in imported.warnings)


def test_cli_import_of_a_hostile_file_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "x.xml", '<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')
    out = tmp_path / "tender.yaml"
    out.write_text("title: kept\n")
    assert main(["import", str(path), "-o", str(out)]) == 2
    assert "x.xml: line 1: a DOCTYPE" in capsys.readouterr().err
    assert out.read_text() == "title: kept\n"


def test_a_notice_that_awards_on_price_alone_misses_the_advised_quality_criterion(tmp_path: Path) -> None:
    price_only = OPEN.replace(b'award-criterion-type">quality<', b'award-criterion-type">price<')
    assert price_only != OPEN
    path = _write(tmp_path, "price.xml", price_only)
    imported = import_notice(path)
    tender = parse_tender(imported.tender | {"end_users": ["residents"], "digital": ["website"]})
    import datetime as dt

    advice = evaluate(tender, on=dt.date(2026, 3, 1))
    award = [f for f in compare(imported.notice, advice).findings if f.business_term == "BT-539-Lot"]
    assert [(f.expected, f.status, f.declared) for f in award] == [("quality", "missing", ["price"])]
    assert "TOEG-DIG-04" in award[0].basis  # the accessibility award criterion
    as_is = compare(import_notice(DATA / "eforms" / "notices" / "cn_24_open.xml").notice, advice)
    assert [f.status for f in as_is.findings if f.business_term == "BT-539-Lot"] == ["declared"]


def test_a_json_file_that_is_not_utf8_is_a_row_with_its_error_in_a_scan(tmp_path: Path) -> None:
    path = _write(tmp_path, "latin1.json", '{"ocid": "o-1", "tender": {"title": "caf\xe9"}}'.encode("latin-1"))
    rows = list(scan([path]))
    assert [r["status"] for r in rows] == ["error"]
    assert "latin1.json: byte 40: not UTF-8 text" in rows[0]["error"]


def test_a_guess_from_a_cpv_code_names_the_code_with_its_label() -> None:
    from inclusief_inkopen.notices.guesses import guesses_from_cpv as _guesses

    (guess,) = _guesses(["72413000"])
    assert guess.field == "digital" and guess.value == ["website"]
    assert guess.because.nl == "gok op grond van CPV 72413000 Diensten voor het ontwerpen van websites; controleer dit"
    assert guess.because.en == "guess from CPV 72413000 World wide web (www) site design services; please check"


def test_every_cpv_guess_is_a_value_the_tender_profile_accepts() -> None:
    from inclusief_inkopen.notices.guesses import CPV_GUESSES
    from inclusief_inkopen.tender.facts import FIELDS

    for prefix, field, value in CPV_GUESSES:
        spec = FIELDS[field]
        assert value == "true" if spec.type == "bool" else value in spec.values, (prefix, field, value)


def _ocds_release(tender: dict, ocid: str = "ocds-xyz-1") -> dict:
    return {"ocid": ocid, "id": f"{ocid}-tender", "date": "2026-03-01T00:00:00Z", "tag": ["tender"], "tender": tender}


def test_ocds_main_cpv_is_the_tenders_classification_then_its_additional_ones(tmp_path: Path) -> None:
    release = _ocds_release(
        {
            "id": "t",
            "title": "Leerlingenvervoer",
            "classification": {"scheme": "CPV", "id": "60130000"},
            "additionalClassifications": [{"scheme": "CPV", "id": "60140000"}],
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "34121000"}}],
            "lots": [{"id": "L1"}, {"id": "L2"}],
        }
    )
    path = _write(tmp_path, "uk.json", json.dumps(release))
    imported = import_notice(path)
    assert imported.notice.cpv[:2] == ["60130000", "60140000"]
    assert imported.tender["cpv"][0] == "60130000"
    assert all(lot.cpv[0] == "60130000" for lot in imported.notice.lots)  # lots without items of their own


def test_ocds_tender_level_declarations_hold_for_lots_that_do_not_say_otherwise(tmp_path: Path) -> None:
    release = _ocds_release(
        {
            "id": "t",
            "title": "Sociale werkplaats",
            "otherRequirements": {"reservedParticipation": ["shelteredWorkshop"]},
            "hasAccessibilityCriteria": True,
            "awardCriteria": {"criteria": [{"type": "quality", "description": "Inclusieplan"}]},
            "lots": [{"id": "L1"}, {"id": "L2", "hasAccessibilityCriteria": False}],
        }
    )
    notice = read_notice(_write(tmp_path, "reserved.json", json.dumps(release)))
    first, second = notice.lots
    assert first.reserved_participation == second.reserved_participation == ["res-ws"]
    assert first.accessibility == "inc" and second.accessibility == "n-inc"
    assert [c.type for c in first.award_criteria] == ["quality"]


def test_ocds_json_lines_are_read_and_versioned_or_linked_records_are_named(tmp_path: Path) -> None:
    lines = "\n".join(
        json.dumps(_ocds_release({"id": "t", "title": f"Opdracht {i}"}, ocid=f"ocds-xyz-{i}")) for i in range(3)
    )
    from inclusief_inkopen.notices.importing import read_notices

    notices = read_notices(_write(tmp_path, "releases.jsonl", lines + "\n"))
    assert [n.title for n in notices] == ["Opdracht 0", "Opdracht 1", "Opdracht 2"]
    versioned = {"records": [{"ocid": "ocds-xyz-9", "versionedRelease": {"ocid": "ocds-xyz-9"}}]}
    with pytest.raises(InputError, match="versionedRelease only: versioned releases are not read"):
        read_notices(_write(tmp_path, "versioned.json", json.dumps(versioned)))
    linked = {
        "records": [{"ocid": "ocds-xyz-9", "releases": [{"url": "https://example.org/r.json", "tag": ["tender"]}]}]
    }
    with pytest.raises(InputError, match="releases are links"):
        read_notices(_write(tmp_path, "linked.json", json.dumps(linked)))


def test_an_ocds_award_criterion_whose_description_is_a_number_has_that_weight_not_that_name(tmp_path: Path) -> None:
    release = _ocds_release(
        {
            "id": "t",
            "title": "Schoonmaak",
            "awardCriteria": {
                "criteria": [
                    {"type": "price", "description": "50"},
                    {"type": "quality", "description": "40 %"},
                    {"type": "quality", "name": "Social return", "numbers": [{"number": 10}]},
                ]
            },
        }
    )
    [lot] = read_notice(_write(tmp_path, "weights.json", json.dumps(release))).lots
    assert [(c.type, c.name, c.weight) for c in lot.award_criteria] == [
        ("price", None, 50.0),
        ("quality", None, 40.0),
        ("quality", "Social return", 10.0),
    ]


@pytest.mark.parametrize(
    ("unit", "value", "months"),
    [("CALENDAR_DAY", "365", 12), ("DAY", "90", 3), ("WEEK", "26", 6), ("YEAR", "4", 48), ("WORKING_DAY", "260", 12)],
)
def test_eforms_durations_in_any_unit_become_months(tmp_path: Path, unit: str, value: str, months: int) -> None:
    data = OPEN.replace(
        b'<cbc:DurationMeasure unitCode="MONTH">36</cbc:DurationMeasure>',
        f'<cbc:DurationMeasure unitCode="{unit}">{value}</cbc:DurationMeasure>'.encode(),
        1,
    )
    imported = import_notice(_write(tmp_path, "duration.xml", data))
    assert imported.tender["duration_months"] == months


def test_an_unreadable_duration_is_said_not_dropped(tmp_path: Path) -> None:
    data = OPEN.replace(
        b'<cbc:DurationMeasure unitCode="MONTH">36</cbc:DurationMeasure>',
        b'<cbc:DurationMeasure unitCode="FORTNIGHT">3</cbc:DurationMeasure>',
        1,
    )
    imported = import_notice(_write(tmp_path, "duration.xml", data))
    assert any("FORTNIGHT" in w and "duration_months" in w for w in imported.warnings)


def test_cpv_codes_written_by_import_are_quoted_strings(tmp_path: Path) -> None:
    from inclusief_inkopen.notices.importing import to_yaml

    data = OPEN.replace(b">71630000<", b">09121200<", 1)
    text = to_yaml(import_notice(_write(tmp_path, "gas.xml", data)))
    assert "- '09121200'" in text  # a YAML 1.2 reader would make an unquoted 09121200 the number 9121200


def test_a_social_objective_without_bt06_reads_the_same_from_eforms_and_from_ocds(tmp_path: Path) -> None:
    from inclusief_inkopen.notices.eforms import read_eforms

    eforms_lot = read_eforms(
        # The lot's own ProcurementProject is the one indented twice (the first in the file is the notice's).
        OPEN.replace(
            b"\t\t</cac:ProcurementProject>",
            b'<cac:ProcurementAdditionalType><cbc:ProcurementTypeCode listName="social-objective">et-eq'
            b"</cbc:ProcurementTypeCode></cac:ProcurementAdditionalType></cac:ProcurementProject>",
            1,
        ),
        "n.xml",
    ).lots[0]
    ocds_lot = read_notice(
        _write(
            tmp_path,
            "o.json",
            json.dumps(
                _ocds_release(
                    {
                        "id": "t",
                        "title": "x",
                        "hasSustainability": True,
                        "sustainability": [{"goal": "social.ethnicEquality"}],
                    }
                )
            ),
        )
    ).lots[0]
    assert eforms_lot.social_objectives == ocds_lot.social_objectives == ["et-eq"]
    assert eforms_lot.strategic_procurement == []  # what the eForms notice says: no BT-06
    assert eforms_lot.codes("strategic_procurement") == ocds_lot.codes("strategic_procurement") == ["soc-obj"]


@pytest.mark.parametrize("amount", ["0", "0.01"])
def test_a_placeholder_value_is_no_value_and_the_scan_row_says_what_is_missing(tmp_path: Path, amount: str) -> None:
    from inclusief_inkopen.notices.scan import scan_file

    text = OPEN.decode()
    start = text.index("<cbc:EstimatedOverallContractAmount")
    end = text.index("</cbc:EstimatedOverallContractAmount>", start)
    opening = text[start : text.index(">", start) + 1]
    data = (text[:start] + opening + amount + text[end:]).encode()
    path = _write(tmp_path, "placeholder.xml", data)
    imported = import_notice(path)
    assert "estimated_value_eur" not in imported.tender
    assert any("placeholder" in w for w in imported.warnings)
    [row] = scan_file(path)
    # No value, but published under the directive (subtype 16): judged as above the threshold, as declared.
    assert row["status"] in ("ok", "gaps") and row["above_threshold"] == "yes"
    assert row["error"].startswith("published under Directive 2014/24/EU (BT-01 32014L0024, subtype 16: ")
    assert "no estimated value given: judged as above the EU threshold, as declared" in row["error"]


def test_a_placeholder_procedure_value_gives_way_to_the_lots_values(tmp_path: Path) -> None:
    text = OPEN.decode()
    text = text.replace(">500000</cbc:EstimatedOverallContractAmount>", ">0</cbc:EstimatedOverallContractAmount>", 1)
    # The lot's own estimate (BT-27-Lot), in the lot's ProcurementProject (the one indented twice).
    lot_value = (
        '<cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="EUR">250000'
        "</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>"
    )
    text = text.replace("\t\t</cac:ProcurementProject>", lot_value + "</cac:ProcurementProject>", 1)
    imported = import_notice(_write(tmp_path, "lots.xml", text.encode()))
    assert [lot.value.amount for lot in imported.notice.lots if lot.value] == [250000.0]
    assert imported.tender["estimated_value_eur"] == 250000
    assert any("BT-27-Procedure) is a placeholder" in w for w in imported.warnings)
