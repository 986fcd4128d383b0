"""Decisions without words: which criteria apply to a tender on a date, and the predicates that decided it.

``decide(profile, catalogue, on)`` returns ``Decisions``: per criterion in force its truth (applies, does not,
undetermined), the criterion that overrides it if any, and reason records (``conditions.Reason``: the fact, the
operator, the expected value or parameter, and whether it held). No sentence, label or wording is made here; the
advice renders those when it is read (``inclusief_inkopen.advice``).

Speed comes from compiling, not from remembering: the conditions of all criteria in force are compiled together
into one Python function that computes every predicate once (a predicate shared by several criteria too) and
combines them in Kleene logic. The source of that function is generated from the checked condition trees only.
No text from a catalogue file is ever part of it: every operand (values, field and parameter names, lists) is
handed to the function as a constant in its namespace, and the source holds nothing but generated local names,
operators and the indexes of those constants. Reason records are built from the computed predicate truths when
someone asks for them, by the same rules as the reference interpreter (``conditions.compile_condition``), which
the tests hold the compiled function to.

Compiling the function (some 250 lines for the built-in catalogue) takes longer than deciding a few tenders, and a
command that decides one tender would pay it at every start; so the first few calls on a program go through a
walk over the same steps the source is written from (``_Program.ops``), and only after those is the source
compiled. The tests hold the two to the same outcome, bit for bit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

from inclusief_inkopen.base.errors import EvaluationError, NotInForce, Problem
from inclusief_inkopen.base.parameters import ParameterValue
from inclusief_inkopen.base.values import Value
from inclusief_inkopen.rules.catalogue import STATUS_ORDER, Catalogue, CompiledCriterion, Criterion
from inclusief_inkopen.rules.conditions import (
    AnyOf,
    Context,
    ListRef,
    Node,
    Not,
    ParamRef,
    Predicate,
    Reason,
    Truth,
    resolve_operand,
)
from inclusief_inkopen.tender.facts import (
    REGIME_PARAMETERS,
    REQUIRED_PARAMETERS,
    DerivedFact,
    derive,
    regime_parameters,
)
from inclusief_inkopen.tender.profile import TenderProfile

THEME_ORDER = {
    theme: i
    for i, theme in enumerate(Criterion.model_fields["theme"].annotation.__args__)  # type: ignore[union-attr]
}

# run(facts, parameter values) -> (truth of each condition, truth of each predicate, reason records of each
# condition: a bit mask over its predicate nodes, those that decided it)
Program = Callable[
    [Mapping[str, Any], Sequence[Any]],
    tuple[tuple[Truth, ...], tuple[Truth, ...], tuple[int, ...]],
]


def parameter_values(catalogue: Catalogue, on: dt.date, names: Iterable[str]) -> dict[str, ParameterValue]:
    """The values in force on ``on``; a parameter with none is an error that names its file and validity."""
    values: dict[str, ParameterValue] = {}
    problems = []
    for name in sorted(set(names)):
        value = catalogue.parameters[name].value_at(on)
        if value is None:
            problems.append(
                Problem(
                    f"{catalogue.root}/parameters/{name}.yaml" if catalogue.root else name,
                    "values",
                    f"no value in force on {on.isoformat()}; the parameter holds "
                    f"{catalogue.parameters[name].validity()}",
                )
            )
        else:
            values[name] = value
    if problems:
        raise NotInForce(problems)
    return values


# ------------------------------------------------------------------------------------------------ compiling


def _operand_key(operand: Any) -> Any:
    # True == 1 and 1 == 1.0 in Python; a shared predicate must be the same predicate, so types are part of the key.
    if isinstance(operand, tuple):
        return tuple((x.__class__, x) for x in operand)
    return (operand.__class__, operand)


class _Compiler:
    """Writes the source of one program; every operand goes into ``namespace``, never into the source."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self.fields: dict[str, str] = {}
        self.params: list[str] = []
        self.predicates: dict[Any, int] = {}
        self.node_index: dict[int, int] = {}
        self.prefixes: dict[int, tuple[str, ...]] = {}
        # Per prefix test, the name of what tests one code and of its prefixes' constant (``def run``'s defaults).
        self.starts: list[tuple[str, str]] = []
        self.nodes = 0
        # The same steps as the lines, as data for ``_interpret``: each names the local it sets.
        self.ops: list[tuple[Any, ...]] = []

    def constant(self, value: Any) -> str:
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def starter(self, constant: str) -> str:
        name = f"s{len(self.starts)}"
        self.starts.append((name, constant))
        return name

    def fact(self, field: str) -> str:
        local = self.fields.get(field)
        if local is None:
            local = self.fields[field] = f"v{len(self.fields)}"
            self.lines.append(f"    {local} = f[{self.constant(field)}]")
            self.ops.append(("fact", local, field))
        return local

    def operand(self, node: Predicate, lists: Mapping[str, frozenset[str]]) -> str:
        operand = node.operand
        if isinstance(operand, ParamRef):
            if operand.name not in self.params:
                self.params.append(operand.name)
            return f"p[{self.params.index(operand.name)}]"
        if node.op == "prefix":  # the only operator that takes a list
            return self.constant(self.prefixes[id(node)])
        if node.op in ("contains_any", "contains_all"):
            return self.constant(frozenset(operand))
        return self.constant(operand)

    def predicate(self, node: Predicate, lists: Mapping[str, frozenset[str]]) -> int:
        key = (node.field, node.op, _operand_key(node.operand))
        index = self.predicates.get(key)
        if node.op == "prefix":
            operand = node.operand
            self.prefixes[id(node)] = (
                tuple(sorted(lists[operand.name]))
                if isinstance(operand, ListRef)
                else (operand if isinstance(operand, tuple) else (operand,))
            )
        if index is not None:
            self.node_index[id(node)] = index
            return index
        v = self.fact(node.field)
        k = self.operand(node, lists)
        # ``c.startswith(k)`` for each code, by a ``methodcaller`` made once (a default of ``run``) and ``map``: a
        # generator made a frame per test, 20 tests a tender, some 0.4 µs each more (timeit).
        test = (
            f"any(map({self.starter(k)}, {v}))"
            if node.op == "prefix" and not isinstance(node.operand, ParamRef)  # a default reads no parameter
            else {
                "eq": f"{v} == {k}",
                "in": f"{v} in {k}",
                "gt": f"{v} > {k}",
                "gte": f"{v} >= {k}",
                "lt": f"{v} < {k}",
                "lte": f"{v} <= {k}",
                "contains_any": f"not {k}.isdisjoint({v})",
                "contains_all": f"{k}.issubset({v})",
                "not_empty": f"bool({v}) is {k}",
                "is_true": f"{v} is {k}",
                "prefix": f"any(c.startswith({k}) for c in {v})",
            }[node.op]
        )
        index = self.predicates[key] = self.node_index[id(node)] = len(self.predicates)
        self.lines.append(f"    t{index} = None if {v} is None else {test}")
        operand = node.operand
        if isinstance(operand, ParamRef):
            given: tuple[str, Any] = ("param", self.params.index(operand.name))
        else:
            given = ("constant", self.namespace[k])
        self.ops.append(("predicate", f"t{index}", v, _TESTS[node.op], given))
        return index

    def node(self, node: Node, lists: Mapping[str, frozenset[str]], leaves: list[Predicate]) -> tuple[str, str]:
        """The locals (or literals) that hold the node's truth and its reason records.

        The records of a condition are a bit mask over its predicate nodes (``leaves``, in the order met): bit j
        set means the j-th predicate helped decide it. Small integers cost no allocation, where tuples would.
        """
        if isinstance(node, Predicate):
            leaves.append(node)
            return f"t{self.predicate(node, lists)}", str(1 << (len(leaves) - 1))
        if isinstance(node, Not):
            inner, reasons = self.node(node.child, lists, leaves)
            local = self.local(f"None if {inner} is None else not {inner}")
            self.ops.append(("not", local, inner))
            return local, reasons
        children = [self.node(child, lists, leaves) for child in node.children]
        decisive, other = ("True", "False") if isinstance(node, AnyOf) else ("False", "True")
        settled = " or ".join(f"{t} is {decisive}" for t, _ in children)
        unknown = " or ".join(f"{t} is None" for t, _ in children)
        local = self.local(f"{decisive} if {settled} else (None if {unknown} else {other})")
        # As the reference interpreter: the children that settled the outcome (or left it open) explain it;
        # an outcome that needed every child is explained by all of them.
        masks = [m for _, m in children]
        every = str(sum(int(m) for m in masks)) if all(m.isdigit() for m in masks) else " | ".join(masks)
        chosen = " | ".join(f"({m} if {t} is {local} else 0)" for t, m in children)
        reasons = f"r{local[1:]}"
        self.lines.append(f"    {reasons} = {every} if {local} is {other} else {chosen}")
        self.ops.append(("combine", local, reasons, isinstance(node, AnyOf), tuple(children), every))
        return local, reasons

    def local(self, expression: str) -> str:
        local = f"n{self.nodes}"
        self.nodes += 1
        self.lines.append(f"    {local} = {expression}")
        return local


