"""The tender profile: what a buyer (or tender tooling) tells us about a purchase.

Field names are the public contract. A field left out is *unknown*, not "no": rules that need it come back
``undetermined`` with a question for the buyer. Say "none" with an empty list (``digital: []``) or ``false``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import cpv as cpv_codes
from .errors import Problem, TenderError
from .files import load_document

Nature = Literal["works", "supplies", "services"]
Authority = Literal["sub-central", "central"]
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
Digital = Literal["website", "app", "software", "documents", "hardware", "self-service-terminal", "telecom"]
Physical = Literal["building", "public-space", "furniture", "vehicles", "events"]
# The ISV risk categories after the 2023 revision (PIANOo, bestekteksten internationale sociale voorwaarden),
# plus the older categories buyers still name.
SupplyChainRisk = Literal[
    "workwear",
    "catering",
    "energy",
    "workplace-ict",
    "laboratory",
    "data-centres",
    "connectivity",
    "office-supplies",
    "paper-and-print",
    "waste-and-raw-materials",
    "natural-stone",
]


class TenderProfile(BaseModel):
    """A purchase or tender as the rules see it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=1, max_length=500, description="Name of the purchase")]
    nature: Annotated[Nature, Field(description="Main nature of the contract (eForms BT-23)")]
    estimated_value_eur: Annotated[
        int | float,
        Field(ge=0, allow_inf_nan=False, description="Total estimated value excl. VAT, all lots and options (BT-27)"),
    ]
    cpv: Annotated[
        list[str] | None,
        Field(description="CPV codes, main code first; '72413000' or '72413000-8'", max_length=200),
    ] = None
    authority: Annotated[Authority, Field(description="Selects the EU threshold")] = "sub-central"
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
    labour_share: Annotated[
        float | None, Field(ge=0, le=1, allow_inf_nan=False, description="Share of labour in the value")
    ] = None
    supply_chain_risk: Annotated[
        list[SupplyChainRisk] | None, Field(description="ISV risk categories; [] means none")
    ] = None
    lots: Annotated[int | None, Field(ge=1, le=10000)] = None
    planned_publication: Annotated[
        dt.date | None, Field(description="Planned publication date; the default date rules are taken on")
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

    @field_validator("end_users", "digital", "physical", "supply_chain_risk")
    @classmethod
    def _no_duplicates(cls, value: list[str] | None) -> list[str] | None:
        # Order carries no meaning in these sets; a fixed order makes advice byte-identical.
        return None if value is None else sorted(set(value))


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from_validation(exc: ValidationError, file: str | None, prefix: str = "") -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = _location(tuple(err["loc"]))
        if prefix:
            loc = f"{prefix}.{loc}" if loc else prefix
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field; check the spelling against the tender profile schema"
        elif err["type"] == "literal_error":
            message = f"{message}, got {err.get('input')!r}"
        problems.append(Problem(file, loc, message))
    return problems


def parse_tender(data: Any, file: str | None = None) -> TenderProfile:
    """Validate a tender given as a mapping (from YAML, JSON or code)."""
    if isinstance(data, TenderProfile):
        return data
    if not isinstance(data, dict):
        raise TenderError([Problem(file, "", f"expected a mapping of tender fields, got {type(data).__name__}")])
    try:
        return TenderProfile.model_validate(data)
    except ValidationError as exc:
        raise TenderError(problems_from_validation(exc, file)) from None


def load_tender(path: str | os.PathLike[str]) -> TenderProfile:
    """Read a tender profile from a YAML or JSON file."""
    return parse_tender(load_document(path), str(Path(path)))
