"""The tender profile: what a buyer (or tender tooling) tells us about a purchase.

Field names are the public contract. A field left out is *unknown*, not "no": rules that need it come back
``undetermined`` with a question for the buyer. Say "none" with an empty list (``digital: []``) or ``false``.
"""

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from inclusief_inkopen.base import cpv as cpv_codes
from inclusief_inkopen.base.errors import Problem, TenderError
from inclusief_inkopen.base.files import load_document
from inclusief_inkopen.base.messages import message_language, say, say_error, say_unknown_field, value_labels

Nature = Literal["works", "supplies", "services"]
Authority = Literal["sub-central", "central"]
# The procurement law the purchase falls under, each a part of the Aanbestedingswet 2012 or a law of its own:
# overheidsopdrachten (deel 2, Directive 2014/24/EU), speciale-sectoropdrachten of a utility such as public transport,
# water or a port (deel 3, Directive 2014/25/EU), concessieopdrachten (deel 2a, Directive 2014/23/EU) and contracts
# under the Aanbestedingswet op defensie- en veiligheidsgebied (Directive 2009/81/EC), which Aw art. 2a.5 lid 8 and
# 2a.15 name as the law for defence and security.
Regime = Literal["classical", "utilities", "concession", "defence"]
Procedure = Literal[
    "open",
    "restricted",
    "competitive-dialogue",
    "competitive-negotiation",
    "innovation-partnership",
    "negotiated-without-publication",
    "multiple-quotation",
    "single-quotation",
]
EndUser = Literal["residents", "staff", "businesses"]
Digital = Literal[
    "website",
    "app",
    "software",
    "documents",
    "hardware",
    "self-service-terminal",
    "payment-terminal",
    "media-terminal",
    "e-reader",
    "telecom",
]
# The services of the European Accessibility Act (Directive (EU) 2019/882, art. 2 lid 2) that a deliverable can
# provide to consumers; a self-service terminal is in the Act's scope only when dedicated to one (art. 2 lid 1 b ii).
EaaService = Literal[
    "electronic-communications",
    "audiovisual-media",
    "passenger-transport",
    "consumer-banking",
    "e-books",
    "e-commerce",
]
BuildingWork = Literal["new", "renovation"]
Physical = Literal["building", "public-space", "furniture", "vehicles", "events"]
# The eight ISV risk categories after the revision ("herijking") in PIANOo's bestekteksten internationale sociale
# voorwaarden (source pianoo-isv): bedrijfskleding; consumptieve dienstverlening (catering, grondstoffen en afval);
# energie; werkplekomgeving; laboratorium; ICT-werkomgeving; datacenters; connectiviteit.
SupplyChainRisk = Literal[
    "workwear",
    "catering",
    "energy",
    "workplace",
    "workplace-ict",
    "laboratory",
    "data-centres",
    "connectivity",
]


# What the model refuses across fields, said to the published schema too (JSON Schema ``if``/``then``), so that tender
# tooling validating against the schema gets the same verdict: a concession is for works or services (Aw 2a.1), and
# whether services are social and other specific services is given only where no CPV list decides it.
CROSS_FIELD_SCHEMA: list[dict[str, Any]] = [
    {
        "if": {"properties": {"regime": {"const": "concession"}}, "required": ["regime"]},
        "then": {"properties": {"nature": {"enum": ["works", "services"]}}},
    },
    {
        "if": {"required": ["social_services"], "not": {"properties": {"social_services": {"const": None}}}},
        "then": {
            "properties": {"regime": {"enum": ["utilities", "concession", "defence"]}, "nature": {"const": "services"}},
            "required": ["regime"],
        },
    },
]


# Between the field a model-level error is about and its message (see _regime_fits).
FIELD_MARK = ": "


# What ``cpv.validate`` accepts, for the published schema only: the model checks codes with ``cpv.validate``,
# whose messages say more than "should match pattern", and checks the check digit, which no pattern can.
CPV_PATTERN = r"^ *([1-9][0-9]|0[1-9])[0-9]{6}(-[0-9])? *$"


