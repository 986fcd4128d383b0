"""Messages for people who fill in files by hand, in their language: Dutch first, English on request.

A validation error says what was given, how to write it, and, for a misspelt field or value, "bedoelt u …?". The
language is English when ``INCLUSIEF_INKOPEN_LANG`` is ``en`` (``--lang en`` sets it), or when it is unset and
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) is English; Dutch otherwise.

>>> import os; before = os.environ.get("INCLUSIEF_INKOPEN_LANG"); os.environ["INCLUSIEF_INKOPEN_LANG"] = "nl"
>>> say_error("bool_parsing", "ja", {})
"verwacht true (ja) of false (nee), gegeven: 'ja'; bedoelt u 'true'?"
>>> say_error("literal_error", "dienst", {"expected": "'works', 'supplies' or 'services'"}, {"services": "diensten"})
"verwacht een van: works, supplies, services (diensten), gegeven: 'dienst'; bedoelt u 'services'?"
>>> os.environ["INCLUSIEF_INKOPEN_LANG"] = "en"
>>> say_error("date_from_datetime_parsing", "10-06-2026", {})
"expected a date as YYYY-MM-DD, such as 2026-06-10, given: '10-06-2026'; do you mean '2026-06-10'?"
>>> _ = os.environ.pop("INCLUSIEF_INKOPEN_LANG")
>>> os.environ.update({"INCLUSIEF_INKOPEN_LANG": before} if before else {})
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.text import Lang


def _vocabulary_values() -> dict[str, dict[str, str]]:
    return dict(packaged_data("vocabulary")["values"])


def _all_labels(code: str) -> list[str]:
    label = _vocabulary_values().get(code)
    return [str(v) for v in label.values()] if label else []


def value_labels(lang: Lang | None = None) -> dict[str, str]:
    """The profile's codes with their labels (``residents`` → inwoners), to show and to recognise."""
    lang = lang or message_language()
    return {code: str(label[lang]) for code, label in _vocabulary_values().items()}


def message_language() -> Lang:
    chosen = os.environ.get("INCLUSIEF_INKOPEN_LANG", "").lower()
    if chosen in ("nl", "en"):
        return chosen  # type: ignore[return-value]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "nl"
    return "nl"


def _given(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def did_you_mean(given: Any, choices: Iterable[str], lang: Lang) -> str:
    """ "; bedoelt u 'X'?" for the closest choice, also when the given value is (close to) a choice's label in
    either language ('inwoners' → residents), or nothing."""
    if not isinstance(given, str):
        return ""
    choices = list(choices)
    by_label = {code.casefold(): code for code in choices}
    for code in choices:
        for label in _all_labels(code):
            by_label.setdefault(label.casefold(), code)
    if given.casefold() in by_label:
        found = by_label[given.casefold()]
    else:
        import difflib  # only a message with a typo in it pays for it

        close = difflib.get_close_matches(given, list(choices), n=1, cutoff=0.6) or difflib.get_close_matches(
            given.casefold(), list(by_label), n=1, cutoff=0.6
        )
        if not close:
            return ""
        found = by_label.get(close[0], close[0])
    return f"; bedoelt u {found!r}?" if lang == "nl" else f"; do you mean {found!r}?"


_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_MONEY = re.compile(r"^\s*(?:€|eur|euro)?\s*([\d.,\s]+?)\s*(?:€|eur|euro)?\s*$", re.IGNORECASE)


def _as_date(value: Any) -> str | None:
    match = _DMY.match(value) if isinstance(value, str) else None
    return f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}" if match else None


def _as_number(value: Any) -> str | None:
    """'€ 180.000' or '180.000,50' as the number the file should hold (Dutch thousands dots, decimal comma)."""
    match = _MONEY.match(value) if isinstance(value, str) else None
    if not match:
        return None
    digits = match.group(1).replace(" ", "").replace(".", "").replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() else str(number)


