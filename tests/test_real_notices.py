"""Real notices as publishers write them (issue 17): which value decides the threshold and where it came from,
other regimes' own thresholds, TED notices from before eForms, one procedure counted once, and archives scanned
as they stream with every skipped file named."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from inclusief_inkopen import evaluate
from inclusief_inkopen.cli import main
from inclusief_inkopen.notices import sources
from inclusief_inkopen.notices.compare import assess
from inclusief_inkopen.notices.importing import import_notice, read_notice, to_tender, to_yaml
from inclusief_inkopen.notices.ocds import read_ocds
from inclusief_inkopen.notices.regimes import regime_of
from inclusief_inkopen.notices.scan import indicators, mark_counted, procedures, scan
from inclusief_inkopen.rules.catalogues import default_catalogue

DATA = Path(__file__).parent / "data"
SDK = DATA / "eforms" / "notices"
TED = DATA / "ted"
ON = dt.date(2026, 3, 1)
OPEN = (SDK / "cn_24_open.xml").read_text("utf-8")


def _with_framework_maximum(amount: str, estimate: str = "500000") -> str:
    """cn_24_open.xml (BT-27-Procedure 500,000) with a framework maximum (BT-271-Procedure) where UBL puts it."""
    extension = (
        "<ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>"
        f'<efbc:FrameworkMaximumAmount currencyID="EUR">{amount}</efbc:FrameworkMaximumAmount>'
        "</efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>"
    )
    old = '<cbc:EstimatedOverallContractAmount currencyID="EUR">500000</cbc:EstimatedOverallContractAmount>'
    amount = "cbc:EstimatedOverallContractAmount"
    new = f'{extension}<{amount} currencyID="EUR">{estimate}</{amount}>'
    assert old in OPEN
    return OPEN.replace(old, new, 1)


# --- which value decides, and where it came from ----------------------------------------------------------------


def test_a_framework_maximum_above_the_estimate_decides_and_is_named(tmp_path: Path) -> None:
    path = tmp_path / "framework.xml"
    path.write_text(_with_framework_maximum("900000"), "utf-8")
    imported = import_notice(path)
    assert imported.notice.framework_maximum is not None and imported.notice.framework_maximum.amount == 900000
    assert imported.tender["estimated_value_eur"] == 900000
    assert imported.sources == {"estimated_value_eur": "BT-271-Procedure (framework maximum)"}
    text = to_yaml(imported, "nl")
    assert "# Gelezen uit:\n#   estimated_value_eur: BT-271-Procedure (framework maximum)" in text
    [row] = list(scan([path], on=ON))
    assert row["value_source"] == "BT-271-Procedure (framework maximum)" and row["estimated_value_eur"] == "900000"


def test_a_placeholder_framework_maximum_leaves_the_estimate_to_decide(tmp_path: Path) -> None:
    path = tmp_path / "framework.xml"
    path.write_text(_with_framework_maximum("0.01"), "utf-8")
    imported = import_notice(path)
    assert imported.tender["estimated_value_eur"] == 500000
    assert imported.sources["estimated_value_eur"] == "BT-27-Procedure"
    assert any("BT-271-Procedure" in w and "placeholder" in w for w in imported.warnings)


def test_an_award_notice_without_an_estimate_is_judged_on_the_value_awarded() -> None:
    imported = import_notice(SDK / "can_24_minimal.xml")  # BT-27 absent, BT-161 390,697.84 EUR
    assert imported.notice.value is None
    assert imported.tender["estimated_value_eur"] == 390697.84
    assert imported.sources["estimated_value_eur"] == "BT-161-NoticeResult (value awarded)"


def test_the_frameworks_maximum_of_an_award_notice_is_read() -> None:
    imported = import_notice(SDK / "can_25_ITA.xml")  # BT-118 4,000,000 EUR, nothing else
    assert imported.tender["estimated_value_eur"] == 4000000
    assert imported.sources["estimated_value_eur"] == "BT-118-NoticeResult (frameworks' maximum)"


def test_a_value_in_another_currency_is_named_not_converted() -> None:
    notice = read_notice(DATA / "ocds" / "ocds-213czf-000-00001-04-award.json")
    imported = to_tender(notice)
    assert "estimated_value_eur" not in imported.tender
    assert any("11000000 GBP (the sum of awards[].value) is not in euro" in w for w in imported.warnings)


# --- other regimes: advised under their own law -----------------------------------------------------------------


def test_a_utilities_notice_is_advised_under_its_own_regime_in_import_compare_and_scan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = SDK / "can_25_ITA.xml"  # BT-01 32014L0025, services, 4,000,000 EUR
    imported = import_notice(path)
    assert (imported.regime, imported.regime_basis) == ("utilities", "BT-01 32014L0025")
    assert imported.tender["regime"] == "utilities"
    assert "authority" not in imported.tender  # the classical central/sub-central split does not apply
    assert "authority" not in imported.questions and "social_services" in imported.questions
    nl = to_yaml(imported, "nl")
    assert "geadviseerd onder het regime speciale-sectoropdracht (deel 3 Aw), met de eigen drempels" in nl
    assert main(["compare", str(path), "--on", str(ON), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["regime"] == "utilities" and result["assessed"] is True and result["above_threshold"] is True
    assert result["findings"], "a utilities notice is compared with the advice like any other"
    [row] = list(scan([path], on=ON))
    assert (row["regime"], row["above_threshold"]) == ("utilities", "yes") and row["status"] in ("ok", "gaps")
    assert row["expects_social_objective"] == "yes"


def test_a_utilities_service_between_its_two_thresholds_asks_whether_it_is_a_social_service() -> None:
    # 432,000 (supplies and services) <= 500,000 < 1,000,000 (Annex XVII services, Aw 3.9a): the buyer's answer on
    # social services decides, as this package holds no CPV list of Annex XVII.
    draft = {"title": "onderhoud", "nature": "services", "estimated_value_eur": 500000, "regime": "utilities"}
    open_ = evaluate(draft, on=ON)
    assert open_.derived["above_eu_threshold"].value is None
    assert "social_services" in [q.field for q in open_.questions]
    assert evaluate(draft | {"social_services": False}, on=ON).derived["above_eu_threshold"].value is True
    assert evaluate(draft | {"social_services": True}, on=ON).derived["above_eu_threshold"].value is False
    big = evaluate(draft | {"estimated_value_eur": 1_200_000}, on=ON)
    assert big.derived["above_eu_threshold"].value is True
    # the 2024-2025 amount (443,000) holds before 2026, the 2026-2027 one (432,000) after
    supplies = draft | {"nature": "supplies", "estimated_value_eur": 440_000}
    assert evaluate(supplies, on=dt.date(2025, 6, 1)).derived["above_eu_threshold"].value is False
    assert evaluate(supplies, on=ON).derived["above_eu_threshold"].value is True


def test_defence_concessions_and_eu_institutions_are_advised_or_reported() -> None:
    defence = import_notice(SDK / "cn_81.xml")  # BT-01 32009L0081, 123,456 EUR
    assert defence.regime == "defence" and defence.tender["regime"] == "defence"
    comparison, advice = assess(defence, default_catalogue(), on=ON)
    assert advice is not None and comparison.above_threshold is False  # below 432,000
    assert comparison.note is not None and comparison.note.en.startswith(
        "voluntary publication: published under Directive 2009/81/EC (BT-01 32009L0081, subtype 18"
    )
    assert "PROC-DEF-01" in [s.id for s in advice.suggestions]
    # Services: whether they are in Annex II of Directive 2009/81/EC is asked, in the defence act's own words.
    assert defence.tender["nature"] == "services"
    assert "bijlage II van Richtlijn 2009/81/EG" in defence.questions["social_services"].nl
    eu = import_notice(SDK / "pin-only_fin-reg.xml")  # BT-01 32024R2509
    assert eu.regime == "eu-institution" and "regime" not in eu.tender
    assert eu.regime_note is not None and "the advice does not cover this regime" in eu.regime_note.en
    [row] = list(scan([SDK / "pin-only_fin-reg.xml"], on=ON))
    assert row["status"] == "not-assessed" and row["above_threshold"] == ""
    assert "does not cover this regime" in row["error"]
    [row] = list(scan([SDK / "cn_23.xml"], on=ON))  # a concession notice without a value, judged as declared
    assert (row["regime"], row["status"], row["above_threshold"]) == ("concessions", "gaps", "yes")
    assert "published under Directive 2014/23/EU (BT-01 32014L0023, subtype 19" in row["error"]
    concession = evaluate({"title": "c", "nature": "services", "estimated_value_eur": 6_000_000,
                           "regime": "concession"}, on=ON)  # fmt: skip
    assert concession.derived["above_eu_threshold"].value is True
    assert concession.derived["eu_threshold_eur"].value == 5_404_000


def test_a_public_transport_notice_names_the_regulation_the_advice_does_not_cover() -> None:
    [row] = list(scan([SDK / "t01_PRT.xml"], on=ON))  # BT-01 32007R1370
    assert (row["regime"], row["status"]) == ("public-transport", "not-assessed")
    assert "Regulation (EC) No 1370/2007" in row["error"] and "does not cover this regime" in row["error"]


def test_an_ocds_buyer_that_exists_only_under_the_utilities_directive_gives_the_regime() -> None:
    release = json.loads((DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text("utf-8"))
    party = release["releases"][0]["parties"][0] if "releases" in release else release["parties"][0]
    party.setdefault("roles", []).append("buyer")
    party.setdefault("details", {})["classifications"] = [{"scheme": "eu-buyer-legal-type", "id": "pub-undert-la"}]
    notice = read_ocds(json.dumps(release))
    assert regime_of(notice) == ("utilities", "BT-11 pub-undert-la")
    # With a value in euro (the example's is in pounds) it is advised on the utilities threshold for works.
    tender = release["releases"][0]["tender"] if "releases" in release else release["tender"]
    tender["value"] = {"amount": 6_000_000, "currency": "EUR"}
    imported = to_tender(read_ocds(json.dumps(release)))
    assert imported.tender["regime"] == "utilities" and imported.tender["nature"] == "works"
    comparison, advice = assess(imported, default_catalogue(), on=ON)
    assert advice is not None and comparison.assessed and comparison.above_threshold is True
    assert advice.derived["eu_threshold_eur"].parameter.name == "eu-threshold/utilities-works"
    assert "ONTW-ALG-01" in [s.id for s in advice.suggestions] or "ONTW-ALG-01" in [u.id for u in advice.undetermined]


def test_a_classical_legal_basis_is_not_overruled_by_the_buyer_type() -> None:
    notice = read_notice(SDK / "can_24_minimal.xml")  # BT-01 32014L0024 with buyer pub-undert-la
    assert notice.legal_basis == "32014L0024" and "pub-undert-la" in notice.buyer_legal_types
    assert regime_of(notice) == ("classical", "")


# --- TED notices from before eForms -----------------------------------------------------------------------------


def test_a_ted_contract_notice_is_read_as_eforms_would_say_it() -> None:
    imported = import_notice(TED / "20-377805-001-EXP.xml")
    n = imported.notice
    assert (n.format, n.id, n.procedure_id, n.issued) == ("ted", "2020/S 149-365590", "2020/S 149-365590", "2020-07-30")
    assert (n.form_type, n.legal_basis, n.buyer_legal_types) == ("competition", "32014L0024", ["body-pl"])
    assert imported.tender["nature"] == "services" and imported.tender["procedure"] == "open"
    assert imported.tender["estimated_value_eur"] == 15000000
    assert imported.sources["estimated_value_eur"] == "VAL_ESTIMATED_TOTAL"
    assert imported.tender["cpv"][0] == "71620000" and imported.tender["authority"] == "sub-central"
    assert n.declares_strategic_terms is False


def test_a_dutch_ted_notice_without_a_value_keeps_its_duration_and_framework() -> None:
    imported = import_notice(TED / "21-064844-001-EXP.xml")
    assert imported.tender["title"].startswith("Raamovereenkomst onderhoud openbare verlichting")
    assert imported.tender["duration_months"] == 48 and "estimated_value_eur" not in imported.tender
    assert "lots" not in imported.tender  # NO_LOT_DIVISION: one description, not a lot the buyer made


def test_a_ted_award_notice_groups_with_the_contract_notice_it_names() -> None:
    n = read_notice(TED / "18-412273-001-EXP.xml")  # F06, PROCEDURE/NOTICE_NUMBER_OJ 2018/S 042-092667
    assert n.form_type == "result" and n.id == "2018/S 178-404080" and n.procedure_id == "2018/S 042-092667"
    assert [lot.id for lot in n.lots] == ["LOT-1", "LOT-2", "LOT-3", "LOT-4", "LOT-5"]
    assert regime_of(n) == ("utilities", "BT-01 32014L0025")


def test_a_ted_notice_with_the_hostless_namespace_of_2018_is_read() -> None:
    n = read_notice(TED / "18-151256-001-EXP.xml")
    assert n.format == "ted" and n.title and n.title.startswith("Projektwettbewerb Wohnen im Alter")


def test_the_ted_terms_eforms_added_are_not_in_this_format_never_gaps(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("end_users: [residents]\ndigital: [website]\n")
    imported = import_notice(TED / "20-377805-001-EXP.xml")
    tender = imported.tender | {"end_users": ["residents"], "digital": ["website"]}
    comparison, _ = assess(imported, default_catalogue(), on=ON, tender=tender)
    accessibility = [f for f in comparison.findings if f.business_term == "BT-754-Lot"]
    assert accessibility and all(f.status == "undetermined" for f in accessibility)
    assert "this notice format has no such term" in accessibility[0].message.en
    assert not [f for f in comparison.required_gaps if f.business_term != "BT-539-Lot"]
    [row] = list(scan([TED / "20-377805-001-EXP.xml"], on=ON))
    assert row["declares_accessibility"] == row["names_social_objective"] == row["reserved"] == "n/a"
    # a TED notice above the threshold counts in no share of a term it cannot express
    mark_counted([row])
    assert row["counted"] == "yes" and row["above_threshold"] == "yes"
    assert not [i for i in indicators([row]) if i.indicator in ("accessibility-included", "reserved")]


def test_a_ted_notice_of_an_older_schema_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text(
        '<TED_EXPORT xmlns="http://publications.europa.eu/resource/schema/ted/R2.0.8/publication"/>', "utf-8"
    )
    with pytest.raises(Exception, match=r"old.xml: root element: a TED export notice in schema .*R2\.0\.8"):
        read_notice(path)


# --- one procedure, counted once ---------------------------------------------------------------------------------


def test_a_procedure_is_counted_once_from_its_latest_contract_notice() -> None:
    # The SDK's examples e3cdabf1…: a contract notice of 2019-05-10, another of 2020-03-30 and an award notice.
    files = [SDK / "cn_24_FRA_comments.xml", SDK / "cn_24_nego_accel.xml", SDK / "can_24_FRA_comments.xml"]
    rows = list(scan(files, on=ON))
    found = mark_counted(rows)
    assert len(rows) == 3 and len(found) == 1
    assert found[0].key == "e3cdabf1-e057-47a5-9210-b1f6fc757228" and found[0].counted_kind == "contract-notice"
    assert [Path(r["file"]).name for r in rows if r["counted"] == "yes"] == ["cn_24_nego_accel.xml"]


def test_a_procedure_without_a_contract_notice_is_counted_from_its_latest_notice() -> None:
    rows = list(scan([SDK / "can_25_ENG.xml", SDK / "can_25_withheld.xml"], on=ON))
    [procedure] = procedures(rows)
    assert procedure.counted_kind == "award" and len(procedure.rows) == 2


def test_notices_without_a_procedure_identifier_are_each_their_own_procedure() -> None:
    rows = list(scan([SDK / "pin-only_24.xml", SDK / "pin-only_25.xml"], on=ON))
    assert len(procedures(rows)) == 2


# --- archives ----------------------------------------------------------------------------------------------------


def _tar(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return path


def _nested_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        inner.writestr("x.xml", OPEN)
    return buffer.getvalue()


def test_a_daily_package_is_scanned_as_it_streams_and_every_skipped_member_is_named(tmp_path: Path) -> None:
    package = _tar(
        tmp_path / "20260301.tar.gz",
        {
            "20260301/cn_24_open.xml": OPEN.encode(),
            "20260301/20-377805-001-EXP.xml": (TED / "20-377805-001-EXP.xml").read_bytes(),
            "20260301/README.pdf": b"%PDF-1.4",
            "20260301/more.zip": _nested_zip(),
        },
        links=("20260301/link.xml",),
    )
    rows = list(scan([package], on=ON))
    by_member = {r["file"].split("!/")[1]: r for r in rows}
    assert by_member["20260301/cn_24_open.xml"]["status"] == "gaps"
    assert by_member["20260301/20-377805-001-EXP.xml"]["format"] == "ted"
    assert by_member["20260301/README.pdf"] == {
        "file": f"{package}!/20260301/README.pdf",
        "status": "skipped",
        "error": "not a notice or an archive (.pdf)",
    }
    assert "archive inside an archive" in by_member["20260301/more.zip"]["error"]
    assert "not a regular file" in by_member["20260301/link.xml"]["error"]
    # the notice reads the same from the package as from its own file
    [direct] = list(scan([SDK / "cn_24_open.xml"], on=ON))
    packed = by_member["20260301/cn_24_open.xml"]
    assert {k: v for k, v in packed.items() if k != "file"} == {k: v for k, v in direct.items() if k != "file"}
    assert not list(tmp_path.glob("20260301*/"))  # nothing unpacked to disk


def test_a_zip_file_is_scanned_and_two_workers_give_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "notices.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("cn_24_open.xml", "cn_24_minimal.xml", "can_24_minimal.xml", "cn_81.xml"):
            archive.writestr(f"eforms/{name}", (SDK / name).read_bytes())
        archive.writestr("eforms/notes.txt", "not a notice")
    one = list(scan([path], on=ON))
    two = list(scan([path], on=ON, workers=2))
    assert one == two and len(one) == 5
    assert [r["status"] for r in one].count("skipped") == 1


def test_an_oversized_member_is_an_error_row_whatever_its_header_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_NOTICE_BYTES", 1000)
    package = _tar(tmp_path / "big.tar.gz", {"big.xml": b"<a>" + b" " * 5000 + b"</a>", "ok.json": b"{}"})
    rows = list(scan([package], on=ON))
    assert rows[0]["status"] == "error" and "at most 1,000 are accepted" in rows[0]["error"]
    assert rows[1]["file"].endswith("!/ok.json")


def test_a_broken_archive_keeps_the_rows_read_and_says_where_it_broke(tmp_path: Path) -> None:
    whole = _tar(tmp_path / "whole.tar.gz", {f"n{i}.xml": OPEN.encode() for i in range(3)}).read_bytes()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(whole[: len(whole) * 2 // 3])
    rows = list(scan([broken], on=ON))
    assert rows[-1]["status"] == "error" and "archive cannot be read further" in rows[-1]["error"]
    assert rows[-1]["file"] == str(broken)


def test_the_cli_scans_a_package_and_lists_what_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = _tar(tmp_path / "day.tar.gz", {"a.xml": OPEN.encode(), "b.html": b"<html/>"})
    out = tmp_path / "report"
    assert main(["scan", str(package), "-o", str(out), "-q", "--on", str(ON)]) == 0
    printed = capsys.readouterr().out
    assert "1 notices from 1 files" in printed and "1 skipped" in printed
    page = (out / "report.html").read_text("utf-8")
    assert "Overgeslagen bestanden (1)" in page and "b.html" in page


def test_a_light_regime_form_says_the_services_and_the_procedure() -> None:
    # The eForms notice types ending in -social are the light regime's forms (notice-subtypes.yaml, from the SDK).
    classical = import_notice(SDK / "cn-social_24.xml")  # subtype 20, services
    assert classical.tender["social_services_procedure"] is True and "social_services" not in classical.tender
    assert classical.sources["social_services_procedure"] == "OPP-070 subtype 20"
    concession = import_notice(SDK / "can-social_23.xml")  # subtype 35, services
    assert concession.tender["social_services"] is True  # Aw 2a.29 leaves no choice of procedure
    assert "social_services_procedure" not in concession.tender
    advice = evaluate(concession.tender | {"estimated_value_eur": 6_000_000}, on=ON)
    assert advice.derived["light_regime"].value is True
    standard = import_notice(SDK / "cn_24_minimal.xml")  # subtype 16, the standard regime
    assert "social_services_procedure" not in standard.tender


# --- other currencies: converted where an official figure is held ------------------------------------------------


def _in_currency(tmp_path: Path, currency: str, amount: str) -> Path:
    text = (SDK / "cn_24_open.xml").read_text("utf-8")  # one estimate: 500,000 EUR (BT-27-Procedure)
    old = '<cbc:EstimatedOverallContractAmount currencyID="EUR">500000</cbc:EstimatedOverallContractAmount>'
    assert text.count(old) == 1
    path = tmp_path / f"cn_24_open_{currency}.xml"
    path.write_text(
        text.replace(
            old,
            f'<cbc:EstimatedOverallContractAmount currencyID="{currency}">{amount}'
            "</cbc:EstimatedOverallContractAmount>",
        ),
        "utf-8",
    )
    return path


def test_a_value_in_zloty_is_converted_at_the_official_rate_and_says_so(tmp_path: Path) -> None:
    imported = to_tender(read_notice(_in_currency(tmp_path, "PLN", "4310000")), on=ON)
    assert imported.tender["estimated_value_eur"] == 1_000_000  # 4,310,000 PLN at 4.31 PLN per euro
    source = imported.sources["estimated_value_eur"]
    assert source.startswith("BT-27-Procedure, 4310000 PLN at 4.31 PLN per euro (the average zloty-euro rate")
    comparison, advice = assess(imported, default_catalogue(), on=ON)
    assert advice is not None and comparison.above_threshold is True


def test_a_currency_without_an_official_figure_for_the_date_is_named_and_not_converted(tmp_path: Path) -> None:
    path = _in_currency(tmp_path, "SEK", "3000000")
    before = to_tender(read_notice(path), on=dt.date(2025, 6, 1))  # the 2024-2025 figure: 10.8126 SEK per euro
    assert before.tender["estimated_value_eur"] == round(3_000_000 / 10.8126, 2)
    after = to_tender(read_notice(path), on=ON)  # no 2026-2027 figure was read
    assert "estimated_value_eur" not in after.tender
    assert any("no official figure for SEK on 2026-03-01 is held, so it is not converted" in w for w in after.warnings)
    czk = to_tender(read_notice(_in_currency(tmp_path, "CZK", "30000000")), on=ON)
    assert "estimated_value_eur" not in czk.tender
    assert any("no official figure for CZK" in w for w in czk.warnings)


# --- what a notice that is not assessed lacks (issue 24) ----------------------------------------------------------


def test_every_notice_not_assessed_names_the_one_fact_it_lacks() -> None:
    from inclusief_inkopen.notices.scan import MISSING

    rows = [r for r in scan([SDK, DATA / "ocds"], on=ON) if r["status"] != "skipped"]
    lacking = {Path(r["file"]).name: r["missing"] for r in rows if r["status"] == "not-assessed"}
    # Each fact is what some example lacks, but the two of a scan on issue dates (tested below).
    assert lacking and set(lacking.values()) == set(MISSING) - {"issued", "rules_in_force"}
    assert lacking["X01_EEIG.xml"] == "purchase"  # a business registration describes no purchase
    assert lacking["t01_PRT.xml"] == lacking["pin-only_fin-reg.xml"] == "regime"  # Regulation 1370/2007; EU bodies
    assert lacking["INVALID_cn_24_empty.xml"] == lacking["can-modif_25.xml"] == "nature"
    assert lacking["ocds-213czf-000-00001-02-tender.json"] == "estimated_value_eur"  # GBP: no official rate
    assert all(r.get("missing", "") == "" for r in rows if r["status"] in ("ok", "gaps"))


def test_a_notice_without_nature_or_without_value_and_legal_basis_says_which(tmp_path: Path) -> None:
    nature = '<cbc:ProcurementTypeCode listName="contract-nature">services</cbc:ProcurementTypeCode>'
    value = '<cbc:EstimatedOverallContractAmount currencyID="EUR">500000</cbc:EstimatedOverallContractAmount>'
    basis = "<cbc:RegulatoryDomain>32014L0024</cbc:RegulatoryDomain>"  # BT-01
    subtype = '<cbc:SubTypeCode listName="notice-subtype">16</cbc:SubTypeCode>'  # OPP-070
    assert [OPEN.count(s) for s in (nature, value, basis, subtype)] == [2, 1, 1, 1]
    (tmp_path / "no-nature.xml").write_text(OPEN.replace(nature, ""), "utf-8")
    undeclared = OPEN.replace(value, "").replace(basis, "").replace(subtype, "")
    (tmp_path / "no-value.xml").write_text(undeclared, "utf-8")
    (tmp_path / "no-value-declared.xml").write_text(OPEN.replace(value, ""), "utf-8")
    rows = {Path(r["file"]).name: r for r in scan([tmp_path], on=ON)}
    assert (rows["no-nature.xml"]["status"], rows["no-nature.xml"]["missing"]) == ("not-assessed", "nature")
    assert (rows["no-value.xml"]["status"], rows["no-value.xml"]["missing"]) == ("not-assessed", "estimated_value_eur")
    # The same notice that declares Directive 2014/24/EU is judged above the threshold, as declared.
    declared = rows["no-value-declared.xml"]
    assert declared["status"] in ("ok", "gaps") and declared["above_threshold"] == "yes"
    assert declared.get("missing", "") == ""


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_report_counts_what_the_notices_not_assessed_lack(tmp_path: Path, lang: str) -> None:
    from inclusief_inkopen.notices.scan import MISSING, render_html

    rows = list(scan([SDK, DATA / "ocds"], on=ON))
    page = render_html(rows, indicators(rows), lang=lang)
    unassessed = [r for r in rows if r["status"] == "not-assessed"]
    heading = {"nl": "Niet beoordeeld, naar wat ontbreekt", "en": "Not assessed, by what is missing"}[lang]
    assert f"<h2>{heading} ({len(unassessed)})</h2>" in page
    for fact, label in MISSING.items():
        count = sum(r.get("missing") == fact for r in unassessed)
        row = f'<th scope="row">{label[lang]}</th><td>{count}</td>'
        assert (row in page) is (count > 0), fact  # a fact no notice lacks gets no row


# --- each notice on the date it was sent (scan --on issued) -----------------------------------------------------


def _sent_on(path: Path, day: str) -> Path:
    """The notice with its dispatch date (BT-05) set to ``day``."""
    text = path.read_text("utf-8")
    old = "<cbc:IssueDate>2020-02-28+01:00</cbc:IssueDate>"
    assert text.count(old) == 1
    path.write_text(text.replace(old, f"<cbc:IssueDate>{day}+01:00</cbc:IssueDate>"), "utf-8")
    return path


def test_a_scan_on_issue_dates_judges_each_notice_on_the_date_it_was_sent(tmp_path: Path) -> None:
    from inclusief_inkopen.notices.scan import MISSING

    recent = _sent_on(_in_currency(tmp_path, "EUR", "500000"), "2025-06-02")
    [row] = list(scan([recent], on="issued"))
    assert (row["judged_on"], row["status"], row["above_threshold"]) == ("2025-06-02", "gaps", "yes")
    [row] = list(scan([recent], on=ON))  # one date for every notice, as before
    assert row["judged_on"] == ON.isoformat()
    # The catalogue's rules begin in 2024 (its thresholds and the social-return percentage): a notice sent in 2020
    # is not judged by today's rules instead, and says what it lacks.
    [old] = list(scan([SDK / "cn_24_open.xml"], on="issued"))
    assert (old["status"], old["missing"], old["judged_on"]) == ("not-assessed", "rules_in_force", "2020-02-28")
    assert old["error"].startswith("judged on 2020-02-28: no value in force on 2020-02-28")
    assert set(MISSING) >= {"issued", "rules_in_force"}


def test_a_value_in_kronor_is_converted_at_the_rate_of_the_date_it_was_sent(tmp_path: Path) -> None:
    # 3,000,000 SEK sent in 2025: the 2024-2025 figure (10.8126 SEK per euro) applies, 277,453.9 euro, above the
    # 216,000 of a municipality. Judged on a date in 2026 the same notice cannot be converted: no 2026-2027 figure.
    path = _sent_on(_in_currency(tmp_path, "SEK", "3000000"), "2025-06-02")
    [row] = list(scan([path], on="issued"))
    assert row["estimated_value_eur"] == str(round(3_000_000 / 10.8126, 2)) and row["above_threshold"] == "yes"
    assert "at 10.8126 SEK per euro" in row["value_source"]
    [today] = list(scan([path], on=ON))
    assert today["estimated_value_eur"] == "" and "no official figure for SEK on 2026-03-01" in today["error"]


def test_a_notice_without_a_dispatch_date_is_not_judged_on_another_day(tmp_path: Path) -> None:
    text = (SDK / "cn_24_open.xml").read_text("utf-8").replace("<cbc:IssueDate>2020-02-28+01:00</cbc:IssueDate>", "")
    (tmp_path / "undated.xml").write_text(text, "utf-8")
    [row] = list(scan([tmp_path / "undated.xml"], on="issued"))
    assert (row["status"], row["missing"]) == ("not-assessed", "issued")
    assert "no date it was sent (BT-05)" in row["error"]


def test_the_cli_scans_on_issue_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _sent_on(_in_currency(tmp_path, "EUR", "500000"), "2025-06-02")
    assert main(["scan", str(tmp_path), "-o", str(tmp_path / "out"), "--on", "issued", "-q"]) == 0
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "<li>beoordeeld op: 2025-06-02</li>" in page
    assert "2025-06-02" in (tmp_path / "out" / "notices.csv").read_text("utf-8")
    with pytest.raises(SystemExit):
        main(["scan", str(tmp_path), "-o", str(tmp_path / "out2"), "--on", "yesterday"])
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_a_value_in_zloty_sent_in_2025_is_converted_at_the_2024_2025_rate(tmp_path: Path) -> None:
    path = _sent_on(_in_currency(tmp_path, "PLN", "4637100"), "2025-06-02")
    [row] = list(scan([path], on="issued"))
    assert row["estimated_value_eur"] == "1000000" and "at 4.6371 PLN per euro" in row["value_source"]


def test_an_ocds_release_is_judged_on_its_release_date(tmp_path: Path) -> None:
    package = json.loads((DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text("utf-8"))
    [release] = package["releases"]
    [row] = list(scan([DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json"], on="issued"))
    assert (row["judged_on"], row["missing"]) == ("2010-03-15", "rules_in_force")  # the release's own date
    # The same works tender released in 2025 in euro: judged on that day, above the 5,538,000 of 2024-2025.
    release["date"] = "2025-06-02T09:30:00Z"
    release["tender"]["value"] = {"amount": 6000000, "currency": "EUR"}
    (tmp_path / "tender-2025.json").write_text(json.dumps(package), "utf-8")
    [row] = list(scan([tmp_path / "tender-2025.json"], on="issued"))
    assert (row["judged_on"], row["above_threshold"]) == ("2025-06-02", "yes")
    assert row["status"] in ("ok", "gaps")
