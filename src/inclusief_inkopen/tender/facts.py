"""The facts rules can read: the tender's own fields plus facts derived from them once.

Derived facts hold the law's arithmetic (which EU threshold applies, whether the result is used by natural
persons) so that rules stay declarative. Each derived fact records the inputs and the parameter it read, so the
advice can show why it holds.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from inclusief_inkopen.base.parameters import ParameterValue
from inclusief_inkopen.tender.profile import TenderProfile

FieldType = Literal["enum", "enum_list", "number", "bool", "cpv_list", "text", "date"]


class FieldSpec(NamedTuple):
    name: str
    type: FieldType
    values: tuple[str, ...] = ()
    derived: bool = False


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        if set(args) == {int, float}:
            return float
    return annotation


def _spec_for(name: str, annotation: Any, derived: bool = False) -> FieldSpec:
    inner = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return FieldSpec(name, "enum", tuple(typing.get_args(inner)), derived)
    if origin is list:
        (item,) = typing.get_args(inner)
        item = _unwrap(item)
        if typing.get_origin(item) is typing.Literal:
            return FieldSpec(name, "enum_list", tuple(typing.get_args(item)), derived)
        return FieldSpec(name, "cpv_list", (), derived)
    if inner is bool:
        return FieldSpec(name, "bool", (), derived)
    if inner in (int, float):
        return FieldSpec(name, "number", (), derived)
    if inner is dt.date:
        return FieldSpec(name, "date", (), derived)
    return FieldSpec(name, "text", (), derived)


ThresholdKind = Literal["works", "supplies-services", "social-services"]

# Which parameter holds which EU threshold (Directive 2014/24/EU art. 4; Aw 2012 art. 2.1-2.3).
THRESHOLD_PARAMETERS: dict[tuple[str, str], str] = {
    ("works", "central"): "eu-threshold/works",
    ("works", "sub-central"): "eu-threshold/works",
    ("supplies-services", "central"): "eu-threshold/supplies-services-central",
    ("supplies-services", "sub-central"): "eu-threshold/supplies-services-sub-central",
    ("social-services", "central"): "eu-threshold/social-services",
    ("social-services", "sub-central"): "eu-threshold/social-services",
}
# Annex XIV decides the threshold (Aw 2.6a) and the light regime (Aw 2.38 lid 1); its first row, health and social
# services, makes the light regime the rule rather than a choice (Aw 2.38 lid 2).
ANNEX_XIV_LIST = "annex-xiv"
HEALTH_SOCIAL_LIST = "annex-xiv-health-social"
REQUIRED_PARAMETERS = frozenset(THRESHOLD_PARAMETERS.values())
REQUIRED_LISTS = frozenset({ANNEX_XIV_LIST, HEALTH_SOCIAL_LIST})

DERIVED_SPECS: dict[str, FieldSpec] = {
    "eu_threshold_eur": FieldSpec("eu_threshold_eur", "number", (), True),
    "eu_threshold_kind": FieldSpec("eu_threshold_kind", "enum", typing.get_args(ThresholdKind), True),
    "above_eu_threshold": FieldSpec("above_eu_threshold", "bool", (), True),
    "for_natural_persons": FieldSpec("for_natural_persons", "bool", (), True),
    "annex_xiv_service": FieldSpec("annex_xiv_service", "bool", (), True),
    "light_regime": FieldSpec("light_regime", "bool", (), True),
}

FIELDS: dict[str, FieldSpec] = {
    name: _spec_for(name, info.annotation) for name, info in TenderProfile.model_fields.items()
} | DERIVED_SPECS


class DerivedFact(NamedTuple):
    """A derived value with what it was derived from (a named tuple: made for every tender, so made cheaply)."""

    value: Any
    inputs: tuple[str, ...]
    parameter: str | None = None
    parameter_value: ParameterValue | None = None


def _in_list(cpv: list[str] | None, codes: frozenset[str]) -> bool | None:
    # The main code decides: for a contract of Annex XIV and other services it names the part with the highest
    # estimated value (Aw 2.12a lid 2), so the profile asks for that part first.
    if not cpv:
        return None
    return cpv[0] in codes


def derive(
    tender: TenderProfile,
    thresholds: dict[str, ParameterValue],
    lists: Mapping[str, frozenset[str]],
) -> dict[str, DerivedFact]:
    """Compute the derived facts. ``thresholds`` maps each threshold parameter name to its value in force;
    ``lists`` holds the catalogue's code lists (Annex XIV and its health and social row are needed)."""
    annex = _in_list(tender.cpv, lists[ANNEX_XIV_LIST])
    facts: dict[str, DerivedFact] = {
        "annex_xiv_service": DerivedFact(annex if tender.nature == "services" else False, ("nature", "cpv")),
    }

    if tender.nature == "works":
        kinds: list[str] = ["works"]
    elif tender.nature == "supplies" or annex is False:
        kinds = ["supplies-services"]
    elif annex is True:
        kinds = ["social-services"]
    else:  # services whose CPV code is unknown: regular or social services
        kinds = ["supplies-services", "social-services"]

    names = [THRESHOLD_PARAMETERS[(k, tender.authority)] for k in kinds]
    values = [thresholds[n] for n in names]
    above = {tender.estimated_value_eur >= float(v.value) for v in values}
    inputs = ("nature", "authority", "cpv", "estimated_value_eur")
    if len(kinds) == 1:
        facts["eu_threshold_kind"] = DerivedFact(kinds[0], ("nature", "cpv"))
        facts["eu_threshold_eur"] = DerivedFact(values[0].value, inputs[:3], names[0], values[0])
        facts["above_eu_threshold"] = DerivedFact(above.pop(), inputs, names[0], values[0])
    else:
        facts["eu_threshold_kind"] = DerivedFact(None, ("nature", "cpv"))
        facts["eu_threshold_eur"] = DerivedFact(None, inputs[:3])
        # Both possible thresholds may still agree, e.g. a value above the higher one.
        facts["above_eu_threshold"] = DerivedFact(above.pop() if len(above) == 1 else None, inputs)

    # Aw 2.75 lid 4 speaks of "natural persons, the general public or staff": every user counts, an entrepreneur
    # using a subsidy portal too; only a result that nobody uses (end_users: []) is not for natural persons.
    users = tender.end_users
    facts["for_natural_persons"] = DerivedFact(None if users is None else bool(users), ("end_users",))
    facts["light_regime"] = _light_regime(tender, facts, lists)
    return facts


def _light_regime(
    tender: TenderProfile, facts: dict[str, DerivedFact], lists: Mapping[str, frozenset[str]]
) -> DerivedFact:
    """Whether the procedure for social and other specific services (Aw 2.39) applies, so that only the sections of
    chapter 2.3 named in Aw 2.39 lid 2 bind. It exists only for Annex XIV services at or above their threshold
    (Aw 2.6a); for health and social services it is the rule unless the buyer decides otherwise (Aw 2.38 lid 2), for
    the other Annex XIV services the buyer chooses (Aw 2.38 lid 1), so the advice asks."""
    inputs = ("nature", "cpv", "estimated_value_eur", "social_services_procedure")
    annex, above = facts["annex_xiv_service"].value, facts["above_eu_threshold"].value
    if annex is False or above is False:
        return DerivedFact(False, inputs)
    if annex is None or above is None:
        return DerivedFact(None, inputs)
    chosen = tender.social_services_procedure
    if chosen is not None:
        return DerivedFact(chosen, inputs)
    if _in_list(tender.cpv, lists[HEALTH_SOCIAL_LIST]):
        return DerivedFact(True, inputs)
    return DerivedFact(None, inputs)
