"""One error vocabulary for the whole library.

Every error a user can cause names the file, the place in it and what was expected, so the CLI can print it
without a traceback. Programming errors stay ordinary Python exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected there."""

    file: str | None
    location: str
    message: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.location:
            where = f"{where}: {self.location}"
        return f"{where}: {self.message}"


# A message lists at most this many problems: a file with 300,000 unknown keys gets a screenful, not 36 MB.
MAX_SHOWN = 50


class InclusiefInkopenError(Exception):
    """Base class of every error caused by input rather than by a bug."""


@dataclass
class InputError(InclusiefInkopenError):
    """A tender file, catalogue file, checklist or notice that cannot be used as it is."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def single(cls, file: str | None, location: str, message: str) -> InputError:
        return cls([Problem(file, location, message)])

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_SHOWN:,} more problems (fix these first)")
        return "\n".join(shown)


class TenderError(InputError):
    """The tender profile is not valid."""


class CatalogueError(InputError):
    """The rule catalogue (or a layer over it) is not valid."""


class EvaluationError(InputError):
    """The tender is valid but cannot be evaluated, e.g. no parameter value is in force on the date asked."""