class TenderProfile(BaseModel):
    """A purchase or tender as the rules see it."""

    # Strict: "12", 1.0 or "yes" where a number or a boolean belongs is refused, exactly as the published JSON
    # Schema refuses it, so that tender tooling that validates against the schema gets the same verdict.
    model_config = ConfigDict(
        defer_build=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        strict=True,
        json_schema_extra={"allOf": CROSS_FIELD_SCHEMA},
    )

    # The pattern says in the published schema what stripping whitespace means here: not only blanks.
    title: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S", description="Name of the purchase")]
    nature: Annotated[Nature, Field(description="Main nature of the contract (eForms BT-23)")]
    # The bound sits on each member of the union so that the published schema carries it as "minimum".
    estimated_value_eur: Annotated[
        Annotated[int, Field(ge=0)] | Annotated[float, Field(ge=0, allow_inf_nan=False)],
        Field(description="Total estimated value excl. VAT, all lots and options (BT-27)"),
    ]
    cpv: Annotated[
        list[Annotated[str, Field(json_schema_extra={"pattern": CPV_PATTERN})]] | None,
        Field(
            description=(
                "CPV codes, main code first; '72413000' or '72413000-8'. For a mixed contract the main code is "
                "the part with the highest estimated value (Aw 2.12a lid 2)"
            ),
            max_length=200,
        ),
    ] = None
    authority: Annotated[Authority, Field(description="Selects the EU threshold")] = "sub-central"
    regime: Annotated[
        Regime,
        Field(
            description=(
                "Procurement law: classical (Aw deel 2, Directive 2014/24/EU), utilities (Aw deel 3, 2014/25/EU), "
                "concession (Aw deel 2a, 2014/23/EU) or defence (Aanbestedingswet op defensie- en "
                "veiligheidsgebied, 2009/81/EC); selects the EU threshold and the rules"
            )
        ),
    ] = "classical"
    procedure: Procedure | None = None
    duration_months: Annotated[int | None, Field(gt=0, le=1200)] = None
    end_users: Annotated[
        list[EndUser] | None,
        Field(description="Who uses what is delivered; [] means nobody uses it directly"),
    ] = None
    digital: Annotated[list[Digital] | None, Field(description="Digital deliverables; [] means none")] = None
    physical: Annotated[list[Physical] | None, Field(description="Physical deliverables or places; [] means none")] = (
        None
    )
    people_facing: Annotated[
        bool | None,
        Field(description="The contractor's staff deal directly with residents (counter, call centre, care …)"),
    ] = None
    staffing: Annotated[bool | None, Field(description="Recruitment, temporary staffing or interim placement")] = None
    eaa_services: Annotated[
        list[EaaService] | None,
        Field(description="European Accessibility Act services the result provides to consumers; [] means none"),
    ] = None
    building_work: Annotated[
        BuildingWork | None, Field(description="For a building: new construction or renovation of an existing one")
    ] = None
    wheelchair_passengers: Annotated[
        bool | None,
        Field(description="Passengers travel seated in their wheelchair in the vehicles transported or delivered"),
    ] = None
    social_services_procedure: Annotated[
        bool | None,
        Field(
            description=(
                "For Annex XIV services above their threshold: the procedure for social and other specific services "
                "is used (Aw 2.38); for defence, the procedure for Annex II services (ADV art. 2.29)"
            )
        ),
    ] = None
    social_services: Annotated[
        bool | None,
        Field(
            description=(
                "Utilities, concession or defence services only: they are social and other specific services (Annex "
                "XVII of Directive 2014/25/EU, Aw 3.9a; Annex IV of Directive 2014/23/EU, Aw 2a.29), or for defence "
                "services of Annex II of Directive 2009/81/EC (ADV art. 2.29). For the classical regime the main CPV "
                "code decides (Annex XIV)"
            )
        ),
    ] = None
    labour_share: Annotated[
        float | None, Field(ge=0, le=1, allow_inf_nan=False, description="Share of labour in the value")
    ] = None
    supply_chain_risk: Annotated[
        list[SupplyChainRisk] | None, Field(description="ISV risk categories; [] means none")
    ] = None
    lots: Annotated[int | None, Field(ge=1, le=10000)] = None
    planned_publication: Annotated[
        dt.date | None,
        Field(strict=False, description="Planned publication date (YYYY-MM-DD); the default date rules are taken on"),
    ] = None

    @field_validator("cpv")
    @classmethod
    def _cpv_codes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        codes: list[str] = []
        for index, code in enumerate(value):
            try:
                digits = cpv_codes.validate(str(code))
            except cpv_codes.InvalidCPV as exc:
                raise ValueError(f"cpv[{index}]: {exc}") from None
            if digits not in codes:
                codes.append(digits)
        return codes

    @model_validator(mode="after")
    def _regime_fits(self) -> Self:
        # The same rules as CROSS_FIELD_SCHEMA. A model-level error has no location of its own, so the message starts
        # with the field it is about ("regime: …"), and problems_from_validation puts that field in the location.
        if self.regime == "concession" and self.nature == "supplies":
            raise ValueError(f"regime{FIELD_MARK}{say('concession_not_supplies')}")
        if self.social_services is not None:
            if self.regime not in ("utilities", "concession", "defence"):
                raise ValueError(f"social_services{FIELD_MARK}{say('social_services_regime')}")
            if self.nature != "services":
                raise ValueError(f"social_services{FIELD_MARK}{say('social_services_nature')}")
        return self

    @field_validator("end_users", "digital", "physical", "supply_chain_risk", "eaa_services")
    @classmethod
    def _no_duplicates(cls, value: list[str] | None) -> list[str] | None:
        # Order carries no meaning in these sets; a fixed order makes advice byte-identical.
        return None if value is None else sorted(set(value))


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _input_path(loc: tuple[int | str, ...], data: Any) -> tuple[int | str, ...]:
    """The part of an error location that exists in the input.

    pydantic puts the union member that failed into the location ("estimated_value_eur.constrained-int"); a
    user never wrote that, so every step that is not a key or index of the input is left out.
    """
    path: list[int | str] = []
    for part in loc:
        in_dict = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_dict or in_list:
            data = data[part]
        elif isinstance(data, dict) or data is _MISSING or not path:
            data = _MISSING  # a field the input lacks: name it, so the user knows what to add
        else:
            continue  # a step inside a value the user gave: the name of a union member
        path.append(part)
    return tuple(path)


