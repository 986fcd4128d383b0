"""``evaluate(tender) -> Advice``: which criteria apply to a tender on a date, and why.

One evaluation path produces both the decision and its explanation: every criterion's compiled condition
returns its truth value with the predicates that decided it. Nothing here reads files; the catalogue is loaded
once and passed in (or the built-in one is used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from . import __version__
from .advice import (
    Advice,
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
from .catalogue import STATUS_ORDER, Catalogue, CompiledCriterion, Criterion
from .conditions import Context, Reason
from .errors import EvaluationError, Problem
from .explain import asked_field, field_label, format_value, question, render_reason
from .facts import ANNEX_XIV_LIST, REQUIRED_PARAMETERS, DerivedFact, derive
from .parameters import ParameterValue
from .placeholders import substitute
from .profile import TenderProfile, parse_tender
from .text import LANGUAGES, Text, format_date

_Item = TypeVar("_Item", Suggestion, NotApplicable, Undetermined)
_T = TypeVar("_T")

THEME_ORDER = {
    theme: i
    for i, theme in enumerate(Criterion.model_fields["theme"].annotation.__args__)  # type: ignore[union-attr]
}


def parameter_values(catalogue: Catalogue, on: dt.date, names: set[str] | frozenset[str]) -> dict[str, ParameterValue]:
    """The values in force on ``on``; a parameter with none is an error that names its file and validity."""
    values: dict[str, ParameterValue] = {}
    problems = []
    for name in sorted(names):
        value = catalogue.parameters[name].value_at(on)
        if value is None:
            problems.append(
                Problem(
                    f"{catalogue.root}/parameters/{name}.yaml" if catalogue.root else name,
                    "values",
                    f"no value in force on {on.isoformat()}; the parameter holds "
                    f"{catalogue.parameters[name].validity()}",
                )
            )
        else:
            values[name] = value
    if problems:
        raise EvaluationError(problems)
    return values


def _parameter_use(name: str | None, value: ParameterValue | None) -> ParameterUse | None:
    if name is None or value is None:
        return None
    return ParameterUse(name=name, value=value.value, valid_from=value.valid_from, source=value.source)


def _reason_out(r: Reason, catalogue: Catalogue) -> ReasonOut:
    expected = r.expected
    if isinstance(expected, frozenset):  # a code list: name it rather than print thousands of codes
        expected = {"list": r.parameter}
    elif isinstance(expected, tuple):
        expected = list(expected)
    return ReasonOut(
        path=r.path,
        field=r.field,
        op=r.op,
        actual=list(r.actual) if isinstance(r.actual, tuple) else r.actual,
        expected=expected,
        holds=r.holds,
        parameter=_parameter_use(r.parameter, r.parameter_value),
        matched=list(r.matched),
        text=render_reason(r, catalogue.parameter_labels, catalogue.list_labels),
    )


# Remembered renderings per catalogue; bounded so that a long batch over varied tenders cannot grow it forever.
_MEMO_LIMIT = 20_000


def _remember(cat: Catalogue, key: Any, build: Callable[[], _T]) -> _T:
    """``build()``, remembered in the catalogue's memo under ``key``.

    Only for values that are immutable (frozen models, or copied by the caller) and depend on nothing but the
    key and the catalogue. A key holding an unhashable fact value is built every time.
    """
    try:
        found: _T | None = cat.memo.get(key)
    except TypeError:
        return build()
    if found is None:
        if len(cat.memo) > _MEMO_LIMIT:
            cat.memo.clear()
        found = cat.memo[key] = build()
    return found


def _reasons(reasons: list[Reason], catalogue: Catalogue) -> list[ReasonOut]:
    # Tenders share most predicate outcomes (the same field value against the same rule), and a rendered
    # reason is an immutable model, so one rendering serves every advice that has the same reason.
    return [_remember(catalogue, r, lambda r=r: _reason_out(r, catalogue)) for r in reasons]


def _derived_out(name: str, fact: DerivedFact, catalogue: Catalogue, value_eur: float) -> DerivedOut:
    comparison = None
    if name == "above_eu_threshold" and fact.parameter and fact.parameter_value is not None:
        # Show the comparison itself: "geraamde waarde € 450.000 ≥ Europese drempel € 216.000 (…)".
        threshold = fact.parameter_value.value
        comparison = render_reason(
            Reason(
                "derived/above_eu_threshold",
                "estimated_value_eur",
                "gte",
                value_eur,
                threshold,
                bool(fact.value),
                fact.parameter,
                fact.parameter_value,
            ),
            catalogue.parameter_labels,
        )
    texts = {}
    for lang in LANGUAGES:
        if comparison is not None:
            texts[lang] = f"{field_label(name, lang)}: {format_value(name, fact.value, lang)} ({comparison.get(lang)})"
            continue
        value = (
            format_value(name, fact.value, lang)
            if fact.value is not None
            else ("onbekend" if lang == "nl" else "unknown")
        )
        text = f"{field_label(name, lang)}: {value}"
        if fact.parameter_value is not None and fact.parameter:
            param = catalogue.parameters[fact.parameter]
            since = "geldig vanaf" if lang == "nl" else "in force from"
            text += (
                f" ({param.label.get(lang)} {format_value('eu_threshold_eur', fact.parameter_value.value, lang)}"
                f", {since} {format_date(fact.parameter_value.valid_from, lang)})"
            )
        texts[lang] = text
    return DerivedOut(
        value=fact.value,
        inputs=list(fact.inputs),
        parameter=_parameter_use(fact.parameter, fact.parameter_value),
        text=Text(**texts),
    )


def fill(text: Text, catalogue: Catalogue, on: dt.date) -> Text:
    """Put the parameter values in force into a text's {{name}} placeholders."""
    if "{{" not in text.nl and "{{" not in text.en:
        return text
    return Text(**{lang: substitute(text.get(lang), catalogue.parameters, on, lang) for lang in LANGUAGES})


