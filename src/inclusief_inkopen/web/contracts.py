"""After the award, in the browser: the contract manager makes a contract from a signed-off checklist, enters
reports with their evidence and reads each commitment's rating and what is due; the policy officers read the
steering dashboard over all contracts and checklists. The figures are the library's (``contracts``) and the store's
sums; every report is bound to the signed-in person and is a row in the audit trail.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.outputs import spreadsheet_cell
from inclusief_inkopen.base.text import Lang
from inclusief_inkopen.checklists.checklist import Checklist
from inclusief_inkopen.contracts import contract as ct
from inclusief_inkopen.contracts.ratings import due, overview, status
from inclusief_inkopen.rules.catalogue import EvidenceKind
from inclusief_inkopen.web.pages import (
    PAGE_SIZE,
    _checklist_of,
    _download,
    _not_found,
    form_of,
    lang_of,
    page,
    paged,
    pager,
    redirect,
    store_of,
)
from inclusief_inkopen.web.people import PUBLIC, sees
from inclusief_inkopen.web.rights import guard, in_reach, needs, person_of, visible
from inclusief_inkopen.web.signin import actor
from inclusief_inkopen.web.store import Visible
from inclusief_inkopen.web.words import w

router = APIRouter(include_in_schema=False, dependencies=[Depends(guard)])


def _contract_of(request: Request, contract_id: str) -> tuple[ct.Contract, dict[str, Any]]:
    found = in_reach(request, store_of(request).contract(contract_id))
    if found is None:
        raise _not_found(request)
    return found


def _date(form: Any, name: str) -> dt.date | None:
    text = str(form.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise InputError.single("form", name, f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _number(form: Any, name: str) -> float | None:
    text = str(form.get(name) or "").strip().replace(" ", "").replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        raise InputError.single("form", name, f"expected a number, got {text!r}") from None


@router.get("/contracts", response_class=HTMLResponse)
@needs("contract.read")
def contracts_page(request: Request) -> HTMLResponse:
    """My contracts, with what is due within a month and what is overdue."""
    store, who = store_of(request), person_of(request)
    number, offset = paged(request)
    found = store.contracts(visible(who), offset, PAGE_SIZE)
    today = on_date(request)
    soon = []
    kept = store.contracts_by_id([row["id"] for row in found.rows])
    for row in found.rows:
        for item in due(kept[row["id"]], today):
            if item.state in ("due", "overdue") or (item.state == "later" and (item.due_on - today).days <= 31):
                soon.append({"contract": row, "item": item})
    soon.sort(key=lambda x: x["item"].due_on)
    return page(request, "contracts.html", contracts=found.rows, soon=soon, pager=pager(request, number, found.total))


@router.get("/checklists/{checklist_id}/contract", response_class=HTMLResponse)
@needs("contract.write")
def new_contract_page(request: Request, checklist_id: str) -> HTMLResponse:
    checklist, meta = _checklist_of(request, checklist_id)
    return _new_contract(request, checklist, meta)


def _new_contract(
    request: Request, checklist: Checklist, meta: dict[str, Any], status_code: int = 200, error: str | None = None
) -> HTMLResponse:
    offers = [i for i in checklist.items if i.kind == "award-criterion" and i.decision == "applied"]
    return page(request, "contract_new.html", status=status_code, checklist=checklist, meta=meta, offers=offers,
                error=error)  # fmt: skip


@router.post("/checklists/{checklist_id}/contract", response_class=HTMLResponse)
@needs("contract.write")
async def make_contract(request: Request, checklist_id: str) -> Response:
    form = await form_of(request)
    checklist, meta = _checklist_of(request, checklist_id)
    lang = lang_of(request)
    if meta["state"] != "signed-off":
        return _new_contract(request, checklist, meta, 422, w("contract_needs_sign_off", lang))
    try:
        offers = {}
        for item in checklist.items:
            given = str(form.get(f"offer.{item.id}") or "").strip()
            if given:
                offers[item.id] = ct.Offer.parse(given, f"offer.{item.id}")
        start, end, value = _date(form, "start"), _date(form, "end"), _number(form, "value")
        supplier = str(form.get("supplier") or "").strip()
        if not (start and end and value and supplier):
            raise InputError.single("form", "", w("contract_fields", lang))
        contract = ct.from_checklist(
            checklist,
            supplier=supplier[:300],
            start=start,
            end=end,
            value_eur=value,
            awarded_on=_date(form, "awarded_on"),
            delivery=_date(form, "delivery"),
            offers=offers,
            department=meta["department"],
            contract_id=f"{checklist_id[:8]}-{start.isoformat()}",
            file="form",
        )
    except (InputError, ValueError) as exc:
        return _new_contract(request, checklist, meta, 422, str(exc))
    store = store_of(request)
    if store.contract(contract.id) is not None:
        return _new_contract(request, checklist, meta, 409, w("contract_exists", lang))
    groups = _product_groups(checklist)
    store.save_contract(
        contract, actor(person_of(request)), checklist_id, meta["tender_id"], meta["department"], groups
    )
    return redirect(f"/contracts/{contract.id}")


def _product_groups(checklist: Checklist) -> list[str]:
    from inclusief_inkopen.advice.evaluate import evaluate

    try:
        derived = evaluate(checklist.tender, on=checklist.on).derived.get("product_groups")
    except InputError:
        return []
    return list(derived.value or []) if derived else []


def on_date(request: Request) -> dt.date:
    """The date the ratings and due lists are taken on: ``?on=YYYY-MM-DD`` (to look back, or ahead), else today."""
    text = request.query_params.get("on", "")
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise InputError.single("query", "on", f"expected a date as YYYY-MM-DD, got {text[:20]!r}") from None


def _contract_page(
    request: Request, contract: ct.Contract, meta: dict[str, Any], status_code: int = 200, **extra: Any
) -> HTMLResponse:
    on = on_date(request)
    view = overview(contract, on)
    return page(
        request,
        "contract.html",
        status=status_code,
        contract=contract,
        meta=meta,
        view=view,
        on=on,
        evidence_kinds=get_args(EvidenceKind),  # the catalogue's own list of kinds
        **extra,
    )


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
@needs("contract.read")
def contract_page(request: Request, contract_id: str) -> HTMLResponse:
    return _contract_page(request, *_contract_of(request, contract_id), saved=request.query_params.get("saved") == "1")


@router.post("/contracts/{contract_id}/reports", response_class=HTMLResponse)
@needs("contract.write")
async def add_report(request: Request, contract_id: str) -> Response:
    """A report with its evidence: the file kept by its hash, checked to be what its name says; a report that
    cannot be used changes nothing and says why."""
    form = await form_of(request)
    contract, meta = _contract_of(request, contract_id)
    who = person_of(request)
    files = []
    try:
        kind = str(form.get("evidence_kind") or "").strip()
        upload = form.get("evidence_file")
        evidence = []
        if upload is not None and hasattr(upload, "read") and upload.filename:
            data = await upload.read(ct.MAX_EVIDENCE_BYTES + 1)
            kept = ct.evidence_bytes(kind or "?", upload.filename, data)
            evidence.append(kept)
            files.append((kept, data))
        elif kind:
            evidence.append(ct.EvidenceFile(kind=kind))  # type: ignore[arg-type]
        on = _date(form, "on") or dt.date.today()
        value = str(form.get("value") or "").strip() or None
        updated = ct.add_report(
            contract,
            str(form.get("commitment") or ""),
            on=on,
            by=who.name,
            value=value,
            evidence=evidence,
            note=str(form.get("note") or "").strip() or None,
            waived=str(form.get("waived") or "").strip() or None,
            file="form",
        )
    except (InputError, ValueError) as exc:
        return _contract_page(request, contract, meta, 422, report_error=str(exc))
    store_of(request).add_contract_report(contract_id, updated.reports[-1], files, actor(who))
    return redirect(f"/contracts/{contract_id}?saved=1")


@router.get("/contracts/{contract_id}/evidence/{sha256}")
@needs("contract.read")
def evidence_download(request: Request, contract_id: str, sha256: str) -> Response:
    contract, _ = _contract_of(request, contract_id)
    if not any(e.sha256 == sha256 for r in contract.reports for e in r.evidence):
        raise _not_found(request)
    found = store_of(request).evidence(sha256)
    if found is None:
        raise _not_found(request)
    # the name came with an upload: only plain characters go into the header
    name = re.sub(r"[^A-Za-z0-9._-]", "_", found[0])[:100] or "evidence"
    return _download(found[1], "application/octet-stream", name)


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _calendar(items: list[tuple[ct.Contract, Any]], lang: Lang) -> Response:
    """Due reports as an iCalendar file (RFC 5545): one all-day event a reporting moment."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//inclusief-inkopen//contracts//NL", "CALSCALE:GREGORIAN"]
    for contract, item in items:
        summary = w("ics_summary", lang, commitment=item.commitment, moment=item.moment, title=contract.title)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{contract.id}-{item.commitment}-{item.due_on.isoformat()}@inclusief-inkopen",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{item.due_on.strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_text(summary)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return Response("\r\n".join(lines) + "\r\n", media_type="text/calendar; charset=utf-8")