# The predicate tests, as the compiled source writes them (``_Compiler.predicate``): value first, operand second.
_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "in": lambda v, k: v in k,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "contains_any": lambda v, k: not k.isdisjoint(v),
    "contains_all": lambda v, k: k.issubset(v),
    "not_empty": lambda v, k: bool(v) is k,
    "is_true": lambda v, k: v is k,
    "prefix": lambda v, k: any(c.startswith(k) for c in v),
}

# How many calls on a program are walked (``_interpret``) before its source is compiled.
_WALKED_CALLS = 4


class _Program(Value):
    # The call counter and the compiled function (``run``, in ``__dict__`` once made) are not part of the value.
    __match_args__ = (
        "parameters",
        "nodes",
        "prefixes",
        "leaves",
        "source",
        "namespace",
        "ops",
        "results",
        "predicate_count",
    )
    __slots__ = (*__match_args__, "calls", "__dict__")
    parameters: tuple[str, ...]
    # Where each predicate node's truth is in what ``run`` returns, and the prefixes a ``prefix`` node tests; by
    # the node's identity (the nodes are the catalogue's own, which holds the program).
    nodes: dict[int, int]
    prefixes: dict[int, tuple[str, ...]]
    # Per condition, its predicate nodes in the order of the bits of its reason records.
    leaves: tuple[tuple[Predicate, ...], ...]
    source: str
    namespace: dict[str, Any]
    ops: tuple[tuple[Any, ...], ...]
    # The locals that hold each condition's truth and reason records, and the number of predicates.
    results: tuple[tuple[str, str], ...]
    predicate_count: int
    calls: Iterator[int]

    def __init__(
        self,
        parameters: tuple[str, ...],
        nodes: dict[int, int],
        prefixes: dict[int, tuple[str, ...]],
        leaves: tuple[tuple[Predicate, ...], ...],
        source: str,
        namespace: dict[str, Any],
        ops: tuple[tuple[Any, ...], ...],
        results: tuple[tuple[str, str], ...],
        predicate_count: int,
    ) -> None:
        self._set(
            parameters=parameters,
            nodes=nodes,
            prefixes=prefixes,
            leaves=leaves,
            source=source,
            namespace=namespace,
            ops=ops,
            results=results,
            predicate_count=predicate_count,
            calls=itertools.count(),
        )

    @cached_property
    def run(self) -> Program:
        """The compiled function."""
        namespace = dict(self.namespace)
        # The source holds only names this compiler made up; builtins are limited to the four the tests use.
        namespace["__builtins__"] = {"any": any, "bool": bool, "map": map, "methodcaller": operator.methodcaller}
        exec(compile(self.source, "<inclusief-inkopen conditions>", "exec"), namespace)
        return namespace["run"]  # type: ignore[no-any-return]

    def __call__(
        self, f: Mapping[str, Any], p: Sequence[Any]
    ) -> tuple[tuple[Truth, ...], tuple[Truth, ...], tuple[int, ...]]:
        """What ``run`` returns: walked for the first calls, compiled after them."""
        if "run" in self.__dict__ or next(self.calls) >= _WALKED_CALLS:
            return self.run(f, p)
        return _interpret(self, f, p)


