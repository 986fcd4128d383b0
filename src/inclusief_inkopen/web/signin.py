"""Who is signed in, three ways, the way Grafana and similar tools do it:

- **OpenID Connect** (the city's identity provider: Entra ID, Keycloak …): authorization code flow with PKCE through
  Authlib; the signed-in session is kept in the database (so it can be ended) and named in a signed cookie;
- a **trusted proxy header** (Apache ``mod_auth_openidc``, oauth2-proxy …): the user name and, optionally, the groups
  in headers, believed only from the proxy addresses the app is told to trust;
- **single-user mode** when neither is configured: one person with every role, allowed only on the loopback address
  and said on every page.

Every visitor also gets a signed session cookie with a random id, even before signing in: the CSRF token of every
form is an HMAC of that id under the app's secret, so a token the client made up (or one from another session) is
refused.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inclusief_inkopen.web.people import Mapping, Person, person, read_mapping, single_user
from inclusief_inkopen.web.store import Actor, Store

Mode = Literal["oidc", "proxy", "single-user"]
COOKIE = "ii_session"
SALT = "inclusief-inkopen.session"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SetupError(ValueError):
    """A sign-in setting that cannot work; said before the server starts."""


@dataclass(frozen=True)
class SignIn:
    """How people sign in, from the environment (``INCLUSIEF_INKOPEN_*``) or the ``serve`` options."""

    mode: Mode = "single-user"
    issuer: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str = "openid profile email"
    groups_claim: str = "groups"
    user_header: str | None = None
    name_header: str | None = None
    groups_header: str | None = None
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    admin_groups: tuple[str, ...] = ()
    roles_file: str | None = None
    idle_minutes: int = 30
    absolute_hours: int = 12
    secret_key: str | None = None

    @classmethod
    def from_environment(cls, env: MappingType[str, str] | None = None, **given: Any) -> SignIn:
        """The settings; an option given to ``serve`` wins over the environment."""
        env = os.environ if env is None else env

        def given_or_env(name: str) -> Any:
            value = given.get(name)
            return env.get(f"INCLUSIEF_INKOPEN_{name.upper()}") if value is None else value

        def setting(name: str) -> str | None:
            return given_or_env(name) or None

        def listed(name: str) -> tuple[str, ...] | None:
            value = given_or_env(name)
            if value is None:
                return None
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            return tuple(i.strip() for i in items if i.strip())

        issuer = setting("oidc_issuer")
        header = setting("user_header")
        if issuer and header:
            raise SetupError("choose one way to sign in: OpenID Connect (oidc issuer) or a proxy header, not both")
        mode: Mode = "oidc" if issuer else "proxy" if header else "single-user"
        client_id, client_secret = setting("oidc_client_id"), setting("oidc_client_secret")
        if mode == "oidc" and not (client_id and client_secret):
            raise SetupError(
                "OpenID Connect needs INCLUSIEF_INKOPEN_OIDC_CLIENT_ID and INCLUSIEF_INKOPEN_OIDC_CLIENT_SECRET "
                "(the app's registration at the identity provider)"
            )
        numbers = {}
        for name, default in (("idle_minutes", 30), ("absolute_hours", 12)):
            raw = setting(f"session_{name}")
            try:
                numbers[name] = int(raw) if raw is not None else default
            except ValueError:
                raise SetupError(
                    f"INCLUSIEF_INKOPEN_SESSION_{name.upper()}: expected a whole number, got {raw!r}"
                ) from None
            if numbers[name] < 1:
                raise SetupError(f"INCLUSIEF_INKOPEN_SESSION_{name.upper()}: expected 1 or more")
        return cls(
            mode=mode,
            issuer=issuer.rstrip("/") if issuer else None,
            client_id=client_id,
            client_secret=client_secret,
            scope=setting("oidc_scope") or "openid profile email",
            groups_claim=setting("oidc_groups_claim") or "groups",
            user_header=header.lower() if header else None,
            name_header=(setting("name_header") or "").lower() or None,
            groups_header=(setting("groups_header") or "").lower() or None,
            trusted_proxies=listed("trusted_proxies") or ("127.0.0.1", "::1"),
            admin_groups=listed("admin_groups") or (),
            roles_file=setting("roles_file"),
            idle_minutes=numbers["idle_minutes"],
            absolute_hours=numbers["absolute_hours"],
            secret_key=setting("secret_key"),
        )

    def check_bind(self, host: str, trusted_given: bool) -> None:
        """Refuse an address that would let others in without sign-in, or let them send the proxy's header."""
        loopback = host in LOOPBACK or host.startswith("127.")
        if self.mode == "single-user" and not loopback:
            raise SetupError(
                f"--host {host}: without sign-in the app serves one person on this computer only (127.0.0.1). To serve "
                "others, set up sign-in: OpenID Connect (INCLUSIEF_INKOPEN_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET) or "
                "a trusted proxy (--user-header with --trusted-proxy); see 'Deployment' in the README"
            )
        if self.mode == "proxy" and not loopback and not trusted_given:
            raise SetupError(
                f"--host {host} with --user-header: say which proxy addresses may send that header (--trusted-proxy "
                "ADDRESS, or INCLUSIEF_INKOPEN_TRUSTED_PROXIES), or anyone who reaches the port becomes anyone"
            )


