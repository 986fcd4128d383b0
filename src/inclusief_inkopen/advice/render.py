"""The advice for people: plain text for a terminal and Markdown for wikis and tender files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from inclusief_inkopen.advice.evaluate import Advice
from inclusief_inkopen.advice.model import AdviceDocument, ReasonOut, Suggestion
from inclusief_inkopen.advice.reasons import asked_field, term_label, value_label
from inclusief_inkopen.base.outputs import markdown_text, one_line
from inclusief_inkopen.base.text import Lang, format_date
from inclusief_inkopen.rules.catalogue import catalogue_identity
from inclusief_inkopen.tender.facts import FIELDS

HEADINGS = {
    "mandatory": {"nl": "Verplicht (wet)", "en": "Mandatory (law)"},
    "policy": {"nl": "Amsterdams beleid (pas toe of leg uit)", "en": "Amsterdam policy (comply or explain)"},
    "recommended": {"nl": "Aanbevolen", "en": "Recommended"},
}
LABELS = {
    "advice": {"nl": "Advies inclusief inkopen", "en": "Inclusive procurement advice"},
    "on": {"nl": "peildatum", "en": "date"},
    "catalogue": {"nl": "catalogus", "en": "catalogue"},
    "facts": {"nl": "Afgeleide feiten", "en": "Derived facts"},
    "why": {"nl": "waarom", "en": "why"},
    "basis": {"nl": "grondslag", "en": "legal basis"},
    "verification": {"nl": "bewijsmiddel", "en": "verification"},
    "wording": {"nl": "tekst", "en": "wording"},
    "note": {"nl": "let op", "en": "note"},
    "questions": {"nl": "Nog te beantwoorden", "en": "Questions to answer"},
    "undetermined": {"nl": "Nog niet te bepalen", "en": "Cannot be decided yet"},
    "not_applicable": {"nl": "Niet van toepassing", "en": "Not applicable"},
    "eforms": {"nl": "eForms-waarden voor de aankondiging", "en": "eForms values for the notice"},
    "missing": {"nl": "ontbreekt", "en": "missing"},
    "none": {"nl": "geen", "en": "none"},
    "ambition": {"nl": "ambitie", "en": "ambition"},
}


def _l(key: str, lang: Lang) -> str:
    return LABELS[key][lang]


def _layers(advice: Advice | AdviceDocument) -> str:
    """ " + gemeente-voorbeeld 1" for each organisation layer over the base catalogue."""
    return "".join(f" + {layer['name']} {layer['version']}" for layer in advice.catalogue.layers)


def _identity(advice: Advice | AdviceDocument) -> str:
    return catalogue_identity(advice.catalogue.sha256, [layer["sha256"] for layer in advice.catalogue.layers])


def _asked(missing: Sequence[str], tender: Mapping[str, Any]) -> list[str]:
    """The profile fields a buyer fills in for these missing facts (a derived fact is never asked for)."""
    regime, social = tender.get("regime", "classical"), tender.get("social_services")
    return sorted({asked_field(m, regime, social) for m in missing})


def _bt754(advice: Advice | AdviceDocument, lang: Lang) -> str:
    """The accessibility code, or why there is none yet."""
    code = advice.eforms.accessibility
    if code:
        return code
    if advice.questions:
        return {"nl": "? (hangt af van de vragen hierboven)", "en": "? (depends on the questions above)"}[lang]
    above = advice.derived.get("above_eu_threshold")
    if above is not None and above.value is False:
        return {
            "nl": "— (onder de Europese drempel: geen Europese aankondiging verplicht, dus geen BT-754)",
            "en": "— (below the EU threshold: no European notice required, so no BT-754)",
        }[lang]
    return "?"


def _terms(s: Suggestion, lang: Lang) -> str:
    """Kind, theme, ambition and phase in words: "eis · Inclusief ontwerp · ambitie 1 · fase Specificatie"."""
    phase = {"nl": "fase", "en": "phase"}[lang]
    return (
        f"{term_label('kinds', s.kind, lang)} · {term_label('themes', s.theme, lang)} · "
        f"{_l('ambition', lang)} {s.ambition} · {phase} {term_label('phases', s.phase, lang)}"
    )


def _why(reasons: list[ReasonOut], lang: Lang) -> str:
    return "; ".join(r.text.get(lang) for r in reasons)


def _in(advice: Advice | AdviceDocument, lang: Lang) -> Advice | AdviceDocument:
    """The advice in the one language shown: only those words are made."""
    if isinstance(advice, Advice) and advice.decisions is not None:
        return advice.in_language(lang)
    return advice


_EXAMPLES = {"labour_share": "0.4", "lots": "2", "duration_months": "24", "estimated_value_eur": "180000"}
_SUGGESTED = {"nl": "Suggesties uit de CPV-codes (controleer ze):", "en": "Suggested by the CPV codes (check them):"}


def _how_to_answer(field: str, lang: Lang) -> str:
    """How the answer to a question is written in the tender file: the codes, with their labels."""
    spec = FIELDS.get(field)
    if spec is None:
        return ""
    listed = ", ".join(f"{v} ({value_label(v, lang)})" if value_label(v, lang) != v else v for v in spec.values)
    none = {"nl": "of [] voor geen", "en": "or [] for none"}[lang]
    example = _EXAMPLES.get(field, "12")
    return {
        "enum": {"nl": f"{field}: een van {listed}", "en": f"{field}: one of {listed}"},
        "enum_list": {"nl": f"{field}: [...] met {listed}; {none}", "en": f"{field}: [...] with {listed}; {none}"},
        "bool": {"nl": f"{field}: true (ja) of false (nee)", "en": f"{field}: true or false"},
        "number": {"nl": f"{field}: een getal, zoals {example}", "en": f"{field}: a number, such as {example}"},
        "cpv_list": {
            "nl": f"{field}: [CPV-codes], zoals [72413000]",
            "en": f"{field}: [CPV codes], such as [72413000]",
        },
    }.get(spec.type, {}).get(lang, "")


def _only_other_group(n: Any) -> bool:
    """A criterion written for a product group the tender is not in: said in one line with the others like it."""
    return (
        not n.overridden_by
        and bool(n.reasons)
        and all(
            r.op == "prefix"
            and isinstance(r.expected, dict)
            and str(r.expected.get("list", "")).startswith("product-group-")
            for r in n.reasons
        )
    )


def render_text(
    advice: Advice | AdviceDocument, lang: Lang = "nl", verbose: bool = False, guesses: Sequence[Any] = ()
) -> str:
    """The advice as plain text. ``guesses`` (from ``notices.importing.guesses_from_cpv``) are shown beside the
    questions as suggestions to check, never as answers."""
    advice = _in(advice, lang)
    lines = [
        f"{_l('advice', lang)}: {one_line(advice.tender['title'])}",
        f"{_l('on', lang)} {format_date(advice.on, lang)} · {_l('catalogue', lang)} {advice.catalogue.name} "
        f"{advice.catalogue.version}{_layers(advice)} ({_identity(advice)[:12]})",
        "",
        f"{_l('facts', lang)}:",
    ]
    lines += [f"  - {d.text.get(lang)}" for d in advice.derived.values()]
    for status in ("mandatory", "policy", "recommended"):
        items = [s for s in advice.suggestions if s.status == status]
        if not items:
            continue
        heading = f"{HEADINGS[status][lang]} ({len(items)})"
        lines += ["", heading, "=" * len(heading)]
        for s in items:
            lines.append(f"[{s.id}] {s.title.get(lang)}")
            lines.append(f"    {_terms(s, lang)}")
            lines.append(f"    {_l('why', lang)}: {_why(s.reasons, lang)}")
            lines.append(f"    {_l('basis', lang)}: " + "; ".join(b.title.get(lang) for b in s.legal_basis))
            if verbose:
                lines.append(f"    {_l('wording', lang)}: {s.text.get(lang)}")
                lines.append(f"    {_l('verification', lang)}: {s.verification.get(lang)}")
                if s.notes:
                    lines.append(f"    {_l('note', lang)}: {s.notes.get(lang)}")
    if advice.questions:
        heading = f"{_l('questions', lang)} ({len(advice.questions)})"
        lines += ["", heading, "=" * len(heading)]
        answer = {"nl": "antwoord", "en": "answer"}[lang]
        for q in advice.questions:
            lines.append(f"? {q.text.get(lang)}  [{q.field} → {', '.join(q.criteria)}]")
            how = _how_to_answer(q.field, lang)
            if how:
                lines.append(f"    {answer}: {how}")
        if guesses:
            lines += [
                "",
                {
                    "nl": "Suggesties uit de CPV-codes (controleer ze):",
                    "en": "Suggested by the CPV codes (check them):",
                }[lang],
            ]
            import json  # only a tender with guesses to show pays for it

            lines += [f"  ~ {g.field}: {json.dumps(g.value)}  ({g.because.get(lang)})" for g in guesses]
    if advice.undetermined:
        lines += ["", f"{_l('undetermined', lang)}:"]
        lines += [
            f"  - [{u.id}] {u.title.get(lang)} ({_l('missing', lang)}: {', '.join(_asked(u.missing, advice.tender))})"
            for u in advice.undetermined
        ]
    lines += ["", f"{_l('not_applicable', lang)}:"]
    replaced = {"nl": "vervangen door", "en": "replaced by"}[lang]
    other_groups = [n for n in advice.not_applicable if _only_other_group(n)]
    # By identity: comparing the items as models compares every field of each, for each item listed.
    said_together = {id(n) for n in other_groups}
    lines += [
        f"  - [{n.id}] {n.title.get(lang)}: "
        + (f"{replaced} {n.overridden_by}" if n.overridden_by else _why(n.reasons, lang))
        for n in advice.not_applicable
        if verbose or id(n) not in said_together
    ]
    if other_groups and not verbose:
        ids = ", ".join(n.id for n in other_groups)
        said = {
            "nl": "criteria voor andere productgroepen ({ids}): de CPV-codes vallen niet onder hun groep",
            "en": "criteria for other product groups ({ids}): the CPV codes are not in their group",
        }[lang]
        lines.append(f"  - {len(other_groups)} " + said.format(ids=ids))
    e = advice.eforms
    lines += [
        "",
        f"{_l('eforms', lang)}:",
        f"  BT-754 accessibility: {_bt754(advice, lang)}",
        f"  BT-06 strategic procurement: {', '.join(e.strategic_procurement) or _l('none', lang)}",
        f"  BT-775 social objectives: {', '.join(e.social_objectives) or _l('none', lang)}",
        f"  BT-71 reserved participation: {e.reserved_participation}",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(advice: Advice | AdviceDocument, lang: Lang = "nl") -> str:
    advice = _in(advice, lang)
    lines = [
        f"# {_l('advice', lang)}: {markdown_text(advice.tender['title'])}",
        "",
        f"{_l('on', lang).capitalize()}: {format_date(advice.on, lang)} · {_l('catalogue', lang)}: "
        f"{advice.catalogue.name} {advice.catalogue.version}{_layers(advice)} (`{_identity(advice)[:12]}`)",
        "",
        f"## {_l('facts', lang)}",
        "",
    ]
    lines += [f"- {d.text.get(lang)}" for d in advice.derived.values()]
    for status in ("mandatory", "policy", "recommended"):
        items = [s for s in advice.suggestions if s.status == status]
        if not items:
            continue
        lines += ["", f"## {HEADINGS[status][lang]}", ""]
        for s in items:
            lines += [
                f"### {s.id}: {s.title.get(lang)}",
                "",
                f"*{_terms(s, lang)}*",
                "",
                f"> {s.text.get(lang)}",
                "",
                f"- **{_l('why', lang)}:** {_why(s.reasons, lang)}",
                f"- **{_l('verification', lang)}:** {s.verification.get(lang)}",
                f"- **{_l('basis', lang)}:** " + "; ".join(f"[{b.title.get(lang)}]({b.url})" for b in s.legal_basis),
            ]
            if s.notes:
                lines.append(f"- **{_l('note', lang)}:** {s.notes.get(lang)}")
            lines.append("")
    if advice.questions:
        lines += [f"## {_l('questions', lang)}", ""]
        answer = {"nl": "antwoord", "en": "answer"}[lang]
        for q in advice.questions:
            how = _how_to_answer(q.field, lang)
            lines.append(f"- {q.text.get(lang)} (`{q.field}`: {', '.join(q.criteria)})")
            if how:
                lines.append(f"  - {answer}: `{how}`")
        lines.append("")
    if advice.not_applicable:
        lines += [f"## {_l('not_applicable', lang)}", ""]
        lines += [f"- **{n.id}** {n.title.get(lang)}: {_why(n.reasons, lang)}" for n in advice.not_applicable]
        lines.append("")
    e = advice.eforms
    lines += [
        f"## {_l('eforms', lang)}",
        "",
        "| BT | " + ("waarde" if lang == "nl" else "value") + " |",
        "|---|---|",
        f"| BT-754 | {_bt754(advice, lang)} |",
        f"| BT-06 | {', '.join(e.strategic_procurement) or '-'} |",
        f"| BT-775 | {', '.join(e.social_objectives) or '-'} |",
        f"| BT-71 | {e.reserved_participation} |",
    ]
    return "\n".join(lines) + "\n"
