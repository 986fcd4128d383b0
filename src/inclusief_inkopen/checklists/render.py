"""Checklists for people: Markdown for wikis and tender files, and one self-contained HTML page.

The HTML page works offline (no scripts, no external files), is Dutch unless asked otherwise, groups items by
phase and status, shows progress, and is built to WCAG 2.1 AA: landmarks, one h1 and ordered headings, a skip
link, text next to every colour, visible keyboard focus, table headers with scope, and a print layout. CI
checks it with axe-core in headless Chromium (``tests/a11y/``).
"""

from __future__ import annotations

import json
from html import escape
from itertools import groupby
from typing import get_args

from inclusief_inkopen.advice.reasons import term_label
from inclusief_inkopen.base.outputs import markdown_text
from inclusief_inkopen.base.text import Lang, format_date
from inclusief_inkopen.checklists.checklist import Checklist, Item
from inclusief_inkopen.rules.catalogue import STATUS_ORDER, Phase

PHASES: tuple[str, ...] = get_args(Phase)

WORDS: dict[str, dict[Lang, str]] = {
    "title": {"nl": "Checklist inclusief inkopen", "en": "Inclusive procurement checklist"},
    "skip": {"nl": "Naar de items", "en": "Skip to the items"},
    "progress": {"nl": "Voortgang", "en": "Progress"},
    "decided": {"nl": "{done} van {total} items besloten", "en": "{done} of {total} items decided"},
    "tender": {"nl": "Opdracht", "en": "Tender"},
    "catalogue": {"nl": "Catalogus", "en": "Catalogue"},
    "date": {"nl": "Peildatum", "en": "Rules taken on"},
    "award_basis": {"nl": "Gunningsgrondslag", "en": "Award basis"},
    "decision": {"nl": "Besluit", "en": "Decision"},
    "applied_as": {"nl": "Toegepast als", "en": "Applied as"},
    "justification": {"nl": "Motivering (leg uit)", "en": "Justification (explain)"},
    "weight": {"nl": "Weging", "en": "Weight"},
    "decided_by": {"nl": "Besloten door", "en": "Decided by"},
    "wording": {"nl": "Voorgestelde tekst", "en": "Suggested wording"},
    "why": {"nl": "Waarom", "en": "Why"},
    "legal_basis": {"nl": "Grondslag", "en": "Legal basis"},
    "review": {"nl": "Opnieuw bekijken", "en": "Look again"},
    "unknown": {"nl": "mogelijk van toepassing: er ontbreekt een gegeven", "en": "may apply: a fact is missing"},
    "not_applicable": {"nl": "Niet van toepassing (ter verantwoording)", "en": "Not applicable (for the record)"},
    "overridden": {"nl": "vervangen door", "en": "replaced by"},
    "removed": {"nl": "Vervallen na een wijziging (met het besluit)", "en": "Gone after a change (with the decision)"},
    "none": {"nl": "—", "en": "—"},
    "questions": {"nl": "Open vragen over de opdracht", "en": "Open questions about the tender"},
    "decides": {"nl": "bepaalt", "en": "decides"},
    "answer": {"nl": "antwoord", "en": "answer"},
}
DECISION_WORDS: dict[str, dict[Lang, str]] = {
    "open": {"nl": "Open", "en": "Open"},
    "applied": {"nl": "Toegepast", "en": "Applied"},
    "not-applied": {"nl": "Niet toegepast", "en": "Not applied"},
}


