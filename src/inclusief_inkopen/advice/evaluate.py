"""``evaluate(tender) -> Advice``: which criteria apply to a tender on a date, and why.

One evaluation path produces both the decision and its explanation: every criterion's compiled condition
returns its truth value with the predicates that decided it. Nothing here reads files; the catalogue is loaded
once and passed in (or the built-in one is used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from inclusief_inkopen.advice.model import (
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
from inclusief_inkopen.advice.reasons import asked_field, field_label, format_value, question, render_reason
from inclusief_inkopen.base.errors import EvaluationError, Problem
from inclusief_inkopen.base.parameters import ParameterValue
from inclusief_inkopen.base.text import LANGUAGES, Text, format_date
from inclusief_inkopen.base.version import __version__
from inclusief_inkopen.rules.catalogue import STATUS_ORDER, Catalogue, CompiledCriterion, Criterion, is_eforms_option
from inclusief_inkopen.rules.conditions import Context, Reason, Truth
from inclusief_inkopen.rules.placeholders import substitute
from inclusief_inkopen.tender.facts import FIELDS, REQUIRED_PARAMETERS, DerivedFact, derive
from inclusief_inkopen.tender.profile import TenderProfile, parse_tender

_Item = TypeVar("_Item", Suggestion, NotApplicable, Undetermined)
_T = TypeVar("_T")

_ENGINE = {"name": "inclusief-inkopen", "version": __version__}
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


@lru_cache(maxsize=1024)
def _parameter_use(name: str | None, value: ParameterValue | None) -> ParameterUse | None:
    if name is None or value is None:
        return None
    return ParameterUse(name=name, value=value.value, valid_from=value.valid_from, source=value.source)


def _reason_out(r: Reason, memo: dict[Any, Any], catalogue: Catalogue) -> ReasonOut:
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
        text=_sentence(r, memo, catalogue),
    )


def _sentence(r: Reason, memo: dict[Any, Any], catalogue: Catalogue) -> Text:
    """A reason in words; reasons that say the same of the same fact share one rendering, whatever their path."""
    key = ("sentence", r.field, r.op, r.actual, r.expected, r.holds, r.parameter, r.parameter_value, r.matched)
    return _remember(memo, key, lambda: render_reason(r, catalogue.parameter_labels, catalogue.list_labels))


# Remembered outcomes and renderings are bounded, so that a long batch over varied tenders cannot grow them forever.
_MEMO_LIMIT = 20_000
_SEEN_LIMIT = 4_096
_PLAN_LIMIT = 64
# After this many tenders, a rule that missed for more than this share of them is no longer remembered.
_REVIEW_AFTER = 256
_NO_REPEATS = 0.9


def _remember(memo: dict[Any, Any], key: Any, build: Callable[[], _T]) -> _T:
    """``build()``, remembered in ``memo`` under ``key``.

    Only for values that are immutable (frozen models, or copied by the caller) and depend on nothing but the
    key and what the memo belongs to (a catalogue, or a catalogue on one date).
    """
    found: _T | None = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        found = memo[key] = build()
    return found


def _reasons(reasons: list[Reason], memo: dict[Any, Any], catalogue: Catalogue) -> list[ReasonOut]:
    # Criteria with the same predicate on the same fact share one rendering. The type is part of the key:
    # 500000 and 500000.0 are equal in Python, but not the same JSON.
    return [
        _remember(memo, ("reason", r, r.actual.__class__), lambda r=r: _reason_out(r, memo, catalogue)) for r in reasons
    ]


def _derived_out(
    name: str, fact: DerivedFact, memo: dict[Any, Any], catalogue: Catalogue, value_eur: float
) -> DerivedOut:
    comparison = None
    if name == "above_eu_threshold" and fact.parameter and fact.parameter_value is not None:
        # Show the comparison itself: "geraamde waarde € 450.000 ≥ Europese drempel € 216.000 (…)".
        threshold = fact.parameter_value.value
        comparison = _sentence(
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
            memo,
            catalogue,
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


@lru_cache(maxsize=4096)
def _option(criterion: str, field: str, value: str) -> EformsOption:
    return EformsOption(criterion=criterion, field=field, value=value)


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
        if e.accessibility:  # never an option (is_eforms_option), so it needs no test here
            accessibility.append(e.accessibility)
            basis.setdefault("accessibility", []).append(s.id)
        # The option fields all follow one rule, so asking it for one of them answers for all three.
        if is_eforms_option(s.kind, s.status, "reserved_participation"):
            if e.reserved_participation:
                options.append(_option(s.id, "reserved_participation", e.reserved_participation))
            for field in ("strategic_procurement", "social_objectives"):
                options.extend(_option(s.id, field, v) for v in getattr(e, field))
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
    return EformsAdvice(
        accessibility=access_value,  # type: ignore[arg-type]
        strategic_procurement=sorted(strategic),
        social_objectives=sorted(social),
        reserved_participation=reserved[0] if reserved else "none",  # type: ignore[arg-type]
        basis={k: sorted(set(v)) for k, v in sorted(basis.items())},
        options=options,
    )


def _default_catalogue() -> Catalogue:
    from inclusief_inkopen.rules.loader import load_catalogue

    return load_catalogue(trust_cache=True)


def _facts(
    profile: TenderProfile, cat: Catalogue, params: dict[str, ParameterValue]
) -> tuple[dict[str, Any], dict[str, DerivedFact]]:
    derived = derive(profile, params, cat.lists)
    # Lists become tuples so that facts can be remembered by value (see _Rule.seen).
    facts: dict[str, Any] = {k: tuple(v) if v.__class__ is list else v for k, v in profile.__dict__.items()}
    facts.update((name, fact.value) for name, fact in derived.items())
    return facts, derived


def _parameters_for(cat: Catalogue, when: dt.date, criteria: Iterable[CompiledCriterion]) -> dict[str, ParameterValue]:
    """The values in force of the parameters these criteria and the derived facts read."""
    needed = set(REQUIRED_PARAMETERS)
    for c in criteria:
        needed |= c.parameters
    return parameter_values(cat, when, needed)


def context_for(
    profile: TenderProfile, cat: Catalogue, when: dt.date, in_force: list[CompiledCriterion] | None = None
) -> tuple[Context, dict[str, DerivedFact]]:
    """What the rules read for this tender on this date: its fields, the derived facts and the parameters."""
    params = _parameters_for(cat, when, cat.criteria.values() if in_force is None else in_force)
    facts, derived = _facts(profile, cat, params)
    return Context(facts, params, cat.lists), derived


class _Outcome(NamedTuple):
    """A criterion's verdict for one set of fact values, and its advice item unless another criterion overrides it."""

    truth: Truth
    reasons: list[Reason]
    item: Suggestion | NotApplicable | Undetermined


