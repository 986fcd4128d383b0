"""The house: rooms that import only the rooms below them, and a decision compiler that never runs data.

The import contracts live in ``pyproject.toml`` ([tool.importlinter]) and are checked by ``lint-imports`` here, so
CI fails on a new arrow against the flow; the second test plants one and shows that it is caught.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusief_inkopen.rules.conditions import AllOf, Context, Predicate, compile_condition, parse_condition
from inclusief_inkopen.rules.decide import compile_program, context_for, decide
from inclusief_inkopen.tender.profile import parse_tender

from .test_evaluate import profiles

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_rooms_import_only_downwards():
    result = _lint_imports(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _planted(tmp_path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on a copy of the package where ``module`` (a path under it) gains ``line`` in a function."""
    shutil.copytree(ROOT / "src" / "inclusief_inkopen", tmp_path / "src" / "inclusief_inkopen")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "src" / "inclusief_inkopen" / module
    path.write_text(path.read_text() + f"\n\ndef _back() -> None:\n    {line}  # noqa\n")
    return _lint_imports(tmp_path, tmp_path / "src")


def test_a_planted_back_arrow_breaks_the_build(tmp_path):
    # The CPV vocabulary (base) reaching into the eForms reader (notices) was one of the import circles.
    result = _planted(tmp_path, "base/cpv.py", "from inclusief_inkopen.notices import eforms")
    assert result.returncode == 1, result.stdout
    assert "inclusief_inkopen.base is not allowed to import inclusief_inkopen.notices" in result.stdout
    assert "inclusief_inkopen.base.cpv -> inclusief_inkopen.notices.eforms" in result.stdout


def test_reading_a_catalogue_does_not_run_its_tests(tmp_path):
    result = _planted(tmp_path, "rules/loader.py", "from inclusief_inkopen.rules import ruletests")
    assert result.returncode == 1, result.stdout
    assert "inclusief_inkopen.rules.loader -> inclusief_inkopen.rules.ruletests" in result.stdout


# ------------------------------------------------------------------------------------------- the compiler

HOSTILE = [
    "'); import os; os.system('touch PWNED') #",
    '"""\nimport os\nos.system("touch PWNED")\n"""',
    "__import__('os').system('touch PWNED')",
    "\\\n    raise SystemExit",
    "{k0}",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_text_from_a_condition_becomes_source(hostile, tmp_path, monkeypatch):
    # The compiler expects checked conditions; even an unchecked operand or field name must stay data.
    monkeypatch.chdir(tmp_path)
    nodes = [
        Predicate("/a", "nature", "eq", hostile),
        AllOf("/b", (Predicate("/b/0", "digital", "contains_any", (hostile, "website")),)),
        Predicate("/c", hostile, "eq", "works"),
        Predicate("/d", "cpv", "prefix", (hostile, "45")),  # its test is made when the source runs (a default)
    ]
    program = compile_program(nodes, {})
    assert hostile not in program.source and "PWNED" not in program.source
    facts = {"nature": hostile, "digital": ["website"], hostile: "works", "cpv": ["79000000", hostile + "x"]}
    truths, _, records = program.run(facts, ())
    assert truths == (True, True, True, True) and records == (1, 1, 1, 1)
    truths, _, _ = program.run({"nature": "works", "digital": [], hostile: None, "cpv": ["79000000"]}, ())
    assert truths == (False, False, None, False)
    assert not (tmp_path / "PWNED").exists()


def test_the_generated_function_can_reach_no_builtin_beyond_the_four_it_uses():
    program = compile_program([Predicate("/", "cpv", "prefix", ("45",))], {})
    assert set(program.run.__globals__["__builtins__"]) == {"any", "bool", "map", "methodcaller"}
    assert program.run({"cpv": ["79000000", "45210000"]}, ())[0] == (True,)
    assert program.run({"cpv": ["79000000"]}, ())[0] == (False,)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profiles, st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))
