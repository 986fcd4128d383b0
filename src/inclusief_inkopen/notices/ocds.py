"""OCDS: the Open Contracting Data Standard (releases, records and their packages), read and written.

The eForms terms map onto OCDS as the OCDS for eForms guidance and its extensions define them: BT-754/755 to a
lot's ``hasAccessibilityCriteria`` and ``noAccessibilityCriteriaRationale`` (eForms extension), BT-06/775 to
``hasSustainability`` and ``sustainability[].goal`` (Sustainability extension), BT-71 to
``otherRequirements.reservedParticipation`` (Other requirements extension). Reading maps them back to eForms
codes, so a notice compares the same whichever format it came in.

>>> cpv_id("45233130.0")
('45233130', 'CPV id 45233130.0 read as 45233130')
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from typing import Any

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import parse_json
from inclusief_inkopen.notices.notice import AwardCriterion, DeclaredLot, Duration, Money, Notice, only_one

NATURES = {"goods": "supplies", "works": "works", "services": "services"}
SOCIAL_GOALS = {
    "acc-all": "social.accessibility",
    "et-eq": "social.ethnicEquality",
    "gen-eq": "social.genderEquality",
    "hum-right": "social.humanRightsInSupplyChains",
    "opp": "social.disadvantagedEmploymentOpportunities",
    "work-cond": "social.laborRightsPromotion",
    "other": "social",
}
STRATEGIC_GOALS = {"soc-obj": "social", "env-imp": "environmental", "inn-pur": "innovation"}
# eForms does not say which strategy serves a goal; the guidance lists all four.
STRATEGIES = ["awardCriteria", "contractPerformanceConditions", "selectionCriteria", "technicalSpecifications"]
RESERVED = {"res-ws": "shelteredWorkshop", "res-pub-ser": "publicServiceMissionOrganization"}
NOT_FOR_PERSONS = "Procurement is not intended for use by natural persons"
_FLOAT_CODE = re.compile(r"^(\d{8})\.0+$")


def cpv_id(value: Any) -> tuple[str, str | None]:
    """A CPV id as published, and a note when it had to be cleaned (spreadsheets turn codes into numbers)."""
    text = str(value).strip()
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:08d}"
        return text, f"CPV id {value} read as {text}"
    match = _FLOAT_CODE.match(text)
    if match:
        return match.group(1), f"CPV id {text} read as {match.group(1)}"
    return text, None


def _merge(base: Any, update: Any) -> Any:
    """Merge a later release into an earlier one: objects field by field, arrays of objects by their id."""
    if isinstance(base, dict) and isinstance(update, dict):
        out = dict(base)
        for key, value in update.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    by_id = isinstance(base, list) and isinstance(update, list)
    if by_id and all(isinstance(x, dict) and "id" in x for x in base + update):
        merged = {str(x["id"]): x for x in base}
        for x in update:
            merged[str(x["id"])] = _merge(merged.get(str(x["id"]), {}), x)
        return list(merged.values())
    return update


def _compile(releases: list[dict[str, Any]]) -> dict[str, Any]:
    compiled: dict[str, Any] = {}
    for release in sorted(releases, key=lambda r: str(r.get("date") or "")):
        compiled = _merge(compiled, release)
    return compiled


def _processes(data: Any, file: str) -> list[dict[str, Any]]:
    """Every contracting process in the document, as one compiled release each."""
    if isinstance(data, list):
        data = {"releases": data}
    if not isinstance(data, dict):
        raise InputError.single(file, "", "expected an OCDS release, record or package (a JSON object)")
    if "records" in data:
        records = data["records"]
        if not isinstance(records, list):
            raise InputError.single(file, "records", "expected a list of records")
        return [_from_record(r, file, f"records[{i}]") for i, r in enumerate(records)]
    if "releases" in data and "ocid" not in data:
        releases = data["releases"]
        if not isinstance(releases, list) or not all(isinstance(r, dict) for r in releases):
            raise InputError.single(file, "releases", "expected a list of release objects")
        by_ocid: dict[str, list[dict[str, Any]]] = {}
        for i, release in enumerate(releases):
            if "ocid" not in release:
                raise InputError.single(file, f"releases[{i}]", "a release needs an ocid")
            by_ocid.setdefault(str(release["ocid"]), []).append(release)
        return [_compile(rs) for rs in by_ocid.values()]
    if "ocid" in data and ("compiledRelease" in data or "releases" in data):
        return [_from_record(data, file, "")]
    if "ocid" in data:
        return [data]
    raise InputError.single(
        file, "", "expected OCDS: a release (with ocid), a record, a release package (releases) or a record package"
    )


def _from_record(record: Any, file: str, where: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InputError.single(file, where, "expected a record object")
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return compiled
    releases = [r for r in record.get("releases") or [] if isinstance(r, dict) and "tag" in r and "url" not in r]
    if releases:
        return _compile(releases)
    if "versionedRelease" in record:
        raise InputError.single(
            file,
            where,
            "a record with a versionedRelease only: versioned releases are not read; "
            "publish the compiledRelease (or the releases) with it",
        )
    if any(isinstance(r, dict) and "url" in r for r in record.get("releases") or []):
        raise InputError.single(
            file,
            where,
            "a record whose releases are links (url) only: they are not fetched; "
            "give the compiledRelease or embed the releases",
        )
    raise InputError.single(file, where, "a record needs a compiledRelease or embedded releases")


def _obj(data: Any, key: str, file: str, where: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError.single(file, f"{where}.{key}" if where else key, f"expected an object, got {value!r:.40}")
    return value


def _list(data: dict[str, Any], key: str, file: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError.single(file, f"{where}.{key}", f"expected a list, got {value!r:.40}")
    return value


def _str(data: Any, key: str, file: str, where: str) -> str | None:
    """A text field as the schema types it: text, or absent; anything else is named, not passed on."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None or isinstance(value, str):
        return value
    raise InputError.single(file, f"{where}.{key}" if where else key, f"expected text, got {value!r:.40}")


