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
    assert set(schema) <= known | {"allOf"}, f"teach from_schema {set(schema) - known}"
    if "allOf" in schema:
        # Rules across fields (if/then): generate as without them, keep what satisfies them all.
        rules = [jsonschema.Draft202012Validator(rule) for rule in schema["allOf"]]
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return from_schema(rest).filter(lambda doc: all(rule.is_valid(doc) for rule in rules))
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
        (b"- just\n- a list\n", "expected the fields of the tender as 'field: value', given: a list"),
        (b"", "the file is empty; expected the fields of the tender"),
        (b"# only a comment\n", "the file is empty"),
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


def test_batch_evaluation_gives_the_same_advice_in_order_on_one_core_and_on_two(catalogue, monkeypatch):
    from inclusief_inkopen.advice import batch

    monkeypatch.setattr(batch, "MIN_PER_WORKER", 0)
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

    from inclusief_inkopen.rules.loader import read_parts

    parts = read_parts(catalogue_copy, [])
    criteria = [(c.model_copy(update={"status": "recommended"}), p) for c, p in parts.criteria]
    return parts._replace(criteria=criteria)


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

    entry.write_bytes(pickle.dumps(tampered._replace(sha256="0" * 64)))  # another catalogue's entry
    cached = _fresh_load(catalogue_copy, trust_cache=True)
    assert {c.criterion.status for c in cached.criteria.values()} >= {"mandatory", "policy"}


