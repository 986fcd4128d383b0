"""The benchmark compares evaluate() with the same rules written by hand; that comparison only means something if
both pick the same criteria, so the suite checks it too (on fewer profiles than the benchmark)."""

from __future__ import annotations

import sys
from pathlib import Path

from inclusief_inkopen import TenderProfile, evaluate

from .conftest import ON

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from handwritten import suggestions
from profiles import tender_dicts


def test_the_hand_written_rules_pick_exactly_what_evaluate_suggests(catalogue):
    lists = dict(catalogue.lists)
    profiles = [TenderProfile.model_validate(d) for d in tender_dicts(600, seed=5)]
    picked = [set(evaluate(p, catalogue, on=ON).suggestion_ids()) for p in profiles]
    assert picked == [suggestions(p, lists) for p in profiles]
    assert len({frozenset(p) for p in picked}) > 100  # varied profiles, not one verdict 600 times
