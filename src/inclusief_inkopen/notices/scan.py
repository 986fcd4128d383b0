"""Scan a portfolio of notices: per notice the comparison with the advice, over the portfolio the indicators.

The bureau steers on three shares, among notices above the EU threshold: how many include accessibility criteria
(BT-754 ``inc``), how many name a social objective (BT-775), how many are reserved (BT-71); and, where the advice
expects them, how many notices follow it. They are given overall, by nature and by CPV division.

A file that cannot be read is a row with its error; it never stops the scan.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from inclusief_inkopen.base.errors import InclusiefInkopenError, NotInForce
from inclusief_inkopen.base.outputs import spreadsheet_cell
from inclusief_inkopen.notices.compare import assess, expected_codes
from inclusief_inkopen.notices.importing import read_notice_data, to_tender
from inclusief_inkopen.notices.notice import Notice
from inclusief_inkopen.notices.regimes import advised_as
from inclusief_inkopen.notices.sources import Item, items, paths_in
from inclusief_inkopen.rules.catalogues import default_catalogue

COLUMNS = [
    "file",
    "notice_id",
    "procedure_id",
    "issued",
    "judged_on",
    "format",
    "form_type",
    "regime",
    "counted",
    "title",
    "nature",
    "estimated_value_eur",
    "value_source",
    "cpv_main",
    "cpv_division",
    "procedure",
    "lots",
    "above_threshold",
    "declares_accessibility",
    "names_social_objective",
    "reserved",
    "expects_accessibility",
    "expects_social_objective",
    "required_gaps",
    "recommended_gaps",
    "gaps",
    "status",
    "missing",
    "error",
]

# The one fact a notice that is not assessed lacks, as the ``missing`` column names it; the labels are the report's.
MISSING = {
    "purchase": {
        "nl": "een aankoop: een registratie van een onderneming (X01/X02) beschrijft er geen",
        "en": "a purchase: a business registration notice (X01/X02) describes none",
    },
    "regime": {
        "nl": "een regime dat het advies dekt: de aankondiging valt onder een ander (EU-instellingen, openbaar "
        "personenvervoer)",
        "en": "a regime the advice covers: the notice falls under another (EU institutions, public passenger "
        "transport)",
    },
    "issued": {
        "nl": "de datum van verzending (BT-05), om de aankondiging op die datum te beoordelen",
        "en": "the date the notice was sent (BT-05), to judge it on that date",
    },
    "rules_in_force": {
        "nl": "regels die gelden op de datum van verzending: de catalogus kent er voor die datum geen",
        "en": "rules in force on the date the notice was sent: the catalogue holds none for that date",
    },
    "nature": {
        "nl": "de aard van de opdracht: werken, leveringen of diensten (BT-23)",
        "en": "the nature of the contract: works, supplies or services (BT-23)",
    },
    "estimated_value_eur": {
        "nl": "een geraamde waarde in euro (of in een munt met een officiële koers), of een rechtsgrond (BT-01) "
        "die zegt aan welke kant van de drempel de aankondiging valt",
        "en": "an estimated value in euro (or in a currency with an official rate), or a legal basis (BT-01) that "
        "says which side of the threshold the notice is on",
    },
}


# The date a scan judges on: one for every notice (None is today), or each notice's own dispatch date ("issued"), as
# the estimated value is fixed when the notice is sent (art. 2.15 lid 1 Aw) and the thresholds then in force apply
# (art. 2.7 Aw).
JudgedOn = dt.date | Literal["issued"] | None
ISSUED = "issued"


def judgement_date(notice: Notice, on: JudgedOn) -> dt.date | None:
    """The date a notice is judged on; None when it is to be judged on its dispatch date and gives none that reads
    as a date.

    >>> from inclusief_inkopen.notices.notice import Notice
    >>> judgement_date(Notice(file="n.xml", format="eforms", issued="2025-06-02+02:00"), "issued")
    datetime.date(2025, 6, 2)
    >>> judgement_date(Notice(file="n.xml", format="eforms", issued=None), "issued") is None
    True
    """
    if on != ISSUED:
        return on if isinstance(on, dt.date) else dt.date.today()
    try:
        return dt.date.fromisoformat((notice.issued or "")[:10])
    except ValueError:
        return None


def notice_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to scan: those named, and every file in the folders named (what is no notice is reported as
    skipped), in a stable order."""
    return paths_in(paths)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def scan_file(path: Path, on: JudgedOn = None) -> list[dict[str, str]]:
    """The rows for one file: one per contracting process (an OCDS package may hold several); an archive gives
    the rows of every notice in it."""
    return [row for item in items([path], frozenset([path])) for row in scan_item(item, on)]


