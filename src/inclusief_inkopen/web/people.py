"""Who is asking, and what they may do: the five roles of the framework's people, the rights each role has, the
departments a person works for, and the API keys tender platforms use. Pure rules, no web or database: the sign-in
(``signin``) says who someone is, the store keeps the mapping and the keys, this module decides.

A person's roles and departments come from the groups their identity provider (or the authenticating proxy) says
they are in, through the mapping a beheerder keeps in the app:

>>> mapping = {"g-inkoop": Mapping(("inkoper",), department="ICT"), "g-bid": Mapping(("beleidsmedewerker",))}
>>> anna = person("anna", "Anna de Vries", ["g-inkoop", "elsewhere"], mapping)
>>> anna.roles, anna.departments, may(anna, "tender.write"), may(anna, "checklist.sign_off")
(('inkoper',), ('ICT',), True, False)
>>> sees(anna, "ICT", created_by="bram"), sees(anna, "Sociaal Domein", created_by="bram")
(True, False)
>>> sees(person("ilse", "Ilse", ["g-bid"], mapping), "Sociaal Domein", created_by="bram")  # spans departments
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Literal

from inclusief_inkopen.base.text import Lang

Role = Literal["inkoper", "categoriemanager", "contractmanager", "beleidsmedewerker", "beheerder"]
ROLES: tuple[Role, ...] = ("inkoper", "categoriemanager", "contractmanager", "beleidsmedewerker", "beheerder")

ROLE_WORDS: dict[Role, dict[Lang, str]] = {
    "inkoper": {"nl": "inkoper", "en": "buyer"},
    "categoriemanager": {"nl": "categoriemanager", "en": "category manager"},
    "contractmanager": {"nl": "contractmanager", "en": "contract manager"},
    "beleidsmedewerker": {"nl": "beleidsmedewerker", "en": "policy officer"},
    "beheerder": {"nl": "beheerder", "en": "administrator"},
}

# What each right is for, and which roles hold it. A route names the right it needs (``needs``); a route that
# names none is refused to everyone (deny by default), and a test runs every route against every role.
RIGHTS: dict[str, frozenset[Role]] = {
    "tender.read": frozenset({"inkoper", "categoriemanager", "contractmanager", "beleidsmedewerker"}),
    "tender.write": frozenset({"inkoper"}),
    "checklist.read": frozenset({"inkoper", "categoriemanager", "contractmanager", "beleidsmedewerker"}),
    "checklist.write": frozenset({"categoriemanager"}),
    "checklist.sign_off": frozenset({"categoriemanager"}),
    "admin": frozenset({"beheerder"}),
    "contract.read": frozenset({"contractmanager", "categoriemanager", "beleidsmedewerker"}),
    "contract.write": frozenset({"contractmanager"}),
    "dashboard": frozenset({"beleidsmedewerker", "categoriemanager"}),
}
# Rights that need only a signed-in person (the start page, CPV search, signing out), and those nobody needs.
SIGNED_IN, PUBLIC = "signed-in", "public"

# Roles that see every department's tenders and checklists (to read; writing still needs the right).
SPANS_DEPARTMENTS: frozenset[Role] = frozenset({"beleidsmedewerker"})

# API key scopes, and the right each stands for on ``/api/v1``.
Scope = Literal["advice", "checklists:read", "checklists:write", "contracts:read", "contracts:write", "dashboard:read"]
SCOPES: dict[Scope, dict[Lang, str]] = {
    "advice": {
        "nl": "alleen advies (advies, criteria, schema's, aankondigingen, checklists maken en controleren)",
        "en": "advice only (advice, criteria, schemas, notices, making and checking checklists)",
    },
    "checklists:read": {"nl": "opgeslagen checklists lezen", "en": "read stored checklists"},
    "checklists:write": {
        "nl": "besluiten in opgeslagen checklists schrijven",
        "en": "write decisions to stored checklists",
    },
    "contracts:read": {
        "nl": "contracten, oordelen en rapportagemomenten lezen",
        "en": "read contracts, ratings and due dates",
    },
    "contracts:write": {"nl": "rapportages bij contracten invoeren", "en": "enter reports on contracts"},
    "dashboard:read": {
        "nl": "de cijfers van het dashboard sturen en monitoren",
        "en": "the steering dashboard's figures",
    },
}
API_RIGHTS: dict[str, Scope] = {
    "api.contracts.read": "contracts:read",
    "api.contracts.write": "contracts:write",
    "api.dashboard": "dashboard:read",
    "api.advice": "advice",
    "api.checklists.read": "checklists:read",
    "api.checklists.write": "checklists:write",
}


@dataclass(frozen=True)
class Mapping:
    """What membership of one group of the identity provider means here."""

    roles: tuple[Role, ...] = ()
    department: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone signed in (or a tender platform's API key), with what they may do.

    ``subject`` is the identity provider's stable id (or the proxy's user name): what the audit trail records and
    four eyes compares; ``name`` is what people read."""

    subject: str
    name: str
    roles: tuple[Role, ...] = ()
    departments: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    via: Literal["oidc", "proxy", "single-user", "api-key"] = "oidc"
    scopes: tuple[Scope, ...] = ()
    all_departments: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def single_user(self) -> bool:
        return self.via == "single-user"