def _open_items(contract: ct.Contract) -> list[tuple[ct.Contract, Any]]:
    return [(contract, item) for item in due(contract, dt.date.today()) if item.state != "done"]


@router.get("/contracts/{contract_id}/due.ics")
@needs("contract.read")
def due_calendar(request: Request, contract_id: str) -> Response:
    contract, _ = _contract_of(request, contract_id)
    return _calendar(_open_items(contract), lang_of(request))


_FEED_SALT = "inclusief-inkopen.calendar-feed"


@router.get("/feeds", response_class=HTMLResponse)
@needs("contract.read")
def feed_page(request: Request) -> HTMLResponse:
    """The address of the person's own calendar feed: signed, so a calendar client can fetch it without signing in;
    it shows only what the person could see when they made it (a new app secret revokes every feed)."""
    from itsdangerous import URLSafeSerializer

    who = person_of(request)
    scope = visible(who)
    token = URLSafeSerializer(request.app.state.secret, salt=_FEED_SALT).dumps(
        {"s": who.subject, "d": None if scope.departments is None else list(scope.departments)}
    )
    address = str(request.url_for("calendar_feed", token=token))
    return page(request, "feed.html", address=address)


@router.get("/feeds/{token}/due.ics", name="calendar_feed")
@needs(PUBLIC)
def calendar_feed(request: Request, token: str) -> Response:
    from itsdangerous import BadSignature, URLSafeSerializer

    try:
        claims = URLSafeSerializer(request.app.state.secret, salt=_FEED_SALT).loads(token)
    except BadSignature:
        raise _not_found(request) from None
    departments = claims.get("d")
    scope = Visible(None if departments is None else tuple(departments), claims.get("s"))
    store = store_of(request)
    items = []
    for contract in store.contracts_by_id([row["id"] for row in store.contracts(scope).rows]).values():
        items += _open_items(contract)
    items.sort(key=lambda x: (x[1].due_on, x[0].id, x[1].commitment))
    return _calendar(items, lang_of(request))


