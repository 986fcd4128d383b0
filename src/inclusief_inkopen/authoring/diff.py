"""What changed between two versions of a catalogue, and what that does to the advice on real tenders.

``inclusief-inkopen diff OLD NEW [--tenders DIR]`` lists criteria added, withdrawn and changed (field by field),
parameter values added, changed or removed with their dates, and for each tender whose advice changes: which
suggestions appear or disappear, which change status, and which eForms values move.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inclusief_inkopen.advice.evaluate import evaluate
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.rules.catalogue import Catalogue
from inclusief_inkopen.tender.profile import load_tender


@dataclass
class TenderChange:
    tender: str
    on: dt.date
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    status: dict[str, tuple[str, str]] = field(default_factory=dict)
    eforms: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    error: str | None = None


@dataclass
class CatalogueDiff:
    old: str
    new: str
    added: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    parameters: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    tenders: list[TenderChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.withdrawn
            or self.changed
            or self.parameters
            or self.sources
            or any(_changed(t) for t in self.tenders)
        )


def _changed(t: TenderChange) -> bool:
    return bool(t.added or t.removed or t.status or t.eforms or t.error)


def _fields(c: Any) -> dict[str, Any]:
    return dict(c.model_dump(mode="json", by_alias=True, exclude_none=True))


def diff_catalogues(old: Catalogue, new: Catalogue, tenders: list[Path] = ()) -> CatalogueDiff:  # type: ignore[assignment]
    result = CatalogueDiff(f"{old.info.name} {old.info.version}", f"{new.info.name} {new.info.version}")
    result.added = sorted(set(new.criteria) - set(old.criteria))
    result.withdrawn = sorted(set(old.criteria) - set(new.criteria))
    for cid in sorted(set(old.criteria) & set(new.criteria)):
        a, b = _fields(old.get(cid)), _fields(new.get(cid))
        changes = {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
        if changes:
            result.changed[cid] = changes
    for name in sorted(set(old.parameters) | set(new.parameters)):
        a_vals = {str(d): e.value for d, e in old.parameters[name].values.items()} if name in old.parameters else {}
        b_vals = {str(d): e.value for d, e in new.parameters[name].values.items()} if name in new.parameters else {}
        changes = {
            d: (a_vals.get(d), b_vals.get(d))
            for d in sorted(set(a_vals) | set(b_vals))
            if a_vals.get(d) != b_vals.get(d) or (d in a_vals) != (d in b_vals)
        }
        if changes:
            result.parameters[name] = changes
    for sid in sorted(set(old.sources) | set(new.sources)):
        if sid not in new.sources:
            result.sources[sid] = "removed"
        elif sid not in old.sources:
            result.sources[sid] = "added"
        elif old.sources[sid] != new.sources[sid]:
            result.sources[sid] = "changed"
    for path in tenders:
        result.tenders.append(_tender_change(path, old, new))
    return result


def _tender_change(path: Path, old: Catalogue, new: Catalogue) -> TenderChange:
    try:
        profile = load_tender(path)
        on = profile.planned_publication or dt.date.today()
        a, b = evaluate(profile, old, on=on), evaluate(profile, new, on=on)
    except InputError as exc:
        return TenderChange(str(path), dt.date.today(), error=str(exc))
    change = TenderChange(str(path), on)
    sa = {s.id: s for s in a.suggestions}
    sb = {s.id: s for s in b.suggestions}
    change.added = sorted(set(sb) - set(sa))
    change.removed = sorted(set(sa) - set(sb))
    change.status = {i: (sa[i].status, sb[i].status) for i in sorted(set(sa) & set(sb)) if sa[i].status != sb[i].status}
    ea, eb = a.eforms.model_dump(exclude={"basis", "options"}), b.eforms.model_dump(exclude={"basis", "options"})
    change.eforms = {k: (ea[k], eb[k]) for k in ea if ea[k] != eb[k]}
    return change


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 100 else text[:97] + "..."


def render_diff(d: CatalogueDiff) -> str:
    lines = [f"Catalogue diff: {d.old} -> {d.new}", ""]
    lines.append("Criteria added: " + (", ".join(d.added) or "none"))
    lines.append("Criteria withdrawn: " + (", ".join(d.withdrawn) or "none"))
    lines.append("Criteria changed:" + ("" if d.changed else " none"))
    for cid, changes in d.changed.items():
        lines.append(f"  {cid}")
        lines += [f"    {k}: {_short(a)} -> {_short(b)}" for k, (a, b) in changes.items()]
    lines.append("Parameters changed:" + ("" if d.parameters else " none"))
    for name, changes in d.parameters.items():
        lines += [f"  {name} from {day}: {a} -> {b}" for day, (a, b) in changes.items()]
    if d.sources:
        lines.append("Sources: " + ", ".join(f"{k} {v}" for k, v in d.sources.items()))
    if d.tenders:
        changed = [t for t in d.tenders if _changed(t)]
        lines += ["", f"Advice on {len(d.tenders)} tenders: {len(changed)} change"]
        for t in changed:
            lines.append(f"  {t.tender} (on {t.on})")
            if t.error:
                lines.append(f"    error: {t.error}")
            if t.added:
                lines.append("    new suggestions: " + ", ".join(t.added))
            if t.removed:
                lines.append("    suggestions gone: " + ", ".join(t.removed))
            lines += [f"    {i}: status {a} -> {b}" for i, (a, b) in t.status.items()]
            lines += [f"    eForms {k}: {a} -> {b}" for k, (a, b) in t.eforms.items()]
    return "\n".join(lines) + "\n"
