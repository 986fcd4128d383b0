"""The rule catalogue as data: sources, parameters, code lists and criteria, and the file formats they use.

The built-in catalogue lives in the repository's ``criteria/`` folder and ships inside the package. Its layout::

    criteria/
      catalogue.yaml              name, version, format
      sources.yaml                every legal and policy source, once, referenced by id
      parameters/<group>/<name>.yaml   dated parameters (OpenFisca shape)
      lists/<name>.yaml           code lists (CPV codes) with their source
      themes/<theme>.yaml         the criteria of one theme, with their test cases
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from inclusief_inkopen.base.parameters import Parameter
from inclusief_inkopen.base.text import Text
from inclusief_inkopen.base.values import Value
from inclusief_inkopen.rules.conditions import (
    CONDITION_SCHEMA,
    AllOf,
    AnyOf,
    ConditionError,
    ListRef,
    Node,
    Not,
    parse_condition,
    to_data,
)

FORMAT = "inclusief-inkopen/v1"

Theme = Literal[
    "digital-accessibility",
    "product-accessibility",
    "physical-accessibility",
    "accessible-communication",
    "inclusive-design",
    "social-return",
    "workforce-diversity",
    "non-discrimination",
    "supply-chain-conditions",
    "reserved-contract",
    "inclusive-tender-process",
    "lots-and-sme",
]
Kind = Literal["requirement", "award-criterion", "contract-clause", "selection-criterion", "procedure"]
Status = Literal["mandatory", "policy", "recommended"]
STATUS_ORDER: dict[str, int] = {"mandatory": 0, "policy": 1, "recommended": 2}
Role = Literal["opdrachtgever", "budgethouder", "inkoper", "categoriemanager", "contractmanager"]
Phase = Literal[
    "preparation", "market-consultation", "specification", "selection", "award", "contract", "contract-management"
]
SourceKind = Literal["law", "eu-law", "policy", "guidance", "standard", "case-law"]
AccessibilityCode = Literal["inc", "n-inc", "n-inc-just"]
ReservedCode = Literal["none", "res-ws", "res-pub-ser"]
StrategicCode = Literal["soc-obj", "env-imp", "inn-pur", "none"]
SocialObjective = Literal["acc-all", "et-eq", "gen-eq", "hum-right", "opp", "work-cond", "other"]

CriterionId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", description="Stable id, e.g. TOEG-DIG-01")]
SourceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")]


def _parse(value: Any) -> Node:
    if isinstance(value, Node.__args__):  # type: ignore[attr-defined]
        return value
    try:
        return parse_condition(value, "")
    except ConditionError as exc:
        raise ValueError(f"at {exc.path}: {exc.message}" if exc.path else exc.message) from None


Condition = Annotated[
    Any,
    BeforeValidator(_parse),
    PlainSerializer(to_data, return_type=dict),
    WithJsonSchema({"type": "object", "x-condition": True}),
]


class Source(BaseModel):
    """A law, directive, policy or guidance document, listed once in ``sources.yaml``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    kind: SourceKind
    title: Text
    identifier: Annotated[str | None, Field(description="Official id: BWB id, CELEX number, ECLI …")] = None
    url: Annotated[str, Field(pattern=r"^https?://")]
    consulted: dt.date
    note: Text | None = None


# The words of a Dutch article reference, in English (longest first).
_ARTICLE_WORDS = (
    ("tot en met", "to"),
    ("lid", "para."),
    ("onder", "point"),
    ("en", "and"),
    ("bijlage", "Annex"),
    ("hoofdstuk", "chapter"),
    ("afdeling", "section"),
    ("paragraaf", "section"),
    ("artikel", "Article"),
)