def test_compiled_decisions_and_reasons_are_the_reference_interpreters(catalogue, data, on):
    """The generated program must say what the interpreter of the condition language says: the same verdict
    and the same reason records, for every criterion in force."""
    profile = parse_tender(data)
    decisions = decide(profile, catalogue, on)
    ctx, _ = context_for(profile, catalogue, on)
    context = Context({k: tuple(v) if isinstance(v, list) else v for k, v in ctx.facts.items()}, ctx.params, ctx.lists)
    assert len(decisions) == sum(c.criterion.in_force(on) for c in catalogue.criteria.values())
    for decision in decisions:
        truth, reasons = compile_condition(decision.criterion.applies_when)(context)
        assert decision.truth is truth, decision.id
        assert decision.reasons == reasons, decision.id


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profiles, st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)))
def test_the_first_calls_walk_the_program_to_the_very_outcome_the_compiled_source_gives(catalogue, data, on):
    """A command deciding one tender walks the program's steps instead of compiling them (``_interpret``): every
    condition's truth, every predicate's and every reason record must be what the compiled function returns."""
    from inclusief_inkopen.rules.decide import _interpret, facts_of, plan

    profile = parse_tender(data)
    p = plan(catalogue, on)
    facts, _ = facts_of(profile, catalogue, p.parameters, p.on)
    walked = _interpret(p.program, facts, p.arguments)
    compiled = p.program.run(facts, p.arguments)
    assert walked == compiled

    def classes(parts):  # True == 1 in Python: the kinds must be the same too
        return [tuple(x.__class__ for x in part) for part in parts]

    assert classes(walked) == classes(compiled)


def test_a_program_is_walked_for_its_first_calls_and_compiled_after_them(catalogue):
    from inclusief_inkopen.rules.decide import _WALKED_CALLS

    node = parse_condition({"any": [{"field": "digital", "contains_any": ["website"]}, {"field": "lots", "gte": 2}]})
    program = compile_program([node], catalogue.lists)
    facts = {"digital": ["website"], "lots": None}
    for _ in range(_WALKED_CALLS):
        assert program(facts, ()) == ((True,), (True, None), (1,))
        assert "run" not in program.__dict__  # not compiled yet
    assert program(facts, ()) == ((True,), (True, None), (1,))
    assert "run" in program.__dict__


def test_a_condition_round_trips_through_the_compiler_for_every_operator(catalogue):
    raw = {
        "any": [
            {"field": "estimated_value_eur", "gte": {"param": "eu-threshold/works"}},
            {"field": "cpv", "prefix": {"list": "annex-xiv"}},
            {"field": "digital", "contains_all": ["website", "app"]},
            {"not": {"field": "end_users", "not_empty": True}},
            {"field": "procedure", "in": ["open", "restricted"]},
            {"field": "staffing", "is_true": True},
            {"field": "labour_share", "lt": 0.5},
        ]
    }
    node = parse_condition(raw)
    program = compile_program([node], catalogue.lists)
    on = dt.date(2026, 3, 1)
    profile = parse_tender(
        {"title": "t", "nature": "services", "estimated_value_eur": 10, "cpv": ["85311000"], "end_users": ["staff"]}
    )
    ctx, _ = context_for(profile, catalogue, on)
    facts = {k: tuple(v) if isinstance(v, list) else v for k, v in ctx.facts.items()}
    expected, _ = compile_condition(node)(Context(facts, ctx.params, ctx.lists))
    truths, _, _ = program.run(ctx.facts, (ctx.params["eu-threshold/works"].value,))
    assert truths == (expected,) and expected is True


def test_importing_the_package_or_one_module_of_it_does_not_import_the_engine():
    # The public names are imported when first asked for: a look-up of a CPV code needs no models of the advice.
    script = (
        "import sys, inclusief_inkopen.base.cpv as cpv\n"
        "assert cpv.exists('72413000')\n"
        "print(sorted(m for m in sys.modules if m.startswith('inclusief_inkopen.')"
        " and m.split('.')[1] in ('advice', 'rules', 'tender')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_public_name_of_the_package_is_found_where_it_lives():
    import importlib

    import inclusief_inkopen

    for name in inclusief_inkopen.__all__:
        value = getattr(inclusief_inkopen, name)
        home = importlib.import_module(inclusief_inkopen._NAMES[name])
        assert value is getattr(home, name), name
    assert set(inclusief_inkopen.__all__) <= set(dir(inclusief_inkopen))
    with pytest.raises(AttributeError, match="no attribute 'evaluat'"):
        inclusief_inkopen.evaluat  # noqa: B018
