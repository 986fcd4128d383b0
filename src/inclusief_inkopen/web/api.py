"""The JSON API for tender platforms, version 1 (``/api/v1``): the library's own functions and models over HTTP.

Every answer is the library's published JSON (the advice document, a checklist, a comparison); every input error is
a problem document (``problems``) that names the field and what was expected, never a 500. The OpenAPI document
(``/openapi.json``) carries the same JSON Schemas the library publishes in ``docs/schema``.

Every endpoint takes an API key (``Authorization: Bearer ii_…``) with the scope it names: ``advice`` for the
library's functions, ``checklists:read`` and ``checklists:write`` for the checklists kept in the store (of the key's
department, or of all when the key names none). A single-user installation (loopback only) needs no key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter, ValidationError

from inclusief_inkopen.advice.evaluate import evaluate
from inclusief_inkopen.advice.model import AdviceDocument
from inclusief_inkopen.authoring.schema import schemas
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import decode_text, parse_json
from inclusief_inkopen.checklists.checklist import (
    Checklist,
    changes,
    completeness,
    from_advice,
    from_data,
    merge,
    reevaluate,
    take_decisions,
)
from inclusief_inkopen.notices.compare import Comparison, assess
from inclusief_inkopen.notices.importing import read_notice_data, to_tender
from inclusief_inkopen.notices.notice import only_one
from inclusief_inkopen.rules.catalogues import default_catalogue
from inclusief_inkopen.tender.profile import TenderProfile, parse_tender
from inclusief_inkopen.web.problems import MEDIA_TYPE, problem
from inclusief_inkopen.web.rights import guard, in_reach, needs, person_of, visible
from inclusief_inkopen.web.signin import actor
from inclusief_inkopen.web.store import ConflictError

router = APIRouter(prefix="/api/v1", tags=["v1"], dependencies=[Depends(guard)])
Lang = Literal["nl", "en"]

_TENDER_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TenderProfile"}}},
    }
}
_NOTICE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string", "description": "An eForms or TED R2.0.9 notice"}},
            "application/json": {"schema": {"type": "object", "description": "OCDS release, record or package"}},
        },
    }
}


def not_found(what: str, instance: str) -> JSONResponse:
    return JSONResponse(
        problem(404, "not-found", "Not found", what, instance=instance), status_code=404, media_type=MEDIA_TYPE
    )


async def _tender_body(request: Request) -> dict[str, Any]:
    """The request body read as the CLI reads a tender file (UTF-8, no duplicate keys, bounded depth); the OpenAPI
    document describes it through ``openapi_extra`` (the published tender profile schema)."""
    data = parse_json(decode_text(await request.body(), "request body"), "request body")
    if not isinstance(data, dict):
        raise InputError.single("request body", "", f"expected a JSON object (a tender profile), not {_kind(data)}")
    return data


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(type(value), "a number")


def _json(text: str | bytes) -> Response:
    return Response(content=text, media_type="application/json")


# The advice's two query parameters, read by ``_advice_query`` rather than by FastAPI's dependency solver: on the
# busiest route that took a third of what HTTP adds (benchmarks/http_bench.py). The OpenAPI document and the errors
# are what FastAPI gives for ``Query`` parameters of these types.
_ADVICE_QUERY = {
    "lang": (
        TypeAdapter(Lang | None),
        "Every text in this language only; both when left out",
        {"anyOf": [{"enum": ["nl", "en"], "type": "string"}, {"type": "null"}], "title": "Lang"},
    ),
    "on": (
        TypeAdapter(dt.date | None),
        "The date the rules are taken on (YYYY-MM-DD)",
        {"anyOf": [{"format": "date", "type": "string"}, {"type": "null"}], "title": "On"},
    ),
}
_ADVICE_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {**schema, "description": description},
    }
    for name, (_, description, schema) in _ADVICE_QUERY.items()
]


def _advice_query(request: Request) -> tuple[Lang | None, dt.date | None]:
    query = request.query_params
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name, (adapter, _, _) in _ADVICE_QUERY.items():
        given = query.get(name)
        try:
            values[name] = adapter.validate_python(given)
        except ValidationError as exc:
            errors += [{**e, "loc": ("query", name)} for e in exc.errors(include_url=False)]
    if errors:
        raise RequestValidationError(errors)
    return values["lang"], values["on"]


@router.post(
    "/advice",
    summary="The advice for a tender profile",
    responses={200: {"model": AdviceDocument, "description": "The advice document (docs/schema/advice.schema.json)"}},
    openapi_extra={**_TENDER_BODY, "parameters": _ADVICE_PARAMETERS},
)
@needs("api.advice")
async def advice(request: Request) -> Response:
    # Run on the event loop, not in a worker thread: a couple of milliseconds of CPU gain nothing from a thread under
    # the GIL and the hop costs about as much again (benchmarks/http_bench.py); --workers gives the parallelism.
    lang, on = _advice_query(request)
    profile = parse_tender(await _tender_body(request), "request body")
    return _json(evaluate(profile, default_catalogue(), on=on).to_json_bytes(lang=lang))


@router.get("/criteria", summary="The criteria of the catalogue, with their product groups")
@needs("api.advice")
def criteria(product_group: str | None = Query(None, description="Only the criteria written for this group")) -> Any:
    catalogue = default_catalogue()
    if product_group is not None and product_group not in catalogue.product_groups:
        raise InputError.single(
            "query",
            "product_group",
            f"unknown product group {product_group!r}; known: {', '.join(catalogue.product_groups)}",
        )
    return {
        "catalogue": {"name": catalogue.info.name, "version": catalogue.info.version, "sha256": catalogue.sha256},
        "criteria": [
            {
                "id": c.id,
                "title": c.title.model_dump(),
                "theme": c.theme,
                "kind": c.kind,
                "status": c.status,
                "phase": c.phase,
                "ambition": c.ambition,
                "product_groups": catalogue.groups_of(c.id),
            }
            for c in catalogue
            if product_group is None or product_group in catalogue.groups_of(c.id)
        ],
    }


@router.get("/criteria/{criterion_id}", summary="One criterion in full, as the catalogue holds it")
@needs("api.advice")
def criterion(criterion_id: str, request: Request) -> Any:
    catalogue = default_catalogue()
    found = catalogue.criteria.get(criterion_id.upper())
    if found is None:
        return not_found(
            f"no criterion {criterion_id!r} in {catalogue.info.name} {catalogue.info.version}", request.url.path
        )
    return found.criterion.model_dump(mode="json", by_alias=True)


@router.get("/product-groups", summary="The product groups: names, descriptions and CPV codes")
@needs("api.advice")
def product_groups() -> Any:
    return {
        group: {
            "name": cl.product_group.model_dump() if cl.product_group else None,
            "description": cl.description.model_dump(),
            "cpv": cl.codes,
        }
        for group, cl in default_catalogue().product_groups.items()
    }


@router.get("/schemas/{name}", summary="A JSON Schema the library publishes (tender-profile, advice, checklist …)")
@needs("api.advice")
def schema(name: str, request: Request) -> Any:
    found = schemas().get(name)
    if found is None:
        return not_found(f"no schema {name!r}; known: {', '.join(schemas())}", request.url.path)
    return found


async def _notice(request: Request) -> Any:
    data = await request.body()
    if not data:
        raise InputError.single("request body", "", "expected a notice: eForms or TED XML, or OCDS JSON")
    return only_one(read_notice_data(data, "request body"), "request body")


@router.post("/notices/import", summary="A draft tender profile from a notice", openapi_extra=_NOTICE_BODY)
@needs("api.advice")
async def import_notice(request: Request, on: dt.date | None = Query(None)) -> Any:
    imported = to_tender(await _notice(request), on)
    return {
        "notice": imported.notice.model_dump(mode="json"),
        "tender": imported.tender,
        "questions": {k: v.model_dump() for k, v in imported.questions.items()},
        "guesses": [g.model_dump(mode="json") for g in imported.guesses],
        "warnings": imported.warnings,
        "sources": imported.sources,
        "regime": imported.regime,
        "regime_note": imported.regime_note.model_dump() if imported.regime_note else None,
    }


@router.post(
    "/notices/compare",
    summary="What a notice declares beside what the advice says it should declare",
    responses={200: {"model": Comparison}},
    openapi_extra=_NOTICE_BODY,
)
@needs("api.advice")
async def compare_notice(request: Request, on: dt.date | None = Query(None)) -> Response:
    imported = to_tender(await _notice(request), on)
    comparison, _ = assess(imported, default_catalogue(), on=on)
    return _json(comparison.model_dump_json(indent=2))


@router.post(
    "/checklists",
    summary="A checklist made from the advice for a tender profile",
    responses={200: {"model": Checklist}},
    openapi_extra=_TENDER_BODY,
)
@needs("api.advice")
async def create_checklist(request: Request, on: dt.date | None = Query(None)) -> Response:
    profile = parse_tender(await _tender_body(request), "request body")
    checklist = from_advice(evaluate(profile, default_catalogue(), on=on))
    return _json(checklist.model_dump_json(indent=2))


@router.post("/checklists/check", summary="What is still to do before a checklist is complete")
@needs("api.advice")
def check_checklist(checklist: dict[str, Any] = Body(...)) -> Any:
    found = completeness(from_data(checklist, "request body"), "request body")
    return {"complete": not found, "problems": [{"location": p.location, "detail": p.message} for p in found]}


@router.post(
    "/checklists/update",
    summary="Re-evaluate a checklist's tender (or a changed one) and merge, keeping every decision",
)
@needs("api.advice")
def update_checklist(
    checklist: dict[str, Any] = Body(...),
    tender: dict[str, Any] | None = Body(None),
    on: dt.date | None = Query(None),
) -> Any:
    old = from_data(checklist, "request body: checklist")
    fresh = reevaluate(old, tender if tender is not None else old.tender, "request body: tender", on=on or old.on)
    merged = merge(old, fresh)
    return {"checklist": merged.model_dump(mode="json"), "changes": changes(old, fresh)}


# --- the checklists kept in the store ---


def _kept(request: Request, checklist_id: str) -> tuple[Checklist, dict[str, Any]] | None:
    return in_reach(request, request.app.state.store.checklist(checklist_id))


def _meta_json(meta: dict[str, Any]) -> dict[str, Any]:
    shown = (
        "id",
        "tender_id",
        "category",
        "department",
        "state",
        "version",
        "signed_off_by",
        "signed_off_at",
        "updated_at",
        "voided_sign_off",
    )
    return {k: (meta[k].isoformat() if isinstance(meta[k], dt.datetime) else meta[k]) for k in shown}


@router.get("/checklists", summary="The checklists kept in the store (of the key's department), newest first")
@needs("api.checklists.read")
def list_checklists(
    request: Request,
    category: str | None = Query(None),
    page: int = Query(1, ge=1, le=10**6),
    per_page: int = Query(50, ge=1, le=200),
) -> Any:
    who = person_of(request)
    found = request.app.state.store.checklists(
        category=category,
        visible=visible(who),
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    rows = [{k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()} for r in found.rows]
    return {"total": found.total, "page": page, "per_page": per_page, "checklists": rows}


@router.get("/checklists/{checklist_id}", summary="One kept checklist, with its state and version")
@needs("api.checklists.read")
def get_checklist(request: Request, checklist_id: str) -> Any:
    found = _kept(request, checklist_id)
    if found is None:
        return not_found(f"no checklist {checklist_id!r}", request.url.path)
    checklist, meta = found
    return {"meta": _meta_json(meta), "checklist": checklist.model_dump(mode="json")}


@router.post(
    "/checklists/{checklist_id}/decisions",
    summary="Decisions for a kept checklist: merged like an import (decisions only, never the set of items)",
)
@needs("api.checklists.write")
def post_decisions(
    request: Request,
    checklist_id: str,
    version: int = Body(..., description="The version the decisions were made on (from GET)"),
    checklist: dict[str, Any] = Body(..., description="The checklist with its decisions (as GET gave it)"),
) -> Any:
    found = _kept(request, checklist_id)
    if found is None:
        return not_found(f"no checklist {checklist_id!r}", request.url.path)
    kept, meta = found
    who = person_of(request)
    merged, ignored = take_decisions(kept, from_data(checklist, "request body: checklist"), who.name, dt.date.today())
    try:
        request.app.state.store.save_checklist(
            merged, actor(who), meta["tender_id"], checklist_id, expected_version=version, action="imported"
        )
    except ConflictError as exc:
        return JSONResponse(
            problem(409, "conflict", "Changed since that version", str(exc), instance=request.url.path),
            status_code=409,
            media_type=MEDIA_TYPE,
        )
    _, after = request.app.state.store.checklist(checklist_id)
    return {"meta": _meta_json(after), "ignored_items": ignored}


# --- contracts and the dashboard ---


def _contract_of(request: Request, contract_id: str) -> tuple[Any, dict[str, Any]] | None:
    return in_reach(request, request.app.state.store.contract(contract_id))


@router.get("/contracts", summary="The contracts (of the key's department), by end date")
@needs("api.contracts.read")
def list_contracts(
    request: Request, page: int = Query(1, ge=1, le=10**6), per_page: int = Query(50, ge=1, le=200)
) -> Any:
    who = person_of(request)
    found = request.app.state.store.contracts(visible(who), (page - 1) * per_page, per_page)
    rows = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in found.rows]
    return {"total": found.total, "page": page, "per_page": per_page, "contracts": rows}


@router.get("/contracts/{contract_id}", summary="A contract with each commitment's rating and what is due on a date")
@needs("api.contracts.read")
def get_contract(
    request: Request,
    contract_id: str,
    on: dt.date | None = Query(None, description="The date of the ratings (default today)"),
    lang: Lang | None = Query(None),
) -> Any:
    from inclusief_inkopen.contracts.ratings import overview

    found = _contract_of(request, contract_id)
    if found is None:
        return not_found(f"no contract {contract_id!r}", request.url.path)
    contract, _ = found
    return {
        "contract": contract.model_dump(mode="json"),
        "status": overview(contract, on or dt.date.today()).to_data(lang),
    }


@router.post("/contracts/{contract_id}/reports", summary="A report on one commitment of a contract")
@needs("api.contracts.write")
def post_contract_report(
    request: Request,
    contract_id: str,
    commitment: str = Body(...),
    on: dt.date = Body(...),
    value: float | str | None = Body(None),
    evidence: list[str] = Body([], description="Kinds of evidence (files are uploaded in the web app)"),
    note: str | None = Body(None),
    waived: str | None = Body(None),
) -> Any:
    from inclusief_inkopen.contracts import contract as ct

    found = _contract_of(request, contract_id)
    if found is None:
        return not_found(f"no contract {contract_id!r}", request.url.path)
    who = person_of(request)
    try:
        kinds = [ct.EvidenceFile.model_validate({"kind": kind}) for kind in evidence]
    except ValueError as exc:
        raise InputError.single("request body", "evidence", str(exc).splitlines()[-1]) from None
    updated = ct.add_report(
        found[0], commitment, on=on, by=who.name, value=value, evidence=kinds, note=note, waived=waived,
        file="request body",
    )  # fmt: skip
    report = updated.reports[-1]
    request.app.state.store.add_contract_report(contract_id, report, [], actor(who))
    return {"report": report.model_dump(mode="json")}


@router.get("/dashboard", summary="The steering dashboard's figures over the contracts and checklists in reach")
@needs("api.dashboard")
def dashboard_figures(request: Request) -> Any:
    from inclusief_inkopen.web.contracts import dashboard_figures as figures

    data = figures(request)
    return {
        "social_return_by_department": data["social_return"],
        "a11y": data["a11y"],
        "counts": data["counts"],
        "ratings": data["ratings"],
        "criteria": [c | {"title": c["title"].model_dump()} for c in data["criteria"]],
        "attention": [
            {"contract": a["contract"]["id"], "status": a["status"].model_dump(mode="json")} for a in data["attention"]
        ],
    }


def tender_schema() -> dict[str, Any]:
    """The tender profile's JSON Schema for the OpenAPI components (the request bodies refer to it)."""
    return TenderProfile.model_json_schema(ref_template="#/components/schemas/{model}")