# --- the steering dashboard -----------------------------------------------------------------------------------


FILTERS = ("department", "theme", "supplier", "year", "product_group")
ATTENTION_SHOWN = 100
RATING_ORDER = ("met", "on-track", "approaching-target", "requires-improvement", "inadequate", "waived")


def _filters(request: Request) -> dict[str, str]:
    return {k: str(request.query_params.get(k) or "").strip()[:200] for k in FILTERS}


# What the dashboard computed, kept per store: each contract's statuses on a date, up to a report row; a
# checklist's items by its version. Contracts never change once made and reports are only added, so a new report
# makes only its contract stale, and the rest is reused: the dashboard rates only what changed since it was shown.
@dataclass
class _Tally:
    """What one contract adds to the dashboard (for all its commitments, or those of one theme)."""

    ratings: dict[str, int] = field(default_factory=dict)
    a11y_total: int = 0
    a11y_a_or_b: int = 0
    overdue: int = 0
    expired: int = 0
    inadequate: int = 0
    attention: list[Any] = field(default_factory=list)


def _tallies(statuses: list[Any], about: dict[str, tuple[str, str | None]]) -> dict[str | None, _Tally]:
    out: dict[str | None, _Tally] = {}
    for s in statuses:
        theme, metric = about.get(s.commitment, ("", None))
        for key in (None, theme):
            tally = out.setdefault(key, _Tally())
            if s.rating:
                tally.ratings[s.rating] = tally.ratings.get(s.rating, 0) + 1
            if metric == "a11y-status" and s.realised is not None:
                tally.a11y_total += 1
                tally.a11y_a_or_b += s.realised in ("A", "B")
            tally.overdue += s.overdue
            tally.expired += bool(s.expired_evidence)
            tally.inadequate += s.rating == "inadequate"
            if s.overdue or s.rating == "inadequate" or s.expired_evidence:
                tally.attention.append(s)
    return out


@dataclass
class _Rated:
    on: dt.date | None = None
    upto: int = 0
    tallies: dict[str, dict[str | None, _Tally]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)


_RATED: dict[str, _Rated] = {}
_DECIDED: dict[tuple[str, str], tuple[int, list[Any], int]] = {}
_MAX_KEPT = 50_000


_LOCK = threading.Lock()  # one rating at a time: a request and the keeper never see a half-filled cache


