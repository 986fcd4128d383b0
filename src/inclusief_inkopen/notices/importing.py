"""Importing a notice: read a file of either format and turn the notice into a draft tender profile.

``to_tender`` separates what the notice tells for sure, what it cannot tell (questions for the buyer), and
guesses from CPV codes.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from inclusief_inkopen.advice.reasons import question, value_label
from inclusief_inkopen.base import cpv as cpv_codes
from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.files import MAX_NOTICE_BYTES, read_bytes
from inclusief_inkopen.base.outputs import one_line
from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.text import Text
from inclusief_inkopen.notices.eforms import read_eforms
from inclusief_inkopen.notices.guesses import Guess, guesses_from_cpv
from inclusief_inkopen.notices.notice import Duration, Money, Notice, _Model, only_one
from inclusief_inkopen.notices.ocds import read_all
from inclusief_inkopen.notices.regimes import (
    CLASSICAL,
    advised_as,
    declares_light_regime,
    label,
    not_advised,
    regime_of,
)
from inclusief_inkopen.notices.ted import is_ted, read_ted
from inclusief_inkopen.tender.profile import problems_from_validation


class Imported(_Model):
    """A draft tender profile from a notice: facts, questions for the buyer and marked guesses."""

    notice: Notice
    tender: dict[str, Any]
    questions: dict[str, Text]
    guesses: list[Guess]
    warnings: list[str]
    regime: str = CLASSICAL  # the procurement law the notice falls under (notices.regimes)
    regime_basis: str = ""
    regime_note: Text | None = None  # the regime's own threshold and the notice's place beside it
    # field -> where in the notice its value was read, when the notice offers several
    sources: dict[str, str] = Field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when the draft has every field a tender profile requires."""
        return all(k in self.tender for k in REQUIRED)


# The fields a tender profile cannot do without.
REQUIRED = ("title", "nature", "estimated_value_eur")
# eForms procedure types (BT-105) that have a procedure of the Aanbestedingswet as their counterpart.
PROCEDURES = {
    "open": "open",
    "restricted": "restricted",
    "neg-w-call": "competitive-negotiation",
    "comp-dial": "competitive-dialogue",
    "innovation": "innovation-partnership",
    "neg-wo-call": "negotiated-without-publication",
    "ocds:open": "open",
}
# Buyer legal types (BT-11). Directive 2014/24/EU art. 2(1)(2)-(3): only the central government authorities of
# Annex I are "central"; every other contracting authority, bodies governed by public law included, is
# "sub-central". Public undertakings and entities with special rights fall under the utilities directive (other
# thresholds); EU institutions and international organisations under neither, so those are asked, not assumed.
AUTHORITY = {
    "cga": "central",
    "ra": "sub-central",
    "la": "sub-central",
    "body-pl": "sub-central",
    "body-pl-cga": "sub-central",
    "body-pl-ra": "sub-central",
    "body-pl-la": "sub-central",
    "org-sub": "sub-central",
    "org-sub-cga": "sub-central",
    "org-sub-ra": "sub-central",
    "org-sub-la": "sub-central",
}
NATURES = {"works": "works", "supplies": "supplies", "services": "services"}
_MONTH_DAYS = 365.25 / 12

# Fields no notice tells; asked in this order.
ASK_ALWAYS = ("end_users", "digital", "physical", "people_facing", "staffing", "labour_share", "supply_chain_risk")

# Sound guesses from the CPV code's significant digits: (prefix, field, value). Own mapping, from the labels of
# the CPV 2008 codes named; a guess is shown to the buyer, never written into the profile as a fact.


def _months(duration: Duration | None) -> int | None:
    if duration is None or duration.value <= 0:
        return None
    factor = _MONTHS_PER_UNIT.get((duration.unit or "").upper())
    if factor is None:
        return None
    months = duration.value * factor
    if not math.isfinite(months) or months > _MAX_MONTHS:  # "1e308 years" is no duration a contract can have
        return None
    return max(1, math.ceil(round(months, 6)))


_MAX_MONTHS = 12 * 1000
# Duration units as notices write them: the eForms SDK's codes, and the variants real notices use.
_MONTHS_PER_UNIT = {
    "DAY": 1 / _MONTH_DAYS,
    "CALENDAR_DAY": 1 / _MONTH_DAYS,
    "D": 1 / _MONTH_DAYS,
    "WORKING_DAY": 7 / 5 / _MONTH_DAYS,  # five working days to a calendar week
    "WEEK": 7 / _MONTH_DAYS,
    "MONTH": 1,
    "MON": 1,
    "YEAR": 12,
    "ANN": 12,
}


def _number(amount: float) -> int | float:
    return int(amount) if float(amount).is_integer() else amount


