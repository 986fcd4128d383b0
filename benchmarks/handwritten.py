"""The built-in catalogue's rules written by hand as plain Python: the practical speed limit for Python.

Only for complete profiles (every field given) under the classical regime, so there is no 'unknown'; no reasons, no
wording. The benchmark
and ``tests/test_benchmarks.py`` check that these functions pick exactly the criteria ``evaluate`` suggests, so
the comparison is between two implementations of the same rules.
"""

from __future__ import annotations

from inclusief_inkopen import TenderProfile

# EU thresholds in force in 2026-2027 (Commission Delegated Regulation (EU) 2025/2152).
WORKS, CENTRAL, SUB_CENTRAL, SOCIAL = 5_404_000, 140_000, 216_000, 750_000

WEB_APP_DOCS = {"website", "app", "documents"}
ICT = {"software", "hardware", "self-service-terminal", "telecom"}
EAA_DEVICES = {"payment-terminal", "media-terminal", "e-reader"}
EAA_CARRIERS = {"self-service-terminal", "website", "app", "software", "telecom"}
INTERFACES = {"website", "app", "software", "self-service-terminal"}
BUILT = {"building", "public-space"}
DIALOGUE = {"competitive-dialogue", "innovation-partnership", "competitive-negotiation"}
COMPETITIVE = {
    "open",
    "restricted",
    "competitive-dialogue",
    "competitive-negotiation",
    "innovation-partnership",
    "multiple-quotation",
}
ISV_AMSTERDAM = {"workwear", "workplace-ict", "catering"}


