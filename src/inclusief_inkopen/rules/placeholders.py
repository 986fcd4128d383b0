"""``{{parameter/name}}`` in a criterion's title or text stands for the parameter's value on the evaluation date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from inclusief_inkopen.base.errors import NotInForce, Problem
from inclusief_inkopen.base.parameters import Parameter
from inclusief_inkopen.base.text import Lang, format_eur, format_number

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9\-/]+)\s*\}\}")


def format_parameter(unit: str, value: Any, lang: Lang) -> str:
    if unit == "ratio":
        percent = format_number(round(value * 100, 4), lang)
        return f"{percent} %" if lang == "nl" else f"{percent}%"
    if unit == "EUR":
        return format_eur(value, lang)
    if isinstance(value, int | float):
        return format_number(value, lang)
    return str(value)


def substitute(text: str, parameters: Mapping[str, Parameter], on: dt.date, lang: Lang, strict: bool = True) -> str:
    """Fill every placeholder with the value in force on ``on``.

    ``strict`` raises when a parameter has no value then; otherwise the placeholder is left as it is.
    """

    def value(match: re.Match[str]) -> str:
        param = parameters.get(match.group(1))
        current = param.value_at(on) if param else None
        if param is None or current is None:
            if strict:
                raise NotInForce([Problem(match.group(1), "values", f"no value in force on {on}")])
            return match.group(0)
        return format_parameter(param.unit, current.value, lang)

    return PLACEHOLDER.sub(value, text)
