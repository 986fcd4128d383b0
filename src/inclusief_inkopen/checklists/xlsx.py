"""Checklists as a spreadsheet, and back: one row per item, decision and justification filled in by hand.

The sheet carries the checklist's tender and catalogue hashes on a second sheet, so a sheet is only read back
into the checklist it came from. A sheet edited by hand is bad input until proven otherwise: every cell read
back is checked, and each problem names the sheet, the cell and what was expected.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from typing import Any, get_args

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from inclusief_inkopen.advice.reasons import term_label
from inclusief_inkopen.base.errors import Problem
from inclusief_inkopen.base.files import atomic_write
from inclusief_inkopen.base.outputs import without_controls
from inclusief_inkopen.base.text import Lang
from inclusief_inkopen.checklists.checklist import USER_FIELDS, AwardBasis, Checklist, ChecklistError, Item

SHEET = "Checklist"
ABOUT = "Over"
# (item field, header in Dutch, header in English, width); the user fills in the columns of USER_FIELDS. The last
# two columns are there to read, not to fill in. A sheet is read back by its headers, in either language (and by
# the field names that older sheets used as headers).
COLUMNS: list[tuple[str, str, str, int]] = [
    ("id", "id", "id", 14),
    ("title", "titel", "title", 48),
    ("status", "status", "status", 18),
    ("kind", "soort", "kind", 18),
    ("phase", "fase", "phase", 16),
    ("applies", "van toepassing", "applies", 14),
    ("decision", "besluit", "decision", 16),
    ("applied_as", "toegepast als", "applied as", 40),
    ("justification", "motivering (leg uit)", "justification (explain)", 48),
    ("weight", "weging (%)", "weight (%)", 11),
    ("decided_by", "besloten door", "decided by", 18),
    ("decided_on", "besloten op (JJJJ-MM-DD)", "decided on (YYYY-MM-DD)", 14),
    ("wording", "voorgestelde tekst", "suggested wording", 60),
    ("reasons", "waarom (niet invullen)", "why (do not fill in)", 48),
    ("legal_basis", "grondslag (niet invullen)", "legal basis (do not fill in)", 48),
]
HEADERS: dict[str, str] = {header.casefold(): field for field, nl, en, _ in COLUMNS for header in (field, nl, en)} | {
    "voorgestelde tekst": "wording"
}
DECISIONS: dict[Lang, dict[str, str]] = {
    "nl": {"open": "open", "applied": "toegepast", "not-applied": "niet toegepast"},
    "en": {"open": "open", "applied": "applied", "not-applied": "not applied"},
}
AWARD_BASES: dict[Lang, dict[str, str]] = {
    "nl": {
        "best-price-quality": "beste prijs-kwaliteitverhouding",
        "lowest-price": "laagste prijs",
        "lowest-cost": "laagste kosten",
    },
    "en": {
        "best-price-quality": "best price-quality ratio",
        "lowest-price": "lowest price",
        "lowest-cost": "lowest cost",
    },
}
APPLIES: dict[Lang, dict[str, str]] = {
    "nl": {"yes": "ja", "unknown": "mogelijk"},
    "en": {"yes": "yes", "unknown": "may apply"},
}
ABOUT_LABELS: dict[str, dict[Lang, str]] = {
    "format": {"nl": "format", "en": "format"},
    "tender": {"nl": "opdracht", "en": "tender"},
    "tender_sha256": {"nl": "tender_sha256", "en": "tender_sha256"},
    "catalogue_sha256": {"nl": "catalogue_sha256", "en": "catalogue_sha256"},
    "award_basis": {"nl": "gunningsgrondslag", "en": "award basis"},
}


def _code(value: Any, codes: dict[Lang, dict[str, str]]) -> str | None:
    """The code for a value written as the code or as its label in either language."""
    text = str(value).strip().casefold()
    for labels in codes.values():
        for code, label in labels.items():
            if text in (code.casefold(), label.casefold()):
                return code
    return None


MAX_ROWS = 5000


def _shown(item: Item, name: str, lang: Lang) -> Any:
    value = getattr(item, name)
    if name in ("title", "wording"):
        return value.get(lang) if value is not None else None
    if name == "reasons":
        return "; ".join(r.get(lang) for r in value) or None
    if name == "legal_basis":
        return "; ".join(value) or None
    if name in ("status", "kind", "phase"):
        return term_label({"status": "statuses", "kind": "kinds", "phase": "phases"}[name], value, lang)
    if name == "decision":
        return DECISIONS[lang][value]
    if name == "applies":
        return APPLIES[lang][value]
    return value


def to_xlsx(checklist: Checklist, lang: Lang = "nl") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([nl if lang == "nl" else en for _, nl, en, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in checklist.items:
        row = [_shown(item, name, lang) for name, _, _, _ in COLUMNS]
        sheet.append([without_controls(v) if isinstance(v, str) else v for v in row])
    _as_text(sheet)
    for index, (_, _, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    sheet.freeze_panes = "B2"
    decision_col = get_column_letter(_column("decision"))
    choices = list(DECISIONS[lang].values())
    valid = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=False)
    valid.error = {"nl": "Kies ", "en": "Choose "}[lang] + ", ".join(choices)
    valid.errorTitle = {"nl": "Besluit", "en": "Decision"}[lang]
    sheet.add_data_validation(valid)
    valid.add(f"{decision_col}2:{decision_col}{max(len(checklist.items) + 1, 2)}")
    # A weight belongs to an award criterion only: only those rows take one.
    weight_col = get_column_letter(_column("weight"))
    weights = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    no_weight = DataValidation(type="textLength", operator="equal", formula1="0", allow_blank=True)
    no_weight.error = {
        "nl": "Alleen een gunningscriterium krijgt een weging",
        "en": "Only an award criterion has a weight",
    }[lang]
    sheet.add_data_validation(weights)
    sheet.add_data_validation(no_weight)
    for number, item in enumerate(checklist.items, start=2):
        (weights if item.kind == "award-criterion" else no_weight).add(f"{weight_col}{number}")

    about = book.create_sheet(ABOUT)
    basis = AWARD_BASES[lang].get(checklist.award_basis or "", "")
    for key, value in (
        ("format", checklist.format),
        ("tender", checklist.tender.get("title", "")),
        ("tender_sha256", checklist.tender_sha256),
        ("catalogue_sha256", checklist.catalogue["sha256"]),
        ("award_basis", basis),
    ):
        about.append([ABOUT_LABELS[key][lang], without_controls(value)])
    _as_text(about)
    bases = DataValidation(type="list", formula1='"' + ",".join(AWARD_BASES[lang].values()) + '"', allow_blank=True)
    about.add_data_validation(bases)
    bases.add("B5")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_text(sheet: Any) -> None:
    """Every text cell stays text: openpyxl would store a value starting with "=" as a formula, which the
    spreadsheet program then runs (a title or justification is never a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"


def _column(field: str) -> int:
    return next(i for i, (name, _, _, _) in enumerate(COLUMNS, start=1) if name == field)


def _cell_value(value: Any, field: str, where: str, problems: list[Problem], file: str) -> Any:
    if isinstance(value, str):
        value = value.strip() or None
    if value is None:
        return "open" if field == "decision" else None
    if field == "decision":
        code = _code(value, DECISIONS)
        if code is None:
            choices = ", ".join(DECISIONS["nl"].values())
            problems.append(Problem(file, where, f"expected one of {choices} (or in English), got {value!r}"))
            return "open"
        return code
    if field == "decided_on":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(Problem(file, where, f"expected a date as YYYY-MM-DD, got {value!r}"))
            return None
    if field == "weight":
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                return float(str(value).replace(",", ".").rstrip("% "))
            except ValueError:
                problems.append(Problem(file, where, f"expected a weight in % (a number), got {value!r}"))
                return None
        return value
    return str(value) if not isinstance(value, str) else value


# An .xlsx file is a zip package of XML parts; a checklist's sheet unpacks to well under a megabyte.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _check_package(data: bytes, file: str) -> None:
    """Refuse a package that would unpack to more than ``MAX_UNPACKED_BYTES`` (a zip bomb: small on disk, gigabytes
    of shared strings in memory) or whose XML declares a DTD or entities (no spreadsheet needs one), before any
    part is parsed. The sizes are the package's own declarations, which reading then holds every part to."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = package.infolist()
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ChecklistError.single(
                file, "", f"unpacks to {unpacked:,} bytes; a checklist sheet is at most {MAX_UNPACKED_BYTES:,}"
            )
        for part in parts:
            if part.filename.endswith((".xml", ".rels", ".vml")):
                content = package.read(part)
                if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                    raise ChecklistError.single(file, part.filename, "declares a DTD or entities; refused")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ChecklistError.single(file, "", f"not an .xlsx workbook ({exc})") from None


def read_xlsx(data: bytes, checklist: Checklist, file: str = "sheet.xlsx") -> Checklist:
    """The checklist with the decisions from a filled-in sheet; raises ``ChecklistError`` listing every bad cell."""
    _check_package(data, file)
    try:
        return _read_xlsx(data, checklist, file)
    except ChecklistError:
        raise
    except Exception as exc:  # a malformed part inside the package: openpyxl reads rows lazily
        raise ChecklistError.single(file, "", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None


def _read_xlsx(data: bytes, checklist: Checklist, file: str) -> Checklist:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ChecklistError([Problem(file, "", f"not an .xlsx workbook ({type(exc).__name__})")]) from None
    problems: list[Problem] = []
    if SHEET not in book.sheetnames:
        raise ChecklistError([Problem(file, "", f"no sheet named {SHEET!r}; was it made by 'checklist render'?")])
    labels = {label.casefold(): key for key, by_lang in ABOUT_LABELS.items() for label in (key, *by_lang.values())}
    about = (
        {
            labels.get(str(r[0]).strip().casefold(), str(r[0])): r[1]
            for r in book[ABOUT].iter_rows(values_only=True)
            if r and r[0]
        }
        if ABOUT in book.sheetnames
        else {}
    )
    if about.get("tender_sha256") != checklist.tender_sha256:
        problems.append(
            Problem(file, f"{ABOUT}!B3", "this sheet was made from another tender or another version of it")
        )
    given = about.get("award_basis") or None
    basis = _code(given, AWARD_BASES) if given is not None else None
    if given is not None and basis not in get_args(AwardBasis):
        expected = ", ".join(AWARD_BASES["nl"].values())
        problems.append(Problem(file, f"{ABOUT}!B5 (award_basis)", f"expected one of {expected}, got {given!r}"))
    rows = book[SHEET].iter_rows(values_only=True)
    header = [HEADERS.get(str(h).strip().casefold(), "") if h is not None else "" for h in next(rows, [])]
    missing = [nl for name, nl, _, _ in COLUMNS if name in (*USER_FIELDS, "id") and name not in header]
    if missing:
        raise ChecklistError([Problem(file, f"{SHEET}!1", f"missing columns: {', '.join(missing)}")])
    position = {name: header.index(name) for name, _, _, _ in COLUMNS if name in header}
    by_id = {item.id: item for item in checklist.items}
    seen: dict[str, int] = {}
    updated: dict[str, Item] = {}
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(Problem(file, SHEET, f"more than {MAX_ROWS} rows"))
            break
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        cid = row[position["id"]] if position["id"] < len(row) else None
        cid = str(cid).strip() if cid is not None else ""
        if cid not in by_id:
            problems.append(Problem(file, f"{SHEET}!A{number}", f"unknown item id {cid!r}; rows keep the id they got"))
            continue
        if cid in seen:
            problems.append(Problem(file, f"{SHEET}!A{number}", f"{cid} also in row {seen[cid]}"))
            continue
        seen[cid] = number
        changes: dict[str, Any] = {}
        for name, _, _, _ in COLUMNS:
            if name not in USER_FIELDS:
                continue
            col = position[name]
            where = f"{SHEET}!{get_column_letter(col + 1)}{number} ({name})"
            raw = row[col] if col < len(row) else None
            changes[name] = _cell_value(raw, name, where, problems, file)
        if changes.get("weight") is not None and by_id[cid].kind != "award-criterion":
            where = f"{SHEET}!{get_column_letter(position['weight'] + 1)}{number} (weight)"
            problems.append(Problem(file, where, "only an award criterion has a weight; leave this cell empty"))
        try:
            updated[cid] = Item.model_validate({**by_id[cid].model_dump(), **changes})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                name = str(err["loc"][0]) if err["loc"] else ""
                col = position.get(name, 0)
                problems.append(Problem(file, f"{SHEET}!{get_column_letter(col + 1)}{number} ({name})", err["msg"]))
    absent = sorted(by_id.keys() - seen.keys())
    if absent:
        problems.append(Problem(file, SHEET, f"rows missing for: {', '.join(absent)}"))
    if problems:
        raise ChecklistError(problems)
    items = [updated.get(item.id, item) for item in checklist.items]
    return checklist.model_copy(update={"items": items, "award_basis": basis or checklist.award_basis})


def write_xlsx(checklist: Checklist, path: str | os.PathLike[str], lang: Lang = "nl") -> None:
    atomic_write(path, to_xlsx(checklist, lang), backup=True)
