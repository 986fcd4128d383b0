"""People and roles (issue "People and roles: sign-in, who may do what, an audit trail nobody can rewrite"):
signing in for real through an OpenID Connect provider and through a trusted proxy header, the rights of each role
on every route the app has, departments, four eyes, API keys, the append-only audit trail, the store's backup, and
each finding of the hostile review as a test that failed before and passes now. The store-backed tests run on SQLite
and, when CI gives one, PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import socket
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("fastapi")
import httpx
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from starlette.routing import Route

from inclusief_inkopen import evaluate
from inclusief_inkopen.checklists.checklist import from_advice, to_yaml
from inclusief_inkopen.web.app import create_app
from inclusief_inkopen.web.people import ROLES, new_key
from inclusief_inkopen.web.signin import COOKIE, SetupError, SignIn, session_of, token_for
from inclusief_inkopen.web.store import Actor, Store
from tests import oidc_provider

WEBSITE = {
    "title": "Website",
    "nature": "services",
    "estimated_value_eur": 300000,
    "cpv": ["72413000"],
    "end_users": ["residents"],
    "digital": ["website"],
}
PROBLEM = "application/problem+json"
ADMIN = Actor("setup", "Inrichting")


# --- databases: SQLite always, PostgreSQL when CI gives one, a fresh schema per test ----------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/people.sqlite3"
        return
    url = os.environ.get("INCLUSIEF_INKOPEN_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI_REQUIRES_POSTGRES"):
            pytest.fail("CI promised a PostgreSQL server but gave no INCLUSIEF_INKOPEN_TEST_POSTGRES_URL")
        pytest.skip("no PostgreSQL server given (INCLUSIEF_INKOPEN_TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


_APPS: list[Any] = []


@pytest.fixture(autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    while _APPS:
        _APPS.pop().state.store.engine.dispose()


def make_app(url: str, **sign_in: Any) -> Any:
    settings = SignIn(**sign_in) if sign_in else SignIn()
    app = create_app(url, sign_in=settings)
    _APPS.append(app)
    return app


def proxy_app(url: str, trusted: tuple[str, ...] = ("testclient",)) -> Any:
    """The app behind a trusted proxy that sends the user and the groups in headers (TestClient's peer is
    ``testclient``), with the groups of the test provider mapped to roles and departments."""
    app = make_app(
        url,
        mode="proxy",
        user_header="x-remote-user",
        name_header="x-remote-name",
        groups_header="x-remote-groups",
        trusted_proxies=trusted,
        admin_groups=(oidc_provider.ADMIN_GROUP,),
    )
    for group, (roles, department) in oidc_provider.MAPPING.items():
        app.state.store.set_role_mapping(group, roles, department, ADMIN)
    return app


def as_user(app: Any, user: str | None, **options: Any) -> TestClient:
    """A browser of one of the test provider's people, signed in through the proxy's headers."""
    headers = {}
    if user:
        headers = {
            "x-remote-user": user,
            "x-remote-name": oidc_provider.USERS[user]["name"],
            "x-remote-groups": ",".join(oidc_provider.USERS[user]["groups"]),
        }
    return TestClient(app, headers=headers, follow_redirects=False, **options)


def csrf(app: Any, client: TestClient) -> str:
    """The CSRF token of this client's session, as its pages' forms carry it."""
    if COOKIE not in client.cookies:
        client.get("/static/app.css")
    return token_for(app.state.secret, session_of(app.state.secret, client.cookies[COOKIE])["sid"])


def tender_and_checklist(app: Any, department: str = "ICT") -> tuple[str, str]:
    store = app.state.store
    tender_id = store.save_tender(WEBSITE, Actor("anna", "Anna de Vries"), department=department)
    checklist = from_advice(evaluate(WEBSITE, on=dt.date(2026, 3, 1)))
    return tender_id, store.save_checklist(checklist, Actor("anna", "Anna de Vries"), tender_id)


def with_contract(app: Any, tender_id: str) -> tuple[str, str]:
    """A contract on a decided checklist of the tender, with one report carrying an evidence file: (its id, the
    evidence's hash)."""
    from inclusief_inkopen.contracts import contract as ct

    checklist = from_advice(evaluate(WEBSITE, on=dt.date(2026, 3, 1)))
    items = [i.model_copy(update={"decision": "applied", "weight": 10 if i.kind == "award-criterion" else None,
                                  "decided_by": "Bram"}) for i in checklist.items]  # fmt: skip
    checklist = checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"})
    store = app.state.store
    checklist_id = store.save_checklist(checklist, Actor("bram", "Bram Bakker"), tender_id)
    contract = ct.from_checklist(
        checklist,
        supplier="Web BV",
        start=dt.date(2026, 4, 1),
        end=dt.date(2028, 4, 1),
        value_eur=300000,
        contract_id=str(uuid.uuid4()),
    )
    store.save_contract(contract, Actor("cora", "Cora Contract"), checklist_id, tender_id, "ICT")
    evidence = ct.evidence_bytes("wcag-em-report", "audit.pdf", b"%PDF-1.7 audit")
    reported = ct.add_report(contract, "PG-WEB-01", on=dt.date(2026, 9, 1), value="B", by="Cora", evidence=[evidence])
    store.add_contract_report(contract.id, reported.reports[-1], [(evidence, b"%PDF-1.7 audit")], Actor("cora", "Cora"))
    return contract.id, str(evidence.sha256)


def _feed_token(app: Any) -> str:
    from itsdangerous import URLSafeSerializer

    return str(URLSafeSerializer(app.state.secret, salt="inclusief-inkopen.calendar-feed").dumps({"s": "x", "d": []}))


def decide_all(client: TestClient, app: Any, location: str) -> int:
    page = client.get(location).text
    count = page.count('<article class="item"')
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {"csrf": csrf(app, client), "version": version, "award_basis": "best-price-quality"}
    for i in range(count):
        form[f"items[{i}].decision"] = "applied"
        form[f"items[{i}].weight"] = "10"
    assert client.post(location, data=form).status_code == 303
    return int(version) + 1


# --- the rights table: every route, every role ------------------------------------------------------------------------

EVERYONE = frozenset({"anonymous", *ROLES})
SIGNED_IN = frozenset(ROLES)
READERS = frozenset({"inkoper", "categoriemanager", "contractmanager", "beleidsmedewerker"})
CONTRACT_READERS = frozenset({"contractmanager", "categoriemanager", "beleidsmedewerker"})
# (method, route) → who may. For pages: roles (and "anonymous"); for /api/v1: key scopes (and "no key").
PAGE_RIGHTS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): SIGNED_IN,
    ("GET", "/tenders/new"): frozenset({"inkoper"}),
    ("POST", "/tenders/new"): frozenset({"inkoper"}),
    ("GET", "/tenders/{tender_id}/step/{n}"): frozenset({"inkoper"}),
    ("POST", "/tenders/{tender_id}/step/{n}"): frozenset({"inkoper"}),
    ("POST", "/tenders/import"): frozenset({"inkoper"}),
    ("GET", "/cpv"): SIGNED_IN,
    ("GET", "/cpv.json"): SIGNED_IN,
    ("GET", "/tenders/{tender_id}/advice"): READERS,
    ("GET", "/tenders/{tender_id}/advice.{fmt}"): READERS,
    ("GET", "/tenders/{tender_id}/eforms.{fmt}"): READERS,
    ("POST", "/tenders/{tender_id}/checklists"): frozenset({"categoriemanager"}),
    ("GET", "/checklists"): READERS,
    ("GET", "/checklists/{checklist_id}"): READERS,
    ("POST", "/checklists/{checklist_id}"): frozenset({"categoriemanager"}),
    ("POST", "/checklists/{checklist_id}/sign-off"): frozenset({"categoriemanager"}),
    ("POST", "/checklists/{checklist_id}/update"): frozenset({"categoriemanager"}),
    ("GET", "/checklists/{checklist_id}/export.{fmt}"): READERS,
    ("POST", "/checklists/{checklist_id}/import"): frozenset({"categoriemanager"}),
    ("GET", "/checklists/{checklist_id}/history"): READERS,
    ("GET", "/sign-in"): EVERYONE,
    ("GET", "/auth/callback"): EVERYONE,
    ("POST", "/sign-out"): SIGNED_IN,
    ("GET", "/signed-out"): EVERYONE,
    ("GET", "/static/{name}"): EVERYONE,
    ("GET", "/admin"): frozenset({"beheerder"}),
    ("POST", "/admin/roles"): frozenset({"beheerder"}),
    ("POST", "/admin/roles/delete"): frozenset({"beheerder"}),
    ("GET", "/admin/keys"): frozenset({"beheerder"}),
    ("POST", "/admin/keys"): frozenset({"beheerder"}),
    ("POST", "/admin/keys/{key_id}/revoke"): frozenset({"beheerder"}),
    ("GET", "/admin/audit"): frozenset({"beheerder"}),
    ("GET", "/contracts"): CONTRACT_READERS,
    ("GET", "/checklists/{checklist_id}/contract"): frozenset({"contractmanager"}),
    ("POST", "/checklists/{checklist_id}/contract"): frozenset({"contractmanager"}),
    ("GET", "/contracts/{contract_id}"): CONTRACT_READERS,
    ("POST", "/contracts/{contract_id}/reports"): frozenset({"contractmanager"}),
    ("GET", "/contracts/{contract_id}/evidence/{sha256}"): CONTRACT_READERS,
    ("GET", "/contracts/{contract_id}/due.ics"): CONTRACT_READERS,
    ("GET", "/feeds"): CONTRACT_READERS,
    ("GET", "/feeds/{token}/due.ics"): EVERYONE,  # the signed token in the address is the key
    ("GET", "/dashboard"): frozenset({"beleidsmedewerker", "categoriemanager"}),
    ("GET", "/dashboard.csv"): frozenset({"beleidsmedewerker", "categoriemanager"}),
    ("GET", "/dashboard.xlsx"): frozenset({"beleidsmedewerker", "categoriemanager"}),
    # The documentation is public; what it documents takes a key.
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/api/docs"): EVERYONE,
}
SCOPES = ("advice", "checklists:read", "checklists:write", "contracts:read", "contracts:write", "dashboard:read")
ADVICE, READ, WRITE = frozenset({"advice"}), frozenset({"checklists:read"}), frozenset({"checklists:write"})
API_RIGHTS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/advice"): ADVICE,
    ("GET", "/api/v1/criteria"): ADVICE,
    ("GET", "/api/v1/criteria/{criterion_id}"): ADVICE,
    ("GET", "/api/v1/product-groups"): ADVICE,
    ("GET", "/api/v1/schemas/{name}"): ADVICE,
    ("POST", "/api/v1/notices/import"): ADVICE,
    ("POST", "/api/v1/notices/compare"): ADVICE,
    ("POST", "/api/v1/checklists"): ADVICE,
    ("POST", "/api/v1/checklists/check"): ADVICE,
    ("POST", "/api/v1/checklists/update"): ADVICE,
    ("GET", "/api/v1/checklists"): READ,
    ("GET", "/api/v1/checklists/{checklist_id}"): READ,
    ("POST", "/api/v1/checklists/{checklist_id}/decisions"): WRITE,
    ("GET", "/api/v1/contracts"): frozenset({"contracts:read"}),
    ("GET", "/api/v1/contracts/{contract_id}"): frozenset({"contracts:read"}),
    ("POST", "/api/v1/contracts/{contract_id}/reports"): frozenset({"contracts:write"}),
    ("GET", "/api/v1/dashboard"): frozenset({"dashboard:read"}),
}
# Which test person holds each role (the provider's groups, mapped by proxy_app).
HOLDER = {
    "inkoper": "anna",
    "categoriemanager": "bram",
    "contractmanager": "cora",
    "beleidsmedewerker": "ilse",
    "beheerder": "bea",
}


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, the included routers' routes too."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
            if included is not None:
                yield from walk(included.routes)
            elif isinstance(route, APIRoute | Route):
                yield route
            else:
                raise AssertionError(f"a route of a kind the rights test does not know: {route!r}")

    fastapi = app.app.app  # Gate → Sessions → FastAPI
    return [(m, r.path) for r in walk(fastapi.routes) for m in sorted(r.methods or ()) if m != "HEAD"]