def _mask(token: str, env: Mapping[str, Any]) -> int:
    return int(token) if token.isdigit() else env[token]  # type: ignore[no-any-return]


def _interpret(
    program: _Program, f: Mapping[str, Any], p: Sequence[Any]
) -> tuple[tuple[Truth, ...], tuple[Truth, ...], tuple[int, ...]]:
    """The program's steps taken one by one, as the compiled source takes them (``_Compiler``)."""
    env: dict[str, Any] = {}
    for op in program.ops:
        kind, local = op[0], op[1]
        if kind == "fact":
            env[local] = f[op[2]]
        elif kind == "predicate":
            _, _, value, test, (source, operand) = op
            actual = env[value]
            env[local] = None if actual is None else test(actual, p[operand] if source == "param" else operand)
        elif kind == "not":
            inner = env[op[2]]
            env[local] = None if inner is None else not inner
        else:
            _, _, reasons, any_of, children, every = op
            decisive, other = (True, False) if any_of else (False, True)
            truths = [env[t] for t, _ in children]
            if any(t is decisive for t in truths):
                outcome: Truth = decisive
            else:
                outcome = None if any(t is None for t in truths) else other
            env[local] = outcome
            if outcome is other:
                tokens = every.split(" | ")
                env[reasons] = sum(int(t) for t in tokens) if every.isdigit() else _or(tokens, env)
            else:
                env[reasons] = _or([m for (t, m), truth in zip(children, truths, strict=True) if truth is outcome], env)
    return (
        tuple(env[t] for t, _ in program.results),
        tuple(env[f"t{i}"] for i in range(program.predicate_count)),
        tuple(_mask(r, env) for _, r in program.results),
    )


