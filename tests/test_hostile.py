"""Hard to break: the input contract under generated and hostile input, killed writes, and determinism.

Every bad input must end in one of our errors (naming file, place and expectation), never in a traceback, and
nothing a user wrote may be lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inclusief_inkopen import CatalogueError, InputError, TenderError, evaluate, evaluate_many, load_catalogue
from inclusief_inkopen.authoring.schema import schemas
from inclusief_inkopen.base.files import load_document
from inclusief_inkopen.tender.profile import parse_tender

from .conftest import EXAMPLES, ON, ROOT, tender

TENDER_SCHEMA = schemas()["tender-profile"]
# Formats checked too ("date"), as tender tooling should: the model checks them.
VALIDATOR = jsonschema.Draft202012Validator(
    TENDER_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _only_check_digits(exc: TenderError) -> bool:
    # A JSON Schema cannot say which of the 10^8 well-formed codes exist in CPV 2008 or which check digit belongs to
    # which; the model can. That is the one documented way a document the schema accepts can still be refused.
    return all(
        p.location.startswith("cpv") and ("check digit" in p.message or "not in the CPV 2008 list" in p.message)
        for p in exc.problems
    )


def from_schema(schema: dict) -> st.SearchStrategy:
    """Documents valid under a (sub)schema of the kinds our published tender schema uses.

    hypothesis-jsonschema does this in general but no longer runs with current Hypothesis releases; the tender
    schema needs only these keywords, and an unknown keyword fails here rather than being ignored.
    """
    known = {
        "type",
        "enum",
        "anyOf",
        "items",
        "maxItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "properties",
        "required",
        "additionalProperties",
        "default",
        "description",
        "title",
        "$schema",
    }
    assert set(schema) <= known, f"teach from_schema {set(schema) - known}"
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if kind == "object":
        required = {k: from_schema(schema["properties"][k]) for k in schema["required"]}
        optional = {k: from_schema(v) for k, v in schema["properties"].items() if k not in schema["required"]}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=min(schema.get("maxItems", 6), 6))
    if kind == "string" and schema.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if kind == "string" and "pattern" in schema and schema["pattern"] != "\\S":
        return st.from_regex(schema["pattern"], fullmatch=True)
    if kind == "string":
        text = st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
        return text.filter(lambda t: t.strip()) if "pattern" in schema else text
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -(10**12)) + 1)
        high = schema.get("maximum", 10**12)
        if kind == "integer":
            return st.integers(low, high)
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "null":
        return st.none()
    raise AssertionError(f"teach from_schema type {kind!r}")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=from_schema(TENDER_SCHEMA))
def test_every_document_the_published_schema_accepts_evaluates(document):
    assert VALIDATOR.is_valid(document)
    try:
        advice = evaluate(document, load_catalogue(), on=ON)
    except TenderError as exc:
        assert _only_check_digits(exc), str(exc)
        return
    title = json.loads(advice.to_json())["tender"]["title"]
    # pydantic strips Unicode White_Space; Python's strip() also takes the control characters \x1c-\x1f
    assert title.strip() == document["title"].strip() and title == title.strip(" \t\n\r\x0b\x0c")


_scalars = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=True) | st.text(max_size=12)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_fields = st.sampled_from([*TENDER_SCHEMA["properties"], "unknown_field"])
_near_valid = st.builds(
    lambda base, changes: {**base, **changes},
    st.just(tender()),
    st.dictionaries(_fields, _values | st.sampled_from(["services", "open", "residents", "72413000-8"]), max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(document=_near_valid | st.dictionaries(_fields, _values, max_size=6) | _values)
def test_any_document_gives_advice_or_a_clean_error_and_agrees_with_the_schema(document):
    schema_accepts = VALIDATOR.is_valid(document)
    try:
        profile = parse_tender(document, "generated.json")
    except TenderError as exc:
        assert exc.problems and all(p.file == "generated.json" and p.message for p in exc.problems)
        assert not schema_accepts or _only_check_digits(exc), f"schema accepts what the model refuses: {exc}"
        return
    assert schema_accepts, f"the model accepts what the published schema refuses: {document!r}"
    evaluate(profile, load_catalogue(), on=ON)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title: !!python/object/new:os.system [echo owned]\n", "could not determine a constructor"),
        (b"!!python/name:os.system\n", "could not determine a constructor"),
        (b"a: &a ['lol','lol']\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n", "aliases"),
        (b"x:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 120)), "nested more than"),
        (b"\xff\xfe t\x00i\x00t\x00l\x00e\x00", "not UTF-8"),
        (b"title: [unclosed\n", "not valid YAML"),
        (b"- just\n- a list\n", "expected a mapping of tender fields"),
        (b"", "expected a mapping of tender fields"),
    ],
)
def test_hostile_tender_files_get_a_message_naming_the_file(tmp_path, content, message):
    path = tmp_path / "evil.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        parse_tender(load_document(path), str(path))
    assert str(path) in str(info.value)


def test_huge_json_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("w") as handle:
        handle.write('{"title": "x", "cpv": [')
        handle.write(",".join(['"72413000"'] * 700_000))
        handle.write("]}")
    with pytest.raises(InputError, match="at most") as info:
        load_document(path)
    assert "huge.json" in str(info.value)


def test_a_cpv_code_with_a_wrong_check_digit_names_the_code_and_the_right_digit():
    with pytest.raises(TenderError) as info:
        parse_tender(tender(cpv=["79000000-4", "72413000-1"]), "t.yaml")
    assert "t.yaml: cpv" in str(info.value) and "check digit of 72413000 is 8, not 1" in str(info.value)


def test_a_date_outside_every_parameter_value_names_the_parameter(catalogue):
    import datetime as dt

    with pytest.raises(InputError, match="eu-threshold") as info:
        evaluate(tender(), catalogue, on=dt.date(1999, 1, 1))
    assert "1999" in str(info.value)


def test_the_same_layer_twice_is_refused(tmp_path):
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "layer.yaml").write_text(
        "name: dubbel\nversion: '1'\nformat: inclusief-inkopen/v1\nbase: amsterdam-basis\n"
        "title: {nl: Laag, en: Layer}\nwithdraw: [SR-02]\n"
    )
    with pytest.raises(CatalogueError, match="layer given twice"):
        load_catalogue(layers=[layer, layer])


def test_a_layer_over_another_layer_is_refused_naming_the_base(tmp_path):
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "layer.yaml").write_text(
        "name: boven\nversion: '1'\nformat: inclusief-inkopen/v1\nbase: boven\ntitle: {nl: Laag, en: Layer}\n"
    )
    with pytest.raises(CatalogueError, match="goes over 'boven', not over 'amsterdam-basis'"):
        load_catalogue(layers=[layer])


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from inclusief_inkopen import files

    real_fsync = os.fsync

    def fsync_then_hang(fd):
        real_fsync(fd)
        print("written, not yet renamed", flush=True)
        time.sleep(60)

    files.os.fsync = fsync_then_hang
    files.atomic_write(sys.argv[1], "NEW CONTENT " * 100_000)
    """
)