def _value_sources(notice: Notice) -> list[list[tuple[str, list[Money]]]]:
    """The totals a notice gives, in tiers: first the estimates, made when the notice is sent (the law's moment,
    Aw 2.15 lid 1), then what an award notice says was awarded. Each total with its source."""
    names = _SOURCE_NAMES[notice.format]
    estimates: list[tuple[str, list[Money]]] = []
    if notice.framework_maximum is not None:
        estimates.append((names["framework"], [notice.framework_maximum]))
    if notice.value is not None:
        estimates.append((names["value"], [notice.value]))
    per_lot = [_lot_total(lot) for lot in notice.lots if not lot.implicit]
    if per_lot and all(v is not None for v in per_lot):
        estimates.append((names["lots"], [v for v in per_lot if v is not None]))
    results: list[tuple[str, list[Money]]] = []
    if notice.result_framework_maximum is not None:
        results.append((names["result_framework"], [notice.result_framework_maximum]))
    if notice.result_value is not None:
        results.append((names["result"], [notice.result_value]))
    return [tier for tier in (estimates, results) if tier]


# Where each total is read, in the words of each format.
_SOURCE_NAMES = {
    "eforms": {
        "framework": "BT-271-Procedure (framework maximum)",
        "value": "BT-27-Procedure",
        "lots": "the sum of the lots' BT-271-Lot or BT-27-Lot",
        "result_framework": "BT-118-NoticeResult (frameworks' maximum)",
        "result": "BT-161-NoticeResult (value awarded)",
    },
    "ocds": {
        "framework": "",
        "value": "tender.value",
        "lots": "the sum of tender.lots[].value",
        "result_framework": "",
        "result": "the sum of awards[].value",
    },
    "ted": {
        "framework": "",
        "value": "VAL_ESTIMATED_TOTAL",
        "lots": "the sum of the lots' VAL_OBJECT",
        "result_framework": "",
        "result": "VAL_TOTAL (total value awarded)",
    },
}


def _lot_total(lot: Any) -> Money | None:
    """A lot's value: its framework maximum where it gives one in the same currency as its estimate, the larger."""
    given = [m for m in (lot.framework_maximum, lot.value) if m is not None]
    if len({m.currency for m in given}) > 1:
        return lot.value
    return max(given, key=lambda m: m.amount) if given else None


def _rate(currency: str, on: dt.date) -> tuple[float, str] | None:
    """Units of ``currency`` per euro in force on ``on`` (``data/currencies.yaml``) and where the figure was read;
    None where no official figure is held for that currency and date."""
    found = packaged_data("currencies").get(currency)
    if found is None:
        return None
    current = None
    for start, entry in sorted(found["rates"].items(), key=lambda item: str(item[0])):
        if dt.date.fromisoformat(str(start)) <= on:
            current = entry
    if current is None or current["per_euro"] is None:
        return None
    return float(current["per_euro"]), str(current["source"]["en"])


def _in_euro(total: float, currency: str, where: str, on: dt.date, warnings: list[str]) -> tuple[float, str] | None:
    """A total in another currency in euro, by the official rate in force on ``on``, or None with the reason."""
    rate = _rate(currency, on)
    if rate is None:
        warnings.append(
            f"value {_number(total)} {currency} ({where}) is not in euro; no official figure for {currency} on "
            f"{on.isoformat()} is held, so it is not converted: give the value in euro"
        )
        return None
    per_euro, read = rate
    euro = round(total / per_euro, 2)
    return euro, f"{where}, {_number(total)} {currency} at {per_euro:g} {currency} per euro ({read})"


def _value(notice: Notice, warnings: list[str], on: dt.date) -> tuple[int | float | None, str | None]:
    """The value that decides the threshold, in euro, and where it comes from.

    Within a tier the largest total in euro wins: the law counts options and renewals (Aw 2.15 lid 2), every
    contract a framework is meant for (lid 3) and all lots together (Aw 2.18 lid 1, 2.19 lid 1), so a smaller
    estimate found first must not decide. A placeholder (0, 0.01) is no value. A total in one other currency is
    converted where an official rate is held for the date judged on (``data/currencies.yaml``); otherwise, and
    for totals in several currencies, it is named, not converted.
    """
    partial = [lot for lot in notice.lots if not lot.implicit and _lot_total(lot) is not None]
    lots = [lot for lot in notice.lots if not lot.implicit]
    if partial and len(partial) < len(lots) and notice.value is None and notice.framework_maximum is None:
        warnings.append(f"only {len(partial)} of {len(lots)} lots state an estimated value; the total is not known")
    for tier in _value_sources(notice):
        usable: list[tuple[float, str]] = []
        for where, values in tier:
            currencies = {v.currency for v in values}
            total = round(sum(v.amount for v in values), 2)
            if currencies != {"EUR"} and len(currencies) == 1 and total > _PLACEHOLDER_AT_MOST:
                converted = _in_euro(total, str(currencies.pop()), where, on, warnings)
                if converted is not None:
                    usable.append(converted)
            elif currencies != {"EUR"}:
                named = ", ".join(sorted(str(c) for c in currencies))
                warnings.append(
                    f"value {_number(total)} {named} ({where}) is not in euro; not converted, give the value in euro"
                )
            elif total <= _PLACEHOLDER_AT_MOST:
                warnings.append(f"value {_number(total)} EUR ({where}) is a placeholder, not a value; not used")
            else:
                usable.append((total, where))
        if usable:
            total, where = max(usable, key=lambda u: u[0])
            return _number(total), where
    return None, None