class _Rule:
    """A criterion in force, with its outcomes remembered by the values of the facts its condition reads.

    Those values, with the date, decide the verdict, the reasons and the item, so a tender that agrees with an
    earlier one on them gets the same (immutable) item without evaluating or rendering anything again.
    """

    __slots__ = ("compiled", "misses", "pending_accessibility", "remember", "seen", "values")

    def __init__(self, compiled: CompiledCriterion) -> None:
        self.compiled = compiled
        self.values: Callable[[Mapping[str, Any]], Any] = itemgetter(*sorted(compiled.reads))
        self.pending_accessibility = bool(compiled.criterion.eforms and compiled.criterion.eforms.accessibility)
        self.seen: dict[Any, _Outcome] = {}
        self.remember = True
        self.misses = 0


class _Plan:
    """What evaluating on one date needs, worked out once per catalogue and date."""

    __slots__ = ("catalogue", "evaluations", "memo", "params", "rules", "when")

    def __init__(
        self, when: dt.date, params: dict[str, ParameterValue], rules: list[_Rule], catalogue: CatalogueRef
    ) -> None:
        self.when = when
        self.params = params
        self.rules = rules
        self.catalogue = catalogue
        self.memo: dict[Any, Any] = {}
        self.evaluations = 0


# Facts that are numbers: 500000 and 500000.0 are equal (and equal keys) in Python, but not the same JSON.
_NUMBER_FACTS = frozenset(name for name, spec in FIELDS.items() if spec.type == "number")


def _keyed(facts: dict[str, Any]) -> dict[str, Any]:
    keyed = facts.copy()
    for name in _NUMBER_FACTS:
        value = keyed.get(name)
        if value.__class__ is float:
            keyed[name] = (float, value)
    return keyed


def _sort_key(c: CompiledCriterion) -> tuple[int, int, str]:
    crit = c.criterion
    return STATUS_ORDER[crit.status], THEME_ORDER[crit.theme], crit.id


def _catalogue_ref(cat: Catalogue) -> CatalogueRef:
    return CatalogueRef(
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
    )


def _plan(cat: Catalogue, when: dt.date) -> _Plan:
    plans: dict[dt.date, _Plan] = cat.memo.setdefault("plans", {})
    plan = plans.get(when)
    if plan is not None:
        return plan
    in_force = sorted((c for c in cat.criteria.values() if c.criterion.in_force(when)), key=_sort_key)
    plan = _Plan(
        when=when,
        params=_parameters_for(cat, when, in_force),
        rules=[_Rule(c) for c in in_force],
        catalogue=_catalogue_ref(cat),
    )
    if len(plans) >= _PLAN_LIMIT:
        plans.clear()
    plans[when] = plan
    return plan


def _template(model: type[_Item], crit: Criterion, plan: _Plan, cat: Catalogue, overridden_by: str | None) -> _Item:
    """The item of a criterion on the plan's date with everything but what depends on the tender."""
    when = plan.when
    head: dict[str, Any] = {
        "id": crit.id,
        "theme": crit.theme,
        "kind": crit.kind,
        "status": crit.status,
        "ambition": crit.ambition,
        "title": fill(crit.title, cat, when),
        "reasons": [],
    }
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
        )
    if model is Undetermined:
        return model(**head, missing=[])
    return model(**head, overridden_by=overridden_by)