def _or(tokens: Iterable[str], env: Mapping[str, Any]) -> int:
    found = 0
    for token in tokens:
        found |= _mask(token, env)
    return found


def compile_program(conditions: Sequence[Node], lists: Mapping[str, frozenset[str]]) -> _Program:
    """One function ``run(facts, parameter_values)`` that returns the truth of every condition, of every predicate,
    and each condition's reason records.

    ``conditions`` must have passed ``check_condition``: only known fields, operators, parameters and lists.
    """
    c = _Compiler()
    leaves: list[list[Predicate]] = [[] for _ in conditions]
    results = [c.node(node, lists, leaves[i]) for i, node in enumerate(conditions)]
    predicates = [f"t{i}" for i in range(len(c.predicates))]
    truths = "".join(f"{t}, " for t, _ in results)
    reasons = "".join(f"{r}, " for _, r in results)
    source = "\n".join(
        [
            # Keyword-only defaults, evaluated once when the source is run: locals to the function, and nothing a
            # caller passes. Each is made of a name this compiler made up; its prefixes are in the namespace.
            "def run(f, p, *, " + "".join(f'{name}=methodcaller("startswith", {k}), ' for name, k in c.starts) + "):"
            if c.starts
            else "def run(f, p):",
            *c.lines,
            f"    return ({truths}), ({''.join(t + ', ' for t in predicates)}), ({reasons})",
        ]
    )
    return _Program(
        tuple(c.params),
        c.node_index,
        c.prefixes,
        tuple(tuple(x) for x in leaves),
        source,
        dict(c.namespace),
        tuple(c.ops),
        tuple(results),
        len(c.predicates),
    )


# ------------------------------------------------------------------------------------------------ deciding


def _sort_key(c: CompiledCriterion) -> tuple[int, int, str]:
    crit = c.criterion
    return STATUS_ORDER[crit.status], THEME_ORDER[crit.theme], crit.id


class Plan(Value):
    """What deciding on one date needs: the criteria in force in advice order, their program, the parameters."""

    __match_args__ = ("on", "criteria", "program", "parameters", "arguments", "overriders")
    __slots__ = __match_args__
    on: dt.date
    criteria: tuple[CompiledCriterion, ...]
    program: _Program
    parameters: dict[str, ParameterValue]
    arguments: tuple[Any, ...]
    # The criteria that override others, by their place in ``criteria``.
    overriders: tuple[tuple[int, Criterion], ...]

    def __init__(
        self,
        on: dt.date,
        criteria: tuple[CompiledCriterion, ...],
        program: _Program,
        parameters: dict[str, ParameterValue],
        arguments: tuple[Any, ...],
        overriders: tuple[tuple[int, Criterion], ...],
    ) -> None:
        self._set(
            on=on, criteria=criteria, program=program, parameters=parameters, arguments=arguments, overriders=overriders
        )


# A catalogue keeps at most this many plans (one per date asked for) and programs (one per set of criteria in
# force; dates share them). Both depend on the catalogue and the date only, never on a tender.
_PLAN_LIMIT = 64


