"""After the award: a contract made from a complete checklist, its commitments with their KPIs, and the reports a
contract manager enters over the years ("sturen en monitoren").

Every ``applied`` requirement, award criterion and contract clause of the checklist becomes a **commitment**, with
the wording as contracted, where it came from, its legal basis and, where the catalogue gives the criterion a
``follow_up`` block, its **KPI**: metric, target (an award offer above the minimum raises it), reporting moments,
the evidence expected and what happens when it is not met. Procedure choices and selection criteria are about the
tender, not the contract, and become none.

Nothing personal, ever: reports hold amounts, counts, statuses and the evidence's hash; a field that would hold a
person's name, citizen service number (BSN), health or origin is refused, and so is a BSN in a note. Special
categories of personal data (health, ethnic origin: Article 9 of the GDPR, as the catalogue's DIV-02 notes) have no
place in contract monitoring; aggregated figures tell the city what it needs.

>>> digits_are_bsn("111222333"), digits_are_bsn("123456789")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inclusief_inkopen.base.errors import InputError, Problem
from inclusief_inkopen.base.files import atomic_write, load_document, read_bytes
from inclusief_inkopen.base.text import Text
from inclusief_inkopen.checklists.checklist import Checklist, completeness
from inclusief_inkopen.rules.catalogue import Catalogue, EvidenceKind, Metric, Moment, Unit

CONTRACT_FORMAT = "inclusief-inkopen/contract/v1"
Origin = Literal["requirement", "award-offer", "clause"]
ORIGINS: dict[str, Origin] = {
    "requirement": "requirement",
    "award-criterion": "award-offer",
    "contract-clause": "clause",
}
STATUSES = ("A", "B", "C", "D", "E")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# Fields that would hold a person: refused by name wherever they appear in a report or contract.
PERSONAL = frozenset(
    {
        "name", "naam", "bsn", "burgerservicenummer", "person", "persoon", "employee", "medewerker", "werknemer",
        "health", "gezondheid", "diagnosis", "diagnose", "disability", "beperking", "origin", "herkomst",
        "ethnicity", "etniciteit", "nationality", "nationaliteit", "birth_date", "geboortedatum", "gender",
        "geslacht", "address", "adres",
    }
)  # fmt: skip


class ContractError(InputError):
    """A contract, a report or an evidence file that cannot be used as it is."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedEvidence(_Model):
    kind: EvidenceKind
    text: Text
    valid_months: int | None = None


class Kpi(_Model):
    metric: Metric
    unit: Unit
    direction: Literal["at-least", "at-most"]
    aggregation: Literal["sum", "latest", "max"]
    target: Annotated[float | str, Field(description="In the unit: an amount, a count, a status A-E, 1 for yes")]
    minimum: Annotated[float | str, Field(description="What the catalogue asks at the least (before any offer)")]
    moments: list[Moment]
    evidence: list[ExpectedEvidence]
    sanction: Text | None = None
    sanction_type: str | None = None
    remedy_days: int | None = None
    source: list[str]


class Commitment(_Model):
    id: str
    item_id: str
    item_fingerprint: str
    theme: str
    kind: str
    origin: Origin
    title: Text
    wording: Annotated[
        Text, Field(description="As contracted: what the checklist says it was applied as, or the wording")
    ]
    applied_as: str | None = None
    legal_basis: list[str] = []
    kpi: Kpi | None = None


class EvidenceFile(_Model):
    kind: EvidenceKind
    file: str | None = None
    sha256: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None
    size: int | None = None


class Report(_Model):
    id: str
    commitment: str
    on: dt.date
    value: float | str | None = None
    evidence: list[EvidenceFile] = []
    by: Annotated[str, Field(description="Who entered it (the contract manager), as the server or CLI says")]
    entered_on: dt.date
    note: Annotated[str | None, Field(max_length=2000)] = None
    waived: Annotated[str | None, Field(max_length=2000, description="Set aside, with the reason why")] = None

    @field_validator("note", "waived")
    @classmethod
    def _no_bsn(cls, text: str | None) -> str | None:
        if text and any(digits_are_bsn(d) for d in re.findall(r"(?<!\d)\d{9}(?!\d)", text.replace(".", ""))):
            raise ValueError("looks like a citizen service number (BSN): personal data is never recorded")
        return text


