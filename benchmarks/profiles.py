"""Generated tender profiles for the benchmarks: varied, valid, complete, and the same for a given seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, get_args

from inclusief_inkopen.tender.profile import (
    BuildingWork,
    Digital,
    EaaService,
    EndUser,
    Physical,
    Procedure,
    SupplyChainRisk,
)

# The vocabularies are the tender profile's own, so the generated profiles follow the contract as it changes.
END_USERS = list(get_args(EndUser))
DIGITAL = list(get_args(Digital))
PHYSICAL = list(get_args(Physical))
RISKS = list(get_args(SupplyChainRisk))
EAA_SERVICES = list(get_args(EaaService))
BUILDING_WORK = list(get_args(BuildingWork))
PROCEDURES = list(get_args(Procedure))
# Main CPV codes by nature: ordinary ones, Annex XIV services (health and social, Article 77, catering, security,
# legal), and EAA product groups.
CPV = {
    "works": ["45000000", "45233162", "45212212", "45453000", "45310000"],
    "supplies": ["30213100", "34110000", "39130000", "32250000", "15800000", "18100000"],
    "services": [
        "72413000",
        "79000000",
        "85310000",
        "80500000",
        "90910000",
        "79530000",
        "75121000",
        "64210000",
        "55520000",
        "79713000",
        "79110000",
    ],
}


def _subset(rng: random.Random, items: list[str], p: float) -> list[str]:
    return [item for item in items if rng.random() < p]


def tender_dicts(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """``count`` complete tender profiles as the dicts tender tooling would send; generated lazily."""
    rng = random.Random(seed)
    # Facts added later draw from a stream of their own, so the earlier fields stay the same profile by profile.
    later = random.Random(seed + 1)
    for i in range(count):
        nature = rng.choice(["works", "supplies", "services"])
        yield {
            "title": f"Aanbesteding {i}",
            "nature": nature,
            "estimated_value_eur": round(10 ** rng.uniform(3.5, 7.3), 2),
            "cpv": [rng.choice(CPV[nature])],
            "authority": rng.choice(["sub-central", "sub-central", "central"]),
            "procedure": rng.choice(PROCEDURES),
            "duration_months": rng.randint(1, 60),
            "end_users": _subset(rng, END_USERS, 0.4),
            "digital": _subset(rng, DIGITAL, 0.15),
            "physical": _subset(rng, PHYSICAL, 0.15),
            "people_facing": rng.random() < 0.3,
            "staffing": rng.random() < 0.15,
            "labour_share": round(rng.random(), 2),
            "supply_chain_risk": _subset(rng, RISKS, 0.1),
            "lots": rng.randint(1, 4),
            "eaa_services": _subset(rng, EAA_SERVICES, 0.1),
            "building_work": rng.choice(BUILDING_WORK),
            "social_services_procedure": rng.random() < 0.7,
            "wheelchair_passengers": later.random() < 0.3,
        }