def scan_item(item: Item, on: JudgedOn = None) -> list[dict[str, str]]:
    """The rows for one notice file or archive member."""
    if item.skipped is not None:
        return [{"file": item.name, "status": "skipped", "error": item.skipped}]
    if item.error is not None or item.data is None:
        return [_error_row(item.name, None, item.error or "no data")]
    try:
        notices = read_notice_data(item.data, item.name)
    except InclusiefInkopenError as exc:
        return [_error_row(item.name, None, str(exc))]
    except Exception as exc:  # a notice no reader foresaw: its own row, and the scan goes on
        return [_error_row(item.name, None, f"could not be read ({type(exc).__name__}: {exc})")]
    rows = []
    for notice in notices:
        try:
            rows.append(_row(item.name, notice, on))
        except Exception as exc:
            rows.append(_error_row(item.name, notice.id, f"could not be judged ({type(exc).__name__}: {exc})"))
    return rows


def _error_row(path: Path | str, notice_id: str | None, message: str) -> dict[str, str]:
    text = " ".join(message.split())  # one line, whatever the message held
    return {
        "file": str(path),
        "notice_id": notice_id or "",
        "status": "error",
        "error": text if len(text) <= 500 else text[:497] + "...",
    }


def _declared(notice: Notice, lots: list[Any], test: Callable[[Any], bool]) -> str:
    """yes/no for what the lots declare; "n/a" where the notice format has no such term (TED before eForms)."""
    if not notice.declares_strategic_terms:
        return NOT_IN_FORMAT
    return _yes_no(any(test(lot) for lot in lots) if lots else None)


# What a row says of a term that its notice format cannot express: never counted as "no".
NOT_IN_FORMAT = "n/a"