class Contract(_Model):
    format: Literal["inclusief-inkopen/contract/v1"] = CONTRACT_FORMAT
    id: str
    title: str
    supplier: Annotated[str, Field(min_length=1, max_length=300, description="The organisation, never a person")]
    awarded_on: dt.date
    start: dt.date
    end: dt.date
    delivery: dt.date | None = None
    value_eur: Annotated[float, Field(gt=0)]
    department: str | None = None
    checklist_sha256: str
    catalogue: dict[str, Any]
    commitments: list[Commitment]
    reports: list[Report] = []

    def commitment(self, commitment_id: str) -> Commitment | None:
        return next((c for c in self.commitments if c.id == commitment_id), None)


def digits_are_bsn(digits: str) -> bool:
    """Whether nine digits pass the BSN eleven-test (weights 9..2 and -1)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _sha(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _target(
    kpi_block: Any, catalogue: Catalogue, on: dt.date, value_eur: float, offer: Offer | None
) -> tuple[Any, Any]:
    """(the target, the minimum) of a follow-up block for a contract of this value, taken on the checklist's date."""
    target = kpi_block.target
    if target.parameter:
        found = catalogue.parameters[target.parameter].value_at(on)
        if found is None:
            raise ContractError.single("catalogue", target.parameter, f"the parameter has no value on {on}")
        minimum: Any = round(float(found.value) * value_eur, 2)
    elif target.share_of_value:
        minimum = round(target.share_of_value * value_eur, 2)
    else:
        minimum = target.value
    if not (target.from_offer and offer):
        return minimum, minimum
    offered = round(offer.share * value_eur, 2) if offer.share is not None else offer.amount
    return (max(minimum, offered) if isinstance(minimum, float) and offered is not None else minimum), minimum


class Offer(_Model):
    """What the supplier offered on an award criterion: a share of the contract value or an amount."""

    share: Annotated[float | None, Field(gt=0, le=1)] = None
    amount: Annotated[float | None, Field(gt=0)] = None

    @classmethod
    def parse(cls, text: str, where: str) -> Offer:
        """``7%`` or ``0.07`` is a share; ``35000`` an amount in euro.

        >>> Offer.parse("7%", "-").share, Offer.parse("35000", "-").amount
        (0.07, 35000.0)
        """
        raw = text.strip().replace(",", ".")
        try:
            if raw.endswith("%"):
                return cls(share=float(raw[:-1]) / 100)
            number = float(raw)
            return cls(share=number) if number <= 1 else cls(amount=number)
        except (ValueError, ValidationError):
            raise ContractError.single(
                where, "", f"expected an offer as 7% or an amount in euro, got {text!r}"
            ) from None


def from_checklist(
    checklist: Checklist,
    *,
    supplier: str,
    start: dt.date,
    end: dt.date,
    value_eur: float,
    awarded_on: dt.date | None = None,
    delivery: dt.date | None = None,
    offers: dict[str, Offer] | None = None,
    department: str | None = None,
    contract_id: str | None = None,
    catalogue: Catalogue | None = None,
    file: str = "checklist",
) -> Contract:
    """The contract for a checklist that is complete (every item decided, every "not applied" explained)."""
    from inclusief_inkopen.rules.catalogues import default_catalogue

    catalogue = catalogue or default_catalogue()
    problems = [
        Problem(file, "", f"the checklist is not complete: {p.location}: {p.message}") for p in completeness(checklist)
    ]
    if problems:
        raise ContractError(
            problems[:5] + ([Problem(file, "", f"and {len(problems) - 5} more")] if len(problems) > 5 else [])
        )
    awarded_on = awarded_on or start
    if end <= start:
        raise ContractError.single(file, "end", f"the end ({end}) must come after the start ({start})")
    if awarded_on > start:
        raise ContractError.single(file, "awarded_on", f"the award ({awarded_on}) comes before the start ({start})")
    offers = offers or {}
    for item_id in offers:
        if item_id not in {i.id for i in checklist.items if i.kind == "award-criterion" and i.decision == "applied"}:
            raise ContractError.single(file, f"offers.{item_id}", "an offer is for an applied award criterion")
    commitments = []
    for item in checklist.items:
        if item.decision != "applied" or item.kind not in ORIGINS:
            continue
        criterion = catalogue.criteria.get(item.id)
        kpi = None
        follow = criterion.criterion.follow_up if criterion else None
        if follow is not None:
            target, minimum = _target(follow, catalogue, checklist.on, value_eur, offers.get(item.id))
            kpi = Kpi(
                metric=follow.metric,
                unit=follow.unit,
                direction=follow.direction,
                aggregation=follow.aggregation,
                target=target,
                minimum=minimum,
                moments=list(follow.moments),
                evidence=[
                    ExpectedEvidence(kind=e.kind, text=e.text, valid_months=e.valid_months) for e in follow.evidence
                ],
                sanction=follow.sanction.text if follow.sanction else None,
                sanction_type=follow.sanction.type if follow.sanction else None,
                remedy_days=follow.remedy_days,
                source=list(follow.source),
            )
        wording = item.wording or item.title
        commitments.append(
            Commitment(
                id=item.id,  # one commitment per criterion: its id is the one people know
                item_id=item.id,
                item_fingerprint=item.fingerprint,
                theme=item.theme,
                kind=item.kind,
                origin=ORIGINS[item.kind],
                title=item.title,
                wording=wording,
                applied_as=item.applied_as,
                legal_basis=list(item.legal_basis),
                kpi=kpi,
            )
        )
    return Contract(
        id=contract_id or _sha([checklist.tender_sha256, supplier, start, value_eur])[:12],
        title=str(checklist.tender.get("title") or ""),
        supplier=supplier,
        awarded_on=awarded_on,
        start=start,
        end=end,
        delivery=delivery,
        value_eur=value_eur,
        department=department,
        checklist_sha256=_sha(checklist.model_dump(mode="json")),
        catalogue=dict(checklist.catalogue),
        commitments=commitments,
    )


