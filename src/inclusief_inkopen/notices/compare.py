"""Compare what a notice declares with what the advice says it should declare.

For each eForms term the advice sets (BT-754 accessibility, BT-06 strategic procurement, BT-775 social objectives,
BT-71 reserved participation) the comparison says, lot by lot, whether the notice declares it. A code the advice
expects because of a mandatory or policy criterion is *required*; one that only recommended criteria bring is
*recommended*. A notice for a public website that says accessibility criteria are not included is a
``contradicts`` finding on a required code: the thing the bureau wants to see first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.advice.evaluate import Advice, evaluate
from inclusief_inkopen.base.text import Text
from inclusief_inkopen.notices import eforms as ef
from inclusief_inkopen.notices.importing import Imported
from inclusief_inkopen.notices.notice import DeclaredLot, Notice
from inclusief_inkopen.notices.regimes import CLASSICAL, advised_as, declared
from inclusief_inkopen.tender.facts import REGIME_PARAMETERS, regime_parameters

Status = Literal["declared", "missing", "contradicts", "undetermined"]
Level = Literal["required", "recommended"]


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lot: str
    business_term: str
    field: str
    expected: str
    level: Level
    declared: list[str]
    status: Status
    basis: list[str]
    message: Text


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str | None
    notice_id: str | None
    assessed: bool
    above_threshold: bool | None
    findings: list[Finding]
    undetermined: list[str]
    regime: str = CLASSICAL  # the regime the notice falls under (notices.regimes); one not advised is not compared
    value_known: bool = True  # False: only the findings that hold whatever the value are given
    note: Text | None = None  # why the notice was not (fully) compared

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ("missing", "contradicts")]

    @property
    def required_gaps(self) -> list[Finding]:
        return [f for f in self.gaps if f.level == "required"]


def expected_codes(advice: Advice) -> dict[tuple[str, str], tuple[Level, list[str]]]:
    """(field, code) -> (level, criteria) for every eForms code the applied criteria bring."""
    out: dict[tuple[str, str], tuple[Level, list[str]]] = {}
    for s in advice.suggestions:
        if s.kind == "procedure" and s.status == "recommended":
            continue  # a recommended procedure choice (reserving the contract) is an option, not an expectation
        level: Level = "required" if s.status in ("mandatory", "policy") else "recommended"
        e = s.eforms
        pairs = [("accessibility", e.accessibility)] if e and e.accessibility else []
        pairs += [("social_objectives", c) for c in e.social_objectives] if e else []
        pairs += [("strategic_procurement", c) for c in e.strategic_procurement] if e else []
        if e and e.social_objectives:
            pairs.append(("strategic_procurement", "soc-obj"))
        if s.kind == "award-criterion":  # an inclusion award criterion is a quality criterion (BT-539 "quality")
            pairs.append(("award_criteria", "quality"))
        for pair in pairs:
            old_level, criteria = out.get(pair, (level, []))
            out[pair] = ("required" if "required" in (old_level, level) else "recommended", [*criteria, s.id])
    # The advice's own verdict on BT-754 wins: while end users are unknown it sets no value.
    if advice.eforms.accessibility != "inc":
        out = {k: v for k, v in out.items() if k[0] != "accessibility" or k[1] == advice.eforms.accessibility}
    return {k: (level, sorted(set(criteria))) for k, (level, criteria) in sorted(out.items())}


def _message(field: str, code: str, status: Status, lot: DeclaredLot, declared: list[str]) -> Text:
    term, codelist = ef.TERMS[field]
    want_nl, want_en = ef.label(codelist, code, "nl"), ef.label(codelist, code, "en")
    said_nl = ", ".join(ef.label(codelist, c, "nl") for c in declared) or "niets"
    said_en = ", ".join(ef.label(codelist, c, "en") for c in declared) or "nothing"
    if status == "undetermined":
        return Text(
            nl=f"perceel {lot.id}: het advies verwacht {term} '{want_nl}'; dit aankondigingsformaat kent die term niet",
            en=f"lot {lot.id}: the advice expects {term} '{want_en}'; this notice format has no such term",
        )
    if status == "declared":
        return Text(
            nl=f"perceel {lot.id}: {term} zegt '{want_nl}', zoals het advies",
            en=f"lot {lot.id}: {term} says '{want_en}', as advised",
        )
    return Text(
        nl=f"perceel {lot.id}: het advies verwacht {term} '{want_nl}'; de aankondiging zegt: {said_nl}",
        en=f"lot {lot.id}: the advice expects {term} '{want_en}'; the notice says: {said_en}",
    )


def compare(notice: Notice, advice: Advice | None) -> Comparison:
    """Set what the notice declared beside what the advice says it should declare."""
    if advice is None:
        return Comparison(
            file=notice.file, notice_id=notice.id, assessed=False, above_threshold=None, findings=[], undetermined=[]
        )
    expected = expected_codes(advice)
    lots = [lot for lot in notice.lots if lot.scheme == "Lot"]
    findings: list[Finding] = []
    for lot in lots:
        for (field, code), (level, basis) in expected.items():
            declared = lot.codes(field)
            if not notice.declares_strategic_terms and field != "award_criteria":
                status: Status = "undetermined"  # the notice's format has no such term: not a gap
            elif code in declared:
                status = "declared"
            elif field == "accessibility" and declared:
                status = "contradicts"  # one code per lot: "not included" where "included" is expected
            else:
                status = "missing"
            findings.append(
                Finding(
                    lot=lot.id,
                    business_term=ef.TERMS[field][0],
                    field=field,
                    expected=code,
                    level=level,
                    declared=declared,
                    status=status,
                    basis=basis,
                    message=_message(field, code, status, lot, declared),
                )
            )
    above = advice.derived.get("above_eu_threshold")
    return Comparison(
        file=notice.file,
        notice_id=notice.id,
        assessed=True,
        above_threshold=above.value if above is not None and isinstance(above.value, bool) else None,
        findings=findings,
        undetermined=sorted({q.field for q in advice.questions}),
    )


# A value above every threshold any catalogue could hold.
_HIGHEST = 10**13


def _breakpoints(catalogue: Any, on: dt.date, regime: str = CLASSICAL) -> list[float]:
    """Values at which the advice can change as the estimated value grows: no value, each amount in euro the
    catalogue holds on ``on`` (the EU thresholds …) and just below it, and a value above them all. The catalogue's
    conditions compare the value with such amounts only, so the advice is the same between two neighbours, and a
    finding that every one of these values gives holds whatever the value. Another regime's thresholds cannot
    change the advice for this one, so they are left out."""
    others = REGIME_PARAMETERS - set(regime_parameters(regime))
    points = {0.0, float(_HIGHEST)}
    for name, parameter in catalogue.parameters.items():
        found = parameter.value_at(on) if parameter.unit == "EUR" and name not in others else None
        if found is not None and isinstance(found.value, int | float):
            points |= {float(found.value), max(0.0, float(found.value) - 0.01)}
    return sorted(points)


def assess(
    imported: Imported, catalogue: Any, on: dt.date | None = None, tender: dict[str, Any] | None = None
) -> tuple[Comparison, Advice | None]:
    """Compare a notice with the advice as far as the notice allows, and say how far that is.

    A notice under another regime (utilities, defence, concessions, EU institutions) is placed beside that regime's
    own threshold and not compared, as the catalogue follows the classical directive. Without an estimated value the
    advice is made at every value where it could change (``_breakpoints``), and only the findings all of them give
    are kept: an accessibility code that no value could make right is still reported. ``tender`` overrides the
    imported draft (the buyer's answers added).
    """
    notice = imported.notice
    draft = dict(imported.tender if tender is None else tender)
    base = {"file": notice.file, "notice_id": notice.id, "regime": imported.regime}
    if advised_as(imported.regime) is None:
        return Comparison(**base, assessed=False, above_threshold=None, findings=[], undetermined=[],
                          note=imported.regime_note), None  # fmt: skip
    missing = [f for f in ("nature",) if f not in draft]
    if missing:
        note = Text(
            nl=f"niet te beoordelen: de aankondiging geeft geen {', '.join(missing)}",
            en=f"cannot be assessed: the notice does not give {', '.join(missing)}",
        )
        return Comparison(**base, assessed=False, above_threshold=None, findings=[], undetermined=[], note=note), None
    draft.setdefault("title", notice.id or notice.file or "?")  # the rules never read the title
    said = declared(notice)
    if "estimated_value_eur" in draft:
        advice = evaluate(draft, catalogue, on=on)
        comparison = compare(notice, advice).model_copy(update={"regime": imported.regime})
        above = advice.derived["above_eu_threshold"].value
        if said is not None and above is not None and above is not said.above:
            # The value and the declaration disagree: the value decides, and the row says so.
            side = ("onder", "below") if said.above else ("boven", "above")
            what = ("vrijwillige publicatie: ", "voluntary publication: ") if said.above else ("", "")
            comparison = comparison.model_copy(
                update={
                    "note": Text(
                        nl=f"{what[0]}{said.text.nl}, maar de geraamde waarde ligt {side[0]} de Europese drempel; "
                        "beoordeeld op de waarde",
                        en=f"{what[1]}{said.text.en}, but the estimated value is {side[1]} the EU threshold; "
                        "judged on the value",
                    )
                }
            )
        return comparison, advice
    runs = [
        evaluate(draft | {"estimated_value_eur": value}, catalogue, on=on)
        for value in _breakpoints(catalogue, on or dt.date.today(), draft.get("regime", CLASSICAL))
    ]
    above_threshold = None
    note = Text(
        nl="de aankondiging geeft geen geraamde waarde: alleen wat bij elke waarde geldt is beoordeeld",
        en="the notice gives no estimated value: only what holds at any value is assessed",
    )
    # A notice published under the directive says its procedure is above the threshold, and a voluntary or national
    # one that it is not: judged as declared, at every value on that side of the threshold.
    on_that_side = [] if said is None else [a for a in runs if a.derived["above_eu_threshold"].value is said.above]
    if said is not None and on_that_side:
        runs, above_threshold = on_that_side, said.above
        side = ("boven", "above") if said.above else ("onder", "below")
        note = Text(
            nl=f"{said.text.nl}; geen geraamde waarde gegeven: beoordeeld als {side[0]} de Europese drempel, zoals "
            "aangekondigd",
            en=f"{said.text.en}; no estimated value given: judged as {side[1]} the EU threshold, as declared",
        )
    found = [compare(notice, advice) for advice in runs]
    kept = _at_every_value([c.findings for c in found])
    unknown = set.intersection(*(set(c.undetermined) for c in found))
    return Comparison(
        **base,
        assessed=True,
        above_threshold=above_threshold,
        findings=kept,
        undetermined=sorted(unknown | {"estimated_value_eur"}),
        value_known=False,
        note=note,
    ), None


def _at_every_value(runs: list[list[Finding]]) -> list[Finding]:
    """The findings every run gives: the same lot, term, code, level and status. Different criteria may expect a
    code at different values; the basis kept is the criteria that expect it at every value, or all of them when no
    one criterion does."""

    def key(f: Finding) -> tuple[str, str, str, str, str]:
        return (f.lot, f.field, f.expected, f.level, f.status)

    by_run = [{key(f): f for f in run} for run in runs]
    kept = []
    for k, first in by_run[0].items():
        if not all(k in run for run in by_run[1:]):
            continue
        bases = [set(run[k].basis) for run in by_run]
        common = set.intersection(*bases) or set.union(*bases)
        kept.append(first.model_copy(update={"basis": sorted(common)}))
    return kept


def render_text(comparison: Comparison, lang: Literal["nl", "en"] = "nl") -> str:
    """The comparison for people, one line per finding."""
    name = comparison.notice_id or comparison.file or "?"
    if not comparison.assessed:
        head = {
            "nl": "niet te beoordelen: het concept-profiel mist verplichte velden",
            "en": "cannot be assessed: the draft profile lacks required fields",
        }
        return f"{name}: {comparison.note.get(lang) if comparison.note else head[lang]}\n"
    mark = {"declared": "ok ", "missing": "!! ", "contradicts": "!! ", "undetermined": "?  "}
    level = {"required": {"nl": "vereist", "en": "required"}, "recommended": {"nl": "aanbevolen", "en": "recommended"}}
    lines = [name] + ([f"  {comparison.note.get(lang)}"] if comparison.note else [])
    for f in comparison.findings:
        lines.append(f"  {mark[f.status]}[{level[f.level][lang]}] {f.message.get(lang)} ({', '.join(f.basis)})")
    if not comparison.findings:
        lines.append(
            "  " + {"nl": "het advies verwacht geen eForms-waarden", "en": "the advice expects no eForms values"}[lang]
        )
    if comparison.undetermined:
        asked = ", ".join(comparison.undetermined)
        lines.append(
            "  "
            + {
                "nl": f"nog onbekend (vragen aan de inkoper): {asked}",
                "en": f"still unknown (questions for the buyer): {asked}",
            }[lang]
        )
    return "\n".join(lines) + "\n"