def keep_warm(store: Any, every_seconds: float = 600.0) -> threading.Thread:
    """Rate every contract now and then again every ten minutes, in a thread of its own, so that neither a new day
    nor a burst of reports makes a person wait for the dashboard (``serve`` starts it)."""

    def loop() -> None:
        while True:
            with contextlib.suppress(Exception):  # a database that is briefly away: try again at the next turn
                _rated(store, dt.date.today())
            time.sleep(every_seconds)

    thread = threading.Thread(target=loop, name="dashboard-keeper", daemon=True)
    thread.start()
    return thread


def _rated(store: Any, on: dt.date) -> _Rated:
    with _LOCK:
        return _rated_now(store, on)


def _rated_now(store: Any, on: dt.date) -> _Rated:
    """Every contract's tallies on ``on``, from the cache where the contract has not changed, else read and rated
    now. Contracts never change once made and reports are only added, so a new report makes only its contract
    stale; a new contract is read when the count of contracts grows."""
    kept = _RATED.setdefault(store.url, _Rated())
    changed, newest = store.reported_since(kept.upto)
    if kept.on != on or len(kept.tallies) > _MAX_KEPT:
        kept.on, kept.tallies, changed = on, {}, set()
    kept.upto = newest
    if store.count_contracts() != len(kept.rows):
        kept.rows = store.contract_rows()
    missing = [r["id"] for r in kept.rows if r["id"] in changed or r["id"] not in kept.tallies]
    for contract_id, contract in store.contracts_by_id(missing).items():
        about = {c.id: (c.theme, c.kpi.metric if c.kpi else None) for c in contract.commitments}
        kept.tallies[contract_id] = _tallies(status(contract, on), about)
    return kept


def _decided_items(store: Any, row: dict[str, Any]) -> tuple[list[Any], int]:
    """A checklist's items and the year of its date, by its version."""
    kept = _DECIDED.get((store.url, row["id"]))
    if kept is None or kept[0] != row["version"]:
        found = store.checklist(row["id"])
        items = list(found[0].items) if found else []
        kept = (row["version"], items, found[0].on.year if found else 0)
        if len(_DECIDED) > _MAX_KEPT:
            _DECIDED.clear()
        _DECIDED[(store.url, row["id"])] = kept
    return kept[1], kept[2]


def dashboard_figures(request: Request) -> dict[str, Any]:
    """Per criterion how many checklists applied it or explained why not (with the explanations), social return
    agreed against realised by department (summed in SQL), the ratings of all commitments, the websites and apps at
    status A or B, and the commitments that are overdue, rated inadequate, or rest on expired evidence; filtered by
    department, theme, supplier, the year a contract started (a checklist: its date) and product group."""
    store, who = store_of(request), person_of(request)
    scope = visible(who)
    given = _filters(request)
    year = int(given["year"]) if given["year"].isdigit() else None
    criteria: dict[str, dict[str, Any]] = {}
    contract_only = bool(given["supplier"] or given["product_group"])  # checklists know neither
    for row in [] if contract_only else store.checklist_versions(scope):
        if given["department"] and row.get("department") != given["department"]:
            continue
        items, made_in = _decided_items(store, row)
        if year and made_in != year:
            continue
        for item in items:
            if given["theme"] and item.theme != given["theme"]:
                continue
            entry = criteria.setdefault(
                item.id, {"id": item.id, "theme": item.theme, "title": item.title, "applied": 0, "explained": []}
            )
            if item.decision == "applied":
                entry["applied"] += 1
            elif item.decision == "not-applied":
                entry["explained"].append({"checklist": row["id"], "title": row["title"], "why": item.justification})
    today = on_date(request)
    a11y = {"total": 0, "a_or_b": 0}
    ratings = dict.fromkeys(RATING_ORDER, 0)
    counts = {"overdue_reports": 0, "expired_evidence": 0, "inadequate": 0, "contracts": 0}
    attention = []
    rated = _rated(store, today)
    for row in rated.rows:
        if not sees(who, row["department"], row["created_by"]):
            continue
        if (
            (given["department"] and row["department"] != given["department"])
            or (given["supplier"] and row["supplier"] != given["supplier"])
            or (year and row["start"].year != year)
            or (given["product_group"] and given["product_group"] not in row["product_groups"])
        ):
            continue
        counts["contracts"] += 1
        tally = rated.tallies.get(row["id"], {}).get(given["theme"] or None)
        if tally is None:
            continue
        for rating, n in tally.ratings.items():
            ratings[rating] += n
        a11y["total"] += tally.a11y_total
        a11y["a_or_b"] += tally.a11y_a_or_b
        counts["overdue_reports"] += tally.overdue
        counts["expired_evidence"] += tally.expired
        counts["inadequate"] += tally.inadequate
        attention += [{"contract": row, "status": s} for s in tally.attention]
    sums = store.contract_figures(
        scope,
        department=given["department"] or None,
        supplier=given["supplier"] or None,
        year=year,
        product_group=given["product_group"] or None,
        theme=given["theme"] or None,
    )["social_return_by_department"]
    # the worst first: inadequate, then the most overdue, then expired evidence; the list shows the first ones
    attention.sort(key=lambda a: (a["status"].rating != "inadequate", -a["status"].overdue, a["contract"]["id"]))
    return {
        "filters": given,
        "criteria": sorted(criteria.values(), key=lambda c: c["id"]),
        "social_return": sums,
        "a11y": a11y,
        "ratings": ratings,
        "counts": counts | {"attention": len(attention)},
        "attention": attention[:ATTENTION_SHOWN],
    }


