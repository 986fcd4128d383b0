"""The user's cache folder (``~/.cache/inclusief-inkopen``, or ``$INCLUSIEF_INKOPEN_CACHE``): where it is, and
whether only this user can have put what is in it. What is read from anywhere else is not trusted, whatever it
holds; what could be read by others is not written there.
"""

import os
import stat
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("INCLUSIEF_INKOPEN_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inclusief-inkopen"


def private_folder(folder: Path) -> bool:
    """Whether only this user can have put files in ``folder``: a real folder (not a link) that this user owns and
    nobody else may write to. A cache anywhere else is not read, whatever it holds."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # no owners to check (Windows): only the folder we made ourselves, in the user's profile
        return folder.is_dir() and not folder.is_symlink()
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == getuid() and not info.st_mode & 0o022


def private_file(path: Path) -> bool:
    """A regular file (not a link) of this user's that nobody else may write to."""
    getuid = getattr(os, "getuid", None)
    try:
        info = path.lstat()
    except OSError:
        return False
    owned = getuid is None or info.st_uid == getuid()
    return stat.S_ISREG(info.st_mode) and owned and not info.st_mode & 0o022


def private_folders(folder: Path) -> bool:
    """Make the cache's folder and its own folder where they are missing (``0700``, whatever the umask); whether
    both are private. A shared or foreign folder is never filled: others could have filled it too."""
    for each in (folder.parent, folder):
        if not each.exists():
            each.mkdir(mode=0o700, parents=True)
            each.chmod(0o700)
        if not private_folder(each):
            return False
    return True


def readable(entry: Path) -> bool:
    """Whether a cache entry may be read: a file of this user's alone, in a folder of the cache and in the cache
    folder itself that are this user's alone."""
    return private_folder(entry.parent.parent) and private_folder(entry.parent) and private_file(entry)


def recall(entry: Path) -> bytes | None:
    """A cache entry's bytes, if it may be read (``readable``) and can be; else None, and the caller makes it anew."""
    if not readable(entry):
        return None
    try:
        return entry.read_bytes()
    except OSError:
        return None


def remember(entry: Path, data: bytes) -> None:
    """Write a cache entry (``0600``, atomically), making its folders where they are missing; not in a folder
    others may write to. A cache that cannot be written only costs time: nothing is raised."""
    # Here, not at the top: base.files says its messages with the vocabulary that base.packaged keeps here.
    from inclusief_inkopen.base.files import atomic_write

    try:
        if private_folders(entry.parent):
            atomic_write(entry, data, mode=0o600)
    except OSError:
        pass
