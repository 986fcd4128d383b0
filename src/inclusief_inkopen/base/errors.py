"""One error vocabulary for the whole library.

Every error a user can cause names the file, the place in it and what was expected, so the CLI can print it
without a traceback. Programming errors stay ordinary Python exceptions.
"""

from __future__ import annotations

from inclusief_inkopen.base.values import Value


class Problem(Value):
    """One thing wrong with an input: where it is and what was expected there."""

    __match_args__ = ("file", "location", "message")
    __slots__ = __match_args__
    file: str | None
    location: str
    message: str

    def __init__(self, file: str | None, location: str, message: str) -> None:
        self._set(file=file, location=location, message=message)

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.location:
            where = f"{where}: {self.location}"
        return f"{where}: {self.message}"


# A message lists at most this many problems: a file with 300,000 unknown keys gets a screenful, not 36 MB.
MAX_SHOWN = 50


class InclusiefInkopenError(Exception):
    """Base class of every error caused by input rather than by a bug."""


class InputError(InclusiefInkopenError):
    """A tender file, catalogue file, checklist or notice that cannot be used as it is."""

    # Written out rather than made by @dataclass, whose methods every command paid to compile at its start.
    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = [] if problems is None else problems
        super().__init__(str(self))

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(problems={self.problems!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.problems == other.problems  # type: ignore[attr-defined, no-any-return]

    __hash__ = None  # type: ignore[assignment]  # equal by their problems, which may change: as a dataclass

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


class NotInForce(EvaluationError):
    """The tender cannot be evaluated on the date asked because a parameter it needs has no value in force then:
    the catalogue holds no rules for that date (a notice judged on the day it was sent, before them)."""
