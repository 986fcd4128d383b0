"""The whole cycle after the award on the store (SQLite, and PostgreSQL when CI gives one), through the web app
as the people do it: a checklist signed off → the contract manager records the contract → reports over two years,
with an evidence file → ratings, due and overdue → the policy officer's dashboard and its CSV, the calendar feed.
Every figure is computed by hand here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from inclusief_inkopen import evaluate
from inclusief_inkopen.checklists.checklist import from_advice
from inclusief_inkopen.contracts.ratings import due as due_items
from inclusief_inkopen.web.people import new_key
from inclusief_inkopen.web.store import Actor
from tests.test_contracts import TENDER
from tests.test_people import as_user, csrf, database_url, proxy_app  # noqa: F401  (database_url is a fixture)


def signed_off(app: Any) -> str:
    store = app.state.store
    tender_id = store.save_tender(TENDER, Actor("anna", "Anna de Vries"), department="ICT")
    checklist = from_advice(evaluate(TENDER, on=dt.date(2024, 9, 1)))
    items = [
        i.model_copy(update={"decision": "applied", "weight": 10 if i.kind == "award-criterion" else None,
                             "decided_by": "Bram Bakker"})
        if i.id != "TOEG-DIG-04"
        else i.model_copy(update={"decision": "not-applied", "justification": "WCAG 2.1 volstaat hier",
                                  "decided_by": "Bram Bakker"})
        for i in checklist.items
    ]  # fmt: skip
    checklist = checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"})
    checklist_id = store.save_checklist(checklist, Actor("bram", "Bram Bakker"), tender_id)
    store.save_checklist(checklist, Actor("carla", "Carla Chen"), tender_id, checklist_id, action="signed-off",
                         signed_off=True)  # fmt: skip
    return checklist_id


def post_report(client: Any, app: Any, contract_id: str, **fields: Any) -> Any:
    files = fields.pop("files", None)
    data = {"csrf": csrf(app, client), **fields}
    return client.post(f"/contracts/{contract_id}/reports", data=data, files=files)


def test_the_whole_cycle_from_a_signed_off_checklist_to_the_dashboard(database_url: str) -> None:  # noqa: F811
    app = proxy_app(database_url)
    checklist_id = signed_off(app)
    cora, ilse, anna = as_user(app, "cora"), as_user(app, "ilse"), as_user(app, "anna")
    assert anna.get(f"/checklists/{checklist_id}/contract").status_code == 403  # a buyer records no contract
    assert "Contract vastleggen" in cora.get(f"/checklists/{checklist_id}").text
    made = cora.post(
        f"/checklists/{checklist_id}/contract",
        data={"csrf": csrf(app, cora), "supplier": "Schoon BV", "start": "2024-10-01", "end": "2026-10-01",
              "value": "400000", "offer.SR-02": "7%"},
    )  # fmt: skip
    assert made.status_code == 303, made.text
    contract_id = made.headers["location"].split("/")[-1]
    contract, _ = app.state.store.contract(contract_id)
    assert contract.commitment("SR-01").kpi.target == 20000.0  # 5 % of 400,000
    assert contract.commitment("SR-02").kpi.target == 28000.0  # the 7 % offered
    assert contract.commitment("TOEG-DIG-04") is None  # explained, not applied: no commitment
    # two years of reports, one with a PDF as evidence
    plan = {"evidence_file": ("plan.pdf", b"%PDF-1.7 plan", "application/pdf")}
    assert (
        post_report(
            cora, app, contract_id, commitment="SR-01", on="2024-10-05", evidence_kind="sr-plan", files=plan
        ).status_code
        == 303
    )
    for commitment, on, value, kind in (
        ("SR-01", "2025-09-20", "6000", "sr-realisation-report"),
        ("SR-01", "2026-09-25", "9000", "sr-realisation-report"),
        ("SR-02", "2025-09-20", "10000", "sr-realisation-report"),
        ("PG-WEB-01", "2025-03-01", "A", "wcag-em-report"),
        ("TOEG-DIG-03", "2025-09-30", "B", "wcag-em-report"),
    ):
        answer = post_report(cora, app, contract_id, commitment=commitment, on=on, value=value, evidence_kind=kind)
        assert answer.status_code == 303, answer.text
    # bad input changes nothing
    before = len(app.state.store.contract(contract_id)[0].reports)
    for fields, message in (
        ({"commitment": "NOPE-01", "on": "2025-01-01", "value": "5"}, "no commitment"),
        ({"commitment": "SR-01", "on": "2025-01-01", "value": "-5"}, "0 or more"),
        ({"commitment": "SR-01", "on": "2024-01-01", "value": "5"}, "before the contract was awarded"),
        ({"commitment": "SR-01", "on": "2025-01-01", "value": "5", "evidence_kind": "sr-plan",
          "files": {"evidence_file": ("plan.pdf", b"MZ not a pdf", "application/pdf")}}, "not a PDF"),
    ):  # fmt: skip
        refused = post_report(cora, app, contract_id, **fields)
        assert refused.status_code == 422 and message in refused.text, (fields, refused.status_code)
    assert len(app.state.store.contract(contract_id)[0].reports) == before
    # the ratings two weeks after the end
    page = cora.get(f"/contracts/{contract_id}?on=2026-10-15").text
    rows = dict(re.findall(r'<th scope="row">([A-Z0-9-]+): [^<]*</th>\s*<td>([^<]*)</td>', page))
    assert rows["SR-01"] == "verbetering nodig"  # 15,000 of 20,000 at the end: 75 %
    assert rows["SR-02"] == "onvoldoende"  # 10,000 of 28,000: 36 %
    assert rows["PG-WEB-01"] == "verbetering nodig"  # the audit of March 2025 expired after 3 months
    assert rows["TOEG-DIG-03"] == "gehaald"  # status B, the retest valid 36 months
    assert "Niet nakomen kan leiden tot een financiële sanctie." in page  # the remedy where it goes badly
    kept = app.state.store.contract(contract_id)[0]
    due = {(d.commitment, d.moment): d for d in due_items(kept, dt.date(2026, 10, 15))}
    assert due[("SR-01", "award+7d")].state == "done" and not due[("SR-01", "award+7d")].late
    assert due[("SR-02", "award+7d")].state == "done" and due[("SR-02", "award+7d")].late  # answered a year late
    assert due[("SR-02", "yearly")].state == "overdue" and due[("SR-02", "end")].state == "due"  # in its grace days
    # the calendar feed has what is still open
    feed = cora.get(f"/contracts/{contract_id}/due.ics").text
    assert (
        feed.startswith("BEGIN:VCALENDAR\r\n")
        and "DTSTART;VALUE=DATE:20251001" in feed
        and feed.count("BEGIN:VEVENT") >= 1
    )
    # a calendar client subscribes to the person's own feed, without signing in; a forged address is not found
    address = re.search(r'<code id="feed-address">([^<]+)</code>', cora.get("/feeds").text).group(1)
    subscribed = TestClient(app).get(address.replace("http://testserver", ""))
    assert subscribed.status_code == 200 and subscribed.headers["content-type"].startswith("text/calendar")
    assert f"UID:{contract_id}-SR-02-2025-10-01@inclusief-inkopen" in subscribed.text
    assert TestClient(app).get("/feeds/forged/due.ics").status_code == 404
    # the evidence file, kept by its hash
    sha = re.search(r'/evidence/([0-9a-f]{64})">sr-plan: plan\.pdf', page).group(1)
    kept_file = cora.get(f"/contracts/{contract_id}/evidence/{sha}")
    assert kept_file.content == b"%PDF-1.7 plan" and 'filename="plan.pdf"' in kept_file.headers["content-disposition"]
    # the policy officer's dashboard, and its CSV
    dashboard = ilse.get("/dashboard?on=2026-10-15").text
    assert (
        "€ 48,000" in dashboard and "€ 25,000" in dashboard
    )  # agreed 20,000 + 28,000; realised 6,000 + 9,000 + 10,000
    assert "Opgeleverde websites en apps met status A of B: 1 van 1" in dashboard  # TOEG-DIG-03; PG-WEB-01 expired
    assert "WCAG 2.1 volstaat hier" in dashboard  # the explanation of the criterion not applied, readable
    exported = list(csv.reader(io.StringIO(ilse.get("/dashboard.csv").text)))
    assert ["ICT", "48000.00", "25000.00", "0", "0"] in exported  # no placements KPI in the catalogue yet
    toeg = next(r for r in exported if r[:1] == ["TOEG-DIG-04"])
    assert toeg[2:] == ["0", "1"]
    assert "6 rapportages te laat" not in dashboard and "1 afspraken onvoldoende" in dashboard  # SR-02
    assert "1 afspraken met verlopen bewijs" in dashboard  # PG-WEB-01
    # filtered: another year, another supplier, another product group: nothing
    assert "€ 48,000" not in ilse.get("/dashboard?on=2026-10-15&year=2025").text
    assert "€ 48,000" not in ilse.get("/dashboard?on=2026-10-15&supplier=Ander BV").text
    assert "€ 48,000" in ilse.get("/dashboard?on=2026-10-15&product_group=websites-apps").text
    assert "€ 48,000" not in ilse.get("/dashboard?on=2026-10-15&product_group=cleaning").text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(ilse.get("/dashboard.xlsx?on=2026-10-15").content))
    assert [list(r) for r in book["social_return"].iter_rows(values_only=True)][1] == ["ICT", 48000.0, 25000.0, 0, 0]
    assert ("TOEG-DIG-04", "WCAG 2.1 volstaat hier") in {
        (r[0], r[3]) for r in book["explanations"].iter_rows(values_only=True)
    }
    assert cora.get("/dashboard").status_code == 403  # the dashboard is the policy officers'
    # every step is in the audit trail, by the signed-in contract manager
    audit = app.state.store.history("contract", contract_id)
    assert [h["action"] for h in audit][:2] == ["created", "reported"] and {h["subject"] for h in audit} == {"cora"}
    # the same through the JSON API, for a contract-management system or a BI tool
    key_id, full, hashed = new_key()
    scopes = ["contracts:read", "contracts:write", "dashboard:read"]
    app.state.store.create_key(key_id, "BI", hashed, scopes, "ICT", Actor("bea", "Bea"))
    api = TestClient(app, headers={"authorization": f"Bearer {full}"})
    got = api.get(f"/api/v1/contracts/{contract_id}", params={"on": "2026-10-15", "lang": "en"}).json()
    ratings = {c["commitment"]: c["rating"] for c in got["status"]["commitments"]}
    assert ratings["SR-01"] == "requires-improvement" and ratings["SR-02"] == "inadequate"
    assert ratings["TOEG-DIG-03"] == "met"
    body = {"commitment": "SR-02", "on": "2026-10-10", "value": 18000, "evidence": ["sr-realisation-report"]}
    posted = api.post(f"/api/v1/contracts/{contract_id}/reports", json=body)
    assert posted.status_code == 200 and posted.json()["report"]["by"] == "API-sleutel BI"
    again = api.get(f"/api/v1/contracts/{contract_id}", params={"on": "2026-10-15"}).json()
    assert {c["commitment"]: c["rating"] for c in again["status"]["commitments"]}["SR-02"] == "met"  # 28,000 of 28,000
    bad = api.post(
        f"/api/v1/contracts/{contract_id}/reports", json={"commitment": "SR-02", "on": "2026-10-10", "value": -1}
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    figures = api.get("/api/v1/dashboard", params={"on": "2026-10-15"}).json()
    assert figures["social_return_by_department"]["ICT"] == {  # + 18,000
        "agreed": 48000.0, "realised": 43000.0, "placements_agreed": 0.0, "placements_realised": 0.0,
    }  # fmt: skip
    assert api.get("/api/v1/contracts").json()["total"] == 1


def test_the_keeper_rates_every_contract_in_the_background_so_the_dashboard_need_not(tmp_path: Any) -> None:
    from inclusief_inkopen.web import contracts as web_contracts

    app = proxy_app(f"sqlite:///{tmp_path}/keeper.sqlite3")
    checklist_id = signed_off(app)
    cora = as_user(app, "cora")
    cora.post(
        f"/checklists/{checklist_id}/contract",
        data={"csrf": csrf(app, cora), "supplier": "Schoon BV", "start": "2024-10-01", "end": "2026-10-01",
              "value": "400000"},
    )  # fmt: skip
    store = app.state.store
    web_contracts._RATED.pop(store.url, None)
    thread = web_contracts.keep_warm(store, every_seconds=3600)
    for _ in range(200):
        kept = web_contracts._RATED.get(store.url)
        if kept is not None and kept.tallies:
            break
        thread.join(0.05)
    kept = web_contracts._RATED[store.url]
    assert kept.on == dt.date.today() and len(kept.tallies) == 1  # rated before anyone asked


def test_an_evidence_file_s_name_cannot_reach_the_response_headers(tmp_path: Any) -> None:
    app = proxy_app(f"sqlite:///{tmp_path}/names.sqlite3")
    checklist_id = signed_off(app)
    cora = as_user(app, "cora")
    made = cora.post(
        f"/checklists/{checklist_id}/contract",
        data={"csrf": csrf(app, cora), "supplier": "S", "start": "2024-10-01", "end": "2026-10-01", "value": "1000"},
    )
    contract_id = made.headers["location"].split("/")[-1]
    hostile = {"evidence_file": ('ra"p\u00e9\r\nX-Evil: 1.pdf', b"%PDF-1.7", "application/pdf")}
    answer = post_report(cora, app, contract_id, commitment="SR-01", on="2024-10-05", evidence_kind="sr-plan",
                         files=hostile)  # fmt: skip
    assert answer.status_code == 303
    sha = re.search(r"/evidence/([0-9a-f]{64})", cora.get(f"/contracts/{contract_id}").text).group(1)
    kept = cora.get(f"/contracts/{contract_id}/evidence/{sha}")
    assert (
        kept.status_code == 200
        and "x-evil" not in kept.headers
        and '"' not in kept.headers["content-disposition"][22:-1]
    )
