"""A criterion in full, as people read it (``criteria show ID``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from inclusief_inkopen.advice.reasons import term_label
from inclusief_inkopen.base.errors import EvaluationError
from inclusief_inkopen.base.text import Lang, Text
from inclusief_inkopen.rules.catalogue import Catalogue, Criterion
from inclusief_inkopen.rules.conditions import AllOf, AnyOf, ListRef, Node, Not, ParamRef, Predicate

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
        "follow_up": "na de gunning",
        "target": "doel",
        "moments": "rapportage",
        "evidence": "bewijs",
        "valid": "geldig {months} maanden",
        "remedy": "als het niet lukt",
        "offer": "of wat is aangeboden, als dat meer is",
        "of_value": "van de opdrachtwaarde",
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
        "follow_up": "after the award",
        "target": "target",
        "moments": "reporting",
        "evidence": "evidence",
        "valid": "valid {months} months",
        "remedy": "when it is not met",
        "offer": "or what was offered, when more",
        "of_value": "of the contract value",
    },
}

REGENERATE = "python -m inclusief_inkopen.authoring.reference"


def current(text: Text, catalogue: Catalogue, on: dt.date | None = None) -> Text:
    """The text with today's parameter values in its placeholders (left as they are when none is in force)."""
    from inclusief_inkopen.advice.words import fill

    try:
        return fill(text, catalogue, on or dt.date.today())
    except EvaluationError:
        return text


def render_criterion(catalogue: Catalogue, criterion_id: str, lang: Lang = "nl", on: dt.date | None = None) -> str:
    """One criterion as in the generated reference, with the parameter values in force filled in."""
    from inclusief_inkopen.rules.placeholders import substitute

    text = "\n".join(_criterion_markdown(catalogue, criterion_id, lang))
    return substitute(text, catalogue.parameters, on or dt.date.today(), lang, strict=False)


# ------------------------------------------------------------------------------------ the catalogue as documents

PHRASES = {
    "nl": {
        "eq": "{field} is {value}",
        "in": "{field} is een van: {value}",
        "gt": "{field} > {value}",
        "gte": "{field} ≥ {value}",
        "lt": "{field} < {value}",
        "lte": "{field} ≤ {value}",
        "contains_any": "{field} bevat minstens een van: {value}",
        "contains_all": "{field} bevat alle: {value}",
        "not_empty_true": "{field} is niet leeg",
        "not_empty_false": "{field} is leeg",
        "is_true_true": "{field}: ja",
        "is_true_false": "{field}: nee",
        "prefix": "een CPV-code valt onder: {value}",
        "all": "al het volgende geldt:",
        "any": "minstens een van het volgende geldt:",
        "not": "niet:",
    },
    "en": {
        "eq": "{field} is {value}",
        "in": "{field} is one of: {value}",
        "gt": "{field} > {value}",
        "gte": "{field} ≥ {value}",
        "lt": "{field} < {value}",
        "lte": "{field} ≤ {value}",
        "contains_any": "{field} include any of: {value}",
        "contains_all": "{field} include all of: {value}",
        "not_empty_true": "{field} is not empty",
        "not_empty_false": "{field} is empty",
        "is_true_true": "{field}: yes",
        "is_true_false": "{field}: no",
        "prefix": "a CPV code falls under: {value}",
        "all": "all of the following hold:",
        "any": "at least one of the following holds:",
        "not": "not:",
    },
}


