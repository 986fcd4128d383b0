"""The beheerder's pages: which groups of the identity provider mean which roles and department, the API keys of
tender platforms (made, shown once, revoked), and the audit trail of everything that changed. Every change here is
itself a row in that trail.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from inclusief_inkopen.web.pages import PAGE_SIZE, form_of, lang_of, page, paged, pager, redirect, store_of
from inclusief_inkopen.web.people import ROLES, SCOPES, new_key
from inclusief_inkopen.web.rights import guard, needs, person_of
from inclusief_inkopen.web.signin import actor
from inclusief_inkopen.web.words import w

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)], prefix="/admin")


def _text(form: Any, name: str, limit: int = 200) -> str:
    return str(form.get(name) or "").strip()[:limit]


@router.get("", response_class=HTMLResponse)
@needs("admin")
def people(request: Request) -> HTMLResponse:
    return people_page(request)


def people_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(
        request,
        "admin_people.html",
        status=status,
        mappings=store_of(request).role_mappings(),
        roles=ROLES,
        admin_groups=request.app.state.sign_in.admin_groups,
        **extra,
    )


@router.post("/roles", response_class=HTMLResponse)
@needs("admin")
async def set_roles(request: Request) -> Response:
    form = await form_of(request)
    group = _text(form, "group")
    roles = [r for r in form.getlist("roles") if r in ROLES]
    if not group:
        return people_page(request, status=422, error=w("group_needed", lang_of(request)))
    department = _text(form, "department") or None
    store_of(request).set_role_mapping(group, roles, department, actor(person_of(request)))
    request.app.state.people.mappings.forget()
    return redirect("/admin?saved=1")


@router.post("/roles/delete", response_class=HTMLResponse)
@needs("admin")
async def delete_roles(request: Request) -> Response:
    form = await form_of(request)
    store_of(request).delete_role_mapping(_text(form, "group"), actor(person_of(request)))
    request.app.state.people.mappings.forget()
    return redirect("/admin?saved=1")


@router.get("/keys", response_class=HTMLResponse)
@needs("admin")
def keys(request: Request) -> HTMLResponse:
    return keys_page(request)


def keys_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    return page(request, "admin_keys.html", status=status, keys=store_of(request).keys(), scopes=SCOPES, **extra)


@router.post("/keys", response_class=HTMLResponse)
@needs("admin")
async def create_key(request: Request) -> Response:
    form = await form_of(request)
    name = _text(form, "name")
    scopes = [s for s in SCOPES if s in form.getlist("scopes")]
    if not name or not scopes:
        return keys_page(request, status=422, error=w("key_needs", lang_of(request)))
    key_id, full, hashed = new_key()
    store_of(request).create_key(
        key_id, name, hashed, scopes, _text(form, "department") or None, actor(person_of(request))
    )
    # The key itself is shown this once, on this page, and stored nowhere: only its hash is kept.
    response = keys_page(request, created=full, created_name=name)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/keys/{key_id}/revoke", response_class=HTMLResponse)
@needs("admin")
async def revoke_key(request: Request, key_id: str) -> Response:
    await form_of(request)
    store_of(request).revoke_key(key_id, actor(person_of(request)))
    return redirect("/admin/keys?saved=1")


@router.get("/audit", response_class=HTMLResponse)
@needs("admin")
def audit_page(request: Request) -> HTMLResponse:
    store = store_of(request)
    number, offset = paged(request)
    total = store.count_history()
    # Newest first: the page a beheerder opens after something happened.
    first = max(0, total - offset - PAGE_SIZE)
    rows = list(reversed(store.history(offset=first, limit=min(PAGE_SIZE, max(0, total - offset)))))
    return page(request, "admin_audit.html", rows=rows, pager=pager(request, number, total))
