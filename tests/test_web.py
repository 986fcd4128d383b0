"""The web app and the HTTP API (issue "A web app for buyers and category managers"): every API endpoint with good
and bad input (a problem document, never a 500), the store on SQLite and, when CI gives one, PostgreSQL, the pages'
flows, and the safety rules (CSRF, escaping, body limits, hardened XML)."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from inclusief_inkopen import evaluate
from inclusief_inkopen.checklists.checklist import Checklist
from inclusief_inkopen.web.app import create_app
from inclusief_inkopen.web.store import ConflictError, Store

DATA = Path(__file__).parent / "data"
WEBSITE = {"title": "Website", "nature": "services", "estimated_value_eur": 300000, "cpv": ["72413000"]}
PROBLEM = "application/problem+json"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(f"sqlite:///{tmp_path}/web.sqlite3"), follow_redirects=False)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/") and body["title"]
    return body


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_advice_is_the_published_advice_json_in_one_language_on_request(client: TestClient) -> None:
    response = client.post("/api/v1/advice", json=WEBSITE, params={"lang": "en", "on": "2026-03-01"})
    assert response.status_code == 200
    advice = response.json()
    assert advice["format"] == "inclusief-inkopen/advice/v1" and advice["on"] == "2026-03-01"
    assert set(advice["suggestions"][0]["title"]) == {"en"}
    assert "PG-WEB-01" not in {s["id"] for s in advice["suggestions"]}  # end users unknown: undetermined
    both = client.post("/api/v1/advice", json=WEBSITE, params={"on": "2026-03-01"}).json()
    assert set(both["suggestions"][0]["title"]) == {"nl", "en"}


def test_api_advice_sends_the_bytes_the_library_writes(client: TestClient) -> None:
    # The API writes its answer from pieces kept as UTF-8 (Advice.to_json_bytes), not by encoding the text.
    for params, lang in (({"on": "2026-03-01"}, None), ({"on": "2026-03-01", "lang": "nl"}, "nl")):
        sent = client.post("/api/v1/advice", json=WEBSITE, params=params).content
        assert sent == evaluate(WEBSITE, on=dt.date(2026, 3, 1)).to_json(lang=lang).encode()


def test_api_advice_documents_its_query_parameters_and_names_a_bad_one(client: TestClient) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/api/v1/advice"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("lang", "query", False),
        ("on", "query", False),
    ]
    assert parameters[1]["schema"]["anyOf"][0] == {"format": "date", "type": "string"}
    both = _problem(client.post("/api/v1/advice", json=WEBSITE, params={"lang": "fr", "on": "gisteren"}), 422)
    assert [e["location"] for e in both["errors"]] == ["query.lang", "query.on"]
    assert "Input should be 'nl' or 'en'" in both["errors"][0]["detail"]


def test_api_advice_names_each_bad_field_in_a_problem_document(client: TestClient) -> None:
    body = _problem(client.post("/api/v1/advice", json={"title": "x", "nature": "servics"}), 422)
    locations = {e["location"] for e in body["errors"]}
    assert locations == {"nature", "estimated_value_eur"}
    assert any("'services'" in e["detail"] for e in body["errors"])  # the suggestion ("bedoelt u", "did you mean")
    _problem(client.post("/api/v1/advice", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert "not a list" in _problem(client.post("/api/v1/advice", json=[1, 2]), 422)["detail"]
    twice = b'{"title": "a", "title": "b", "nature": "services"}'
    assert "duplicate key 'title'" in _problem(client.post("/api/v1/advice", content=twice), 422)["detail"]
    _problem(client.post("/api/v1/advice", json=WEBSITE, params={"lang": "fr"}), 422)
    _problem(client.post("/api/v1/advice", json=WEBSITE, params={"on": "2026-13-01"}), 422)


def test_api_criteria_list_one_and_product_groups(client: TestClient) -> None:
    listed = client.get("/api/v1/criteria").json()
    assert len(listed["criteria"]) >= 72 and listed["catalogue"]["name"] == "amsterdam-basis"
    cleaning = client.get("/api/v1/criteria", params={"product_group": "cleaning"}).json()["criteria"]
    assert [c["id"] for c in cleaning] == ["PG-SCH-01", "PG-SCH-02"]
    _problem(client.get("/api/v1/criteria", params={"product_group": "nope"}), 422)
    one = client.get("/api/v1/criteria/toeg-dig-01").json()
    assert one["id"] == "TOEG-DIG-01" and one["status"] == "mandatory" and one["legal_basis"]
    assert "not found" in _problem(client.get("/api/v1/criteria/NOPE-01"), 404)["title"].lower()
    groups = client.get("/api/v1/product-groups").json()
    assert groups["pupil-transport"]["cpv"]["6013"]


def test_api_schemas_are_the_published_ones(client: TestClient) -> None:
    for name in ("tender-profile", "advice", "checklist", "criterion"):
        published = json.loads((Path(__file__).parents[1] / "docs" / "schema" / f"{name}.schema.json").read_text())
        assert client.get(f"/api/v1/schemas/{name}").json() == published
    _problem(client.get("/api/v1/schemas/nope"), 404)
    openapi = client.get("/openapi.json").json()
    assert openapi["components"]["schemas"]["TenderProfile"]["properties"]["nature"]
    advice_body = openapi["paths"]["/api/v1/advice"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert advice_body == {"$ref": "#/components/schemas/TenderProfile"}


def test_api_notice_import_and_compare(client: TestClient) -> None:
    notice = (DATA / "eforms" / "notices" / "cn_24_open.xml").read_bytes()
    imported = client.post("/api/v1/notices/import", content=notice, headers={"content-type": "application/xml"})
    assert imported.status_code == 200
    assert imported.json()["tender"]["estimated_value_eur"] == 500000
    compared = client.post("/api/v1/notices/compare", content=notice, params={"on": "2026-03-01"}).json()
    assert compared["assessed"] is True and compared["findings"]
    ocds = (DATA / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_bytes()
    assert client.post("/api/v1/notices/import", content=ocds).json()["notice"]["format"] == "ocds"
    body = _problem(client.post("/api/v1/notices/import", content=b'<!DOCTYPE a [<!ENTITY x "x">]><a>&x;</a>'), 422)
    assert "DOCTYPE" in body["detail"]
    _problem(client.post("/api/v1/notices/import", content=b""), 422)
    _problem(client.post("/api/v1/notices/compare", content=b"neither"), 422)


def test_api_checklist_create_check_update(client: TestClient) -> None:
    tender = WEBSITE | {"end_users": ["residents"], "digital": ["website"]}
    created = client.post("/api/v1/checklists", json=tender, params={"on": "2026-03-01"})
    assert created.status_code == 200
    checklist = created.json()
    Checklist.model_validate(checklist)
    checked = client.post("/api/v1/checklists/check", json=checklist).json()
    assert checked["complete"] is False and any("decision" in p["location"] for p in checked["problems"])
    checklist["items"][0] |= {"decision": "applied", "decided_by": "Anna", "decided_on": "2026-03-02"}
    updated = client.post("/api/v1/checklists/update", json={"checklist": checklist, "tender": tender | {"lots": 2}})
    assert updated.status_code == 200
    kept = updated.json()["checklist"]["items"][0]
    assert kept["decision"] == "applied" and kept["decided_by"] == "Anna"
    _problem(client.post("/api/v1/checklists/check", json={"items": "no"}), 422)
    _problem(client.post("/api/v1/checklists", json={"title": "x"}), 422)


def test_api_checklist_update_names_what_is_wrong(client: TestClient) -> None:
    _problem(client.post("/api/v1/checklists/update", json={"checklist": {}}), 422)
    tender = WEBSITE | {"end_users": ["residents"]}
    checklist = client.post("/api/v1/checklists", json=tender).json()
    bad_tender = {"checklist": checklist, "tender": {"nature": 3}}
    body = _problem(client.post("/api/v1/checklists/update", json=bad_tender), 422)
    assert any("nature" in e["location"] for e in body["errors"])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_POSTS = ["advice", "checklists", "checklists/check", "checklists/update", "notices/import", "notices/compare"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    endpoint=st.sampled_from(_POSTS),
    body=_JSON
    | st.builds(lambda k, v: WEBSITE | {k: v}, st.sampled_from([*WEBSITE, "end_users", "digital", "lots"]), _JSON)
    | st.binary(max_size=200).map(lambda b: b"<" + b),
)
def test_no_body_makes_an_api_endpoint_fail_with_a_500(tmp_path_factory: Any, endpoint: str, body: Any) -> None:
    client = _fuzz_client(tmp_path_factory)
    if isinstance(body, bytes):
        response = client.post(f"/api/v1/{endpoint}", content=body, headers={"content-type": "application/xml"})
    else:
        response = client.post(f"/api/v1/{endpoint}", json=body)
    assert response.status_code in (200, 413, 422), (response.status_code, response.text[:500])
    if response.status_code != 200:
        _problem(response, response.status_code)


_FUZZ: dict[str, TestClient] = {}


def _fuzz_client(tmp_path_factory: Any) -> TestClient:
    if "client" not in _FUZZ:
        folder = tmp_path_factory.mktemp("fuzz")
        _FUZZ["client"] = TestClient(create_app(f"sqlite:///{folder}/f.sqlite3"), raise_server_exceptions=False)
    return _FUZZ["client"]


def test_api_bodies_over_the_limit_are_refused_unread(tmp_path: Path) -> None:
    small = TestClient(create_app(f"sqlite:///{tmp_path}/s.sqlite3", max_upload=1000))
    body = _problem(small.post("/api/v1/notices/import", content=b"<a>" + b" " * 200_000 + b"</a>"), 413)
    assert "at most" in body["detail"]


def test_an_unknown_api_path_and_method_are_problems(client: TestClient) -> None:
    _problem(client.get("/api/v1/nothing"), 404)
    _problem(client.get("/api/v1/advice"), 405)


# --- store -------------------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """The store on SQLite always; on PostgreSQL when a server is given (CI installs one and must give it)."""
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path}/store.sqlite3")
    url = os.environ.get("INCLUSIEF_INKOPEN_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI_REQUIRES_POSTGRES"):
            pytest.fail("CI promised a PostgreSQL server but gave no INCLUSIEF_INKOPEN_TEST_POSTGRES_URL")
        pytest.skip("no PostgreSQL server given (INCLUSIEF_INKOPEN_TEST_POSTGRES_URL)")
    return Store(url)


def test_the_store_keeps_tenders_checklists_and_every_change(store: Store) -> None:
    from inclusief_inkopen import evaluate
    from inclusief_inkopen.checklists.checklist import from_advice

    tender_id = store.save_tender(WEBSITE, "Anna", category=None)
    store.save_tender(WEBSITE | {"lots": 2}, "Bram", tender_id)
    assert store.tender(tender_id)["lots"] == 2
    history = store.history("tender", tender_id)
    assert [(h["who"], h["action"]) for h in history] == [("Anna", "created"), ("Bram", "changed")]
    assert history[1]["change"] == {"fields": ["lots"]}
    checklist = from_advice(evaluate(WEBSITE | {"end_users": ["residents"]}))
    checklist_id = store.save_checklist(checklist, "Anna", tender_id, category="ICT")
    first = checklist.items[0].model_copy(update={"decision": "applied"})
    decided = checklist.model_copy(update={"items": [first, *checklist.items[1:]]})
    store.save_checklist(decided, "Bram", tender_id, checklist_id, expected_version=1)
    with pytest.raises(ConflictError):
        store.save_checklist(checklist, "Carla", tender_id, checklist_id, expected_version=1)
    kept, meta = store.checklist(checklist_id)
    assert kept.items[0].decision == "applied" and meta["version"] == 2 and meta["category"] == "ICT"
    rows = store.history("checklist", checklist_id)
    assert [h["who"] for h in rows] == ["Anna", "Bram"]
    assert rows[1]["change"]["items"][0]["id"] == checklist.items[0].id
    listed = store.checklists(category="ICT").rows
    assert any(c["id"] == checklist_id and c["state"] == "open" for c in listed)
    assert not any(c["id"] == checklist_id for c in store.checklists(category="Schoonmaak").rows)


def test_two_saves_racing_from_the_same_version_cannot_both_land(store: Store) -> None:
    from threading import Barrier, Thread

    from inclusief_inkopen import evaluate
    from inclusief_inkopen.checklists.checklist import from_advice

    tender_id = store.save_tender(WEBSITE, "Anna")
    checklist = from_advice(evaluate(WEBSITE | {"end_users": ["residents"]}))
    checklist_id = store.save_checklist(checklist, "Anna", tender_id)
    start, outcomes = Barrier(8), []

    def save(name: str) -> None:
        item = checklist.items[0].model_copy(update={"decision": "applied", "decided_by": name})
        start.wait()
        try:
            store.save_checklist(
                checklist.model_copy(update={"items": [item, *checklist.items[1:]]}),
                name,
                tender_id,
                checklist_id,
                expected_version=1,
            )
            outcomes.append(name)
        except ConflictError:
            pass

    threads = [Thread(target=save, args=(f"user {n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept, meta = store.checklist(checklist_id)
    assert len(outcomes) == 1 and meta["version"] == 2
    assert kept.items[0].decided_by == outcomes[0]
    assert [h["who"] for h in store.history("checklist", checklist_id)] == ["Anna", outcomes[0]]


# --- pages -------------------------------------------------------------------------------------------------------


def _token(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page's forms carry (bound to this client's session cookie)."""
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