def ratings_chart(ratings: dict[str, int], lang: Lang) -> dict[str, Any]:
    """A bar a rating, as the SVG on the dashboard draws it (the same figures stand in the table beside it)."""
    most = max([1, *ratings.values()])
    bars = []
    for i, (rating, n) in enumerate(ratings.items()):
        bars.append({"y": 10 + i * 30, "width": round(300 * n / most), "n": n, "label": w(f"rating_{rating}", lang)})
    return {"bars": bars, "height": 20 + 30 * len(bars)}


@router.get("/dashboard", response_class=HTMLResponse)
@needs("dashboard")
def dashboard(request: Request) -> HTMLResponse:
    figures = dashboard_figures(request)
    lang = lang_of(request)
    query = "&".join(f"{k}={v}" for k, v in figures["filters"].items() if v)
    return page(request, "dashboard.html", figures=figures, chart=ratings_chart(figures["ratings"], lang),
                query=query)  # fmt: skip


@router.get("/dashboard.xlsx")
@needs("dashboard")
def dashboard_xlsx(request: Request) -> Response:
    """The dashboard's tables as a workbook: a sheet per table, text cells no spreadsheet runs as a formula."""
    from openpyxl import Workbook

    figures = dashboard_figures(request)
    lang = lang_of(request)
    book = Workbook()
    sheet = book.active
    sheet.title = "criteria"
    sheet.append(["criterion", "theme", "title", "applied", "not_applied_explained"])
    for c in figures["criteria"]:
        sheet.append([c["id"], c["theme"], spreadsheet_cell(c["title"].get(lang)), c["applied"], len(c["explained"])])
    explained = book.create_sheet("explanations")
    explained.append(["criterion", "checklist", "title", "justification"])
    for c in figures["criteria"]:
        for e in c["explained"]:
            explained.append(
                [c["id"], e["checklist"], spreadsheet_cell(e["title"] or ""), spreadsheet_cell(e["why"] or "")]
            )
    money = book.create_sheet("social_return")
    money.append(["department", "social_return_agreed_eur", "social_return_realised_eur", "placements_agreed",
                  "placements_realised"])  # fmt: skip
    for department, sums in figures["social_return"].items():
        money.append([spreadsheet_cell(department), sums["agreed"], sums["realised"], sums["placements_agreed"],
                      sums["placements_realised"]])  # fmt: skip
    rated = book.create_sheet("ratings")
    rated.append(["rating", "commitments"])
    for rating, n in figures["ratings"].items():
        rated.append([rating, n])
    buffer = io.BytesIO()
    book.save(buffer)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(buffer.getvalue(), media, "dashboard.xlsx")


@router.get("/dashboard.csv")
@needs("dashboard")
def dashboard_csv(request: Request) -> Response:
    """Per criterion: applied, explained (the figures of the dashboard's first table), as CSV for a spreadsheet."""
    figures = dashboard_figures(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["criterion", "theme", "applied", "not_applied_explained"])
    for c in figures["criteria"]:
        writer.writerow([c["id"], c["theme"], c["applied"], len(c["explained"])])  # ids and counts: no user text
    writer.writerow([])
    writer.writerow(["department", "social_return_agreed_eur", "social_return_realised_eur", "placements_agreed",
                     "placements_realised"])  # fmt: skip
    for department, sums in figures["social_return"].items():
        writer.writerow([spreadsheet_cell(department), f"{sums['agreed']:.2f}", f"{sums['realised']:.2f}",
                         f"{sums['placements_agreed']:g}", f"{sums['placements_realised']:g}"])  # fmt: skip
    return _download(out.getvalue().encode(), "text/csv; charset=utf-8", "dashboard.csv")