def evidence_file(kind: str, path: str | os.PathLike[str]) -> EvidenceFile:
    """An evidence file, kept by its hash: at most 20 MB, and what its name says it is (a ``.pdf`` is a PDF, an
    ``.xlsx`` or ``.docx`` a zip package, a ``.csv`` text)."""
    name = str(path)
    data = read_bytes(path, max_bytes=MAX_EVIDENCE_BYTES)
    return evidence_bytes(kind, Path(name).name, data)


def evidence_bytes(kind: str, name: str, data: bytes) -> EvidenceFile:
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ContractError.single(name, "", f"{len(data):,} bytes; evidence files are at most {MAX_EVIDENCE_BYTES:,}")
    suffix = Path(name).suffix.lower()
    zip_package = (b"PK\x03\x04",)
    signatures = {
        ".pdf": (b"%PDF-",),
        ".xlsx": zip_package,
        ".docx": zip_package,
        ".odt": zip_package,
        ".ods": zip_package,
        ".png": (b"\x89PNG",),
        ".jpg": (b"\xff\xd8\xff",),
        ".jpeg": (b"\xff\xd8\xff",),
    }
    if suffix in (".csv", ".txt"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ContractError.single(name, "", f"a {suffix} file must be UTF-8 text; this one is not") from None
    elif suffix not in signatures:
        raise ContractError.single(
            name,
            "",
            f"expected a .pdf, .xlsx, .docx, .odt, .ods, .csv, .txt, .png or .jpg, not {suffix or 'no extension'}",
        )
    elif not data.startswith(signatures[suffix]):
        raise ContractError.single(name, "", f"is called {suffix} but its content is not a {suffix[1:].upper()} file")
    try:
        checked = EvidenceFile(kind=kind, file=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))  # type: ignore[arg-type]
    except ValidationError:
        raise ContractError.single(name, "evidence", f"unknown kind of evidence {kind!r}") from None
    return checked