def test_a_write_killed_midway_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "checklist.yaml"
    target.write_text("old: content\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "written, not yet renamed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_text() == "old: content\n"
    leftovers = [p for p in tmp_path.iterdir() if p.name != "checklist.yaml"]
    assert leftovers and all(p.name.startswith(".checklist.yaml.") for p in leftovers)  # the torn copy, aside


def test_the_same_tender_gives_byte_identical_json_across_processes(tmp_path):
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "inclusief_inkopen",
                "advies",
                str(EXAMPLES / "jeugdhulp.yaml"),
                "--format",
                "json",
                "--on",
                "2026-03-01",
            ],
            env=env,
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1 and len(next(iter(outputs))) > 1000


def test_batch_evaluation_gives_the_same_advice_in_order_on_one_core_and_on_two(catalogue):
    tenders = [tender(estimated_value_eur=v, staffing=v % 2 == 0) for v in range(10_000, 1_500_000, 37_000)]
    single = [a.to_json() for a in evaluate_many(tenders, catalogue, on=ON)]
    assert single == [evaluate(t, catalogue, on=ON).to_json() for t in tenders]
    assert list(evaluate_many(tenders, catalogue, on=ON, workers=2, chunk_size=7, as_json=True)) == single


def test_a_bad_tender_in_a_batch_is_named_by_its_position(catalogue):
    tenders = [tender(), tender(), {**tender(), "nature": "diensten"}]
    with pytest.raises(TenderError, match=r"tender #2: nature"):
        list(evaluate_many(tenders, catalogue, on=ON))


# ------------------------------------------------------------------------------------- the catalogue cache


def _fresh_load(path, **options):
    import inclusief_inkopen.rules.catalogues as catalogues

    catalogues.forget()
    return load_catalogue(path, **options)


def _tampered_parts(catalogue_copy):
    """A well-formed cache entry of our own classes, saying every criterion is merely recommended."""
    import dataclasses

    from inclusief_inkopen.rules.loader import read_parts

    parts = read_parts(catalogue_copy, [])
    criteria = [(c.model_copy(update={"status": "recommended"}), p) for c, p in parts.criteria]
    return dataclasses.replace(parts, criteria=criteria)


def test_a_cache_entry_in_a_folder_others_may_write_is_never_read(catalogue_copy, tmp_path, monkeypatch):
    import pickle

    import inclusief_inkopen.rules.catalogues as catalogues

    shared = tmp_path / "shared-cache"
    (shared / "catalogues").mkdir(parents=True)
    for folder in (shared, shared / "catalogues"):
        folder.chmod(0o777)
    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(shared))
    genuine = _fresh_load(catalogue_copy)
    assert list((shared / "catalogues").iterdir()) == []  # nothing written into a shared folder either
    entry = catalogues._cache_entry(genuine.sha256, ())
    entry.write_bytes(pickle.dumps(_tampered_parts(catalogue_copy)))
    entry.chmod(0o600)
    cached = _fresh_load(catalogue_copy, trust_cache=True)
    advice = evaluate(tender(digital=["website"], end_users=["residents"]), cached, on=ON)
    assert any(s.status == "mandatory" for s in advice.suggestions)