def plan(catalogue: Catalogue, on: dt.date) -> Plan:
    plans: dict[Any, Any] = catalogue.plans
    found = plans.get(on)
    if found is not None:
        return found  # type: ignore[no-any-return]
    in_force = tuple(sorted((c for c in catalogue.criteria.values() if c.criterion.in_force(on)), key=_sort_key))
    ids = tuple(c.criterion.id for c in in_force)
    program = plans.get(ids)
    if program is None:
        program = compile_program([c.criterion.applies_when for c in in_force], catalogue.lists)
    needed = set(REQUIRED_PARAMETERS).union(*(c.parameters for c in in_force))
    values = parameter_values(catalogue, on, needed)
    # The thresholds of the other regimes where the catalogue holds them on this date; a tender of a regime whose
    # threshold is missing gets an error that says so (facts_of).
    for name in REGIME_PARAMETERS - needed:
        found = catalogue.parameters.get(name)
        value = None if found is None else found.value_at(on)
        if value is not None:
            values[name] = value
    made = Plan(
        on,
        in_force,
        program,
        values,
        tuple(values[name].value for name in program.parameters),
        tuple((i, c.criterion) for i, c in enumerate(in_force) if c.criterion.overrides),
    )
    if len(plans) >= 2 * _PLAN_LIMIT:
        plans.clear()
    plans[ids] = program
    plans[on] = made
    return made


def facts_of(
    profile: TenderProfile, catalogue: Catalogue, values: Mapping[str, ParameterValue], on: dt.date
) -> tuple[dict[str, Any], dict[str, DerivedFact]]:
    """What rules read: the tender's own fields and the facts derived from them."""
    if profile.regime != "classical":
        missing = [name for name in regime_parameters(profile.regime) if name not in values]
        if missing:
            _no_regime_threshold(profile, catalogue, missing, on)
    derived = derive(profile, values, catalogue.lists)
    facts = profile.__dict__.copy()
    for name, fact in derived.items():
        facts[name] = fact.value
    return facts, derived


def _no_regime_threshold(profile: TenderProfile, catalogue: Catalogue, missing: list[str], on: dt.date) -> None:
    """Refuse a tender whose regime's threshold the catalogue lacks, naming each parameter file and what it holds."""
    problems = []
    absent = False
    for name in missing:
        where = f"{catalogue.root}/parameters/{name}.yaml" if catalogue.root else name
        found = catalogue.parameters.get(name)
        if found is None:
            absent = True
            message = f"missing from this catalogue; a tender under regime {profile.regime!r} needs this threshold"
        else:
            message = f"no value in force on {on.isoformat()}; the parameter holds {found.validity()}"
        problems.append(Problem(where, "values", message))
    # Only a threshold that is there but not yet (or no longer) in force says the date is the matter.
    raise EvaluationError(problems) if absent else NotInForce(problems)


def context_for(profile: TenderProfile, catalogue: Catalogue, on: dt.date) -> tuple[Context, dict[str, DerivedFact]]:
    """What the rules read for this tender on this date, for the reference interpreter (``compile_condition``):
    its fields, the derived facts, every parameter that has a value on that date, and the lists."""
    values = {name: value for name, p in catalogue.parameters.items() if (value := p.value_at(on)) is not None}
    facts, derived = facts_of(profile, catalogue, parameter_values(catalogue, on, REQUIRED_PARAMETERS) | values, on)
    return Context(facts, values, catalogue.lists), derived


def missing_facts(reasons: Iterable[Reason]) -> list[str]:
    """The facts whose absence left these reasons open."""
    return sorted({r.field for r in reasons if r.holds is None})


class Decision:
    """One criterion in force: does it apply to this tender (``truth``), and why (``reasons``)."""

    __slots__ = ("_decisions", "_index", "criterion", "overridden_by", "records", "truth")

    def __init__(
        self,
        criterion: Criterion,
        truth: Truth,
        records: int,
        decisions: Decisions,
        index: int,
        overridden_by: str | None,
    ) -> None:
        self.criterion = criterion
        self._index = index
        self.truth = truth
        self.records = records
        self.overridden_by = overridden_by
        self._decisions = decisions

    @property
    def id(self) -> str:
        return self.criterion.id

    @property
    def reasons(self) -> list[Reason]:
        """The predicates that decided it, as the reference interpreter selects them: for ``all`` and ``any`` the
        children that settled the outcome (or left it open), otherwise all of them."""
        return [self._decisions.reason(node) for node in self._decisions.leaves(self)]

    @property
    def missing(self) -> list[str]:
        """The facts an undetermined criterion waits for."""
        return missing_facts(self.reasons) if self.truth is None else []

    def __repr__(self) -> str:
        by = f" overridden by {self.overridden_by}" if self.overridden_by else ""
        return f"<Decision {self.criterion.id} {self.truth}{by}>"