# Step 2 answered: residents use the result; no contractor staff in contact with them; no staffing.
STEP_2 = {"end_users__state": "some", "end_users": ["residents"], "people_facing": "false", "staffing": "false"}


def _new_checklist(client: TestClient, tender_id: str, token: str, **fields: str) -> str:
    """Make a checklist from the tender's advice, as the advice page's form does; its page's path."""
    made = client.post(f"/tenders/{tender_id}/checklists", data={"csrf": token, **fields})
    assert made.status_code == 303
    return str(made.headers["location"])


def _version_in(page: str) -> str:
    """The version of the checklist a page's form was made from (what a save must send back)."""
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the page has no version field"
    return found.group(1)


def _questionnaire(client: TestClient) -> str:
    token = _token(client, "/tenders/new")
    location = client.post(
        "/tenders/new", data={"csrf": token, **{k: str(v) for k, v in WEBSITE.items() if k != "cpv"}, "cpv": "72413000"}
    ).headers["location"]
    tender_id = location.split("/")[2]
    client.post(
        location,
        data={"csrf": token, **STEP_2},
    )
    client.post(
        f"/tenders/{tender_id}/step/3",
        data={
            "csrf": token,
            "digital__state": "some",
            "digital": ["website"],
            "eaa_services__state": "none",
            "physical__state": "none",
        },
    )
    done = client.post(
        f"/tenders/{tender_id}/step/4", data={"csrf": token, "labour_share": "60", "supply_chain_risk__state": "none"}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/tenders/{tender_id}/advice"
    return tender_id


def test_a_buyer_answers_the_questionnaire_and_gets_the_advice_and_its_downloads(client: TestClient) -> None:
    tender_id = _questionnaire(client)
    page = client.get(f"/tenders/{tender_id}/advice")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "PG-WEB-01" in page.text and "Verplicht (wet)" in page.text
    # The eForms values to enter, with the code list's own wording and the criteria behind each.
    assert re.search(
        r"<th scope=\"row\">BT-754-Lot</th><td><code>inc</code></td><td>Er zijn criteria opgenomen", page.text
    )
    assert re.search(r"<th scope=\"row\">BT-539-Lot</th><td><code>quality</code>", page.text)
    docx = client.get(f"/tenders/{tender_id}/advice.docx")
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(docx.content)) as package:
        word = package.read("word/document.xml").decode()
    assert "TOEG-DIG-01" in word and "Aanbestedingswet 2012, art. 2.81 lid 2" in word
    # Each legal reference once, as the library words it (its title names the article).
    for text in (word, page.text):
        assert not re.search(r"art\. ([0-9.]+ lid \d+), art\. \1", text)
    assert client.get(f"/tenders/{tender_id}/advice.md").text.startswith("# Advies")
    assert json.loads(client.get(f"/tenders/{tender_id}/advice.json?lang=en").content)["format"]
    assert b"ProcurementProjectLot" in client.get(f"/tenders/{tender_id}/eforms.xml").content
    assert client.get(f"/tenders/{tender_id}/eforms.json").json()[0]["business_term"]
    english = client.get(f"/tenders/{tender_id}/advice?lang=en")
    assert '<html lang="en">' in english.text and "Mandatory (law)" in english.text