def _legal_basis(criterion: Criterion, catalogue: Catalogue) -> list[LegalBasisOut]:
    return list(_remember(catalogue, ("legal_basis", criterion.id), lambda: _build_legal_basis(criterion, catalogue)))


def _build_legal_basis(criterion: Criterion, catalogue: Catalogue) -> list[LegalBasisOut]:
    out = []
    for ref in criterion.legal_basis:
        source = catalogue.sources[ref.source]
        title = source.title
        if ref.article:
            title = Text(nl=f"{title.nl}, art. {ref.article}", en=f"{title.en}, art. {ref.article}")
        out.append(
            LegalBasisOut(
                source=ref.source, kind=source.kind, article=ref.article, title=title, url=ref.url or source.url
            )
        )
    return out


def _eforms(suggestions: list[Suggestion], accessibility_pending: bool) -> EformsAdvice:
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
        # A recommended procedure choice is an option: its codes hold only if the buyer takes it.
        if s.kind == "procedure" and s.status == "recommended":
            for field in ("accessibility", "reserved_participation"):
                value = getattr(e, field)
                if value:
                    options.append(EformsOption(criterion=s.id, field=field, value=value))
            for field in ("strategic_procurement", "social_objectives"):
                options.extend(EformsOption(criterion=s.id, field=field, value=v) for v in getattr(e, field))
            continue
        if e.accessibility:
            accessibility.append(e.accessibility)
            basis.setdefault("accessibility", []).append(s.id)
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
    return EformsAdvice(
        accessibility=access_value,  # type: ignore[arg-type]
        strategic_procurement=sorted(strategic),
        social_objectives=sorted(social),
        reserved_participation=reserved[0] if reserved else "none",  # type: ignore[arg-type]
        basis={k: sorted(set(v)) for k, v in sorted(basis.items())},
        options=options,
    )


def _default_catalogue() -> Catalogue:
    from .loader import load_catalogue

    return load_catalogue(trust_cache=True)


def context_for(
    profile: TenderProfile, cat: Catalogue, when: dt.date, in_force: list[CompiledCriterion] | None = None
) -> tuple[Context, dict[str, DerivedFact]]:
    """What the rules read for this tender on this date: its fields, the derived facts and the parameters."""
    needed = set(REQUIRED_PARAMETERS)
    for c in cat.criteria.values() if in_force is None else in_force:
        needed |= c.parameters
    params = parameter_values(cat, when, needed)
    derived = derive(profile, params, cat.lists[ANNEX_XIV_LIST])
    # Lists become tuples so that reasons holding them can be remembered (see _reasons).
    facts: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in profile.__dict__.items()}
    facts.update((name, fact.value) for name, fact in derived.items())
    return Context(facts, params, cat.lists), derived