def test_every_route_of_the_app_is_in_the_rights_table(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/r.sqlite3")
    missing = [r for r in _routes(app) if r not in PAGE_RIGHTS and r not in API_RIGHTS]
    assert not missing, f"routes without a row in the rights table: {missing}"
    gone = [r for r in [*PAGE_RIGHTS, *API_RIGHTS] if r not in _routes(app)]
    assert not gone, f"rows for routes the app no longer has: {gone}"


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def _denied(response: httpx.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303) and "/sign-in" in response.headers.get("location", "")


def test_each_role_may_do_exactly_what_the_table_says_on_every_page(database_url: str) -> None:
    wrong = []
    for who in ["anonymous", *ROLES]:
        app = proxy_app(database_url)
        tender_id, checklist_id = tender_and_checklist(app)
        contract_id, sha256 = with_contract(app, tender_id)
        key_id, _full, hashed = new_key()
        app.state.store.create_key(key_id, "dummy", hashed, ["advice"], None, ADMIN)
        app.state.store.set_role_mapping("dummy", [], None, ADMIN)
        client = as_user(app, HOLDER.get(who))
        token = csrf(app, client)
        ids = {
            "tender_id": tender_id,
            "checklist_id": checklist_id,
            "n": "1",
            "fmt": "md",
            "name": "app.css",
            "key_id": key_id,
            "contract_id": contract_id,
            "sha256": sha256,
            "token": _feed_token(app),
        }
        for (method, route), allowed in sorted(PAGE_RIGHTS.items(), key=lambda r: r[0][1] == "/sign-out"):
            path = _fill(route, ids).replace("eforms.md", "eforms.xml").replace("export.md", "export.yaml")
            data = {"csrf": token, "group": "dummy", "version": "1"} if method == "POST" else None
            response = client.request(method, path, data=data)
            # a page someone may open must open too (the callback has no sign-in to finish in proxy mode)
            broken = who in allowed and method == "GET" and route != "/auth/callback" and response.status_code >= 400
            if broken or _denied(response) == (who in allowed):
                wrong.append((who, method, route, response.status_code))
    assert not wrong, f"(role, method, route, status) that broke the table: {wrong}"


def test_each_api_key_scope_may_do_exactly_what_the_table_says(database_url: str) -> None:
    app = proxy_app(database_url)
    tender_id, checklist_id = tender_and_checklist(app)
    contract_id, _ = with_contract(app, tender_id)
    keys = {}
    for scope in SCOPES:
        key_id, full, hashed = new_key()
        app.state.store.create_key(key_id, scope, hashed, [scope], None, ADMIN)
        keys[scope] = full
    wrong = []
    for who in ["no key", "a wrong key", *SCOPES]:
        headers = {"authorization": f"Bearer {keys[who]}"} if who in keys else {}
        if who == "a wrong key":
            headers = {"authorization": "Bearer ii_aaaaaaaaaaaa_" + "A" * 43}
        client = TestClient(app, headers=headers, raise_server_exceptions=False)
        for (method, route), allowed in API_RIGHTS.items():
            path = _fill(
                route,
                {
                    "checklist_id": checklist_id,
                    "criterion_id": "TOEG-DIG-01",
                    "name": "advice",
                    "contract_id": contract_id,
                },
            )
            response = client.request(method, path, json={} if method == "POST" else None)
            expected = {"no key": 401, "a wrong key": 401}.get(who, 403)
            if who in allowed:
                ok = response.status_code not in (401, 403)
            else:
                ok = response.status_code == expected and response.headers["content-type"].startswith(PROBLEM)
            if not ok:
                wrong.append((who, method, route, response.status_code))
    assert not wrong, f"(scope, method, route, status) that broke the table: {wrong}"
    assert tender_id


def test_a_route_that_names_no_right_is_refused_to_everyone(tmp_path: Path) -> None:
    from inclusief_inkopen.web import pages

    app = proxy_app(f"sqlite:///{tmp_path}/deny.sqlite3")
    fastapi = app.app.app

    @fastapi.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "yes"}

    # a route added to the pages' router without @needs: the router's guard still runs and refuses it
    pages.router.add_api_route("/forgotten-page", forgotten, methods=["GET"])
    fastapi.include_router(pages.router)
    try:
        response = as_user(app, "bea").get("/forgotten-page")
        assert response.status_code == 403 and "declares no right" in response.text
    finally:
        pages.router.routes[:] = [r for r in pages.router.routes if getattr(r, "path", "") != "/forgotten-page"]