def test_a_cache_entry_must_hold_the_files_its_key_names(catalogue_copy, tmp_path, monkeypatch):
    import pickle

    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    genuine = _fresh_load(catalogue_copy)
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "cache" / "catalogues").stat().st_mode & 0o777) == "0o700"
    entry = catalogues._cache_entry(genuine.sha256, ())
    tampered = _tampered_parts(catalogue_copy)
    import dataclasses

    entry.write_bytes(pickle.dumps(dataclasses.replace(tampered, sha256="0" * 64)))  # another catalogue's entry
    cached = _fresh_load(catalogue_copy, trust_cache=True)
    assert {c.criterion.status for c in cached.criteria.values()} >= {"mandatory", "policy"}


def test_a_cache_entry_naming_any_other_code_is_refused_without_importing_it(catalogue_copy, tmp_path):
    # Protocol 0: "c<module>\n<name>\n" names a global; the old unpickler imported the module to look at it.
    script = textwrap.dedent(
        f"""
        import os, sys
        os.environ["INCLUSIEF_INKOPEN_CACHE"] = {str(tmp_path / "cache")!r}
        import inclusief_inkopen.rules.catalogues as catalogues
        from inclusief_inkopen import load_catalogue
        genuine = load_catalogue({str(catalogue_copy)!r})
        entry = catalogues._cache_entry(genuine.sha256, ())
        entry.write_bytes(b"cinclusief_inkopen.__main__\\nmain\\n(tR.")
        catalogues.forget()
        again = load_catalogue({str(catalogue_copy)!r}, trust_cache=True)
        assert "inclusief_inkopen.__main__" not in sys.modules, "imported"
        assert again.sha256 == genuine.sha256
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stdout + result.stderr


def test_a_file_edited_while_the_catalogue_is_read_is_hashed_as_it_was_parsed(catalogue_copy, monkeypatch):
    from inclusief_inkopen.rules import loader

    sources = catalogue_copy / "sources.yaml"
    before = loader.content_hash(catalogue_copy)
    parse = loader.parse_document

    def parse_then_edit(data, name):
        document = parse(data, name)
        if name == str(sources):  # someone saves a new version just after it was read
            sources.write_bytes(sources.read_bytes().replace(b"consulted: 2025-11-05", b"consulted: 2025-11-07", 1))
        return document

    monkeypatch.setattr(loader, "parse_document", parse_then_edit)
    parts = loader.read_parts(catalogue_copy, [])
    assert parts.sha256 == before != loader.content_hash(catalogue_copy)


# ------------------------------------------------------------------------------------- files that are not files


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_device_or_pipe_is_refused_not_read(tmp_path, special):
    from inclusief_inkopen import load_tender

    path = special
    if special == "fifo":
        path = str(tmp_path / "tender.yaml")
        os.mkfifo(path)
    with pytest.raises(InputError, match="is not a regular file"):
        load_tender(path)


def test_a_checklist_naming_a_device_as_its_tender_gets_a_clean_error(tmp_path, capsys):
    from inclusief_inkopen.cli import main

    checklist = tmp_path / "c.yaml"
    assert main(["checklist", str(EXAMPLES / "website-bewoners.yaml"), "-o", str(checklist), "--on", "2026-03-01"]) == 0
    text = checklist.read_text()
    checklist.write_text(text.replace(str(EXAMPLES / "website-bewoners.yaml"), "/dev/zero"))
    code = main(["checklist", "check", str(checklist)])
    assert code == 2
    assert "/dev/zero: is not a regular file" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- writes


def test_a_backup_is_never_written_through_a_planted_link(tmp_path):
    from inclusief_inkopen.base.files import atomic_write

    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    target = tmp_path / "checklist.yaml"
    target.write_text("version 1")
    (tmp_path / "checklist.yaml~").symlink_to(victim)
    atomic_write(target, "version 2", backup=True)
    assert victim.read_text() == "do not touch"
    backup = tmp_path / "checklist.yaml~"
    assert not backup.is_symlink() and backup.read_text() == "version 1"
    assert target.read_text() == "version 2"


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path):
    from inclusief_inkopen.base.files import atomic_write

    old = os.umask(0o002)
    try:
        atomic_write(tmp_path / "team.yaml", "x")
    finally:
        os.umask(old)
    assert oct((tmp_path / "team.yaml").stat().st_mode & 0o777) == "0o664"
    (tmp_path / "team.yaml").chmod(0o640)
    atomic_write(tmp_path / "team.yaml", "y")  # an existing file keeps its own
    assert oct((tmp_path / "team.yaml").stat().st_mode & 0o777) == "0o640"
