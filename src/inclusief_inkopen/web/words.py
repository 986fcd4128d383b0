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
    "todo_who": {
        "nl": "sla het besluit op (uw naam wordt erbij vastgelegd)",
        "en": "save the decision (your name is recorded with it)",
    },
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
    "action_signed-in": {"nl": "aangemeld", "en": "signed in"},
    "action_signed-out": {"nl": "afgemeld", "en": "signed out"},
    "action_revoked": {"nl": "ingetrokken", "en": "revoked"},
    "action_deleted": {"nl": "verwijderd", "en": "deleted"},
    "signed_in_as": {"nl": "Aangemeld als {name}", "en": "Signed in as {name}"},
    "sign_out": {"nl": "Afmelden", "en": "Sign out"},
    "sign_in": {"nl": "Aanmelden", "en": "Sign in"},
    "no_roles": {"nl": "geen rol", "en": "no role"},
    "single_user": {
        "nl": "Eén gebruiker, alleen op deze computer: er is geen aanmelding en iedereen die deze computer gebruikt "
        "heeft elke rol. Zet aanmelding aan voordat anderen de app gebruiken (zie 'Deployment' in de README).",
        "en": "One user, on this computer only: there is no sign-in and whoever uses this computer has every role. "
        "Set up sign-in before others use the app (see 'Deployment' in the README).",
    },
    "signed_out_title": {"nl": "U bent afgemeld", "en": "You are signed out"},
    "signed_out_text": {
        "nl": "U bent afgemeld bij deze app. Bij de identiteitsprovider van de gemeente bent u mogelijk nog aangemeld.",
        "en": "You are signed out of this app. You may still be signed in at the city's identity provider.",
    },
    "not_signed_in": {
        "nl": "U bent niet aangemeld: deze app hoort achter de aanmeldproxy van de gemeente.",
        "en": "You are not signed in: this app belongs behind the city's sign-in proxy.",
    },
    "refused": {"nl": "Dit mag u niet met uw rol ({reason}).", "en": "Your role does not allow this ({reason})."},
    "csrf": {
        "nl": "Het formulier is verlopen of komt niet van deze app (CSRF). Laad de pagina opnieuw.",
        "en": "The form expired or did not come from this app (CSRF). Reload the page.",
    },
    "sign_in_failed": {"nl": "Aanmelden is niet gelukt: {reason}", "en": "Signing in failed: {reason}"},
    "four_eyes": {
        "nl": "U hebt de laatste wijziging van deze checklist zelf gemaakt. Een andere categoriemanager tekent af "
        "(vier ogen).",
        "en": "You made the last change to this checklist yourself. Another category manager signs it off (four eyes).",
    },
    "voided": {
        "nl": "De aftekening door {by} ({at}) is vervallen: {voided_by} wijzigde de checklist op {voided_at}.",
        "en": "The sign-off by {by} ({at}) is void: {voided_by} changed the checklist on {voided_at}.",
    },
    "signed_off_by": {"nl": "afgetekend door {by} op {at}", "en": "signed off by {by} on {at}"},
    "department": {"nl": "Afdeling", "en": "Department"},
    "page_of": {"nl": "Pagina {n} van {of} ({total} in totaal)", "en": "Page {n} of {of} ({total} in all)"},
    "previous_page": {"nl": "Vorige pagina", "en": "Previous page"},
    "next_page": {"nl": "Volgende pagina", "en": "Next page"},
    "pages": {"nl": "Pagina's", "en": "Pages"},
    "admin": {"nl": "Beheer", "en": "Administration"},
    "people": {"nl": "Mensen en rollen", "en": "People and roles"},
    "people_intro": {
        "nl": "Wie welke rol heeft, volgt uit de groepen die de identiteitsprovider (of de proxy) meegeeft. "
        "Leden van de groepen {groups} zijn altijd beheerder (instelling INCLUSIEF_INKOPEN_ADMIN_GROUPS).",
        "en": "Who has which role follows from the groups the identity provider (or the proxy) passes on. Members "
        "of the groups {groups} are always administrator (setting INCLUSIEF_INKOPEN_ADMIN_GROUPS).",
    },
    "group": {"nl": "Groep", "en": "Group"},
    "roles": {"nl": "Rollen", "en": "Roles"},
    "set_roles": {"nl": "Groep toevoegen of wijzigen", "en": "Add or change a group"},
    "delete": {"nl": "Verwijderen", "en": "Delete"},
    "group_needed": {"nl": "Vul de naam van de groep in.", "en": "Give the group's name."},
    "keys": {"nl": "API-sleutels", "en": "API keys"},
    "keys_intro": {
        "nl": "Een sleutel geeft een aanbestedingsplatform toegang tot /api/v1 met de rechten die u kiest. De app "
        "bewaart alleen een hash: de sleutel zelf ziet u één keer, direct na het maken.",
        "en": "A key gives a tender platform access to /api/v1 with the rights you choose. The app keeps only a "
        "hash: you see the key itself once, right after it is made.",
    },
    "key_name": {"nl": "Naam (waarvoor of voor wie)", "en": "Name (what or whom it is for)"},
    "scopes": {"nl": "Rechten", "en": "Rights"},
    "key_department": {"nl": "Afdeling (leeg: alle afdelingen)", "en": "Department (empty: every department)"},
    "make_key": {"nl": "Sleutel maken", "en": "Make a key"},
    "key_made": {
        "nl": "Sleutel '{name}' gemaakt. Kopieer hem nu: hij wordt niet nog eens getoond.",
        "en": "Key '{name}' made. Copy it now: it is not shown again.",
    },
    "key_needs": {
        "nl": "Geef de sleutel een naam en ten minste één recht.",
        "en": "Give the key a name and at least one right.",
    },
    "last_used": {"nl": "Laatst gebruikt", "en": "Last used"},
    "never": {"nl": "nooit", "en": "never"},
    "revoke": {"nl": "Intrekken", "en": "Revoke"},
    "revoked": {"nl": "ingetrokken op {at}", "en": "revoked on {at}"},
    "all_departments": {"nl": "alle afdelingen", "en": "every department"},
    "audit": {"nl": "Audittrail", "en": "Audit trail"},
    "audit_intro": {
        "nl": "Elke wijziging, nieuwste eerst. De database weigert deze regels te wijzigen of te verwijderen.",
        "en": "Every change, newest first. The database refuses to change or delete these rows.",
    },
    "object": {"nl": "Onderdeel", "en": "Object"},
    "steps": {
        "nl": "De opdracht|Wie gebruikt het|Wat het oplevert|De uitvoering",
        "en": "The purchase|Who uses it|What it delivers|Carrying it out",
    },
}


def w(key: str, lang: Lang, **values: object) -> str:
    text = WORDS[key][lang]
    return text.format(**values) if values else text
