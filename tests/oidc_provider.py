"""A small OpenID Connect provider for the tests (never for production): discovery, JWKS, the authorization code
flow with PKCE (S256 required and checked), ID tokens signed with RS256 through Authlib's own JOSE library
(joserfc) and Authlib's PKCE helper, and a userinfo endpoint. People choose who they are on its sign-in page, as a
city's test identity provider would let a tester do.

In the pytest suite it runs in a thread (``running``); for the browser test CI starts it as a program:

    python tests/oidc_provider.py --port 8766 --client-id inclusief --client-secret test-secret
"""

from __future__ import annotations

import argparse
import html
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

# The test city's people: their groups are mapped to roles and departments by the app's beheerder.
USERS: dict[str, dict[str, Any]] = {
    "anna": {"name": "Anna de Vries", "groups": ["inkoop-ict"]},
    "bram": {"name": "Bram Bakker", "groups": ["cm-ict"]},
    "carla": {"name": "Carla Chen", "groups": ["cm-ict"]},
    "dirk": {"name": "Dirk Dekker", "groups": ["cm-sociaal"]},
    "ilse": {"name": "Ilse Idema", "groups": ["bureau-id"]},
    "cora": {"name": "Cora Contract", "groups": ["contract-ict"]},
    "bea": {"name": "Bea Beheer", "groups": ["app-beheer"]},
}
# The mapping the tests (and the browser test) give the app for those groups.
MAPPING: dict[str, tuple[list[str], str | None]] = {
    "inkoop-ict": (["inkoper"], "ICT"),
    "cm-ict": (["categoriemanager"], "ICT"),
    "cm-sociaal": (["categoriemanager"], "Sociaal Domein"),
    "bureau-id": (["beleidsmedewerker"], None),
    "contract-ict": (["contractmanager"], "ICT"),
}
ADMIN_GROUP = "app-beheer"


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    users: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(USERS))
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False) | {"alg": "RS256"}]})

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params |= {k: str(v) for k, v in (await request.form()).items()}
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            return HTMLResponse("unknown client or response type", status_code=400)
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return HTMLResponse("PKCE (S256) is required", status_code=400)
        if request.method == "GET":
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
            )
            buttons = "".join(
                f'<button type="submit" name="user" value="{html.escape(sub)}">{html.escape(u["name"])}</button> '
                for sub, u in self.users.items()
            )
            page = (
                '<!DOCTYPE html><html lang="en"><title>Test sign-in</title><h1>Test sign-in</h1>'
                f'<form method="post">{hidden}{buttons}</form></html>'
            )
            return HTMLResponse(page)
        user = params.get("user")
        if user not in self.users:
            return HTMLResponse("unknown user", status_code=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"user": user, "at": time.time(), **params}
        target = params["redirect_uri"] + "?" + urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(target, status_code=302)

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            import base64
            from urllib.parse import unquote

            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, client_secret = (unquote(p) for p in decoded.partition(":"))
        if client_id != self.client_id or client_secret != self.client_secret:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good for one exchange only
        if grant is None or form.get("grant_type") != "authorization_code" or time.time() - grant["at"] > 60:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, status_code=400)
        verifier = form.get("code_verifier", "")
        if not verifier or create_s256_code_challenge(verifier) != grant["code_challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, status_code=400)
        user = self.users[grant["user"]]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["user"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "name": user["name"],
            "groups": user["groups"],
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        access = secrets.token_urlsafe(24)
        self.tokens[access] = grant["user"]
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token})

    async def userinfo(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        user = self.tokens.get(token)
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"sub": user, **self.users[user]})


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Any, port: int, **options: Any) -> Iterator[None]:
    """An ASGI app served by uvicorn on a loopback port, in a thread, for as long as the block runs."""
    settings = {"host": "127.0.0.1", "port": port, "log_level": "warning"} | options
    server = uvicorn.Server(uvicorn.Config(app, **settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(250):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(5)


@contextmanager
def running(client_id: str = "inclusief", client_secret: str = "test-secret") -> Iterator[Provider]:
    """The provider on a free loopback port, for as long as the block runs."""
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}", client_id, client_secret)
    with serving(provider.app(), port):
        yield provider


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--client-id", default="inclusief")
    parser.add_argument("--client-secret", default="test-secret")
    args = parser.parse_args()
    provider = Provider(f"http://127.0.0.1:{args.port}", args.client_id, args.client_secret)
    uvicorn.run(provider.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
