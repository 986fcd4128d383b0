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

# Which parameter holds which EU threshold under the classical regime (Directive 2014/24/EU art. 4; Aw 2012
# art. 2.1-2.3).
THRESHOLD_PARAMETERS: dict[tuple[str, str], str] = {
    ("works", "central"): "eu-threshold/works",
    ("works", "sub-central"): "eu-threshold/works",
    ("supplies-services", "central"): "eu-threshold/supplies-services-central",
    ("supplies-services", "sub-central"): "eu-threshold/supplies-services-sub-central",
    ("social-services", "central"): "eu-threshold/social-services",
    ("social-services", "sub-central"): "eu-threshold/social-services",
}
# And under the other regimes, one set each whoever the buyer is: utilities (Aw 3.8 and 3.9a, the amounts of art. 15
# of Directive 2014/25/EU), concessions (Aw 2a.2, art. 8 lid 1 of Directive 2014/23/EU: one amount for works and
# services) and defence and security (Directive 2009/81/EC art. 8). A catalogue needs them only for a tender of that
# regime, so an organisation's own catalogue for classical purchases can leave them out.
REGIME_THRESHOLDS: dict[str, dict[str, str]] = {
    "utilities": {
        "works": "eu-threshold/utilities-works",
        "supplies-services": "eu-threshold/utilities-supplies-services",
        "social-services": "eu-threshold/utilities-social-services",
    },
    "concession": {"works": "eu-threshold/concessions", "supplies-services": "eu-threshold/concessions"},
    "defence": {
        "works": "eu-threshold/defence-works",
        "supplies-services": "eu-threshold/defence-supplies-services",
    },
}
REGIME_PARAMETERS = frozenset(name for kinds in REGIME_THRESHOLDS.values() for name in kinds.values())
# Annex XIV decides the threshold (Aw 2.6a) and the light regime (Aw 2.38 lid 1); its first row, health and social
# services, makes the light regime the rule rather than a choice (Aw 2.38 lid 2).
ANNEX_XIV_LIST = "annex-xiv"
HEALTH_SOCIAL_LIST = "annex-xiv-health-social"
REQUIRED_PARAMETERS = frozenset(THRESHOLD_PARAMETERS.values())
REQUIRED_LISTS = frozenset({ANNEX_XIV_LIST, HEALTH_SOCIAL_LIST})


def threshold_kinds(tender: TenderProfile, annex: bool | None) -> list[str]:
    """The kinds of EU threshold that may apply; two when the tender does not yet say which (then both are weighed,
    and only their agreement counts). ``annex``: whether the services are social and other specific services."""
    if tender.nature == "works":
        return ["works"]
    if tender.nature == "supplies" or annex is False or tender.regime in ("concession", "defence"):
        # A concession has one threshold for works and services; for defence no social-services amount was read.
        return ["supplies-services"]
    if annex is True:
        return ["social-services"]
    return ["supplies-services", "social-services"]


def _threshold_parameter(tender: TenderProfile, kind: str) -> str:
    if tender.regime == "classical":
        return THRESHOLD_PARAMETERS[(kind, tender.authority)]
    return REGIME_THRESHOLDS[tender.regime][kind]


def regime_parameters(regime: str) -> list[str]:
    """The threshold parameters of a regime other than the classical one (none for the classical regime, whose
    thresholds every catalogue holds)."""
    return sorted(set(REGIME_THRESHOLDS.get(regime, {}).values()))


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
    facts: dict[str, DerivedFact] = {}
    if tender.regime == "classical":
        annex = _in_list(tender.cpv, lists[ANNEX_XIV_LIST])
        facts["annex_xiv_service"] = DerivedFact(annex if tender.nature == "services" else False, ("nature", "cpv"))
    else:
        # Annex XVII (utilities) and Annex IV (concessions) are not in this package as CPV lists: the buyer says it.
        annex = tender.social_services if tender.nature == "services" else False
        facts["annex_xiv_service"] = DerivedFact(annex, ("regime", "nature", "social_services"))

    kinds = threshold_kinds(tender, annex)
    names = [_threshold_parameter(tender, k) for k in kinds]
    values = [thresholds[n] for n in names]
    above = {tender.estimated_value_eur >= float(v.value) for v in values}
    if tender.regime == "classical":
        kind_inputs: tuple[str, ...] = ("nature", "cpv")
        inputs: tuple[str, ...] = ("nature", "authority", "cpv", "estimated_value_eur")
    else:  # the authority does not matter here, the buyer's word on social services does
        kind_inputs = ("regime", "nature", "social_services")
        inputs = (*kind_inputs, "estimated_value_eur")
    if len(kinds) == 1:
        facts["eu_threshold_kind"] = DerivedFact(kinds[0], kind_inputs)
        facts["eu_threshold_eur"] = DerivedFact(values[0].value, inputs[:-1], names[0], values[0])
        facts["above_eu_threshold"] = DerivedFact(above.pop(), inputs, names[0], values[0])
    else:
        facts["eu_threshold_kind"] = DerivedFact(None, kind_inputs)
        facts["eu_threshold_eur"] = DerivedFact(None, inputs[:-1])
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
    """Whether the procedure for social and other specific services applies, so that only some of the rules bind.

    Classical (Aw 2.38-2.39): only for Annex XIV services at or above their threshold (Aw 2.6a); for health and
    social services it is the rule unless the buyer decides otherwise (Aw 2.38 lid 2), for the other Annex XIV
    services the buyer chooses (Aw 2.38 lid 1), so the advice asks. Utilities (Aw 3.40-3.41): the utility may use it
    for Annex XVII services ("kan"), so the advice asks. Concessions (Aw 2a.29): Annex IV services above the
    threshold are subject only to the articles it names; no choice. Defence (ADV art. 2.29-2.30): for services of
    Annex II of Directive 2009/81/EC the buyer may ("kan") use the procedure for Annex II services, under which only
    paragraphs 2.3.3.1 and 2.3.8.9 apply, so the advice asks."""
    if tender.regime == "classical":
        inputs: tuple[str, ...] = ("nature", "cpv", "estimated_value_eur", "social_services_procedure")
    else:
        inputs = ("regime", "nature", "social_services", "estimated_value_eur", "social_services_procedure")
    annex, above = facts["annex_xiv_service"].value, facts["above_eu_threshold"].value
    if annex is False or above is False:
        return DerivedFact(False, inputs)
    if annex is None or above is None:
        return DerivedFact(None, inputs)
    if tender.regime == "concession":
        return DerivedFact(True, inputs)
    chosen = tender.social_services_procedure
    if chosen is not None:
        return DerivedFact(chosen, inputs)
    if tender.regime == "classical" and _in_list(tender.cpv, lists[HEALTH_SOCIAL_LIST]):
        return DerivedFact(True, inputs)
    return DerivedFact(None, inputs)