def _head(crit: Criterion, cat: Catalogue, when: dt.date) -> dict[str, Any]:
    """The fields every advice item shows about its criterion."""
    return _remember(
        cat,
        ("head", crit.id, when),
        lambda: {
            "id": crit.id,
            "theme": crit.theme,
            "kind": crit.kind,
            "status": crit.status,
            "ambition": crit.ambition,
            "title": fill(crit.title, cat, when),
        },
    )


def _build_item(
    model: type[_Item], crit: Criterion, reasons: list[Reason], cat: Catalogue, when: dt.date, overridden_by: str | None
) -> _Item:
    head = _head(crit, cat, when)
    if model is Suggestion:
        return model(
            **head,
            text=fill(crit.text, cat, when),
            legal_basis=_legal_basis(crit, cat),
            verification=crit.verification,
            roles=crit.roles,
            phase=crit.phase,
            eforms=crit.eforms,
            notes=crit.notes,
            reasons=_reasons(reasons, cat),
        )
    if model is Undetermined:
        missing = sorted({r.field for r in reasons if r.holds is None})
        return model(**head, missing=missing, reasons=_reasons(reasons, cat))
    return model(**head, reasons=_reasons(reasons, cat), overridden_by=overridden_by)


def _item(
    model: type[_Item],
    crit: Criterion,
    reasons: list[Reason],
    cat: Catalogue,
    when: dt.date,
    overridden_by: str | None = None,
) -> _Item:
    """One advice item; the same criterion with the same reasons on the same date is the same (immutable) item."""
    key = (model, crit.id, when, overridden_by, tuple(reasons))
    return _remember(cat, key, lambda: _build_item(model, crit, reasons, cat, when, overridden_by))


def _sort_key(c: CompiledCriterion) -> tuple[int, int, str]:
    crit = c.criterion
    return STATUS_ORDER[crit.status], THEME_ORDER[crit.theme], crit.id


def evaluate(
    tender: TenderProfile | dict[str, Any],
    catalogue: Catalogue | None = None,
    on: dt.date | None = None,
) -> Advice:
    """Evaluate every criterion in force on ``on`` for the tender.

    ``on`` defaults to the tender's planned publication date, else today.
    """
    profile = parse_tender(tender)
    cat = catalogue or _default_catalogue()
    when = on or profile.planned_publication or dt.date.today()

    in_force = [c for c in cat.criteria.values() if c.criterion.in_force(when)]
    ctx, derived = context_for(profile, cat, when, in_force)

    applying: list[tuple[CompiledCriterion, list[Reason]]] = []
    not_applicable: list[NotApplicable] = []
    undetermined: list[Undetermined] = []
    accessibility_pending = False
    for c in sorted(in_force, key=_sort_key):
        truth, reasons = c.evaluate(ctx)
        crit = c.criterion
        if truth is True:
            applying.append((c, reasons))
        elif truth is False:
            not_applicable.append(_item(NotApplicable, crit, reasons, cat, when))
        else:
            undetermined.append(_item(Undetermined, crit, reasons, cat, when))
            accessibility_pending = accessibility_pending or bool(crit.eforms and crit.eforms.accessibility)

    overridden = {o: c.criterion.id for c, _ in applying for o in c.criterion.overrides}
    suggestions = []
    for c, reasons in applying:
        crit = c.criterion
        if crit.id in overridden:
            not_applicable.append(_item(NotApplicable, crit, reasons, cat, when, overridden[crit.id]))
        else:
            suggestions.append(_item(Suggestion, crit, reasons, cat, when))

    asked: dict[str, list[str]] = {}
    for u in undetermined:
        for field in u.missing:
            asked.setdefault(asked_field(field), []).append(u.id)
    questions = [Question(field=f, text=question(f), criteria=sorted(set(ids))) for f, ids in sorted(asked.items())]

    return Advice(
        engine={"name": "inclusief-inkopen", "version": __version__},
        catalogue=CatalogueRef(
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
                }
                for lr in cat.layers
            ],
        ),
        on=when,
        tender=profile.model_dump(mode="json"),
        derived={
            name: _derived_out(name, fact, cat, profile.estimated_value_eur) for name, fact in sorted(derived.items())
        },
        suggestions=suggestions,
        not_applicable=not_applicable,
        undetermined=undetermined,
        questions=questions,
        eforms=_eforms(suggestions, accessibility_pending),
    )
