"""The advice: what ``evaluate`` returns, with a stable JSON form that tender tooling can rely on.

Field names and codes here are the public contract; change them only with a new ``format`` version.
"""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.base.text import Text
from inclusief_inkopen.rules.catalogue import Eforms, Kind, Phase, Role, Status, Theme

ADVICE_FORMAT = "inclusief-inkopen/advice/v1"


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class ParameterUse(_Model):
    """A parameter as read on the evaluation date: its value, since when, and who says so."""

    name: str
    value: Any
    valid_from: dt.date
    source: str | None


class ReasonOut(_Model):
    """One predicate of a rule as evaluated for this tender."""

    path: str
    field: str
    op: str
    actual: Any
    expected: Any
    holds: bool | None
    parameter: ParameterUse | None = None
    matched: list[Any] = []
    text: Text


class LegalBasisOut(_Model):
    source: str
    kind: str
    article: str | None
    title: Text
    url: str


class _CriterionHead(_Model):
    id: str
    theme: Theme
    kind: Kind
    status: Status
    ambition: int
    title: Text


class Suggestion(_CriterionHead):
    """A criterion that applies: what to put in the tender, why, and on what legal basis."""

    text: Text
    legal_basis: list[LegalBasisOut]
    verification: Text
    roles: list[Role]
    phase: Phase
    eforms: Eforms | None
    notes: Text | None
    reasons: list[ReasonOut]


class NotApplicable(_CriterionHead):
    """A criterion that does not apply, with the predicates that decided it (for comply or explain).

    ``overridden_by`` names the criterion that takes its place when its own condition did hold.
    """

    reasons: list[ReasonOut]
    overridden_by: str | None = None


class Undetermined(_CriterionHead):
    """A criterion that may apply: the tender leaves out facts it needs."""

    missing: list[str]
    reasons: list[ReasonOut]


class Question(_Model):
    """A fact to ask the buyer, and the criteria that wait for the answer."""

    field: str
    text: Text
    criteria: list[str]


class DerivedOut(_Model):
    value: Any
    inputs: list[str]
    parameter: ParameterUse | None = None
    text: Text


class EformsOption(_Model):
    criterion: str
    field: str
    value: str


class EformsAdvice(_Model):
    """The values the notice should carry (eForms business terms)."""

    accessibility: Literal["inc", "n-inc", "n-inc-just"] | None
    strategic_procurement: list[str]
    social_objectives: list[str]
    reserved_participation: Literal["none", "res-ws", "res-pub-ser"]
    basis: dict[str, list[str]]
    options: list[EformsOption]


class CatalogueRef(_Model):
    name: str
    version: str
    sha256: str
    layers: list[dict[str, Any]]


class AdviceDocument(_Model):
    """Everything the rules say about one tender on one date."""

    format: Literal["inclusief-inkopen/advice/v1"] = ADVICE_FORMAT
    engine: dict[str, str]
    catalogue: CatalogueRef
    on: dt.date
    tender: dict[str, Any]
    derived: dict[str, DerivedOut]
    suggestions: list[Suggestion]
    not_applicable: list[NotApplicable]
    undetermined: list[Undetermined]
    questions: list[Question]
    eforms: EformsAdvice