def _money(data: dict[str, Any], file: str, where: str) -> Money | None:
    value = _obj(data, "value", file, where)
    amount = value.get("amount")
    if amount is None:
        return None
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int | float)
        or amount < 0
        or not math.isfinite(float(amount) if abs(amount) < 1e300 else math.inf)
    ):
        raise InputError.single(
            file, f"{where}.value.amount", f"expected a number of zero or more (and finite), got {amount!r:.40}"
        )
    return Money(amount=float(amount), currency=_str(value, "currency", file, f"{where}.value"))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _duration(period: dict[str, Any]) -> Duration | None:
    days = period.get("durationInDays")
    if isinstance(days, int | float) and not isinstance(days, bool) and days > 0:
        return Duration(value=float(days), unit="DAY")
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    if start and end and end > start:
        return Duration(value=float((end - start).days), unit="DAY")
    return None


def _cpv(items: list[Any], lot: str | None, warnings: list[str]) -> list[str]:
    codes = []
    for item in items:
        if not isinstance(item, dict) or (lot is not None and str(item.get("relatedLot")) != lot):
            continue
        classifications = [item.get("classification"), *(item.get("additionalClassifications") or [])]
        for c in classifications:
            if isinstance(c, dict) and str(c.get("scheme", "")).upper() == "CPV" and c.get("id") is not None:
                code, note = cpv_id(c["id"])
                if note and note not in warnings:
                    warnings.append(note)
                codes.append(code)
    return codes


