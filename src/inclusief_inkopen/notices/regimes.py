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


CLASSICAL_DIRECTIVE = "32014L0024"


@cache
def _subtypes() -> dict[str, dict[str, Any]]:
    """The eForms notice subtypes (``data/notice-subtypes.yaml``, from the eForms SDK)."""
    found: dict[str, dict[str, Any]] = packaged_data("notice-subtypes")["subtypes"]
    return found


def declared_basis(notice: Notice) -> tuple[str | None, str]:
    """The legal basis a notice declares and what says so: its BT-01, else the one its subtype (OPP-070) is
    published under in the eForms SDK."""
    if notice.legal_basis:
        return notice.legal_basis, f"BT-01 {notice.legal_basis}"
    subtype = _subtypes().get(notice.subtype or "")
    if subtype is not None:
        return str(subtype["legal_basis"]), f"subtype {notice.subtype}"
    return None, ""


def regime_of(notice: Notice) -> tuple[str, str]:
    """The regime's name and what says so (the legal basis, or the buyer legal type); ``classical`` by default."""
    basis, said = declared_basis(notice)
    for name, regime in _regimes().items():
        if basis and basis in regime["legal_bases"]:
            return name, said
    if basis:  # a classical, national or other legal basis: the buyer type does not overrule it
        return CLASSICAL, ""
    types = set(notice.buyer_legal_types)
    for name, regime in _regimes().items():
        if types and types <= set(regime["buyer_legal_types"]):
            return name, f"BT-11 {', '.join(sorted(types))}"
    return CLASSICAL, ""


def subtype_named(notice: Notice, lang: Lang) -> str:
    """``, subtype 16: Contract notice – general directive, standard regime`` (empty for an unknown subtype)."""
    subtype = _subtypes().get(notice.subtype or "")
    return "" if subtype is None else f", subtype {notice.subtype}: {subtype['name'][lang]}"


def as_declared(verdict: RegimeVerdict, notice: Notice) -> RegimeVerdict:
    """A notice of another regime without a value, judged as it is published: a notice under a directive says the
    procedure is above that directive's threshold."""
    if verdict.above is not None or not verdict.thresholds:
        return verdict
    names = {lang: label(verdict.regime, lang) for lang in ("nl", "en")}
    reason = Text(
        nl=f"{names['nl']} ({verdict.basis}{subtype_named(notice, 'nl')}): geen geraamde waarde gegeven; beoordeeld "
        "als boven de eigen drempel, zoals aangekondigd; het advies volgt de klassieke richtlijn en wordt er niet "
        "mee vergeleken",
        en=f"{names['en']} ({verdict.basis}{subtype_named(notice, 'en')}): no estimated value given; judged as above "
        "its own threshold, as declared; the advice follows the classical directive and is not compared with it",
    )
    return RegimeVerdict(verdict.regime, verdict.basis, True, verdict.thresholds, reason)


@dataclass(frozen=True)
class Declared:
    """How a notice of the classical regime says it was published: under the directive (``above`` True: the buyer
    runs a procedure above the EU threshold) or as a voluntary or national notice (``above`` False)."""

    above: bool
    text: Text  # "aangekondigd onder Richtlijn 2014/24/EU (BT-01 32014L0024, subtype 16: …)"


def declared(notice: Notice) -> Declared | None:
    """What a classical notice declares by its legal basis and subtype (the eForms SDK's notice types); None when it
    declares neither, or falls under another regime."""
    basis, said = declared_basis(notice)
    if basis not in (CLASSICAL_DIRECTIVE, "other"):
        return None
    named = {lang: subtype_named(notice, lang) for lang in ("nl", "en")}
    if said.startswith("subtype"):  # the subtype alone says it: name it once
        said = "OPP-070"
    if basis == CLASSICAL_DIRECTIVE:
        text = Text(
            nl=f"aangekondigd onder Richtlijn 2014/24/EU ({said}{named['nl']})",
            en=f"published under Directive 2014/24/EU ({said}{named['en']})",
        )
        return Declared(True, text)
    text = Text(
        nl=f"aangekondigd als vrijwillige of nationale aankondiging, niet onder de richtlijn ({said}{named['nl']})",
        en=f"published as a voluntary or national notice, not under the directive ({said}{named['en']})",
    )
    return Declared(False, text)


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
