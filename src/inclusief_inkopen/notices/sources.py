"""Where a scan's notices come from: files, folders, and archives read as they stream (TED's daily packages are
``.tar.gz`` files of notice XML; other publishers hand out ``.zip`` files).

Each notice becomes an ``Item`` with its bytes, or with the reason it was skipped or could not be read, so a
report lists every file it did not use and never drops one silently. Nothing is unpacked to disk; every member is
read up to the notice size cap, whatever its header claims, so a bomb stops at the cap.

>>> kind_of("2024/0001.XML"), kind_of("pack.tar.gz"), kind_of("readme.pdf")
('notice', 'archive', 'other')
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inclusief_inkopen.base.errors import InclusiefInkopenError
from inclusief_inkopen.base.files import MAX_NOTICE_BYTES, read_bytes

NOTICE_SUFFIXES = (".xml", ".json", ".jsonl", ".ndjson")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


def kind_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith(ARCHIVE_SUFFIXES):
        return "archive"
    if lower.endswith(NOTICE_SUFFIXES):
        return "notice"
    return "other"


@dataclass(frozen=True)
class Item:
    """One file to scan: its name as the report shows it, and its bytes, or why it has none."""

    name: str
    data: bytes | None = None
    skipped: str | None = None  # a file the scan does not read, and what kind it is
    error: str | None = None  # a file the scan could not read


def paths_in(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named, folders walked, in a stable order. Folders yield every file: what is not a notice or an
    archive is reported as skipped, not left out unseen."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            out.append(path)
    return out


def items(paths: Iterable[Path], named: frozenset[Path] = frozenset()) -> Iterator[Item]:
    """Every notice in the files, archives opened as they stream. A file named on the command line (in
    ``named``) is read by its content whatever its name; one found in a folder by its name."""
    for path in paths:
        kind = kind_of(path.name)
        if kind == "archive":
            yield from _archive(path)
        elif kind == "notice" or path in named:
            yield _read(path)
        else:
            yield Item(str(path), skipped=_type_name(path.name))


def _type_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return f"not a notice or an archive ({suffix or 'no extension'})"


def _read(path: Path) -> Item:
    try:
        return Item(str(path), data=read_bytes(path, MAX_NOTICE_BYTES))
    except InclusiefInkopenError as exc:
        return Item(str(path), error=str(exc))


def _archive(path: Path) -> Iterator[Item]:
    try:
        if path.name.lower().endswith(".zip"):
            yield from _zip(path)
        else:
            yield from _tar(path)
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        # Members already read stay in the report; the rest of a broken archive is one error row.
        yield Item(str(path), error=f"archive cannot be read further: {type(exc).__name__}: {exc}")


def _member(archive: Path, name: str, size: int, read: object) -> Item:
    shown = f"{archive}!/{name}"
    kind = kind_of(name)
    if kind == "archive":
        return Item(shown, skipped="an archive inside an archive is not opened; unpack the outer one")
    if kind != "notice":
        return Item(shown, skipped=_type_name(name))
    if size > MAX_NOTICE_BYTES:
        return Item(shown, error=f"member of {size:,} bytes; at most {MAX_NOTICE_BYTES:,} are accepted")
    data = read(MAX_NOTICE_BYTES + 1)  # type: ignore[operator]
    if len(data) > MAX_NOTICE_BYTES:  # the header said less than the member holds
        return Item(shown, error=f"member is over {MAX_NOTICE_BYTES:,} bytes; at most that many are accepted")
    return Item(shown, data=data)


def _tar(path: Path) -> Iterator[Item]:
    # Stream mode ("r|*"): members are read in order, once, with gzip, bzip2 or xz found from the bytes.
    with open(path, "rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tar:
        for info in tar:
            if info.isdir():
                continue
            if not info.isfile():  # links, devices, FIFOs: never followed, always named
                yield Item(f"{path}!/{info.name}", skipped="not a regular file in the archive (link or device)")
                continue
            handle = tar.extractfile(info)
            if handle is None:
                continue
            yield _member(path, info.name, info.size, handle.read)


def _zip(path: Path) -> Iterator[Item]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                yield Item(f"{path}!/{info.filename}", error="member is encrypted")
                continue
            with archive.open(info) as handle:
                yield _member(path, info.filename, info.file_size, handle.read)
