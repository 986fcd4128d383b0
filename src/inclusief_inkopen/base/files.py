"""Reading and writing the files people hand us, safely.

YAML is read with PyYAML's safe loader, further narrowed: no tags that build objects, no aliases (the
billion-laughs attack), no duplicate keys (a silent overwrite in a rule file is a wrong rule), a size cap and a
nesting cap. Every file we write goes through a temporary file and an atomic rename, so a crash never leaves a
user's file half-written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.messages import say

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64

try:  # the C loader is only faster, not less safe: we subclass the *safe* one either way
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


# YAML 1.1 reads on/off/yes/no as booleans, so a test's `on: 2026-06-01` key would become True. Only true and
# false are booleans here, as in YAML 1.2.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text, a number or a date", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen[key] = loader.construct_object(value_node, deep=deep)
    return seen


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_events(text: str, name: str) -> None:
    """Walk the YAML events before building anything: aliases and excessive nesting are refused early."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise InputError.single(
                    name, f"line {mark.line + 1}" if mark else "", "YAML aliases (*name) are not allowed"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise InputError.single(
                        name,
                        f"line {mark.line + 1}" if mark else "",
                        f"nested more than {MAX_DEPTH} levels deep",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(name, exc) from None


def _yaml_error(name: str, exc: yaml.YAMLError) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return InputError.single(name, where, say("bad_yaml", problem=problem))


def parse_yaml(text: str, name: str = "<input>") -> Any:
    """Parse YAML text safely.

    >>> parse_yaml("a: 1\\nb: [x, y]")
    {'a': 1, 'b': ['x', 'y']}
    >>> parse_yaml("a: !!python/object/apply:os.system ['echo hi']")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    inclusief_inkopen.base.errors.InputError: <input>: line 1, column 4: not valid YAML: could not ...
    """
    _check_events(text, name)
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(name, exc) from None
    except (ValueError, OverflowError) as exc:  # 2026-02-30, or a number of thousands of digits
        raise InputError.single(name, "", say("unreadable_value", problem=_short(exc))) from None


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."


# A JSON string (or one left open at the end), and what is not a bracket: what the depth check skips. The string's
# two alternatives cannot both match a character, so matching is linear in the text.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\[\s\S])*(?:"|\\?\Z)')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _json_depth_ok(text: str) -> bool:
    """No more than ``MAX_DEPTH`` arrays and objects inside each other, brackets in strings not counted (the
    regular expressions leave only the brackets outside strings, so the loop is over those alone)."""
    depth = 0
    for ch in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        else:
            depth -= 1
    return True


def parse_json(text: str, name: str = "<input>") -> Any:
    import json  # here, not at the top: the command line's start does not pay for it when no JSON is read

    if not _json_depth_ok(text):
        raise InputError.single(name, "", f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError.single(
            name, f"line {exc.lineno}, column {exc.colno}", say("bad_json", problem=exc.msg)
        ) from None
    except _DuplicateKey as exc:
        raise InputError.single(name, "", f"not valid JSON here: duplicate key {exc.args[0]!r}") from None
    except (ValueError, OverflowError) as exc:  # a number of thousands of digits
        raise InputError.single(name, "", f"a number that cannot be read: {_short(exc)}") from None


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON allows a key twice and keeps the last; a tender that says a thing twice is refused, as in YAML.
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file whole, never more than ``max_bytes``; folders, devices, pipes and missing files are
    refused with a clear message (``/dev/zero`` or a FIFO would otherwise be read until memory runs out)."""
    name = str(path)
    try:
        # Non-blocking, so that opening a FIFO with no writer returns at once and is then refused.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError.single(name, "", say("file_not_found")) from None
    except IsADirectoryError:
        raise InputError.single(name, "", say("is_folder")) from None
    except PermissionError:
        raise InputError.single(name, "", say("permission")) from None
    except OSError as exc:
        raise InputError.single(name, "", f"cannot be read: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        problem = say("is_folder")
    elif not stat.S_ISREG(info.st_mode):
        problem = say("not_regular")
    elif info.st_size > max_bytes:
        problem = say("too_big", size=info.st_size, limit=max_bytes)
    if problem is not None:
        os.close(fd)
        raise InputError.single(name, "", problem)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while it was read
        raise InputError.single(name, "", f"file is over {max_bytes:,} bytes; at most {max_bytes:,} are accepted")
    return data


def read_text(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, refusing huge files and other encodings with a clear message."""
    return decode_text(read_bytes(path, max_bytes), str(path))


# Notices are bigger than tender files: the SDK's own 100-lot example is 1.7 MB.
MAX_NOTICE_BYTES = 50 * 1024 * 1024


def parse_xml(data: bytes, name: str = "<input>") -> Any:
    """Parse XML from a file we did not write, safely; returns the root element (lxml).

    A notice never needs a document type declaration, so a document that has one is refused. The parser is set
    not to load DTDs, not to substitute entities, not to touch the network and not to lift libxml2's limits on
    huge documents, so nothing a declaration says is acted on (no entity expansion, no external entities); the
    refusal then looks at the parsed document, whatever its encoding (a UTF-16 notice too) and not at text that
    merely looks like a declaration (inside a comment).

    >>> parse_xml(b"<a><b>1</b></a>").findtext("b")
    '1'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "n.xml")
    Traceback (most recent call last):
    ...
    inclusief_inkopen.base.errors.InputError: n.xml: line 1: a DOCTYPE or ENTITY declaration is not allowed in a notice
    """
    from lxml import etree  # imported here: only notices need it, and it costs start-up time

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        where = "line {}, column {}".format(*exc.position) if exc.position else ""
        message = re.sub(r",? line \d+, column \d+$", "", str(exc.msg or "")) or "malformed"
        raise InputError.single(name, where, f"not well-formed XML: {message}") from None
    if root is None:
        raise InputError.single(name, "", "empty XML document")
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        at = data.upper().find(b"<!DOCTYPE")  # for the message only; in UTF-16 it is not found, and not needed
        line = data.count(b"\n", 0, at) + 1
        where = f"line {line}" if at >= 0 else ""
        raise InputError.single(name, where, "a DOCTYPE or ENTITY declaration is not allowed in a notice")
    return root


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM allowed), refusing other encodings and NUL bytes with a clear message."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(name, f"byte {exc.start}", say("not_utf8")) from None
    if "\x00" in text:
        raise InputError.single(name, "", say("nul_bytes"))
    return text


def parse_document(data: bytes, name: str) -> Any:
    """Parse the bytes of a YAML or JSON file (by the name's extension; YAML otherwise, which also reads JSON)."""
    text = decode_text(data, name)
    if name.lower().endswith(".json"):
        return parse_json(text, name)
    return parse_yaml(text, name)


def load_document(path: str | os.PathLike[str]) -> Any:
    """Load a YAML or JSON file (by extension; YAML otherwise, which also reads JSON)."""
    return parse_document(read_bytes(path), str(path))


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux); else set and restored."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_new(directory: Path, name: str, data: bytes) -> str:
    """A new temporary file in ``directory`` holding ``data``, flushed to disk; its path."""
    import tempfile  # only a command that writes pays for it

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(
    path: str | os.PathLike[str], content: str | bytes, *, backup: bool = False, mode: int | None = None
) -> None:
    """Write so that readers see the old file or the new one, never a torn one.

    The new content goes to a temporary file in the same folder, is flushed to disk, and then renamed over the
    target in one step; a crash or kill at any moment leaves the old file whole. A file that exists keeps its
    permissions; a new one gets ``mode``, else what the umask allows (as any other program's new file would, so a
    team folder works). With ``backup`` the previous version is kept beside it as ``NAME~``, made as a new file
    and renamed into place: a link planted at ``NAME~`` is replaced, never written through.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; expected the name of a file to write", str(target))
    directory = target.parent if str(target.parent) else Path(".")
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = _write_new(directory, target.name, data)
    try:
        if target.is_file():
            os.chmod(tmp, target.stat().st_mode & 0o777)
            if backup:
                old = _write_new(directory, target.name + "~", read_bytes(target, max(MAX_FILE_BYTES, len(data))))
                try:
                    os.chmod(old, target.stat().st_mode & 0o777)
                    os.replace(old, target.with_name(target.name + "~"))
                except BaseException:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(old)
                    raise
        else:
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
