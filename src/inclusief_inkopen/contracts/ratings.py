"""What is due when, and how each commitment is doing: ratings computed from the reports by the rules in
``data/ratings.yaml`` (thresholds and their tests as data), never typed in. The same contract, reports and date give
the same answer, byte for byte.

The scale: met, on track, approaching target, requires improvement, inadequate, waived (with a reason).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.base.packaged import packaged_data
from inclusief_inkopen.base.text import Lang, Text
from inclusief_inkopen.contracts.contract import STATUSES, Commitment, Contract, Report

Rating = Literal["met", "on-track", "approaching-target", "requires-improvement", "inadequate", "waived"]
DueState = Literal["done", "due", "overdue", "later"]


@cache
def rules() -> dict[str, Any]:
    return dict(packaged_data("ratings"))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has fewer (31 January + 1 = 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DueItem(_Out):
    commitment: str
    item_id: str
    moment: str
    due_on: dt.date
    state: DueState
    report: str | None = None
    late: bool = False  # answered, but after the grace days


class Status(_Out):
    commitment: str
    item_id: str
    title: Text
    rating: Rating | None  # None: a commitment without a KPI, followed by its reports alone
    because: Text
    realised: float | str | None = None
    target: float | str | None = None
    expected_now: float | None = None
    remedy: Text | None = None
    remedy_days: int | None = None
    overdue: int = 0
    expired_evidence: list[str] = []


def _due_dates(contract: Contract, commitment: Commitment) -> list[tuple[str, dt.date]]:
    if commitment.kpi is None:
        return []
    dates: dict[dt.date, str] = {}
    for moment in commitment.kpi.moments:
        if moment == "award+7d":
            dates.setdefault(contract.awarded_on + dt.timedelta(days=7), moment)
        elif moment in ("quarterly", "yearly"):
            step = 3 if moment == "quarterly" else 12
            n = 1
            while (day := add_months(contract.start, step * n)) < contract.end:
                dates.setdefault(day, moment)
                n += 1
        elif moment == "delivery":
            dates.setdefault(contract.delivery or contract.end, moment)
        else:
            dates.setdefault(contract.end, moment)
    return sorted(((m, d) for d, m in dates.items()), key=lambda x: x[1])


def due(contract: Contract, on: dt.date) -> list[DueItem]:
    """Every reporting moment of every commitment with what it stands at on ``on``: ``done`` (answered by a report
    from up to ``window_days`` before it), ``due`` (today or within the grace days after), ``overdue``, or ``later``.
    Each report answers one moment at most, the earliest it can."""
    window = dt.timedelta(days=int(rules()["window_days"]))
    grace = dt.timedelta(days=int(rules()["grace_days"]))
    out = []
    for commitment in contract.commitments:
        reports = sorted(
            (r for r in contract.reports if r.commitment == commitment.id and r.on <= on), key=lambda r: r.on
        )
        used: set[str] = set()
        for moment, day in _due_dates(contract, commitment):
            answer = next((r for r in reports if r.id not in used and r.on >= day - window), None)
            if answer is not None:
                used.add(answer.id)
                state: DueState = "done"
            elif on > day + grace:
                state = "overdue"
            elif on >= day:
                state = "due"
            else:
                state = "later"
            out.append(
                DueItem(
                    commitment=commitment.id,
                    item_id=commitment.item_id,
                    moment=moment,
                    due_on=day,
                    state=state,
                    report=answer.id if answer else None,
                    late=answer is not None and answer.on > day + grace,
                )
            )
    return sorted(out, key=lambda d: (d.due_on, d.commitment))


def _expiry(report: Report, commitment: Commitment) -> dt.date | None:
    months = {e.kind: e.valid_months for e in (commitment.kpi.evidence if commitment.kpi else []) if e.valid_months}
    dates = [add_months(report.on, months[e.kind]) for e in report.evidence if e.kind in months]
    return min(dates) if dates else None


def _money(value: float, lang: Lang) -> str:
    text = f"{value:,.0f}"
    return "€ " + (text.replace(",", ".") if lang == "nl" else text)


def _both(nl: str, en: str) -> Text:
    return Text(nl=nl, en=en)


def _by_share(share: float) -> Rating:
    for row in rules()["pace"]:
        if share >= float(row["at_least"]):
            return row["rating"]  # type: ignore[no-any-return]
    return "inadequate"


def _by_steps(steps: int) -> Rating:
    for row in rules()["steps"]:
        if steps <= int(row["at_most"]):
            return row["rating"]  # type: ignore[no-any-return]
    return "inadequate"


def status(contract: Contract, on: dt.date) -> list[Status]:
    """Each commitment's rating on ``on``, with the reasons in words, what was realised against the target, and
    the remedy the contract gives when it is not going well."""
    overdue_by: dict[str, int] = {}
    for item in due(contract, on):
        if item.state == "overdue":
            overdue_by[item.commitment] = overdue_by.get(item.commitment, 0) + 1
    return [_status(contract, c, on, overdue_by.get(c.id, 0)) for c in contract.commitments]


def _status(contract: Contract, commitment: Commitment, on: dt.date, overdue: int) -> Status:
    reports = [r for r in contract.reports if r.commitment == commitment.id and r.on <= on]
    base = {"commitment": commitment.id, "item_id": commitment.item_id, "title": commitment.title, "overdue": overdue}
    waived = next((r for r in reversed(reports) if r.waived), None)
    if waived is not None:
        return Status(**base, rating="waived", because=_both(f"afgezien: {waived.waived}", f"waived: {waived.waived}"))
    kpi = commitment.kpi
    if kpi is None:
        n = len(reports)
        return Status(
            **base,
            rating=None,
            because=_both(f"geen KPI in de catalogus; {n} rapportage(s)", f"no KPI in the catalogue; {n} report(s)"),
        )
    valid, expired = [], []
    for report in reports:
        until = _expiry(report, commitment)
        if until is not None and until < on:
            expired.append(f"{report.id} ({until.isoformat()})")
        elif report.value is not None:
            valid.append(report)
    rating, because, realised, expected = _rate(contract, kpi, valid, on, overdue, bool(expired))
    bad = rating in ("requires-improvement", "inadequate")
    return Status(
        **base,
        rating=rating,
        because=because,
        realised=realised,
        target=kpi.target,
        expected_now=expected,
        remedy=kpi.sanction if bad else None,
        remedy_days=kpi.remedy_days if bad else None,
        expired_evidence=expired,
    )


def _rate(
    contract: Contract, kpi: Any, valid: list[Report], on: dt.date, overdue: int, expired: bool
) -> tuple[Rating, Text, Any, float | None]:
    if not valid:
        rating: Rating = rules()["no_report"]["overdue" if overdue or expired else "not_due"]
        if expired:
            return (
                rating,
                _both(
                    "het bewijs is verlopen; een nieuwe rapportage is nodig",
                    "the evidence expired; a new report is needed",
                ),
                None,
                None,
            )
        if overdue:
            return rating, _both(f"{overdue} rapportage(s) te laat", f"{overdue} report(s) overdue"), None, None
        return rating, _both("nog niets te rapporteren", "nothing to report yet"), None, None
    if kpi.aggregation == "sum":
        realised = round(sum(float(r.value) for r in valid), 2)
        target = float(kpi.target)
        if realised >= target:
            return (
                "met",
                _both(
                    f"{_money(realised, 'nl')} van {_money(target, 'nl')} gerealiseerd",
                    f"{_money(realised, 'en')} of {_money(target, 'en')} realised",
                ),
                realised,
                target,
            )
        if on < contract.end:
            share_of_time = (on - contract.start).days / max(1, (contract.end - contract.start).days)
            expected = round(target * min(1.0, max(0.0, share_of_time)), 2)
            pace = realised / expected if expected > 0 else 1.0
            nl = (
                f"{_money(realised, 'nl')} van {_money(target, 'nl')}; naar rato van de tijd was "
                f"{_money(expected, 'nl')} te verwachten ({pace:.0%})"
            )
            en = (
                f"{_money(realised, 'en')} of {_money(target, 'en')}; pro rata to the time passed, "
                f"{_money(expected, 'en')} was expected ({pace:.0%})"
            )
            return _by_share(pace), _both(nl, en), realised, expected
        share = realised / target if target else 1.0
        nl = f"{_money(realised, 'nl')} van {_money(target, 'nl')} aan het eind ({share:.0%})"
        en = f"{_money(realised, 'en')} of {_money(target, 'en')} at the end ({share:.0%})"
        return _by_share(share), _both(nl, en), realised, target
    latest = max(valid, key=lambda r: (r.on, r.id)) if kpi.aggregation == "latest" else None
    if kpi.unit == "A-E":
        values = [str(r.value) for r in valid]
        value = str(latest.value) if latest else min(values, key=STATUSES.index)
        steps = STATUSES.index(value) - STATUSES.index(str(kpi.target))
        if kpi.direction == "at-most":
            steps = -steps
        return (
            _by_steps(max(0, steps)),
            _both(f"status {value}, gevraagd ten minste {kpi.target}", f"status {value}, at least {kpi.target} asked"),
            value,
            None,
        )
    numbers = [float(r.value) for r in valid]
    value_n = float(latest.value) if latest else max(numbers)
    target_n = float(kpi.target)
    gap = (target_n - value_n) if kpi.direction == "at-least" else (value_n - target_n)
    if kpi.unit == "yes-no":
        gap *= int(rules()["yes_no_steps"])
    steps = max(0, round(gap))
    shown = {1.0: "ja", 0.0: "nee"}.get(value_n, f"{value_n:g}") if kpi.unit == "yes-no" else f"{value_n:g}"
    shown_en = {1.0: "yes", 0.0: "no"}.get(value_n, f"{value_n:g}") if kpi.unit == "yes-no" else f"{value_n:g}"
    return _by_steps(steps), _both(f"gerapporteerd: {shown}", f"reported: {shown_en}"), value_n, target_n


class StatusOut(_Out):
    """One commitment in the status document; its texts in both languages, or in the one asked for."""

    commitment: str
    item_id: str
    title: Text | str
    rating: Rating | None
    because: Text | str
    realised: float | str | None = None
    target: float | str | None = None
    expected_now: float | None = None
    remedy: Text | str | None = None
    remedy_days: int | None = None
    overdue: int = 0
    expired_evidence: list[str] = []


class StatusDocument(_Out):
    """What ``contract status --format json`` prints and ``GET /api/v1/contracts/{id}`` answers as ``status``."""

    format: Literal["inclusief-inkopen/contract-status/v1"] = "inclusief-inkopen/contract-status/v1"
    contract: str
    title: str
    supplier: str
    on: dt.date
    commitments: list[StatusOut]
    due: list[DueItem]
    later: list[DueItem]


@dataclass(frozen=True)
class Overview:
    """What ``contract status`` prints and the API answers: the contract, each commitment's status, what is due."""

    contract: Contract
    on: dt.date
    statuses: list[Status]
    due: list[DueItem]

    def to_data(self, lang: Lang | None = None) -> dict[str, Any]:
        def text(value: Text | None) -> Any:
            if value is None:
                return None
            return value.get(lang) if lang else value

        document = StatusDocument(
            contract=self.contract.id,
            title=self.contract.title,
            supplier=self.contract.supplier,
            on=self.on,
            commitments=[
                StatusOut(
                    **(s.model_dump() | {"title": text(s.title), "because": text(s.because), "remedy": text(s.remedy)})
                )
                for s in self.statuses
            ],
            due=[d for d in self.due if d.state != "later"],
            later=[d for d in self.due if d.state == "later"],
        )
        return document.model_dump(mode="json")

    def to_json(self, lang: Lang | None = None) -> str:
        return json.dumps(self.to_data(lang), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def overview(contract: Contract, on: dt.date) -> Overview:
    return Overview(contract, on, status(contract, on), due(contract, on))
