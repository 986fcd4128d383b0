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
