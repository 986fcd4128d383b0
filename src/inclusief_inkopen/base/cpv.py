"""CPV: the Common Procurement Vocabulary (Regulation (EC) No 213/2008).

A CPV code has eight digits and a ninth check digit, written ``72413000-8``. The first two digits are the
division, three the group, four the class and five the category; trailing zeros fill the rest::

    72 413 000 - 8
    ^^ division (IT services)
    ^^^ group, ^^^^ class, ^^^^^ category

The package ships the whole CPV 2008 main vocabulary (9,454 codes, ``data/cpv2008.tsv.gz``, built by
``scripts/build_cpv_data.py``) with check digits and Dutch and English labels. It is read the first time a
code is checked or labelled, not at import, so a command that never looks at a code pays nothing for it.
A code must exist in the list and, when written with its check digit, carry the listed one.

>>> compact(" 72413000-8 ")
'72413000'
>>> validate("72413000-8")
'72413000'
>>> division("72413000"), group("72413000"), class_("72413000"), category("72413000")
('72', '724', '7241', '72413')
>>> is_valid("7241300")
False
>>> prefix_of("72000000")
'72'
"""

from __future__ import annotations

import bisect
import re
import zlib
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from inclusief_inkopen.base.packaged import unpacked

_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")


class InvalidCPV(ValueError):
    """A CPV code that is not in the CPV 2008 list, or not with that check digit."""


class Entry(NamedTuple):
    check_digit: str
    nl: str
    en: str


def compact(code: str) -> str:
    """Strip spaces and the check digit."""
    return code.strip().split("-", 1)[0].replace(" ", "")


@cache
def _text() -> str:
    raw = (Path(__file__).parent.parent / "data" / "cpv2008.tsv.gz").read_bytes()
    # A newline before the first line too, so that every code is found as "\n" + code + "\t".
    return "\n" + unpacked("cpv2008.tsv", raw, lambda packed: zlib.decompress(packed, wbits=31)).decode("utf-8")


@cache
def _lines() -> dict[str, str]:
    return {line[:8]: line for line in _text().splitlines() if line}


# A command that looks at a tender's few codes finds each in the text (a third of a millisecond) rather than
# splitting 9,454 lines into a table first (about four); a program that looks up more codes than this gets the table.
_FIND_FIRST = 8
_looked = 0


@lru_cache(maxsize=4096)
def _line(digits: str) -> str | None:
    global _looked
    if _looked < _FIND_FIRST:
        _looked += 1
        if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
            return None  # every line starts with eight digits: nothing else is a code of the list
        text = _text()
        at = text.find("\n" + digits + "\t")
        if at < 0:
            return None
        end = text.find("\n", at + 1)
        return text[at + 1 : end if end >= 0 else len(text)]
    return _lines().get(digits)


@lru_cache(maxsize=4096)
def _entry(line: str) -> Entry:
    _, digit, nl, en = line.split("\t")
    return Entry(digit, nl, en)


def _get(digits: str) -> Entry | None:
    line = _line(digits)
    return None if line is None else _entry(line)


@cache
def _sorted_codes() -> list[str]:
    return sorted(_lines())


def codes() -> list[str]:
    """Every code of the CPV 2008 main vocabulary, in code order (which is the order of the hierarchy)."""
    return list(_sorted_codes())


def exists(code: str) -> bool:
    """
    >>> exists("72413000"), exists("72413001")
    (True, False)
    """
    return _line(compact(code)) is not None


def known_check_digit(code: str) -> str | None:
    """The check digit the official list gives for an eight-digit code, or None for a code not in the list.

    >>> known_check_digit("72413000")
    '8'
    """
    entry = _get(compact(code))
    return entry.check_digit if entry else None


def full(code: str) -> str:
    """The code with its check digit.

    >>> full("55520000")
    '55520000-1'
    """
    digits = validate(code)
    return f"{digits}-{known_check_digit(digits)}"