def test_a_remembered_hash_stands_only_for_files_that_have_not_changed_since(tmp_path, monkeypatch):
    import os
    import time

    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    rule = tmp_path / "rule.yaml"
    rule.write_text("status: mandatory\n")
    computed = []

    def digest():
        computed.append(rule.read_text())
        return f"{len(computed):064x}"

    def remembered():
        return catalogues._remembered_hash("test", catalogues._file_stamps([rule]), digest)

    # Just written: not remembered, as the file could change again within the same tick of the clock.
    remembered()
    remembered()
    assert len(computed) == 2
    assert not (tmp_path / "cache" / "stamps").exists() or not any((tmp_path / "cache" / "stamps").iterdir())
    monkeypatch.setattr(catalogues, "_SETTLED_S", 0.0)
    first = remembered()
    assert remembered() == first and len(computed) == 3  # remembered, not computed again
    # The same size and modification time, other content: the change time moved, so the hash is computed again.
    before = rule.stat()
    time.sleep(0.05)  # past the tick of the clock the file was written in
    rule.write_text("status: voluntary\n")  # the same size as the first text
    os.utime(rule, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (rule.stat().st_size, rule.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert remembered() != first and computed[-1] == "status: voluntary\n"
    # Windows gives the creation time as st_ctime, which a write does not move: there nothing is remembered.
    again = remembered()
    assert remembered() == again and len(computed) == 4
    monkeypatch.setattr(catalogues.os, "name", "nt")
    remembered()
    assert len(computed) == 5


def test_a_remembered_hash_in_a_folder_others_may_write_is_never_read(tmp_path, monkeypatch):
    import hashlib

    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setattr(catalogues, "_SETTLED_S", 0.0)
    shared = tmp_path / "shared-cache"
    (shared / "stamps").mkdir(parents=True)
    rule = tmp_path / "rule.yaml"
    rule.write_text("status: mandatory\n")
    stamps = catalogues._file_stamps([rule])
    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(shared))
    genuine = catalogues._remembered_hash("test", stamps, lambda: hashlib.sha256(rule.read_bytes()).hexdigest())
    assert list((shared / "stamps").iterdir())  # remembered while the folder is ours
    (entry,) = (shared / "stamps").iterdir()
    entry.write_text("0" * 64)  # someone else's word for it
    entry.chmod(0o600)
    for folder in (shared, shared / "stamps"):
        folder.chmod(0o777)
    assert catalogues._remembered_hash("test", stamps, lambda: genuine) == genuine


def test_a_catalogue_file_changed_keeping_its_size_and_time_is_read_again(catalogue_copy, tmp_path, monkeypatch):
    import os
    import time

    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(catalogues, "_SETTLED_S", 0.0)
    first = _fresh_load(catalogue_copy, trust_cache=True)
    assert _fresh_load(catalogue_copy, trust_cache=True).sha256 == first.sha256  # the remembered hash
    path = next(p for p in sorted(catalogue_copy.rglob("*.yaml")) if "status: mandatory" in p.read_text())
    before = path.stat()
    time.sleep(0.05)
    path.write_text(path.read_text().replace("status: mandatory", "status: policy\u0020\u0020\u0020", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = _fresh_load(catalogue_copy, trust_cache=True)
    assert again.sha256 != first.sha256
    statuses = lambda c: sorted(x.criterion.status for x in c.criteria.values())  # noqa: E731
    assert statuses(again) != statuses(first)


@pytest.mark.parametrize("folder_mode", [0o700, 0o777])
def test_the_package_data_remembered_in_the_cache_is_plain_data_from_our_own_folder(tmp_path, monkeypatch, folder_mode):
    import pickle
    from pathlib import Path

    import yaml

    from inclusief_inkopen.base import packaged

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    source = Path(packaged.__file__).parent.parent / "data" / "vocabulary.yaml"
    raw = source.read_bytes()
    expected = yaml.safe_load(raw)
    packaged.packaged_data.cache_clear()
    assert packaged.packaged_data("vocabulary") == expected
    entry = packaged._entry("vocabulary", raw)
    assert entry.exists() and oct(entry.stat().st_mode & 0o777) == "0o600"
    try:
        # Remembered: a fresh process reads the entry, not the file (a planted word shows which one was read).
        planted = {**expected, "planted": True}
        entry.write_bytes(pickle.dumps(planted))
        packaged.packaged_data.cache_clear()
        assert packaged.packaged_data("vocabulary") == planted
        # An entry that names anything but a date is refused, and the file read again; so is one in a shared folder.
        entry.write_bytes(pickle.dumps({"values": {}, "run": os.system}))
        packaged.packaged_data.cache_clear()
        assert packaged.packaged_data("vocabulary") == expected
        entry.write_bytes(pickle.dumps(planted))
        entry.chmod(0o600)
        for folder in (entry.parent.parent, entry.parent):
            folder.chmod(folder_mode)
        packaged.packaged_data.cache_clear()
        assert packaged.packaged_data("vocabulary") == (planted if folder_mode == 0o700 else expected)
    finally:
        packaged.packaged_data.cache_clear()


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
        entry.write_bytes(b"cinclusief_inkopen.__main__\\nrun\\n(tR.")
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


# ------------------------------------------------------------------------------------- clean errors


def _cli(capsys, *argv):
    from inclusief_inkopen.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "t.yaml",
            "title: t\nnature: works\nestimated_value_eur: 1\nplanned_publication: 2026-02-30\n",
            "day is out of range",
        ),
        ("t.yaml", "title: t\nnature: works\nestimated_value_eur: " + "9" * 5000 + "\n", "cannot be read"),
        ("t.json", '{"title": "t", "nature": "works", "estimated_value_eur": ' + "9" * 5000 + "}", "cannot be read"),
        (
            "t.json",
            '{"title": "t", "nature": "works", "nature": "supplies", "estimated_value_eur": 1}',
            "duplicate key",
        ),
    ],
)
def test_unreadable_values_give_one_line_and_status_2(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    code, _, err = _cli(capsys, "advies", str(path))
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.splitlines()) == 1 and str(path) in err