# Publishers that must fill in a value they do not want to give write 0 or 0.01: no contract is worth that.
_PLACEHOLDER_AT_MOST = 1


def _cpv(notice: Notice, warnings: list[str]) -> list[str]:
    codes: list[str] = []
    for raw in [*notice.cpv, *(code for lot in notice.lots for code in lot.cpv)]:
        try:
            code = cpv_codes.validate(raw)
        except cpv_codes.InvalidCPV as exc:
            warnings.append(f"CPV code left out: {exc}")
            continue
        if code not in codes:
            codes.append(code)
    return codes


def to_tender(notice: Notice, on: dt.date | None = None) -> Imported:
    """Turn what a notice declares into a draft tender profile, with questions for what it cannot tell."""
    warnings = list(notice.warnings)
    tender: dict[str, Any] = {}
    sources: dict[str, str] = {}
    title = notice.title or next((lot.title for lot in notice.lots if lot.title), None)
    if title:
        tender["title"] = title.strip()[:500]
    nature = notice.nature or next((lot.nature for lot in notice.lots if lot.nature), None)
    if nature in NATURES:
        tender["nature"] = NATURES[nature]
    elif nature:
        warnings.append(f"main nature {nature!r} is not works, supplies or services")
    value, value_source = _value(notice, warnings, on or dt.date.today())
    if value is not None:
        tender["estimated_value_eur"] = value
        sources["estimated_value_eur"] = value_source or ""
    codes = _cpv(notice, warnings)
    if codes:
        tender["cpv"] = codes
    regime, regime_basis = regime_of(notice)
    regime_note: Text | None = None
    authorities = {AUTHORITY.get(t) for t in notice.buyer_legal_types}
    advised = advised_as(regime)
    if advised is None:
        regime_note = not_advised(regime, regime_basis)
    elif advised != CLASSICAL:  # the central/sub-central split is the classical directive's; this regime has its own
        tender["regime"] = advised
        word = value_label(advised, "nl"), value_label(advised, "en")
        regime_note = Text(
            nl=f"{label(regime, 'nl')} ({regime_basis}): geadviseerd onder het regime {word[0]}, met de eigen drempels",
            en=f"{label(regime, 'en')} ({regime_basis}): advised under the regime {word[1]}, with its own thresholds",
        )
    elif len(authorities) == 1 and None not in authorities:
        tender["authority"] = authorities.pop()
    elif notice.buyer_legal_types:
        warnings.append(
            f"buyer legal type {', '.join(notice.buyer_legal_types)}: central or sub-central threshold is not clear"
        )
    # The form of the light regime says the services are social and other specific ones, and the procedure.
    light = declares_light_regime(notice) and advised in (CLASSICAL, "utilities", "concession")
    if light and tender.get("nature") == "services":
        said = f"OPP-070 subtype {notice.subtype}"
        if advised != CLASSICAL:
            tender["social_services"] = True
            sources["social_services"] = said
        if advised != "concession":  # a concession's light regime is no choice (Aw 2a.29)
            tender["social_services_procedure"] = True
            sources["social_services_procedure"] = said
    if notice.procedure in PROCEDURES:
        tender["procedure"] = PROCEDURES[notice.procedure]
    elif notice.procedure:
        warnings.append(f"procedure {notice.procedure!r} has no counterpart in the tender profile")
    per_lot = [(lot, _months(lot.duration)) for lot in notice.lots]
    months = [m for _, m in per_lot if m is not None]
    for lot, m in per_lot:  # a duration that could not be read is said, never dropped silently
        if lot.duration is not None and m is None and lot.duration.value > 0:
            warnings.append(
                f"lot {lot.id}: duration {lot.duration.value:g} {lot.duration.unit or '(no unit)'} "
                "could not be read as months; answer duration_months"
            )
    if months:
        tender["duration_months"] = min(max(months), 1200)
    lots = [lot for lot in notice.lots if lot.scheme == "Lot" and not lot.implicit]
    if lots:
        tender["lots"] = min(len(lots), 10000)

    # The central/sub-central split decides only the classical thresholds.
    known = ("title", "nature", "estimated_value_eur", "cpv", "authority", "procedure")
    asked = [f for f in known if f not in tender and not (f == "authority" and "regime" in tender)]
    asked += [f for f in ("duration_months", "lots") if f not in tender] + list(ASK_ALWAYS)
    # Whether services are social ones decides a utility's threshold (Aw 3.9a) and a concession's light regime;
    # for defence, whether they are Annex II services decides which articles of the ADV may apply (art. 2.29-2.30).
    annex_open = tender.get("nature") == "services" and "social_services" not in tender
    if advised in ("utilities", "concession", "defence") and annex_open:
        asked.append("social_services")
    return Imported(
        notice=notice,
        tender=tender,
        questions={field: question(field, advised or CLASSICAL) for field in asked},
        guesses=guesses_from_cpv(codes),
        warnings=warnings,
        sources=sources,
        regime=regime,
        regime_basis=regime_basis,
        regime_note=regime_note,
    )


