"""The package's own data files (``data/*.yaml``: labels, questions, reason templates), read once.

They ship with the code, so the safe loader is enough here; a test reads each of them with the strict loader of
``base.files`` (no duplicate keys, no aliases), which users' files go through.

Building the data from YAML is slow (PyYAML makes every value in Python: the 17 kB of ``vocabulary.yaml`` took
8 ms, at every start of the command line), so what a file gives is remembered in the user's cache folder, under
the hash of the file's bytes: another file, or another version of it, is another entry. An entry holds plain data
only (dicts, lists, text, numbers, dates); it is read only from a folder of this user's, with an unpickler that
builds nothing else, and anything wrong with it means the file is read again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from inclusief_inkopen.base.cache import cache_dir, recall, remember


class _PlainUnpickler(pickle.Unpickler):
    """Plain data needs no class but the date; any other a file names is refused, its module never imported."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return dt.date
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _entry(name: str, raw: bytes) -> Path:
    return cache_dir() / "data" / f"{name}-{hashlib.sha256(raw).hexdigest()}.pickle"


def _remembered(entry: Path) -> dict[str, Any] | None:
    raw = recall(entry)
    if raw is None:
        return None
    try:
        data = _PlainUnpickler(io.BytesIO(raw)).load()
    except Exception:  # damaged: the file is read instead
        return None
    return data if isinstance(data, dict) else None


@cache
def packaged_data(name: str) -> dict[str, Any]:
    raw = (Path(__file__).parent.parent / "data" / f"{name}.yaml").read_bytes()
    entry = _entry(name, raw)
    found = _remembered(entry)
    if found is not None:
        return found
    # libyaml's safe loader where PyYAML has it.
    data: dict[str, Any] = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    remember(entry, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))  # plain data: always picklable
    return data


def unpacked(name: str, packed: bytes, unpack: Callable[[bytes], bytes]) -> bytes:
    """``unpack(packed)`` for a gzip file of the package, remembered in the cache folder under the hash of its bytes.

    The CPV list ships as 176 kB of gzip; inflating it took 3.5 ms at every start, reading it back a tenth of
    that. An entry is used only if it is as long as the gzip trailer says the content is (an entry cut short is
    unpacked again), and only from a folder of this user's, as every entry."""
    entry = cache_dir() / "data" / f"{name}-{hashlib.sha256(packed).hexdigest()}.bin"
    size = int.from_bytes(packed[-4:], "little")  # gzip's ISIZE: the content's length modulo 2**32
    data = recall(entry)
    if data and len(data) % 2**32 == size:
        return data
    data = unpack(packed)
    remember(entry, data)
    return data