TEXTS: dict[str, dict[Lang, str]] = {
    "number": {
        "nl": "verwacht een getal zonder €-teken, punten of spaties, zoals 180000",
        "en": "expected a number without € sign, thousands separators or spaces, such as 180000",
    },
    "bool": {"nl": "verwacht true (ja) of false (nee)", "en": "expected true or false"},
    "date": {
        "nl": "verwacht een datum als JJJJ-MM-DD, zoals 2026-06-10",
        "en": "expected a date as YYYY-MM-DD, such as 2026-06-10",
    },
    "one_of": {"nl": "verwacht een van: {choices}", "en": "expected one of: {choices}"},
    "list": {
        "nl": "verwacht een lijst, zoals [website, app] (of [] voor geen)",
        "en": "expected a list, such as [website, app] (or [] for none)",
    },
    "text": {"nl": "verwacht tekst", "en": "expected text"},
    "missing": {"nl": "verplicht veld ontbreekt", "en": "required field is missing"},
    "unknown": {"nl": "onbekend veld", "en": "unknown field"},
    "at_least": {"nl": "moet ten minste {limit} zijn", "en": "must be at least {limit}"},
    "at_most": {"nl": "mag ten hoogste {limit} zijn", "en": "must be at most {limit}"},
    "more_than": {"nl": "moet groter zijn dan {limit}", "en": "must be greater than {limit}"},
    "less_than": {"nl": "moet kleiner zijn dan {limit}", "en": "must be less than {limit}"},
    "given": {"nl": "gegeven", "en": "given"},
    "mean": {"nl": "bedoelt u {value}?", "en": "do you mean {value}?"},
}
_KINDS = {
    "int_parsing": "number",
    "int_type": "number",
    "float_parsing": "number",
    "float_type": "number",
    "int_from_float": "number",
    "finite_number": "number",
    "bool_parsing": "bool",
    "bool_type": "bool",
    "date_parsing": "date",
    "date_type": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "list_type": "list",
    "string_type": "text",
    "missing": "missing",
    "greater_than_equal": "at_least",
    "less_than_equal": "at_most",
    "greater_than": "more_than",
    "less_than": "less_than",
}
_LIMIT = {"at_least": "ge", "at_most": "le", "more_than": "gt", "less_than": "lt"}