# --- departments ------------------------------------------------------------------------------------------------------


def test_a_tender_and_its_checklist_are_seen_only_in_their_department_or_by_a_role_that_spans_them(
    database_url: str,
) -> None:
    app = proxy_app(database_url)
    tender_id, checklist_id = tender_and_checklist(app, department="ICT")
    for user, sees in (("bram", True), ("dirk", False), ("ilse", True)):
        client = as_user(app, user)
        assert (client.get(f"/checklists/{checklist_id}").status_code == 200) is sees, user
        assert (client.get(f"/tenders/{tender_id}/advice").status_code == 200) is sees, user
        assert (checklist_id in client.get("/checklists").text) is sees, user
        assert (tender_id in client.get("/").text) is sees, user
    # someone of another department gets "not found", not "forbidden": its existence is not theirs to know
    assert as_user(app, "dirk").get(f"/checklists/{checklist_id}").status_code == 404
    # a new tender belongs to its maker's department
    client = as_user(app, "anna")
    token = csrf(app, client)
    made = client.post(
        "/tenders/new", data={"csrf": token, "title": "Nieuw", "nature": "services", "estimated_value_eur": "1000"}
    )
    new_id = made.headers["location"].split("/")[2]
    assert app.state.store.tender_with_meta(new_id)[1]["department"] == "ICT"