def add_report(
    contract: Contract,
    commitment_id: str,
    *,
    on: dt.date,
    by: str,
    value: float | str | None = None,
    evidence: list[EvidenceFile] | None = None,
    note: str | None = None,
    waived: str | None = None,
    entered_on: dt.date | None = None,
    file: str = "report",
) -> Contract:
    """The contract with one more report, checked against the commitment it is for. The contract given is not
    changed: a report that cannot be used is an error, and nothing is added."""
    found = contract.commitment(commitment_id)
    if found is None:
        known = ", ".join(c.id for c in contract.commitments) or "none"
        raise ContractError.single(
            file, "commitment", f"no commitment {commitment_id!r} in this contract; known: {known}"
        )
    entered_on = entered_on or dt.date.today()
    problems = []
    if on < contract.awarded_on:
        problems.append(Problem(file, "on", f"{on} is before the contract was awarded ({contract.awarded_on})"))
    if on > entered_on:
        problems.append(Problem(file, "on", f"{on} is in the future (today is {entered_on})"))
    kpi = found.kpi
    if waived is None:
        if kpi is None:
            if value is not None:
                problems.append(Problem(file, "value", f"{commitment_id} has no KPI; report with evidence and a note"))
        elif value is None:
            if not evidence:  # a plan or a statement may come without a figure; a report of nothing may not
                problems.append(
                    Problem(file, "value", f"{commitment_id} is measured as {kpi.metric} ({kpi.unit}): give a value")
                )
        else:
            value, problem = _value_in(kpi.unit, value)
            if problem:
                problems.append(Problem(file, "value", problem))
        if kpi is not None:
            expected = {e.kind for e in kpi.evidence}
            for e in evidence or []:
                if e.kind not in expected:
                    problems.append(
                        Problem(
                            file,
                            "evidence",
                            f"{e.kind} is not evidence {commitment_id} asks for; "
                            f"expected: {', '.join(sorted(expected))}",
                        )
                    )
    if problems:
        raise ContractError(problems)
    try:
        report = Report(
            id=f"R{len(contract.reports) + 1:04d}",
            commitment=commitment_id,
            on=on,
            value=value,
            evidence=list(evidence or []),
            by=by,
            entered_on=entered_on,
            note=note,
            waived=waived,
        )
    except ValidationError as exc:
        raise ContractError(
            [Problem(file, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None
    return contract.model_copy(update={"reports": [*contract.reports, report]})


def _value_in(unit: str, value: float | str) -> tuple[float | str, str | None]:
    if unit == "A-E":
        text = str(value).strip().upper()
        return (text, None) if text in STATUSES else (value, f"expected a status A, B, C, D or E, got {value!r}")
    if unit == "yes-no":
        text = str(value).strip().lower()
        yes_no = {"1": 1.0, "yes": 1.0, "ja": 1.0, "true": 1.0, "0": 0.0, "no": 0.0, "nee": 0.0, "false": 0.0}
        return (yes_no[text], None) if text in yes_no else (value, f"expected yes or no (ja of nee), got {value!r}")
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return value, f"expected a number ({unit}), got {value!r}"
    if number != number or number in (float("inf"), float("-inf")):
        return value, f"expected a number ({unit}), got {value!r}"
    if number < 0:
        return value, f"expected an amount of 0 or more, got {value!r}"
    if unit == "count" and not number.is_integer():
        return value, f"expected a whole number, got {value!r}"
    return number, None


# --- files ----------------------------------------------------------------------------------------------------


def _personal_fields(data: dict[str, Any]) -> list[str]:
    """Where a contract file holds a field that would hold a person (beside the contract's own fields, and in its
    reports): named, so the message says which field to take out rather than only "unknown field"."""

    def extra(given: Any, model: type[BaseModel], where: str) -> list[str]:
        if not isinstance(given, dict):
            return []
        return [f"{where}{k}" for k in given if k not in model.model_fields and str(k).lower() in PERSONAL]

    found = extra(data, Contract, "")
    for i, report in enumerate(data.get("reports") or []):
        found += extra(report, Report, f"reports[{i}].")
        for j, evidence in enumerate(report.get("evidence") or [] if isinstance(report, dict) else []):
            found += extra(evidence, EvidenceFile, f"reports[{i}].evidence[{j}].")
    return found


def from_data(data: Any, name: str) -> Contract:
    """A contract read from parsed YAML or JSON, every problem named by its field."""
    if not isinstance(data, dict):
        raise ContractError.single(name, "", "expected a contract (a mapping with supplier, start, end, commitments …)")
    personal = _personal_fields(data)
    if personal:
        raise ContractError(
            [
                Problem(
                    name,
                    p,
                    "personal data is never recorded (a person's name, BSN, health or origin): give counts and amounts",
                )
                for p in personal
            ]
        )
    if data.get("format") != CONTRACT_FORMAT:
        raise ContractError.single(name, "format", f"expected {CONTRACT_FORMAT!r}, got {data.get('format')!r}")
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        raise ContractError(
            [Problem(name, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()[:50]]
        ) from None


def load(path: str | os.PathLike[str]) -> Contract:
    return from_data(load_document(path), str(path))


def to_yaml(contract: Contract) -> str:
    return yaml.safe_dump(
        contract.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False, width=100
    )


def save(contract: Contract, path: str | os.PathLike[str]) -> None:
    """Written to a temporary file and renamed; the contract is validated whole first."""
    Contract.model_validate(contract.model_dump(mode="json"))
    atomic_write(path, to_yaml(contract), backup=True)
