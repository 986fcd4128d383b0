"""How ``serve`` runs the app: uvicorn with httptools, and the limits a server on a city network needs that uvicorn
does not set by itself.

uvicorn cuts an idle keep-alive connection, but a client that sends its request headers a byte at a time (or
never finishes them) holds a connection for as long as it likes: each byte restarts nothing and nothing times out.
``GuardedHttpTools`` gives every request ``HEADER_SECONDS`` to complete its headers, from the moment the connection
opens or the previous response ends; the body is timed by the app's ``Gate``. ``limit_concurrency`` answers 503
beyond a number of connections and tasks at once, rather than queueing without end.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_CONCURRENCY = 200


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for each request's headers."""

    header_seconds = HEADER_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport is not None and not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def options(host: str, port: int) -> dict[str, Any]:
    """uvicorn's settings for ``serve``: the guarded protocol, the limits, no proxy headers (the app's ``Gate``
    believes them from a trusted proxy only), no server banner."""
    return {
        "host": host,
        "port": port,
        "http": GuardedHttpTools,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": MAX_CONCURRENCY,
        "proxy_headers": False,
        "server_header": False,
        "log_level": "warning",
        "access_log": False,
    }
