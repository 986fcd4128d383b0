"""inclusief-inkopen: Amsterdam's action framework for inclusive procurement as rules that run.

>>> from inclusief_inkopen import evaluate
>>> advice = evaluate({"title": "Website", "nature": "services", "estimated_value_eur": 90000,
...                    "digital": ["website"], "end_users": ["residents"]}, on=datetime.date(2026, 3, 1))
>>> "TOEG-DIG-01" in advice.suggestion_ids()
True
"""

from __future__ import annotations

import datetime  # noqa: F401 - used by the doctest above

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
    # The batch module pulls in process pools; only programs that ask for it pay for that import.
    if name == "evaluate_many":
        from inclusief_inkopen.advice.batch import evaluate_many

        return evaluate_many
    if name in _MODULES:  # the public modules by the names the README uses, imported when first asked for
        import importlib

        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