def test_output_paths_that_cannot_be_written_give_one_line_and_status_2(tmp_path, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    notice = str(ROOT / "tests" / "data" / "eforms" / "notices" / "cn_24_open.xml")
    code, _, err = _cli(capsys, "import", notice, "-o", str(folder))
    assert code == 2 and str(folder) in err and "Traceback" not in err
    code, _, err = _cli(capsys, "import", notice, "-o", str(tmp_path / "missing" / "t.yaml"))
    assert code == 2 and "No such file or directory" in err
    report = tmp_path / "report.txt"
    report.write_text("x")
    code, _, err = _cli(capsys, "scan", notice, "-o", str(report), "-q")
    assert code == 2 and "is a file; scan -o names a folder" in err and report.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_gives_one_line_and_status_2(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = _cli(capsys, "checklist", str(EXAMPLES / "website-bewoners.yaml"), "-o", str(folder / "c.yaml"))
    finally:
        folder.chmod(0o700)
    assert code == 2 and "Permission denied" in err


def test_ctrl_c_ends_a_scan_with_status_130_and_no_traceback(tmp_path):
    notices = ROOT / "tests" / "data" / "eforms" / "notices"
    script = textwrap.dedent(
        f"""
        import sys
        from inclusief_inkopen.notices import scan as scan_module
        from inclusief_inkopen.cli import main
        calls = []
        real = scan_module.scan_item
        def interrupted(item, on=None):
            calls.append(item)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return real(item, on)
        scan_module.scan_item = interrupted
        sys.exit(main(["scan", {str(notices)!r}, "-o", {str(tmp_path / "out")!r}, "-q"]))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "interrupted" in result.stderr


def test_a_problem_list_is_capped_and_says_how_many_more(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(
        "title: t\nnature: works\nestimated_value_eur: 1\n" + "".join(f"k{i}: {i}\n" for i in range(20_000))
    )
    code, _, err = _cli(capsys, "advies", str(path))
    assert code == 2 and len(err.splitlines()) <= 52
    assert "19,960 more problems like these" in err


# ------------------------------------------------------------------------------------- text into other formats


def test_notice_text_never_becomes_yaml_in_an_imported_profile(tmp_path, capsys):
    package = json.loads((ROOT / "tests" / "data" / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text())
    release = package["releases"][0]
    release["ocid"] = release["ocid"] + "\nend_users: []\ndigital: []\n#"
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(package))
    out = tmp_path / "tender.yaml"
    code, _, _ = _cli(capsys, "import", str(path), "-o", str(out))
    assert code == 0
    data = load_document(out)
    assert "end_users" not in data and "digital" not in data
    assert all(
        line.startswith("#") or not line.startswith(("end_users", "digital")) for line in out.read_text().splitlines()
    )


def test_text_that_a_spreadsheet_would_run_stays_text(tmp_path):
    from openpyxl import load_workbook

    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.xlsx import to_xlsx
    from inclusief_inkopen.notices.scan import rows_csv

    csv_text = rows_csv([{"file": "n.xml", "title": '=HYPERLINK("http://evil","klik")', "notice_id": "@SUM(A1)"}])
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text
    c = cl.create(EXAMPLES / "website-bewoners.yaml", on=ON)
    first = c.items[0].model_copy(update={"justification": "=cmd|' /C calc'!A0", "applied_as": "tab\there\x07bell"})
    c = c.model_copy(update={"items": [first, *c.items[1:]]})
    book = load_workbook(__import__("io").BytesIO(to_xlsx(c)))
    cells = [cell for row in book["Checklist"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s" for cell in cells)
    assert any(cell.value == "tab\there" + "bell" for cell in cells)  # the control character is gone, no crash


def test_markdown_and_terminal_output_show_text_as_text(tmp_path, capsys):
    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.render import render_markdown

    hostile = "Ramen <script>alert(1)</script> [klik](javascript:alert(1))\n# Kop\x1b]0;pwned\x07"
    path = tmp_path / "t.yaml"
    path.write_text(json.dumps({"title": hostile, "nature": "works", "estimated_value_eur": 1000}))
    for fmt in ("markdown", "text"):
        code, out, _ = _cli(capsys, "advies", str(path), "--format", fmt, "--on", "2026-03-01")
        assert code == 0 and "\x1b" not in out and "\x07" not in out and "\n# Kop" not in out
        if fmt == "markdown":
            assert "<script>" not in out and "](javascript:" not in out
    c = cl.create(EXAMPLES / "website-bewoners.yaml", on=ON)
    first = c.items[0].model_copy(update={"decision": "not-applied", "justification": hostile})
    text = render_markdown(c.model_copy(update={"items": [first, *c.items[1:]]}))
    assert "<script>" not in text and "&lt;script&gt;" in text and "](javascript:" not in text and "\n# Kop" not in text


# ------------------------------------------------------------------------------------- writes that lose work


def test_no_command_writes_over_its_own_input(tmp_path, capsys):
    checklist = tmp_path / "c.yaml"
    assert _cli(capsys, "checklist", str(EXAMPLES / "website-bewoners.yaml"), "-o", str(checklist))[0] == 0
    before = checklist.read_bytes()
    code, _, err = _cli(capsys, "checklist", "render", str(checklist), "--format", "markdown", "-o", str(checklist))
    assert code == 2 and "is also this command's input" in err and checklist.read_bytes() == before
    tender = tmp_path / "t.yaml"
    tender.write_bytes((EXAMPLES / "website-bewoners.yaml").read_bytes())
    code, _, err = _cli(capsys, "checklist", str(tender), "-o", str(tender), "--force")
    assert code == 2 and tender.read_bytes() == (EXAMPLES / "website-bewoners.yaml").read_bytes()


def test_a_checklist_changed_by_someone_else_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    from inclusief_inkopen import checklist as cl

    path = tmp_path / "c.yaml"
    cl.save(cl.create(EXAMPLES / "website-bewoners.yaml", on=ON), path)
    real_current = cl.current

    def someone_saves_meanwhile(*args, **kwargs):
        result = real_current(*args, **kwargs)
        other = cl.load(path)
        first = other.items[0].model_copy(update={"decision": "applied", "applied_as": "door een collega"})
        cl.save(other.model_copy(update={"items": [first, *other.items[1:]]}), path)
        return result

    monkeypatch.setattr(cl, "current", someone_saves_meanwhile)
    with pytest.raises(cl.ChecklistError, match="changed since this command read it"):
        cl.update(path)
    assert cl.load(path).items[0].applied_as == "door een collega"  # the colleague's decision is kept


def test_a_bad_award_basis_in_a_sheet_is_refused_with_its_cell(tmp_path):
    import io

    from openpyxl import load_workbook

    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.xlsx import read_xlsx, to_xlsx

    c = cl.create(EXAMPLES / "website-bewoners.yaml", on=ON)
    book = load_workbook(io.BytesIO(to_xlsx(c)))
    book["Over"]["B5"] = "goedkoopste"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(
        cl.ChecklistError, match=r"Over!B5 \(award_basis\): expected one of beste prijs-kwaliteitverhouding"
    ):
        read_xlsx(out.getvalue(), c, "sheet.xlsx")


def _xlsx_with(part: str, content: bytes) -> bytes:
    import io
    import zipfile

    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.xlsx import to_xlsx

    source = zipfile.ZipFile(io.BytesIO(to_xlsx(cl.create(EXAMPLES / "website-bewoners.yaml", on=ON))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == part else source.read(info))
        if part not in source.namelist():
            target.writestr(part, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0"?><sst xmlns="x"><si><t>' + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>", "unpacks to"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst>&a;</sst>', "declares a DTD"),
    ],
)
def test_a_hostile_sheet_is_refused_before_or_while_it_is_read(content, message):
    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.xlsx import read_xlsx

    data = _xlsx_with("xl/sharedStrings.xml", content)
    assert len(data) < 1024 * 1024 or message != "unpacks to"  # small on disk
    with pytest.raises(cl.ChecklistError, match=message):
        read_xlsx(data, cl.create(EXAMPLES / "website-bewoners.yaml", on=ON), "sheet.xlsx")


def test_a_sheet_whose_rows_break_off_midway_gets_a_clean_error():
    # openpyxl reads a read-only sheet's rows lazily: the broken XML is met while the rows are read, not on opening.
    import io
    import zipfile

    from inclusief_inkopen import checklist as cl
    from inclusief_inkopen.checklists.xlsx import read_xlsx, to_xlsx

    c = cl.create(EXAMPLES / "website-bewoners.yaml", on=ON)
    sheet = zipfile.ZipFile(io.BytesIO(to_xlsx(c))).read("xl/worksheets/sheet1.xml")
    cut = sheet[: sheet.index(b'<row r="5"')] + b'<row r="5"><c r="A5" t="inlineStr"><is><t>broken'
    with pytest.raises(cl.ChecklistError, match="xlsx workbook"):
        read_xlsx(_xlsx_with("xl/worksheets/sheet1.xml", cut), c, "sheet.xlsx")


# ------------------------------------------------------------------------------------- availability


def test_a_batch_on_workers_uses_the_catalogue_given_and_delivers_what_came_before_a_bad_tender(
    catalogue_copy, monkeypatch
):
    from inclusief_inkopen.advice import batch

    monkeypatch.setattr(batch, "MIN_PER_WORKER", 0)
    catalogue = load_catalogue(catalogue_copy, run_tests=False)
    theme = catalogue_copy / "themes" / "digital-accessibility.yaml"
    theme.write_text(theme.read_text().replace("Digitale opleveringen voldoen aan", "GEWIJZIGD:", 1))
    tenders = [
        tender(estimated_value_eur=1000 * i, digital=["website"], end_users=["residents"]) for i in range(1, 301)
    ]
    tenders[150] = {"title": "zonder aard"}
    delivered = {}
    for workers in (1, 2):
        got = []
        with pytest.raises(TenderError, match="tender #150"):
            for advice in evaluate_many(tenders, catalogue, on=ON, workers=workers, chunk_size=40, as_json=True):
                got.append(advice)
        delivered[workers] = got
    assert len(delivered[1]) == len(delivered[2]) == 150 and delivered[1] == delivered[2]
    assert "GEWIJZIGD" not in delivered[2][0]


@pytest.mark.parametrize(
    "change",
    [
        {"title": 123},
        {"title": ["a", "b"]},
        {"value": {"amount": "HUGE", "currency": "EUR"}},
        {"value": {"amount": 1000, "currency": 978}},
        {"awardCriteria": {"criteria": [{"type": 1}]}},
    ],
)
def test_one_hostile_notice_is_one_error_row_and_the_scan_goes_on(tmp_path, change):
    from inclusief_inkopen.notices.scan import scan

    package = json.loads((ROOT / "tests" / "data" / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text())
    package["releases"][0]["tender"].update(change)
    (tmp_path / "bad.json").write_text(json.dumps(package).replace('"HUGE"', "9" * 5000))
    open_notice = (ROOT / "tests" / "data" / "eforms" / "notices" / "cn_24_open.xml").read_text()
    forever = '<cbc:DurationMeasure unitCode="YEAR">1e308</cbc:DurationMeasure>'
    (tmp_path / "forever.xml").write_text(
        open_notice.replace('<cbc:DurationMeasure unitCode="MONTH">36</cbc:DurationMeasure>', forever, 1)
    )
    good = ROOT / "tests" / "data" / "eforms" / "notices" / "cn_24_open.xml"
    (tmp_path / "good.xml").write_bytes(good.read_bytes())
    rows = list(scan([tmp_path], on=ON))
    by_file = {r["file"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_file["good.xml"]["status"] in ("ok", "gaps", "not-assessed")
    assert by_file["bad.json"]["status"] in ("ok", "gaps", "not-assessed", "error")
    assert "\n" not in by_file["bad.json"].get("error", "")
    assert by_file["forever.xml"]["status"] in ("ok", "gaps", "not-assessed")  # the duration is simply unknown


def test_a_layer_that_replaces_a_base_list_or_source_says_so_in_the_advice(tmp_path):
    import shutil

    layer = tmp_path / "layer"
    (layer / "lists").mkdir(parents=True)
    (layer / "layer.yaml").write_text(
        "name: gemeente-voorbeeld\nversion: '1'\nformat: inclusief-inkopen/v1\nbase: amsterdam-basis\n"
        "title: {nl: Voorbeeldlaag, en: Example layer}\n"
    )
    shutil.copy(ROOT / "criteria" / "lists" / "article-77.yaml", layer / "lists" / "article-77.yaml")
    sources = load_document(ROOT / "criteria" / "sources.yaml")
    first = next(iter(sources))
    (layer / "sources.yaml").write_text(json.dumps({first: sources[first]}, default=str))
    catalogue = load_catalogue(layers=[layer], run_tests=False)
    [receipt] = json.loads(evaluate(tender(), catalogue, on=ON).to_json())["catalogue"]["layers"]
    assert receipt["replaced_lists"] == ["article-77"] and receipt["replaced_sources"] == [first]


@pytest.mark.parametrize(
    "change",
    [
        {"title": 123},
        {"mainProcurementCategory": 5},
        {"value": {"amount": 1000, "currency": 978}},
        {"awardCriteria": {"criteria": [{"type": 1}]}},
        {"value": {"amount": float("inf"), "currency": "EUR"}},
    ],
)
def test_an_ocds_value_of_the_wrong_type_is_named_not_a_traceback(tmp_path, capsys, change):
    package = json.loads((ROOT / "tests" / "data" / "ocds" / "ocds-213czf-000-00001-02-tender.json").read_text())
    package["releases"][0]["tender"].update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(package).replace("Infinity", "1" + "0" * 400))
    code, _, err = _cli(capsys, "import", str(path))
    assert code == 2 and str(path) in err and "tender." in err and "Traceback" not in err


def test_the_doctype_check_reads_the_parsed_document():
    from inclusief_inkopen.base.files import parse_xml

    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16")
    with pytest.raises(InputError, match="DOCTYPE or ENTITY declaration is not allowed"):
        parse_xml(utf16, "n.xml")
    assert parse_xml(b"<r><!-- an example: <!DOCTYPE x> --><a>1</a></r>", "n.xml").findtext("a") == "1"


def test_a_full_disk_gives_one_line_and_leaves_the_old_file_whole(tmp_path, capsys, monkeypatch):
    import errno

    from inclusief_inkopen.base import files

    out = tmp_path / "tender.yaml"
    out.write_text("the buyer's own answers\n")

    def full(directory, name, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(directory / name))

    monkeypatch.setattr(files, "_write_new", full)
    notice = str(ROOT / "tests" / "data" / "eforms" / "notices" / "cn_24_open.xml")
    code, _, err = _cli(capsys, "import", notice, "-o", str(out))
    assert code == 2 and "No space left on device" in err and len(err.splitlines()) == 1
    assert out.read_text() == "the buyer's own answers\n"


def test_a_checklist_that_the_next_command_would_refuse_is_never_saved(tmp_path):
    from inclusief_inkopen import checklist as cl

    path = tmp_path / "c.yaml"
    good = cl.create(EXAMPLES / "website-bewoners.yaml", on=ON)
    cl.save(good, path)
    before = path.read_bytes()
    bad = good.model_copy(update={"award_basis": "goedkoopste"})  # model_copy does not validate
    with pytest.raises(cl.ChecklistError, match="award_basis"):
        cl.save(bad, path)
    assert path.read_bytes() == before


def test_the_unpacked_cpv_list_in_the_cache_is_used_only_whole_and_from_our_own_folder(tmp_path, monkeypatch):
    import gzip
    import zlib

    from inclusief_inkopen.base import packaged

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    content = b"72413000\t8\tWebsite\tWebsite\n" * 1000
    packed = gzip.compress(content)
    calls = []

    def unpack(data: bytes) -> bytes:
        calls.append(1)
        return zlib.decompress(data, wbits=31)

    assert packaged.unpacked("list.tsv", packed, unpack) == content and len(calls) == 1
    (entry,) = (tmp_path / "cache" / "data").iterdir()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    assert packaged.unpacked("list.tsv", packed, unpack) == content and len(calls) == 1  # read back, not unpacked
    entry.write_bytes(content[:-7])  # cut short: unpacked again, and the entry made whole
    assert packaged.unpacked("list.tsv", packed, unpack) == content and len(calls) == 2
    assert entry.read_bytes() == content
    changed = content.replace(b"Website", b"Webstek")  # same length, other text, planted
    entry.write_bytes(changed)
    (tmp_path / "cache" / "data").chmod(0o777)  # a folder others may write to: not read
    assert packaged.unpacked("list.tsv", packed, unpack) == content and len(calls) == 3
    (tmp_path / "cache" / "data").chmod(0o700)
    assert packaged.unpacked("list.tsv", packed, unpack) == changed  # ours: the entry is what is used


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_a_cached_catalogue_leaves_the_collector_as_found(catalogue_copy, tmp_path, monkeypatch, collecting):
    import gc

    import inclusief_inkopen.rules.catalogues as catalogues

    monkeypatch.setenv("INCLUSIEF_INKOPEN_CACHE", str(tmp_path / "cache"))
    genuine = _fresh_load(catalogue_copy, trust_cache=True)
    entry = catalogues._cache_entry(genuine.sha256, ())
    before = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        assert isinstance(catalogues._read_cache_entry(entry), catalogues.Parts)
        assert gc.isenabled() is collecting
        entry.write_bytes(entry.read_bytes()[:100])  # damaged: refused, and still as found
        assert catalogues._read_cache_entry(entry) is None
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if before else gc.disable)()