class LegalRef(BaseModel):
    """A pinpoint reference: which source and which article."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    source: SourceId
    article: Annotated[
        str | Text | None,
        Field(
            description="Article, paragraph, section, e.g. '2.75 lid 4'; as {nl, en} when it says more than numbers "
            "and the words lid, onder, en, tot en met, bijlage, hoofdstuk, afdeling"
        ),
    ] = None

    def article_in(self, lang: str) -> str | None:
        """The article reference in a language: as written in {nl, en}, or, for a plain reference in Dutch, with
        its few structural words in English ('2.75 lid 4 en 5' is '2.75 para. 4 and 5')."""
        if self.article is None or (isinstance(self.article, str) and lang == "nl"):
            return self.article
        if isinstance(self.article, Text):
            return self.article.get(lang)  # type: ignore[arg-type]
        text = self.article
        for dutch, english in _ARTICLE_WORDS:
            text = re.sub(rf"\b{dutch}\b", english, text)
        return text

    url: Annotated[str | None, Field(pattern=r"^https?://", description="Deep link, if sharper than the source's")] = (
        None
    )


class Eforms(BaseModel):
    """The eForms values a notice should carry when the criterion is applied."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    accessibility: Annotated[AccessibilityCode | None, Field(description="BT-754")] = None
    strategic_procurement: Annotated[list[StrategicCode], Field(description="BT-06")] = []
    social_objectives: Annotated[list[SocialObjective], Field(description="BT-775")] = []
    reserved_participation: Annotated[ReservedCode | None, Field(description="BT-71")] = None


# The eForms codes a recommended procedure choice would set hold only if the buyer takes it (reserving the
# contract, its strategic and social objectives). What the notice says about accessibility (BT-754) follows from who
# uses the result and is never such an option, whatever the status of the criterion that says it.
OPTION_FIELDS = frozenset({"reserved_participation", "strategic_procurement", "social_objectives"})


def is_eforms_option(kind: str, status: str, field: str) -> bool:
    """Whether a criterion's value for this eForms field is an option the buyer may take, not a value in force."""
    return field in OPTION_FIELDS and kind == "procedure" and status == "recommended"


Expectation = Literal["applies", "not_applicable", "undetermined", "not_in_force"]


class RuleTest(BaseModel):
    """A test case kept beside the rule: a tender and whether the rule applies to it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=10, description="The expectation as a full sentence")]
    on: dt.date | None = None
    tender: dict[str, Any]
    expect: Expectation
    reasons_include: Annotated[list[str], Field(description="Fields that must appear in the reasons")] = []
    missing_include: Annotated[list[str], Field(description="Fields that must be reported missing")] = []


class Validity(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, populate_by_name=True)

    from_: Annotated[dt.date | None, Field(alias="from")] = None
    to: dt.date | None = None


# --- after the award: what a contract manager follows up (``follow_up``) -------------------------------------

Metric = Literal[
    "sr-value-eur",  # social return realised, in euro (the plan's value counted by Bureau Social Return's rules)
    "sr-placements",  # people placed (a count, never who)
    "a11y-status",  # the accessibility statement's status, A (best) to E
    "a11y-overdue-fixes",  # known accessibility failures past their agreed fix date
    "inspection-passed",  # an accessibility inspection at delivery passed: yes (1) or no (0)
    "measures-reported",  # a yearly report on the agreed measures delivered: yes (1) or no (0)
    "declaration-valid",  # a declaration or certificate the contract asks for is in force: yes (1) or no (0)
]
Unit = Literal["EUR", "count", "A-E", "yes-no"]
Moment = Literal["award+7d", "quarterly", "yearly", "delivery", "end"]
EvidenceKind = Literal[
    "sr-plan",
    "sr-realisation-report",
    "payroll-figures-aggregated",
    "social-enterprise-invoices",
    "pso-certificate",
    "wcag-em-report",
    "accessibility-statement",
    "inspection-report",
    "measures-report",
    "code-declaration",
]


class Target(BaseModel):
    """What counts as met: a fixed value, a share of the contract value, or what the supplier offered."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    value: Annotated[float | str | None, Field(description="A number, or a status such as 'B' for a11y-status")] = None
    share_of_value: Annotated[
        float | None, Field(gt=0, le=1, description="A share of the awarded contract value (0.05 is 5 %)")
    ] = None
    parameter: Annotated[
        str | None,
        Field(description="A ratio parameter whose value on the checklist's date is the share of the contract value"),
    ] = None
    from_offer: Annotated[
        bool, Field(description="The supplier's award offer, when higher than the minimum, is the target")
    ] = False