# --- four eyes and sign-off -------------------------------------------------------------------------------------------


def test_a_category_manager_cannot_sign_off_their_own_last_change_and_another_can(database_url: str) -> None:
    app = proxy_app(database_url)
    tender_id, checklist_id = tender_and_checklist(app)
    bram, carla = as_user(app, "bram"), as_user(app, "carla")
    location = f"/checklists/{checklist_id}"
    version = decide_all(bram, app, location)
    refused = bram.post(f"{location}/sign-off", data={"csrf": csrf(app, bram), "version": str(version)})
    assert refused.status_code == 403 and "vier ogen" in refused.text
    assert app.state.store.checklist(checklist_id)[1]["state"] == "complete"
    signed = carla.post(f"{location}/sign-off", data={"csrf": csrf(app, carla), "version": str(version)})
    assert signed.status_code == 303
    meta = app.state.store.checklist(checklist_id)[1]
    assert meta["state"] == "signed-off" and meta["signed_off_by"] == "Carla Chen"
    audit = app.state.store.history("checklist", checklist_id)
    assert [(h["subject"], h["action"]) for h in audit][-2:] == [("bram", "changed"), ("carla", "signed-off")]
    assert tender_id


def test_finding_2_a_change_after_sign_off_voids_the_sign_off_visibly(database_url: str) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app)
    bram, carla = as_user(app, "bram"), as_user(app, "carla")
    location = f"/checklists/{checklist_id}"
    version = decide_all(bram, app, location)
    carla.post(f"{location}/sign-off", data={"csrf": csrf(app, carla), "version": str(version)})
    # Bram sets one item back to open
    form = {"csrf": csrf(app, bram), "version": str(version + 1), "items[0].decision": "open"}
    assert bram.post(location, data=form).status_code == 303
    meta = app.state.store.checklist(checklist_id)[1]
    assert meta["state"] == "open" and meta["signed_off_by"] is None
    assert (
        meta["voided_sign_off"]["signed_off_by"] == "Carla Chen"
        and meta["voided_sign_off"]["voided_by"] == "Bram Bakker"
    )
    page = bram.get(location).text
    assert "De aftekening door Carla Chen" in page and "is vervallen: Bram Bakker wijzigde de checklist" in page
    assert (
        app.state.store.history("checklist", checklist_id)[-1]["change"]["sign_off_voided"]["voided_by"]
        == "Bram Bakker"
    )


def test_finding_3_identity_and_time_come_from_the_server_never_from_an_import(database_url: str) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app)
    checklist, meta = app.state.store.checklist(checklist_id)
    forged = checklist.model_copy(
        update={
            "items": [
                checklist.items[0].model_copy(
                    update={"decision": "applied", "decided_by": "Wethouder Jansen", "decided_on": dt.date(2020, 1, 1)}
                ),
                *checklist.items[1:],
            ]
        }
    )
    bram = as_user(app, "bram")
    files = {"file": ("c.yaml", to_yaml(forged).encode(), "application/yaml")}
    data = {"csrf": csrf(app, bram), "version": str(meta["version"]), "name": "Wethouder Jansen"}
    assert bram.post(f"/checklists/{checklist_id}/import", data=data, files=files).status_code == 303
    kept = app.state.store.checklist(checklist_id)[0].items[0]
    assert kept.decision == "applied" and kept.decided_by == "Bram Bakker" and kept.decided_on == dt.date.today()
    assert app.state.store.history("checklist", checklist_id)[-1]["subject"] == "bram"


def test_finding_4_an_import_takes_decisions_only_never_the_set_of_items(database_url: str) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app)
    checklist, meta = app.state.store.checklist(checklist_id)
    mandatory = [i for i in checklist.items if i.status == "mandatory"]
    assert mandatory
    others = [
        i.model_copy(update={"decision": "applied", "weight": 10}) for i in checklist.items if i.status != "mandatory"
    ]
    stripped = checklist.model_copy(update={"items": others, "award_basis": "best-price-quality"})
    bram, carla = as_user(app, "bram"), as_user(app, "carla")
    files = {"file": ("c.yaml", to_yaml(stripped).encode(), "application/yaml")}
    bram.post(
        f"/checklists/{checklist_id}/import",
        data={"csrf": csrf(app, bram), "version": str(meta["version"])},
        files=files,
    )
    kept, after = app.state.store.checklist(checklist_id)
    assert [i.id for i in kept.items] == [i.id for i in checklist.items]  # every item still there
    assert all(i.decision == "open" for i in kept.items if i.status == "mandatory")
    signed = carla.post(
        f"/checklists/{checklist_id}/sign-off", data={"csrf": csrf(app, carla), "version": str(after["version"])}
    )
    assert signed.status_code == 422 and app.state.store.checklist(checklist_id)[1]["state"] != "signed-off"


# --- API keys ---------------------------------------------------------------------------------------------------------


def test_a_beheerder_makes_a_key_shown_once_stored_as_a_hash_and_revokes_it(database_url: str) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app)
    bea = as_user(app, "bea")
    form = {"csrf": csrf(app, bea), "name": "TenderNed-koppeling", "scopes": ["checklists:read"], "department": "ICT"}
    made = bea.post("/admin/keys", data=form)
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    key = re.search(r'<code id="new-key">(ii_[a-z0-9]{12}_[A-Za-z0-9_-]{43})</code>', made.text).group(1)
    assert key not in bea.get("/admin/keys").text  # shown once
    with app.state.store.engine.connect() as connection:
        stored = " ".join(str(v) for row in connection.execute(text("SELECT * FROM api_keys")) for v in row)
    assert key not in stored and key[16:] not in stored  # neither the key nor its secret part (after ii_ and the id)
    api = TestClient(app, headers={"authorization": f"Bearer {key}"})
    listed = api.get("/api/v1/checklists")
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["checklists"]] == [checklist_id]
    assert api.get(f"/api/v1/checklists/{checklist_id}").json()["meta"]["version"] == 1
    assert app.state.store.keys()[0]["last_used_at"] is not None
    refused = api.post("/api/v1/advice", json=WEBSITE)  # outside its scope
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(PROBLEM)
    key_id = key.split("_")[1]
    bea.post(f"/admin/keys/{key_id}/revoke", data={"csrf": csrf(app, bea)})
    gone = api.get("/api/v1/checklists")
    assert gone.status_code == 401 and gone.json()["type"] == "/problems/unauthorized"
    assert [h["action"] for h in app.state.store.history("api_key", key_id)] == ["created", "revoked"]


