"""CPV: the Common Procurement Vocabulary (Regulation (EC) No 213/2008).

A CPV code has eight digits and a ninth check digit, written ``72413000-8``. The first two digits are the
division, three the group, four the class and five the category; trailing zeros fill the rest::

    72 413 000 - 8
    ^^ division (IT services)
    ^^^ group, ^^^^ class, ^^^^^ category

Tender tooling sends the code with or without its check digit. The check digit is not computed from the other
digits by any published formula that matches the official list, so it is checked against the official list:
a code that is in the list must carry the listed check digit; see ``known_check_digit``.

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

import re
from functools import cache
from importlib import resources

_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")


class InvalidCPV(ValueError):
    """A CPV code that is not eight digits with an optional, correct check digit."""


def compact(code: str) -> str:
    """Strip spaces and the check digit."""
    return code.strip().split("-", 1)[0].replace(" ", "")


@cache
def _check_digits() -> dict[str, str]:
    text = resources.files(__package__).joinpath("data/cpv-check-digits.tsv").read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, digit = line.split("\t")[:2]
            table[code] = digit
    return table


def known_check_digit(code: str) -> str | None:
    """The check digit the official list gives for an eight-digit code, if the bundled list has the code.

    >>> known_check_digit("72413000")
    '8'
    """
    return _check_digits().get(code)


def validate(code: str) -> str:
    """Return the eight-digit code, or raise ``InvalidCPV`` saying what is wrong.

    >>> validate("72413000-1")
    Traceback (most recent call last):
    ...
    inclusief_inkopen.cpv.InvalidCPV: check digit of 72413000 is 8, not 1
    """
    match = _CODE.match(code.strip().replace(" ", ""))
    if not match:
        raise InvalidCPV(
            f"{code!r} is not a CPV code; expected eight digits with an optional check digit, "
            "like 72413000 or 72413000-8"
        )
    digits, check = match.groups()
    if digits.startswith("00"):
        raise InvalidCPV(f"{code!r}: division 00 does not exist")
    if check is not None:
        expected = known_check_digit(digits)
        if expected is not None and expected != check:
            raise InvalidCPV(f"check digit of {digits} is {expected}, not {check}")
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


def parent(code: str) -> str | None:
    """The code one level up, or None for a division.

    >>> parent("45233130"), parent("45233000"), parent("45230000"), parent("45200000"), parent("45000000")
    ('45233000', '45230000', '45200000', '45000000', None)
    """
    digits = compact(code)
    significant = len(digits.rstrip("0"))
    if significant <= 2:
        return None
    keep = significant - 1 if significant <= 5 else 5
    return digits[:keep].ljust(8, "0")


def label(code: str, lang: str = "nl") -> str | None:
    """The code's official label, where the bundled data has it; else the nearest labelled ancestor's, or None.

    The bundled labels are the eForms SDK's list of social and other specific services (Annex XIV of Directive
    2014/24/EU), in all EU languages; the full CPV 2008 list (9,454 codes) is not bundled: no copy with a known
    source could be fetched from here.

    >>> label("85311300", "nl")
    'Welzijnszorg voor kinderen en jongeren'
    >>> label("85311300", "en")
    'Welfare services for children and young people'
    >>> label("72413000") is None
    True
    """
    from .eforms import codes

    known = codes("cpv_social-service-cpv")
    current: str | None = compact(code)
    while current is not None:
        entry = known.get(current)
        if entry:
            return entry.get(lang) or entry["en"]
        current = parent(current)
    return None
