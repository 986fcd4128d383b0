"""Which procurement law a notice falls under, and how the advice takes it.

A notice says its legal basis in BT-01 (``32014L0025`` for the utilities directive …); where it does not (OCDS), a
buyer legal type that exists only under another regime tells it. Utilities, concessions and defence notices are
advised under their own regime (the tender profile's ``regime``: its thresholds and rules); a notice of a regime the
advice does not cover (EU institutions) is reported, not compared. ``data/regimes.yaml`` holds the regimes.

>>> regime_of(Notice(file=None, format="eforms", legal_basis="32014L0025"))
('utilities', 'BT-01 32014L0025')
>>> advised_as("concessions"), advised_as("eu-institution")
('concession', None)
>>> regime_of(Notice(file=None, format="ocds", buyer_legal_types=["la"]))
('classical', '')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.text import Lang, Text
from inclusief_inkopen.notices.notice import Notice

CLASSICAL = "classical"


@cache
def _regimes() -> dict[str, Any]:
    return dict(packaged_data("regimes"))


def advised_as(regime: str) -> str | None:
    """The tender profile's ``regime`` a notice of this regime is advised under; None for one the advice does not
    cover."""
    if regime == CLASSICAL:
        return CLASSICAL
    found: str | None = _regimes()[regime].get("advised_as")
    return found


def not_advised(regime: str, basis: str) -> Text:
    """Why a notice of a regime the advice does not cover is reported and not compared."""
    law = Text(**_regimes()[regime]["law"])
    return Text(
        nl=f"{label(regime, 'nl')} ({basis}): {law.nl}; het advies dekt dit regime niet en wordt er niet mee "
        "vergeleken",
        en=f"{label(regime, 'en')} ({basis}): {law.en}; the advice does not cover this regime and is not compared "
        "with it",
    )


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


def declares_light_regime(notice: Notice) -> bool:
    """Whether the notice's subtype is one of the light regime for social and other specific services (an eForms
    notice type ending in ``-social``: ``cn-social``, ``can-social``, ``pin-cfc-social``)."""
    subtype = _subtypes().get(notice.subtype or "")
    return subtype is not None and str(subtype.get("type", "")).endswith("-social")


def subtype_named(notice: Notice, lang: Lang) -> str:
    """``, subtype 16: Contract notice – general directive, standard regime`` (empty for an unknown subtype)."""
    subtype = _subtypes().get(notice.subtype or "")
    return "" if subtype is None else f", subtype {notice.subtype}: {subtype['name'][lang]}"


@dataclass(frozen=True)
class Declared:
    """How a notice says it was published: under a directive (``above`` True: the buyer runs a procedure above that
    regime's EU threshold) or as a voluntary or national notice (``above`` False)."""

    above: bool
    text: Text  # "aangekondigd onder Richtlijn 2014/24/EU (BT-01 32014L0024, subtype 16: …)"


def declared(notice: Notice) -> Declared | None:
    """What a notice declares by its legal basis and subtype (the eForms SDK's notice types): published under a
    directive (above its threshold) or as a voluntary or national notice (below); None when it declares neither, or
    falls under a regime the advice does not cover."""
    basis, said = declared_basis(notice)
    named = {lang: subtype_named(notice, lang) for lang in ("nl", "en")}
    if said.startswith("subtype"):  # the subtype alone says it: name it once
        said = "OPP-070"
    if basis == "other":
        text = Text(
            nl=f"aangekondigd als vrijwillige of nationale aankondiging, niet onder de richtlijn ({said}{named['nl']})",
            en=f"published as a voluntary or national notice, not under the directive ({said}{named['en']})",
        )
        return Declared(False, text)
    if basis == CLASSICAL_DIRECTIVE:
        directive = Text(nl="Richtlijn 2014/24/EU", en="Directive 2014/24/EU")
    else:
        found = next((r for r in _regimes().values() if basis in r["legal_bases"] and r.get("advised_as")), None)
        if found is None:
            return None
        directive = Text(**found["directive"])
    text = Text(
        nl=f"aangekondigd onder {directive.nl} ({said}{named['nl']})",
        en=f"published under {directive.en} ({said}{named['en']})",
    )
    return Declared(True, text)


def label(regime: str, lang: Lang = "nl") -> str:
    found: str = _regimes()[regime]["label"][lang]
    return found