def _row(path: Path | str, notice: Notice, on: JudgedOn) -> dict[str, str]:
    named = {  # what names the notice, known before it is judged
        "file": str(path),
        "notice_id": notice.id or "",
        "procedure_id": notice.procedure_id or "",
        "issued": notice.issued or "",
        "format": notice.format,
        "form_type": notice.form_type or "",
    }
    judged_on = judgement_date(notice, on)
    if judged_on is None:
        why = "the notice gives no date it was sent (BT-05) to judge it on"
        return named | {"status": "not-assessed", "missing": "issued", "error": why}
    imported = to_tender(notice, judged_on)
    lots = [lot for lot in notice.lots if lot.scheme == "Lot"]
    row = named | {
        "judged_on": judged_on.isoformat(),
        "regime": imported.regime,
        "title": (imported.tender.get("title") or "")[:200],
        "nature": imported.tender.get("nature", ""),
        "estimated_value_eur": str(imported.tender.get("estimated_value_eur", "")),
        "value_source": imported.sources.get("estimated_value_eur", ""),
        "cpv_main": (imported.tender.get("cpv") or [""])[0],
        "cpv_division": (imported.tender.get("cpv") or [""])[0][:2],
        "procedure": imported.tender.get("procedure", ""),
        "lots": str(len(lots)),
        "declares_accessibility": _declared(notice, lots, lambda lot: lot.accessibility == "inc"),
        "names_social_objective": _declared(notice, lots, lambda lot: bool(lot.social_objectives)),
        "reserved": _declared(notice, notice.lots, lambda lot: any(c != "none" for c in lot.reserved_participation)),
    }
    try:
        comparison, advice = assess(imported, default_catalogue(), on=judged_on)
    except NotInForce as exc:
        # A notice judged on its own date may predate the rules the catalogue holds; any other gap is an error.
        if on != ISSUED:
            raise
        first = "; ".join(p.message for p in exc.problems[:1])
        return row | {"status": "not-assessed", "missing": "rules_in_force", "error": f"judged on {judged_on}: {first}"}
    notes = [comparison.note.get("en")] if comparison.note else []
    row["error"] = "; ".join(notes + imported.warnings)[:500]
    row["above_threshold"] = _yes_no(comparison.above_threshold)
    if not comparison.assessed:  # also a regime the advice does not cover: assess reports it, never compares it
        return row | {"status": "not-assessed", "missing": _missing(notice, imported.regime)}
    gaps = comparison.gaps
    row["required_gaps"] = str(len(comparison.required_gaps))
    row["recommended_gaps"] = str(len(gaps) - len(comparison.required_gaps))
    row["gaps"] = "; ".join(sorted({f"{f.business_term} {f.expected} ({f.status})" for f in gaps}))
    if advice is not None:
        expected = expected_codes(advice)
        row["expects_accessibility"] = _yes_no(("accessibility", "inc") in expected)
        row["expects_social_objective"] = _yes_no(any(k[0] == "social_objectives" for k in expected))
        row["status"] = "gaps" if comparison.required_gaps else "ok"
    elif comparison.above_threshold is not None:  # no value, judged on the side of the threshold it declares
        row["status"] = "gaps" if comparison.required_gaps else "ok"
    else:  # no value: only what holds at any value, which is not enough for the shares above the threshold
        row["status"] = "gaps" if comparison.required_gaps else "not-assessed"
        if row["status"] == "not-assessed":
            row["missing"] = "estimated_value_eur"
    return row


def _missing(notice: Notice, regime: str) -> str:
    """The one fact a notice that assess could not judge lacks, first what no answer can mend: a registration
    describes no purchase, another regime's law is not in the catalogue; then the nature, the one field assess needs."""
    if notice.form_type == "bri":
        return "purchase"
    if advised_as(regime) is None:
        return "regime"
    return "nature"


def _scan_batch(batch: list[Item], on: JudgedOn) -> list[list[dict[str, str]]]:
    return [scan_item(item, on) for item in batch]


def _batches(found: Iterator[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in found:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def scan(
    paths: Iterable[str | os.PathLike[str]],
    on: JudgedOn = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, str]]:
    """Rows for every notice in the files, folders and archives given, in file order; archives are read as they
    stream, and with several workers only a bounded number of notices wait in memory."""
    named = [Path(p) for p in paths]
    found = items(paths_in(named), frozenset(p for p in named if not p.is_dir()))
    if workers == 1:
        for item in found:
            yield from scan_item(item, on)
            if progress:
                progress(1)
        return
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    count = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=count, initializer=_ignore_interrupts) as pool:
        pending: deque[Future[list[list[dict[str, str]]]]] = deque()

        def deliver() -> Iterator[dict[str, str]]:
            for rows in pending.popleft().result():
                yield from rows
                if progress:
                    progress(1)

        try:
            for batch in _batches(found, _BATCH):
                pending.append(pool.submit(_scan_batch, batch, on))
                if len(pending) >= 4 * count:  # a bounded window: a large archive never sits in memory whole
                    yield from deliver()
            while pending:
                yield from deliver()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


_BATCH = 16