class Evidence(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    kind: EvidenceKind
    text: Text
    valid_months: Annotated[
        int | None, Field(ge=1, description="Months the evidence stays valid (an audit older than 36 months is not)")
    ] = None


class Sanction(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    type: Literal["penalty", "withholding", "termination", "repair", "none"]
    text: Annotated[Text, Field(description="What the contract says happens next, as the criterion's wording says")]


class FollowUp(BaseModel):
    """How a criterion applied in a contract is followed up: the metric, the target, when the supplier reports and
    with what evidence, and what happens when it is not met. Every statement rests on the criterion's own wording
    or on the sources named in ``source``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    metric: Metric
    unit: Unit
    direction: Literal["at-least", "at-most"]
    aggregation: Annotated[
        Literal["sum", "latest", "max"],
        Field(description="How the reports add up: summed over the contract, or the latest (or highest) value"),
    ]
    target: Target
    moments: Annotated[list[Moment], Field(min_length=1)]
    evidence: Annotated[list[Evidence], Field(min_length=1)]
    sanction: Sanction | None = None
    remedy_days: Annotated[int | None, Field(ge=1, description="Days the supplier has to put it right")] = None
    source: Annotated[list[SourceId], Field(min_length=1)]
    notes: Text | None = None


class Criterion(BaseModel):
    """One criterion: a requirement, award criterion, contract clause, selection criterion or procedure choice."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: CriterionId
    theme: Theme
    kind: Kind
    status: Status
    ambition: Annotated[int, Field(ge=1, le=3, description="1 basis, 2 significant, 3 ambitieus")]
    title: Text
    text: Annotated[Text, Field(description="Wording to paste into the tender documents")]
    applies_when: Condition
    legal_basis: Annotated[list[LegalRef], Field(min_length=1)]
    verification: Annotated[Text, Field(description="Bewijsmiddel: how compliance is shown")]
    roles: Annotated[list[Role], Field(min_length=1)]
    phase: Phase
    eforms: Eforms | None = None
    notes: Annotated[Text | None, Field(description="Interpretation choices and open points")] = None
    valid: Validity | None = None
    last_reviewed: dt.date | None = None
    overrides: list[CriterionId] = []
    follow_up: Annotated[FollowUp | None, Field(description="After the award: KPI, reporting, evidence, remedy")] = None
    tests: Annotated[list[RuleTest], Field(min_length=2)]

    def in_force(self, on: dt.date) -> bool:
        if self.valid is None:
            return True
        if self.valid.from_ and on < self.valid.from_:
            return False
        return not (self.valid.to and on > self.valid.to)


class ThemeFile(BaseModel):
    """The contents of one ``themes/<theme>.yaml`` file."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    theme: Theme
    criteria: list[dict[str, Any]]


# A code list that defines a product group is named product-group-<id>.
PRODUCT_GROUP_PREFIX = "product-group-"


class CodeList(BaseModel):
    """A list of codes (CPV) kept as data with its source."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    description: Text
    source: SourceId
    notes: Annotated[Text | None, Field(description="What was and was not verified against the source")] = None
    as_written: Annotated[
        list[str],
        Field(description="The items as the source writes them: a code, or a range 'A .. B' (both ends included)"),
    ] = []
    codes: Annotated[dict[str, str], Field(description="code -> label; the items expanded against CPV 2008")]
    product_group: Annotated[
        Text | None,
        Field(
            description="Set when the list defines a product group (file product-group-<id>.yaml): the group's "
            "name; its codes are the CPV codes or prefixes that belong to it, its description says what it covers"
        ),
    ] = None


class CatalogueInfo(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    version: str
    format: Literal["inclusief-inkopen/v1"]
    title: Text
    description: Text | None = None


class LayerInfo(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    version: str
    format: Literal["inclusief-inkopen/v1"]
    base: Annotated[str, Field(description="Name of the catalogue this layer goes over")]
    title: Text
    withdraw: list[CriterionId] = []
    replace: Annotated[dict[CriterionId, dict[str, Any]], Field(description="id -> fields to change")] = {}


class LayerReceipt(Value):
    """What a layer did to the catalogue under it."""

    __match_args__ = (
        "name",
        "version",
        "sha256",
        "added",
        "replaced",
        "withdrawn",
        "parameters",
        "replaced_sources",
        "replaced_lists",
    )
    __slots__ = __match_args__
    name: str
    version: str
    sha256: str
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    withdrawn: tuple[str, ...]
    parameters: tuple[str, ...]
    # What the layer put in place of the base's own: a source (a law's link) or a code list (Annex XIV).
    replaced_sources: tuple[str, ...]
    replaced_lists: tuple[str, ...]

    def __init__(
        self,
        name: str,
        version: str,
        sha256: str,
        added: tuple[str, ...] = (),
        replaced: tuple[str, ...] = (),
        withdrawn: tuple[str, ...] = (),
        parameters: tuple[str, ...] = (),
        replaced_sources: tuple[str, ...] = (),
        replaced_lists: tuple[str, ...] = (),
    ) -> None:
        self._set(
            name=name,
            version=version,
            sha256=sha256,
            added=added,
            replaced=replaced,
            withdrawn=withdrawn,
            parameters=parameters,
            replaced_sources=replaced_sources,
            replaced_lists=replaced_lists,
        )


class CompiledCriterion(Value):
    """A criterion whose condition passed every check, with what it reads."""

    __match_args__ = ("criterion", "file", "reads", "parameters")
    __slots__ = __match_args__
    criterion: Criterion
    file: str
    reads: frozenset[str]
    parameters: frozenset[str]

    def __init__(self, criterion: Criterion, file: str, reads: frozenset[str], parameters: frozenset[str]) -> None:
        self._set(criterion=criterion, file=file, reads=reads, parameters=parameters)


@dataclass(repr=False)
class Catalogue:
    """A loaded, checked and compiled catalogue (with any layers applied)."""

    info: CatalogueInfo
    sha256: str
    sources: dict[str, Source]
    parameters: dict[str, Parameter]
    lists: dict[str, frozenset[str]]
    list_info: dict[str, CodeList]
    criteria: dict[str, CompiledCriterion]
    layers: tuple[LayerReceipt, ...] = ()
    root: str = ""
    layer_roots: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    # What depends on this catalogue (and a date) only, never on a tender, worked out once: the compiled decision
    # programs and per-date plans (rules.decide), and the wording of each criterion on a date and the reason
    # sentences (advice.words). Bounded by those modules; not part of equality.
    plans: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    wording: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # The advice's JSON in pieces (advice.json_out), bounded by its size there.
    json_pieces: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def parameter_labels(self) -> dict[str, Text]:
        return {name: p.label for name, p in self.parameters.items()}

    @cached_property
    def list_labels(self) -> dict[str, Text]:
        # A product group is named by its name, so a reason reads "… valt onder productgroep Schoonmaak".
        return {
            name: Text(nl=f"productgroep {cl.product_group.nl}", en=f"product group {cl.product_group.en}")
            if cl.product_group
            else cl.description
            for name, cl in self.list_info.items()
        }

    @cached_property
    def product_groups(self) -> dict[str, CodeList]:
        """The product groups, by id (the list's name without ``product-group-``)."""
        return {
            name.removeprefix(PRODUCT_GROUP_PREFIX): cl
            for name, cl in sorted(self.list_info.items())
            if cl.product_group is not None
        }

    def groups_of(self, criterion_id: str) -> list[str]:
        """The product groups a criterion's condition names: the groups it is written for."""
        found: set[str] = set()

        def walk(node: Node) -> None:
            if isinstance(node, AllOf | AnyOf):
                for child in node.children:
                    walk(child)
            elif isinstance(node, Not):
                walk(node.child)
            elif isinstance(node.operand, ListRef) and node.operand.name.startswith(PRODUCT_GROUP_PREFIX):
                found.add(node.operand.name.removeprefix(PRODUCT_GROUP_PREFIX))

        walk(self.criteria[criterion_id].criterion.applies_when)
        return sorted(found & set(self.product_groups))

    def groups_for(self, cpv: list[str]) -> list[tuple[str, str, str]]:
        """The product groups a tender's CPV codes place it in, each with the code and the group's prefix that
        placed it: (group, tender code, prefix)."""
        out = []
        for group, cl in self.product_groups.items():
            for code in cpv:
                prefix = next((p for p in cl.codes if code.startswith(p)), None)
                if prefix is not None:
                    out.append((group, code, prefix))
                    break
        return out

    def groups_possible(self, cpv: list[str]) -> list[tuple[str, str]]:
        """Product groups a tender's codes leave open: a code broader than the group's own codes (60100000 road
        transport may be pupil transport or not), (group, tender code). A more specific code settles it."""
        placed = {g for g, _, _ in self.groups_for(cpv)}
        out = []
        for group, cl in self.product_groups.items():
            if group in placed:
                continue
            for code in cpv:
                significant = code.rstrip("0") or code[:2]
                if len(significant) < 8 and any(p.startswith(significant) for p in cl.codes):
                    out.append((group, code))
                    break
        return out

    def __getstate__(self) -> dict[str, Any]:
        # Sent to worker processes: what was worked out in this process (compiled functions) is made again there.
        state = self.__dict__.copy()
        state["plans"] = {}
        state["wording"] = {}
        state["json_pieces"] = None
        return state

    def parameter_file(self, name: str) -> str:
        """The file a parameter's metadata comes from: the last layer that gives it, else the base."""
        for receipt, root in reversed(list(zip(self.layers, self.layer_roots, strict=False))):
            if name in receipt.parameters:
                return f"{root}/parameters/{name}.yaml"
        return f"{self.root}/parameters/{name}.yaml"

    @property
    def identity(self) -> str:
        """What the advice was made with: the base's hash alone, or with layers a hash over it and every layer's,
        so the same base under another layer is another catalogue."""
        return catalogue_identity(self.sha256, [layer.sha256 for layer in self.layers])

    @property
    def title(self) -> str:
        """Name and version, with each layer's: "amsterdam-basis 2026.4 + gemeente-voorbeeld 1"."""
        return " + ".join([f"{self.info.name} {self.info.version}", *(f"{r.name} {r.version}" for r in self.layers)])

    def __repr__(self) -> str:
        return f"<Catalogue {self.title} ({len(self.criteria)} criteria, {self.identity[:12]})>"

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(c.criterion for c in self.criteria.values())

    def __len__(self) -> int:
        return len(self.criteria)

    def get(self, criterion_id: str) -> Criterion:
        return self.criteria[criterion_id].criterion


def catalogue_identity(base_sha256: str, layer_sha256s: list[str]) -> str:
    if not layer_sha256s:
        return base_sha256
    return hashlib.sha256("\0".join([base_sha256, *layer_sha256s]).encode()).hexdigest()


def _link_conditions(schema: Any) -> Any:
    """Replace the placeholder pydantic emits for conditions by a reference to the recursive definition."""
    if isinstance(schema, dict):
        if schema.get("x-condition"):
            return {"$ref": "#/$defs/Condition"}
        return {k: _link_conditions(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_link_conditions(v) for v in schema]
    return schema


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The published JSON Schema of a catalogue file format, conditions included."""
    schema = _link_conditions(model.model_json_schema())
    defs = schema.setdefault("$defs", {})
    if "#/$defs/Condition" in str(schema):
        defs["Condition"] = CONDITION_SCHEMA
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
