"""Catalogues ready to use: read (``loader``), rule-tested (``ruletests``), and kept.

``load_catalogue`` is where reading a catalogue and testing its rules are composed; neither step knows the
other. A catalogue that passed its tests is kept twice:

- in this process, by folder and layers: asked for again, it is returned as long as its files did not change.
  Whether they changed is seen from the files' sizes and modification times (a ``stat`` of each, no reading);
  for the built-in catalogue behind ``evaluate(tender)`` that look is taken at most once a second, so the call
  costs nothing measurable, and a changed file is read, hashed and tested again;
- on disk (``~/.cache/inclusief-inkopen/catalogues/``), keyed by the content hash of its files, its layers and
  the engine's own code, so the next process skips the rule tests.

Those content hashes are remembered too (``stamps/``), by what the files look like from outside: name, size,
modification and change time, inode. Reading and hashing every catalogue file and the engine's code was a
tenth of the start of a command. A remembered hash is used only for files that had not changed for
``_SETTLED_S`` when it was written, as git does with its index: a file written again in the same tick as the
hash could keep its size and times, but not once that tick is long past, as a change always moves the change
time (``ctime``), which no one can set back.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import pickle
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from inclusief_inkopen.base.cache import cache_dir, recall, remember
from inclusief_inkopen.base.errors import CatalogueError, Problem
from inclusief_inkopen.rules.catalogue import Catalogue
from inclusief_inkopen.rules.loader import Parts, assemble, builtin_catalogue_dir, content_hash, read_parts, yaml_files


def test_catalogue(catalogue: Catalogue) -> None:
    """Run every rule test of the catalogue; raise ``CatalogueError`` naming each one that fails."""
    # Imported here: a catalogue from the cache, as most commands get it, needs no test runner.
    from inclusief_inkopen.rules.ruletests import run_rule_tests

    problems = [
        Problem(r.file, f"{r.criterion}.tests[{r.index}]", f"test {r.name!r} fails: {r.message}")
        for r in run_rule_tests(catalogue)
        if not r.passed
    ]
    if problems:
        raise CatalogueError(problems)


def _file_stamps(paths: Iterable[Path]) -> tuple[tuple[Any, ...], ...]:
    """What the files look like from outside: their names, sizes, modification and change times, inodes."""
    stamps = []
    for path in paths:
        info = path.stat()
        stamps.append((str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev))
    return tuple(stamps)


class _Kept:
    __slots__ = ("catalogue", "hashes", "stamp")

    def __init__(self, stamp: tuple[Any, ...], hashes: tuple[str, ...], catalogue: Catalogue) -> None:
        self.stamp, self.hashes, self.catalogue = stamp, hashes, catalogue


_KEPT: dict[tuple[Any, ...], _Kept] = {}
# How often the built-in catalogue behind evaluate(tender) is looked at for changes.
_LOOK_EVERY_S = 1.0


def load_catalogue(
    path: str | os.PathLike[str] | None = None,
    layers: Iterable[str | os.PathLike[str]] = (),
    *,
    run_tests: bool = True,
    trust_cache: bool = False,
) -> Catalogue:
    """Load, check and compile a catalogue folder (the built-in one by default) with optional layers over it, and
    run its rule tests.

    Raises ``CatalogueError`` listing every problem, each with file, criterion id and place. With
    ``trust_cache`` the rule tests are skipped when this exact catalogue (by content hash) already passed them
    with this exact engine code; ``validate`` and ``test-rules`` always run them.
    """
    root = Path(path) if path is not None else builtin_catalogue_dir()
    layer_roots = [Path(p) for p in layers]
    folders = [root, *layer_roots]
    key = (str(root.resolve()), tuple(str(p.resolve()) for p in layer_roots), run_tests)
    stamps = [_file_stamps(yaml_files(f)) if f.is_dir() else None for f in folders]
    stamp = tuple(stamps)
    kept = _KEPT.get(key)
    if kept is not None and kept.stamp == stamp:
        return kept.catalogue
    hashes = tuple(
        "" if files is None else _remembered_hash("catalogue", files, functools.partial(content_hash, f))
        for f, files in zip(folders, stamps, strict=True)
    )
    if kept is not None and kept.hashes == hashes:  # touched, not changed
        kept.stamp = stamp
        return kept.catalogue

    sha, layer_shas = hashes[0], hashes[1:]
    catalogue = None
    if trust_cache and run_tests:
        entry = _cache_entry(sha, layer_shas)
        parts = _read_cache_entry(entry) if entry is not None else None
        # The entry must be what its key says: the same files, read and parsed, as the one being asked for.
        if parts is not None and (parts.sha256, tuple(r.sha256 for r in parts.receipts)) == (sha, layer_shas):
            try:
                catalogue = assemble(parts, root, layer_roots, checked=True)
            except CatalogueError:
                catalogue = None
    if catalogue is None:
        parts = read_parts(root, layer_roots)
        catalogue = assemble(parts, root, layer_roots)
        if run_tests:
            test_catalogue(catalogue)
            # Keyed by the bytes that were parsed, which may differ from those hashed above if a file changed.
            entry = _cache_entry(parts.sha256, tuple(r.sha256 for r in parts.receipts))
            if entry is not None:
                _write_cache_entry(entry, parts)
        hashes = (
            (parts.sha256, *(r.sha256 for r in parts.receipts)) if len(parts.receipts) == len(layer_roots) else hashes
        )
    _KEPT[key] = _Kept(stamp, hashes, catalogue)
    return catalogue


_default: tuple[float, Catalogue] | None = None


def default_catalogue() -> Catalogue:
    """The built-in catalogue, checked and tested once per process; its files are looked at once a second at most."""
    global _default
    now = time.monotonic()
    if _default is not None and now - _default[0] < _LOOK_EVERY_S:
        return _default[1]
    catalogue = load_catalogue(trust_cache=True)
    _default = (now, catalogue)
    return catalogue


def forget() -> None:
    """Drop every catalogue kept in this process (the disk cache stays)."""
    global _default
    _KEPT.clear()
    _default = None


# ------------------------------------------------------------------------------------------------ disk cache


@cache
def _engine_hash() -> str:
    """The engine's own code and data: a rule test that passed with other code proves nothing for this one."""
    package = Path(__file__).parent.parent
    paths = sorted([*package.rglob("*.py"), *package.glob("data/*")])

    def digest() -> str:
        hashed = hashlib.sha256()
        for path in paths:
            hashed.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        return hashed.hexdigest()

    return _remembered_hash("engine", _file_stamps(paths), digest)