def closest(code: str, count: int = 3) -> list[str]:
    """Existing codes nearest to a code that is not in the list: those sharing the longest prefix with it.

    >>> closest("72413001")
    ['72413000-8', '72414000-5', '72412000-1']
    """
    digits = re.sub(r"\D", "", compact(code))[:8].ljust(8, "0")
    ordered = _sorted_codes()
    at = bisect.bisect_left(ordered, digits)
    window = ordered[max(0, at - 20) : at + 20]

    def shared(other: str) -> int:
        n = 0
        while n < 8 and other[n] == digits[n]:
            n += 1
        return n

    ranked = sorted(window, key=lambda other: (-shared(other), abs(int(other) - int(digits))))
    return [f"{c}-{_entry(_lines()[c]).check_digit}" for c in ranked[:count]]


def validate(code: str) -> str:
    """Return the eight-digit code, or raise ``InvalidCPV`` saying what is wrong and what is near.

    >>> validate("72413000-1")
    Traceback (most recent call last):
    ...
    inclusief_inkopen.base.cpv.InvalidCPV: check digit of 72413000 is 8, not 1
    >>> try:
    ...     validate("72413001")
    ... except InvalidCPV as exc:
    ...     print(exc)
    72413001 is not in the CPV 2008 list; the closest codes are 72413000-8, 72414000-5, 72412000-1
    """
    match = _CODE.match(code.strip().replace(" ", ""))
    if not match:
        raise InvalidCPV(
            f"{code!r} is not a CPV code; expected eight digits with an optional check digit, "
            "like 72413000 or 72413000-8"
        )
    digits, check = match.groups()
    entry = _get(digits)
    if entry is None:
        raise InvalidCPV(f"{digits} is not in the CPV 2008 list; the closest codes are {', '.join(closest(digits))}")
    if check is not None and entry.check_digit != check:
        raise InvalidCPV(f"check digit of {digits} is {entry.check_digit}, not {check}")
    return digits


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCPV:
        return False
    return True


def division(code: str) -> str:
    return compact(code)[:2]


def group(code: str) -> str:
    return compact(code)[:3]


def class_(code: str) -> str:
    return compact(code)[:4]


def category(code: str) -> str:
    return compact(code)[:5]


def prefix_of(code: str) -> str:
    """The significant digits: the code without its trailing zeros, at least the division."""
    digits = compact(code).rstrip("0")
    return digits if len(digits) >= 2 else compact(code)[:2]


LEVELS = ("division", "group", "class", "category", "subcategory")


def level(code: str) -> str:
    """Where a code sits in the hierarchy: division (45000000) down to category (45233000) and below.

    >>> level("72000000"), level("72400000"), level("72410000"), level("72413000"), level("45233130")
    ('division', 'group', 'class', 'category', 'subcategory')
    """
    significant = len(compact(code).rstrip("0"))
    return LEVELS[min(max(significant, 2), 6) - 2]


def _one_up(digits: str) -> str | None:
    significant = len(digits.rstrip("0"))
    if significant <= 2:
        return None
    keep = significant - 1 if significant <= 5 else 5
    return digits[:keep].ljust(8, "0")


def parent(code: str) -> str | None:
    """The nearest code above this one that the CPV list has, or None for a division.

    >>> parent("45233130"), parent("45233000"), parent("45230000"), parent("45200000"), parent("45000000")
    ('45233000', '45230000', '45200000', '45000000', None)
    """
    current = _one_up(compact(code))
    while current is not None and _line(current) is None:
        current = _one_up(current)
    return current


def ancestors(code: str) -> list[str]:
    """The codes above this one, nearest first.

    >>> ancestors("72413000")
    ['72410000', '72400000', '72000000']
    """
    found = []
    current = parent(code)
    while current is not None:
        found.append(current)
        current = parent(current)
    return found


def label(code: str, lang: str = "nl") -> str | None:
    """The code's official label in Dutch or English (eForms SDK translations of CPV 2008), or None.

    >>> label("85311300", "nl")
    'Welzijnszorg voor kinderen en jongeren'
    >>> label("72413000", "en")
    'World wide web (www) site design services'
    """
    entry = _get(compact(code))
    if entry is None:
        return None
    return entry.nl if lang == "nl" else entry.en


def describe(code: str, lang: str = "nl") -> str:
    """A code as people read it: the code and its label.

    >>> describe("55520000")
    '55520000 Cateringdiensten'
    """
    text = label(code, lang)
    return f"{compact(code)} {text}" if text else compact(code)
