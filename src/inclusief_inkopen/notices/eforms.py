"""eForms: the EU's standard for procurement notices (Implementing Regulation (EU) 2019/1780), as UBL XML.

Which element holds which business term is not written here: the XPaths and code lists come from the eForms
SDK's own ``fields.json`` and genericode files, extracted into ``data/eforms.json`` by
``scripts/build_eforms_data.py`` (a test keeps the two equal).

>>> label("accessibility", "inc", "nl")
'Er zijn criteria opgenomen inzake de toegankelijkheid voor personen met een handicap'
>>> is_code("strategic-procurement", "inc-soc")
False
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import parse_xml
from inclusief_inkopen.base.text import Lang
from inclusief_inkopen.notices.notice import AwardCriterion, DeclaredLot, Duration, Money, Notice

NAMESPACES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}
# The UBL document types that carry eForms notices.
ROOTS = {
    f"urn:oasis:names:specification:ubl:schema:xsd:{kind}-2": kind
    for kind in ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice")
}
ROOTS["http://data.europa.eu/p27/eforms-business-registration-information-notice/1"] = (
    "BusinessRegistrationInformationNotice"
)
# Languages to take a multilingual text in, best first (ISO 639-2/B codes as eForms uses them).
PREFERRED_LANGUAGES = ("NLD", "ENG")


@cache
def sdk() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("inclusief_inkopen").joinpath("data/eforms.json").read_text("utf-8")
    )
    return data


def codes(codelist: str) -> dict[str, dict[str, str]]:
    """The codes of an eForms code list, with their English and Dutch labels."""
    found: dict[str, dict[str, str]] = sdk()["codelists"][codelist]["codes"]
    return found


def is_code(codelist: str, code: str) -> bool:
    return code in codes(codelist)


def label(codelist: str, code: str, lang: Lang = "nl") -> str:
    entry = codes(codelist).get(code)
    return (entry.get(lang) or entry["en"]) if entry else code


@cache
def _compiled(field_id: str) -> Any:
    from lxml import etree

    return etree.XPath(sdk()["fields"][field_id]["xpath"], namespaces=NAMESPACES)


@cache
def _anchor(anchor: str) -> Any:
    from lxml import etree

    return etree.XPath(sdk()["anchors"][anchor], namespaces=NAMESPACES)


def _values(node: Any, field_id: str) -> list[str]:
    out = []
    for hit in _compiled(field_id)(node):
        text = hit if isinstance(hit, str) else (hit.text or "")
        text = " ".join(text.split())
        if text:
            out.append(text)
    return out


def _first(node: Any, field_id: str) -> str | None:
    found = _values(node, field_id)
    return found[0] if found else None


def _text(node: Any, field_id: str) -> str | None:
    """A multilingual text (BT-21, BT-755 …) in Dutch if given, else English, else the first language."""
    hits = [h for h in _compiled(field_id)(node) if not isinstance(h, str) and (h.text or "").strip()]
    for lang in PREFERRED_LANGUAGES:
        for hit in hits:
            if (hit.get("languageID") or "").upper() == lang:
                return " ".join(hit.text.split())
    return " ".join(hits[0].text.split()) if hits else None


def _number(text: str | None, file: str, where: str, field_id: str) -> float | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        raise InputError.single(file, where, f"{field_id}: expected a number, got {text!r}") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise InputError.single(file, where, f"{field_id}: expected a number of zero or more, got {text!r}")
    return number


def _money(node: Any, term: str, file: str, where: str) -> Money | None:
    amount = _number(_first(node, term), file, where, term)
    if amount is None:
        return None
    return Money(amount=amount, currency=_first(node, f"{term}-Currency"))


def _lot(node: Any, scheme: Literal["Lot", "Part"], file: str, index: int) -> DeclaredLot:
    lot_id = _first(node, f"BT-137-{scheme}") or f"#{index + 1}"
    where = f"{scheme} {lot_id}"
    duration = _number(_first(node, f"BT-36-{scheme}"), file, where, f"BT-36-{scheme}")
    fields: dict[str, Any] = {
        "id": lot_id,
        "scheme": scheme,
        "title": _text(node, f"BT-21-{scheme}"),
        "nature": _first(node, f"BT-23-{scheme}"),
        "value": _money(node, f"BT-27-{scheme}", file, where),
        "framework_maximum": _money(node, "BT-271-Lot", file, where) if scheme == "Lot" else None,
        "cpv": _values(node, f"BT-262-{scheme}") + _values(node, f"BT-263-{scheme}"),
        "duration": Duration(value=duration, unit=_first(node, f"BT-36-{scheme}-Unit")) if duration else None,
        "reserved_participation": _values(node, f"BT-71-{scheme}"),
        "reserved_execution": _first(node, f"BT-736-{scheme}"),
    }
    if scheme == "Lot":  # the strategic-procurement terms exist for lots only
        fields |= {
            "accessibility": _first(node, "BT-754-Lot"),
            "accessibility_justification": _text(node, "BT-755-Lot"),
            "strategic_procurement": _values(node, "BT-06-Lot"),
            "strategic_description": _text(node, "BT-777-Lot"),
            "social_objectives": _values(node, "BT-775-Lot"),
            "award_criteria": [
                AwardCriterion(
                    type=_first(c, "BT-539-Lot"),
                    name=_text(c, "BT-734-Lot"),
                    weight=_number(_first(c, "BT-541-Lot-WeightNumber"), file, where, "BT-541-Lot-WeightNumber"),
                )
                for c in _anchor("ND-LotAwardCriterion")(node)
            ],
        }
    return DeclaredLot(**fields)


# The lot terms the rules speak about: field of the advice and of a declared lot -> (business term, code list).
TERMS: dict[str, tuple[str, str]] = {
    "accessibility": ("BT-754-Lot", "accessibility"),
    "strategic_procurement": ("BT-06-Lot", "strategic-procurement"),
    "social_objectives": ("BT-775-Lot", "social-objective"),
    "reserved_participation": ("BT-71-Lot", "reserved-procurement"),
    "award_criteria": ("BT-539-Lot", "award-criterion-type"),
}
# The strategic-procurement terms, which the advice's ``eforms`` section sets and a notice's codes are checked for.
STRATEGIC_FIELDS = ("accessibility", "strategic_procurement", "social_objectives", "reserved_participation")


def _unknown_codes(lots: list[DeclaredLot]) -> list[str]:
    out = []
    for lot in lots:
        for field in STRATEGIC_FIELDS:
            term, codelist = TERMS[field]
            for code in lot.codes(field):
                if not is_code(codelist, code):
                    out.append(
                        f"lot {lot.id}: {term.removesuffix('-Lot')} code {code!r} is not in the eForms code list "
                        f"{codelist!r}"
                    )
    return out


def read_eforms(data: bytes, file: str = "<input>") -> Notice:
    """Read an eForms notice from its XML bytes."""
    root = parse_xml(data, file)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    kind = ROOTS.get(namespace)
    if kind is None:
        local = root.tag.split("}")[-1]
        raise InputError.single(
            file,
            "root element",
            f"expected an eForms notice (ContractNotice, ContractAwardNotice or PriorInformationNotice in the UBL "
            f"namespaces), got {local!r} in namespace {namespace or 'none'!r}",
        )
    lots = [_lot(node, "Lot", file, i) for i, node in enumerate(_anchor("ND-Lot")(root))]
    lots += [_lot(node, "Part", file, i) for i, node in enumerate(_anchor("ND-Part")(root))]
    warnings = _unknown_codes(lots)
    if kind == "BusinessRegistrationInformationNotice":
        warnings.append("a business registration notice (X01/X02) describes no purchase")
    return Notice(
        file=file,
        format="eforms",
        id=_first(root, "BT-701-notice"),
        procedure_id=_first(root, "BT-04-notice"),
        issued=_first(root, "BT-05(a)-notice"),
        legal_basis=_first(root, "BT-01-notice"),
        form_type=_first(root, "BT-03-notice"),
        notice_type=_first(root, "BT-02-notice"),
        subtype=_first(root, "OPP-070-notice"),
        title=_text(root, "BT-21-Procedure"),
        nature=_first(root, "BT-23-Procedure"),
        value=_money(root, "BT-27-Procedure", file, "procedure"),
        framework_maximum=_money(root, "BT-271-Procedure", file, "procedure"),
        result_value=_money(root, "BT-161-NoticeResult", file, "notice result"),
        result_framework_maximum=_money(root, "BT-118-NoticeResult", file, "notice result"),
        cpv=_values(root, "BT-262-Procedure") + _values(root, "BT-263-Procedure"),
        procedure=_first(root, "BT-105-Procedure"),
        buyer_legal_types=list(dict.fromkeys(_values(root, "BT-11-Procedure-Buyer"))),
        lots=lots,
        warnings=warnings,
    )


class EformsValue(BaseModel):
    """One value for the notice: which business term, in which lot, with which code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lot: str
    business_term: str
    field: str
    codelist: str
    code: str
    label: dict[str, str]
    basis: list[str]
    option: bool = False


