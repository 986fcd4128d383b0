"""How we say it: decisions (``rules.decide``) rendered as the advice document, in the languages asked for.

Nothing here decides anything: every verdict, reason record and derived fact comes from the decisions; this
module only puts titles, wording, legal references and reason sentences to them. It runs when an advice is read
or serialised, not when it is evaluated. The objects it builds come from validated catalogue data and decisions,
so they are assembled without validating them again (``model_construct``); their shape is the published contract
in ``advice.model``, which the tests validate every serialised advice against.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from inclusief_inkopen.advice.model import (
    ADVICE_FORMAT,
    AdviceDocument,
    CatalogueRef,
    DerivedOut,
    EformsAdvice,
    EformsOption,
    LegalBasisOut,
    NotApplicable,
    ParameterUse,
    Question,
    ReasonOut,
    Suggestion,
    Undetermined,
)
from inclusief_inkopen.advice.reasons import asked_field, field_label, format_value, question, render_reason
from inclusief_inkopen.base import cpv as cpv_codes
from inclusief_inkopen.base.parameters import ParameterValue
from inclusief_inkopen.base.text import LANGUAGES, Lang, Text, format_date, text_in
from inclusief_inkopen.base.values import constructed
from inclusief_inkopen.base.version import __version__
from inclusief_inkopen.rules.catalogue import Catalogue, Criterion, is_eforms_option
from inclusief_inkopen.rules.conditions import Reason
from inclusief_inkopen.rules.decide import Decision, Decisions, missing_facts
from inclusief_inkopen.rules.placeholders import substitute
from inclusief_inkopen.tender.facts import DerivedFact
from inclusief_inkopen.tender.profile import TenderProfile

ENGINE = {"name": "inclusief-inkopen", "version": __version__}
Langs = tuple[Lang, ...]


_M = TypeVar("_M", bound=BaseModel)
_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _make(model: type[_M], **values: Any) -> _M:
    """A model from values that are valid already (catalogue data that passed validation, decisions), given in
    full: what ``model_construct`` does, without its per-field search for aliases and defaults, which was most of
    the cost of putting an advice into words. The tests validate every serialised advice against the models."""
    # In the models' field order (the JSON follows it); a field left out is a KeyError here, not a gap in the JSON.
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = tuple(model.model_fields)
    return constructed(model, {name: values[name] for name in fields})


def _text(langs: Langs, say: Callable[[Lang], str]) -> Text:
    return text_in({lang: say(lang) for lang in langs})


def _pick(text: Text, langs: Langs) -> Text:
    """A catalogue text in the languages asked for."""
    return text if langs == LANGUAGES else text_in({lang: text.get(lang) for lang in langs})


def fill(text: Text, catalogue: Catalogue, on: dt.date, langs: Langs = LANGUAGES) -> Text:
    """Put the parameter values in force into a text's {{name}} placeholders."""
    if "{{" not in text.nl and "{{" not in text.en:
        return _pick(text, langs)
    return _text(langs, lambda lang: substitute(text.get(lang), catalogue.parameters, on, lang))


def _parameter_use(name: str | None, value: ParameterValue | None) -> ParameterUse | None:
    if name is None or value is None:
        return None
    return _make(ParameterUse, name=name, value=value.value, valid_from=value.valid_from, source=value.source)


# Renderings kept per catalogue: at most about this much memory, then all are dropped (a long batch over varied
# tenders must not grow them forever). Counted roughly (``_size``), under a key no rendering has.
KEEP_BYTES = 32 * 1024 * 1024
_USED = object()
# They are measured some at a time, not each as it is made (measuring every one was a fifth of putting a first
# advice into words, which a one-tender command pays for nothing): once this many wait, or sooner as the bound
# comes near, taking each at about _TYPICAL_BYTES. So what is kept passes the bound by a few hundred renderings
# at most. The list of those waiting is kept under a key no rendering has, too.
_MEASURE_EVERY = 256
_TYPICAL_BYTES = 2048
_UNMEASURED = object()