def test_a_key_writes_decisions_merged_like_an_import_and_of_its_department_only(database_url: str) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app, department="ICT")
    keys = {}
    for department in ("ICT", "Sociaal Domein"):
        key_id, full, hashed = new_key()
        app.state.store.create_key(
            key_id, department, hashed, ["checklists:read", "checklists:write"], department, ADMIN
        )
        keys[department] = full
    other = TestClient(app, headers={"authorization": f"Bearer {keys['Sociaal Domein']}"})
    assert other.get(f"/api/v1/checklists/{checklist_id}").status_code == 404
    assert other.get("/api/v1/checklists").json()["total"] == 0
    api = TestClient(app, headers={"authorization": f"Bearer {keys['ICT']}"})
    got = api.get(f"/api/v1/checklists/{checklist_id}").json()
    checklist = got["checklist"]
    checklist["items"][0] |= {"decision": "applied", "decided_by": "Iemand anders"}
    checklist["items"] = checklist["items"][:1]  # only one item sent: the others stay
    posted = api.post(f"/api/v1/checklists/{checklist_id}/decisions", json={"version": 1, "checklist": checklist})
    assert posted.status_code == 200 and posted.json()["meta"]["version"] == 2
    kept = app.state.store.checklist(checklist_id)[0]
    assert kept.items[0].decision == "applied" and kept.items[0].decided_by == "API-sleutel ICT"
    assert len(kept.items) > 1
    again = api.post(f"/api/v1/checklists/{checklist_id}/decisions", json={"version": 1, "checklist": checklist})
    assert again.status_code == 409


# --- the audit trail --------------------------------------------------------------------------------------------------


def test_the_audit_trail_refuses_update_and_delete_in_the_database_itself(database_url: str) -> None:
    store = Store(database_url)
    try:
        tender_id = store.save_tender(WEBSITE, Actor("anna", "Anna de Vries"))
        row_id = store.history("tender", tender_id)[0]["id"]
        for statement in (
            "UPDATE history SET who = 'Wethouder Jansen' WHERE id = :id",
            "DELETE FROM history WHERE id = :id",
        ):
            with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
                connection.execute(text(statement), {"id": row_id})
        assert store.history("tender", tender_id)[0]["who"] == "Anna de Vries"
        if store.engine.dialect.name == "postgresql":
            with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
                connection.execute(text("TRUNCATE history"))
    finally:
        store.engine.dispose()


def test_every_change_is_an_audit_row_with_who_before_and_after(database_url: str) -> None:
    app = proxy_app(database_url)
    tender_id, checklist_id = tender_and_checklist(app)
    bea = as_user(app, "bea")
    bea.post(
        "/admin/roles",
        data={"csrf": csrf(app, bea), "group": "cm-ict", "roles": ["categoriemanager"], "department": "ICT-2"},
    )
    rows = app.state.store.history("role_mapping", "cm-ict")
    assert rows[-1]["subject"] == "bea" and rows[-1]["action"] == "changed"
    assert '"department": "ICT"' in rows[-1]["before"] and '"department": "ICT-2"' in rows[-1]["snapshot"]
    store = app.state.store
    store.save_tender(WEBSITE | {"lots": 2}, Actor("anna", "Anna de Vries"), tender_id)
    last = store.history("tender", tender_id)[-1]
    assert '"lots"' not in last["before"] and '"lots": 2' in last["snapshot"] and last["change"] == {"fields": ["lots"]}
    audit_page = bea.get("/admin/audit").text
    assert "Bea Beheer" in audit_page and "role_mapping" in audit_page
    assert checklist_id


# --- signing in: OpenID Connect, for real -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> Iterator[oidc_provider.Provider]:
    with oidc_provider.running() as running:
        yield running


def oidc_app(url: str, provider: oidc_provider.Provider, **extra: Any) -> Any:
    app = make_app(
        url,
        mode="oidc",
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        admin_groups=(oidc_provider.ADMIN_GROUP,),
        **extra,
    )
    for group, (roles, department) in oidc_provider.MAPPING.items():
        app.state.store.set_role_mapping(group, roles, department, ADMIN)
    return app