class Decisions:
    """Every criterion in force on ``on`` decided for one tender, in advice order (status, theme, id).

    ``truths`` holds the verdicts in that order; ``decisions`` gives each as a ``Decision`` with its reasons.
    """

    __slots__ = (
        "_decisions",
        "_overridden",
        "_plan",
        "_predicates",
        "catalogue",
        "derived",
        "facts",
        "profile",
        "records",
        "truths",
    )

    def __init__(
        self,
        profile: TenderProfile,
        catalogue: Catalogue,
        plan: Plan,
        facts: dict[str, Any],
        derived: dict[str, DerivedFact],
        truths: tuple[Truth, ...],
        predicates: tuple[Truth, ...],
        records: tuple[int, ...],
        overridden: dict[str, str],
    ) -> None:
        self.profile = profile
        self.catalogue = catalogue
        self.facts = facts
        self.derived = derived
        self.truths = truths
        self.records = records
        self._plan = plan
        # The truth of every distinct predicate: the reason records are read from these.
        self._predicates = predicates
        self._overridden = overridden
        self._decisions: list[Decision] | None = None

    @property
    def on(self) -> dt.date:
        return self._plan.on

    @property
    def parameters(self) -> dict[str, ParameterValue]:
        """The parameter values in force on the date that the criteria and the derived facts read."""
        return self._plan.parameters

    @property
    def decisions(self) -> list[Decision]:
        if self._decisions is None:
            overridden = self._overridden
            self._decisions = [
                Decision(c.criterion, t, r, self, i, overridden.get(c.criterion.id) if t is True else None)
                for i, (c, t, r) in enumerate(zip(self._plan.criteria, self.truths, self.records, strict=True))
            ]
        return self._decisions

    def applying(self) -> list[Decision]:
        """The criteria that apply and are not overridden: the suggestions."""
        return [d for d in self.decisions if d.truth is True and d.overridden_by is None]

    def ids(self) -> list[str]:
        """The ids of the criteria that apply and are not overridden, without making a ``Decision`` for each."""
        overridden = self._overridden
        return [
            c.criterion.id
            for c, t in zip(self._plan.criteria, self.truths, strict=True)
            if t is True and c.criterion.id not in overridden
        ]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.decisions)

    def __len__(self) -> int:
        return len(self.truths)

    def leaves(self, decision: Decision) -> list[Predicate]:
        """The predicate nodes a decision's reason records point at."""
        mask = decision.records
        return [node for j, node in enumerate(self._plan.program.leaves[decision._index]) if mask >> j & 1]

    def reason(self, node: Predicate) -> Reason:
        """A reason record in full: the predicate, the fact's value for this tender, and whether it held."""
        actual = self.facts.get(node.field)
        expected, pname, pvalue = resolve_operand(node, self._plan.parameters, self.catalogue.lists)
        if actual is None:
            return Reason(node.path, node.field, node.op, None, expected, None, pname, pvalue)
        program = self._plan.program
        holds = self._predicates[program.nodes[id(node)]]
        matched: tuple[Any, ...] = ()
        if node.op == "contains_any":
            matched = tuple(v for v in actual if v in expected)
        elif node.op == "prefix":
            prefixes = program.prefixes[id(node)]
            matched = tuple(code for code in actual if code.startswith(prefixes))
        if actual.__class__ is list:
            actual = tuple(actual)
        return Reason(node.path, node.field, node.op, actual, expected, holds, pname, pvalue, matched)


def decide(profile: TenderProfile, catalogue: Catalogue, on: dt.date) -> Decisions:
    """Decide every criterion in force on ``on`` for the tender."""
    p = plan(catalogue, on)
    facts, derived = facts_of(profile, catalogue, p.parameters, p.on)
    truths, predicates, records = p.program(facts, p.arguments)
    overridden: dict[str, str] = {}
    for i, criterion in p.overriders:  # later criteria win, as in advice order
        if truths[i] is True:
            for other in criterion.overrides:
                overridden[other] = criterion.id
    return Decisions(profile, catalogue, p, facts, derived, truths, predicates, records, overridden)
