"""The pages people use: a guided questionnaire for the buyer, the advice with everything to paste and download,
and checklists a category manager decides and keeps. Server-rendered HTML that works without JavaScript.

Every route names the right it needs (``rights.needs``) and sees only the tenders and checklists of the person's
departments; every form carries a CSRF token bound to the visitor's session (``signin.csrf_token``); every text from a
user, a notice or the catalogue is escaped by the templates (autoescape), never rendered raw.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from inclusief_inkopen.advice.evaluate import Advice, evaluate
from inclusief_inkopen.advice.reasons import field_label, question, term_label, value_label
from inclusief_inkopen.advice.render import HEADINGS, render_markdown
from inclusief_inkopen.base import cpv as cpv_codes
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import parse_document
from inclusief_inkopen.base.text import Lang
from inclusief_inkopen.checklists import checklist as cl
from inclusief_inkopen.checklists.render import render_html as checklist_html
from inclusief_inkopen.checklists.render import render_markdown as checklist_markdown
from inclusief_inkopen.checklists.xlsx import AWARD_BASES, read_xlsx, to_xlsx
from inclusief_inkopen.notices import eforms as ef
from inclusief_inkopen.notices.importing import read_notice_data, to_tender
from inclusief_inkopen.notices.notice import only_one
from inclusief_inkopen.rules.catalogues import default_catalogue
from inclusief_inkopen.tender.facts import FIELDS
from inclusief_inkopen.tender.profile import parse_tender
from inclusief_inkopen.web.people import PUBLIC, ROLE_WORDS, SIGNED_IN, Person, may
from inclusief_inkopen.web.rights import guard, in_reach, needs, person_of, visible
from inclusief_inkopen.web.signin import actor, csrf_ok, csrf_token
from inclusief_inkopen.web.store import ConflictError, FourEyesError, Store
from inclusief_inkopen.web.words import WORDS, w

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])
PAGE_SIZE = 50

# The questionnaire, one topic at a time; every field of the tender profile is asked in exactly one step.
STEPS: list[list[str]] = [
    ["title", "nature", "estimated_value_eur", "cpv", "authority", "regime", "procedure", "duration_months", "lots"],
    ["end_users", "people_facing", "staffing"],
    ["digital", "eaa_services", "physical", "building_work", "wheelchair_passengers"],
    ["labour_share", "supply_chain_risk", "social_services", "social_services_procedure"],
]
REQUIRED = ("title", "nature", "estimated_value_eur")
STATUSES = ("mandatory", "policy", "recommended")


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("inclusief_inkopen.web", "templates"), autoescape=select_autoescape(["html"])
    )
    env.globals["WORDS"] = WORDS
    return env


TEMPLATES = _templates()


def lang_of(request: Request) -> Lang:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "nl"
    return "en" if asked == "en" else "nl"


def paged(request: Request) -> tuple[int, int]:
    """(page number from 1, offset) of a list page's ``?page=``."""
    text = request.query_params.get("page", "1")
    number = int(text) if text.isdigit() and 0 < int(text) < 10**6 else 1
    return number, (number - 1) * PAGE_SIZE


