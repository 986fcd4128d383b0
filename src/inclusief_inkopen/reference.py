"""A criterion in full, as people read it (``criteria show ID``)."""

from __future__ import annotations

import datetime as dt

import yaml

from .catalogue import Catalogue
from .conditions import to_data
from .errors import EvaluationError
from .text import Lang, Text

LABELS = {
    "nl": {
        "kind": "soort",
        "status": "status",
        "ambition": "ambitie",
        "theme": "thema",
        "phase": "fase",
        "roles": "rollen",
        "text": "tekst",
        "verification": "bewijsmiddel",
        "basis": "grondslag",
        "when": "van toepassing als",
        "notes": "let op",
        "tests": "testgevallen",
        "eforms": "eForms",
    },
    "en": {
        "kind": "kind",
        "status": "status",
        "ambition": "ambition",
        "theme": "theme",
        "phase": "phase",
        "roles": "roles",
        "text": "wording",
        "verification": "verification",
        "basis": "legal basis",
        "when": "applies when",
        "notes": "note",
        "tests": "test cases",
        "eforms": "eForms",
    },
}


def current(text: Text, catalogue: Catalogue, on: dt.date | None = None) -> Text:
    """The text with today's parameter values in its placeholders (left as they are when none is in force)."""
    from .evaluate import fill

    try:
        return fill(text, catalogue, on or dt.date.today())
    except EvaluationError:
        return text


def render_criterion(catalogue: Catalogue, criterion_id: str, lang: Lang = "nl") -> str:
    c = catalogue.get(criterion_id)
    label = LABELS[lang]
    lines = [
        f"{c.id}: {current(c.title, catalogue).get(lang)}",
        "",
        f"{label['theme']}: {c.theme} · {label['kind']}: {c.kind} · {label['status']}: {c.status} · "
        f"{label['ambition']}: {c.ambition} · {label['phase']}: {c.phase} · {label['roles']}: {', '.join(c.roles)}",
        "",
        f"{label['text']}:",
        f"  {current(c.text, catalogue).get(lang)}",
        "",
        f"{label['verification']}: {c.verification.get(lang)}",
        "",
        f"{label['basis']}:",
    ]
    for ref in c.legal_basis:
        source = catalogue.sources[ref.source]
        art = f", art. {ref.article}" if ref.article else ""
        lines.append(f"  - {source.title.get(lang)}{art} <{ref.url or source.url}>")
    lines += ["", f"{label['when']}:"]
    lines += [
        "  " + line
        for line in yaml.safe_dump(to_data(c.applies_when), allow_unicode=True, sort_keys=False).splitlines()
    ]
    if c.eforms:
        lines += ["", f"{label['eforms']}: {c.eforms.model_dump(exclude_defaults=True)}"]
    if c.notes:
        lines += ["", f"{label['notes']}: {c.notes.get(lang)}"]
    lines += ["", f"{label['tests']}:"]
    lines += [f"  - {t.name} → {t.expect}" for t in c.tests]
    return "\n".join(lines) + "\n"