def _size(value: Any, depth: int = 0) -> int:
    """About the memory a rendering takes: its texts as ``sys.getsizeof`` counts them, and a little per object."""
    if value.__class__ is str:
        return sys.getsizeof(value)
    if depth > 4:
        return 64
    if isinstance(value, BaseModel):
        return 64 + sum(_size(v, depth + 1) for v in value.__dict__.values())
    if isinstance(value, list | tuple):
        return 56 + sum(_size(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return 64 + sum(_size(v, depth + 1) for v in value.values())
    return 32


def _kept(catalogue: Catalogue, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, kept on the catalogue under ``key``: only for immutable renderings that depend on nothing but
    the key and the catalogue."""
    kept = catalogue.wording
    found = kept.get(key)
    if found is None:
        found = make()
        kept[key] = found
        waiting = kept.get(_UNMEASURED)
        if waiting is None:
            waiting = kept[_UNMEASURED] = []
        waiting.append(found)
        used = kept.get(_USED, 0)
        if len(waiting) >= _MEASURE_EVERY or len(waiting) * _TYPICAL_BYTES >= KEEP_BYTES - used:
            used += sum(map(_size, waiting))
            waiting.clear()
            if used > KEEP_BYTES:
                kept.clear()
                used = 0
            kept[_USED] = used
    return found


def reason_out(r: Reason, catalogue: Catalogue, langs: Langs = LANGUAGES) -> ReasonOut:
    # The class of the fact's value is part of the key: 500000 and 500000.0 are equal in Python, not in JSON.
    return _kept(  # type: ignore[no-any-return]
        catalogue, ("reason", r, r.actual.__class__, langs), lambda: _reason_out(r, catalogue, langs)
    )


def _reason_out(r: Reason, catalogue: Catalogue, langs: Langs) -> ReasonOut:
    expected = r.expected
    if isinstance(expected, frozenset):  # a code list: name it rather than print thousands of codes
        expected = {"list": r.parameter}
    elif isinstance(expected, tuple):
        expected = list(expected)
    return _make(
        ReasonOut,
        path=r.path,
        field=r.field,
        op=r.op,
        actual=list(r.actual) if isinstance(r.actual, tuple) else r.actual,
        expected=expected,
        holds=r.holds,
        parameter=_parameter_use(r.parameter, r.parameter_value),
        matched=list(r.matched),
        text=render_reason(r, catalogue.parameter_labels, catalogue.list_labels, langs),
    )


def _legal_basis(criterion: Criterion, catalogue: Catalogue, langs: Langs) -> list[LegalBasisOut]:
    out = []
    for ref in criterion.legal_basis:
        source = catalogue.sources[ref.source]
        title = source.title
        if ref.article:
            title = _text(langs, lambda lang, t=title, r=ref: f"{t.get(lang)}, art. {r.article_in(lang)}")
        out.append(
            _make(
                LegalBasisOut,
                source=ref.source,
                kind=source.kind,
                article=ref.article_in("nl"),
                title=_pick(title, langs),
                url=ref.url or source.url,
            )
        )
    return out


def _head(crit: Criterion, d: Decisions, langs: Langs, reasons: list[ReasonOut]) -> dict[str, Any]:
    return {
        "id": crit.id,
        "theme": crit.theme,
        "kind": crit.kind,
        "status": crit.status,
        "ambition": crit.ambition,
        "title": _kept(
            d.catalogue, ("title", crit.id, d.on, langs), lambda: fill(crit.title, d.catalogue, d.on, langs)
        ),
        "reasons": reasons,
    }


def _wording(crit: Criterion, cat: Catalogue, on: dt.date, langs: Langs) -> dict[str, Any]:
    """What a suggestion says whatever the tender: its wording on the date, legal basis and verification."""
    return {
        "text": fill(crit.text, cat, on, langs),
        "legal_basis": _legal_basis(crit, cat, langs),
        "verification": _pick(crit.verification, langs),
        "roles": crit.roles,
        "phase": crit.phase,
        "eforms": crit.eforms,
        "notes": _pick(crit.notes, langs) if crit.notes is not None else None,
    }


def suggestion(decision: Decision, d: Decisions, langs: Langs = LANGUAGES) -> Suggestion:
    crit = decision.criterion
    cat = d.catalogue
    wording = _kept(cat, ("wording", crit.id, d.on, langs), lambda: _wording(crit, cat, d.on, langs))
    return _make(Suggestion, **_head(crit, d, langs, [reason_out(r, cat, langs) for r in decision.reasons]), **wording)


def not_applicable(decision: Decision, d: Decisions, langs: Langs = LANGUAGES) -> NotApplicable:
    reasons = [reason_out(r, d.catalogue, langs) for r in decision.reasons]
    return _make(NotApplicable, **_head(decision.criterion, d, langs, reasons), overridden_by=decision.overridden_by)


def undetermined(decision: Decision, d: Decisions, langs: Langs = LANGUAGES) -> Undetermined:
    records = decision.reasons
    reasons = [reason_out(r, d.catalogue, langs) for r in records]
    missing = missing_facts(records)
    return _make(Undetermined, **_head(decision.criterion, d, langs, reasons), missing=missing)


def _regime_of(profile: TenderProfile | None) -> tuple[str, bool | None]:
    return ("classical", None) if profile is None else (profile.regime, profile.social_services)


def questions(
    items: Iterable[Undetermined], langs: Langs = LANGUAGES, profile: TenderProfile | None = None
) -> list[Question]:
    asked: dict[str, list[str]] = {}
    regime, social = _regime_of(profile)
    for u in items:
        for field_name in u.missing:
            asked.setdefault(asked_field(field_name, regime, social), []).append(u.id)
    return [
        _make(Question, field=f, text=_pick(question(f, regime), langs), criteria=sorted(set(ids)))
        for f, ids in sorted(asked.items())
    ]


def eforms(suggestions: Sequence[Suggestion | Criterion], accessibility_pending: bool) -> EformsAdvice:
    """The eForms values of what applies (suggestions, or the criteria they come from: both name the same)."""
    basis: dict[str, list[str]] = {}
    options: list[EformsOption] = []
    accessibility: list[str] = []
    strategic: set[str] = set()
    social: set[str] = set()
    reserved: list[str] = []
    for s in suggestions:
        e = s.eforms
        if e is None:
            continue
        if e.accessibility:  # never an option (is_eforms_option), so it needs no test here
            accessibility.append(e.accessibility)
            basis.setdefault("accessibility", []).append(s.id)
        # The option fields all follow one rule, so asking it for one of them answers for all three.
        if is_eforms_option(s.kind, s.status, "reserved_participation"):
            if e.reserved_participation:
                options.append(
                    _make(EformsOption, criterion=s.id, field="reserved_participation", value=e.reserved_participation)
                )
            for field in ("strategic_procurement", "social_objectives"):
                options.extend(_make(EformsOption, criterion=s.id, field=field, value=v) for v in getattr(e, field))
            continue
        if e.reserved_participation:
            reserved.append(e.reserved_participation)
            basis.setdefault("reserved_participation", []).append(s.id)
        for code in e.strategic_procurement:
            strategic.add(code)
            basis.setdefault("strategic_procurement", []).append(s.id)
        for code in e.social_objectives:
            social.add(code)
            basis.setdefault("social_objectives", []).append(s.id)
    if social:  # BT-775 social objectives are only given with BT-06 "soc-obj"
        strategic.add("soc-obj")
    access_value: str | None = None
    if "inc" in accessibility:
        access_value = "inc"
    elif accessibility:
        access_value = accessibility[0]
    if accessibility_pending and access_value != "inc":
        access_value = None
    return _make(
        EformsAdvice,
        accessibility=access_value,
        strategic_procurement=sorted(strategic),
        social_objectives=sorted(social),
        reserved_participation=reserved[0] if reserved else "none",
        basis={k: sorted(set(v)) for k, v in sorted(basis.items())},
        options=options,
    )


def derived_out(
    name: str, fact: DerivedFact, cat: Catalogue, estimated_value: Any, langs: Langs = LANGUAGES
) -> DerivedOut:
    """A derived fact in words; only the threshold comparison shows the tender's own (estimated) value."""
    comparison = None
    if name == "above_eu_threshold" and fact.parameter and fact.parameter_value is not None:
        # Show the comparison itself: "geraamde waarde € 450.000 ≥ Europese drempel € 216.000 (…)".
        comparison = render_reason(
            Reason(
                "derived/above_eu_threshold",
                "estimated_value_eur",
                "gte",
                estimated_value,
                fact.parameter_value.value,
                bool(fact.value),
                fact.parameter,
                fact.parameter_value,
            ),
            cat.parameter_labels,
            cat.list_labels,
            langs,
        )

    def say(lang: Lang) -> str:
        if comparison is not None:
            return f"{field_label(name, lang)}: {format_value(name, fact.value, lang)} ({comparison.get(lang)})"
        value = (
            format_value(name, fact.value, lang)
            if fact.value is not None
            else ("onbekend" if lang == "nl" else "unknown")
        )
        text = f"{field_label(name, lang)}: {value}"
        if fact.parameter_value is not None and fact.parameter:
            param = cat.parameters[fact.parameter]
            since = "geldig vanaf" if lang == "nl" else "in force from"
            text += (
                f" ({param.label.get(lang)} {format_value('eu_threshold_eur', fact.parameter_value.value, lang)}"
                f", {since} {format_date(fact.parameter_value.valid_from, lang)})"
            )
        return text

    return _make(
        DerivedOut,
        value=fact.value,
        inputs=list(fact.inputs),
        parameter=_parameter_use(fact.parameter, fact.parameter_value),
        text=_text(langs, say),
    )


def product_groups_out(d: Decisions, langs: Langs = LANGUAGES) -> DerivedOut | None:
    """The product groups the tender's CPV codes place it in, each with the code that placed it; and the groups its
    codes leave open (a code broader than the group's own), with the question that settles them. None when the
    catalogue has no product groups."""
    cat = d.catalogue
    if not cat.product_groups:
        return None
    cpv = d.profile.cpv
    placed = cat.groups_for(cpv) if cpv else []
    possible = cat.groups_possible(cpv) if cpv else []

    def name(group: str, lang: Lang) -> str:
        found = cat.product_groups[group].product_group
        return found.get(lang) if found else group

    def say(lang: Lang) -> str:
        label = "productgroepen" if lang == "nl" else "product groups"
        if not cpv:
            return f"{label}: {'onbekend (geen CPV-code)' if lang == 'nl' else 'unknown (no CPV code)'}"
        parts = [f"{name(g, lang)} (CPV {cpv_codes.describe(code, lang)})" for g, code, _ in placed]
        text = f"{label}: {'; '.join(parts) if parts else ('geen' if lang == 'nl' else 'none')}"
        if possible:
            open_ = ", ".join(f"{name(g, lang)} (CPV {code})" for g, code in possible)
            text += (
                f"; mogelijk ook {open_}: de code is breder dan die van de groep, geef een specifiekere CPV-code als "
                "het daarom gaat"
                if lang == "nl"
                else f"; possibly also {open_}: the code is broader than the group's, give a more specific CPV code "
                "if that is what it is"
            )
        return text

    return _make(
        DerivedOut,
        value=[g for g, _, _ in placed] if cpv else None,
        inputs=["cpv"],
        parameter=None,
        text=_text(langs, say),
    )


def catalogue_ref(cat: Catalogue) -> CatalogueRef:
    return _make(
        CatalogueRef,
        name=cat.info.name,
        version=cat.info.version,
        sha256=cat.sha256,
        layers=[
            {
                "name": lr.name,
                "version": lr.version,
                "sha256": lr.sha256,
                "added": list(lr.added),
                "replaced": list(lr.replaced),
                "withdrawn": list(lr.withdrawn),
                "parameters": list(lr.parameters),
                **({"replaced_sources": list(lr.replaced_sources)} if lr.replaced_sources else {}),
                **({"replaced_lists": list(lr.replaced_lists)} if lr.replaced_lists else {}),
            }
            for lr in cat.layers
        ],
    )


def _derived(d: Decisions, langs: Langs) -> dict[str, DerivedOut]:
    out = {
        # Only the threshold comparison shows the tender's value; every other line depends on the fact alone.
        name: derived_out(name, fact, d.catalogue, d.profile.estimated_value_eur, langs)
        if name == "above_eu_threshold"
        else _kept(
            d.catalogue,
            ("derived", name, fact, langs),
            lambda n=name, f=fact: derived_out(n, f, d.catalogue, None, langs),
        )
        for name, fact in d.derived.items()
    }
    groups = _kept(
        d.catalogue, ("product_groups", tuple(d.profile.cpv or ()), langs), lambda: product_groups_out(d, langs)
    )
    if groups is not None:
        out["product_groups"] = groups
    return dict(sorted(out.items()))


def document(d: Decisions, langs: Langs = LANGUAGES) -> AdviceDocument:
    """The whole advice in words: what applies (with wording and legal basis), what does not and why, what is
    still open and the question that settles it, the derived facts and the eForms values."""
    suggestions: list[Suggestion] = []
    not_applying: list[NotApplicable] = []
    open_items: list[Undetermined] = []
    overridden: list[NotApplicable] = []
    accessibility_pending = False
    for decision in d.decisions:
        if decision.truth is True:
            if decision.overridden_by is None:
                suggestions.append(suggestion(decision, d, langs))
            else:
                overridden.append(not_applicable(decision, d, langs))
        elif decision.truth is False:
            not_applying.append(not_applicable(decision, d, langs))
        else:
            open_items.append(undetermined(decision, d, langs))
            e = decision.criterion.eforms
            accessibility_pending = accessibility_pending or bool(e and e.accessibility)
    return _make(
        AdviceDocument,
        format=ADVICE_FORMAT,
        engine=ENGINE,
        catalogue=catalogue_ref(d.catalogue),
        on=d.on,
        tender=d.profile.model_dump(mode="json"),
        derived=_derived(d, langs),
        suggestions=suggestions,
        not_applicable=not_applying + overridden,
        undetermined=open_items,
        questions=questions(open_items, langs, d.profile),
        eforms=eforms(suggestions, accessibility_pending),
    )