def _ignore_interrupts() -> None:
    """Ctrl-C is the coordinator's to handle: a worker that died of it would print its own traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(frozen=True)
class Indicator:
    group: str  # "all", "nature", "cpv-division"
    value: str
    indicator: str
    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


INDICATORS = {
    "accessibility-included": ("declares_accessibility", None),
    "social-objective-named": ("names_social_objective", None),
    "reserved": ("reserved", None),
    "accessibility-as-advised": ("declares_accessibility", "expects_accessibility"),
    "social-objective-as-advised": ("names_social_objective", "expects_social_objective"),
}
LABELS = {
    "accessibility-included": {
        "nl": "neemt toegankelijkheidscriteria op (BT-754)",
        "en": "includes accessibility criteria (BT-754)",
    },
    "social-objective-named": {
        "nl": "noemt een sociale doelstelling (BT-775)",
        "en": "names a social objective (BT-775)",
    },
    "reserved": {"nl": "is voorbehouden (BT-71)", "en": "is reserved (BT-71)"},
    "accessibility-as-advised": {
        "nl": "toegankelijkheid opgenomen waar het advies dat verwacht",
        "en": "accessibility included where the advice expects it",
    },
    "social-objective-as-advised": {
        "nl": "sociale doelstelling genoemd waar het advies dat verwacht",
        "en": "social objective named where the advice expects it",
    },
}


# What a notice is in its procedure's life, from its form type (eForms BT-03, OCDS release tags, TED mapped to
# the eForms form types by the reader).
KINDS = {
    "competition": "contract-notice",
    "tender": "contract-notice",
    "tenderUpdate": "contract-notice",
    "tenderAmendment": "contract-notice",
    "compiled": "contract-notice",
    "planning": "prior-information",
    "planningUpdate": "prior-information",
    "result": "award",
    "dir-awa-pre": "award",
    "award": "award",
    "awardUpdate": "award",
    "contract": "award",
    "cont-modif": "modification",
    "contractAmendment": "modification",
    "implementation": "modification",
}


def notice_kind(row: dict[str, str]) -> str:
    """contract-notice, prior-information, award, modification or other; an OCDS release with several tags is a
    contract notice when one of them says so (a compiled release carries the latest tender)."""
    kinds = {KINDS.get(tag.strip(), "other") for tag in (row.get("form_type") or "").split(",")}
    for kind in ("contract-notice", "award", "modification", "prior-information"):
        if kind in kinds:
            return kind
    return "other"


@dataclass(frozen=True)
class Procedure:
    key: str  # BT-04 procedure identifier, OCDS ocid, or the file and notice id when the notice names none
    rows: tuple[int, ...]  # indexes of its notices among the scanned rows
    counted: int  # the row its indicators come from: its latest contract notice, else its latest notice
    counted_kind: str


def procedures(rows: list[dict[str, str]]) -> list[Procedure]:
    """The procedures in the scanned rows: one procedure appears as prior information, contract notice, changes
    and award notices, in one file or several; it is counted once, from its latest contract notice."""
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row.get("status") == "error" or row.get("status") == "skipped":
            continue
        key = row.get("procedure_id") or f"{row.get('file')}#{row.get('notice_id')}"
        groups.setdefault(key, []).append(i)
    out = []
    for key, members in groups.items():
        notices = [i for i in members if notice_kind(rows[i]) == "contract-notice"] or members
        latest = max(notices, key=lambda i: (rows[i].get("issued") or "", i))
        out.append(Procedure(key, tuple(members), latest, notice_kind(rows[latest])))
    return out


def mark_counted(rows: list[dict[str, str]]) -> list[Procedure]:
    """Set each row's ``counted`` column (yes for the notice its procedure is counted from, else no)."""
    found = procedures(rows)
    for procedure in found:
        for i in procedure.rows:
            rows[i]["counted"] = "yes" if i == procedure.counted else "no"
    return found


def indicators(rows: Iterable[dict[str, str]]) -> list[Indicator]:
    """The portfolio's shares, once per procedure (from its latest contract notice), among the procedures above
    the EU threshold that could be judged."""
    listed = list(rows)
    counts: dict[tuple[str, str, str], list[int]] = {}
    for procedure in procedures(listed):
        row = listed[procedure.counted]
        if row.get("status") not in ("ok", "gaps") or row.get("above_threshold") != "yes":
            continue
        groups = [
            ("all", "all"),
            ("nature", row.get("nature") or "?"),
            ("cpv-division", row.get("cpv_division") or "?"),
        ]
        for name, (column, among) in INDICATORS.items():
            if among is not None and row.get(among) != "yes":
                continue
            if row.get(column) not in ("yes", "no"):  # a term the notice's format has not got: not a "no"
                continue
            hit = row.get(column) == "yes"
            for group, value in groups:
                n = counts.setdefault((group, value, name), [0, 0])
                n[0] += hit
                n[1] += 1
    order = {"all": 0, "nature": 1, "cpv-division": 2}
    return [
        Indicator(group, value, name, n[0], n[1])
        for (group, value, name), n in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2]))
    ]


