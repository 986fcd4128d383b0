"""Errors as RFC 9457 problem details: a type, a title, the HTTP status, a detail and, for bad input, one entry per
problem naming where it is and what was expected, as the command line says it.

>>> body = problem(422, "invalid-input", "Invalid input", "1 problem", errors=[{"location": "nature", "detail": "x"}])
>>> body["type"], body["status"], body["errors"][0]["location"]
('/problems/invalid-input', 422, 'nature')
"""

from __future__ import annotations

from typing import Any

from inclusief_inkopen.base.errors import MAX_SHOWN, InputError

MEDIA_TYPE = "application/problem+json"


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail, **extra}


def from_input_error(exc: InputError, instance: str) -> dict[str, Any]:
    """An input error as a problem document: each problem with its location (the field, the line) and message."""
    errors = [
        {"location": p.location, "detail": p.message, **({"file": p.file} if p.file else {})}
        for p in exc.problems[:MAX_SHOWN]
    ]
    count = len(exc.problems)
    return problem(
        422,
        "invalid-input",
        "The input cannot be used as it is",
        f"{count} problem{'s' if count != 1 else ''}: "
        + "; ".join(f"{e['location']}: {e['detail']}" for e in errors[:3]),
        instance=instance,
        errors=errors,
        **({"more": count - MAX_SHOWN} if count > MAX_SHOWN else {}),
    )