# How long files must have stood unchanged before a hash of them is remembered (see the module's docstring).
_SETTLED_S = 2.0


def _remembered_hash(kind: str, stamps: tuple[tuple[Any, ...], ...], digest: Callable[[], str]) -> str:
    """``digest()``, remembered on disk for files that look exactly like ``stamps``.

    The entry is read only from a folder and file that this user alone can write (as the catalogue cache), and
    only if it was written ``_SETTLED_S`` after the last change of any of the files; else it is computed again
    and, once the files have settled, remembered."""
    if os.name == "nt":  # Windows' st_ctime is the creation time, which a write does not move: always hash
        return digest()
    folder = cache_dir() / "stamps"
    entry = folder / hashlib.sha256(repr((_CACHE_FORMAT, kind, stamps)).encode()).hexdigest()
    changed = max((s[3] for s in stamps), default=0)
    settled = int(_SETTLED_S * 1e9)
    try:
        written: int | None = entry.stat().st_mtime_ns
    except OSError:
        written = None
    raw = recall(entry) if written is not None and written - changed >= settled else None
    if raw is not None and len(raw) == 64 and all(c in b"0123456789abcdef" for c in raw):
        return raw.decode("ascii")
    found = digest()
    if time.time_ns() - changed >= settled:
        remember(entry, found.encode("ascii"))
    return found


# Bump when the shape of what is remembered changes; old entries are then simply not found.
_CACHE_FORMAT = "2"


def _cache_entry(sha: str, layer_shas: tuple[str, ...]) -> Path | None:
    """Where a checked and tested catalogue is remembered: keyed by its files, its layers and the engine's code.

    Rule tests that passed with other files or other code prove nothing for these, so any change to either
    gives another key and the catalogue is read, checked and tested again.
    """
    if not sha or not all(layer_shas):
        return None
    key = hashlib.sha256("\0".join([_CACHE_FORMAT, sha, *layer_shas, _engine_hash()]).encode()).hexdigest()
    return cache_dir() / "catalogues" / f"{key}.pickle"


@cache
def _catalogue_classes() -> dict[tuple[str, str], Any]:
    """Everything a cache entry may name, by module and name: the catalogue's own classes and a few plain types."""
    from datetime import date

    from inclusief_inkopen.base.parameters import Parameter, ParameterEntry
    from inclusief_inkopen.base.text import Text
    from inclusief_inkopen.rules import catalogue as c
    from inclusief_inkopen.rules import conditions as cond

    classes = [
        Parts,
        c.CatalogueInfo,
        c.CodeList,
        c.Criterion,
        c.Eforms,
        c.Evidence,
        c.FollowUp,
        c.LayerReceipt,
        c.LegalRef,
        c.RuleTest,
        c.Sanction,
        c.Source,
        c.Target,
        c.Validity,
        Parameter,
        ParameterEntry,
        Text,
        cond.AllOf,
        cond.AnyOf,
        cond.ListRef,
        cond.Not,
        cond.ParamRef,
        cond.Predicate,
        date,
        frozenset,
        set,
        type(Path()),
    ]
    return {(cls.__module__, cls.__qualname__): cls for cls in classes}


class _CatalogueUnpickler(pickle.Unpickler):
    """Rebuilds only the catalogue's own classes and a few plain types, found in a fixed table; anything else in
    the file is refused, and no module is ever imported because an entry names it."""

    def find_class(self, module: str, name: str) -> Any:
        found = _catalogue_classes().get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a catalogue")
        return found


def _read_cache_entry(entry: Path) -> Parts | None:
    raw = recall(entry)
    if raw is None:
        return None
    # Some 5,700 containers and no garbage among them: the cycle collector, which would look through them again and
    # again as they are made (a tenth of the read), waits until they are all there.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parts = _CatalogueUnpickler(io.BytesIO(raw)).load()
    except Exception:  # damaged: read the files instead
        return None
    finally:
        if collecting:
            gc.enable()
    return parts if isinstance(parts, Parts) else None


def _write_cache_entry(entry: Path, parts: Parts) -> None:
    try:
        data = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    except pickle.PicklingError:  # a cache that cannot be written only costs time
        return
    remember(entry, data)