def test_the_questionnaire_ties_each_error_to_its_field_and_keeps_what_was_given(client: TestClient) -> None:
    token = _token(client, "/tenders/new")
    response = client.post("/tenders/new", data={"csrf": token, "title": "x", "estimated_value_eur": "€ veel"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and 'href="#f-nature"' in response.text
    assert 'aria-describedby="h-estimated_value_eur e-estimated_value_eur"' in response.text
    assert 'value="x"' in response.text


def test_the_cpv_codes_guesses_are_filled_in_as_suggestions_until_the_step_is_saved(client: TestClient) -> None:
    token = _token(client, "/tenders/new")
    location = client.post(
        "/tenders/new",
        data={"csrf": token, "title": "Site", "nature": "services", "estimated_value_eur": "300000", "cpv": "72413000"},
    ).headers["location"]
    tender_id = location.split("/")[2]
    step3 = client.get(f"/tenders/{tender_id}/step/3").text
    assert re.search(r'id="f-digital-website" name="digital" value="website" checked', step3)
    assert re.search(r'id="f-digital-state-some" name="digital__state" value="some" checked', step3)
    assert "Alvast ingevuld op grond van de CPV-code" in step3 and "72413000" in step3
    advice = client.get(f"/tenders/{tender_id}/advice").text  # not saved yet: still a question
    assert f"/tenders/{tender_id}/step/3#f-digital" in advice
    client.post(f"/tenders/{tender_id}/step/3", data={"csrf": token, "digital__state": "some", "digital": "website"})
    assert "Alvast ingevuld" not in client.get(f"/tenders/{tender_id}/step/3").text


def test_don_t_know_is_allowed_everywhere_but_the_three_fields_the_advice_needs(client: TestClient) -> None:
    tender_id = _questionnaire(client)
    token = _token(client)
    client.post(f"/tenders/{tender_id}/step/2", data={"csrf": token, "end_users__state": "unknown"})
    page = client.get(f"/tenders/{tender_id}/advice")
    assert "Nog te beantwoorden" in page.text and f"/tenders/{tender_id}/step/2#f-end_users" in page.text


def test_a_category_manager_decides_a_checklist_and_finds_it_kept_with_its_history(client: TestClient) -> None:
    tender_id = _questionnaire(client)
    token = _token(client)
    location = _new_checklist(client, tender_id, token, category="ICT")
    page = client.get(location).text
    count = page.count('<article class="item"')
    version = _version_in(page)
    form = {"csrf": token, "version": version, "name": "Wethouder Jansen", "award_basis": "best-price-quality"}
    for i in range(count):
        form[f"items[{i}].decision"] = "applied"
        form[f"items[{i}].weight"] = "10"
    assert client.post(location, data=form).status_code == 303
    again = client.get(location).text
    assert "De checklist is compleet." in again and again.count('value="applied" checked') == count
    stale = client.post(location, data=form)  # the same version again: someone saved in between
    assert stale.status_code == 409 and "niet opgeslagen" in stale.text
    history = client.get(f"{location}/history").text
    # header, created, decided; by this computer's one person, never a name typed into the form
    assert history.count("<tr>") == 3 and f"<td>{getpass.getuser()}</td>" in history
    assert "Wethouder Jansen" not in history
    signed = client.post(f"{location}/sign-off", data={"csrf": token, "version": str(int(version) + 1)})
    assert signed.status_code == 303 and "afgetekend" in client.get(location).text
    exported = client.get(f"{location}/export.yaml")
    assert exported.status_code == 200 and "decision: applied" in exported.text
    assert client.get(f"{location}/export.xlsx").content[:2] == b"PK"
    assert "<html" in client.get(f"{location}/export.html").text
    assert client.get("/checklists?category=ICT").text.count("/checklists/") >= 1


def test_a_checklist_exports_as_the_cli_writes_it_and_imports_back(client: TestClient, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from inclusief_inkopen.cli import main

    tender_id = _questionnaire(client)
    token = _token(client)
    location = _new_checklist(client, tender_id, token)
    exported = client.get(f"{location}/export.yaml").content
    (tmp_path / "c.yaml").write_bytes(exported)
    for fmt, ext in (("html", "html"), ("markdown", "md"), ("xlsx", "xlsx")):
        out = tmp_path / f"cli.{ext}"
        assert (
            main(["checklist", "render", str(tmp_path / "c.yaml"), "--format", fmt, "--lang", "en", "-o", str(out)])
            == 0
        )
        web = client.get(f"{location}/export.{ext}?lang=en").content
        if ext == "xlsx":  # the workbook's own timestamps differ; every cell must not
            (tmp_path / "web.xlsx").write_bytes(web)
            cells = [
                [[c.value for c in row] for ws in load_workbook(f).worksheets for row in ws.iter_rows()]
                for f in (out, tmp_path / "web.xlsx")
            ]
            assert cells[0] == cells[1]
        else:
            assert web == out.read_bytes(), fmt
    # The YAML back in, with a decision made outside the app: kept, and the history says it was imported.
    edited = exported.replace(b"decision: open", b"decision: applied", 1)
    assert edited != exported
    page = client.get(location).text
    version = _version_in(page)
    files = {"file": ("c.yaml", edited, "application/yaml")}
    done = client.post(f"{location}/import", data={"csrf": token, "version": version, "name": "Bram"}, files=files)
    assert done.status_code == 303
    assert client.get(f"{location}/export.yaml").content.count(b"decision: applied") == 1
    assert "ingelezen uit een bestand" in client.get(f"{location}/history").text
    bad = {"file": ("c.yaml", b"items: 3\n", "application/yaml")}
    refused = client.post(f"{location}/import", data={"csrf": token, "version": str(int(version) + 1)}, files=bad)
    assert refused.status_code == 422 and "c.yaml" in refused.text


def test_what_is_still_to_do_is_said_in_the_page_s_language_and_links_to_where_it_is_done(client: TestClient) -> None:
    tender_id = _questionnaire(client)
    token = _token(client)
    client.post(f"/tenders/{tender_id}/step/2", data={"csrf": token, "end_users__state": "unknown"})
    location = _new_checklist(client, tender_id, token)
    dutch = client.get(f"{location}?lang=nl").text
    assert f'<a href="/tenders/{tender_id}/step/2#f-end_users">Open vraag: Wie gebruikt het resultaat' in dutch
    assert re.search(r'<a href="#c-0">[A-Z-]+\d+: nog niet besloten', dutch)
    assert "questions[" not in dutch and "checklist update" not in dutch
    english = client.get(f"{location}?lang=en").text
    assert "Open question: Who uses the result" in english and "not decided yet" in english
    # Answered in the questionnaire and brought in with "update": the question is gone, its items decided by it.
    client.post(
        f"/tenders/{tender_id}/step/2",
        data={"csrf": token, **STEP_2},
    )
    version = _version_in(dutch)
    assert client.post(f"{location}/update", data={"csrf": token, "version": version}).status_code == 303
    after = client.get(f"{location}?lang=nl").text
    assert "Open vraag: Wie gebruikt het resultaat" not in after and "PG-WEB-01" in after


class _Nesting(HTMLParser):
    """Checks that every element the pages build their structure with is closed, in order: an unclosed table
    swallows the forms after it in a browser, with no error anywhere."""

    CHECKED = frozenset(
        {
            "table",
            "tbody",
            "thead",
            "tr",
            "form",
            "section",
            "fieldset",
            "ul",
            "ol",
            "details",
            "article",
            "div",
            "main",
            "nav",
            "header",
            "footer",
            "label",
            "a",
            "p",
            "h1",
            "h2",
            "h3",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.CHECKED:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.CHECKED:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> at line {self.getpos()[0]} closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def test_every_page_closes_what_it_opens(client: TestClient) -> None:
    tender_id = _questionnaire(client)
    token = _token(client)
    location = _new_checklist(client, tender_id, token)
    pages = [
        "/",
        "/tenders/new",
        *(f"/tenders/{tender_id}/step/{n}" for n in (1, 2, 3, 4)),
        f"/tenders/{tender_id}/advice",
        "/cpv?q=schoonmaak",
        "/checklists",
        location,
        f"{location}/history",
        "/tenders/nope/advice",
    ]
    for path in pages:
        for lang in ("nl", "en"):
            nesting = _Nesting()
            nesting.feed(client.get(path, params={"lang": lang}).text)
            assert not nesting.problems and not nesting.open, (path, lang, nesting.problems, nesting.open)


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    _token(client)
    assert client.post("/tenders/new", data={"title": "x"}).status_code == 403
    assert client.post("/tenders/new", data={"csrf": "forged", "title": "x"}).status_code == 403


def test_text_from_users_and_notices_is_escaped(client: TestClient) -> None:
    token = _token(client, "/tenders/new")
    location = client.post(
        "/tenders/new",
        data={"csrf": token, "title": "<script>alert(1)</script>", "nature": "services", "estimated_value_eur": "1000"},
    )
    tender_id = location.headers["location"].split("/")[2]
    page = client.get(f"/tenders/{tender_id}/advice").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_a_notice_upload_opens_the_questionnaire_prefilled(client: TestClient) -> None:
    token = _token(client)
    notice = (DATA / "eforms" / "notices" / "cn_24_open.xml").read_bytes()
    response = client.post(
        "/tenders/import", data={"csrf": token}, files={"notice": ("cn.xml", notice, "application/xml")}
    )
    assert response.status_code == 303
    step = client.get(response.headers["location"]).text
    assert 'value="500000"' in step


def test_cpv_search_by_code_and_by_words_with_the_hierarchy(client: TestClient) -> None:
    page = client.get("/cpv", params={"q": "schoonmaken kantoren"}).text
    assert "90919200" in page and "90000000" in page  # the code and its place in the hierarchy
    hits = client.get("/cpv.json", params={"q": "7241"}).json()
    assert hits[0]["code"].startswith("7241") and hits[0]["en"]


def test_the_questionnaire_asks_the_regime_and_a_concession_gets_its_own_rules(client: TestClient) -> None:
    new = client.get("/tenders/new").text
    assert "aanbestedingsregime" in new and "concessieopdracht (deel 2a Aw)" in new
    token = _token(client, "/tenders/new")
    fields = {"title": "Bouw en exploitatie zwembad", "nature": "works", "estimated_value_eur": "12000000"}
    made = client.post("/tenders/new", data={"csrf": token, **fields, "regime": "concession"})
    assert made.status_code == 303
    tender_id = made.headers["location"].split("/")[2]
    client.post(made.headers["location"], data={"csrf": token, **STEP_2})
    advice = client.get(f"/tenders/{tender_id}/advice").text
    assert "PROC-CON-01" in advice and "ONTW-CON-01" in advice
    refused = client.post("/tenders/new", data={"csrf": token, **fields, "nature": "supplies", "regime": "concession"})
    assert refused.status_code == 422 and "2a.1" in refused.text