def _w(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def _groups(checklist: Checklist) -> list[tuple[str, list[tuple[str, list[Item]]]]]:
    def phase_key(i: Item) -> int:
        return PHASES.index(i.phase) if i.phase in PHASES else len(PHASES)

    ordered = sorted(checklist.items, key=lambda i: (phase_key(i), STATUS_ORDER[i.status], i.id))
    out = []
    for phase, in_phase in groupby(ordered, key=lambda i: i.phase):
        out.append((phase, [(status, list(items)) for status, items in groupby(in_phase, key=lambda i: i.status)]))
    return out


# --- Markdown ----------------------------------------------------------------------------------------------


def render_markdown(checklist: Checklist, lang: Lang = "nl") -> str:
    done, total = checklist.progress()
    lines = [
        f"# {_w('title', lang)}: {markdown_text(checklist.tender.get('title', ''))}",
        "",
        f"- {_w('catalogue', lang)}: {checklist.catalogue['name']} {checklist.catalogue['version']}",
        f"- {_w('date', lang)}: {format_date(checklist.on, lang)}",
        f"- {_w('award_basis', lang)}: {checklist.award_basis or _w('none', lang)}",
        f"- {_w('progress', lang)}: {_w('decided', lang).format(done=done, total=total)}",
        "",
    ]
    if checklist.questions:
        lines += [f"## {_w('questions', lang)}", ""]
        for q in checklist.questions:
            answer = markdown_text(json.dumps(q.answer, ensure_ascii=False)) if q.answer is not None else "—"
            lines.append(
                f"- {q.text.get(lang)} (`{q.field}`; {_w('decides', lang)} {', '.join(q.criteria)}): "
                f"**{_w('answer', lang)}:** {answer}"
            )
        lines.append("")
    for phase, statuses in _groups(checklist):
        lines += [f"## {term_label('phases', phase, lang)}", ""]
        for status, items in statuses:
            lines += [f"### {term_label('statuses', status, lang)}", ""]
            for item in items:
                mark = "x" if item.decision != "open" else " "
                lines.append(f"- [{mark}] **{item.id}** {item.title.get(lang)} — {DECISION_WORDS[item.decision][lang]}")
                if item.applies == "unknown":
                    lines.append(f"  - _{_w('unknown', lang)}_")
                if item.applied_as:
                    lines.append(f"  - {_w('applied_as', lang)}: {markdown_text(item.applied_as)}")
                if item.justification:
                    lines.append(f"  - {_w('justification', lang)}: {markdown_text(item.justification)}")
                if item.weight is not None:
                    lines.append(f"  - {_w('weight', lang)}: {item.weight:g} %")
                if item.decided_by:
                    when = f", {format_date(item.decided_on, lang)}" if item.decided_on else ""
                    lines.append(f"  - {_w('decided_by', lang)}: {markdown_text(item.decided_by)}{when}")
                if item.review:
                    lines.append(f"  - **{_w('review', lang)}**: {markdown_text(item.review)}")
                for reason in item.reasons:
                    lines.append(f"  - {_w('why', lang)}: {reason.get(lang)}")
            lines.append("")
    if checklist.not_applicable:
        lines += [f"## {_w('not_applicable', lang)}", ""]
        for record in checklist.not_applicable:
            extra = f" ({_w('overridden', lang)} {record.overridden_by})" if record.overridden_by else ""
            lines.append(f"- {record.id} {record.title.get(lang)}{extra}")
        lines.append("")
    if checklist.removed:
        lines += [f"## {_w('removed', lang)}", ""]
        lines += [f"- {i.id} {i.title.get(lang)} — {DECISION_WORDS[i.decision][lang]}" for i in checklist.removed]
        lines.append("")
    return "\n".join(lines)


# --- HTML --------------------------------------------------------------------------------------------------

CSS = """
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #767676; --accent: #004699; --open: #8a4b00; --ok: #00612b; }
* { box-sizing: border-box; }
body { font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink); background: #fff;
       margin: 0 auto; max-width: 60rem; padding: 1rem; }
a { color: var(--accent); }
a:focus-visible, summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: 1rem; }
h1 { font-size: 1.75rem; } h2 { font-size: 1.4rem; border-bottom: 2px solid var(--line); margin-top: 2rem; }
h3 { font-size: 1.15rem; } h4 { font-size: 1.05rem; margin: 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.meta dt { font-weight: 600; }
progress { width: 100%; height: 1.25rem; }
article { border: 1px solid var(--line); border-radius: 4px; padding: .75rem 1rem; margin: .75rem 0; }
.decision { font-weight: 600; }
.decision.open { color: var(--open); } .decision.applied, .decision.not-applied { color: var(--ok); }
.note { color: var(--muted); font-style: italic; }
.review { border-left: 4px solid var(--open); padding-left: .5rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
  border-bottom: 1px solid var(--line); }
details summary { cursor: pointer; }
@media print {
  .skip { display: none; } body { max-width: none; font-size: 10.5pt; }
  article { break-inside: avoid; border-color: #000; } a { color: #000; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; }
  details > *:not(summary) { display: block; } details summary { list-style: none; }
}
"""


def _item_html(item: Item, lang: Lang) -> str:
    e = escape
    parts = [
        f'<article aria-labelledby="item-{e(item.id)}">',
        f'<h4 id="item-{e(item.id)}">{e(item.id)} — {e(item.title.get(lang))}</h4>',
        f'<p><span class="decision {e(item.decision)}">{_w("decision", lang)}: {DECISION_WORDS[item.decision][lang]}'
        "</span></p>",
    ]
    if item.applies == "unknown":
        parts.append(f'<p class="note">{e(_w("unknown", lang))}</p>')
    if item.review:
        parts.append(f'<p class="review"><strong>{_w("review", lang)}:</strong> {e(item.review)}</p>')
    facts = []
    if item.applied_as:
        facts.append((_w("applied_as", lang), item.applied_as))
    if item.justification:
        facts.append((_w("justification", lang), item.justification))
    if item.weight is not None:
        facts.append((_w("weight", lang), f"{item.weight:g} %"))
    if item.decided_by:
        when = f", {format_date(item.decided_on, lang)}" if item.decided_on else ""
        facts.append((_w("decided_by", lang), item.decided_by + when))
    if facts:
        parts.append('<dl class="meta">' + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts) + "</dl>")
    if item.wording:
        parts.append(f"<details><summary>{_w('wording', lang)}</summary><p>{e(item.wording.get(lang))}</p></details>")
    if item.reasons:
        reasons = "".join(f"<li>{e(r.get(lang))}</li>" for r in item.reasons)
        parts.append(f"<p>{_w('why', lang)}:</p><ul>{reasons}</ul>")
    if item.legal_basis:
        refs = []
        for ref in item.legal_basis:
            label, _, url = ref.partition(" — ")
            refs.append(
                f'<li><a href="{e(url)}">{e(label)}</a></li>' if url.startswith("http") else f"<li>{e(ref)}</li>"
            )
        parts.append(f"<p>{_w('legal_basis', lang)}:</p><ul>{''.join(refs)}</ul>")
    parts.append("</article>")
    return "\n".join(parts)


