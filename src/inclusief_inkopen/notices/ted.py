"""TED notices from before eForms: the TED export schema R2.0.9 (standard forms F01–F25, 2014 to 2023).

A multi-year portfolio holds them. They say nature, value, CPV codes, procedure, lots and buyer; they cannot say
accessibility (BT-754), strategic or social procurement (BT-06, BT-775) or reserved participation as codes, since
those terms came with eForms: such a notice is marked ``declares_strategic_terms=False``, and the comparison and
the scan report those terms as "not in this notice format", never as gaps.

The mappings from TED values to eForms codes are the Publications Office's own, from its TED-XML-to-eForms
converter (github.com/OP-TED/ted-xml-data-converter, ``xslt/other-mappings.xml`` and
``xslt/notice-type-mapping.xml``, EUPL 1.2); the eForms form type follows from the notice subtype as in the eForms
SDK (1–9 planning, 10–24 competition, 25–28 direct award, 29–37 result, 38–40 modification).

>>> form_type("3"), form_type("7"), form_type("V"), form_type("Z")
('competition', 'result', 'dir-awa-pre', None)
"""

from __future__ import annotations

import re
from typing import Any

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import parse_xml
from inclusief_inkopen.notices.notice import AwardCriterion, DeclaredLot, Duration, Money, Notice

NAMESPACE = "http://publications.europa.eu/resource/schema/ted/R2.0.9/publication"
# R2.0.9 came in sub-releases (R2.0.9.S02, .S03 …) whose namespace names them, and exports of 2018 wrote the
# namespace without its host ("ted/R2.0.9.S02/publication"); the elements read here are the same in all.
_R209 = re.compile(r"^(http://publications\.europa\.eu/resource/schema/)?ted/R2\.0\.9(\.S\d+)?/publication$")

# TED document type (CODIF_DATA/TD_DOCUMENT_TYPE/@CODE) -> eForms form type (BT-03), through the eForms subtype
# each code maps to in notice-type-mapping.xml.
_FORM_TYPES = {
    **dict.fromkeys(["0", "P", "B"], "planning"),
    **dict.fromkeys(["A", "M", "3", "Y", "Q", "O", "D", "H", "C", "F"], "competition"),
    "V": "dir-awa-pre",
    **dict.fromkeys(["7", "R", "J"], "result"),
    "K": "cont-modif",
    **dict.fromkeys(["1", "2"], "change"),  # corrigendum, additional information
}
# CONTRACTING_BODY/CA_TYPE/@VALUE -> buyer legal type (BT-11).
_BUYER_TYPES = {
    "BODY_PUBLIC": "body-pl",
    "EU_INSTITUTION": "eu-ins-bod-ag",
    "MINISTRY": "cga",
    "NATIONAL_AGENCY": "cga",
    "REGIONAL_AGENCY": "body-pl-ra",
    "REGIONAL_AUTHORITY": "ra",
}
# PROCEDURE/PT_* -> procedure type (BT-105); PT_INVOLVING_NEGOTIATION has no eForms counterpart.
_PROCEDURES = {
    "PT_OPEN": "open",
    "PT_RESTRICTED": "restricted",
    "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_INNOVATION_PARTNERSHIP": "innovation",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call",
    "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
}
# OBJECT_DESCR/AC/AC_* -> award criterion type (BT-539).
_AWARD_TYPES = {"AC_QUALITY": "quality", "AC_COST": "cost", "AC_PRICE": "price"}
_OJ_NUMBER = re.compile(r"(\d{4})\s*/\s*S\s*(\d{1,3})\s*-\s*(\d{1,6})")


def form_type(code: str | None) -> str | None:
    return _FORM_TYPES.get(code or "")


def is_ted(data: bytes) -> bool:
    """True for a TED export document (any schema release), judged from its first bytes."""
    return b"TED_EXPORT" in data[:4096]


def _oj_number(text: str | None) -> str | None:
    """An Official Journal notice number in one spelling (2021/S 027-067028), as buyers write it in many."""
    match = _OJ_NUMBER.search(text or "")
    if not match:
        return None
    year, issue, number = match.groups()
    return f"{year}/S {int(issue):03d}-{int(number):06d}"


def _text(node: Any, path: str, ns: dict[str, str]) -> str | None:
    found = node.find(path, ns)
    if found is None:
        return None
    text = " ".join(" ".join(found.itertext()).split())
    return text or None


def _attr(node: Any, path: str, name: str, ns: dict[str, str]) -> str | None:
    found = node.find(path, ns)
    return found.get(name) if found is not None else None


def _money(node: Any, path: str, file: str, ns: dict[str, str]) -> Money | None:
    found = node.find(path, ns)
    if found is None or not (found.text or "").strip():
        return None
    text = found.text.strip()
    try:
        amount = float(text)
    except ValueError:
        raise InputError.single(file, path.replace("t:", ""), f"expected a number, got {text!r:.40}") from None
    if amount != amount or amount in (float("inf"), float("-inf")) or amount < 0:
        raise InputError.single(file, path.replace("t:", ""), f"expected a number of zero or more, got {text!r:.40}")
    return Money(amount=amount, currency=found.get("CURRENCY"))


