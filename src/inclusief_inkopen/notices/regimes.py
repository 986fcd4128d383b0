"""Which procurement law a notice falls under, and that law's own EU threshold.

The catalogue's advice follows the classical directive (2014/24/EU; Aanbestedingswet deel 2). A notice says its
legal basis in BT-01 (``32014L0025`` for the utilities directive …); where it does not (OCDS), a buyer legal type
that exists only under another regime tells it. For such a notice the regime's own thresholds decide whether it
is above the EU threshold, from ``data/regimes.yaml``, each amount dated and with its source; the advice, written
for the classical directive, is not compared with it.

>>> regime_of(Notice(file=None, format="eforms", legal_basis="32014L0025"))
('utilities', 'BT-01 32014L0025')
>>> regime_of(Notice(file=None, format="ocds", buyer_legal_types=["la"]))
('classical', '')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.parameters import ParameterEntry
from inclusief_inkopen.base.text import Lang, Text, format_eur
from inclusief_inkopen.notices.notice import Notice

CLASSICAL = "classical"


@cache
def _regimes() -> dict[str, Any]:
    return {k: v for k, v in packaged_data("regimes").items() if k != "sources"}


@cache
def _sources() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = packaged_data("regimes")["sources"]
    return found


def regime_of(notice: Notice) -> tuple[str, str]:
    """The regime's name and what says so (the legal basis, or the buyer legal type); ``classical`` by default."""
    for name, regime in _regimes().items():
        if notice.legal_basis and notice.legal_basis in regime["legal_bases"]:
            return name, f"BT-01 {notice.legal_basis}"
    if notice.legal_basis:  # a classical, national or other legal basis: the buyer type does not overrule it
        return CLASSICAL, ""
    types = set(notice.buyer_legal_types)
    for name, regime in _regimes().items():
        if types and types <= set(regime["buyer_legal_types"]):
            return name, f"BT-11 {', '.join(sorted(types))}"
    return CLASSICAL, ""


def label(regime: str, lang: Lang = "nl") -> str:
    found: str = _regimes()[regime]["label"][lang]
    return found


@dataclass(frozen=True)
class Threshold:
    kind: str
    amount: float
    source: str  # a sentence naming the regulation and how its amount was read


@dataclass(frozen=True)
class RegimeVerdict:
    """Whether a notice under another regime is above that regime's threshold, and why."""

    regime: str
    basis: str  # what says the notice falls under the regime
    above: bool | None
    thresholds: tuple[Threshold, ...]
    reason: Text

    def line(self, lang: Lang = "nl") -> str:
        return self.reason.get(lang)


def _in_force(values: dict[Any, Any], on: dt.date) -> tuple[float, str] | None:
    dated = sorted((dt.date.fromisoformat(str(d)), ParameterEntry(**v)) for d, v in values.items())
    current = None
    for start, entry in dated:
        if start <= on:
            current = entry
    if current is None or current.value is None:
        return None
    return float(current.value), current.source or ""


def judge(regime: str, basis: str, nature: str | None, value: float | None, on: dt.date) -> RegimeVerdict:
    """Is a notice of ``regime`` with this nature and value (euro) above that regime's threshold on ``on``?"""
    spec = _regimes()[regime]
    law = Text(**spec["law"])
    names = {"nl": label(regime, "nl"), "en": label(regime, "en")}
    if nature == "works":
        kinds = ["works"]
    elif nature == "supplies":
        kinds = ["supplies-services"]
    elif nature == "services":
        # A utilities service may be one of Annex XVII (social and other specific services, a higher threshold);
        # that annex's CPV list is not in this package, so both thresholds are weighed and only agreement counts.
        kinds = [k for k in ("supplies-services", "social-services") if k in spec["thresholds"]]
    else:
        kinds = []
    found = [(k, _in_force(spec["thresholds"][k], on)) for k in kinds if k in spec["thresholds"]]
    thresholds = tuple(
        Threshold(k, amount, _sources()[source]["en"] if source in _sources() else source)
        for k, hit in found
        if hit is not None
        for amount, source in [hit]
    )
    if not thresholds or len(thresholds) < len(kinds) or not kinds:
        why = Text(
            nl=f"{names['nl']} ({basis}): geen drempel bekend voor {nature or 'deze aard'} op {on}; {law.nl}",
            en=f"{names['en']} ({basis}): no threshold known for {nature or 'this nature'} on {on}; {law.en}",
        )
        return RegimeVerdict(regime, basis, None, thresholds, why)
    verdicts = set() if value is None else {value >= t.amount for t in thresholds}
    above = verdicts.pop() if len(verdicts) == 1 else None
    said = {True: ("boven", "above"), False: ("onder", "below"), None: ("niet te plaatsen bij", "undecided for")}

    def amounts(lang: Lang) -> str:
        return ", ".join(f"{KINDS[t.kind][lang]} {format_eur(t.amount, lang)}" for t in thresholds)

    value_nl = "onbekend" if value is None else format_eur(value, "nl")
    value_en = "unknown" if value is None else format_eur(value, "en")
    return RegimeVerdict(
        regime,
        basis,
        above,
        thresholds,
        Text(
            nl=f"{names['nl']} ({basis}): waarde {value_nl} is {said[above][0]} de eigen drempel ({amounts('nl')}; "
            f"{law.nl}); het advies volgt de klassieke richtlijn en wordt er niet mee vergeleken",
            en=f"{names['en']} ({basis}): value {value_en} is {said[above][1]} its own threshold ({amounts('en')}; "
            f"{law.en}); the advice follows the classical directive and is not compared with it",
        ),
    )


KINDS = {
    "works": {"nl": "werken", "en": "works"},
    "supplies-services": {"nl": "leveringen en diensten", "en": "supplies and services"},
    "social-services": {"nl": "sociale en andere specifieke diensten", "en": "social and other specific services"},
}
