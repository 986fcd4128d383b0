"""The web app as one ASGI application: pages for people, ``/api/v1`` for tender platforms, one store.

``create_app`` takes everything it needs as arguments (the database URL, how people sign in, the upload limit), so
tests and ``inclusief-inkopen serve`` make it the same way.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.version import __version__
from inclusief_inkopen.tender.profile import TenderProfile
from inclusief_inkopen.web import admin, api, contracts, pages
from inclusief_inkopen.web.problems import MEDIA_TYPE, from_input_error, problem
from inclusief_inkopen.web.rights import NotSignedIn, Refused
from inclusief_inkopen.web.signin import People, Sessions, SignIn, from_proxy, oauth_client
from inclusief_inkopen.web.store import Store

MAX_BODY = 10 * 1024 * 1024  # a notice or a checklist is far smaller; a larger body is refused unread


# No inline script, no framing, no sniffing: the pages need nothing else.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


BODY_IDLE_SECONDS = 15.0  # a request body that stalls this long gets 408
BODY_TOTAL_SECONDS = 120.0  # and one that takes longer than this in all


class Gate:
    """The app's outer layer, plain ASGI (cheaper than a Starlette middleware on each request):

    - the proxy's headers (user, groups, scheme) believed from a trusted proxy only, removed from anyone else's;
    - ``HEAD`` answered as ``GET`` without the body;
    - the request body read here, whole, before the app sees it: over ``limit`` bytes (by Content-Length, or while
      a chunked body streams) a clean 413 before any response has started; a body that stalls, a 408;
    - the security headers on every response, and HSTS when the request came over HTTPS."""

    def __init__(self, app: ASGIApp, limit: int, sign_in: SignIn) -> None:
        self.app, self.limit, self.sign_in = app, limit, sign_in
        self.state: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = from_proxy(scope, self.sign_in)
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _send_problem(send, 413, "too-large", "Request body too large", f"at most {self.limit:,} bytes")
            return
        try:
            body = await _read_body(receive, self.limit)
        except _TooLarge:
            await _send_problem(send, 413, "too-large", "Request body too large", f"at most {self.limit:,} bytes")
            return
        except TimeoutError:
            await _send_problem(send, 408, "timeout", "Request body too slow", "the body stopped arriving")
            return
        except _Gone:
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        extra = list(SECURITY_HEADERS)
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, replay, answer)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    """The client went away before its body arrived."""


async def _read_body(receive: Receive, limit: int) -> bytes:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BODY_TOTAL_SECONDS
    chunks: list[bytes] = []
    seen = 0
    while True:
        wait = min(BODY_IDLE_SECONDS, deadline - loop.time())
        if wait <= 0:
            raise TimeoutError
        message = await asyncio.wait_for(receive(), wait)
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_problem(send: Send, status: int, kind: str, title: str, detail: str) -> None:
    body = json.dumps(problem(status, kind, title, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    database_url: str,
    user_header: str | None = None,
    max_upload: int = MAX_BODY,
    sign_in: SignIn | None = None,
) -> ASGIApp:
    """The app on the store at ``database_url``. Sign-in as ``sign_in`` says (single-user mode when not given);
    ``user_header`` alone is short for a trusted proxy header from this machine."""
    if sign_in is None:
        sign_in = SignIn(mode="proxy", user_header=user_header.lower()) if user_header else SignIn()
    app = FastAPI(
        title="inclusief-inkopen",
        version=__version__,
        description="Inclusive procurement advice, checklists and notice checks (Amsterdam's action framework). "
        "Every endpoint takes an API key (Authorization: Bearer ii_…) made by a beheerder, with the scope it names.",
        docs_url="/api/docs",  # the documentation is public; every endpoint it documents takes a key
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # the API takes keys, not an OAuth flow in the browser
    )
    store = Store(database_url)
    app.state.store = store
    app.state.sign_in = sign_in
    app.state.people = People(sign_in, store)
    app.state.secret = sign_in.secret_key or store.secret()
    app.state.oauth = oauth_client(sign_in) if sign_in.mode == "oidc" else None
    app.state.max_upload = max_upload
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(contracts.router)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if _is_api(request):
            return JSONResponse(from_input_error(exc, request.url.path), status_code=422, media_type=MEDIA_TYPE)
        return pages.page(request, "error.html", status=422, message=str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "detail": e.get("msg", "")}
            for e in exc.errors()[:50]
        ]
        body = problem(
            422,
            "invalid-input",
            "The input cannot be used as it is",
            "; ".join(f"{e['location']}: {e['detail']}" for e in errors[:3]),
            instance=request.url.path,
            errors=errors,
        )
        return JSONResponse(body, status_code=422, media_type=MEDIA_TYPE)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code == 405:
            return JSONResponse(
                problem(exc.status_code, "http", str(exc.detail), str(exc.detail), instance=request.url.path),
                status_code=exc.status_code,
                media_type=MEDIA_TYPE,
            )
        return pages.page(request, "error.html", status=exc.status_code, message=str(exc.detail))

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return JSONResponse(
                problem(
                    401,
                    "unauthorized",
                    "An API key is needed",
                    "send a valid key as 'Authorization: Bearer ii_…' (a beheerder makes one)",
                    instance=request.url.path,
                ),
                status_code=401,
                media_type=MEDIA_TYPE,
                headers={"WWW-Authenticate": 'Bearer realm="inclusief-inkopen"'},
            )
        if sign_in.mode == "oidc":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/sign-in?{urlencode({'next': target})}", status_code=303)
        return pages.page(request, "error.html", status=401, message=pages.w("not_signed_in", pages.lang_of(request)))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        if _is_api(request):
            return JSONResponse(
                problem(403, "forbidden", "Not allowed", exc.reason, instance=request.url.path),
                status_code=403,
                media_type=MEDIA_TYPE,
            )
        lang = pages.lang_of(request)
        return pages.page(request, "error.html", status=403, message=pages.w("refused", lang, reason=exc.reason))

    @app.exception_handler(PermissionError)
    async def forbidden(request: Request, exc: PermissionError) -> Response:
        return pages.page(request, "error.html", status=403, message=pages.w("csrf", pages.lang_of(request)))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        tender = TenderProfile.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(tender.pop("$defs", {}))
        components["TenderProfile"] = tender
        # A body declared as a mapping but documented as a tender profile: the reference alone, not merged with the
        # generic object FastAPI infers.
        for operation in (op for item in schema.get("paths", {}).values() for op in item.values()):
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                if "$ref" in media.get("schema", {}):
                    media["schema"] = {"$ref": media["schema"]["$ref"]}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    outer = Gate(Sessions(app, app.state.secret, sign_in.absolute_hours * 3600), max_upload + 64 * 1024, sign_in)
    outer.state = app.state  # the store, the sign-in and the people, for tests and the server
    return outer


def warm_up() -> None:
    """Load and test the built-in catalogue and make one advice before the first request, then move everything
    made so far out of the garbage collector's reach (``gc.freeze``): a long-lived server keeps the catalogue and
    the CPV list for good, and without this every full collection walks them again, in the middle of a request."""
    import gc

    from inclusief_inkopen.advice.evaluate import evaluate
    from inclusief_inkopen.rules.catalogues import default_catalogue

    evaluate({"title": "-", "nature": "services", "estimated_value_eur": 1, "cpv": ["72413000"]}).to_json()
    default_catalogue()
    gc.collect()
    gc.freeze()


def app_from_environment() -> ASGIApp:
    """The app as ``serve --workers N`` starts it in each worker process: settings from the environment."""
    import os

    app = create_app(os.environ["INCLUSIEF_INKOPEN_DATABASE_URL"], sign_in=SignIn.from_environment())
    warm_up()
    contracts.keep_warm(app.state.store)
    return app