_MISSING = object()


def problems_from_validation(
    exc: ValidationError,
    file: str | None,
    prefix: str = "",
    data: Any = _MISSING,
    known_fields: Iterable[str] = (),
) -> list[Problem]:
    """Each problem in words for the person who wrote the file (``base.messages``): the value given, how to write
    it, and the closest field or value for a misspelling; ``known_fields`` are the fields a misspelt one is
    matched against."""
    merged: dict[str, list[str]] = {}
    errors = exc.errors(include_url=False)
    # Past a few dozen, more detail helps nobody; the count of the rest is kept.
    rest = len(errors) - MAX_DETAILED
    for err in errors[:MAX_DETAILED]:
        loc = _location(_input_path(tuple(err["loc"]), data) if data is not _MISSING else tuple(err["loc"]))
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        message = err["msg"].removeprefix("Value error, ")
        about, mark, rest_of_message = message.partition(FIELD_MARK)
        if not err["loc"] and mark and about in TenderProfile.model_fields:  # a model-level rule: see _regime_fits
            loc = f"{prefix}.{about}" if prefix else about
            message = rest_of_message
        if err["type"] == "extra_forbidden":
            message = say_unknown_field(str(err["loc"][-1]), known_fields)
        else:
            message = say_error(err["type"], err.get("input"), err.get("ctx") or {}, value_labels()) or message
        if message not in merged.setdefault(loc, []):
            merged[loc].append(message)
    # Two union members failing the same way say one thing; failing differently they say "this or that".
    problems = [Problem(file, loc, messages[0]) for loc, messages in merged.items()]
    if rest > 0:
        problems.append(Problem(file, prefix, f"{rest:,} more problems like these"))
    return problems


MAX_DETAILED = 40
_KINDS = {
    "nl": {list: "een lijst", str: "alleen tekst", bool: "true of false", int: "een getal", float: "een getal"},
    "en": {list: "a list", str: "only text", bool: "true or false", int: "a number", float: "a number"},
}


def parse_tender(data: Any, file: str | None = None) -> TenderProfile:
    """Validate a tender given as a mapping (from YAML, JSON or code)."""
    if isinstance(data, TenderProfile):
        return data
    if data is None:  # an empty YAML file, or one with only comments
        raise TenderError([Problem(file, "", say("empty_file"))])
    if not isinstance(data, dict):
        kinds = _KINDS[message_language()]
        raise TenderError([Problem(file, "", say("not_a_mapping", kind=kinds.get(type(data), kinds[float])))])
    try:
        return TenderProfile.model_validate(data)
    except ValidationError as exc:
        raise TenderError(
            problems_from_validation(exc, file, data=data, known_fields=TenderProfile.model_fields)
        ) from None


def load_tender(path: str | os.PathLike[str]) -> TenderProfile:
    """Read a tender profile from a YAML or JSON file."""
    return parse_tender(load_document(path), str(Path(path)))
