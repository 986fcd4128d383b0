from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from inclusief_inkopen.rules.catalogues import load_catalogue
from inclusief_inkopen.rules.loader import builtin_catalogue_dir

# The tests keep their "rule tests passed" markers to themselves.
os.environ["INCLUSIEF_INKOPEN_CACHE"] = tempfile.mkdtemp(prefix="inclusief-inkopen-cache-")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ON = dt.date(2026, 3, 1)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in catalogue, to break in a test."""
    target = tmp_path / "criteria"
    shutil.copytree(builtin_catalogue_dir(), target)
    return target


def tender(**fields):
    base = {
        "title": "Testopdracht",
        "nature": "services",
        "estimated_value_eur": 100000,
        "cpv": ["79000000"],
        "end_users": [],
        "digital": [],
        "physical": [],
        "people_facing": False,
        "staffing": False,
        "supply_chain_risk": [],
    }
    base.update(fields)
    return base