def trusted_peer(scope: Scope, sign_in: SignIn) -> bool:
    client = scope.get("client")
    return bool(client) and client[0] in sign_in.trusted_proxies


def _identity_headers(sign_in: SignIn) -> set[bytes]:
    names = {b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-for"}
    for header in (sign_in.user_header, sign_in.name_header, sign_in.groups_header):
        if header:
            names.add(header.encode())
    return names


def from_proxy(scope: Scope, sign_in: SignIn) -> Scope:
    """The request as the app should see it: the proxy's headers (identity, the scheme it was reached by) believed
    only from a trusted proxy address, and removed from anyone else's request."""
    names = _identity_headers(sign_in)
    headers = scope.get("headers") or []
    if not any(name in names for name, _ in headers):
        return scope
    if not trusted_peer(scope, sign_in):
        return {**scope, "headers": [(n, v) for n, v in headers if n not in names]}
    forwarded = dict(headers).get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip().lower()
    return {**scope, "scheme": forwarded} if forwarded in ("http", "https") else scope


# --- the session cookie ----------------------------------------------------------------------------------------


class Sessions:
    """A signed cookie session (``request.session``) for every visitor: a random ``sid`` (what CSRF tokens are bound
    to), the OpenID Connect state while signing in, and the id of the signed-in session kept in the database.
    ``HttpOnly``, ``SameSite=Lax`` (the identity provider's redirect back is a top-level navigation from another
    site), ``Secure`` whenever the request came over HTTPS; the signature expires with the absolute timeout."""

    def __init__(self, app: ASGIApp, secret: str, max_age: int) -> None:
        self.app, self.max_age = app, max_age
        self.signer = URLSafeTimedSerializer(secret, salt=SALT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):  # API clients hold a key, not a cookie: no session to keep
            scope["session"] = {}
            await self.app(scope, receive, send)
            return
        session = self._read(scope)
        original = json.dumps(session, sort_keys=True)
        if "sid" not in session:
            session["sid"] = secrets.token_urlsafe(24)
        scope["session"] = session
        secure = scope.get("scheme") == "https"

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                if json.dumps(current, sort_keys=True) != original:
                    value = self.signer.dumps(current)
                    attributes = f"Path=/; Max-Age={self.max_age}; HttpOnly; SameSite=Lax" + (
                        "; Secure" if secure else ""
                    )
                    cookie = f"{COOKIE}={value}; {attributes}".encode("latin-1")
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, with_cookie)

    def _read(self, scope: Scope) -> dict[str, Any]:
        raw = dict(scope.get("headers") or []).get(b"cookie")
        if not raw:
            return {}
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw.decode("latin-1"))
        except Exception:  # a malformed Cookie header is no session, not an error page
            return {}
        morsel = jar.get(COOKIE)
        if morsel is None:
            return {}
        try:
            data = self.signer.loads(morsel.value, max_age=self.max_age)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}


def csrf_token(request: Request) -> str:
    """The token every form carries: bound to this visitor's session and signed with the app's secret."""
    return token_for(request.app.state.secret, str(request.session.get("sid", "")))


