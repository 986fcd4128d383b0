"""A published notice as the rules see it, whatever format it came in (eForms XML or OCDS JSON).

Readers (``eforms.read_eforms``, ``ocds.read_ocds``) fill a ``Notice`` with what the notice *says*, in eForms
codes, so one comparison works for both formats (``compare``); ``importing`` turns it into a draft tender profile.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from inclusief_inkopen.base.errors import InputError


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class Money(_Model):
    amount: float
    currency: str | None


class Duration(_Model):
    value: float
    unit: str | None  # eForms duration-unit codes: DAY, WEEK, MONTH, YEAR


class AwardCriterion(_Model):
    type: str | None  # BT-539: quality, cost, price
    name: str | None  # BT-734
    weight: float | None  # BT-541 with BT-5421 "per-exa" etc.


class DeclaredLot(_Model):
    """What the notice declares for one lot (or, in a PIN-only notice, one part)."""

    id: str
    scheme: Literal["Lot", "Part"] = "Lot"
    implicit: bool = False  # an OCDS tender without lots, read as one lot; not a lot the buyer made
    title: str | None = None
    nature: str | None = None
    value: Money | None = None
    framework_maximum: Money | None = None  # BT-271-Lot
    cpv: list[str] = []
    duration: Duration | None = None
    accessibility: str | None = None  # BT-754
    accessibility_justification: str | None = None  # BT-755
    strategic_procurement: list[str] = []  # BT-06
    strategic_description: str | None = None  # BT-777
    social_objectives: list[str] = []  # BT-775
    reserved_participation: list[str] = []  # BT-71
    reserved_execution: str | None = None  # BT-736
    award_criteria: list[AwardCriterion] = []

    def codes(self, field: str) -> list[str]:
        """The code-list codes the lot declares for a field (BT-539 types for ``award_criteria``), as judged.

        A social objective (BT-775) is given only with BT-06 "soc-obj"; a notice that names one without it is judged
        as declaring "soc-obj" too, as OCDS can only say it (a social sustainability goal is both), so one notice
        gets one verdict in either format. The lot's own fields keep what the notice says.
        """
        if field == "award_criteria":
            return sorted({c.type for c in self.award_criteria if c.type})
        if field == "strategic_procurement" and self.social_objectives and "soc-obj" not in self.strategic_procurement:
            return [*(c for c in self.strategic_procurement if c != "none"), "soc-obj"]
        value = getattr(self, field)
        return list(value) if isinstance(value, list) else [value] if value else []


class Notice(_Model):
    file: str | None
    format: Literal["eforms", "ocds", "ted"]
    id: str | None = None
    procedure_id: str | None = None  # BT-04 procedure identifier, OCDS ocid: what groups the notices of one procedure
    issued: str | None = None  # BT-05(a) dispatch date, OCDS release date, TED dispatch date (ISO 8601)
    legal_basis: str | None = None  # BT-01: 32014L0024 (classical), 32014L0025 (utilities), 32009L0081 (defence) …
    form_type: str | None = None  # BT-03: planning, competition, result, dir-awa-pre, cont-modif, change …
    notice_type: str | None = None  # BT-02
    subtype: str | None = None  # OPP-070
    title: str | None = None
    nature: str | None = None
    value: Money | None = None  # BT-27-Procedure, OCDS tender.value
    framework_maximum: Money | None = None  # BT-271-Procedure
    result_value: Money | None = None  # BT-161-NoticeResult, OCDS awards' values summed: what was awarded
    result_framework_maximum: Money | None = None  # BT-118-NoticeResult
    cpv: list[str] = []
    procedure: str | None = None  # BT-105 code, or OCDS procurementMethod as "ocds:<method>"
    buyer_legal_types: list[str] = []
    lots: list[DeclaredLot] = []
    warnings: list[str] = []
    # The strategic-procurement terms (BT-754, BT-06, BT-775, BT-71) exist from eForms on; a TED R2.0.9 notice
    # cannot say them, which is "not in this notice format", never "not declared".
    declares_strategic_terms: bool = True


def only_one(notices: list[Notice], file: str) -> Notice:
    """The single contracting process a file must hold to be imported."""
    if len(notices) != 1:
        raise InputError.single(
            file, "", f"holds {len(notices)} contracting processes; import one at a time, or use 'scan' for many"
        )
    return notices[0]
