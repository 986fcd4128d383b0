"""The condition language: a small, declarative tree that rules use to say when they apply.

A condition is YAML data, never code::

    all:
      - {field: estimated_value_eur, gte: {param: eu-threshold/supplies-services-sub-central}}
      - any:
          - {field: digital, contains_any: [website, app]}
          - not: {field: end_users, not_empty: true}

Nodes are ``all``, ``any`` and ``not``; a predicate names one ``field`` and exactly one operator. Operands are
literals, ``{param: NAME}`` (a dated parameter) or, for ``prefix``, ``{list: NAME}`` (a code list). No text of a
condition is ever evaluated as Python: the tree is checked against the known fields, operators, parameters and
lists when the catalogue loads.

Logic is three-valued (Kleene): a predicate on a field the tender leaves out is *unknown*, ``all`` is false as
soon as one child is false, ``any`` is true as soon as one child is true, and otherwise unknown wins. Every
evaluation returns the truth value and the reasons that decided it.

``compile_condition`` is the language's reference interpreter (closures, one condition at a time): the rule-test
coverage and the tests use it, and ``rules.decide``, which compiles all conditions in force into one function for
speed, is held to give exactly its verdicts and reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, TypeAlias

from inclusief_inkopen.base.parameters import Parameter, ParameterValue
from inclusief_inkopen.base.values import Value
from inclusief_inkopen.tender.facts import FIELDS, FieldSpec

Truth: TypeAlias = bool | None

OPERATORS: dict[str, str] = {
    "eq": "equals",
    "in": "is one of",
    "gt": "greater than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "contains_any": "list contains at least one of",
    "contains_all": "list contains all of",
    "not_empty": "list is (not) empty",
    "is_true": "yes/no field is",
    "prefix": "a CPV code starts with one of",
}
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "enum": ("eq", "in"),
    "enum_list": ("contains_any", "contains_all", "not_empty"),
    "number": ("eq", "gt", "gte", "lt", "lte"),
    "bool": ("is_true",),
    "cpv_list": ("prefix", "not_empty"),
    "text": (),
    "date": (),
}
FIELD_UNITS: dict[str, str] = {
    "estimated_value_eur": "EUR",
    "eu_threshold_eur": "EUR",
    "labour_share": "ratio",
    "duration_months": "months",
}


def _close_matches(word: str, choices: list[str], n: int = 1) -> list[str]:
    """The names nearest a misspelt one, for a hint in the message."""
    import difflib  # only a catalogue with a typo in it pays for it

    return difflib.get_close_matches(word, choices, n=n)


class ConditionError(ValueError):
    """A condition that is not well formed; ``path`` says where inside the condition."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class ParamRef(Value):
    __match_args__ = ("name",)
    __slots__ = __match_args__
    name: str

    def __init__(self, name: str) -> None:
        self._set(name=name)


class ListRef(Value):
    __match_args__ = ("name",)
    __slots__ = __match_args__
    name: str

    def __init__(self, name: str) -> None:
        self._set(name=name)


class Predicate(Value):
    __match_args__ = ("path", "field", "op", "operand")
    __slots__ = __match_args__
    path: str
    field: str
    op: str
    operand: Any

    def __init__(self, path: str, field: str, op: str, operand: Any) -> None:
        self._set(path=path, field=field, op=op, operand=operand)


class AllOf(Value):
    __match_args__ = ("path", "children")
    __slots__ = __match_args__
    path: str
    children: tuple[Node, ...]

    def __init__(self, path: str, children: tuple[Node, ...]) -> None:
        self._set(path=path, children=children)


class AnyOf(Value):
    __match_args__ = ("path", "children")
    __slots__ = __match_args__
    path: str
    children: tuple[Node, ...]

    def __init__(self, path: str, children: tuple[Node, ...]) -> None:
        self._set(path=path, children=children)


class Not(Value):
    __match_args__ = ("path", "child")
    __slots__ = __match_args__
    path: str
    child: Node

    def __init__(self, path: str, child: Node) -> None:
        self._set(path=path, child=child)


Node: TypeAlias = Predicate | AllOf | AnyOf | Not


# ---------------------------------------------------------------------------------------------------- parsing