def token_for(secret: str, sid: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


def session_of(secret: str, cookie: str, max_age: int = 12 * 3600) -> dict[str, Any]:
    """What a session cookie holds (for tools and tests that hold the secret)."""
    data = URLSafeTimedSerializer(secret, salt=SALT).loads(cookie, max_age=max_age)
    return data if isinstance(data, dict) else {}


def csrf_ok(request: Request, given: str) -> bool:
    return bool(request.session.get("sid")) and hmac.compare_digest(csrf_token(request), given or "")


def same_origin(request: Request) -> bool:
    """For a request that changes something: the browser says it came from one of our own pages (or says
    nothing, as non-browser clients do; they are held by the CSRF token or the API key instead)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin.rstrip("/") == own


# --- who is asking ------------------------------------------------------------------------------------------------


@dataclass
class _MappingCache:
    """The group mapping as the store has it, read again after a few seconds: another worker may have changed it."""

    store: Store
    seconds: float = 5.0
    loaded_at: float = -1e9
    mapping: dict[str, Mapping] = field(default_factory=dict)

    def get(self) -> dict[str, Mapping]:
        if time.monotonic() - self.loaded_at > self.seconds:
            self.mapping = {
                group: Mapping(roles=tuple(m["roles"]), department=m["department"])
                for group, m in self.store.role_mappings().items()
            }
            self.loaded_at = time.monotonic()
        return self.mapping

    def forget(self) -> None:
        self.loaded_at = -1e9


class People:
    """Says who a request comes from, by the configured way of signing in."""

    def __init__(self, sign_in: SignIn, store: Store) -> None:
        self.sign_in, self.store = sign_in, store
        self.mappings = _MappingCache(store)
        self.local = single_user(_local_name())
        if sign_in.roles_file:
            self.apply_roles_file(sign_in.roles_file)

    def apply_roles_file(self, path: str) -> list[str]:
        """Put the groups of a deployment's roles file in the store (where the beheerder's page shows them), each
        change an audit row by "configuratie"; groups the file does not name are left as they are."""
        wanted = read_mapping(path)
        kept = self.store.role_mappings()
        by = Actor("configuration", f"configuratie ({path})")
        changed = []
        for group, mapping in wanted.items():
            now = {"roles": list(mapping.roles), "department": mapping.department}
            if kept.get(group) != now:
                self.store.set_role_mapping(group, now["roles"], now["department"], by)
                changed.append(group)
        self.mappings.forget()
        return changed

    def of(self, request: Request) -> Person | None:
        mode = self.sign_in.mode
        if mode == "single-user":
            return self.local
        if mode == "proxy":
            # from_proxy removed these headers unless a trusted proxy sent them
            def header(name: str | None) -> str:
                return request.headers.get(name, "").strip() if name else ""

            subject = header(self.sign_in.user_header)[:200]
            if not subject:
                return None
            groups = header(self.sign_in.groups_header).replace(";", ",").split(",")
            name = header(self.sign_in.name_header)[:200]
            return person(subject, name or subject, groups, self.mappings.get(), self.sign_in.admin_groups, via="proxy")
        return self._from_session(request)

    def _from_session(self, request: Request) -> Person | None:
        session_id = request.session.get("signed_in")
        if not isinstance(session_id, str):
            return None
        found = self.store.session(session_id)
        if found is None:
            request.session.pop("signed_in", None)
            return None
        who, since, seen = found
        now = dt.datetime.now(dt.UTC)
        idle = dt.timedelta(minutes=self.sign_in.idle_minutes)
        absolute = dt.timedelta(hours=self.sign_in.absolute_hours)
        if now - seen > idle or now - since > absolute:
            self.store.end_session(session_id)
            request.session.pop("signed_in", None)
            return None
        if now - seen > dt.timedelta(seconds=min(60, idle.total_seconds() / 4)):
            self.store.session_seen(session_id, now)
        return person(
            str(who["subject"]),
            str(who.get("name") or who["subject"]),
            who.get("groups") or [],
            self.mappings.get(),
            self.sign_in.admin_groups,
        )

    def sign_in_person(self, request: Request, subject: str, name: str, groups: list[str]) -> Person:
        """After the identity provider said who it is: a new session (new ids, so a session id planted before
        sign-in is worth nothing after it), recorded in the audit trail."""
        session_id = self.store.new_session({"subject": subject, "name": name, "groups": groups})
        keep = {k: v for k, v in request.session.items() if k == "next"}
        request.session.clear()
        request.session.update(keep | {"sid": secrets.token_urlsafe(24), "signed_in": session_id})
        who = person(subject, name, groups, self.mappings.get(), self.sign_in.admin_groups)
        self.store.record("person", subject, "signed-in", actor(who), {"roles": list(who.roles), "via": "oidc"})
        return who

    def sign_out(self, request: Request, who: Person | None) -> None:
        session_id = request.session.get("signed_in")
        if isinstance(session_id, str):
            self.store.end_session(session_id)
        request.session.clear()
        request.session["sid"] = secrets.token_urlsafe(24)
        if who is not None:
            self.store.record("person", who.subject, "signed-out", actor(who), {})


def actor(who: Person) -> Actor:
    return Actor(who.subject, who.name)


def _local_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a container without one)
        return "lokaal"


def oauth_client(sign_in: SignIn) -> Any:
    """The identity provider as an Authlib client: its endpoints and keys from its discovery document; PKCE (S256),
    state and nonce made and checked by Authlib, the ID token's signature, issuer, audience and expiry too."""
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "city",
        server_metadata_url=f"{sign_in.issuer}/.well-known/openid-configuration",
        client_id=sign_in.client_id,
        client_secret=sign_in.client_secret,
        client_kwargs={"scope": sign_in.scope, "code_challenge_method": "S256"},
    )
    return oauth.create_client("city")
