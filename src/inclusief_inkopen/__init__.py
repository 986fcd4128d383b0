"""inclusief-inkopen: Amsterdam's action framework for inclusive procurement as rules that run.

>>> from inclusief_inkopen import evaluate
>>> advice = evaluate({"title": "Website", "nature": "services", "estimated_value_eur": 90000,
...                    "digital": ["website"], "end_users": ["residents"]}, on=datetime.date(2026, 3, 1))
>>> "TOEG-DIG-01" in advice.suggestion_ids()
True
"""

from __future__ import annotations

import datetime  # noqa: F401 - used by the doctest above

__version__ = "0.1.0"

from .advice import Advice
from .errors import CatalogueError, EvaluationError, InclusiefInkopenError, InputError, TenderError
from .evaluate import evaluate
from .loader import load_catalogue
from .profile import TenderProfile, load_tender

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


def __getattr__(name: str) -> object:
    # The batch module pulls in process pools; only programs that ask for it pay for that import.
    if name == "evaluate_many":
        from .batch import evaluate_many

        return evaluate_many
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