def person(
    subject: str,
    name: str,
    groups: Iterable[str],
    mapping: MappingType[str, Mapping],
    admin_groups: Iterable[str] = (),
    via: Literal["oidc", "proxy"] = "oidc",
) -> Person:
    """A person from what the sign-in says (subject, name, groups) and the group mapping. Members of an
    ``admin_groups`` group are beheerder whatever the mapping says, so the first beheerder can get in."""
    groups = tuple(dict.fromkeys(g.strip() for g in groups if g and g.strip()))
    roles: set[Role] = set()
    departments: set[str] = set()
    for group in groups:
        found = mapping.get(group)
        if found:
            roles.update(found.roles)
            if found.department:
                departments.add(found.department)
    if set(groups) & set(admin_groups):
        roles.add("beheerder")
    ordered = tuple(r for r in ROLES if r in roles)
    return Person(
        subject=subject,
        name=name or subject,
        roles=ordered,
        departments=tuple(sorted(departments)),
        groups=groups,
        via=via,
        all_departments=bool(roles & SPANS_DEPARTMENTS),
    )


def single_user(name: str) -> Person:
    """The one person of a single-user installation (loopback only): every role, every department."""
    return Person(
        subject="local", name=name, roles=ROLES, via="single-user", all_departments=True, scopes=tuple(SCOPES)
    )


def may(who: Person | None, right: str) -> bool:
    if right == PUBLIC:
        return True
    if who is None:
        return False
    if right == SIGNED_IN:
        return who.via != "api-key"
    if right in API_RIGHTS:
        return API_RIGHTS[right] in who.scopes
    allowed = RIGHTS.get(right)
    return allowed is not None and who.via != "api-key" and bool(allowed & set(who.roles))


def sees(who: Person, department: str | None, created_by: str | None = None) -> bool:
    """Whether a tender or checklist of this department (made by this subject) is visible to the person."""
    if who.all_departments:
        return True
    return (department is not None and department in who.departments) or (
        created_by is not None and created_by == who.subject
    )


def read_mapping(path: str) -> dict[str, Mapping]:
    """The group mapping from a YAML (or JSON) file a deployment keeps with its configuration::

        inkoop-ict: {roles: [inkoper], department: ICT}
        bureau-id: {roles: [beleidsmedewerker]}

    Every mistake is named with its group and field, all at once."""
    from inclusief_inkopen.base.errors import InputError, Problem
    from inclusief_inkopen.base.files import load_document

    data = load_document(path)
    if not isinstance(data, dict):
        raise InputError.single(path, "", "expected groups, each with 'roles' (a list) and optionally 'department'")
    out: dict[str, Mapping] = {}
    problems: list[Problem] = []
    for group, given in data.items():
        where = str(group)
        if not isinstance(given, dict) or not set(given) <= {"roles", "department"}:
            problems.append(Problem(path, where, "expected 'roles' (a list) and optionally 'department'"))
            continue
        roles = given.get("roles") or []
        unknown = [r for r in roles if r not in ROLES] if isinstance(roles, list) else [roles]
        if unknown:
            problems.append(Problem(path, f"{where}.roles", f"unknown role {unknown[0]!r}; known: {', '.join(ROLES)}"))
            continue
        department = given.get("department")
        if department is not None and not isinstance(department, str):
            problems.append(Problem(path, f"{where}.department", "expected the department's name as text"))
            continue
        out[str(group)[:200]] = Mapping(tuple(roles), department)
    if problems:
        raise InputError(problems)
    return out


# --- API keys ---------------------------------------------------------------------------------------------------

# ``ii_`` + an id to find the key by + a secret of 256 bits; only the secret's SHA-256 is stored. A secret this
# long needs no slow hash: nobody guesses 2^256.
_KEY = re.compile(r"^ii_(?P<id>[a-z0-9]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


def new_key() -> tuple[str, str, str]:
    """(id, the full key to show once, the hash to store)."""
    key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return key_id, f"ii_{key_id}_{secret}", secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(text: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None.

    >>> parse_key("ii_abcdefghijkl_" + "A" * 43)[0], parse_key("Bearer nonsense")
    ('abcdefghijkl', None)
    """
    found = _KEY.match(text.strip())
    return (found["id"], found["secret"]) if found else None


def key_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