def _iso(day: str | None) -> str | None:
    """TED's YYYYMMDD as ISO 8601."""
    if not day or not re.fullmatch(r"\d{8}", day.strip()):
        return None
    day = day.strip()
    return f"{day[:4]}-{day[4:6]}-{day[6:]}"


def read_ted(data: bytes, file: str = "<input>") -> Notice:
    """Read a TED R2.0.9 export notice from its XML bytes."""
    root = parse_xml(data, file)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if not _R209.match(namespace):
        raise InputError.single(
            file,
            "root element",
            f"a TED export notice in schema {namespace or 'without namespace'!r}; only R2.0.9 ({NAMESPACE}) is read",
        )
    ns = {"t": namespace}
    forms = root.findall("t:FORM_SECTION/*", ns)
    form = next((f for f in forms if f.get("CATEGORY") == "ORIGINAL"), forms[0] if forms else None)
    if form is None:
        raise InputError.single(file, "FORM_SECTION", "expected a standard form (F01_2014 …), found none")
    codif = "t:CODED_DATA_SECTION/t:CODIF_DATA"
    notice_id = _oj_number(_text(root, "t:CODED_DATA_SECTION/t:NOTICE_DATA/t:NO_DOC_OJS", ns))
    kind = form_type(_attr(root, f"{codif}/t:TD_DOCUMENT_TYPE", "CODE", ns))
    # A later notice names its procedure's earlier one (PROCEDURE/NOTICE_NUMBER_OJ); a contract notice is its own
    # procedure's first, so it names itself: both then group under one identifier.
    earlier = _oj_number(_text(form, "t:PROCEDURE/t:NOTICE_NUMBER_OJ", ns))
    procedure_id = earlier if earlier and kind != "competition" else notice_id
    contract = form.find("t:OBJECT_CONTRACT", ns)
    warnings: list[str] = []
    lots: list[DeclaredLot] = []
    if contract is not None:
        divided = contract.find("t:LOT_DIVISION", ns) is not None
        for i, lot in enumerate(contract.findall("t:OBJECT_DESCR", ns)):
            number = _text(lot, "t:LOT_NO", ns) or lot.get("ITEM") or str(i + 1)
            duration = lot.find("t:DURATION", ns)
            months = None
            if duration is not None and (duration.text or "").strip():
                try:
                    months = Duration(value=float(duration.text.strip()), unit=duration.get("TYPE"))
                except ValueError:
                    warnings.append(f"lot {number}: duration {duration.text.strip()!r:.20} is not a number")
            lots.append(
                DeclaredLot(
                    id=f"LOT-{number}" if divided else f"#{number}",
                    implicit=not divided,
                    title=_text(lot, "t:TITLE", ns),
                    value=_money(lot, "t:VAL_OBJECT", file, ns),
                    cpv=[c.get("CODE") for c in lot.findall("t:CPV_ADDITIONAL/t:CPV_CODE", ns) if c.get("CODE")],
                    duration=months,
                    award_criteria=[
                        AwardCriterion(
                            type=_AWARD_TYPES[c.tag.split("}")[-1]], name=_text(c, "t:AC_CRITERION", ns), weight=None
                        )
                        for c in lot.findall("t:AC/*", ns)
                        if c.tag.split("}")[-1] in _AWARD_TYPES
                    ],
                )
            )
    procedure = form.find("t:PROCEDURE", ns)
    steps = [child.tag.split("}")[-1] for child in procedure] if procedure is not None else []
    method = next((s for s in steps if s.startswith("PT_")), None)
    if method and method not in _PROCEDURES:
        warnings.append(f"procedure {method} has no eForms counterpart")
    ca_type = _attr(form, "t:CONTRACTING_BODY/t:CA_TYPE", "VALUE", ns)
    return Notice(
        file=file,
        format="ted",
        id=notice_id,
        procedure_id=procedure_id,
        issued=_iso(_text(root, f"{codif}/t:DS_DATE_DISPATCH", ns)),
        legal_basis=_attr(form, "t:LEGAL_BASIS", "VALUE", ns),
        form_type=kind,
        subtype=form.get("FORM"),
        title=_text(contract, "t:TITLE", ns) if contract is not None else None,
        nature=(_attr(contract, "t:TYPE_CONTRACT", "CTYPE", ns) or "").lower() or None
        if contract is not None
        else None,
        value=_money(contract, "t:VAL_ESTIMATED_TOTAL", file, ns) if contract is not None else None,
        result_value=_money(contract, "t:VAL_TOTAL", file, ns) if contract is not None else None,
        cpv=[c] if contract is not None and (c := _attr(contract, "t:CPV_MAIN/t:CPV_CODE", "CODE", ns)) else [],
        procedure=_PROCEDURES.get(method or ""),
        buyer_legal_types=[_BUYER_TYPES[ca_type]] if ca_type in _BUYER_TYPES else [],
        lots=lots,
        warnings=warnings,
        declares_strategic_terms=False,
    )
