"""inclusief-inkopen: Amsterdam's action framework for inclusive procurement as rules that run.

>>> from inclusief_inkopen import evaluate
>>> advice = evaluate({"title": "Website", "nature": "services", "estimated_value_eur": 90000,
...                    "digital": ["website"], "end_users": ["residents"]}, on=datetime.date(2026, 3, 1))
>>> "TOEG-DIG-01" in advice.suggestion_ids()
True
"""

from __future__ import annotations

import datetime  # noqa: F401 - used by the doctest above
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers and readers; at run time each name is imported when first asked for
    from inclusief_inkopen.advice.batch import evaluate_many
    from inclusief_inkopen.advice.evaluate import Advice, evaluate
    from inclusief_inkopen.base.errors import (
        CatalogueError,
        EvaluationError,
        InclusiefInkopenError,
        InputError,
        TenderError,
    )
    from inclusief_inkopen.base.version import __version__
    from inclusief_inkopen.rules.catalogues import load_catalogue
    from inclusief_inkopen.tender.profile import TenderProfile, load_tender

__all__ = [
    "Advice",
    "CatalogueError",
    "EvaluationError",
    "InclusiefInkopenError",
    "InputError",
    "TenderError",
    "TenderProfile",
    "__version__",
    "evaluate",
    "evaluate_many",
    "load_catalogue",
    "load_tender",
]


# Where each public name lives. Importing the package imports none of them: ``import inclusief_inkopen.base.cpv``
# or the command line's start (``python -m inclusief_inkopen``) should not pay for the whole engine first.
_NAMES = {
    "Advice": "inclusief_inkopen.advice.evaluate",
    "evaluate": "inclusief_inkopen.advice.evaluate",
    "evaluate_many": "inclusief_inkopen.advice.batch",
    "CatalogueError": "inclusief_inkopen.base.errors",
    "EvaluationError": "inclusief_inkopen.base.errors",
    "InclusiefInkopenError": "inclusief_inkopen.base.errors",
    "InputError": "inclusief_inkopen.base.errors",
    "TenderError": "inclusief_inkopen.base.errors",
    "__version__": "inclusief_inkopen.base.version",
    "load_catalogue": "inclusief_inkopen.rules.catalogues",
    "TenderProfile": "inclusief_inkopen.tender.profile",
    "load_tender": "inclusief_inkopen.tender.profile",
}

_MODULES = {
    "checklist": "inclusief_inkopen.checklists.checklist",
    "compare": "inclusief_inkopen.notices.compare",
    "notice": "inclusief_inkopen.notices.importing",
    "cpv": "inclusief_inkopen.base.cpv",
    "eforms": "inclusief_inkopen.notices.eforms",
    "ocds": "inclusief_inkopen.notices.ocds",
    "files": "inclusief_inkopen.base.files",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value  # asked for once: later look-ups are plain attribute reads
        return value
    if name in _MODULES:  # the public modules by the names the README uses, imported when first asked for
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES, *_MODULES})
