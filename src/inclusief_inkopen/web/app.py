"""The web app as one ASGI application: pages for people, ``/api/v1`` for tender platforms, one store.

``create_app`` takes everything it needs as arguments (the database URL, the header a trusted reverse proxy puts
the signed-in user's name in, the upload limit), so tests and ``inclusief-inkopen serve`` make it the same way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inclusief_inkopen.base.errors import InputError
from inclusief_inkopen.base.version import __version__
from inclusief_inkopen.tender.profile import TenderProfile
from inclusief_inkopen.web import api, pages
from inclusief_inkopen.web.problems import MEDIA_TYPE, from_input_error, problem
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


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413, by its Content-Length or, chunked, while it streams;
    adds the security headers to every response. Plain ASGI: cheaper than a Starlette middleware on each request."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _send_problem(send, 413, "too-large", "Request body too large", f"at most {self.limit:,} bytes")
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except _TooLarge:
            await _send_problem(send, 413, "too-large", "Request body too large", f"at most {self.limit:,} bytes")


class _TooLarge(Exception):
    pass


async def _send_problem(send: Send, status: int, kind: str, title: str, detail: str) -> None:
    import json

    body = json.dumps(problem(status, kind, title, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(database_url: str, user_header: str | None = None, max_upload: int = MAX_BODY) -> ASGIApp:
    app = FastAPI(
        title="inclusief-inkopen",
        version=__version__,
        description="Inclusive procurement advice, checklists and notice checks (Amsterdam's action framework).",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.store = Store(database_url)
    app.state.user_header = user_header
    app.state.max_upload = max_upload
    app.include_router(api.router)
    app.include_router(pages.router)

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

    @app.exception_handler(PermissionError)
    async def forbidden(request: Request, exc: PermissionError) -> Response:
        return pages.page(request, "error.html", status=403, message="CSRF")

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
    return BodyLimit(app, max_upload + 64 * 1024)


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

    app = create_app(
        os.environ["INCLUSIEF_INKOPEN_DATABASE_URL"], user_header=os.environ.get("INCLUSIEF_INKOPEN_USER_HEADER")
    )
    warm_up()
    return app
