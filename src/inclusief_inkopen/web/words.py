"""The web app's own words, Dutch first, English too. Field names, values and questions come from the library's
vocabulary (``data/vocabulary.yaml``) so the app and the advice say the same thing."""

from __future__ import annotations

from inclusief_inkopen.base.text import Lang

WORDS: dict[str, dict[Lang, str]] = {
    "app": {"nl": "Inclusief inkopen", "en": "Inclusive procurement"},
    "skip": {"nl": "Naar de inhoud", "en": "Skip to the content"},
    "home": {"nl": "Start", "en": "Home"},
    "language": {"nl": "English", "en": "Nederlands"},
    "new_tender": {"nl": "Nieuwe opdracht: vragenlijst invullen", "en": "New purchase: fill in the questionnaire"},
    "from_notice": {
        "nl": "Beginnen met een aankondiging (eForms, TED of OCDS)",
        "en": "Start from a notice (eForms, TED or OCDS)",
    },
    "notice_file": {"nl": "Bestand met de aankondiging", "en": "Notice file"},
    "upload": {"nl": "Inlezen", "en": "Read"},
    "tenders": {"nl": "Opdrachten", "en": "Purchases"},
    "checklists": {"nl": "Checklists", "en": "Checklists"},
    "none_yet": {"nl": "Nog geen.", "en": "None yet."},
    "step": {"nl": "Stap {n} van {of}", "en": "Step {n} of {of}"},
    "next": {"nl": "Opslaan en verder", "en": "Save and continue"},
    "to_advice": {"nl": "Opslaan en advies bekijken", "en": "Save and see the advice"},
    "back": {"nl": "Vorige stap", "en": "Previous step"},
    "unknown": {"nl": "Weet ik niet", "en": "Don't know"},
    "yes": {"nl": "Ja", "en": "Yes"},
    "no": {"nl": "Nee", "en": "No"},
    "none": {"nl": "Geen", "en": "None"},
    "some": {"nl": "Ja, namelijk (kies er een of meer):", "en": "Yes, namely (choose one or more):"},
    "required": {"nl": "nodig voor het advies", "en": "needed for the advice"},
    "errors_title": {"nl": "Er is iets niet goed ingevuld", "en": "Something is not filled in right"},
    "cpv_search": {"nl": "CPV-codes zoeken", "en": "Search CPV codes"},
    "cpv_hint": {
        "nl": "Codes gescheiden door een komma of spatie, hoofdcode eerst, zoals 72413000.",
        "en": "Codes separated by a comma or space, main code first, such as 72413000.",
    },
    "search": {"nl": "Zoeken", "en": "Search"},
    "search_words": {"nl": "Code of woorden (Nederlands of Engels)", "en": "Code or words (Dutch or English)"},
    "results": {"nl": "Resultaten", "en": "Results"},
    "no_results": {"nl": "Niets gevonden.", "en": "Nothing found."},
    "guess": {
        "nl": "Alvast ingevuld op grond van de CPV-code; controleer het voordat u verdergaat:",
        "en": "Filled in from the CPV code; check it before you go on:",
    },
    "warnings": {"nl": "Let op bij deze aankondiging", "en": "Note about this notice"},
    "advice": {"nl": "Advies", "en": "Advice"},
    "open_questions": {"nl": "Nog te beantwoorden", "en": "Still to answer"},
    "answer_in": {"nl": "Beantwoorden in stap {n}", "en": "Answer in step {n}"},
    "why": {"nl": "Waarom", "en": "Why"},
    "wording": {"nl": "Tekst voor de aanbestedingsstukken", "en": "Wording for the tender documents"},
    "copy": {"nl": "Tekst kopiëren", "en": "Copy text"},
    "copied": {"nl": "Gekopieerd", "en": "Copied"},
    "basis": {"nl": "Grondslag", "en": "Legal basis"},
    "verification": {"nl": "Bewijsmiddel", "en": "Verification"},
    "not_applicable": {"nl": "Niet van toepassing, en waarom", "en": "Not applicable, and why"},
    "eforms": {"nl": "Waarden voor de eForms-aankondiging", "en": "Values for the eForms notice"},
    "downloads": {"nl": "Downloaden", "en": "Download"},
    "edit": {"nl": "Antwoorden aanpassen", "en": "Change the answers"},
    "make_checklist": {"nl": "Checklist maken", "en": "Make a checklist"},
    "category": {
        "nl": "Categorie (bijvoorbeeld ICT of Sociaal domein)",
        "en": "Category (for instance ICT or Social domain)",
    },
    "checklist": {"nl": "Checklist", "en": "Checklist"},
    "state": {"nl": "Stand", "en": "State"},
    "open": {"nl": "open", "en": "open"},
    "complete": {"nl": "compleet", "en": "complete"},
    "signed-off": {"nl": "afgetekend", "en": "signed off"},
    "decided": {"nl": "{d} van {t} besloten", "en": "{d} of {t} decided"},
    "decision": {"nl": "Besluit", "en": "Decision"},
    "applied": {"nl": "Toegepast", "en": "Applied"},
    "not-applied": {"nl": "Niet toegepast", "en": "Not applied"},
    "undecided": {"nl": "Nog niet besloten", "en": "Not decided yet"},
    "applied_as": {
        "nl": "Toegepast als (tekst of vindplaats in de stukken)",
        "en": "Applied as (wording or where in the documents)",
    },
    "justification": {"nl": "Motivering (pas toe of leg uit)", "en": "Justification (comply or explain)"},
    "weight": {"nl": "Weging in % (gunningscriterium)", "en": "Weight in % (award criterion)"},
    "award_basis": {"nl": "Gunningsgrondslag", "en": "Award basis"},
    "your_name": {"nl": "Uw naam (wordt bij elk besluit vastgelegd)", "en": "Your name (recorded with every decision)"},
    "save": {"nl": "Opslaan", "en": "Save"},
    "check_ok": {"nl": "De checklist is compleet.", "en": "The checklist is complete."},
    "to_do": {"nl": "Nog te doen", "en": "Still to do"},
    "sign_off": {"nl": "Aftekenen", "en": "Sign off"},
    "update": {"nl": "Bijwerken met het advies van nu", "en": "Update to today's advice"},
    "history": {"nl": "Geschiedenis", "en": "History"},
    "export": {"nl": "Exporteren", "en": "Export"},
    "import": {"nl": "Besluiten inlezen uit YAML of Excel", "en": "Read decisions from YAML or Excel"},
    "saved": {"nl": "Opgeslagen.", "en": "Saved."},
    "conflict": {
        "nl": (
            "Iemand anders heeft deze checklist intussen gewijzigd; uw wijzigingen zijn niet opgeslagen. "
            "Laad de pagina opnieuw."
        ),
        "en": "Someone else changed this checklist meanwhile; your changes were not saved. Reload the page.",
    },
    "who": {"nl": "Wie", "en": "Who"},
    "when": {"nl": "Wanneer", "en": "When"},
    "what": {"nl": "Wat", "en": "What"},
    "review": {"nl": "Opnieuw beoordelen", "en": "Review again"},
    "not_found": {"nl": "Niet gevonden", "en": "Not found"},
    "may_apply": {"nl": "geldt mogelijk", "en": "may apply"},
    "todo_decide": {"nl": "nog niet besloten (toegepast of niet toegepast)", "en": "not decided yet (applied or not)"},
    "todo_justify": {
        "nl": "niet toegepast: leg uit waarom (pas toe of leg uit)",
        "en": "not applied: explain why (comply or explain)",
    },
    "todo_weight": {
        "nl": "toegepast gunningscriterium: vul de weging in",
        "en": "award criterion applied: give its weight",
    },
    "todo_who": {"nl": "vul uw naam in en sla op", "en": "give your name and save"},
    "todo_review": {"nl": "opnieuw beoordelen: {review}", "en": "review again: {review}"},
    "todo_award_basis": {
        "nl": "een inclusie-gunningscriterium is toegepast: gun op beste prijs-kwaliteitverhouding",
        "en": "an inclusion award criterion is applied: award on best price-quality ratio",
    },
    "todo_answer": {
        "nl": "Open vraag: {question} Beantwoord deze in stap {step} van de vragenlijst en kies daarna hieronder "
        "\u2018Bijwerken met het advies van nu\u2019.",
        "en": "Open question: {question} Answer it in step {step} of the questionnaire, then choose "
        "\u2018Update to today\u2019s advice\u2019 below.",
    },
    "todo_apply": {
        "nl": "Beantwoord: {question} Kies hieronder \u2018Bijwerken met het advies van nu\u2019.",
        "en": "Answered: {question} Choose \u2018Update to today\u2019s advice\u2019 below.",
    },
    "business_term": {"nl": "Veld (business term)", "en": "Business term"},
    "code": {"nl": "Code", "en": "Code"},
    "meaning": {"nl": "Betekenis", "en": "Meaning"},
    "because_of": {"nl": "Op grond van", "en": "Because of"},
    "option": {"nl": "keuze, geen plicht", "en": "an option, not a duty"},
    "eforms_open": {
        "nl": "nog niet te bepalen: beantwoord eerst de open vragen",
        "en": "not yet known: answer the open questions first",
    },
    "action_created": {"nl": "aangemaakt", "en": "created"},
    "action_changed": {"nl": "gewijzigd", "en": "changed"},
    "action_signed-off": {"nl": "afgetekend", "en": "signed off"},
    "action_updated": {"nl": "bijgewerkt met het advies van nu", "en": "updated to today's advice"},
    "action_imported": {"nl": "ingelezen uit een bestand", "en": "imported from a file"},
    "steps": {
        "nl": "De opdracht|Wie gebruikt het|Wat het oplevert|De uitvoering",
        "en": "The purchase|Who uses it|What it delivers|Carrying it out",
    },
}


def w(key: str, lang: Lang, **values: object) -> str:
    text = WORDS[key][lang]
    return text.format(**values) if values else text