def _item(
    model: type[_Item],
    crit: Criterion,
    reasons: list[Reason],
    plan: _Plan,
    cat: Catalogue,
    overridden_by: str | None,
) -> _Item:
    template = _remember(
        plan.memo, ("template", model, crit.id, overridden_by), lambda: _template(model, crit, plan, cat, overridden_by)
    )
    # The template was validated when it was built and the reasons are validated models, so a copy is safe.
    update: dict[str, Any] = {"reasons": _reasons(reasons, plan.memo, cat)}
    if model is Undetermined:
        update["missing"] = sorted({r.field for r in reasons if r.holds is None})
    return template.model_copy(update=update)


def _outcome(rule: _Rule, ctx: Context, plan: _Plan, cat: Catalogue) -> _Outcome:
    truth, reasons = rule.compiled.evaluate(ctx)
    model: type[Suggestion | NotApplicable | Undetermined] = (
        Suggestion if truth is True else NotApplicable if truth is False else Undetermined
    )
    return _Outcome(truth, reasons, _item(model, rule.compiled.criterion, reasons, plan, cat, None))


def _review(plan: _Plan) -> None:
    """Stop remembering the outcomes of rules whose outcomes do not repeat.

    A rule that reads the estimated value gets a new key from nearly every tender: remembering its outcomes
    costs memory and garbage-collection time and never pays back.
    """
    for rule in plan.rules:
        if rule.remember and rule.misses > _REVIEW_AFTER * _NO_REPEATS:
            rule.remember = False
            rule.seen.clear()


def _questions(undetermined: list[Undetermined]) -> list[Question]:
    asked: dict[str, list[str]] = {}
    for u in undetermined:
        for field_name in u.missing:
            asked.setdefault(asked_field(field_name), []).append(u.id)
    return [Question(field=f, text=question(f), criteria=sorted(set(ids))) for f, ids in sorted(asked.items())]


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
    plan = _plan(cat, on or profile.planned_publication or dt.date.today())
    facts, derived = _facts(profile, cat, plan.params)
    ctx = Context(facts, plan.params, cat.lists)
    keyed = _keyed(facts)

    applying: list[tuple[_Rule, _Outcome]] = []
    not_applicable: list[NotApplicable] = []
    undetermined: list[Undetermined] = []
    accessibility_pending = False
    for rule in plan.rules:
        key = rule.values(keyed)
        if rule.remember:
            outcome = rule.seen.get(key)
            if outcome is None:
                rule.misses += 1
                outcome = _outcome(rule, ctx, plan, cat)
                if len(rule.seen) >= _SEEN_LIMIT:
                    rule.seen.clear()
                rule.seen[key] = outcome
        else:
            outcome = _outcome(rule, ctx, plan, cat)
        if outcome.truth is True:
            applying.append((rule, outcome))
        elif outcome.truth is False:
            not_applicable.append(outcome.item)  # type: ignore[arg-type]
        else:
            undetermined.append(outcome.item)  # type: ignore[arg-type]
            accessibility_pending = accessibility_pending or rule.pending_accessibility
    plan.evaluations += 1
    if plan.evaluations == _REVIEW_AFTER:
        _review(plan)

    overridden = {o: rule.compiled.criterion.id for rule, _ in applying for o in rule.compiled.criterion.overrides}
    suggestions: list[Suggestion] = []
    for rule, outcome in applying:
        crit = rule.compiled.criterion
        by = overridden.get(crit.id)
        if by is None:
            suggestions.append(outcome.item)  # type: ignore[arg-type]
        else:  # rare, and the template and rendered reasons are reused, so not remembered on its own
            not_applicable.append(_item(NotApplicable, crit, outcome.reasons, plan, cat, by))

    value_eur = profile.estimated_value_eur
    return Advice(
        engine=_ENGINE,
        catalogue=plan.catalogue,
        on=plan.when,
        tender=profile.model_dump(mode="json"),
        derived={
            # Only the threshold comparison shows the tender's value; every other line depends on the fact alone.
            name: _derived_out(name, fact, plan.memo, cat, value_eur)
            if name == "above_eu_threshold"
            else _remember(
                plan.memo,
                ("derived", name, fact),
                lambda name=name, fact=fact: _derived_out(name, fact, plan.memo, cat, value_eur),
            )
            for name, fact in sorted(derived.items())
        },
        suggestions=suggestions,
        not_applicable=not_applicable,
        undetermined=undetermined,
        questions=_remember(
            plan.memo, ("questions", *((u.id, *u.missing) for u in undetermined)), lambda: _questions(undetermined)
        )
        if undetermined
        else [],
        eforms=_remember(
            plan.memo,
            ("eforms", accessibility_pending, *(s.id for s in suggestions)),
            lambda: _eforms(suggestions, accessibility_pending),
        ),
    )
