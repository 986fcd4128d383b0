"""Where the web app keeps tender profiles and checklists: a database through SQLAlchemy 2, with a history row for
every change (who, when, what), never overwritten. SQLite in a data folder is the default; PostgreSQL by URL for a
shared installation. The schema is made and migrated by Alembic (``web/migrations``) when the store opens.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

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
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class HistoryRow(Base):
    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    change: Mapped[str] = mapped_column(Text)  # JSON: what changed, in words a person reads
    snapshot: Mapped[str] = mapped_column(Text)  # JSON: the object as it was saved


class ConflictError(Exception):
    """Saved over a change someone else made since this copy was read."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


class Store:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        migrate(url)
        self.engine = engine or create_engine(url, future=True, pool_pre_ping=True)

    # --- tenders ---

    def save_tender(
        self, data: dict[str, Any], who: str, tender_id: str | None = None, category: str | None = None
    ) -> str:
        # A tender is saved whole from one questionnaire step, so a save that lost a race is simply made again on
        # top of the other one: both stay in the history.
        for _ in range(3):
            try:
                return self._save_tender(data, who, tender_id, category)
            except StaleDataError:
                continue
        raise ConflictError(f"tender {tender_id} kept changing while it was saved")

    def _save_tender(self, data: dict[str, Any], who: str, tender_id: str | None, category: str | None) -> str:
        now = _now()
        with Session(self.engine) as session, session.begin():
            row = session.get(TenderRow, tender_id) if tender_id else None
            if row is None:
                row = TenderRow(id=tender_id or str(uuid.uuid4()), created_at=now)
                session.add(row)
                action = "created"
            else:
                action = "changed"
            before = json.loads(row.data) if row.data else {}
            row.title = str(data.get("title") or "")[:500]
            row.category = category if category is not None else row.category
            row.data = json.dumps(data, sort_keys=True, ensure_ascii=False)
            row.updated_at = now
            changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
            session.add(
                HistoryRow(
                    object_type="tender",
                    object_id=row.id,
                    at=now,
                    who=who,
                    action=action,
                    change=json.dumps({"fields": changed}),
                    snapshot=row.data,
                )
            )
            return row.id

    def tender(self, tender_id: str) -> dict[str, Any] | None:
        with Session(self.engine) as session:
            row = session.get(TenderRow, tender_id)
            return json.loads(row.data) if row else None

    def tenders(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(TenderRow).order_by(TenderRow.updated_at.desc())).all()
            return [{"id": r.id, "title": r.title, "category": r.category, "updated_at": r.updated_at} for r in rows]

    # --- checklists ---

    def save_checklist(
        self,
        checklist: Checklist,
        who: str,
        tender_id: str,
        checklist_id: str | None = None,
        *,
        expected_version: int | None = None,
        action: str | None = None,
        category: str | None = None,
        signed_off: bool = False,
    ) -> str:
        try:
            return self._save_checklist(
                checklist, who, tender_id, checklist_id, expected_version, action, category, signed_off
            )
        except StaleDataError as race:
            raise ConflictError(f"checklist {checklist_id} was saved by someone else at the same moment") from race

    def _save_checklist(
        self,
        checklist: Checklist,
        who: str,
        tender_id: str,
        checklist_id: str | None,
        expected_version: int | None,
        action: str | None,
        category: str | None,
        signed_off: bool,
    ) -> str:
        now = _now()
        data = checklist.model_dump_json()
        with Session(self.engine) as session, session.begin():
            row = session.get(ChecklistRow, checklist_id) if checklist_id else None
            if row is None:
                row = ChecklistRow(id=checklist_id or str(uuid.uuid4()), tender_id=tender_id, created_at=now, data="{}")
                session.add(row)
                action = action or "created"
            elif expected_version is not None and row.version != expected_version:
                raise ConflictError(f"checklist {row.id} changed since version {expected_version} (now {row.version})")
            before = Checklist.model_validate_json(row.data) if row.data != "{}" else None
            row.data = data
            row.category = category if category is not None else row.category
            row.state = checklist_state(checklist, signed_off or (row.state == "signed-off" and action != "reopened"))
            row.signed_off_by = who if signed_off else row.signed_off_by
            row.updated_at = now
            session.add(
                HistoryRow(
                    object_type="checklist",
                    object_id=row.id,
                    at=now,
                    who=who,
                    action=action or "changed",
                    change=json.dumps(_decisions_changed(before, checklist), ensure_ascii=False),
                    snapshot=data,
                )
            )
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
                "updated_at": row.updated_at,
            }
            return Checklist.model_validate_json(row.data), meta

    def checklists(self, tender_id: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            query = select(ChecklistRow, TenderRow.title).join(TenderRow, TenderRow.id == ChecklistRow.tender_id)
            if tender_id:
                query = query.where(ChecklistRow.tender_id == tender_id)
            if category:
                query = query.where(ChecklistRow.category == category)
            out = []
            for row, title in session.execute(query.order_by(ChecklistRow.updated_at.desc())).all():
                checklist = Checklist.model_validate_json(row.data)
                decided, total = checklist.progress()
                out.append(
                    {
                        "id": row.id,
                        "tender_id": row.tender_id,
                        "title": title,
                        "category": row.category,
                        "state": row.state,
                        "decided": decided,
                        "total": total,
                        "updated_at": row.updated_at,
                    }
                )
            return out

    def history(self, object_type: str, object_id: str) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(HistoryRow)
                .where(HistoryRow.object_type == object_type, HistoryRow.object_id == object_id)
                .order_by(HistoryRow.id)
            ).all()
            return [
                {"at": r.at, "who": r.who, "action": r.action, "change": json.loads(r.change), "snapshot": r.snapshot}
                for r in rows
            ]


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