def export_values(advice: Any, lots: list[str] | None = None) -> list[EformsValue]:
    """The advice's eForms values, per lot, with their business terms and code-list codes.

    The advice is for the whole tender, so every lot gets the same values unless the buyer splits the tender
    differently; recommended procedure choices (a reserved contract …) come as options, not as values.
    """
    eforms = advice.eforms

    def value(lot: str, field: str, code: str, basis: list[str], option: bool = False) -> EformsValue:
        term, codelist = TERMS[field]
        return EformsValue(
            lot=lot,
            business_term=term,
            field=field,
            codelist=codelist,
            code=code,
            label={"nl": label(codelist, code, "nl"), "en": label(codelist, code, "en")},
            basis=basis,
            option=option,
        )

    # The inclusion award criteria the advice suggests are quality criteria.
    award = sorted({s.id for s in advice.suggestions if s.kind == "award-criterion"})
    out: list[EformsValue] = []
    for lot in lots or ["LOT-0001"]:
        for field in STRATEGIC_FIELDS:
            given = getattr(eforms, field)
            for code in given if isinstance(given, list) else [given] if given else []:
                out.append(value(lot, field, code, eforms.basis.get(field, [])))
        if award:
            out.append(value(lot, "award_criteria", "quality", award))
        out += [value(lot, o.field, o.value, [o.criterion], option=True) for o in eforms.options]
    return out


