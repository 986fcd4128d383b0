"""One gate for every route: each route names the right it needs (``@needs("checklist.sign_off")``), and the
routers run ``guard`` before any handler. A route that names no right is refused to everyone (deny by default);
``tests/test_rights.py`` runs every route the app has against every role.

Pages learn who is asking from the sign-in (``signin.People``); ``/api/v1`` from an API key
(``Authorization: Bearer ii_…``), or, in single-user mode only, from nobody at all (this computer's one person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from inclusief_inkopen.web.people import PUBLIC, Person, key_matches, may, parse_key, sees
from inclusief_inkopen.web.signin import same_origin
from inclusief_inkopen.web.store import Visible

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def needs(right: str) -> Callable[[F], F]:
    """Mark a route with the right it needs (a key of ``people.RIGHTS``, ``SIGNED_IN``, ``PUBLIC`` or an API
    scope's right such as ``api.advice``)."""

    def mark(handler: F) -> F:
        handler.__right__ = right  # type: ignore[attr-defined]
        return handler

    return mark


class NotSignedIn(Exception):
    """Nobody (or no valid API key) is behind this request: sign in first (pages) or 401 (API)."""


class Refused(Exception):
    """Signed in, but this person's roles (or this key's scopes) do not allow it: 403."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def right_of(request: Request) -> str | None:
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    return getattr(endpoint, "__right__", None)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def guard(request: Request) -> None:
    """The router dependency: who is asking, and may they do what this route does."""
    right = right_of(request)
    if right is None:
        raise Refused("this route declares no right, so nobody may use it")
    keyed = is_api(request) and "authorization" in request.headers
    who = api_caller(request) if is_api(request) else request.app.state.people.of(request)
    request.state.person = who
    if request.method not in SAFE_METHODS and not keyed and not same_origin(request):
        raise Refused("the request came from another site (Origin / Sec-Fetch-Site)")
    if right == PUBLIC:
        return
    if who is None:
        raise NotSignedIn()
    if not may(who, right):
        raise Refused(f"needs {right}")


def person_of(request: Request) -> Person:
    """The person ``guard`` found (routes that need a right always have one)."""
    who: Person | None = getattr(request.state, "person", None)
    if who is None:
        raise NotSignedIn()
    return who


def visible(who: Person) -> Visible:
    """What the person (or key) may see in the store: every department, or their own and what they made."""
    return Visible(None if who.all_departments else who.departments, who.subject)


T = TypeVar("T", bound=tuple[Any, dict[str, Any]])


def in_reach(request: Request, found: T | None) -> T | None:
    """A stored object (with its meta: department, created_by) if the person asking may see it, else None: one of
    another department is "not found", not "forbidden", since its existence is not theirs to know either."""
    if found is None or not sees(person_of(request), found[1]["department"], found[1]["created_by"]):
        return None
    return found


_TOUCH_EVERY = dt.timedelta(seconds=60)


def api_caller(request: Request) -> Person | None:
    """The caller of ``/api/v1``: the API key in ``Authorization: Bearer``; without one, the single user of a
    single-user installation, and nobody otherwise. A key's last use is written at most once a minute."""
    people = request.app.state.people
    header = request.headers.get("authorization")
    if header is None:
        return people.local if people.sign_in.mode == "single-user" else None
    scheme, _, token = header.partition(" ")
    parsed = parse_key(token) if scheme.lower() == "bearer" else None
    if parsed is None:
        return None
    key_id, secret = parsed
    store = request.app.state.store
    row = store.key(key_id)
    if row is None or row["revoked_at"] is not None or not key_matches(secret, row["secret_sha256"]):
        return None
    now = dt.datetime.now(dt.UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] > _TOUCH_EVERY:
        store.key_used(key_id, now)
    department = row["department"]
    return Person(
        subject=f"api-key:{key_id}",
        name=f"API-sleutel {row['name']}",
        via="api-key",
        scopes=tuple(row["scopes"]),
        departments=(department,) if department else (),
        all_departments=department is None,
    )