def suggestions(p: TenderProfile, lists: dict[str, frozenset[str]]) -> set[str]:
    value = p.estimated_value_eur
    main_cpv = p.cpv[0]
    annex = p.nature == "services" and main_cpv in lists["annex-xiv"]
    eaa_prefixes = lists["eaa-products"]
    if p.nature == "works":
        threshold = WORKS
    elif annex:
        threshold = SOCIAL
    else:
        threshold = CENTRAL if p.authority == "central" else SUB_CENTRAL
    above = value >= threshold
    light = annex and above and p.social_services_procedure
    users = set(p.end_users)
    residents = "residents" in users
    persons = bool(users)
    digital, physical, risks = set(p.digital), set(p.physical), set(p.supply_chain_risk)
    months = p.duration_months
    eaa = (
        any(code.startswith(prefix) for code in p.cpv for prefix in eaa_prefixes)
        or bool(digital & EAA_DEVICES)
        or (bool(digital & EAA_CARRIERS) and bool(p.eaa_services))
    )
    building = "building" in physical and persons

    def group(name: str) -> bool:
        prefixes = lists[f"product-group-{name}"]
        return any(code.startswith(prefix) for code in p.cpv for prefix in prefixes)

    social_return = value >= SUB_CENTRAL
    transport = group("pupil-transport") and p.wheelchair_passengers
    business = bool(users & {"residents", "businesses"})
    rules = {
        "COMM-01": p.people_facing and residents,
        "COMM-02": bool(digital & {"documents", "website", "app"}) and residents,
        "COMM-03": p.people_facing and residents and months >= 12,
        "TOEG-DIG-01": bool(digital & WEB_APP_DOCS) or (above and persons and bool(digital & ICT)),
        "TOEG-DIG-02": not above and persons and bool(digital & ICT),
        "TOEG-DIG-03": bool(digital & (WEB_APP_DOCS | {"software"})) and (months >= 12 or persons),
        "TOEG-DIG-04": bool(digital & INTERFACES) and residents,
        "TOEG-NINC-01": not persons,
        "ONTW-ALG-01": above and persons,
        "ONTW-GEB-01": residents and (bool(digital & INTERFACES) or bool(physical & BUILT)),
        "ONTW-GEB-02": p.procedure in DIALOGUE and persons,
        "PROC-01": above or p.procedure in COMPETITIVE,
        "PROC-02": p.staffing or above,
        "PROC-03": above and not light,
        "PROC-05": light,
        "PROC-04": above,
        "PERC-01": not p.lots > 1,
        "PERC-02": social_return,
        "ND-01": p.staffing or p.people_facing,
        "ND-02": p.staffing,
        "ND-03": above and not light,
        "ND-04": light,
        "ND-05": above and not light,
        "ND-06": above and not light,
        "TOEG-FYS-01": bool(physical & BUILT) and persons,
        "TOEG-FYS-02": bool(physical & (BUILT | {"events"})) and residents,
        "TOEG-FYS-03": bool(physical & BUILT) and p.nature == "works",
        "TOEG-FYS-04": bool(physical & {"furniture", "vehicles"}) and persons,
        "TOEG-FYS-05": "events" in physical and residents,
        "TOEG-BBL-01": building and p.building_work == "new",
        "TOEG-BBL-02": building and p.building_work == "renovation",
        "TOEG-EAA-01": above and eaa,
        "TOEG-EAA-02": not above and eaa,
        "RES-01": p.labour_share >= 0.3,
        "RES-02": p.nature == "services" and main_cpv in lists["article-77"] and months <= 36,
        "SR-01": social_return,
        "SR-02": social_return and p.nature in ("services", "works"),
        "SR-03": social_return,
        "SR-04": social_return and months >= 12,
        "ISV-01": bool(risks) and above,
        "ISV-02": bool(risks) and not above,
        "ISV-03": bool(risks & ISV_AMSTERDAM) and above,
        "DIV-01": p.staffing or p.people_facing,
        "DIV-02": months >= 12 and (p.staffing or p.people_facing),
        "PG-LLV-01": transport,
        "PG-LLV-02": transport,
        "PG-GEB-01": group("buildings") and persons,
        "PG-GEB-02": group("buildings") and residents,
        "PG-OR-01": group("public-space"),
        "PG-OR-02": group("public-space"),
        "PG-BW-01": group("signage"),
        "PG-BW-02": group("signage"),
        "PG-EVT-01": group("events") and residents,
        "PG-EVT-02": group("events") and persons,
        "PG-MEU-01": group("office-furniture"),
        "PG-MEU-02": group("office-furniture"),
        "PG-WEB-01": group("websites-apps") and persons,
        "PG-WEB-02": group("websites-apps") and residents,
        "PG-OPL-01": group("training") and persons,
        "PG-OPL-02": group("training") and persons,
        "PG-COM-01": group("printing-communication"),
        "PG-COM-02": group("printing-communication") and residents,
        "PG-KC-01": group("customer-contact") and business,
        "PG-KC-02": group("customer-contact") and residents,
        "PG-CAT-01": group("catering"),
        "PG-CAT-02": group("catering"),
        "PG-SCH-01": group("cleaning"),
        "PG-SCH-02": group("cleaning"),
        "PG-BEV-01": group("security"),
        "PG-BEV-02": group("security") and business,
        "PG-WS-01": group("recruitment-staffing"),
        "PG-WS-02": group("recruitment-staffing"),
        "PG-ICT-01": group("ict-hardware") and persons,
        "PG-ICT-02": group("ict-hardware"),
        "PG-DC-01": group("data-centres") and persons,
        "PG-DC-02": group("data-centres") and persons,
        "PG-WEB-03": group("websites-apps") and persons and months > 36,
        "PG-GEB-03": group("buildings") and persons,
        "PG-OV-01": group("public-transport") and persons,
        "PG-OV-02": group("public-transport") and residents,
        "PG-LLV-03": group("pupil-transport"),
        "PG-KLE-01": group("workwear") and persons,
        "PG-KLE-02": group("workwear") and persons,
        "PG-OPL-03": group("training") and persons,
        "PG-EVT-03": group("events") and residents,
        "PG-KC-03": group("customer-contact") and business,
        "PG-COM-03": group("printing-communication") and residents,
    }
    applying = {cid for cid, holds in rules.items() if holds}
    if applying & {
        "TOEG-DIG-01", "TOEG-FYS-05", "TOEG-EAA-01", "TOEG-EAA-02", "TOEG-BBL-01", "TOEG-BBL-02", "PG-LLV-01"
    }:  # fmt: skip
        applying.discard("TOEG-NINC-01")
    return applying
