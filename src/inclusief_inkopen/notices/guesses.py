"""Guesses from CPV codes for the facts a notice never tells (who uses it, what is delivered, staffing, ISV risk).

A guess is shown beside its question, marked as a guess with the codes it rests on; it never becomes a fact in a
profile. Kept apart from the notice readers so that ``advies`` can show them without loading those.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.base import cpv as cpv_codes
from inclusief_inkopen.base.text import Text


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class Guess(_Model):
    field: str
    value: Any
    because: Text


# CPV prefix, profile field, value it makes likely (values from the profile's own vocabulary).
CPV_GUESSES: tuple[tuple[str, str, str], ...] = (
    ("72413", "digital", "website"),
    ("72212", "digital", "software"),
    ("48", "digital", "software"),
    ("302", "digital", "hardware"),
    ("3021", "supply_chain_risk", "workplace-ict"),
    ("322", "digital", "telecom"),
    ("642", "digital", "telecom"),
    ("642", "supply_chain_risk", "connectivity"),
    ("4521", "physical", "building"),
    ("45233", "physical", "public-space"),
    ("45112711", "physical", "public-space"),
    ("391", "physical", "furniture"),
    ("341", "physical", "vehicles"),
    ("79952", "physical", "events"),
    ("181", "supply_chain_risk", "workwear"),
    ("72415", "supply_chain_risk", "data-centres"),
    ("72416", "supply_chain_risk", "data-centres"),
    ("72317", "supply_chain_risk", "data-centres"),
    ("72514", "supply_chain_risk", "data-centres"),
    ("4882", "supply_chain_risk", "data-centres"),
    ("44212321", "physical", "public-space"),
    ("555", "supply_chain_risk", "catering"),
    ("093", "supply_chain_risk", "energy"),
    ("796", "staffing", "true"),
)


def guesses_from_cpv(codes: list[str]) -> list[Guess]:
    """What the CPV codes make likely for the facts a notice never tells (marked as guesses, never as facts)."""
    found: dict[tuple[str, str], list[str]] = {}
    for code in codes:
        for prefix, field, value in CPV_GUESSES:
            if code.startswith(prefix):
                found.setdefault((field, value), []).append(code)
    by_field: dict[str, list[tuple[str, list[str]]]] = {}
    for (field, value), sources in found.items():
        by_field.setdefault(field, []).append((value, sources))
    guesses = []
    for field, values in sorted(by_field.items()):
        sources = sorted({c for _, cs in values for c in cs})
        value: Any = True if field == "staffing" else sorted(v for v, _ in values)
        listed_nl = ", ".join(cpv_codes.describe(c, "nl") for c in sources)
        listed_en = ", ".join(cpv_codes.describe(c, "en") for c in sources)
        guesses.append(
            Guess(
                field=field,
                value=value,
                because=Text(
                    nl=f"gok op grond van CPV {listed_nl}; controleer dit",
                    en=f"guess from CPV {listed_en}; please check",
                ),
            )
        )
    return guesses
