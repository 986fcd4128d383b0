"""Is the catalogue still current? Review dates, values about to change, criteria about to expire.

A rule set a public body answers for must say when each value was last checked. ``validate`` fails when a
review predates the newest value it vouches for, warns when a review is more than twelve months old, and
reports what changes or expires within 30 days of the date asked about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from inclusief_inkopen.rules.catalogue import Catalogue

REVIEW_MAX_AGE = dt.timedelta(days=365)
HORIZON = dt.timedelta(days=30)


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning", "notice"]
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.file}: {self.location}: {self.message}"


def check_freshness(catalogue: Catalogue, on: dt.date, today: dt.date | None = None) -> list[Finding]:
    today = today or dt.date.today()
    findings: list[Finding] = []
    for name, param in sorted(catalogue.parameters.items()):
        file = catalogue.parameter_file(name)
        newest = max(param.values)
        if param.last_reviewed is None:
            findings.append(Finding("warning", file, "last_reviewed", "no review date"))
        elif param.last_reviewed < newest:
            findings.append(
                Finding(
                    "error",
                    file,
                    "last_reviewed",
                    f"reviewed {param.last_reviewed} but holds a value from {newest}; review it",
                )
            )
        elif today - param.last_reviewed > REVIEW_MAX_AGE:
            findings.append(
                Finding(
                    "warning",
                    file,
                    "last_reviewed",
                    f"last reviewed {param.last_reviewed}, more than twelve months ago",
                )
            )
        current = param.value_at(on)
        for start, entry in param.values.items():
            if on < start <= on + HORIZON:
                what = "ends" if entry.value is None else f"changes to {entry.value}"
                was = f" (now {current.value})" if current else ""
                findings.append(Finding("notice", file, f"values.{start}", f"{what} on {start}{was}"))
    for c in catalogue:
        file = catalogue.criteria[c.id].file
        start = c.valid.from_ if c.valid else None
        if c.last_reviewed is None:
            findings.append(Finding("warning", file, f"{c.id}.last_reviewed", "no review date"))
        elif start and c.last_reviewed < start:
            findings.append(
                Finding(
                    "error",
                    file,
                    f"{c.id}.last_reviewed",
                    f"reviewed {c.last_reviewed}, before it took effect on {start}",
                )
            )
        elif today - c.last_reviewed > REVIEW_MAX_AGE:
            findings.append(
                Finding(
                    "warning",
                    file,
                    f"{c.id}.last_reviewed",
                    f"last reviewed {c.last_reviewed}, more than twelve months ago",
                )
            )
        end = c.valid.to if c.valid else None
        if end and on <= end <= on + HORIZON:
            findings.append(Finding("notice", file, f"{c.id}.valid.to", f"expires on {end}"))
    return findings