def describe(node: Node, catalogue: Catalogue, lang: Lang = "nl", depth: int = 0) -> list[str]:
    """A condition in plain words, as nested Markdown bullets."""
    from inclusief_inkopen.advice.reasons import field_label, format_value

    phrases = PHRASES[lang]
    pad = "  " * depth
    if isinstance(node, AllOf | AnyOf):
        head = phrases["all" if isinstance(node, AllOf) else "any"]
        lines = [f"{pad}- {head}"]
        for child in node.children:
            lines += describe(child, catalogue, lang, depth + 1)
        return lines
    if isinstance(node, Not):
        return [f"{pad}- {phrases['not']}", *describe(node.child, catalogue, lang, depth + 1)]
    assert isinstance(node, Predicate)
    field = field_label(node.field, lang)
    operand = node.operand
    if isinstance(operand, ParamRef):
        param = catalogue.parameters[operand.name]
        value = f"{param.label.get(lang)} ({operand.name})"
    elif isinstance(operand, ListRef):
        value = f"{catalogue.list_labels[operand.name].get(lang)} ({operand.name})"
    else:
        value = format_value(node.field, operand, lang)
    key = f"{node.op}_{str(operand).lower()}" if node.op in ("not_empty", "is_true") else node.op
    return [f"{pad}- {phrases[key].format(field=field, value=value)}"]


def _criterion_markdown(catalogue: Catalogue, cid: str, lang: Lang) -> list[str]:
    c = catalogue.get(cid)
    label = LABELS[lang]
    lines = [
        f"### {c.id}: {c.title.get(lang)}",
        "",
        f"*{label['kind']}: {c.kind} · {label['status']}: {c.status} · {label['ambition']}: {c.ambition} · "
        f"{label['phase']}: {c.phase} · {label['roles']}: {', '.join(c.roles)}*",
        "",
        f"**{label['when'].capitalize()}:**",
        "",
        *describe(c.applies_when, catalogue, lang),
        "",
        f"**{label['text'].capitalize()}:**",
        "",
        f"> {c.text.get(lang)}",
        "",
        f"**{label['verification'].capitalize()}:** {c.verification.get(lang)}",
        "",
        f"**{label['basis'].capitalize()}:**",
        "",
    ]
    for ref in c.legal_basis:
        source = catalogue.sources[ref.source]
        art = f", art. {ref.article_in(lang)}" if ref.article else ""
        lines.append(f"- [{source.title.get(lang)}{art}]({ref.url or source.url}) ({source.kind})")
    if c.eforms:
        lines += ["", f"**{label['eforms']}:** `{c.eforms.model_dump(exclude_defaults=True)}`"]
    if c.notes:
        lines += ["", f"**{label['notes'].capitalize()}:** {c.notes.get(lang)}"]
    if c.follow_up:
        lines += ["", *_follow_up_markdown(catalogue, c.follow_up, lang)]
    lines += ["", f"**{label['tests'].capitalize()}:**", ""]
    lines += [f"- {t.name} → `{t.expect}`" for t in c.tests]
    return [*lines, ""]


def _follow_up_markdown(catalogue: Catalogue, follow: Any, lang: Lang) -> list[str]:
    """What a contract manager follows up: metric, target, reporting, evidence, remedy, and the sources."""
    label = LABELS[lang]
    target = follow.target
    if target.parameter:
        aim = f"{{{{{target.parameter}}}}} {label['of_value']}"
    elif target.share_of_value:
        aim = f"{target.share_of_value:.0%} {label['of_value']}"
    else:
        aim = str(target.value)
    if target.from_offer:
        aim += f" ({label['offer']})"
    sign = "≥" if follow.direction == "at-least" else "≤"
    lines = [
        f"**{label['follow_up'].capitalize()}:** `{follow.metric}` ({follow.unit}, {follow.aggregation}) "
        f"{sign} {aim}; {label['moments']}: {', '.join(follow.moments)}",
        "",
    ]
    for evidence in follow.evidence:
        valid = f" ({label['valid'].format(months=evidence.valid_months)})" if evidence.valid_months else ""
        lines.append(f"- {label['evidence']} `{evidence.kind}`: {evidence.text.get(lang)}{valid}")
    if follow.sanction:
        lines.append(f"- {label['remedy']} (`{follow.sanction.type}`): {follow.sanction.text.get(lang)}")
    sources = ", ".join(f"[{catalogue.sources[s].title.get(lang)}]({catalogue.sources[s].url})" for s in follow.source)
    lines.append(f"- {label['basis']}: {sources}")
    if follow.notes:
        lines.append(f"- {label['notes']}: {follow.notes.get(lang)}")
    return lines