def read_notices(path: str | os.PathLike[str]) -> list[Notice]:
    """Every contracting process in a file, by content: one for an eForms notice (XML), one or more for OCDS
    (a release, record or package, JSON)."""
    name = str(Path(path))
    return read_notice_data(read_bytes(path, MAX_NOTICE_BYTES), name)


def read_notice_data(data: bytes, name: str) -> list[Notice]:
    """Every contracting process in a notice file's bytes (a member of an archive …), by content."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # XML may be UTF-16; it says so by its BOM
        start = data[:64].decode("utf-16", errors="ignore").lstrip()[:1].encode()
    try:
        if start == b"<":
            return [read_ted(data, name) if is_ted(data) else read_eforms(data, name)]
        if start in (b"{", b"["):
            return read_all(data, name)
    except ValidationError as exc:  # a value of a type no reader check foresaw: named, never a traceback
        raise InputError(problems_from_validation(exc, name)) from None
    raise InputError.single(name, "", "expected an eForms or TED notice (XML) or OCDS data (JSON); this is neither")


def read_notice(path: str | os.PathLike[str]) -> Notice:
    """The one contracting process in a notice file."""
    return only_one(read_notices(path), str(Path(path)))


def import_notice(path: str | os.PathLike[str]) -> Imported:
    """Read a notice and turn it into a draft tender profile."""
    return to_tender(read_notice(path))


class _QuotingDumper(yaml.SafeDumper):
    """Quotes every text that is only digits: PyYAML leaves 09121200 bare (not a YAML 1.1 number), but a YAML 1.2
    reader would take it for the number 9121200 and lose a CPV code's leading zero."""


def _text_node(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_QuotingDumper.add_representer(str, _text_node)


def to_yaml(imported: Imported, lang: Literal["nl", "en"] = "nl") -> str:
    """The draft tender profile as YAML, with the questions, guesses and warnings as comments above it."""
    n = imported.notice
    head = {"nl": "Concept-tenderprofiel uit", "en": "Draft tender profile from"}[lang]
    # Every comment is one line without control characters: text from a notice (an id, a currency, a buyer type)
    # must never become YAML of its own, such as an answer to a question the buyer has not answered.
    lines = [f"# {one_line(head + ' ' + (n.file or '?') + ' (' + n.format + (', ' + n.id if n.id else '') + ')')}"]
    notes = ([imported.regime_note.get(lang)] if imported.regime_note else []) + imported.warnings
    if notes:
        lines.append("# " + {"nl": "Let op:", "en": "Note:"}[lang])
        lines += [f"#   - {one_line(w)}" for w in notes]
    if imported.sources:
        lines.append("# " + {"nl": "Gelezen uit:", "en": "Read from:"}[lang])
        lines += [f"#   {field}: {one_line(where)}" for field, where in imported.sources.items()]
    guesses = {g.field: g for g in imported.guesses}
    if imported.questions:
        lines.append(
            "# "
            + {
                "nl": "Vragen voor de inkoper (vul de velden hieronder aan):",
                "en": "Questions for the buyer (add the fields below):",
            }[lang]
        )
        for field, text in imported.questions.items():
            lines.append(f"#   {field}: {one_line(text.get(lang))}")
            if field in guesses:
                g = guesses[field]
                lines.append(f"#     {one_line(json.dumps(g.value))}  <- {one_line(g.because.get(lang))}")
    body = (
        yaml.dump(imported.tender, Dumper=_QuotingDumper, allow_unicode=True, sort_keys=False, width=120)
        if imported.tender
        else "{}\n"
    )
    return "\n".join(lines) + "\n" + body