def sign_in(app: Any, provider: oidc_provider.Provider, user: str, next_path: str = "/") -> TestClient:
    """Through the whole flow: the app sends the browser to the provider (PKCE, state, nonce), the person picks
    who they are on the provider's page, the provider sends the browser back with a code, the app exchanges it."""
    client = TestClient(app, follow_redirects=False)
    start = client.get(f"/sign-in?next={next_path}")
    assert start.status_code == 302
    authorize = start.headers["location"]
    asked = parse_qs(urlparse(authorize).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"] and asked["state"] and asked["nonce"]
    with httpx.Client() as browser:
        assert browser.get(authorize).status_code == 200  # the provider's sign-in page
        fields = {k: v[0] for k, v in asked.items()} | {"user": user}
        back = browser.post(authorize.split("?")[0], data=fields)
    assert back.status_code == 302
    callback = urlparse(back.headers["location"])
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == next_path
    return client


def test_sign_in_with_openid_connect_gives_a_session_with_the_roles_of_the_groups(
    database_url: str, provider: oidc_provider.Provider
) -> None:
    app = oidc_app(database_url, provider)
    anonymous = TestClient(app, follow_redirects=False)
    went = anonymous.get("/checklists?category=ICT")
    assert went.status_code == 303 and went.headers["location"] == "/sign-in?next=%2Fchecklists%3Fcategory%3DICT"
    anna = sign_in(app, provider, "anna", next_path="/tenders/new")
    page = anna.get("/tenders/new").text
    assert "Aangemeld als Anna de Vries" in page and "inkoper" in page and "ICT" in page
    # the token request carried the PKCE verifier, and the provider checked it
    assert provider.token_requests[-1]["code_verifier"]
    cookie = anna.cookies[COOKIE]
    assert session_of(app.state.secret, cookie).get("signed_in")
    audit = app.state.store.history("person", "anna")
    assert [h["action"] for h in audit] == ["signed-in"]
    # sign-out ends the session on the server: the old cookie is worth nothing after it
    token = re.search(r'action="/sign-out"><input type="hidden" name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert anna.post("/sign-out", data={"csrf": token}).headers["location"] == "/signed-out"
    replay = TestClient(app, follow_redirects=False, cookies={COOKIE: cookie})
    assert replay.get("/").status_code == 303
    assert [h["action"] for h in app.state.store.history("person", "anna")] == ["signed-in", "signed-out"]


def test_an_oidc_session_ends_after_the_idle_and_the_absolute_timeout(
    database_url: str, provider: oidc_provider.Provider
) -> None:
    app = oidc_app(database_url, provider, idle_minutes=30, absolute_hours=12)
    for column, age in (("seen_at", dt.timedelta(minutes=31)), ("created_at", dt.timedelta(hours=13))):
        client = sign_in(app, provider, "bram")
        assert client.get("/").status_code == 200
        with app.state.store.engine.begin() as connection:
            connection.execute(text(f"UPDATE sessions SET {column} = :at"), {"at": dt.datetime.now(dt.UTC) - age})
            if column == "created_at":
                connection.execute(text("UPDATE sessions SET seen_at = :at"), {"at": dt.datetime.now(dt.UTC)})
        assert client.get("/").status_code == 303, column


def test_a_tampered_or_replayed_sign_in_is_refused(database_url: str, provider: oidc_provider.Provider) -> None:
    app = oidc_app(database_url, provider)
    client = TestClient(app, follow_redirects=False)
    start = client.get("/sign-in")
    asked = parse_qs(urlparse(start.headers["location"]).query)
    with httpx.Client() as browser:
        back = browser.post(
            start.headers["location"].split("?")[0], data={k: v[0] for k, v in asked.items()} | {"user": "bea"}
        )
    callback = urlparse(back.headers["location"])
    code = parse_qs(callback.query)["code"][0]
    forged = client.get(f"/auth/callback?code={code}&state=forged")
    assert forged.status_code == 400 and "Aanmelden is niet gelukt" in forged.text
    # someone else's browser (no state in its session) with the real code and state
    thief = TestClient(app, follow_redirects=False)
    assert thief.get(f"{callback.path}?{callback.query}").status_code == 400
    assert thief.get("/").status_code == 303


def test_sign_in_settings_from_the_environment_and_the_bind_rules() -> None:
    env = {
        "INCLUSIEF_INKOPEN_OIDC_ISSUER": "https://login.example.org/realms/city/",
        "INCLUSIEF_INKOPEN_OIDC_CLIENT_ID": "inclusief",
        "INCLUSIEF_INKOPEN_OIDC_CLIENT_SECRET": "s",
        "INCLUSIEF_INKOPEN_ADMIN_GROUPS": "beheer, it-admins",
    }
    oidc = SignIn.from_environment(env)
    assert oidc.mode == "oidc" and oidc.issuer == "https://login.example.org/realms/city"
    assert oidc.admin_groups == ("beheer", "it-admins")
    oidc.check_bind("0.0.0.0", trusted_given=False)  # signed in: any address
    with pytest.raises(SetupError, match="CLIENT_SECRET"):
        SignIn.from_environment({"INCLUSIEF_INKOPEN_OIDC_ISSUER": "https://x"})
    with pytest.raises(SetupError, match="not both"):
        SignIn.from_environment(env | {"INCLUSIEF_INKOPEN_USER_HEADER": "X-User"})
    with pytest.raises(SetupError, match="this computer only"):
        SignIn.from_environment({}).check_bind("0.0.0.0", trusted_given=False)
    SignIn.from_environment({}).check_bind("127.0.0.1", trusted_given=False)
    proxy = SignIn.from_environment({}, user_header="X-Remote-User")
    with pytest.raises(SetupError, match="--trusted-proxy"):
        proxy.check_bind("0.0.0.0", trusted_given=False)
    proxy.check_bind("0.0.0.0", trusted_given=True)


def test_serve_refuses_an_open_address_without_sign_in() -> None:
    from inclusief_inkopen.cli import main

    with pytest.raises(SystemExit, match="this computer only"):
        main(["serve", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit, match="--trusted-proxy"):
        main(["serve", "--host", "0.0.0.0", "--user-header", "X-Remote-User"])


# --- the hostile review's findings ------------------------------------------------------------------------------------


def test_finding_1_nobody_reads_or_changes_anything_without_signing_in(database_url: str) -> None:
    app = proxy_app(database_url)
    tender_id, checklist_id = tender_and_checklist(app)
    nobody = as_user(app, None)
    for path in ("/", f"/checklists/{checklist_id}", f"/tenders/{tender_id}/advice", "/checklists"):
        assert nobody.get(path).status_code == 401, path
    assert nobody.post(f"/checklists/{checklist_id}", data={"csrf": csrf(app, nobody)}).status_code == 401
    api = TestClient(app).post("/api/v1/advice", json=WEBSITE)
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")
    # the header from anyone but the trusted proxy is not believed: removed before the app sees it
    untrusted = proxy_app(database_url, trusted=("10.0.0.5",))
    tender_and_checklist(untrusted)
    assert as_user(untrusted, "bea").get("/admin").status_code == 401


def test_finding_5_a_chunked_body_over_the_limit_gets_a_clean_413(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/big.sqlite3")
    client = TestClient(app, raise_server_exceptions=True)
    token = csrf(app, client)

    def chunks() -> Iterator[bytes]:
        yield f"csrf={token}&title=".encode()
        for _ in range(11):
            yield b"x" * 1024 * 1024

    for path in ("/tenders/new", "/api/v1/advice"):
        response = client.post(path, content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413 and response.json()["type"] == "/problems/too-large", path


def test_finding_11_head_answers_like_get_without_a_body(tmp_path: Path) -> None:
    client = TestClient(make_app(f"sqlite:///{tmp_path}/head.sqlite3"))
    head = client.head("/")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/html")
    assert client.head("/static/app.css").status_code == 200


def test_finding_9_the_csrf_token_is_signed_bound_to_the_session_and_the_origin_checked(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/csrf.sqlite3")
    client = TestClient(app, follow_redirects=False)
    form = {"title": "x", "nature": "services", "estimated_value_eur": "1000"}
    client.cookies.set("csrf", "abc")
    assert client.post("/tenders/new", data=form | {"csrf": "abc"}).status_code == 403  # a token the client chose
    other = TestClient(app)
    assert client.post("/tenders/new", data=form | {"csrf": csrf(app, other)}).status_code == 403  # another session's
    token = csrf(app, client)
    evil = client.post("/tenders/new", data=form | {"csrf": token}, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    cross = client.post("/tenders/new", data=form | {"csrf": token}, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    # the single user's API, called from another site's page in the same browser: refused too
    assert client.post("/api/v1/advice", json=WEBSITE, headers={"origin": "https://evil.example"}).status_code == 403
    ok = client.post("/tenders/new", data=form | {"csrf": token}, headers={"origin": "http://testserver"})
    assert ok.status_code == 303


def test_finding_10_secure_cookies_and_hsts_over_https_and_behind_a_proxy_that_says_so(database_url: str) -> None:
    app = make_app(database_url)
    over_https = TestClient(app, base_url="https://testserver").get("/")
    assert "Secure" in over_https.headers["set-cookie"] and "HttpOnly" in over_https.headers["set-cookie"]
    assert "SameSite=Lax" in over_https.headers["set-cookie"]
    assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    plain = TestClient(app).get("/")
    assert "Secure" not in plain.headers["set-cookie"] and "strict-transport-security" not in plain.headers
    proxied = proxy_app(database_url)
    behind = as_user(proxied, "anna").get("/", headers={"x-forwarded-proto": "https"})
    assert "Secure" in behind.headers["set-cookie"] and "strict-transport-security" in behind.headers
    untrusted = proxy_app(database_url, trusted=("10.0.0.5",))
    faked = TestClient(untrusted).get("/signed-out", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in faked.headers


def test_finding_7_the_lists_are_paged(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path}/paged.sqlite3")
    store = app.state.store
    for n in range(60):
        store.save_tender(WEBSITE | {"title": f"Opdracht {n:02d}"}, Actor("local", "x"))
    client = TestClient(app)
    first = client.get("/").text
    assert first.count('/advice">Opdracht') == 50 and "Pagina 1 van 2 (60 in totaal)" in first
    assert 'href="/?page=2" rel="next"' in first
    second = client.get("/?page=2").text
    assert second.count('/advice">Opdracht') == 10 and 'rel="prev"' in second


def test_finding_8_the_store_exports_and_imports_as_one_archive_byte_identical_again(
    database_url: str, tmp_path: Path
) -> None:
    app = proxy_app(database_url)
    _, checklist_id = tender_and_checklist(app)
    bram, carla = as_user(app, "bram"), as_user(app, "carla")
    version = decide_all(bram, app, f"/checklists/{checklist_id}")
    carla.post(f"/checklists/{checklist_id}/sign-off", data={"csrf": csrf(app, carla), "version": str(version)})
    key_id, _, hashed = new_key()
    app.state.store.create_key(key_id, "platform", hashed, ["advice"], None, ADMIN)
    contract_id, sha256 = with_contract(app, app.state.store.checklist(checklist_id)[1]["tender_id"])
    first = tmp_path / "backup.zip"
    counts = app.state.store.export_archive(first)
    assert counts["tenders"] == 1 and counts["checklists"] == 2 and counts["history"] >= 6 and counts["api_keys"] == 1
    assert counts["contracts"] == 1 and counts["contract_reports"] == 1 and counts["evidence_files"] == 1
    restored = Store(f"sqlite:///{tmp_path}/restored.sqlite3")
    try:
        assert restored.import_archive(first) == counts
        second = tmp_path / "again.zip"
        restored.export_archive(second)
        assert second.read_bytes() == first.read_bytes()
        assert restored.checklist(checklist_id)[1]["signed_off_by"] == "Carla Chen"
        assert restored.contract(contract_id)[0].reports[0].value == "B"
        assert restored.evidence(sha256) == ("audit.pdf", b"%PDF-1.7 audit")
        with pytest.raises(Exception, match="not empty"):
            restored.import_archive(first)
    finally:
        restored.engine.dispose()
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("manifest.json", "{}")
    with pytest.raises(Exception, match=r"broken\.zip.*expected exactly the entries"):
        Store(f"sqlite:///{tmp_path}/other.sqlite3").import_archive(broken)


def test_store_export_and_import_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inclusief_inkopen.cli import main

    source = tmp_path / "source"
    store = Store(f"sqlite:///{source}.sqlite3")
    store.save_tender(WEBSITE, Actor("anna", "Anna"))
    store.engine.dispose()
    archive = tmp_path / "store.zip"
    assert main(["store", "export", str(archive), "--database-url", f"sqlite:///{source}.sqlite3"]) == 0
    assert main(["store", "import", str(archive), "--data-dir", str(tmp_path / "new")]) == 0
    assert "1 tenders" in capsys.readouterr().out
    assert main(["store", "import", str(archive), "--data-dir", str(tmp_path / "new")]) == 2
    assert "not empty" in capsys.readouterr().err
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert main(["store", "import", str(tmp_path / "junk.zip"), "--data-dir", str(tmp_path / "x")]) == 2
    assert "junk.zip" in capsys.readouterr().err


# --- finding 6: slow clients are cut off (a real server on loopback) --------------------------------------------------


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    from inclusief_inkopen.web import app as app_module
    from inclusief_inkopen.web import server

    monkeypatch.setattr(server.GuardedHttpTools, "header_seconds", 0.5)
    monkeypatch.setattr(app_module, "BODY_IDLE_SECONDS", 0.5)
    port = oidc_provider.free_port()
    with oidc_provider.serving(make_app(f"sqlite:///{tmp_path}/live.sqlite3"), **server.options("127.0.0.1", port)):
        yield port


def _closed_within(connection: socket.socket, seconds: float) -> tuple[bool, bytes]:
    connection.settimeout(seconds)
    received = b""
    try:
        while True:
            chunk = connection.recv(4096)
            if not chunk:
                return True, received
            received += chunk
    except TimeoutError:
        return False, received


def test_finding_6_slow_headers_and_a_stalled_body_are_cut_off(live_server: int) -> None:
    with socket.create_connection(("127.0.0.1", live_server)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        closed, _ = _closed_within(slow, 5)
        assert closed, "a request whose headers never end must be cut off"
    with socket.create_connection(("127.0.0.1", live_server)) as trickle:
        trickle.sendall(b"GET / HTTP/1.1\r\nX-Trickle: ")
        started, cut = time.monotonic(), False
        while time.monotonic() - started < 5 and not cut:  # a byte now and then restarts no clock
            time.sleep(0.1)
            try:
                trickle.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                cut = True
        assert cut, "a request whose headers trickle in must be cut off at the deadline"
    with socket.create_connection(("127.0.0.1", live_server)) as stalled:
        stalled.sendall(b'POST /api/v1/advice HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"title"')
        closed, answer = _closed_within(stalled, 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    with socket.create_connection(("127.0.0.1", live_server)) as fine:
        fine.sendall(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        closed, answer = _closed_within(fine, 5)
        assert answer.startswith(b"HTTP/1.1 200")


# --- also found: an empty tender file ---------------------------------------------------------------------------------


def test_an_empty_tender_file_is_said_to_be_empty_in_dutch_and_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inclusief_inkopen.cli import main

    empty = tmp_path / "leeg.yaml"
    empty.write_text("")
    monkeypatch.setenv("INCLUSIEF_INKOPEN_LANG", "nl")
    assert main(["advies", str(empty)]) == 2
    said = capsys.readouterr().err
    assert "leeg.yaml" in said and "het bestand is leeg" in said and "NoneType" not in said
    assert main(["advies", str(empty), "--lang", "en"]) == 2
    assert "the file is empty" in capsys.readouterr().err


def test_the_export_of_a_checklist_with_history_reads_back(tmp_path: Path) -> None:
    """The archive's entries are plain JSON Lines a person (or a script) can read without the app."""
    store = Store(f"sqlite:///{tmp_path}/s.sqlite3")
    try:
        store.save_tender(WEBSITE, Actor("anna", "Anna"))
        path = tmp_path / "a.zip"
        store.export_archive(path)
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            names = sorted(archive.namelist())
            history = archive.read("history.jsonl").decode()
        tables = ["tenders", "checklists", "history", "role_mappings", "api_keys", "contracts",
                  "contract_commitments", "contract_reports", "evidence_files"]  # fmt: skip
        assert names == sorted(["manifest.json", *(f"{t}.jsonl" for t in tables)])
        assert '"who": "Anna"' in history and '"subject": "anna"' in history
    finally:
        store.engine.dispose()


def test_a_deployment_s_roles_file_is_put_in_the_store_with_an_audit_row_and_its_mistakes_named(tmp_path: Path) -> None:
    from inclusief_inkopen.base.errors import InputError

    roles = tmp_path / "rollen.yaml"
    roles.write_text("inkoop-ict: {roles: [inkoper], department: ICT}\nbureau-id: {roles: [beleidsmedewerker]}\n")
    app = make_app(
        f"sqlite:///{tmp_path}/roles.sqlite3",
        mode="proxy",
        user_header="x-remote-user",
        groups_header="x-remote-groups",
        trusted_proxies=("testclient",),
        roles_file=str(roles),
    )
    assert app.state.store.role_mappings()["inkoop-ict"] == {"roles": ["inkoper"], "department": "ICT"}
    row = app.state.store.history("role_mapping", "inkoop-ict")[-1]
    assert row["subject"] == "configuration" and "rollen.yaml" in row["who"]
    assert "Aangemeld als anna" in as_user(app, "anna").get("/tenders/new").text
    # started again with the same file: nothing changed, so nothing is written
    assert app.state.people.apply_roles_file(str(roles)) == []
    roles.write_text("inkoop-ict: {roles: [koper]}\nbureau-id: {roles: [beleidsmedewerker], department: 3}\n")
    with pytest.raises(InputError) as info:
        app.state.people.apply_roles_file(str(roles))
    said = str(info.value)
    assert "rollen.yaml" in said and "inkoop-ict.roles" in said and "unknown role 'koper'" in said
    assert "bureau-id.department" in said


def test_api_answers_carry_no_session_cookie(tmp_path: Path) -> None:
    client = TestClient(make_app(f"sqlite:///{tmp_path}/nocookie.sqlite3"))
    answer = client.get("/api/v1/criteria")
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    assert "set-cookie" in client.get("/").headers


def test_every_scope_can_be_given_to_a_key_and_the_single_user_holds_them_all() -> None:
    from typing import get_args

    from inclusief_inkopen.web.people import API_RIGHTS, SCOPES, Scope, single_user

    assert set(SCOPES) == set(get_args(Scope)) == set(API_RIGHTS.values())  # each offered on /admin/keys
    assert set(single_user("x").scopes) == set(get_args(Scope))