def _declared(data: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    """The strategic-procurement terms of a lot (or of a tender without lots), as eForms codes."""
    out: dict[str, Any] = {}
    has = data.get("hasAccessibilityCriteria")
    rationale = data.get("noAccessibilityCriteriaRationale")
    if has is True:
        out["accessibility"] = "inc"
    elif has is False:
        out["accessibility"] = "n-inc" if rationale in (None, NOT_FOR_PERSONS) else "n-inc-just"
        if rationale and rationale != NOT_FOR_PERSONS:
            out["accessibility_justification"] = str(rationale)
    strategic: list[str] = []
    social: list[str] = []
    reverse = {goal: code for code, goal in SOCIAL_GOALS.items()}
    for entry in _list(data, "sustainability", file, where):
        goal = str(entry.get("goal", "")) if isinstance(entry, dict) else ""
        if not goal:
            continue
        family = goal.split(".")[0]
        code = {"social": "soc-obj", "environmental": "env-imp", "innovation": "inn-pur"}.get(family)
        if family == "economic" and "nnovat" in goal:
            code = "inn-pur"
        if code and code not in strategic:
            strategic.append(code)
        if family == "social":
            objective = reverse.get(goal, "other")
            if objective not in social:
                social.append(objective)
    if data.get("hasSustainability") is False and not strategic:
        strategic = ["none"]
    if strategic:
        out["strategic_procurement"] = strategic
    if social:
        out["social_objectives"] = social
    requirements = _obj(data, "otherRequirements", file, where)
    reserved = _list(requirements, "reservedParticipation", file, f"{where}.otherRequirements")
    if reserved:
        back = {v: k for k, v in RESERVED.items()}
        out["reserved_participation"] = [back.get(str(r), str(r)) for r in reserved]
    elif "reservedParticipation" in requirements:
        out["reserved_participation"] = ["none"]
    criteria = _obj(data, "awardCriteria", file, where) if isinstance(data.get("awardCriteria"), dict) else {}
    listed = [c for c in _list(criteria, "criteria", file, f"{where}.awardCriteria") if isinstance(c, dict)]
    if listed or "criteria" in criteria:
        out["award_criteria"] = [_award_criterion(c, file, f"{where}.awardCriteria.criteria") for c in listed]
    return out


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


def _award_criterion(c: dict[str, Any], file: str, where: str) -> AwardCriterion:
    """One award criterion. Its weight is in ``numbers``; publishers that put a bare number ("50", "50 %") in the
    description mean the weight, not a name."""
    name = _str(c, "name", file, where) or _str(c, "description", file, where)
    weight = next(
        (
            float(n["number"])
            for n in c.get("numbers") or []
            if isinstance(n, dict) and isinstance(n.get("number"), int | float)
        ),
        None,
    )
    bare = _NUMBER.match(name) if name else None
    if bare:
        name = None
        if weight is None:
            weight = float(bare.group(1).replace(",", "."))
    return AwardCriterion(type=_str(c, "type", file, where), name=name, weight=weight)


def _classified(tender: dict[str, Any], warnings: list[str]) -> list[str]:
    """The tender's own CPV codes: ``classification`` (the main one) first, then ``additionalClassifications``."""
    return (
        _cpv([tender], None, warnings)
        if tender.get("classification") or tender.get("additionalClassifications")
        else []
    )


def _notice(release: dict[str, Any], file: str) -> Notice:
    warnings: list[str] = []
    tender = _obj(release, "tender", file, "")
    items = _list(tender, "items", file, "tender")
    main_codes = _classified(tender, warnings)
    item_codes = _cpv(items, None, warnings)
    # What the tender declares holds for every lot that does not say otherwise (OCDS lots extension).
    inherited = _declared(tender, file, "tender")
    lots: list[DeclaredLot] = []
    for i, lot in enumerate(_list(tender, "lots", file, "tender")):
        if not isinstance(lot, dict):
            raise InputError.single(file, f"tender.lots[{i}]", "expected a lot object")
        where = f"tender.lots[{i}]"
        lot_id = str(lot.get("id", f"#{i + 1}"))
        lots.append(
            DeclaredLot(
                id=lot_id,
                title=_str(lot, "title", file, where),
                value=_money(lot, file, where),
                cpv=_cpv(items, lot_id, warnings) or main_codes,
                duration=_duration(_obj(lot, "contractPeriod", file, where)),
                **(inherited | _declared(lot, file, where)),
            )
        )
    if not lots and tender:
        lots.append(
            DeclaredLot(
                id=str(tender.get("id", "tender")),
                implicit=True,
                duration=_duration(_obj(tender, "contractPeriod", file, "tender")),
                **inherited,
            )
        )
    legal_types = [
        str(c.get("id"))
        for party in _list(release, "parties", file, "")
        if isinstance(party, dict) and "buyer" in (party.get("roles") or [])
        for c in (_obj(party, "details", file, "parties").get("classifications") or [])
        if isinstance(c, dict) and c.get("scheme") == "eu-buyer-legal-type"
    ]
    method = _str(tender, "procurementMethod", file, "tender")
    category = _str(tender, "mainProcurementCategory", file, "tender")
    tags = release.get("tag") or []
    ocid = str(release.get("ocid")) if release.get("ocid") else None
    return Notice(
        file=file,
        format="ocds",
        id=ocid,
        procedure_id=ocid,
        issued=_str(release, "date", file, ""),
        form_type=",".join(str(t) for t in tags) if isinstance(tags, list) else str(tags),
        title=_str(tender, "title", file, "tender")
        or _str(_obj(release, "planning", file, ""), "rationale", file, "planning"),
        nature=NATURES.get(category, category) if category else None,
        value=_money(tender, file, "tender"),
        result_value=_awarded(release, file),
        cpv=list(dict.fromkeys(main_codes + (item_codes if not _list(tender, "lots", file, "tender") else []))),
        procedure=f"ocds:{method}" if method else None,
        buyer_legal_types=list(dict.fromkeys(legal_types)),
        lots=lots,
        warnings=warnings,
    )


def _awarded(release: dict[str, Any], file: str) -> Money | None:
    """What the awards are worth together, when every award that stands gives a value in one currency."""
    values = [
        _money(award, file, f"awards[{i}]")
        for i, award in enumerate(_list(release, "awards", file, ""))
        if isinstance(award, dict) and award.get("status") not in ("cancelled", "unsuccessful")
    ]
    currencies = {v.currency for v in values if v is not None}
    if not values or None in values or len(currencies) != 1:
        return None
    return Money(amount=sum(v.amount for v in values if v is not None), currency=currencies.pop())


def read_all(data: bytes | str, file: str = "<input>") -> list[Notice]:
    """Every contracting process in an OCDS document, one notice each."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InputError.single(file, f"byte {exc.start}", "not UTF-8 text; OCDS JSON is UTF-8") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in lines):
        # JSON Lines, as OCDS tools write them: one release, record or package per line.
        processes = [
            p
            for number, line in enumerate(lines, start=1)
            for p in _processes(parse_json(line, f"{file}:{number}"), f"{file}:{number}")
        ]
        return [_notice(release, file) for release in processes]
    return [_notice(release, file) for release in _processes(parse_json(text, file), file)]


def read_ocds(data: bytes | str, file: str = "<input>") -> Notice:
    """The one contracting process in an OCDS document."""
    return only_one(read_all(data, file), file)


def export_lots(advice: Any, lots: list[str] | None = None) -> dict[str, Any]:
    """The advice's values as an OCDS release fragment: ``{"tender": {"lots": [...]}}``."""
    eforms = advice.eforms
    # The advice is for the whole tender: every lot carries the same fields.
    fields: dict[str, Any] = {}
    if eforms.accessibility == "inc":
        fields["hasAccessibilityCriteria"] = True
    elif eforms.accessibility in ("n-inc", "n-inc-just"):
        fields["hasAccessibilityCriteria"] = False
        if eforms.accessibility == "n-inc":
            fields["noAccessibilityCriteriaRationale"] = NOT_FOR_PERSONS
    goals = [{"goal": SOCIAL_GOALS[c], "strategies": STRATEGIES} for c in eforms.social_objectives]
    goals += [
        {"goal": STRATEGIC_GOALS[c], "strategies": STRATEGIES}
        for c in eforms.strategic_procurement
        if c in STRATEGIC_GOALS and not (c == "soc-obj" and eforms.social_objectives)
    ]
    if goals:
        fields["hasSustainability"] = True
        fields["sustainability"] = goals
    reserved = [RESERVED[c] for c in [eforms.reserved_participation] if c in RESERVED]
    fields["otherRequirements"] = {"reservedParticipation": reserved}
    if any(s.kind == "award-criterion" for s in advice.suggestions):
        fields["awardCriteria"] = {"criteria": [{"type": "quality"}]}
    # A copy per lot, so that a caller who edits one lot does not edit them all.
    return {"tender": {"lots": [{"id": lot_id, **copy.deepcopy(fields)} for lot_id in lots or ["LOT-0001"]]}}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
