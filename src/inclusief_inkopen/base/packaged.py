"""The package's own data files (``data/*.yaml``: labels, questions, reason templates), read once.

They ship with the code, so the safe loader is enough here; a test reads each of them with the strict loader of
``base.files`` (no duplicate keys, no aliases), which users' files go through.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml


@cache
def packaged_data(name: str) -> dict[str, Any]:
    text = (Path(__file__).parent.parent / "data" / f"{name}.yaml").read_text("utf-8")
    # libyaml's safe loader where PyYAML has it: this is read at every start of the command line.
    data: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data