# Terms written as a lot's ``cac:ProcurementAdditionalType``, whose listName is the code list's name.
_ADDITIONAL_TYPES = {"BT-754-Lot", "BT-06-Lot", "BT-775-Lot"}


def lots_xml(values: list[EformsValue]) -> bytes:
    """The values as eForms XML: one ``cac:ProcurementProjectLot`` per lot inside a bare ``ContractNotice``.

    Only the elements for these business terms are written, in UBL order, for tender tooling to merge into its
    notice; options (a reserved contract the buyer may choose) are left out.
    """
    from lxml import etree

    cn = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
    nsmap = {None: cn, "cac": NAMESPACES["cac"], "cbc": NAMESPACES["cbc"]}
    root = etree.Element(f"{{{cn}}}ContractNotice", nsmap=nsmap)

    def cac(parent: Any, name: str) -> Any:
        return etree.SubElement(parent, f"{{{NAMESPACES['cac']}}}{name}")

    def cbc(parent: Any, name: str, text: str, **attrs: str) -> Any:
        element = etree.SubElement(parent, f"{{{NAMESPACES['cbc']}}}{name}", attrs)
        element.text = text
        return element

    for lot in dict.fromkeys(v.lot for v in values):
        mine = [v for v in values if v.lot == lot and not v.option]
        node = cac(root, "ProcurementProjectLot")
        cbc(node, "ID", lot, schemeName="Lot")
        reserved = [v for v in mine if v.business_term == "BT-71-Lot"]
        award = [v for v in mine if v.business_term == "BT-539-Lot"]
        terms = cac(node, "TenderingTerms") if reserved or award else None
        if reserved:
            request = cac(terms, "TendererQualificationRequest")
            for v in reserved:
                requirement = cac(request, "SpecificTendererRequirement")
                cbc(requirement, "TendererRequirementTypeCode", v.code, listName="reserved-procurement")
        if award:
            criterion = cac(cac(terms, "AwardingTerms"), "AwardingCriterion")
            for v in award:
                sub = cac(criterion, "SubordinateAwardingCriterion")
                cbc(sub, "AwardingCriterionTypeCode", v.code, listName="award-criterion-type")
        project = cac(node, "ProcurementProject")
        for v in mine:
            if v.business_term in _ADDITIONAL_TYPES:
                extra = cac(project, "ProcurementAdditionalType")
                cbc(extra, "ProcurementTypeCode", v.code, listName=v.codelist)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
