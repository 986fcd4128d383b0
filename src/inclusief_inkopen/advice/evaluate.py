"""``evaluate(tender) -> Advice``: which criteria apply to a tender on a date, and why, said when read.

``evaluate`` decides (``rules.decide``) and returns an ``Advice`` that holds the decisions. The words (titles,
wording, legal references, reason sentences, in Dutch and English) are put to them the first time the advice is
read or serialised (``advice.words``), and only in the languages asked for: ``advice.to_json(lang="nl")`` is a
smaller document than the default one with both.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from inclusief_inkopen.advice import json_out, words
from inclusief_inkopen.advice.model import (
    ADVICE_FORMAT,
    AdviceDocument,
    CatalogueRef,
    DerivedOut,
    EformsAdvice,
    NotApplicable,
    Question,
    Suggestion,
    Undetermined,
)
from inclusief_inkopen.base.text import LANGUAGES, Lang
from inclusief_inkopen.rules.catalogue import Catalogue
from inclusief_inkopen.rules.catalogues import default_catalogue
from inclusief_inkopen.rules.decide import Decisions, decide
from inclusief_inkopen.tender.profile import TenderProfile, parse_tender


class Advice:
    """Everything the rules say about one tender on one date.

    ``decisions`` is what was decided; every other attribute is the advice in words (both languages), made from
    the decisions when first read. ``to_json()`` is the published, canonical JSON (``advice.model``).
    """

    format = ADVICE_FORMAT

    def __init__(self, decisions: Decisions) -> None:
        self.decisions: Decisions | None = decisions

    @classmethod
    def from_document(cls, document: AdviceDocument) -> Advice:
        """An advice read back from its words alone (from JSON, or from another process): ``decisions`` is None."""
        advice = cls.__new__(cls)
        advice.decisions = None
        advice.__dict__["document"] = document
        return advice

    def __reduce__(self) -> tuple[Any, ...]:
        # The decisions hold the catalogue and its compiled program; what travels is the advice in words.
        return (Advice.from_document, (self.document,))

    @property
    def on(self) -> dt.date:
        return self.decisions.on if self.decisions is not None else self.document.on

    @cached_property
    def document(self) -> AdviceDocument:
        """The advice in both languages, as the model of its published JSON."""
        assert self.decisions is not None  # an advice from a document has its document already
        return words.document(self.decisions)

    def in_language(self, lang: Lang) -> AdviceDocument:
        """The advice with every text in one language only."""
        if self.decisions is None:
            raise ValueError("an advice read back from its document has both languages only")
        return words.document(self.decisions, (lang,))

    @property
    def engine(self) -> dict[str, str]:
        return words.ENGINE

    @property
    def catalogue(self) -> CatalogueRef:
        return self.document.catalogue

    @property
    def tender(self) -> dict[str, Any]:
        if self.decisions is None:
            return self.document.tender
        return self.decisions.profile.model_dump(mode="json")

    @property
    def derived(self) -> dict[str, DerivedOut]:
        return self.document.derived

    @property
    def suggestions(self) -> list[Suggestion]:
        return self.document.suggestions

    @property
    def not_applicable(self) -> list[NotApplicable]:
        return self.document.not_applicable

    @property
    def undetermined(self) -> list[Undetermined]:
        return self.document.undetermined

    @property
    def questions(self) -> list[Question]:
        return self.document.questions

    @property
    def eforms(self) -> EformsAdvice:
        return self.document.eforms

    def suggestion_ids(self) -> list[str]:
        """The criteria that apply, in advice order; no words are made for this."""
        if self.decisions is None:
            return [s.id for s in self.document.suggestions]
        return self.decisions.ids()

    def to_json(self, indent: int | None = 2, lang: Lang | None = None) -> str:
        """Canonical JSON: the same tender, catalogue and date always give the same bytes. With ``lang``, every
        text is in that language only."""
        if self.decisions is None:
            if lang is not None:
                raise ValueError("an advice read back from its document has both languages only")
            return self.document.model_dump_json(indent=indent)
        if lang is None and "document" in self.__dict__:
            return self.document.model_dump_json(indent=indent)
        # Written from the pieces kept per catalogue (advice.json_out): the same bytes as the document's own JSON.
        return json_out.advice_json(self.decisions, LANGUAGES if lang is None else (lang,), indent)

    def to_json_bytes(self, indent: int | None = 2, lang: Lang | None = None) -> bytes:
        """``to_json`` as UTF-8, made from pieces kept as UTF-8: for a response or a file, without encoding the
        whole text each time."""
        if self.decisions is None or (lang is None and "document" in self.__dict__):
            return self.to_json(indent, lang).encode()
        return json_out.advice_json_bytes(self.decisions, LANGUAGES if lang is None else (lang,), indent)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return self.document.model_dump(**kwargs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Advice):
            return self.document == other.document
        if isinstance(other, AdviceDocument):
            return self.document == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Advice on {self.on}: {', '.join(self.suggestion_ids()) or 'nothing applies'}>"


def evaluate(
    tender: TenderProfile | dict[str, Any],
    catalogue: Catalogue | None = None,
    on: dt.date | None = None,
) -> Advice:
    """Evaluate every criterion in force on ``on`` for the tender.

    ``on`` defaults to the tender's planned publication date, else today. Without a catalogue, the built-in one
    is used (loaded and rule-tested once per process).
    """
    profile = parse_tender(tender)
    cat = catalogue or default_catalogue()
    return Advice(decide(profile, cat, on or profile.planned_publication or dt.date.today()))
