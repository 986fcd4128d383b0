"""Small immutable values (a condition's nodes): equal when their class and fields are, hashable, pickled by
their fields, unchangeable once made; and pydantic models made from values that are valid already.

This is what ``@dataclass(frozen=True, slots=True)`` gives such a class, written once. The decorator writes out
and compiles five or six methods for every class it makes; under Python 3.11 that was about three million
instructions a class, some 20 million at every start of the command line for the condition's six node classes
alone. A class here names its fields in order in ``__match_args__`` (as a dataclass does: the order of its
``__init__``'s arguments), keeps them in as many slots, and sets them in its own ``__init__``:

>>> class Point(Value):
...     __match_args__ = ("x", "y")
...     __slots__ = __match_args__
...
...     def __init__(self, x: int, y: int) -> None:
...         self._set(x=x, y=y)
>>> Point(1, 2), Point(1, 2) == Point(1, 2), Point(1, 2) == Point(2, 1), len({Point(1, 2), Point(1, 2)})
(Point(x=1, y=2), True, False, 1)
>>> Point(1, 2)._replace(y=5)
Point(x=1, y=5)
>>> Point(1, 2).x = 3
Traceback (most recent call last):
...
AttributeError: Point is immutable: cannot assign to field 'x'
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

_M = TypeVar("_M", bound="BaseModel")


class Value:
    __match_args__: tuple[str, ...] = ()
    __slots__ = ()
    # The fields in order, as one tuple: a C getter made once per class (hashing a reason record hashes the
    # parameter value it holds, in the advice's hottest loop).
    _get: Callable[[Any], tuple[Any, ...]] = staticmethod(lambda value: ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = cls.__match_args__
        if len(names) == 1:
            one = operator.attrgetter(names[0])
            cls._get = staticmethod(lambda value: (one(value),))
        elif names:
            cls._get = staticmethod(operator.attrgetter(*names))

    def _set(self, **fields: Any) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def _replace(self, **changes: Any) -> Any:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return self.__class__(**{**dict(zip(self.__match_args__, self._get(self), strict=True)), **changes})

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._get(self) == self._get(other)  # type: ignore[no-any-return]

    def __hash__(self) -> int:
        return hash(self._get(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{self.__class__.__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self.__class__.__qualname__} is immutable: cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self.__class__.__qualname__} is immutable: cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return self.__class__, self._get(self)


def constructed(model: type[_M], fields: dict[str, Any]) -> _M:
    """A pydantic model of values that are valid already (catalogue data that passed validation, decisions): what
    ``model_construct`` makes of these fields, in this order, without its search for defaults and aliases; a field
    left out stays unset, as there. The advice is put into words with hundreds of these per tender."""
    made = model.__new__(model)
    object.__setattr__(made, "__dict__", fields)
    object.__setattr__(made, "__pydantic_fields_set__", set(fields))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made
