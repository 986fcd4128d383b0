"""After the award (issue "After the award: commitments, KPIs, realisation and steering"), the library and the
command line: a contract from a complete checklist, commitments with the catalogue's follow-up as KPIs, reports,
ratings by the rules in data/ratings.yaml (their own test cases run here), what is due and overdue, and bad input
refused with nothing changed. Every figure is computed by hand in the test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inclusief_inkopen import evaluate
from inclusief_inkopen.checklists.checklist import Checklist, from_advice
from inclusief_inkopen.checklists.checklist import save as save_checklist
from inclusief_inkopen.contracts import contract as ct
from inclusief_inkopen.contracts.ratings import add_months, due, overview, rules, status

ON = dt.date(2026, 3, 1)
TENDER = {
    "title": "Website en dienstverlening",
    "nature": "services",
    "estimated_value_eur": 400000,
    "cpv": ["72413000"],
    "end_users": ["residents"],
    "digital": ["website"],
    "physical": [],
    "people_facing": False,
    "staffing": False,
    "supply_chain_risk": [],
    "labour_share": 0.6,
}
START, END = dt.date(2026, 4, 1), dt.date(2028, 4, 1)
TODAY = dt.date(2028, 6, 1)  # reports are entered "today"; the tests' today lies after the contract


def decided(applied: bool = True) -> Checklist:
    """The website tender's checklist with every item decided: applied (award criteria at 10 %), or all but the
    award criteria applied when ``applied`` is false."""
    checklist = from_advice(evaluate(TENDER, on=ON))
    items = []
    for item in checklist.items:
        if item.kind == "award-criterion" and not applied:
            items.append(
                item.model_copy(update={"decision": "not-applied", "justification": "past niet", "decided_by": "Bram"})
            )
        else:
            weight = 10 if item.kind == "award-criterion" else None
            items.append(item.model_copy(update={"decision": "applied", "weight": weight, "decided_by": "Bram"}))
    return checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"})


def made(**extra: Any) -> ct.Contract:
    given = {"supplier": "Schoon BV", "start": START, "end": END, "value_eur": 400000} | extra
    return ct.from_checklist(decided(), **given)


def report(contract: ct.Contract, commitment: str, on: dt.date, value: Any = None, **extra: Any) -> ct.Contract:
    return ct.add_report(contract, commitment, on=on, value=value, by="Cora", entered_on=TODAY, **extra)


# --- commitments and KPIs --------------------------------------------------------------------------------------


def test_every_applied_requirement_award_criterion_and_clause_becomes_a_commitment() -> None:
    checklist = decided()
    contract = ct.from_checklist(checklist, supplier="Schoon BV", start=START, end=END, value_eur=400000)
    expected = [i.id for i in checklist.items if i.kind in ("requirement", "award-criterion", "contract-clause")]
    assert [c.id for c in contract.commitments] == expected
    assert "PROC-03" not in expected and "PERC-01" not in expected  # procedure choices stay with the tender
    origins = {c.id: c.origin for c in contract.commitments}
    assert (
        origins["SR-01"] == "clause" and origins["SR-02"] == "award-offer" and origins["TOEG-DIG-01"] == "requirement"
    )
    assert contract.commitment("SR-01").legal_basis  # the legal basis travels with it


def test_the_catalogue_s_follow_up_becomes_the_kpi_with_its_target_from_the_contract_value_and_the_offer() -> None:
    contract = made(offers={"SR-02": ct.Offer.parse("7%", "-")})
    sr = contract.commitment("SR-01").kpi
    assert (sr.metric, sr.unit, sr.target, sr.minimum) == ("sr-value-eur", "EUR", 20000.0, 20000.0)  # 5 % of 400,000
    assert sr.moments == ["award+7d", "yearly", "end"] and sr.sanction.nl.startswith("Niet nakomen")
    offered = contract.commitment("SR-02").kpi
    assert (offered.target, offered.minimum) == (28000.0, 20000.0)  # 7 % offered beats the 5 % minimum
    low = made(offers={"SR-02": ct.Offer.parse("3%", "-")}).commitment("SR-02").kpi
    assert low.target == 20000.0  # an offer below the minimum does not lower it
    web = contract.commitment("PG-WEB-01").kpi
    assert (web.metric, web.target, web.evidence[0].valid_months) == ("a11y-status", "B", 3)
    assert contract.commitment("TOEG-DIG-01").kpi is None  # no follow-up in the catalogue: followed by reports


def test_a_contract_needs_a_complete_checklist_and_dates_that_make_sense() -> None:
    with pytest.raises(ct.ContractError, match="not complete"):
        ct.from_checklist(from_advice(evaluate(TENDER, on=ON)), supplier="X", start=START, end=END, value_eur=1)
    with pytest.raises(ct.ContractError, match="must come after the start"):
        made(end=START)
    with pytest.raises(ct.ContractError, match="an offer is for an applied award criterion"):
        made(offers={"SR-01": ct.Offer.parse("7%", "-")})
    with pytest.raises(ct.ContractError, match="expected an offer"):
        ct.Offer.parse("veel", "--offer SR-02=veel")


# --- due and overdue ---------------------------------------------------------------------------------------------


def test_what_is_due_when_from_the_reporting_moments() -> None:
    contract = made(awarded_on=dt.date(2026, 3, 20), delivery=dt.date(2026, 9, 1))
    items = {(d.commitment, d.moment): d.due_on for d in due(contract, START)}
    assert items[("SR-01", "award+7d")] == dt.date(2026, 3, 27)  # the plan within 7 days of award
    assert items[("SR-01", "yearly")] == dt.date(2027, 4, 1)  # one year after the start; the next year is the end
    assert items[("SR-01", "end")] == END
    assert items[("PG-WEB-01", "delivery")] == dt.date(2026, 9, 1)
    assert items[("TOEG-DIG-03", "yearly")] == dt.date(2027, 4, 1)
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)


def test_a_report_answers_the_moment_it_is_for_and_late_ones_are_overdue() -> None:
    contract = made(awarded_on=dt.date(2026, 3, 20))
    contract = report(contract, "SR-01", dt.date(2026, 3, 26), evidence=[ct.EvidenceFile(kind="sr-plan")])
    states = {(d.commitment, d.moment): d.state for d in due(contract, dt.date(2026, 4, 20))}
    assert states[("SR-01", "award+7d")] == "done"
    assert states[("SR-02", "award+7d")] == "overdue"  # 27 March + 14 days' grace < 20 April
    assert states[("SR-01", "yearly")] == "later"
    on_the_day = {(d.commitment, d.moment): d.state for d in due(contract, dt.date(2026, 3, 30))}
    assert on_the_day[("SR-02", "award+7d")] == "due"  # past the date, within the grace days


# --- ratings: the rules' own tests, then whole contracts --------------------------------------------------------


@pytest.mark.parametrize("case", rules()["tests"], ids=lambda c: c["name"])
def test_the_rating_rules_give_what_their_test_cases_say(case: dict[str, Any]) -> None:
    units = {"sr-value-eur": "EUR", "a11y-status": "A-E", "measures-reported": "yes-no"}
    kpi = ct.Kpi(
        metric=case["metric"],
        unit=units[case["metric"]],
        direction="at-least",
        aggregation="sum" if case["metric"] == "sr-value-eur" else "latest",
        target=case["target"],
        minimum=case["target"],
        moments=case["moments"],
        evidence=[],
        source=["test"],
    )
    commitment = ct.Commitment(
        id="X-01", item_id="X-01", item_fingerprint="-", theme="social-return", kind="contract-clause",
        origin="clause", title={"nl": "x", "en": "x"}, wording={"nl": "x", "en": "x"}, kpi=kpi,
    )  # fmt: skip
    contract = ct.Contract(
        id="t", title="t", supplier="S", awarded_on=case["start"], start=case["start"], end=case["end"],
        value_eur=1, checklist_sha256="-", catalogue={}, commitments=[commitment],
    )  # fmt: skip
    for r in case["reports"]:
        contract = report(contract, "X-01", r["date"], r["value"])
    assert status(contract, case["rate_on"])[0].rating == case["expect"]


def test_two_years_of_social_return_reports_rated_against_the_target_pro_rata() -> None:
    contract = made()  # target 20,000 over 1 April 2026 - 1 April 2028 (731 days)
    contract = report(contract, "SR-01", dt.date(2026, 4, 5), evidence=[ct.EvidenceFile(kind="sr-plan")])
    contract = report(
        contract, "SR-01", dt.date(2027, 3, 25), 6000, evidence=[ct.EvidenceFile(kind="sr-realisation-report")]
    )
    one = {s.commitment: s for s in status(contract, dt.date(2027, 4, 1))}["SR-01"]
    expected = round(20000 * 365 / 731, 2)  # 9,986.32 expected after 365 of 731 days
    assert one.expected_now == expected and one.realised == 6000
    assert one.rating == "requires-improvement"  # 6,000 / 9,986 = 60 %: at least 50 %, below 80 %
    assert one.remedy.nl.startswith("Niet nakomen")  # what the contract says happens next
    contract = report(contract, "SR-01", dt.date(2027, 9, 30), 9000)
    two = {s.commitment: s for s in status(contract, dt.date(2027, 10, 1))}["SR-01"]
    assert two.expected_now == round(20000 * 548 / 731, 2)  # 14,993.16; 15,000 realised: 100 %
    assert two.rating == "on-track" and two.remedy is None
    contract = report(contract, "SR-01", dt.date(2028, 3, 28), 4000)
    end = {s.commitment: s for s in status(contract, dt.date(2028, 4, 20))}["SR-01"]
    assert end.realised == 19000 and end.rating == "approaching-target"  # 95 % at the end
    contract = report(contract, "SR-01", dt.date(2028, 4, 15), 1500)
    assert {s.commitment: s for s in status(contract, dt.date(2028, 4, 20))}["SR-01"].rating == "met"


def test_an_accessibility_report_expires_with_its_evidence() -> None:
    contract = made(delivery=dt.date(2026, 9, 1))
    audit = ct.EvidenceFile(kind="wcag-em-report")
    contract = report(contract, "PG-WEB-01", dt.date(2026, 8, 20), "a", evidence=[audit])
    fresh = {s.commitment: s for s in status(contract, dt.date(2026, 9, 10))}["PG-WEB-01"]
    assert fresh.rating == "met" and fresh.realised == "A"
    old = {s.commitment: s for s in status(contract, dt.date(2026, 12, 1))}["PG-WEB-01"]
    assert old.rating == "requires-improvement" and old.expired_evidence == ["R0001 (2026-11-20)"]  # 3 months


def test_a_waived_commitment_says_why_and_nothing_personal_is_recorded() -> None:
    contract = report(made(), "TOEG-DIG-03", dt.date(2026, 6, 1), waived="de website is uit de lucht gehaald")
    assert {s.commitment: s for s in status(contract, dt.date(2027, 6, 1))}["TOEG-DIG-03"].rating == "waived"
    with pytest.raises(ct.ContractError, match="citizen service number"):
        report(made(), "TOEG-DIG-03", dt.date(2026, 6, 1), waived="BSN 111222333")


def test_the_same_contract_reports_and_date_give_the_same_bytes() -> None:
    contract = report(made(), "SR-01", dt.date(2027, 3, 25), 6000)
    first = overview(contract, dt.date(2027, 4, 1)).to_json()
    again = overview(ct.from_data(json.loads(json.dumps(contract.model_dump(mode="json"))), "-"), dt.date(2027, 4, 1))
    assert again.to_json() == first
    assert json.loads(first)["format"] == "inclusief-inkopen/contract-status/v1"


# --- bad input changes nothing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commitment", "on", "value", "message"),
    [
        ("NOPE-01", dt.date(2026, 6, 1), 10, "no commitment 'NOPE-01'"),
        ("SR-01", dt.date(2026, 6, 1), -5, "an amount of 0 or more"),
        ("SR-01", dt.date(2026, 3, 1), 10, "before the contract was awarded"),
        ("SR-01", dt.date(2029, 1, 1), 10, "in the future"),
        ("SR-01", dt.date(2026, 6, 1), "veel", "expected a number"),
        ("PG-WEB-01", dt.date(2026, 6, 1), "F", "expected a status A, B, C, D or E"),
        ("SR-01", dt.date(2026, 6, 1), None, "give a value"),
    ],
)
def test_a_report_that_cannot_be_used_is_refused_and_the_contract_is_unchanged(
    commitment: str, on: dt.date, value: Any, message: str
) -> None:
    contract = made()
    with pytest.raises(ct.ContractError, match=message):
        report(contract, commitment, on, value)
    assert contract.reports == []


def test_evidence_files_are_kept_by_hash_and_must_be_what_they_claim(tmp_path: Path) -> None:
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")
    kept = ct.evidence_file("wcag-em-report", pdf)
    assert kept.sha256 == __import__("hashlib").sha256(b"%PDF-1.7\n...").hexdigest() and kept.size == 12
    fake = tmp_path / "rapport2.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    with pytest.raises(ct.ContractError, match=r"rapport2\.pdf.*not a PDF file"):
        ct.evidence_file("wcag-em-report", fake)
    with pytest.raises(ct.ContractError, match="evidence files are at most"):
        ct.evidence_bytes("wcag-em-report", "groot.pdf", b"%PDF-" + b"0" * ct.MAX_EVIDENCE_BYTES)
    with pytest.raises(ct.ContractError, match=r"expected a \.pdf"):
        ct.evidence_bytes("wcag-em-report", "script.exe", b"MZ")
    with pytest.raises(ct.ContractError, match="is not evidence PG-WEB-01 asks for"):
        report(made(), "PG-WEB-01", dt.date(2026, 6, 1), "A", evidence=[ct.EvidenceFile(kind="sr-plan")])


def test_a_contract_file_with_a_field_for_a_person_is_refused_by_name(tmp_path: Path) -> None:
    data = report(made(), "SR-01", dt.date(2026, 6, 1), 100).model_dump(mode="json")
    data["reports"][0]["naam"] = "Jan Jansen"
    data["reports"][0]["gezondheid"] = "..."
    with pytest.raises(ct.ContractError) as info:
        ct.from_data(data, "contract.yaml")
    said = str(info.value)
    assert "reports[0].naam" in said and "reports[0].gezondheid" in said and "personal data is never recorded" in said


# --- the command line -------------------------------------------------------------------------------------------


def test_contract_new_report_status_due_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inclusief_inkopen.cli import main

    save_checklist(decided(), tmp_path / "c.yaml")
    out = tmp_path / "k.yaml"
    args = ["contract", "new", str(tmp_path / "c.yaml"), "--supplier", "Schoon BV", "--start", "2026-04-01"]
    assert main([*args, "--end", "2028-04-01", "--value", "400000", "--offer", "SR-02=7%", "-o", str(out)]) == 0
    assert "commitments" in capsys.readouterr().out
    (tmp_path / "plan.pdf").write_bytes(b"%PDF-1.4 plan")
    report_args = ["contract", "report", str(out), "--commitment", "SR-01", "--on", "2026-04-05"]
    assert main([*report_args, "--evidence", f"sr-plan={tmp_path / 'plan.pdf'}"]) == 0
    kept = ct.load(out)
    assert kept.reports[0].evidence[0].sha256 and kept.reports[0].evidence[0].file == "plan.pdf"
    capsys.readouterr()
    assert main(["contract", "status", str(out), "--on", "2026-04-25", "--format", "json", "--lang", "en"]) == 0
    answer = json.loads(capsys.readouterr().out)
    by_id = {c["commitment"]: c for c in answer["commitments"]}
    assert by_id["SR-02"]["rating"] == "requires-improvement" and by_id["SR-02"]["because"] == "1 report(s) overdue"
    assert by_id["SR-01"]["rating"] == "on-track" and by_id["SR-02"]["target"] == 28000.0
    assert main(["contract", "due", str(out), "--on", "2026-04-25"]) == 0  # 8 April + 14 days of grace
    assert "overdue  SR-02 (award+7d)" in capsys.readouterr().out
    before = out.read_bytes()
    assert main(["contract", "report", str(out), "--commitment", "SR-01", "--value", "-1", "--on", "2026-05-01"]) == 2
    assert "an amount of 0 or more" in capsys.readouterr().err and out.read_bytes() == before


def test_the_status_json_is_what_its_published_schema_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    from inclusief_inkopen.cli import main

    schema = json.loads((Path(__file__).parents[1] / "docs" / "schema" / "contract-status.schema.json").read_text())
    contract = report(made(), "SR-01", dt.date(2026, 9, 1), 4000)
    ct.save(contract, tmp_path / "k.yaml")
    for lang in ([], ["--lang", "nl"]):
        assert (
            main(["contract", "status", str(tmp_path / "k.yaml"), "--on", "2027-04-20", "--format", "json", *lang]) == 0
        )
        jsonschema.validate(json.loads(capsys.readouterr().out), schema)
    contract_schema = json.loads((Path(__file__).parents[1] / "docs" / "schema" / "contract.schema.json").read_text())
    jsonschema.validate(contract.model_dump(mode="json"), contract_schema)


_SR01_TARGET = "      target: {parameter: social-return/percentage}\n      moments: [award+7d, yearly, end]\n"
_BROKEN_FOLLOW_UPS = [
    ("      source: [ams-sr-vragen, ams-leidraad-so]", "      source: [nergens]", "unknown source 'nergens'"),
    ("      metric: sr-value-eur\n      unit: EUR\n", "      metric: sr-value-eur\n      unit: count\n", "not count"),
    (_SR01_TARGET, _SR01_TARGET.replace("percentage}", "percentage, from_offer: true}"), "only an award criterion"),
]


@pytest.mark.parametrize(("old", "new", "message"), _BROKEN_FOLLOW_UPS)
def test_validate_refuses_a_follow_up_block_that_cannot_be_followed(
    catalogue_copy: Path, old: str, new: str, message: str
) -> None:
    from inclusief_inkopen.base.errors import CatalogueError
    from inclusief_inkopen.rules.catalogues import load_catalogue

    theme = catalogue_copy / "themes" / "social-return.yaml"
    text = theme.read_text()
    assert old in text
    theme.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue_copy)
    assert message in str(info.value) and "SR-01" in str(info.value)
