"""Decide some items of a checklist, as a category manager would, so the page CI checks shows every kind of item.

python tests/a11y/fill_in.py CHECKLIST.yaml
"""

from __future__ import annotations

import datetime as dt
import sys

from inclusief_inkopen import checklist as cl


def main(path: str) -> None:
    checklist = cl.load(path)
    items = []
    for index, item in enumerate(checklist.items):
        if index % 3 == 0:
            item = item.model_copy(
                update={
                    "decision": "applied",
                    "applied_as": "Bestek, paragraaf 4.2",
                    "decided_by": "Categoriemanager Sociaal Domein",
                    "decided_on": dt.date(2026, 3, 2),
                }
            )
        elif index % 3 == 1:
            item = item.model_copy(
                update={
                    "decision": "not-applied",
                    "justification": "Niet passend bij deze opdracht.",
                    "decided_by": "Inkoper",
                    "decided_on": dt.date(2026, 3, 2),
                    "review": "status changed on 2026-03-05" if index == 1 else None,
                }
            )
        items.append(item)
    cl.save(checklist.model_copy(update={"items": items, "award_basis": "best-price-quality"}), path)


if __name__ == "__main__":
    main(sys.argv[1])