def catalogue_documents(catalogue: Catalogue, lang: Lang = "nl") -> dict[str, str]:
    """``catalogue.md`` (all themes) and ``catalogue/<theme>.md`` (one each), generated from the catalogue.

    Placeholders stay as ``{{parameter}}`` so the documents do not change with the date they are made on.
    """
    intro = {
        "nl": f"Gegenereerd uit `criteria/` met `{REGENERATE}`; niet met de hand bewerken.",
        "en": f"Generated from `criteria/` with `{REGENERATE}`; do not edit by hand.",
    }[lang]
    themes: dict[str, list[str]] = {}
    for c in catalogue:
        themes.setdefault(c.theme, []).append(c.id)
    order = list(Criterion.model_fields["theme"].annotation.__args__)  # type: ignore[union-attr]
    docs: dict[str, str] = {}
    index = [f"# {catalogue.info.title.get(lang)}", "", f"{catalogue.info.name} {catalogue.info.version}. {intro}", ""]
    for theme in sorted(themes, key=order.index):
        body = [f"## {term_label('themes', theme, lang)} (`{theme}`)", ""]
        for cid in themes[theme]:
            body += _criterion_markdown(catalogue, cid, lang)
        docs[f"catalogue/{theme}.md"] = "\n".join([f"# {term_label('themes', theme, lang)}", "", intro, "", *body[2:]])
        index += body
    sources = ["## Bronnen" if lang == "nl" else "## Sources", ""]
    for sid, source in catalogue.sources.items():
        ident = f" ({source.identifier})" if source.identifier else ""
        sources.append(
            f"- `{sid}`: [{source.title.get(lang)}]({source.url}){ident}, {source.kind}, "
            f"{'geraadpleegd' if lang == 'nl' else 'consulted'} {source.consulted}"
        )
    groups = _product_group_pages(catalogue, lang, intro)
    docs |= groups
    if groups:
        index += ["## Productgroepen" if lang == "nl" else "## Product groups", ""]
        index += [
            f"- [{catalogue.product_groups[name.split('/')[-1].removesuffix('.md')].product_group.get(lang)}]({name})"  # type: ignore[union-attr]
            for name in sorted(groups)
        ]
        index.append("")
    docs["catalogue.md"] = "\n".join([*index, *sources, ""])
    return docs


def _product_group_pages(catalogue: Catalogue, lang: Lang, intro: str) -> dict[str, str]:
    """A page per product group: what it covers, its CPV codes, and the criteria written for it."""
    pages = {}
    for group, cl in catalogue.product_groups.items():
        name = cl.product_group.get(lang) if cl.product_group else group
        ids = [c.id for c in catalogue if group in catalogue.groups_of(c.id)]
        codes_head = "CPV-codes (en alles daaronder)" if lang == "nl" else "CPV codes (and everything below them)"
        body = [f"# {name}", "", intro, "", cl.description.get(lang), "", f"**{codes_head}:**", ""]
        body += [f"- `{prefix.ljust(8, '0')}` {label}" for prefix, label in cl.codes.items()]
        body += ["", "## Criteria", ""]
        for cid in ids:
            body += _criterion_markdown(catalogue, cid, lang)
        pages[f"catalogue/product-groups/{group}.md"] = "\n".join(body)
    return pages


def write_documents(folder: str = "docs") -> list[str]:
    from pathlib import Path

    from inclusief_inkopen.base.files import atomic_write
    from inclusief_inkopen.rules.catalogues import load_catalogue

    written = []
    for name, text in catalogue_documents(load_catalogue(run_tests=False)).items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
        written.append(str(path))
    return written


if __name__ == "__main__":
    for written_path in write_documents():
        print(written_path)
