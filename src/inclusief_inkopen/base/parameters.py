"""Dated parameters: thresholds, percentages and standard versions, each value with its start date and source.

The shape is OpenFisca's: ``values`` keyed by the ISO date from which a value holds; a ``null`` value ends
validity. Code never holds a threshold; it asks for "the value in force on date D" and gets the value together
with the date it started and the source that says so, so every reason can cite it.

>>> p = Parameter(label={"nl": "Drempel", "en": "Threshold"}, description={"nl": "D", "en": "T"}, unit="EUR",
...               values={"2024-01-01": {"value": 221000, "source": "a"},
...                       "2026-01-01": {"value": 216000, "source": "b"}})
>>> p.value_at(dt.date(2025, 6, 1)).value
221000
>>> p.value_at(dt.date(2026, 1, 1))
ParameterValue(value=216000, valid_from=datetime.date(2026, 1, 1), source='b')
>>> p.value_at(dt.date(2023, 12, 31)) is None
True
"""

import datetime as dt
from bisect import bisect_right
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from inclusief_inkopen.base.text import Text
from inclusief_inkopen.base.values import Value

Unit = Literal["EUR", "ratio", "months", "years", "version", "days"]
ParameterScalar = int | float | str


class ParameterValue(Value):
    __match_args__ = ("value", "valid_from", "source")
    __slots__ = __match_args__
    value: ParameterScalar
    valid_from: dt.date
    source: str | None

    def __init__(self, value: ParameterScalar, valid_from: dt.date, source: str | None) -> None:
        self._set(value=value, valid_from=valid_from, source=source)


class ParameterEntry(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    value: ParameterScalar | None = Field(description="The value; null ends validity")
    source: Annotated[str | None, Field(description="Id in sources.yaml")] = None
    note: Text | None = None


class Parameter(BaseModel):
    """One dated parameter, as stored in ``criteria/parameters/<name>.yaml``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    label: Annotated[Text, Field(description="Short name used in reasons, e.g. 'Europese drempel'")]
    description: Text
    unit: Unit
    last_reviewed: dt.date | None = None
    reference: Annotated[str | None, Field(description="Id in sources.yaml for the parameter as a whole")] = None
    values: dict[dt.date, ParameterEntry]

    @field_validator("values")
    @classmethod
    def _sorted_and_typed(cls, values: dict[dt.date, ParameterEntry]) -> dict[dt.date, ParameterEntry]:
        if not values:
            raise ValueError("at least one dated value is needed")
        kinds = {type(e.value) is str for e in values.values() if e.value is not None}
        if len(kinds) > 1:
            raise ValueError("values mix text and numbers")
        return dict(sorted(values.items()))

    def value_at(self, on: dt.date) -> ParameterValue | None:
        dates = list(self.values)
        index = bisect_right(dates, on) - 1
        if index < 0:
            return None
        start = dates[index]
        entry = self.values[start]
        if entry.value is None:
            return None
        return ParameterValue(entry.value, start, entry.source or self.reference)

    @property
    def is_numeric(self) -> bool:
        return any(isinstance(e.value, int | float) for e in self.values.values())

    def validity(self) -> str:
        """Human-readable validity periods, for error messages."""
        parts = []
        dates = list(self.values)
        for i, start in enumerate(dates):
            if self.values[start].value is None:
                continue
            end = dates[i + 1] if i + 1 < len(dates) else None
            parts.append(f"from {start}" + (f" until {end}" if end else ""))
        return ", ".join(parts) or "never"