def say_error(kind: str, given: Any, context: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str | None:
    """A pydantic error type in words, with the value given and a hint; None for a type not known here."""
    lang = message_language()
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        shown = ", ".join(f"{c} ({labels[c]})" if labels and labels.get(c, c) != c else c for c in choices)
        hint = did_you_mean(given, choices, lang)
        return f"{TEXTS['one_of'][lang].format(choices=shown)}, {TEXTS['given'][lang]}: {_given(given)}{hint}"
    key = _KINDS.get(kind)
    if key is None:
        return None
    if key == "missing":
        return TEXTS["missing"][lang]
    text = TEXTS[key][lang]
    if key in _LIMIT:
        text = text.format(limit=context.get(_LIMIT[key]))
    text += f", {TEXTS['given'][lang]}: {_given(given)}"
    better = _as_date(given) if key == "date" else _as_number(given) if key == "number" else None
    if key == "bool" and isinstance(given, str) and given.strip().lower() in ("ja", "yes", "nee", "no"):
        better = "true" if given.strip().lower() in ("ja", "yes") else "false"
    if better is not None and better != str(given):
        text += "; " + TEXTS["mean"][lang].format(value=repr(better))
    return text


def say_unknown_field(name: str, known: Iterable[str]) -> str:
    lang = message_language()
    return TEXTS["unknown"][lang] + did_you_mean(name, known, lang)


# Messages of the checklist and of the command line, by key: what a category manager reads most.
SAYINGS: dict[str, dict[Lang, str]] = {
    "not_decided": {
        "nl": "nog niet besloten: toegepast of niet toegepast",
        "en": "not decided yet: applied or not-applied",
    },
    "needs_justification": {
        "nl": "een item met status {status} dat niet wordt toegepast, heeft een motivering nodig (pas toe of leg uit)",
        "en": "a {status} item that is not applied needs a justification (pas toe of leg uit)",
    },
    "needs_weight": {
        "nl": "een toegepast gunningscriterium heeft een weging in % nodig",
        "en": "an applied award criterion needs its weight in %",
    },
    "who_decided": {"nl": "vul in wie besloot", "en": "say who decided"},
    "review": {
        "nl": "besloten vóór een wijziging: {review}; bekijk het opnieuw en haal 'review' weg",
        "en": "decided before a change: {review}; look again and remove 'review'",
    },
    "award_basis": {
        "nl": "er zijn gunningscriteria toegepast, dus de gunningsgrondslag is best-price-quality "
        "(beste prijs-kwaliteitverhouding), niet {basis!r}",
        "en": "award criteria are applied, so the award basis must be best-price-quality "
        "(beste prijs-kwaliteitverhouding), not {basis!r}",
    },
    "answer_it": {
        "nl": "{question} — beantwoord het hier en voer dan 'checklist update' uit; het antwoord bepaalt {items}",
        "en": "{question} — answer it here, then run 'checklist update'; it decides {items}",
    },
    "apply_answer": {
        "nl": "beantwoord: voer 'checklist update' uit om het antwoord toe te passen",
        "en": "answered: run 'checklist update' to apply the answer",
    },
    "made": {
        "nl": "{file}: {total} items te besluiten, {skipped} niet van toepassing",
        "en": "{file}: {total} items to decide, {skipped} not applicable",
    },
    "note": {"nl": "let op: {note}", "en": "note: {note}"},
    "advice_changed": {
        "nl": "het advies is veranderd sinds deze checklist is gemaakt: voer 'checklist update' uit",
        "en": "the advice changed since this checklist was made: run 'checklist update'",
    },
    "not_complete": {"nl": "niet compleet: nog {count} te doen", "en": "not complete: {count} to do"},
    "and_out_of_date": {"nl": ", en verouderd", "en": ", and out of date"},
    "out_of_date": {
        "nl": "verouderd: alles is besloten, maar voer eerst 'checklist update {file}' uit",
        "en": "out of date: every item is decided, but run 'checklist update {file}' first",
    },
    "complete": {"nl": "{file}: compleet en bijgewerkt", "en": "{file}: complete and up to date"},
    "updated": {
        "nl": "{file}: {summary}; {done}/{total} besloten (reservekopie: {file}~)",
        "en": "{file}: {summary}; {done}/{total} decided (backup: {file}~)",
    },
    "no_changes": {"nl": "geen wijzigingen in het advies", "en": "no changes in the advice"},
    "error": {"nl": "fout", "en": "error"},
    # Reading files
    "file_not_found": {"nl": "bestand niet gevonden", "en": "file not found"},
    "is_folder": {"nl": "is een map; verwacht een bestand", "en": "is a folder, expected a file"},
    "permission": {"nl": "geen toegang (permission denied)", "en": "permission denied"},
    "not_regular": {
        "nl": "is geen gewoon bestand (een apparaat, pipe of socket); verwacht een bestand",
        "en": "is not a regular file (a device, pipe or socket); expected a file",
    },
    "too_big": {
        "nl": "bestand is {size:,} bytes; ten hoogste {limit:,} worden gelezen",
        "en": "file is {size:,} bytes; at most {limit:,} are accepted",
    },
    "not_utf8": {
        "nl": "geen UTF-8-tekst; sla het bestand op als UTF-8",
        "en": "not UTF-8 text; save the file as UTF-8",
    },
    "nul_bytes": {"nl": "bevat NUL-bytes; verwacht een tekstbestand", "en": "contains NUL bytes; expected a text file"},
    "bad_yaml": {"nl": "geen geldige YAML: {problem}", "en": "not valid YAML: {problem}"},
    "bad_json": {"nl": "geen geldige JSON: {problem}", "en": "not valid JSON: {problem}"},
    "empty_file": {
        "nl": "het bestand is leeg; verwacht de velden van de opdracht (title, nature, estimated_value_eur …)",
        "en": "the file is empty; expected the fields of the tender (title, nature, estimated_value_eur …)",
    },
    "not_a_mapping": {
        "nl": "verwacht de velden van de opdracht als 'veld: waarde', gegeven: {kind}",
        "en": "expected the fields of the tender as 'field: value', given: {kind}",
    },
    # Fields of the tender profile that must fit together (TenderProfile._regime_fits)
    "concession_not_supplies": {
        "nl": "een concessie is voor werken of diensten (art. 2a.1 Aw), niet voor leveringen; een inkoop van "
        "leveringen is een overheidsopdracht (regime classical of utilities)",
        "en": "a concession is for works or services (s. 2a.1 Aw), not supplies; a purchase of supplies is a public "
        "contract (regime classical or utilities)",
    },
    "social_services_regime": {
        "nl": "alleen bij regime utilities, concession of defence; in het klassieke regime beslist de CPV-hoofdcode "
        "of een dienst in bijlage XIV staat (laat social_services weg)",
        "en": "only for regime utilities, concession or defence; under the classical regime the main CPV code decides "
        "whether a service is in Annex XIV (leave social_services out)",
    },
    "social_services_nature": {
        "nl": "alleen bij diensten (nature: services)",
        "en": "only for services (nature: services)",
    },
    "unreadable_value": {
        "nl": "een datum of getal dat niet te lezen is: {problem}",
        "en": "a date or number that cannot be read: {problem}",
    },
}


def say(key: str, **values: Any) -> str:
    """A message of the checklist or the command line in the language of the messages."""
    return SAYINGS[key][message_language()].format(**values)