def rows_csv(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        # Titles, ids and errors come from notices: a cell that a spreadsheet would run as a formula is quoted.
        writer.writerow({c: spreadsheet_cell(str(row.get(c, ""))) for c in COLUMNS})
    return buffer.getvalue()


def indicators_csv(items: Iterable[Indicator]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group", "value", "indicator", "numerator", "denominator", "share"])
    for i in items:
        share = "" if i.share is None else f"{i.share:.4f}"
        writer.writerow(
            [spreadsheet_cell(str(v)) for v in (i.group, i.value, i.indicator)] + [i.numerator, i.denominator, share]
        )
    return buffer.getvalue()


def _bars(title: str, items: list[Indicator], lang: str, ident: str) -> str:
    """A horizontal bar chart as inline SVG, with the same figures as a table for screen readers and print."""
    e = html.escape
    width, bar_x, bar_w, row_h = 640, 170, 360, 26
    height = row_h * len(items) + 10
    parts = [
        f'<svg role="img" aria-labelledby="{ident}" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg"><title id="{ident}">{e(title)}</title>'
    ]
    for n, i in enumerate(items):
        y = n * row_h + 5
        share = i.share or 0.0
        parts.append(f'<text x="{bar_x - 8}" y="{y + 17}" text-anchor="end" font-size="14">{e(i.value)}</text>')
        parts.append(f'<rect x="{bar_x}" y="{y + 3}" width="{bar_w}" height="18" fill="#e6e6e6"/>')
        parts.append(f'<rect x="{bar_x}" y="{y + 3}" width="{share * bar_w:.1f}" height="18" fill="#004699"/>')
        parts.append(
            f'<text x="{bar_x + bar_w + 8}" y="{y + 17}" font-size="14">'
            f"{share:.0%} ({i.numerator}/{i.denominator})</text>"
        )
    parts.append("</svg>")
    head = {"nl": ("groep", "aandeel", "aantal"), "en": ("group", "share", "count")}[lang]
    table = (
        f'<table><caption class="sr-only">{e(title)}</caption><thead><tr><th scope="col">{head[0]}</th>'
        f'<th scope="col">{head[1]}</th><th scope="col">{head[2]}</th></tr></thead><tbody>'
        + "".join(
            f'<tr><th scope="row">{e(i.value)}</th><td>{(i.share or 0):.0%}</td>'
            f"<td>{i.numerator}/{i.denominator}</td></tr>"
            for i in items
        )
        + "</tbody></table>"
    )
    return (
        "".join(parts)
        + f"<details><summary>{e(title)}: {'tabel' if lang == 'nl' else 'table'}</summary>{table}</details>"
    )


def render_html(rows: list[dict[str, str]], items: list[Indicator], lang: str = "nl", top: int = 12) -> str:
    """The report people read: headline shares, charts by nature and CPV division, notices with gaps."""
    e = html.escape
    t = {
        "nl": {
            "title": "Inclusief inkopen: scan van aankondigingen",
            "skip": "Naar de inhoud",
            "intro": "Aandelen onder de beoordeelde procedures boven de Europese drempel, elke procedure één keer "
            "geteld, uit haar laatste aankondiging van een opdracht.",
            "summary": "Samenvatting",
            "notices": "aankondigingen gelezen",
            "assessed": "beoordeeld (volledig genoeg voor advies)",
            "above": "boven de Europese drempel",
            "errors": "niet leesbaar",
            "by_nature": "naar aard van de opdracht",
            "by_division": "naar CPV-afdeling (de grootste)",
            "gaps": "Aankondigingen die een vereiste waarde missen",
            "file": "bestand",
            "name": "naam",
            "missing": "ontbreekt",
            "unreadable": "Niet leesbare bestanden",
            "none": "geen",
            "procedures": "procedures",
            "from_cn": "geteld uit hun laatste aankondiging van een opdracht",
            "from_other": "zonder aankondiging van een opdracht in de scan, geteld uit hun laatste aankondiging",
            "other_law": "onder een regime dat het advies niet dekt (EU-instellingen, openbaar personenvervoer): niet "
            "vergeleken met het advies",
            "unassessed": "Niet beoordeeld, naar wat ontbreekt",
            "unassessed_intro": "Wat elke aankondiging mist om met het advies te worden vergeleken; de kolom missing "
            "van notices.csv noemt het per aankondiging.",
            "lacks": "wat ontbreekt",
            "count": "aantal",
            "judged_on": "beoordeeld op",
            "judged_each": "elke aankondiging op de datum van verzending (kolom judged_on)",
            "skipped": "Overgeslagen bestanden",
            "skipped_intro": "Deze bestanden zijn geen aankondiging of archief en zijn niet gelezen.",
        },
        "en": {
            "title": "Inclusive procurement: notice scan",
            "skip": "Skip to the content",
            "intro": "Shares among the assessed procedures above the EU threshold, each procedure counted once, "
            "from its latest contract notice.",
            "summary": "Summary",
            "notices": "notices read",
            "assessed": "assessed (complete enough for advice)",
            "above": "above the EU threshold",
            "errors": "unreadable",
            "by_nature": "by nature of the contract",
            "by_division": "by CPV division (the largest)",
            "gaps": "Notices that miss a required value",
            "file": "file",
            "name": "name",
            "missing": "missing",
            "unreadable": "Unreadable files",
            "none": "none",
            "procedures": "procedures",
            "from_cn": "counted from their latest contract notice",
            "from_other": "with no contract notice in the scan, counted from their latest notice",
            "other_law": "under a regime the advice does not cover (EU institutions, public passenger transport): not "
            "compared with the advice",
            "unassessed": "Not assessed, by what is missing",
            "unassessed_intro": "What each notice lacks to be compared with the advice; the column missing of "
            "notices.csv names it for each notice.",
            "lacks": "what is missing",
            "count": "count",
            "judged_on": "judged on",
            "judged_each": "each notice on the date it was sent (column judged_on)",
            "skipped": "Skipped files",
            "skipped_intro": "These files are no notice or archive and were not read.",
        },
    }[lang]
    assessed = [r for r in rows if r.get("status") in ("ok", "gaps")]
    above = [r for r in assessed if r.get("above_threshold") == "yes"]
    errors = [r for r in rows if r.get("status") == "error"]
    skipped = [r for r in rows if r.get("status") == "skipped"]
    other_law = [r for r in rows if r.get("regime") not in (None, "") and advised_as(r["regime"]) is None]
    found = procedures(rows)
    from_cn = sum(p.counted_kind == "contract-notice" for p in found)
    body = [
        f"<h1>{t['title']}</h1><p>{t['intro']}</p>",
        f"<h2>{t['summary']}</h2><ul>",
        f"<li>{len(rows) - len(skipped)} {t['notices']}</li><li>{len(assessed)} {t['assessed']}</li>",
        f"<li>{len(above)} {t['above']}</li><li>{len(errors)} {t['errors']}</li>",
        f"<li>{len(found)} {t['procedures']}: {from_cn} {t['from_cn']}, {len(found) - from_cn} {t['from_other']}</li>",
        f"<li>{len(other_law)} {t['other_law']}</li>",
    ]
    dates = sorted({r["judged_on"] for r in rows if r.get("judged_on")})
    if dates:
        body.append(f"<li>{t['judged_on']}: {e(dates[0]) if len(dates) == 1 else t['judged_each']}</li>")
    body.append("</ul>")
    headline = [i for i in items if i.group == "all"]
    if headline:
        body.append('<dl class="headline">')
        for i in headline:
            share = "–" if i.share is None else f"{i.share:.0%}"
            body.append(
                f"<div><dt>{e(LABELS[i.indicator][lang])}</dt>"
                f"<dd>{share} <small>({i.numerator}/{i.denominator})</small></dd></div>"
            )
        body.append("</dl>")
    for name in INDICATORS:
        label = LABELS[name][lang]
        by_nature = [i for i in items if i.indicator == name and i.group == "nature"]
        by_division = sorted(
            (i for i in items if i.indicator == name and i.group == "cpv-division"), key=lambda i: -i.denominator
        )[:top]
        if not by_nature:
            continue
        body.append(f"<section><h2>{e(label[0].upper() + label[1:])}</h2>")
        body.append(f"<h3>{t['by_nature']}</h3>" + _bars(f"{label}, {t['by_nature']}", by_nature, lang, f"{name}-n"))
        body.append(
            f"<h3>{t['by_division']}</h3>" + _bars(f"{label}, {t['by_division']}", by_division, lang, f"{name}-d")
        )
        body.append("</section>")
    gaps = [r for r in rows if r.get("status") == "gaps"]
    body.append(f"<section><h2>{t['gaps']} ({len(gaps)})</h2>")
    if gaps:
        body.append(
            f'<table><thead><tr><th scope="col">{t["file"]}</th><th scope="col">{t["name"]}</th>'
            f'<th scope="col">{t["missing"]}</th></tr></thead><tbody>'
        )
        body += [
            f"<tr><td>{e(Path(r['file']).name)}</td><td>{e(r.get('title', ''))}</td>"
            f"<td>{e(r.get('gaps', ''))}</td></tr>"
            for r in gaps[:500]
        ]
        body.append("</tbody></table>")
    else:
        body.append(f"<p>{t['none']}</p>")
    body.append("</section>")
    unassessed = [r for r in rows if r.get("status") == "not-assessed"]
    if unassessed:
        lacking = {fact: [r for r in unassessed if r.get("missing") == fact] for fact in MISSING}
        body.append(
            f"<section><h2>{t['unassessed']} ({len(unassessed)})</h2><p>{t['unassessed_intro']}</p>"
            f'<table><thead><tr><th scope="col">{t["lacks"]}</th><th scope="col">{t["count"]}</th>'
            f'<th scope="col">{t["file"]}</th></tr></thead><tbody>'
        )
        body += [
            f'<tr><th scope="row">{e(MISSING[fact][lang])}</th><td>{len(lack)}</td>'
            f"<td>{e(', '.join(Path(r['file']).name for r in lack[:50]))}{' …' if len(lack) > 50 else ''}</td></tr>"
            for fact, lack in lacking.items()
            if lack
        ]
        body.append("</tbody></table></section>")
    if errors:
        body.append(f"<section><h2>{t['unreadable']} ({len(errors)})</h2><ul>")
        body += [f"<li>{e(r['error'])}</li>" for r in errors[:500]]
        body.append("</ul></section>")
    if skipped:
        body.append(f"<section><h2>{t['skipped']} ({len(skipped)})</h2><p>{t['skipped_intro']}</p><ul>")
        body += [f"<li>{e(r['file'])}: {e(r.get('error', ''))}</li>" for r in skipped[:500]]
        body.append("</ul></section>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;"
        "line-height:1.5}table{border-collapse:collapse;margin:.5rem 0}"
        "th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left}"
        ".headline{display:flex;flex-wrap:wrap;gap:1rem}"
        ".headline div{border:2px solid #004699;padding:.5rem 1rem;flex:1 1 14rem}"
        ".headline dd{font-size:2rem;margin:0;font-weight:bold}.sr-only{position:absolute;left:-10000px}"
        "a:focus,summary:focus{outline:3px solid #ec0000;outline-offset:2px}"
        ".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}.skip:focus{left:1rem}"
        "@media print{.skip{display:none}details{display:block}}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{t["title"]}</title><style>{style}</style></head>'
        f'<body><a class="skip" href="#main">{t["skip"]}</a><main id="main" tabindex="-1">{"".join(body)}</main>'
        "</body></html>\n"
    )