def _operand(raw: Any, path: str) -> Any:
    if isinstance(raw, dict):
        if set(raw) == {"param"} and isinstance(raw["param"], str):
            return ParamRef(raw["param"])
        if set(raw) == {"list"} and isinstance(raw["list"], str):
            return ListRef(raw["list"])
        raise ConditionError(path, "an operand is a value, a list of values, {param: NAME} or {list: NAME}")
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            if not isinstance(item, str | int | float | bool) or item is None:
                raise ConditionError(f"{path}/{i}", "list items must be plain values")
        return tuple(raw)
    if raw is None:
        raise ConditionError(path, "an operand may not be empty (null)")
    if not isinstance(raw, str | int | float | bool):
        raise ConditionError(path, f"unsupported operand of type {type(raw).__name__}")
    return raw


def parse_condition(raw: Any, path: str = "applies_when") -> Node:
    """Turn YAML data into a condition tree, or raise ``ConditionError`` naming the place."""
    if not isinstance(raw, dict):
        raise ConditionError(path, "expected a mapping with all, any, not, or field and one operator")
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ConditionError(path, f"'{combinator}' stands alone; found also {sorted(keys - {combinator})}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise ConditionError(f"{path}/{combinator}", "expected a non-empty list of conditions")
            children = tuple(parse_condition(c, f"{path}/{combinator}/{i}") for i, c in enumerate(items))
            return AllOf(path, children) if combinator == "all" else AnyOf(path, children)
    if "not" in keys:
        if keys != {"not"}:
            raise ConditionError(path, f"'not' stands alone; found also {sorted(keys - {'not'})}")
        return Not(path, parse_condition(raw["not"], f"{path}/not"))
    if "field" not in keys:
        unknown = sorted(keys)
        hint = _close_matches(unknown[0], [*OPERATORS, "all", "any", "not", "field"], n=1) if unknown else []
        raise ConditionError(
            path,
            f"unknown condition {unknown}; expected all, any, not, or field with one operator"
            + (f" (did you mean {hint[0]!r}?)" if hint else ""),
        )
    field = raw["field"]
    if not isinstance(field, str):
        raise ConditionError(f"{path}/field", "expected a field name")
    ops = keys - {"field"}
    unknown_ops = sorted(ops - set(OPERATORS))
    if unknown_ops:
        hint = _close_matches(unknown_ops[0], list(OPERATORS), n=1)
        raise ConditionError(
            path,
            f"unknown operator {unknown_ops[0]!r}; known operators: {', '.join(OPERATORS)}"
            + (f" (did you mean {hint[0]!r}?)" if hint else ""),
        )
    if len(ops) != 1:
        raise ConditionError(path, f"a predicate has exactly one operator, found {len(ops)}: {sorted(ops)}")
    (op,) = ops
    return Predicate(path, field, op, _operand(raw[op], f"{path}/{op}"))


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)


def reads(node: Node) -> set[str]:
    """The fields a condition reads."""
    return {n.field for n in walk(node) if isinstance(n, Predicate)}


def parameters_read(node: Node) -> set[str]:
    return {n.operand.name for n in walk(node) if isinstance(n, Predicate) and isinstance(n.operand, ParamRef)}


def to_data(node: Node) -> Any:
    """The condition back as plain data (the inverse of ``parse_condition``)."""
    if isinstance(node, AllOf):
        return {"all": [to_data(c) for c in node.children]}
    if isinstance(node, AnyOf):
        return {"any": [to_data(c) for c in node.children]}
    if isinstance(node, Not):
        return {"not": to_data(node.child)}
    operand = node.operand
    if isinstance(operand, ParamRef):
        operand = {"param": operand.name}
    elif isinstance(operand, ListRef):
        operand = {"list": operand.name}
    elif isinstance(operand, tuple):
        operand = list(operand)
    return {"field": node.field, node.op: operand}


