"""Checklists: the advice as a list a category manager works through, decides and keeps (pas toe of leg uit).

A checklist file is YAML the user owns: one item per suggestion (and per criterion that may apply once a fact
is known), each with a decision (``open``, ``applied``, ``not-applied``), the wording chosen or a reference to
the tender document, a justification where one is required, who decided and when. The criteria that do not
apply are listed for the record. ``check`` says what is missing and what changed since; ``update`` re-evaluates
and merges without losing a word anyone wrote; every write goes through a temporary file and keeps a backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inclusief_inkopen.advice.evaluate import Advice, evaluate
from inclusief_inkopen.advice.model import NotApplicable, Suggestion, Undetermined
from inclusief_inkopen.base.errors import InputError, Problem
from inclusief_inkopen.base.files import atomic_write, parse_document, read_bytes
from inclusief_inkopen.base.messages import message_language, say
from inclusief_inkopen.base.text import Text
from inclusief_inkopen.rules.catalogue import Catalogue, Kind, Phase, Status, Theme
from inclusief_inkopen.rules.catalogues import default_catalogue
from inclusief_inkopen.tender.profile import TenderProfile, load_tender, parse_tender, problems_from_validation

CHECKLIST_FORMAT = "inclusief-inkopen/checklist/v1"
Decision = Literal["open", "applied", "not-applied"]
AwardBasis = Literal["best-price-quality", "lowest-price", "lowest-cost"]
# Not applying these needs a written reason (pas toe of leg uit); a recommendation may be left without one.
NEEDS_JUSTIFICATION: frozenset[str] = frozenset({"mandatory", "policy"})
USER_FIELDS = ("decision", "applied_as", "justification", "weight", "decided_by", "decided_on")


class ChecklistError(InputError):
    """A checklist file (or a sheet filled in from one) that cannot be used as it is."""


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Item(_Model):
    """One criterion to decide on: what the advice says, and what the user decided."""

    id: str
    title: Text
    theme: Theme
    kind: Kind
    status: Status
    phase: Phase
    applies: Literal["yes", "unknown"]
    wording: Text | None = None
    reasons: list[Text] = []
    legal_basis: list[str] = []
    fingerprint: str
    # What the user writes:
    decision: Decision = "open"
    applied_as: Annotated[str | None, Field(description="Wording chosen, or where it is in the tender documents")] = (
        None
    )
    justification: Annotated[str | None, Field(description="Why not applied (pas toe of leg uit)")] = None
    weight: Annotated[float | None, Field(gt=0, le=100, description="Weight of an award criterion, in %")] = None
    decided_by: str | None = None
    decided_on: dt.date | None = None
    review: Annotated[str | None, Field(description="Set by 'update' when the rule changed after the decision")] = None


class RecordItem(_Model):
    """A criterion that does not apply, kept for the record with why not."""

    id: str
    title: Text
    status: Status
    reasons: list[Text] = []
    overridden_by: str | None = None


class OpenQuestion(_Model):
    """A fact the tender leaves out, carried over from the advice: the items in ``criteria`` wait for it.

    The category manager writes the ``answer`` here (as the tender file would: a code, a list, true or false, a
    number); ``checklist update`` evaluates the tender with it, which decides those items at once.
    """

    field: str
    text: Text
    criteria: list[str]
    answer: Annotated[Any, Field(description="The answer, written as in the tender file")] = None


class Checklist(_Model):
    format: Literal["inclusief-inkopen/checklist/v1"] = CHECKLIST_FORMAT
    tender_file: str | None = None
    tender: dict[str, Any]
    tender_sha256: str
    catalogue: dict[str, Any]
    on: dt.date
    award_basis: AwardBasis | None = None
    items: list[Item]
    not_applicable: list[RecordItem] = []
    removed: Annotated[list[Item], Field(description="Items gone after an update, kept with their decision")] = []
    questions: Annotated[
        list[OpenQuestion], Field(description="Facts the tender leaves out; answered here, applied by update")
    ] = []

    def progress(self) -> tuple[int, int]:
        """(decided, total)"""
        return sum(i.decision != "open" for i in self.items), len(self.items)


def _sha(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _fingerprint(item: Suggestion | Undetermined, applies: str) -> str:
    # What a decision was taken on: if any of this changes, the decision deserves another look.
    wording = item.text.model_dump() if isinstance(item, Suggestion) else None
    return _sha([item.status, item.kind, applies, wording])[:16]


def _item(s: Suggestion | Undetermined) -> Item:
    applies = "yes" if isinstance(s, Suggestion) else "unknown"
    return Item(
        id=s.id,
        title=s.title,
        theme=s.theme,
        kind=s.kind,
        status=s.status,
        phase=s.phase if isinstance(s, Suggestion) else "preparation",
        applies=applies,
        wording=s.text if isinstance(s, Suggestion) else None,
        reasons=[r.text for r in s.reasons],
        legal_basis=[f"{b.title.nl} — {b.url}" for b in s.legal_basis] if isinstance(s, Suggestion) else [],
        fingerprint=_fingerprint(s, applies),
    )


def _record(n: NotApplicable) -> RecordItem:
    return RecordItem(
        id=n.id, title=n.title, status=n.status, reasons=[r.text for r in n.reasons], overridden_by=n.overridden_by
    )


def _phase_of(catalogue: Catalogue | None, advice: Advice) -> dict[str, str]:
    """Undetermined items carry no phase in the advice; the catalogue that decided them knows it."""
    if catalogue is None:
        catalogue = advice.decisions.catalogue if advice.decisions is not None else default_catalogue()
    cat = catalogue
    return {u.id: cat.get(u.id).phase for u in advice.undetermined}


def from_advice(advice: Advice, tender_file: str | None = None, catalogue: Catalogue | None = None) -> Checklist:
    phases = _phase_of(catalogue, advice)
    items = [_item(s) for s in advice.suggestions]
    for u in advice.undetermined:
        items.append(_item(u).model_copy(update={"phase": phases[u.id]}))
    return Checklist(
        tender_file=tender_file,
        tender=advice.tender,
        tender_sha256=_sha(advice.tender),
        catalogue={
            "name": advice.catalogue.name,
            "version": advice.catalogue.version,
            "sha256": advice.catalogue.sha256,
            "layers": advice.catalogue.layers,
        },
        on=advice.on,
        items=items,
        not_applicable=[_record(n) for n in advice.not_applicable],
        questions=[OpenQuestion(field=q.field, text=q.text, criteria=q.criteria) for q in advice.questions],
    )


def create(
    tender_file: str | os.PathLike[str], catalogue: Catalogue | None = None, on: dt.date | None = None
) -> Checklist:
    """A new checklist for a tender file, every item open."""
    tender = load_tender(tender_file)
    return from_advice(evaluate(tender, catalogue, on=on), str(tender_file), catalogue)


# --- files -------------------------------------------------------------------------------------------------


def to_yaml(checklist: Checklist) -> str:
    data = checklist.model_dump(mode="json", exclude_none=True)
    header = (
        "# Checklist inclusief inkopen. Vul per item 'decision' in (applied of not-applied), met 'applied_as',\n"
        "# of bij not-applied een 'justification' (verplicht bij status mandatory en policy), 'decided_by' en\n"
        "# 'decided_on'. Controleer met: inclusief-inkopen checklist check DIT_BESTAND\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def save(checklist: Checklist, path: str | os.PathLike[str], *, read_as: bytes | None = None) -> None:
    """Write via a temporary file and rename; an existing file is kept as ``NAME~``.

    The whole checklist is validated first: a file that the next command would refuse is never written. With
    ``read_as`` (the bytes the checklist was read from), a file that changed since then is not overwritten: two
    commands or two people updating one checklist at once must not lose each other's decisions.
    """
    data = checklist.model_dump(mode="json")
    try:
        Checklist.model_validate(data)
    except ValidationError as exc:
        raise ChecklistError(_named(problems_from_validation(exc, str(path), data=data), data)) from None
    if read_as is not None:
        try:
            now = read_bytes(path)
        except InputError:
            now = b""
        if now != read_as:
            raise ChecklistError(
                [
                    Problem(
                        str(path),
                        "",
                        "changed since this command read it (another command or person saved it meanwhile); "
                        "nothing was written: run the command again",
                    )
                ]
            )
    atomic_write(path, to_yaml(checklist), backup=True)


def load(path: str | os.PathLike[str]) -> Checklist:
    return read(path)[0]


def read(path: str | os.PathLike[str]) -> tuple[Checklist, bytes]:
    """The checklist in a file, and the bytes it was read from (for ``save(..., read_as=...)``)."""
    raw = read_bytes(path)
    return from_data(parse_document(raw, str(path)), str(path)), raw


def from_data(data: Any, name: str) -> Checklist:
    """A checklist from parsed YAML or JSON (a file's, an upload's, a request body's), with the same checks and
    messages wherever it comes from; ``name`` says where in the messages."""
    if not isinstance(data, dict):
        raise ChecklistError([Problem(name, "", "expected a checklist (a mapping with format, tender, items)")])
    if data.get("format") != CHECKLIST_FORMAT:
        raise ChecklistError([Problem(name, "format", f"expected {CHECKLIST_FORMAT!r}, got {data.get('format')!r}")])
    try:
        return Checklist.model_validate(data)
    except ValidationError as exc:
        raise ChecklistError(_named(problems_from_validation(exc, name, data=data), data)) from None


def _named(problems: list[Problem], data: dict[str, Any]) -> list[Problem]:
    """'items[3].decision' is easier to find as 'items[3] (SR-01).decision'."""
    items = data.get("items") if isinstance(data.get("items"), list) else []
    out = []
    for p in problems:
        loc = p.location
        if loc.startswith("items[") and "]" in loc:
            index = loc[6 : loc.index("]")]
            if index.isdigit() and int(index) < len(items) and isinstance(items[int(index)], dict):
                loc = loc.replace(f"items[{index}]", f"items[{index}] ({items[int(index)].get('id')})", 1)
        out.append(Problem(p.file, loc, p.message))
    return out


# --- check -------------------------------------------------------------------------------------------------


def completeness(checklist: Checklist, file: str | None = None) -> list[Problem]:
    """What is still to do before the checklist is complete."""
    problems = []
    # Items that wait for an open question are decided by its answer, not one by one (two that exclude each
    # other, such as "no accessibility criteria" and "accessibility in the specifications", wait for one answer).
    # A question is a to-do while an item it decides is still open; decided by hand, it needs no answer.
    undecided = {i.id for i in checklist.items if i.applies == "unknown" and i.decision == "open"}
    waiting = {cid for q in checklist.questions if q.answer is None for cid in q.criteria}
    for index, q in enumerate(checklist.questions):
        where = f"questions[{index}] ({q.field})"
        pending = sorted(set(q.criteria) & undecided)
        if not pending:
            continue
        if q.answer is None:
            problems.append(
                Problem(
                    file,
                    f"{where}.answer",
                    say("answer_it", question=q.text.get(message_language()), items=", ".join(pending)),
                )
            )
        elif checklist.tender.get(q.field) != q.answer:  # not yet applied to the advice this checklist holds
            problems.append(Problem(file, f"{where}.answer", say("apply_answer")))
    award_applied = False
    for index, item in enumerate(checklist.items):
        where = f"items[{index}] ({item.id})"
        if item.decision == "open" and not (item.applies == "unknown" and item.id in waiting):
            problems.append(Problem(file, f"{where}.decision", say("not_decided")))
        if (
            item.decision == "not-applied"
            and item.status in NEEDS_JUSTIFICATION
            and not (item.justification or "").strip()
        ):
            problems.append(
                Problem(
                    file,
                    f"{where}.justification",
                    say("needs_justification", status=item.status),
                )
            )
        if item.decision == "applied" and item.kind == "award-criterion":
            award_applied = True
            if item.weight is None:
                problems.append(Problem(file, f"{where}.weight", say("needs_weight")))
        if item.decision != "open" and not (item.decided_by or "").strip():
            problems.append(Problem(file, f"{where}.decided_by", say("who_decided")))
        if item.review:
            problems.append(Problem(file, f"{where}.review", say("review", review=item.review)))
    if award_applied and checklist.award_basis != "best-price-quality":
        problems.append(
            Problem(
                file,
                "award_basis",
                say("award_basis", basis=checklist.award_basis),
            )
        )
    return problems


def changes(old: Checklist, new: Checklist) -> dict[str, list[str]]:
    """Items new, gone or changed between two checklists of the same tender (by id and fingerprint)."""
    before = {i.id: i for i in old.items}
    after = {i.id: i for i in new.items}
    changed = []
    for cid in sorted(before.keys() & after.keys()):
        a, b = before[cid], after[cid]
        if a.fingerprint != b.fingerprint:
            what = [name for name in ("status", "kind", "applies", "wording") if getattr(a, name) != getattr(b, name)]
            changed.append(f"{cid} ({', '.join(what) or 'rule'})")
    return {
        "new": sorted(after.keys() - before.keys()),
        "gone": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


def _tender_path(checklist: Checklist, checklist_path: str | os.PathLike[str], tender_file: str | None) -> Path | None:
    if tender_file:
        return Path(tender_file)
    if not checklist.tender_file:
        return None
    path = Path(checklist.tender_file)
    if not path.is_absolute() and not path.exists():
        path = Path(checklist_path).parent / path
    return path


def current(
    checklist: Checklist,
    checklist_path: str | os.PathLike[str],
    tender_file: str | None = None,
    catalogue: Catalogue | None = None,
    on: dt.date | None = None,
) -> tuple[Checklist, list[str]]:
    """What the checklist would be now: the tender file as it is, the catalogue as it is. Also says about the tender."""
    notes = []
    path = _tender_path(checklist, checklist_path, tender_file)
    if path is not None and path.exists():
        tender: TenderProfile = _answered(load_tender(path), checklist, checklist_path)
        if _sha(tender.model_dump(mode="json")) != checklist.tender_sha256:
            notes.append(f"the tender file {path} changed since the checklist was made")
    else:
        tender = _answered(parse_tender(checklist.tender, str(checklist_path)), checklist, checklist_path)
        if path is not None:
            notes.append(f"tender file {path} not found; checked against the tender saved in the checklist")
    fresh = from_advice(evaluate(tender, catalogue, on=on or checklist.on), str(path) if path else None, catalogue)
    if fresh.catalogue["sha256"] != checklist.catalogue["sha256"]:
        notes.append(f"the catalogue changed: {checklist.catalogue['version']} → {fresh.catalogue['version']}")
    return fresh, notes


def answers(checklist: Checklist) -> dict[str, Any]:
    """The answers given in the checklist to its open questions, by field, as a tender file would write them."""
    return {q.field: q.answer for q in checklist.questions if q.answer is not None}


def _answered(tender: TenderProfile, checklist: Checklist, checklist_path: str | os.PathLike[str]) -> TenderProfile:
    """The tender with the answers given in the checklist to its questions (the tender file itself is not written)."""
    given_answers = answers(checklist)
    if not given_answers:
        return tender
    given = {k: v for k, v in tender.model_dump(mode="json").items() if v is not None}
    return parse_tender(given | given_answers, f"{checklist_path} (questions)")


def reevaluate(checklist: Checklist, tender: dict[str, Any], where: str, *, on: dt.date | None = None) -> Checklist:
    """The checklist the advice gives now for ``tender`` (a tender as a mapping: one kept elsewhere than in a file)
    with the answers given to ``checklist``'s questions; ``merge`` it with ``checklist`` to keep the decisions."""
    return from_advice(evaluate(parse_tender(tender | answers(checklist), where), on=on))


def check(
    path: str | os.PathLike[str], catalogue: Catalogue | None = None, tender_file: str | None = None
) -> tuple[list[Problem], dict[str, list[str]], list[str]]:
    """Everything still to do, what changed in the advice since, and notes on the tender and catalogue."""
    checklist = load(path)
    fresh, notes = current(checklist, path, tender_file, catalogue)
    return completeness(checklist, str(path)), changes(checklist, fresh), notes


# --- update ------------------------------------------------------------------------------------------------


def merge(old: Checklist, fresh: Checklist) -> Checklist:
    """The fresh checklist with every decision, justification and note from the old one kept.

    An item whose rule or reason changed keeps its decision and gets a ``review`` note; an item that is gone
    moves to ``removed`` with what was decided, so nothing anyone wrote is lost.
    """
    before = {i.id: i for i in old.items}
    items = []
    for item in fresh.items:
        previous = before.pop(item.id, None)
        if previous is None:
            items.append(item)
            continue
        kept = {name: getattr(previous, name) for name in USER_FIELDS}
        review = previous.review
        if previous.fingerprint != item.fingerprint and previous.decision != "open":
            what = [n for n in ("status", "kind", "applies", "wording") if getattr(previous, n) != getattr(item, n)]
            review = f"{', '.join(what) or 'rule'} changed on {dt.date.today().isoformat()}"
        items.append(item.model_copy(update={**kept, "review": review}))
    removed = list(old.removed) + [i for i in old.items if i.id in before]
    # An answer is kept, with the question it answered; questions still open come from the fresh advice.
    answered = [q for q in old.questions if q.answer is not None]
    still_open = [q for q in fresh.questions if q.field not in {a.field for a in answered}]
    return fresh.model_copy(
        update={
            "items": items,
            "removed": removed,
            "award_basis": old.award_basis,
            "questions": answered + still_open,
        }
    )


DECISION_FIELDS = ("decision", "applied_as", "justification", "weight")


def take_decisions(
    kept: Checklist, given: Checklist, decided_by: str, decided_on: dt.date
) -> tuple[Checklist, list[str]]:
    """``kept`` with the decisions of ``given`` (a copy edited elsewhere: a sheet, a file, another system), its award
    basis and its answers to ``kept``'s open questions, and nothing else: the set of items, their wording, status and
    reasons stay ``kept``'s own, and who decided and when are the caller's (``decided_by``, ``decided_on``), never
    what the copy says. Returns the checklist and the ids in ``given`` that ``kept`` does not have (ignored).

    So an edited copy that drops the mandatory items, or signs a decision with another name and date, changes
    nothing but the decisions it really changes."""
    by_id = {i.id: i for i in given.items}
    items = []
    for item in kept.items:
        other = by_id.get(item.id)
        if other is None:
            items.append(item)
            continue
        changed = {
            name: getattr(other, name) for name in DECISION_FIELDS if getattr(other, name) != getattr(item, name)
        }
        if changed:
            changed |= {"decided_by": decided_by, "decided_on": decided_on, "review": None}
        items.append(item.model_copy(update=changed))
    known = {i.id for i in kept.items}
    unknown = [i.id for i in given.items if i.id not in known]
    basis = given.award_basis if given.award_basis is not None else kept.award_basis
    answered = {q.field: q.answer for q in given.questions if q.answer is not None}
    questions = [
        q.model_copy(update={"answer": answered[q.field]}) if q.field in answered else q for q in kept.questions
    ]
    return kept.model_copy(update={"items": items, "award_basis": basis, "questions": questions}), unknown


def update(
    path: str | os.PathLike[str],
    tender_file: str | None = None,
    catalogue: Catalogue | None = None,
    on: dt.date | None = None,
) -> tuple[Checklist, dict[str, list[str]]]:
    old, raw = read(path)
    fresh, _ = current(old, path, tender_file, catalogue, on)
    merged = merge(old, fresh)
    save(merged, path, read_as=raw)
    return merged, changes(old, fresh)
