"""Reasons in words: each evaluated predicate rendered as a Dutch and an English sentence.

Sentences come from templates kept as data (``data/reasons.yaml``) and labels from ``data/vocabulary.yaml``,
so the reason *structure* is the contract and the words can be improved or translated without touching rules.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from inclusief_inkopen.base import cpv
from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.text import LANGUAGES, Lang, Text, format_date, format_eur, format_number, text_in
from inclusief_inkopen.rules.conditions import Reason

MONEY_FIELDS = frozenset({"estimated_value_eur", "eu_threshold_eur"})
PERCENT_FIELDS = frozenset({"labour_share"})


_data = packaged_data


def field_label(field: str, lang: Lang) -> str:
    label = _data("vocabulary")["fields"].get(field)
    return label[lang] if label else field


def value_label(value: Any, lang: Lang) -> str:
    key = str(value).lower() if isinstance(value, bool) else str(value)
    label = _data("vocabulary")["values"].get(key)
    return label[lang] if label else str(value)


def term_label(group: str, code: str, lang: Lang) -> str:
    """A theme, kind, phase or status of the catalogue as people read it (``themes``, ``kinds``, ``phases``,
    ``statuses`` in ``data/vocabulary.yaml``); the code itself where a layer brings one without a label."""
    label = _data("vocabulary")[group].get(code)
    return str(label[lang]) if label else code


def question(field: str, regime: str = "classical") -> Text:
    """What the buyer is asked to settle ``field``; a regime may ask it in its own words (defence: Annex II of
    Directive 2009/81/EC instead of the social and other specific services)."""
    vocabulary = _data("vocabulary")
    asked = vocabulary["ask_instead"].get(field, field)
    text = vocabulary["questions_by_regime"].get(regime, {}).get(asked) or vocabulary["questions"].get(asked)
    if text is None:
        return Text(nl=f"Vul '{field_label(asked, 'nl')}' in.", en=f"Please give '{field_label(asked, 'en')}'.")
    return Text(**text)


def asked_field(field: str, regime: str = "classical", social_services: bool | None = None) -> str:
    """The profile field a buyer fills in to settle an unknown (derived) fact. Under the classical regime the CPV
    code decides the threshold and the annex; under another regime the buyer's ``social_services`` does, as this
    package holds no CPV list of Annex XVII (utilities), Annex IV (concessions) or Annex II of Directive 2009/81/EC
    (defence)."""
    annex_open = field in _ANNEX_DECIDES or (field == "light_regime" and social_services is None)
    if regime != "classical" and annex_open:
        return "social_services"
    asked: str = _data("vocabulary")["ask_instead"].get(field, field)
    return asked


_ANNEX_DECIDES = frozenset({"above_eu_threshold", "eu_threshold_eur", "eu_threshold_kind", "annex_xiv_service"})


_COLLECTIONS = (list, tuple, set, frozenset)


def format_value(field: str, value: Any, lang: Lang) -> str:
    """A fact's value as a sentence shows it.

    >>> format_value("estimated_value_eur", 216000.0, "nl"), format_value("labour_share", 0.35, "en")
    ('€ 216.000', '35 %')
    >>> format_value("end_users", ["residents", "staff"], "en"), format_value("lots", True, "nl")
    ('residents, staff', 'ja')
    """
    cls = value.__class__
    # A number first (not a bool, whose class is its own): the advice writes one for every new tender.
    if cls is int or cls is float:
        return _number(field, value, lang)
    if value is None:
        return "?"
    if isinstance(value, _COLLECTIONS):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        if not items:
            return str(_data("reasons")["empty_list"][lang])
        if len(items) > 12:
            return ", ".join(format_value(field, v, lang) for v in items[:12]) + f" … (+{len(items) - 12})"
        return ", ".join(format_value(field, v, lang) for v in items)
    if field == "cpv" and isinstance(value, str):
        return cpv.describe(value, lang)  # the code alone where the list has no label
    if isinstance(value, (bool, str)):
        return value_label(value, lang)
    if field in MONEY_FIELDS or field in PERCENT_FIELDS or isinstance(value, int | float):
        return _number(field, value, lang)
    return format_date(value, lang)


def _number(field: str, value: Any, lang: Lang) -> str:
    if field in MONEY_FIELDS:
        return format_eur(value, lang)
    if field in PERCENT_FIELDS:
        return f"{format_number(round(value * 100, 2), lang)} %"
    return format_number(value, lang)


def render_reason(
    reason: Reason,
    parameter_labels: dict[str, Text] | None = None,
    list_labels: dict[str, Text] | None = None,
    langs: tuple[Lang, ...] = LANGUAGES,
) -> Text:
    templates = _data("reasons")
    texts: dict[str, str] = {}
    for lang in langs:
        field = field_label(reason.field, lang)
        if reason.holds is None:
            texts[lang] = templates["unknown"][lang].format(field=field)
            continue
        if reason.parameter and reason.parameter_value is not None:
            label = (parameter_labels or {}).get(reason.parameter)
            value = reason.parameter_value
            expected = _parameter_text(
                label.get(lang) if label else reason.parameter, reason.field, value.value, value.valid_from, lang
            )
        elif reason.parameter:  # a code list
            label = (list_labels or {}).get(reason.parameter)
            expected = label.get(lang) if label else reason.parameter
        else:
            expected = format_value(reason.field, reason.expected, lang)
        template: str = templates[reason.op][str(bool(reason.holds)).lower()][lang]
        # Only what the sentence shows is formatted: a reason is rendered for every tender that brings a new value.
        texts[lang] = template.format(
            field=field,
            actual=format_value(reason.field, reason.actual, lang) if "{actual}" in template else "",
            expected=expected,
            matched=format_value(reason.field, reason.matched, lang) if "{matched}" in template else "",
        )
    return text_in(texts)


@lru_cache(maxsize=1024)
def _parameter_text(label: str, field: str, value: Any, valid_from: object, lang: Lang) -> str:
    return str(
        _data("reasons")["parameter"][lang].format(
            label=label, value=format_value(field, value, lang), valid_from=format_date(valid_from, lang)
        )
    )