# ---------------------------------------------------------------------------------------------------- checking


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_predicate(
    node: Predicate,
    spec: FieldSpec,
    parameters: Mapping[str, Parameter],
    lists: Mapping[str, frozenset[str]],
) -> list[ConditionError]:
    where = f"{node.path}/{node.op}"
    allowed = OPERATORS_BY_TYPE[spec.type]
    if node.op not in allowed:
        return [
            ConditionError(
                node.path,
                f"operator {node.op!r} does not apply to field {node.field!r} ({spec.type}); "
                + (f"use one of {', '.join(allowed)}" if allowed else "this field cannot be used in conditions"),
            )
        ]
    operand = node.operand
    if node.op in ("not_empty", "is_true"):
        if not isinstance(operand, bool):
            return [ConditionError(where, "expected true or false")]
        return []
    if node.op in ("gt", "gte", "lt", "lte") or (node.op == "eq" and spec.type == "number"):
        if isinstance(operand, ParamRef):
            param = parameters.get(operand.name)
            if param is None:
                hint = _close_matches(operand.name, list(parameters), n=1)
                return [
                    ConditionError(
                        where,
                        f"unknown parameter {operand.name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                    )
                ]
            if not param.is_numeric:
                return [ConditionError(where, f"parameter {operand.name!r} is not a number")]
            unit = FIELD_UNITS.get(node.field)
            if unit and param.unit != unit:
                return [
                    ConditionError(
                        where, f"field {node.field!r} is in {unit} but parameter {operand.name!r} is in {param.unit}"
                    )
                ]
            return []
        if not _is_number(operand):
            return [ConditionError(where, f"expected a number or {{param: NAME}}, got {operand!r}")]
        return []
    if node.op == "prefix":
        if isinstance(operand, ListRef):
            if operand.name not in lists:
                return [ConditionError(where, f"unknown list {operand.name!r}; known: {', '.join(sorted(lists))}")]
            return []
        items = operand if isinstance(operand, tuple) else (operand,)
        bad = [p for p in items if not (isinstance(p, str) and p.isdigit() and 2 <= len(p) <= 8)]
        if bad or not items:
            return [ConditionError(where, f"expected CPV prefixes of 2 to 8 digits (as text), got {bad or operand!r}")]
        return []
    # eq / in / contains_* on vocabularies
    if isinstance(operand, ParamRef | ListRef):
        return [ConditionError(where, "expected values from the field's vocabulary")]
    if node.op == "eq":
        values: tuple[Any, ...] = (operand,)
    else:
        if not isinstance(operand, tuple) or not operand:
            return [ConditionError(where, "expected a non-empty list of values")]
        values = operand
    wrong = [v for v in values if v not in spec.values]
    if wrong:
        return [
            ConditionError(
                where, f"{wrong[0]!r} is not a value of {node.field!r}; expected one of {', '.join(spec.values)}"
            )
        ]
    return []


def check_condition(
    node: Node,
    parameters: Mapping[str, Parameter],
    lists: Mapping[str, frozenset[str]],
    fields: Mapping[str, FieldSpec] = FIELDS,
) -> list[ConditionError]:
    """Every semantic problem in a condition: unknown fields, operators that do not fit, missing parameters."""
    errors: list[ConditionError] = []
    for n in walk(node):
        if not isinstance(n, Predicate):
            continue
        spec = fields.get(n.field)
        if spec is None:
            hint = _close_matches(n.field, list(fields), n=1)
            errors.append(
                ConditionError(
                    f"{n.path}/field",
                    f"unknown field {n.field!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                )
            )
            continue
        errors.extend(_check_predicate(n, spec, parameters, lists))
    return errors


# ---------------------------------------------------------------------------------------------------- evaluating


class Reason(NamedTuple):
    """One predicate as it was evaluated: the fact, the rule's expectation, and whether it held.

    A named tuple rather than a dataclass: one is made for every predicate of every evaluation.
    """

    path: str
    field: str
    op: str
    actual: Any
    expected: Any
    holds: Truth
    parameter: str | None = None
    parameter_value: ParameterValue | None = None
    matched: tuple[Any, ...] = ()


def describe(reason: Reason) -> str:
    """A reason record in plain notation, for people who write rules (the advice says it in words)."""
    expected = (
        f"{{param: {reason.parameter}}} = {reason.expected!r}"
        if reason.parameter_value
        else (f"{{list: {reason.parameter}}}" if reason.parameter else repr(reason.expected))
    )
    if reason.holds is None:
        return f"{reason.path or '/'}: {reason.field} is unknown"
    given = f"given {reason.actual!r}: {str(reason.holds).lower()}"
    return f"{reason.path or '/'}: {reason.field} {reason.op} {expected}; {given}"


class Context:
    """What one evaluation reads: the facts, the parameter values in force, and the code lists."""

    __match_args__ = ("facts", "lists", "params")
    __slots__ = __match_args__

    def __init__(
        self, facts: Mapping[str, Any], params: Mapping[str, ParameterValue], lists: Mapping[str, frozenset[str]]
    ) -> None:
        self.facts = facts
        self.params = params
        self.lists = lists


Evaluator = Callable[[Context], tuple[Truth, list[Reason]]]
TruthOnly = Callable[[Context], Truth]


def _test(op: str, actual: Any, expected: Any) -> tuple[bool, tuple[Any, ...]]:
    if op == "eq":
        return actual == expected, ()
    if op == "in":
        return actual in expected, ()
    if op == "gt":
        return actual > expected, ()
    if op == "gte":
        return actual >= expected, ()
    if op == "lt":
        return actual < expected, ()
    if op == "lte":
        return actual <= expected, ()
    if op == "contains_any":
        matched = tuple(v for v in actual if v in expected)
        return bool(matched), matched
    if op == "contains_all":
        return all(v in actual for v in expected), ()
    if op == "not_empty":
        return bool(actual) is expected, ()
    if op == "is_true":
        return actual is expected, ()
    if op == "prefix":
        matched = tuple(code for code in actual if any(code.startswith(p) for p in expected))
        return bool(matched), matched
    raise AssertionError(f"operator {op!r} passed the checks but has no implementation")


def resolve_operand(
    node: Predicate, params: Mapping[str, ParameterValue], lists: Mapping[str, frozenset[str]]
) -> tuple[Any, str | None, ParameterValue | None]:
    """What a predicate compares with: its literal, or the parameter's value in force (with its name and dated
    value), or the code list (with its name)."""
    operand = node.operand
    if isinstance(operand, ParamRef):
        value = params[operand.name]
        return value.value, operand.name, value
    if isinstance(operand, ListRef):
        return lists[operand.name], operand.name, None
    if node.op == "prefix" and isinstance(operand, str):
        return (operand,), None, None
    return operand, None, None


def compile_condition(node: Node) -> Evaluator:
    """Compile a checked condition into a closure that returns the truth value and its reasons (the reference
    interpreter; see the module docstring)."""
    if isinstance(node, Predicate):
        field, op = node.field, node.op

        def predicate(ctx: Context) -> tuple[Truth, list[Reason]]:
            actual = ctx.facts.get(field)
            expected, pname, pvalue = resolve_operand(node, ctx.params, ctx.lists)
            if actual is None:
                return None, [Reason(node.path, field, op, None, expected, None, pname, pvalue)]
            holds, matched = _test(op, actual, expected)
            return holds, [Reason(node.path, field, op, actual, expected, holds, pname, pvalue, matched)]

        return predicate

    if isinstance(node, Not):
        inner = compile_condition(node.child)

        def negation(ctx: Context) -> tuple[Truth, list[Reason]]:
            truth, reasons = inner(ctx)
            return (None if truth is None else not truth), reasons

        return negation

    children = [compile_condition(c) for c in node.children]
    decisive = isinstance(node, AnyOf)  # the value that settles the node: True for any, False for all

    def combination(ctx: Context) -> tuple[Truth, list[Reason]]:
        results = [child(ctx) for child in children]
        truths = [t for t, _ in results]
        if decisive in truths:
            truth: Truth = decisive
        elif None in truths:
            truth = None
        else:
            truth = not decisive
        if truth is decisive or truth is None:
            # Only the children that settled it (or left it open) explain it.
            reasons = [r for t, rs in results if t is truth for r in rs]
        else:
            reasons = [r for _, rs in results for r in rs]
        return truth, reasons

    return combination


def compile_truth(node: Node) -> TruthOnly:
    """The same logic without reasons (rule-test coverage asks it of every branch)."""
    if isinstance(node, Predicate):
        field, op = node.field, node.op

        def predicate(ctx: Context) -> Truth:
            actual = ctx.facts.get(field)
            if actual is None:
                return None
            expected, _, _ = resolve_operand(node, ctx.params, ctx.lists)
            return _test(op, actual, expected)[0]

        return predicate
    if isinstance(node, Not):
        inner = compile_truth(node.child)

        def negation(ctx: Context) -> Truth:
            truth = inner(ctx)
            return None if truth is None else not truth

        return negation
    children = [compile_truth(c) for c in node.children]
    decisive = isinstance(node, AnyOf)

    def combination(ctx: Context) -> Truth:
        unknown = False
        for child in children:
            truth = child(ctx)
            if truth is decisive:
                return decisive
            if truth is None:
                unknown = True
        return None if unknown else not decisive

    return combination


CONDITION_SCHEMA: dict[str, Any] = {
    "$comment": "A condition: all/any/not, or a predicate with a field and exactly one operator",
    "oneOf": [
        {
            "type": "object",
            "properties": {"all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
            "required": ["all"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}}},
            "required": ["any"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"not": {"$ref": "#/$defs/Condition"}},
            "required": ["not"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "field": {"type": "string", "enum": sorted(FIELDS)},
                **{op: {"description": desc} for op, desc in OPERATORS.items()},
            },
            "required": ["field"],
            "minProperties": 2,
            "maxProperties": 2,
            "additionalProperties": False,
        },
    ],
}