def render_html(checklist: Checklist, lang: Lang = "nl") -> str:
    e = escape
    done, total = checklist.progress()
    title = f"{_w('title', lang)}: {checklist.tender.get('title', '')}"
    body = [
        f'<a class="skip" href="#items">{_w("skip", lang)}</a>',
        "<header>",
        f"<h1>{e(title)}</h1>",
        '<dl class="meta">',
        f"<dt>{_w('catalogue', lang)}</dt>"
        f"<dd>{e(checklist.catalogue['name'])} {e(checklist.catalogue['version'])}</dd>",
        f"<dt>{_w('date', lang)}</dt><dd>{e(format_date(checklist.on, lang))}</dd>",
        f"<dt>{_w('award_basis', lang)}</dt><dd>{e(checklist.award_basis or _w('none', lang))}</dd>",
        "</dl>",
        f'<p><label for="progress">{_w("progress", lang)}</label>: {_w("decided", lang).format(done=done, total=total)}'
        f'<br><progress id="progress" max="{total}" value="{done}">{done}/{total}</progress></p>',
        "</header>",
        '<main id="items" tabindex="-1">',
    ]
    if checklist.questions:
        body.append(f'<section aria-labelledby="questions"><h2 id="questions">{_w("questions", lang)}</h2><ul>')
        for q in checklist.questions:
            answer = json.dumps(q.answer, ensure_ascii=False) if q.answer is not None else "—"
            body.append(
                f"<li>{e(q.text.get(lang))} (<code>{e(q.field)}</code>; {_w('decides', lang)} "
                f"{e(', '.join(q.criteria))}): <strong>{_w('answer', lang)}:</strong> {e(answer)}</li>"
            )
        body.append("</ul></section>")
    for phase, statuses in _groups(checklist):
        phase_id = f"phase-{phase}"
        body.append(
            f'<section aria-labelledby="{phase_id}"><h2 id="{phase_id}">{e(term_label("phases", phase, lang))}</h2>'
        )
        for status, items in statuses:
            body.append(f"<h3>{e(term_label('statuses', status, lang))}</h3>")
            body.extend(_item_html(item, lang) for item in items)
        body.append("</section>")
    if checklist.not_applicable:
        rows = "".join(
            f"<tr><td>{e(r.id)}</td><td>{e(r.title.get(lang))}</td><td>{e(term_label('statuses', r.status, lang))}</td>"
            f"<td>{e('; '.join(x.get(lang) for x in r.reasons))}"
            + (f" ({_w('overridden', lang)} {e(r.overridden_by)})" if r.overridden_by else "")
            + "</td></tr>"
            for r in checklist.not_applicable
        )
        head = "".join(
            f'<th scope="col">{h}</th>' for h in ("Id", "Titel" if lang == "nl" else "Title", "Status", _w("why", lang))
        )
        body.append(
            f'<section aria-labelledby="na"><h2 id="na">{_w("not_applicable", lang)}</h2>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
        )
    if checklist.removed:
        body.append(f'<section aria-labelledby="removed"><h2 id="removed">{_w("removed", lang)}</h2>')
        body.extend(_item_html(item, lang) for item in checklist.removed)
        body.append("</section>")
    body.append("</main>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
