"""Where the web app keeps tender profiles and checklists: a database through SQLAlchemy 2, with an audit row for
every change (who, when, what, before and after) that the database itself refuses to update or delete. SQLite in a
data folder is the default; PostgreSQL by URL for a shared installation. The schema is made and migrated by Alembic
(``web/migrations``) when the store opens.

Besides the work itself the store keeps who may do it: the mapping of the identity provider's groups to roles and
departments, the API keys (their hashes only), the signed-in sessions, and the app's own secret key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    case,
    create_engine,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import Select

from inclusief_inkopen.base.errors import InputError, Problem
from inclusief_inkopen.checklists.checklist import Checklist, completeness


class Base(DeclarativeBase):
    pass


class TenderRow(Base):
    __tablename__ = "tenders"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The UPDATE carries "WHERE version = <read>", so two saves racing from the same version cannot both land.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class ChecklistRow(Base):
    __tablename__ = "checklists"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"))
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # open, complete, signed-off
    version: Mapped[int] = mapped_column(Integer, default=1)
    signed_off_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)  # a subject: four eyes
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    voided_sign_off: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: whose sign-off a change voided
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class HistoryRow(Base):
    """The audit trail: append-only (the migration adds the triggers that refuse UPDATE and DELETE)."""

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(200))  # the name people read
    action: Mapped[str] = mapped_column(String(50))
    change: Mapped[str] = mapped_column(Text)  # JSON: what changed, in words a person reads
    snapshot: Mapped[str] = mapped_column(Text)  # JSON: the object after the change
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the identity that made it
    before: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: the object before the change


class RoleMappingRow(Base):
    __tablename__ = "role_mappings"
    group_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    roles: Mapped[str] = mapped_column(Text)  # JSON list
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text)  # JSON list
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SessionRow(Base):
    __tablename__ = "sessions"
    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)  # the cookie holds the id, we its hash
    subject: Mapped[str] = mapped_column(String(200))
    person: Mapped[str] = mapped_column(Text)  # JSON: subject, name, groups as the identity provider said
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SettingRow(Base):
    __tablename__ = "settings"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ContractRow(Base):
    __tablename__ = "contracts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    checklist_id: Mapped[str] = mapped_column(ForeignKey("checklists.id"), index=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id"))
    department: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    supplier: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    product_groups: Mapped[str] = mapped_column(Text)  # JSON list
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    value_eur: Mapped[float] = mapped_column(Float)
    data: Mapped[str] = mapped_column(Text)  # the contract as made, without its reports
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CommitmentRow(Base):
    """One row per commitment, so the dashboard adds targets up in SQL."""

    __tablename__ = "contract_commitments"
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    commitment: Mapped[str] = mapped_column(String(100), primary_key=True)
    theme: Mapped[str] = mapped_column(String(50))
    metric: Mapped[str | None] = mapped_column(String(50), nullable=True)
    target_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_text: Mapped[str | None] = mapped_column(String(20), nullable=True)


class ReportRow(Base):
    """A report on a commitment: append-only (triggers), a correction is a new report."""

    __tablename__ = "contract_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    report_id: Mapped[str] = mapped_column(String(20))
    commitment: Mapped[str] = mapped_column(String(100))
    on: Mapped[dt.date] = mapped_column(Date)
    value_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(String(20), nullable=True)
    data: Mapped[str] = mapped_column(Text)  # the report as the library made it
    subject: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EvidenceRow(Base):
    __tablename__ = "evidence_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ConflictError(Exception):
    """Saved over a change someone else made since this copy was read."""


class FourEyesError(Exception):
    """A checklist signed off by the person who made its last change."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the identity (``subject``) the audit trail and four eyes go by, and the name people read."""

    subject: str
    name: str


class Page(NamedTuple):
    rows: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class Visible:
    """What a person may see: the departments (None: all), and what they made themselves."""

    departments: tuple[str, ...] | None = None
    subject: str | None = None


EVERYTHING = Visible()


def _actor(who: Actor | str) -> Actor:
    return who if isinstance(who, Actor) else Actor(who, who)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC: SQLite gives it back without its zone (it was written in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def default_url(data_dir: str | Path) -> str:
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'inclusief-inkopen.sqlite3').resolve()}"