def pager(request: Request, number: int, total: int) -> dict[str, Any]:
    """The links a list page shows under the list: previous, next, and where we are."""
    pages = max(1, -(-total // PAGE_SIZE))

    def link(n: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k not in ("page", "lang")} | {"page": str(n)}
        return f"{request.url.path}?{urlencode(params)}"

    return {
        "number": number,
        "pages": pages,
        "total": total,
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
    }


def _term(group: str, code: str, lang: Lang) -> str:
    """A catalogue code in words (``requirement`` → eis, ``best-price-quality`` → beste prijs-kwaliteitverhouding)."""
    if group == "award_bases":
        return AWARD_BASES[lang].get(code, code)
    return term_label(group, code, lang)


def _not_found(request: Request) -> StarletteHTTPException:
    """The page that says "not found", as the app's handler for HTTP errors renders it (``app.http_error``)."""
    return StarletteHTTPException(404, w("not_found", lang_of(request)))


def _tender_data(request: Request, tender_id: str) -> dict[str, Any]:
    return _tender_with_meta(request, tender_id)[0]


def _tender_with_meta(request: Request, tender_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = in_reach(request, store_of(request).tender_with_meta(tender_id))
    if found is None:
        raise _not_found(request)
    return found


def _checklist_of(request: Request, checklist_id: str) -> tuple[cl.Checklist, dict[str, Any]]:
    found = in_reach(request, store_of(request).checklist(checklist_id))
    if found is None:
        raise _not_found(request)
    return found


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    who: Person | None = getattr(request.state, "person", None)
    if who is None and "session" in request.scope:  # an error page before the guard ran
        who = request.app.state.people.of(request)
    html = TEMPLATES.get_template(template).render(
        lang=lang,
        other="en" if lang == "nl" else "nl",
        path=request.url.path,
        csrf=csrf_token(request) if "session" in request.scope else "",
        w=lambda key, **v: w(key, lang, **v),
        field_label=lambda f: field_label(f, lang),
        value_label=lambda v: value_label(v, lang),
        term=lambda group, code: _term(group, code, lang),
        heading=lambda status: HEADINGS[status][lang],
        person=who,
        may=lambda right: may(who, right),
        role_word=lambda role: ROLE_WORDS[role][lang],
        mode=request.app.state.sign_in.mode,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("nl", "en"):
        response.set_cookie("lang", lang, samesite="lax", secure=request.url.scheme == "https")
    return response


async def form_of(request: Request) -> Any:
    """The posted form, after the CSRF check: the token in the form must be the one made for this session."""
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf", ""))):
        raise PermissionError("csrf")
    return form


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- home ---


@router.get("/", response_class=HTMLResponse)
@needs(SIGNED_IN)
def home(request: Request) -> HTMLResponse:
    store, who = store_of(request), person_of(request)
    category = request.query_params.get("category") or None
    number, offset = paged(request)
    tenders = store.tenders(visible(who), offset, PAGE_SIZE) if may(who, "tender.read") else None
    checklists = (
        store.checklists(category=category, visible=visible(who), offset=offset, limit=PAGE_SIZE)
        if may(who, "checklist.read")
        else None
    )
    most = max(tenders.total if tenders else 0, checklists.total if checklists else 0)
    return page(
        request,
        "home.html",
        tenders=tenders.rows if tenders else None,
        checklists=checklists.rows if checklists else None,
        category=category,
        pager=pager(request, number, most),
    )


# --- questionnaire ---


def _widget(field: str) -> dict[str, Any]:
    spec = FIELDS[field]
    return {"name": field, "type": spec.type, "values": list(spec.values), "required": field in REQUIRED}


def _value_for_form(field: str, value: Any) -> Any:
    if field == "labour_share" and value is not None:
        return round(float(value) * 100, 2)
    if field == "cpv" and value:
        return ", ".join(value)
    return value


def _step_context(
    lang: Lang, n: int, data: dict[str, Any], errors: dict[str, str], tender_id: str | None
) -> dict[str, Any]:
    guesses = {g.field: g for g in _guesses(data)}
    fields = []
    for name in STEPS[n - 1]:
        widget = _widget(name)
        widget["label"] = field_label(name, lang)
        widget["help"] = question(name).get(lang)
        widget["value"] = _value_for_form(name, data.get(name))
        widget["known"] = name in data
        widget["error"] = errors.get(name)
        guess = guesses.get(name)
        widget["guess"] = {"value": guess.value, "because": guess.because.get(lang)} if guess else None
        # A guess fills in an open question as a suggestion: shown as such, and it counts once the step is saved.
        widget["suggested"] = bool(guess) and name not in data and isinstance(guess.value, list)
        if widget["suggested"]:
            widget["value"] = list(guess.value)
        fields.append(widget)
    return {
        "n": n,
        "of": len(STEPS),
        "step_names": WORDS["steps"][lang].split("|"),
        "fields": fields,
        "errors": errors,
        "tender_id": tender_id,
        "warnings": data.get("__warnings__", []),
    }


def _guesses(data: dict[str, Any]) -> list[Any]:
    from inclusief_inkopen.notices.guesses import guesses_from_cpv

    codes = data.get("cpv") or []
    return [g for g in guesses_from_cpv(codes) if g.field not in data]


def _read_step(form: Any, n: int) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """(values given, fields answered 'don't know', errors) for one step's form."""
    given: dict[str, Any] = {}
    unknown: list[str] = []
    errors: dict[str, str] = {}
    for name in STEPS[n - 1]:
        spec = FIELDS[name]
        raw = form.get(name)
        if spec.type == "enum_list":
            state = form.get(f"{name}__state", "unknown")
            chosen = [v for v in form.getlist(name) if v in spec.values]
            if state == "none":
                given[name] = []
            elif state == "some":
                if chosen:
                    given[name] = chosen
                else:
                    errors[name] = "kies er ten minste één, of kies 'Geen' of 'Weet ik niet'"
            else:
                unknown.append(name)
        elif spec.type == "bool":
            if raw in ("true", "false"):
                given[name] = raw == "true"
            else:
                unknown.append(name)
        elif spec.type == "cpv_list":
            codes = [c for c in str(raw or "").replace(";", ",").replace(" ", ",").split(",") if c.strip()]
            if codes:
                given[name] = [c.strip() for c in codes]
            else:
                unknown.append(name)
        elif spec.type == "number":
            text = str(raw or "").strip().replace(",", ".")
            if not text:
                unknown.append(name)
                continue
            try:
                number = float(text)
            except ValueError:
                errors[name] = f"verwacht een getal, gegeven: {text!r}"
                continue
            if name == "labour_share":
                number = number / 100
            given[name] = int(number) if number.is_integer() and name != "labour_share" else number
        else:
            text = str(raw or "").strip()
            if text:
                given[name] = text
            else:
                unknown.append(name)
    return given, unknown, errors


def _validate(data: dict[str, Any], step_fields: list[str]) -> dict[str, str]:
    """Errors of the whole profile that concern this step's fields (as the library words them)."""
    complete = {k: v for k, v in data.items() if not k.startswith("__")}
    for name in REQUIRED:  # later steps are validated when they are reached; the required ones come first
        complete.setdefault(name, {"title": "?", "nature": "services", "estimated_value_eur": 0}[name])
    try:
        parse_tender(complete, "vragenlijst")
    except InputError as exc:
        out = {}
        for p in exc.problems:
            field = p.location.split(".")[0].split("[")[0]
            if field in step_fields:
                out.setdefault(field, p.message)
        return out
    return {}


@router.get("/tenders/new", response_class=HTMLResponse)
@needs("tender.write")
def new_tender(request: Request) -> HTMLResponse:
    return page(request, "step.html", **_step_context(lang_of(request), 1, {}, {}, None))


@router.get("/tenders/{tender_id}/step/{n}", response_class=HTMLResponse)
@needs("tender.write")
def edit_step(request: Request, tender_id: str, n: int) -> HTMLResponse:
    data = _tender_data(request, tender_id)
    if not 1 <= n <= len(STEPS):
        raise _not_found(request)
    return page(request, "step.html", **_step_context(lang_of(request), n, data, {}, tender_id))


@router.post("/tenders/new", response_class=HTMLResponse)
@needs("tender.write")
async def create_tender(request: Request) -> Response:
    return await _save_step(request, None, 1)


@router.post("/tenders/{tender_id}/step/{n}", response_class=HTMLResponse)
@needs("tender.write")
async def save_step(request: Request, tender_id: str, n: int) -> Response:
    return await _save_step(request, tender_id, n)


async def _save_step(request: Request, tender_id: str | None, n: int) -> Response:
    lang = lang_of(request)
    store = store_of(request)
    form = await form_of(request)
    if not 1 <= n <= len(STEPS):
        return page(request, "error.html", status=404, message=w("not_found", lang))
    data = _tender_data(request, tender_id) if tender_id else {}
    given, unknown, errors = _read_step(form, n)
    data = {k: v for k, v in data.items() if k not in unknown} | given
    for name in REQUIRED:
        if n == 1 and name not in data and name not in errors:
            errors[name] = w("required", lang)
    errors = {**_validate(data, STEPS[n - 1]), **errors}
    if errors:
        return page(request, "step.html", status=422, **_step_context(lang, n, data, errors, tender_id))
    who = person_of(request)
    saved = store.save_tender(
        {k: v for k, v in data.items() if not k.startswith("__")},
        actor(who),
        tender_id,
        department=None if tender_id else _department(who, form.get("department")),
    )
    if n < len(STEPS):
        return redirect(f"/tenders/{saved}/step/{n + 1}")
    return redirect(f"/tenders/{saved}/advice")


def _department(who: Person, chosen: Any) -> str | None:
    """The department a new tender belongs to: the one chosen, if it is the person's, else their first."""
    if chosen and str(chosen) in who.departments:
        return str(chosen)
    return who.departments[0] if who.departments else None


@router.post("/tenders/import", response_class=HTMLResponse)
@needs("tender.write")
async def import_notice(request: Request) -> Response:
    lang = lang_of(request)
    form = await form_of(request)
    upload = form.get("notice")
    if upload is None or not hasattr(upload, "read"):
        return page(request, "error.html", status=422, message=w("notice_file", lang))
    data = await upload.read(request.app.state.max_upload + 1)
    if len(data) > request.app.state.max_upload:
        return page(request, "error.html", status=413, message=f"> {request.app.state.max_upload:,} bytes")
    try:
        imported = to_tender(only_one(read_notice_data(data, upload.filename or "upload"), upload.filename or "upload"))
    except InputError as exc:
        return page(request, "error.html", status=422, message=str(exc))
    draft = dict(imported.tender)
    draft.setdefault("title", imported.notice.id or (upload.filename or "?"))
    if "nature" not in draft or "estimated_value_eur" not in draft:
        context = _step_context(lang, 1, draft | {"__warnings__": imported.warnings}, {}, None)
        return page(request, "step.html", **context)
    who = person_of(request)
    saved = store_of(request).save_tender(draft, actor(who), department=_department(who, form.get("department")))
    return redirect(f"/tenders/{saved}/step/1")


# --- CPV ---


def cpv_search(query: str, limit: int = 50) -> list[dict[str, Any]]:
    query = query.strip()
    if not query:
        return []
    digits = query.replace("-", "")[:8]
    if digits.isdigit():
        hits = [c for c in cpv_codes.codes() if c.startswith(digits)]
    else:
        words = query.casefold().split()
        hits = [
            c
            for c in cpv_codes.codes()
            if all(word in f"{cpv_codes.label(c, 'nl')} {cpv_codes.label(c, 'en')}".casefold() for word in words)
        ]
    return [
        {
            "code": c,
            "nl": cpv_codes.label(c, "nl"),
            "en": cpv_codes.label(c, "en"),
            "path": [
                {"code": a, "nl": cpv_codes.label(a, "nl"), "en": cpv_codes.label(a, "en")}
                for a in cpv_codes.ancestors(c)
            ],
        }
        for c in hits[:limit]
    ]


@router.get("/cpv", response_class=HTMLResponse)
@needs(SIGNED_IN)
def cpv_page(request: Request) -> HTMLResponse:
    query = request.query_params.get("q", "")[:100]
    return page(request, "cpv.html", query=query, results=cpv_search(query))


@router.get("/cpv.json")
@needs(SIGNED_IN)
def cpv_json(request: Request) -> Any:
    return cpv_search(request.query_params.get("q", "")[:100], limit=20)


# --- advice ---


def _advice(request: Request, tender_id: str) -> Advice:
    return evaluate(parse_tender(_tender_data(request, tender_id), "opgeslagen opdracht"), default_catalogue())


def _step_of(field: str) -> int:
    return next((i + 1 for i, names in enumerate(STEPS) if field in names), 1)


@router.get("/tenders/{tender_id}/advice", response_class=HTMLResponse)
@needs("tender.read")
def advice_page(request: Request, tender_id: str) -> HTMLResponse:
    lang = lang_of(request)
    advice = _advice(request, tender_id)
    document = advice.document
    groups = [(s, [x for x in document.suggestions if x.status == s]) for s in STATUSES]
    return page(
        request,
        "advice.html",
        tender_id=tender_id,
        advice=document,
        groups=[(s, items) for s, items in groups if items],
        step_of=_step_of,
        why=lambda reasons: "; ".join(r.text.get(lang) for r in reasons),
        checklists=store_of(request).checklists(tender_id=tender_id, visible=visible(person_of(request))).rows
        if may(person_of(request), "checklist.read")
        else [],
        eforms_values=ef.export_values(advice, ["LOT-0001"]),
    )


@router.get("/tenders/{tender_id}/advice.{fmt}")
@needs("tender.read")
def advice_download(request: Request, tender_id: str, fmt: str) -> Response:
    lang = lang_of(request)
    advice = _advice(request, tender_id)
    name = f"advies-{tender_id[:8]}"
    if fmt == "md":
        return _download(render_markdown(advice, lang).encode(), "text/markdown; charset=utf-8", f"{name}.md")
    if fmt == "json":
        return _download(advice.to_json(lang=lang).encode(), "application/json", f"{name}.json")
    if fmt == "docx":
        return _download(
            advice_docx(advice, lang),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            f"{name}.docx",
        )
    raise _not_found(request)


@router.get("/tenders/{tender_id}/eforms.{fmt}")
@needs("tender.read")
def eforms_download(request: Request, tender_id: str, fmt: str) -> Response:
    if fmt not in ("xml", "json"):
        raise _not_found(request)
    advice = _advice(request, tender_id)
    lots = [f"LOT-{n:04d}" for n in range(1, int(advice.tender.get("lots") or 1) + 1)]
    values = ef.export_values(advice, lots)
    if fmt == "xml":
        return _download(ef.lots_xml(values), "application/xml", f"eforms-{tender_id[:8]}.xml")
    data = json.dumps([v.model_dump() for v in values], ensure_ascii=False, indent=2).encode()
    return _download(data, "application/json", f"eforms-{tender_id[:8]}.json")


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def advice_docx(advice: Advice, lang: Lang) -> bytes:
    """The advice as a Word document a buyer can put in the tender file: per status each item with its wording,
    why it applies, its legal basis and how it is verified."""
    from docx import Document

    document = advice.document
    doc = Document()
    doc.core_properties.language = "nl-NL" if lang == "nl" else "en-GB"
    doc.core_properties.title = f"{w('advice', lang)}: {document.tender.get('title', '')}"
    doc.add_heading(doc.core_properties.title, level=0)
    doc.add_paragraph(f"{document.catalogue.name} {document.catalogue.version} · {document.on.isoformat()}")
    if document.questions:
        doc.add_heading(w("open_questions", lang), level=1)
        for q in document.questions:
            doc.add_paragraph(q.text.get(lang), style="List Bullet")
    for status in STATUSES:
        items = [s for s in document.suggestions if s.status == status]
        if not items:
            continue
        doc.add_heading(HEADINGS[status][lang], level=1)
        for s in items:
            doc.add_heading(f"{s.id}: {s.title.get(lang)}", level=2)
            doc.add_paragraph(s.text.get(lang))
            doc.add_paragraph(f"{w('why', lang)}: " + "; ".join(r.text.get(lang) for r in s.reasons))
            basis = "; ".join(str(b.title.get(lang)) for b in s.legal_basis)  # the title names the article
            doc.add_paragraph(f"{w('basis', lang)}: {basis}")
            doc.add_paragraph(f"{w('verification', lang)}: {s.verification.get(lang)}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- checklists ---


@router.post("/tenders/{tender_id}/checklists", response_class=HTMLResponse)
@needs("checklist.write")
async def make_checklist(request: Request, tender_id: str) -> Response:
    form = await form_of(request)
    checklist = cl.from_advice(_advice(request, tender_id))
    category = str(form.get("category") or "").strip()[:200] or None
    saved = store_of(request).save_checklist(checklist, actor(person_of(request)), tender_id, category=category)
    return redirect(f"/checklists/{saved}")


@router.get("/checklists", response_class=HTMLResponse)
@needs("checklist.read")
def checklists_page(request: Request) -> HTMLResponse:
    category = request.query_params.get("category") or None
    number, offset = paged(request)
    found = store_of(request).checklists(
        category=category, visible=visible(person_of(request)), offset=offset, limit=PAGE_SIZE
    )
    return page(
        request,
        "checklists.html",
        checklists=found.rows,
        category=category,
        pager=pager(request, number, found.total),
    )


_LOCATION = re.compile(r"^(?P<kind>items|questions)\[(?P<index>\d+)\] \((?P<name>[^)]*)\)\.(?P<part>\w+)$")
_TO_DO = {
    "decision": "todo_decide",
    "justification": "todo_justify",
    "weight": "todo_weight",
    "decided_by": "todo_who",
    "review": "todo_review",
}


def _to_do(
    location: str, message: str, checklist: cl.Checklist, tender_id: str, lang: Lang, can_write_tenders: bool
) -> dict[str, str]:
    """One line of "still to do" in the page's language, with a link to where it is done; the check itself is the
    library's (``checklist check``), only its words are the page's."""
    found = _LOCATION.match(location)
    if location == "award_basis":
        return {"key": "award_basis", "href": "#award-basis", "text": w("todo_award_basis", lang)}
    if found and found["kind"] == "questions":
        q = checklist.questions[int(found["index"])]
        step = _step_of(q.field)
        text = w("todo_answer" if q.answer is None else "todo_apply", lang, question=q.text.get(lang), step=step)
        # the questionnaire is the buyer's; others read where the answer is given
        href = f"/tenders/{tender_id}/step/{step}#f-{q.field}" if can_write_tenders else ""
        return {"key": location, "href": href, "text": text}
    if found and found["part"] in _TO_DO:
        index = int(found["index"])
        text = w(_TO_DO[found["part"]], lang, review=checklist.items[index].review or "")
        return {"key": f"items[{index}]", "href": f"#c-{index}", "text": f"{found['name']}: {text}", "short": text}
    return {"key": location, "href": "", "text": f"{location}: {message}"}


def _checklist_page(
    request: Request, checklist: cl.Checklist, meta: dict[str, Any], status: int = 200, **extra: Any
) -> HTMLResponse:
    lang = lang_of(request)
    writes = may(person_of(request), "tender.write")
    problems = [
        _to_do(p.location, p.message, checklist, meta["tender_id"], lang, writes) for p in cl.completeness(checklist)
    ]
    by_field: dict[str, list[str]] = {}
    for p in problems:
        by_field.setdefault(p["key"], []).append(p.get("short", p["text"]))
    return page(
        request,
        "checklist.html",
        status=status,
        checklist=checklist,
        meta=meta,
        problems=problems,
        by_field=by_field,
        **extra,
    )


def _version(form: Any) -> int:
    text = str(form.get("version", "") or "")
    return int(text) if text.isdigit() else -1


def _store_again(
    request: Request, form: Any, checklist: cl.Checklist, meta: dict[str, Any], action: str, signed_off: bool = False
) -> Response:
    """Save a checklist the way every form does: the signed-in person, the version the form was made from, one
    audit row; four eyes on a sign-off (not in single-user mode, which has one person)."""
    who = person_of(request)
    try:
        store_of(request).save_checklist(
            checklist,
            actor(who),
            meta["tender_id"],
            meta["id"],
            expected_version=_version(form),
            action=action,
            signed_off=signed_off,
            four_eyes=not who.single_user,
        )
    except ConflictError:
        return _checklist_page(request, *_checklist_of(request, meta["id"]), status=409, conflict=True)
    except FourEyesError:
        return _checklist_page(request, *_checklist_of(request, meta["id"]), status=403, four_eyes=True)
    return redirect(f"/checklists/{meta['id']}?saved=1")


@router.get("/checklists/{checklist_id}", response_class=HTMLResponse)
@needs("checklist.read")
def checklist_page(request: Request, checklist_id: str) -> HTMLResponse:
    saved = request.query_params.get("saved") == "1"
    return _checklist_page(request, *_checklist_of(request, checklist_id), saved=saved)


def _decided(form: Any, checklist: cl.Checklist, who: str) -> cl.Checklist:
    """The checklist with the decisions made in the checklist form; an item whose fields changed records who
    changed them (the signed-in person) and when (the server's date)."""
    today = dt.date.today()
    items = []
    for index, item in enumerate(checklist.items):
        decision = form.get(f"items[{index}].decision", item.decision)
        if decision not in ("open", "applied", "not-applied"):
            decision = item.decision
        weight_text = str(form.get(f"items[{index}].weight", "") or "").strip().replace(",", ".")
        try:
            weight = float(weight_text) if weight_text else None
        except ValueError:
            weight = None
        changed = {
            "decision": decision,
            "applied_as": (str(form.get(f"items[{index}].applied_as", "") or "").strip() or None),
            "justification": (str(form.get(f"items[{index}].justification", "") or "").strip() or None),
            "weight": weight if weight is None or 0 < weight <= 100 else item.weight,
        }
        if any(getattr(item, k) != v for k, v in changed.items()):
            changed |= {"decided_by": who, "decided_on": today, "review": None}
        items.append(item.model_copy(update=changed))
    basis = form.get("award_basis") or None
    return checklist.model_copy(
        update={
            "items": items,
            "award_basis": basis if basis in AWARD_BASES["en"] else checklist.award_basis,
        }
    )


@router.post("/checklists/{checklist_id}", response_class=HTMLResponse)
@needs("checklist.write")
async def save_checklist(request: Request, checklist_id: str) -> Response:
    form = await form_of(request)
    checklist, meta = _checklist_of(request, checklist_id)
    decided = _decided(form, checklist, person_of(request).name)
    return _store_again(request, form, decided, meta, "changed")


@router.post("/checklists/{checklist_id}/sign-off", response_class=HTMLResponse)
@needs("checklist.sign_off")
async def sign_off(request: Request, checklist_id: str) -> Response:
    form = await form_of(request)
    checklist, meta = _checklist_of(request, checklist_id)
    if cl.completeness(checklist):
        return _checklist_page(request, checklist, meta, status=422)
    return _store_again(request, form, checklist, meta, "signed-off", signed_off=True)


@router.post("/checklists/{checklist_id}/update", response_class=HTMLResponse)
@needs("checklist.write")
async def update_checklist(request: Request, checklist_id: str) -> Response:
    form = await form_of(request)
    old, meta = _checklist_of(request, checklist_id)
    data = store_of(request).tender(meta["tender_id"]) or old.tender
    merged = cl.merge(old, cl.reevaluate(old, data, "opgeslagen opdracht"))
    return _store_again(request, form, merged, meta, "updated")


@router.get("/checklists/{checklist_id}/export.{fmt}")
@needs("checklist.read")
def export_checklist(request: Request, checklist_id: str, fmt: str) -> Response:
    lang = lang_of(request)
    checklist, _ = _checklist_of(request, checklist_id)
    name = f"checklist-{checklist_id[:8]}"
    if fmt == "yaml":
        return _download(cl.to_yaml(checklist).encode(), "application/yaml", f"{name}.yaml")
    if fmt == "xlsx":
        return _download(
            to_xlsx(checklist, lang),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    if fmt == "html":
        return _download(checklist_html(checklist, lang).encode(), "text/html; charset=utf-8", f"{name}.html")
    if fmt == "md":
        return _download(checklist_markdown(checklist, lang).encode(), "text/markdown; charset=utf-8", f"{name}.md")
    raise _not_found(request)


@router.post("/checklists/{checklist_id}/import", response_class=HTMLResponse)
@needs("checklist.write")
async def import_checklist(request: Request, checklist_id: str) -> Response:
    form = await form_of(request)
    checklist, meta = _checklist_of(request, checklist_id)
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        return _checklist_page(request, checklist, meta, status=422)
    data = await upload.read(request.app.state.max_upload + 1)
    name = upload.filename or "upload"
    try:
        if len(data) > request.app.state.max_upload:
            raise InputError.single(name, "", f"over {request.app.state.max_upload:,} bytes")
        if name.lower().endswith(".xlsx"):
            imported = read_xlsx(data, checklist, name)
        else:
            imported = cl.from_data(parse_document(data, name), name)
    except InputError as exc:
        return _checklist_page(request, checklist, meta, status=422, import_error=str(exc))
    # Decisions only, by the signed-in person on the server's date: never the file's set of items or its names.
    merged, _ignored = cl.take_decisions(checklist, imported, person_of(request).name, dt.date.today())
    return _store_again(request, form, merged, meta, "imported")


@router.get("/checklists/{checklist_id}/history", response_class=HTMLResponse)
@needs("checklist.read")
def history_page(request: Request, checklist_id: str) -> HTMLResponse:
    _, meta = _checklist_of(request, checklist_id)
    store = store_of(request)
    number, offset = paged(request)
    rows = store.history("checklist", checklist_id, offset=offset, limit=PAGE_SIZE)
    total = store.count_history("checklist", checklist_id)
    return page(request, "history.html", meta=meta, history=rows, pager=pager(request, number, total))


# --- signing in and out ---


def _local_path(target: Any) -> str:
    """Where to go after signing in: a path on this site only (never ``//elsewhere`` or a full URL)."""
    text = str(target or "/")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


@router.get("/sign-in", response_class=HTMLResponse)
@needs(PUBLIC)
async def sign_in(request: Request) -> Response:
    if request.app.state.sign_in.mode != "oidc":
        return redirect("/")
    request.session["next"] = _local_path(request.query_params.get("next"))
    callback = str(request.url_for("signed_in_callback"))
    return await request.app.state.oauth.authorize_redirect(request, callback)  # type: ignore[no-any-return]


@router.get("/auth/callback", response_class=HTMLResponse, name="signed_in_callback")
@needs(PUBLIC)
async def signed_in_callback(request: Request) -> Response:
    from authlib.integrations.base_client import OAuthError

    lang = lang_of(request)
    if request.app.state.sign_in.mode != "oidc":
        raise _not_found(request)
    client, groups_claim = request.app.state.oauth, request.app.state.sign_in.groups_claim
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if groups_claim not in claims:  # some providers give groups only at the userinfo endpoint
            claims |= dict(await client.userinfo(token=token))
    except OAuthError as exc:
        return page(
            request, "error.html", status=400, message=w("sign_in_failed", lang, reason=exc.description or exc.error)
        )
    subject = str(claims.get("sub") or "")
    if not subject:
        return page(request, "error.html", status=400, message=w("sign_in_failed", lang, reason="no 'sub'"))
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject)
    groups = claims.get(groups_claim) or []
    groups = [str(g) for g in groups] if isinstance(groups, list) else [str(groups)]
    request.app.state.people.sign_in_person(request, subject[:200], name[:200], groups[:500])
    return redirect(_local_path(request.session.pop("next", "/")))


@router.post("/sign-out", response_class=HTMLResponse)
@needs(SIGNED_IN)
async def sign_out(request: Request) -> Response:
    await form_of(request)
    request.app.state.people.sign_out(request, person_of(request))
    return redirect("/signed-out")


@router.get("/signed-out", response_class=HTMLResponse)
@needs(PUBLIC)
def signed_out(request: Request) -> HTMLResponse:
    return page(request, "signed_out.html")


@router.get("/static/{name}")
@needs(PUBLIC)
def static(name: str) -> Response:
    types = {"app.js": "text/javascript", "app.css": "text/css"}
    if name not in types:
        return Response(status_code=404)
    text = resources.files("inclusief_inkopen.web").joinpath(f"static/{name}").read_text("utf-8")
    return Response(text, media_type=types[name], headers={"Cache-Control": "max-age=3600"})