def migrate(url: str) -> None:
    """Bring the database's schema to the newest revision (creates it the first time)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("inclusief_inkopen.web").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def checklist_state(checklist: Checklist, signed_off: bool = False) -> str:
    if signed_off:
        return "signed-off"
    return "complete" if not completeness(checklist) else "open"


def _count(session: Session, query: Select[Any]) -> int:
    """How many rows a query gives (for a page's "of N")."""
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _visible(query: Select[Any], row: type[TenderRow] | type[ChecklistRow], visible: Visible) -> Select[Any]:
    if visible.departments is None:
        return query
    conditions = [row.department.in_(visible.departments)] if visible.departments else []
    if visible.subject:
        conditions.append(row.created_by == visible.subject)
    return query.where(or_(*conditions)) if conditions else query.where(text("1 = 0"))


class Store:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        migrate(url)
        self.engine = engine or create_engine(url, future=True, pool_pre_ping=True)

    # --- tenders ---

    def save_tender(
        self,
        data: dict[str, Any],
        who: Actor | str,
        tender_id: str | None = None,
        category: str | None = None,
        department: str | None = None,
    ) -> str:
        # A tender is saved whole from one questionnaire step, so a save that lost a race is simply made again on
        # top of the other one: both stay in the history.
        for _ in range(3):
            try:
                return self._save_tender(data, _actor(who), tender_id, category, department)
            except StaleDataError:
                continue
        raise ConflictError(f"tender {tender_id} kept changing while it was saved")

    def _save_tender(
        self, data: dict[str, Any], who: Actor, tender_id: str | None, category: str | None, department: str | None
    ) -> str:
        now = _now()
        with Session(self.engine) as session, session.begin():
            row = session.get(TenderRow, tender_id) if tender_id else None
            if row is None:
                row = TenderRow(
                    id=tender_id or str(uuid.uuid4()), created_at=now, department=department, created_by=who.subject
                )
                session.add(row)
                action = "created"
            else:
                action = "changed"
            before_text = row.data
            before = json.loads(row.data) if row.data else {}
            row.title = str(data.get("title") or "")[:500]
            row.category = category if category is not None else row.category
            row.data = json.dumps(data, sort_keys=True, ensure_ascii=False)
            row.updated_at = now
            changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
            session.add(_history("tender", row.id, now, who, action, {"fields": changed}, before_text, row.data))
            return row.id

    def tender(self, tender_id: str) -> dict[str, Any] | None:
        found = self.tender_with_meta(tender_id)
        return found[0] if found else None

    def tender_with_meta(self, tender_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        with Session(self.engine) as session:
            row = session.get(TenderRow, tender_id)
            if row is None:
                return None
            meta = {"id": row.id, "department": row.department, "created_by": row.created_by, "title": row.title}
            return json.loads(row.data), meta

    def tenders(self, visible: Visible = EVERYTHING, offset: int = 0, limit: int | None = None) -> Page:
        with Session(self.engine) as session:
            query = _visible(select(TenderRow), TenderRow, visible)
            total = _count(session, query)
            rows = session.scalars(
                query.order_by(TenderRow.updated_at.desc(), TenderRow.id).offset(offset).limit(limit)
            ).all()
            return Page(
                [
                    {
                        "id": r.id,
                        "title": r.title,
                        "category": r.category,
                        "department": r.department,
                        "updated_at": r.updated_at,
                    }
                    for r in rows
                ],
                total,
            )

    # --- checklists ---

    def save_checklist(
        self,
        checklist: Checklist,
        who: Actor | str,
        tender_id: str,
        checklist_id: str | None = None,
        *,
        expected_version: int | None = None,
        action: str | None = None,
        category: str | None = None,
        signed_off: bool = False,
        four_eyes: bool = True,
    ) -> str:
        """Save a checklist, one audit row per save. A change to a signed-off checklist voids its sign-off (said in
        the row and on the page); a sign-off by the person who made the last change is refused (``four_eyes``)."""
        try:
            return self._save_checklist(
                checklist,
                _actor(who),
                tender_id,
                checklist_id,
                expected_version,
                action,
                category,
                signed_off,
                four_eyes,
            )
        except StaleDataError as race:
            raise ConflictError(f"checklist {checklist_id} was saved by someone else at the same moment") from race

    def _save_checklist(
        self,
        checklist: Checklist,
        who: Actor,
        tender_id: str,
        checklist_id: str | None,
        expected_version: int | None,
        action: str | None,
        category: str | None,
        signed_off: bool,
        four_eyes: bool,
    ) -> str:
        now = _now()
        data = checklist.model_dump_json()
        with Session(self.engine) as session, session.begin():
            row = session.get(ChecklistRow, checklist_id) if checklist_id else None
            if row is None:
                tender = session.get(TenderRow, tender_id)
                row = ChecklistRow(
                    id=checklist_id or str(uuid.uuid4()),
                    tender_id=tender_id,
                    created_at=now,
                    data="{}",
                    department=tender.department if tender else None,
                    created_by=who.subject,
                )
                session.add(row)
                action = action or "created"
            elif expected_version is not None and row.version != expected_version:
                raise ConflictError(f"checklist {row.id} changed since version {expected_version} (now {row.version})")
            before_text = row.data if row.data != "{}" else None
            before = Checklist.model_validate_json(row.data) if before_text else None
            change = _decisions_changed(before, checklist)
            if signed_off:
                if four_eyes and row.last_changed_by == who.subject:
                    raise FourEyesError(f"checklist {row.id}: {who.name} made the last change and cannot sign it off")
                row.signed_off_by, row.signed_off_at, row.voided_sign_off = who.name, now, None
                row.state = checklist_state(checklist, signed_off=True)
            else:
                changed_now = before_text != data
                if changed_now or row.last_changed_by is None:
                    row.last_changed_by = who.subject
                stays_signed = row.state == "signed-off" and not changed_now
                if row.state == "signed-off" and changed_now:
                    voided = {
                        "signed_off_by": row.signed_off_by,
                        "signed_off_at": _iso(row.signed_off_at),
                        "voided_by": who.name,
                        "voided_at": _iso(now),
                    }
                    row.voided_sign_off = json.dumps(voided, ensure_ascii=False, sort_keys=True)
                    row.signed_off_by, row.signed_off_at = None, None
                    change["sign_off_voided"] = voided
                row.state = checklist_state(checklist, signed_off=stays_signed)
            row.data = data
            row.category = category if category is not None else row.category
            row.updated_at = now
            session.add(_history("checklist", row.id, now, who, action or "changed", change, before_text, data))
            return row.id

    def checklist(self, checklist_id: str) -> tuple[Checklist, dict[str, Any]] | None:
        with Session(self.engine) as session:
            row = session.get(ChecklistRow, checklist_id)
            if row is None:
                return None
            meta = {
                "id": row.id,
                "tender_id": row.tender_id,
                "category": row.category,
                "state": row.state,
                "version": row.version,
                "signed_off_by": row.signed_off_by,
                "signed_off_at": utc(row.signed_off_at),
                "updated_at": utc(row.updated_at),
                "department": row.department,
                "created_by": row.created_by,
                "last_changed_by": row.last_changed_by,
                "voided_sign_off": json.loads(row.voided_sign_off) if row.voided_sign_off else None,
            }
            return Checklist.model_validate_json(row.data), meta

    def checklists(
        self,
        tender_id: str | None = None,
        category: str | None = None,
        visible: Visible = EVERYTHING,
        offset: int = 0,
        limit: int | None = None,
    ) -> Page:
        with Session(self.engine) as session:
            query = select(ChecklistRow, TenderRow.title).join(TenderRow, TenderRow.id == ChecklistRow.tender_id)
            if tender_id:
                query = query.where(ChecklistRow.tender_id == tender_id)
            if category:
                query = query.where(ChecklistRow.category == category)
            query = _visible(query, ChecklistRow, visible)
            total = _count(session, query)
            out = []
            ordered = query.order_by(ChecklistRow.updated_at.desc(), ChecklistRow.id).offset(offset).limit(limit)
            for row, title in session.execute(ordered).all():
                checklist = Checklist.model_validate_json(row.data)
                decided, all_items = checklist.progress()
                out.append(
                    {
                        "id": row.id,
                        "tender_id": row.tender_id,
                        "title": title,
                        "category": row.category,
                        "department": row.department,
                        "state": row.state,
                        "decided": decided,
                        "total": all_items,
                        "updated_at": row.updated_at,
                    }
                )
            return Page(out, total)

    # --- the audit trail ---

    def history(
        self, object_type: str | None = None, object_id: str | None = None, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The audit rows of one object (or of everything), oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(
                self._history_query(object_type, object_id).order_by(HistoryRow.id).offset(offset).limit(limit)
            ).all()
            return [
                {
                    "id": r.id,
                    "object_type": r.object_type,
                    "object_id": r.object_id,
                    "at": utc(r.at),
                    "who": r.who,
                    "subject": r.subject,
                    "action": r.action,
                    "change": json.loads(r.change),
                    "snapshot": r.snapshot,
                    "before": r.before,
                }
                for r in rows
            ]

    def count_history(self, object_type: str | None = None, object_id: str | None = None) -> int:
        with Session(self.engine) as session:
            query = self._history_query(object_type, object_id)
            return _count(session, query)

    @staticmethod
    def _history_query(object_type: str | None, object_id: str | None) -> Select[Any]:
        query = select(HistoryRow)
        if object_type:
            query = query.where(HistoryRow.object_type == object_type)
        if object_id:
            query = query.where(HistoryRow.object_id == object_id)
        return query

    def record(
        self,
        object_type: str,
        object_id: str,
        action: str,
        who: Actor,
        change: dict[str, Any],
        before: Any = None,
        after: Any = None,
    ) -> None:
        """An audit row for something that is not a tender or a checklist (a key, a role mapping, a sign-in)."""
        with Session(self.engine) as session, session.begin():
            session.add(
                _history(
                    object_type,
                    object_id,
                    _now(),
                    who,
                    action,
                    change,
                    None if before is None else json.dumps(before, sort_keys=True, ensure_ascii=False),
                    json.dumps(after, sort_keys=True, ensure_ascii=False),
                )
            )

    # --- people: role mappings, API keys, sessions, the secret ---

    def role_mappings(self) -> dict[str, dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(RoleMappingRow).order_by(RoleMappingRow.group_name)).all()
            return {r.group_name: {"roles": json.loads(r.roles), "department": r.department} for r in rows}

    def set_role_mapping(self, group: str, roles: Sequence[str], department: str | None, who: Actor) -> None:
        after = {"roles": list(roles), "department": department}
        with Session(self.engine) as session, session.begin():
            row = session.get(RoleMappingRow, group)
            before = {"roles": json.loads(row.roles), "department": row.department} if row else None
            if row is None:
                row = RoleMappingRow(group_name=group)
                session.add(row)
            row.roles, row.department = json.dumps(list(roles)), department
            session.add(
                _history(
                    "role_mapping",
                    group,
                    _now(),
                    who,
                    "created" if before is None else "changed",
                    after,
                    _dump(before),
                    _dump(after),
                )
            )

    def delete_role_mapping(self, group: str, who: Actor) -> bool:
        with Session(self.engine) as session, session.begin():
            row = session.get(RoleMappingRow, group)
            if row is None:
                return False
            before = {"roles": json.loads(row.roles), "department": row.department}
            session.delete(row)
            session.add(_history("role_mapping", group, _now(), who, "deleted", {}, _dump(before), "null"))
            return True

    def create_key(
        self, key_id: str, name: str, secret_sha256: str, scopes: Sequence[str], department: str | None, who: Actor
    ) -> None:
        now = _now()
        described = {"name": name, "scopes": list(scopes), "department": department}
        with Session(self.engine) as session, session.begin():
            session.add(
                ApiKeyRow(
                    id=key_id,
                    name=name,
                    secret_sha256=secret_sha256,
                    scopes=json.dumps(list(scopes)),
                    department=department,
                    created_by=who.subject,
                    created_at=now,
                )
            )
            session.add(_history("api_key", key_id, now, who, "created", described, None, _dump(described)))

    def keys(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)).all()
            return [_key(r) for r in rows]

    def key(self, key_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(ApiKeyRow, key_id)
            return (_key(row) | {"secret_sha256": row.secret_sha256}) if row else None

    def revoke_key(self, key_id: str, who: Actor) -> bool:
        now = _now()
        with Session(self.engine) as session, session.begin():
            row = session.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = now
            session.add(_history("api_key", key_id, now, who, "revoked", {"name": row.name}, None, "null"))
            return True

    def key_used(self, key_id: str, at: dt.datetime | None = None) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(ApiKeyRow, key_id)
            if row is not None:
                row.last_used_at = at or _now()

    def new_session(self, person: dict[str, Any]) -> str:
        """A signed-in session; the id goes into the (signed) cookie, only its hash into the database."""
        session_id = secrets.token_urlsafe(32)
        now = _now()
        with Session(self.engine) as session, session.begin():
            session.add(
                SessionRow(
                    id_sha256=_sha256(session_id),
                    subject=str(person["subject"]),
                    person=json.dumps(person, sort_keys=True, ensure_ascii=False),
                    created_at=now,
                    seen_at=now,
                )
            )
        return session_id

    def session(self, session_id: str) -> tuple[dict[str, Any], dt.datetime, dt.datetime] | None:
        """(person, signed in at, last seen) of a live session."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, _sha256(session_id))
            if row is None:
                return None
            return json.loads(row.person), utc(row.created_at), utc(row.seen_at)  # type: ignore[return-value]

    def session_seen(self, session_id: str, at: dt.datetime) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(SessionRow, _sha256(session_id))
            if row is not None:
                row.seen_at = at

    def end_session(self, session_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(SessionRow, _sha256(session_id))
            if row is not None:
                session.delete(row)

    def secret(self, name: str = "secret_key") -> str:
        """The app's signing secret, made once and shared by every worker through the database."""
        with Session(self.engine) as session, session.begin():
            row = session.get(SettingRow, name)
            if row is not None:
                return row.value
        value = secrets.token_urlsafe(48)
        try:
            with Session(self.engine) as session, session.begin():
                session.add(SettingRow(name=name, value=value))
            return value
        except Exception:  # another worker made it at the same moment: use theirs
            with Session(self.engine) as session:
                row = session.get(SettingRow, name)
                if row is None:
                    raise
                return row.value

    # --- contracts ---

    def save_contract(
        self,
        contract: Any,
        who: Actor,
        checklist_id: str,
        tender_id: str,
        department: str | None,
        product_groups: Sequence[str] = (),
    ) -> str:
        """A new contract (the library's ``Contract``, without reports), with one row per commitment."""
        now = _now()
        data = contract.model_copy(update={"reports": []}).model_dump_json()
        with Session(self.engine) as session, session.begin():
            session.add(
                ContractRow(
                    id=contract.id,
                    checklist_id=checklist_id,
                    tender_id=tender_id,
                    department=department,
                    supplier=contract.supplier,
                    title=contract.title[:500],
                    product_groups=json.dumps(list(product_groups)),
                    start=contract.start,
                    end=contract.end,
                    value_eur=contract.value_eur,
                    data=data,
                    created_by=who.subject,
                    created_at=now,
                )
            )
            session.flush()  # the contract first: its commitments refer to it, and no relationship tells the ORM
            for c in contract.commitments:
                target = c.kpi.target if c.kpi else None
                session.add(
                    CommitmentRow(
                        contract_id=contract.id,
                        commitment=c.id,
                        theme=c.theme,
                        metric=c.kpi.metric if c.kpi else None,
                        target_num=target if isinstance(target, float | int) else None,
                        target_text=target if isinstance(target, str) else None,
                    )
                )
            change = {"supplier": contract.supplier, "commitments": len(contract.commitments)}
            session.add(_history("contract", contract.id, now, who, "created", change, None, data))
        return str(contract.id)

    def contract(self, contract_id: str) -> tuple[Any, dict[str, Any]] | None:
        """The contract with all its reports, and what the store knows about it."""
        from inclusief_inkopen.contracts.contract import Contract, Report

        with Session(self.engine) as session:
            row = session.get(ContractRow, contract_id)
            if row is None:
                return None
            reports = session.scalars(
                select(ReportRow).where(ReportRow.contract_id == contract_id).order_by(ReportRow.id)
            ).all()
            contract = Contract.model_validate_json(row.data).model_copy(
                update={"reports": [Report.model_validate_json(r.data) for r in reports]}
            )
            meta = {
                "id": row.id,
                "checklist_id": row.checklist_id,
                "tender_id": row.tender_id,
                "department": row.department,
                "created_by": row.created_by,
                "product_groups": json.loads(row.product_groups),
            }
            return contract, meta

    def contract_rows(self) -> list[dict[str, Any]]:
        """Every contract, its columns only (no contract JSON, no reports): one query on one table. The dashboard
        keeps these and applies each person's reach itself (``people.sees``)."""
        columns = (ContractRow.id, ContractRow.department, ContractRow.supplier, ContractRow.start,
                   ContractRow.product_groups, ContractRow.title, ContractRow.created_by)  # fmt: skip
        with Session(self.engine) as session:
            return [
                {"id": i, "department": d, "supplier": s, "start": st, "product_groups": json.loads(g), "title": t,
                 "created_by": c}
                for i, d, s, st, g, t, c in session.execute(select(*columns)).all()
            ]  # fmt: skip

    def count_contracts(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(ContractRow)) or 0

    def reported_since(self, after: int) -> tuple[set[str], int]:
        """The contracts that got a report after report row ``after``, and the newest report row: what the
        dashboard's cache asks instead of reading every report again (reports are append-only, so this is all
        that can have changed)."""
        with Session(self.engine) as session:
            newest = session.scalar(select(func.max(ReportRow.id))) or 0
            if newest <= after:
                return set(), newest
            changed = session.scalars(select(ReportRow.contract_id).where(ReportRow.id > after).distinct()).all()
            return set(changed), newest

    def contracts_by_id(self, ids: Sequence[str]) -> dict[str, Any]:
        """The contracts with these ids, each with all its reports, in two queries (the dashboard's misses)."""
        from inclusief_inkopen.contracts.contract import Contract, Report

        out: dict[str, Any] = {}
        with Session(self.engine) as session:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                rows = session.execute(select(ContractRow.id, ContractRow.data).where(ContractRow.id.in_(chunk))).all()
                reports: dict[str, list[Any]] = {}
                query = select(ReportRow.contract_id, ReportRow.data).where(ReportRow.contract_id.in_(chunk))
                for contract_id, data in session.execute(query.order_by(ReportRow.id)).all():
                    reports.setdefault(contract_id, []).append(Report.model_validate_json(data))
                for contract_id, data in rows:
                    out[contract_id] = Contract.model_validate_json(data).model_copy(
                        update={"reports": reports.get(contract_id, [])}
                    )
        return out

    def checklist_versions(self, visible: Visible = EVERYTHING) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            query = select(ChecklistRow.id, ChecklistRow.version, ChecklistRow.department, TenderRow.title).join(
                TenderRow, TenderRow.id == ChecklistRow.tender_id
            )
            query = _visible(query, ChecklistRow, visible)
            return [
                {"id": i, "version": v, "department": d, "title": t}
                for i, v, d, t in session.execute(query.order_by(ChecklistRow.id)).all()
            ]

    def contracts(self, visible: Visible = EVERYTHING, offset: int = 0, limit: int | None = None) -> Page:
        with Session(self.engine) as session:
            query = _visible(select(ContractRow), ContractRow, visible)  # type: ignore[arg-type]
            total = _count(session, query)
            rows = session.scalars(query.order_by(ContractRow.end, ContractRow.id).offset(offset).limit(limit)).all()
            return Page(
                [
                    {
                        "id": r.id,
                        "title": r.title,
                        "supplier": r.supplier,
                        "department": r.department,
                        "start": r.start,
                        "end": r.end,
                        "value_eur": r.value_eur,
                    }
                    for r in rows
                ],
                total,
            )

    def add_contract_report(
        self, contract_id: str, report: Any, files: Sequence[tuple[Any, bytes]], who: Actor
    ) -> None:
        """One more report, with its evidence files kept by their hash (a file sent twice is kept once)."""
        now = _now()
        value = report.value
        with Session(self.engine) as session, session.begin():
            session.add(
                ReportRow(
                    contract_id=contract_id,
                    report_id=report.id,
                    commitment=report.commitment,
                    on=report.on,
                    value_num=float(value) if isinstance(value, float | int) else None,
                    value_text=value if isinstance(value, str) else None,
                    data=report.model_dump_json(),
                    subject=who.subject,
                    entered_at=now,
                )
            )
            for evidence, content in files:
                if session.get(EvidenceRow, evidence.sha256) is None:
                    session.add(
                        EvidenceRow(
                            sha256=evidence.sha256, name=evidence.file or "-", size=len(content), content=content
                        )
                    )
            change = {"report": report.id, "commitment": report.commitment, "on": report.on.isoformat()}
            session.add(_history("contract", contract_id, now, who, "reported", change, None, report.model_dump_json()))

    def evidence(self, sha256: str) -> tuple[str, bytes] | None:
        with Session(self.engine) as session:
            row = session.get(EvidenceRow, sha256)
            return (row.name, row.content) if row else None

    def contract_figures(
        self,
        visible: Visible = EVERYTHING,
        *,
        department: str | None = None,
        supplier: str | None = None,
        year: int | None = None,
        product_group: str | None = None,
        theme: str | None = None,
    ) -> dict[str, Any]:
        """The dashboard's sums in SQL: social return agreed (the targets) and realised (the reports), by department,
        over the contracts in reach and the filters given."""
        with Session(self.engine) as session:
            chosen = _visible(select(ContractRow.id), ContractRow, visible)  # type: ignore[arg-type]
            if department:
                chosen = chosen.where(ContractRow.department == department)
            if supplier:
                chosen = chosen.where(ContractRow.supplier == supplier)
            if year:
                chosen = chosen.where(
                    ContractRow.start >= dt.date(year, 1, 1), ContractRow.start < dt.date(year + 1, 1, 1)
                )
            if product_group:
                chosen = chosen.where(ContractRow.product_groups.contains(json.dumps(product_group)))
            where = [CommitmentRow.metric.in_(("sr-value-eur", "sr-placements"))]
            if visible.departments is not None or department or supplier or year or product_group:
                # only when something narrows the contracts: the subquery costs a third of the time on its own
                where.append(ContractRow.id.in_(select(chosen.subquery().c.id)))
            if theme:
                where.append(CommitmentRow.theme == theme)

            def by_metric(column: Any) -> list[Any]:
                return [
                    func.sum(case((CommitmentRow.metric == metric, column), else_=None))
                    for metric in ("sr-value-eur", "sr-placements")
                ]

            agreed = session.execute(
                select(ContractRow.department, *by_metric(CommitmentRow.target_num))
                .join(CommitmentRow, CommitmentRow.contract_id == ContractRow.id)
                .where(*where)
                .group_by(ContractRow.department)
            ).all()
            realised = session.execute(
                select(ContractRow.department, *by_metric(ReportRow.value_num))
                .join(ReportRow, ReportRow.contract_id == ContractRow.id)
                .join(
                    CommitmentRow,
                    (CommitmentRow.contract_id == ReportRow.contract_id)
                    & (CommitmentRow.commitment == ReportRow.commitment),
                )
                .where(*where)
                .group_by(ContractRow.department)
            ).all()
        out: dict[str, dict[str, float]] = {}
        for rows, word in ((agreed, "agreed"), (realised, "realised")):
            for name, money, placements in rows:
                sums = out.setdefault(name or "", _no_sums())
                sums[word] = round(float(money or 0), 2)
                sums[f"placements_{word}"] = round(float(placements or 0), 2)
        return {"social_return_by_department": dict(sorted(out.items()))}

    # --- backup: the whole store as one archive ---

    def export_archive(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Write tenders, checklists, the audit trail, role mappings and API keys (hashes) to one zip archive;
        the same store exports to the same bytes. Sessions and the secret key are not exported: after a restore
        people sign in again. Written to a temporary file and renamed, so a failed export leaves no half file."""
        counts: dict[str, int] = {}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, Session(self.engine) as session:
            for table in _EXPORTED:
                model = _MODELS[table]
                keys = [c.name for c in model.__mapper__.primary_key]
                rows = [_row_out(row) for row in session.scalars(select(model)).all()]
                # sorted here, not by the database: PostgreSQL's collation and SQLite's differ on text
                rows.sort(key=lambda r: tuple((isinstance(r[k], str), r[k]) for k in keys))
                lines = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows]
                counts[table] = len(lines)
                _write_entry(archive, f"{table}.jsonl", "".join(f"{line}\n" for line in lines).encode())
            manifest = {"format": ARCHIVE_FORMAT, "schema": _SCHEMA_REVISION, "counts": counts}
            _write_entry(archive, "manifest.json", json.dumps(manifest, sort_keys=True, indent=2).encode() + b"\n")
        target = Path(path)
        handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return counts

    def import_archive(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Read an archive made by ``export_archive`` into this store, which must be empty. All or nothing."""
        name = str(path)
        rows = _read_archive(Path(path))
        with Session(self.engine) as session:
            for table in _EXPORTED:
                if session.scalar(select(func.count()).select_from(_MODELS[table])):
                    raise InputError.single(
                        name, "", f"the store is not empty (table {table} has rows); import into a new database"
                    )
        with Session(self.engine) as session, session.begin():
            for table in _EXPORTED:
                if rows[table]:
                    session.execute(insert(_MODELS[table].__table__), rows[table])  # Core: versions kept as they were
            if self.engine.dialect.name == "postgresql" and rows["history"]:
                session.execute(text("SELECT setval(pg_get_serial_sequence('history', 'id'), MAX(id)) FROM history"))
        return {table: len(rows[table]) for table in _EXPORTED}


ARCHIVE_FORMAT = "inclusief-inkopen/store/v1"
_SCHEMA_REVISION = "0003"
_EXPORTED = (
    "tenders",
    "checklists",
    "history",
    "role_mappings",
    "api_keys",
    "contracts",
    "contract_commitments",
    "contract_reports",
    "evidence_files",
)
_MODELS: dict[str, Any] = {
    "tenders": TenderRow,
    "checklists": ChecklistRow,
    "history": HistoryRow,
    "role_mappings": RoleMappingRow,
    "api_keys": ApiKeyRow,
    "contracts": ContractRow,
    "contract_commitments": CommitmentRow,
    "contract_reports": ReportRow,
    "evidence_files": EvidenceRow,
}
_MAX_ARCHIVE = 2 * 1024**3  # unpacked, all entries together


def _no_sums() -> dict[str, float]:
    return {"agreed": 0.0, "realised": 0.0, "placements_agreed": 0.0, "placements_realised": 0.0}


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(
        name, date_time=(1980, 1, 1, 0, 0, 0)
    )  # no clock in the bytes: the same store, the same file
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _row_out(row: Any) -> dict[str, Any]:
    out = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, dt.datetime):
            value = _iso(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        out[column.name] = value
    return out


def _read_archive(path: Path) -> dict[str, list[dict[str, Any]]]:
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError.single(name, "", f"not a store archive (a zip file made by 'store export'): {exc}") from None
    with archive:
        entries = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in entries.values()) > _MAX_ARCHIVE:
            raise InputError.single(name, "", f"unpacks to more than {_MAX_ARCHIVE:,} bytes")
        expected = {"manifest.json", *(f"{t}.jsonl" for t in _EXPORTED)}
        if set(entries) != expected:
            raise InputError.single(
                name,
                "",
                f"expected exactly the entries {', '.join(sorted(expected))}; has {', '.join(sorted(entries))}",
            )
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except ValueError as exc:
            raise InputError.single(name, "manifest.json", f"not valid JSON: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
            raise InputError.single(name, "manifest.json.format", f"expected {ARCHIVE_FORMAT!r}")
        if manifest.get("schema") != _SCHEMA_REVISION:
            raise InputError.single(
                name,
                "manifest.json.schema",
                f"made by schema {manifest.get('schema')!r}; this store reads {_SCHEMA_REVISION!r}",
            )
        out: dict[str, list[dict[str, Any]]] = {}
        problems: list[Problem] = []
        for table in _EXPORTED:
            columns = {c.name: c for c in _MODELS[table].__table__.columns}
            out[table] = []
            for number, line in enumerate(archive.read(f"{table}.jsonl").decode("utf-8", "replace").splitlines(), 1):
                where = f"{table}.jsonl line {number}"
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    problems.append(Problem(name, where, f"not valid JSON: {exc}"))
                    continue
                if not isinstance(row, dict) or set(row) != set(columns):
                    got = sorted(row) if isinstance(row, dict) else type(row).__name__
                    problems.append(Problem(name, where, f"expected the columns {sorted(columns)}, got {got}"))
                    continue
                try:
                    out[table].append({k: _value_in(columns[k], v) for k, v in row.items()})
                except ValueError as exc:
                    problems.append(Problem(name, where, str(exc)))
            if len(out[table]) != (manifest.get("counts") or {}).get(table) and not problems:
                problems.append(Problem(name, f"{table}.jsonl", "the row count differs from the manifest's"))
        if problems:
            raise InputError(problems)
        return out


def _value_in(column: Any, value: Any) -> Any:
    if value is None:
        if not column.nullable and not column.primary_key:
            raise ValueError(f"{column.name}: a value is required")
        return None
    if isinstance(column.type, DateTime):
        if not isinstance(value, str):
            raise ValueError(f"{column.name}: expected a date and time as text")
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        if not isinstance(value, str):
            raise ValueError(f"{column.name}: expected a date as text")
        return dt.date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        if not isinstance(value, str):
            raise ValueError(f"{column.name}: expected base64 text")
        return base64.b64decode(value, validate=True)
    if isinstance(column.type, Float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{column.name}: expected a number")
        return float(value)
    if isinstance(column.type, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{column.name}: expected a whole number")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{column.name}: expected text")
    return value


def _iso(value: dt.datetime | None) -> str | None:
    value = utc(value)
    return value.isoformat(timespec="microseconds") if value else None


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _sha256(text_value: str) -> str:
    return hashlib.sha256(text_value.encode()).hexdigest()


def _key(row: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "scopes": json.loads(row.scopes),
        "department": row.department,
        "created_by": row.created_by,
        "created_at": utc(row.created_at),
        "last_used_at": utc(row.last_used_at),
        "revoked_at": utc(row.revoked_at),
    }


def _history(
    object_type: str,
    object_id: str,
    at: dt.datetime,
    who: Actor,
    action: str,
    change: dict[str, Any],
    before: str | None,
    after: str,
) -> HistoryRow:
    return HistoryRow(
        object_type=object_type,
        object_id=object_id,
        at=at,
        who=who.name[:200],
        subject=who.subject[:200],
        action=action,
        change=json.dumps(change, ensure_ascii=False, sort_keys=True),
        snapshot=after,
        before=before,
    )


def _decisions_changed(before: Checklist | None, after: Checklist) -> dict[str, Any]:
    """Which items' decisions, justifications or weights changed, so the history says who decided what."""
    if before is None:
        return {"items": [], "created": True}
    old = {i.id: i for i in before.items}
    changed = []
    for item in after.items:
        prev = old.get(item.id)
        fields = ("decision", "applied_as", "justification", "weight", "decided_by")
        if prev is None or any(getattr(prev, f) != getattr(item, f) for f in fields):
            changed.append({"id": item.id, "decision": item.decision, "decided_by": item.decided_by})
    extra = {"award_basis": after.award_basis} if after.award_basis != before.award_basis else {}
    return {"items": changed, **extra}
