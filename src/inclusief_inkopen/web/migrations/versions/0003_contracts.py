"""After the award: contracts made from signed-off checklists, the reports on their commitments, and the evidence
files kept by their hash. Reports, like the history, are never changed or removed: a correction is a new report.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE = [
    "CREATE TRIGGER contract_reports_no_update BEFORE UPDATE ON contract_reports "
    "BEGIN SELECT RAISE(ABORT, 'contract reports are append-only: rows are never updated'); END",
    "CREATE TRIGGER contract_reports_no_delete BEFORE DELETE ON contract_reports "
    "BEGIN SELECT RAISE(ABORT, 'contract reports are append-only: rows are never deleted'); END",
]
_POSTGRES = [
    "CREATE FUNCTION contract_reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'contract reports are append-only: rows are never %', lower(TG_OP) || 'd'; END $$",
    "CREATE TRIGGER contract_reports_no_change BEFORE UPDATE OR DELETE ON contract_reports "
    "FOR EACH ROW EXECUTE FUNCTION contract_reports_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("checklist_id", sa.String(36), sa.ForeignKey("checklists.id"), nullable=False, index=True),
        sa.Column("tender_id", sa.String(36), sa.ForeignKey("tenders.id"), nullable=False),
        sa.Column("department", sa.String(200), nullable=True, index=True),
        sa.Column("supplier", sa.String(300), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("product_groups", sa.Text, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("value_eur", sa.Float, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "contract_commitments",
        sa.Column("contract_id", sa.String(36), sa.ForeignKey("contracts.id"), primary_key=True),
        sa.Column("commitment", sa.String(100), primary_key=True),
        sa.Column("theme", sa.String(50), nullable=False),
        sa.Column("metric", sa.String(50), nullable=True),
        sa.Column("target_num", sa.Float, nullable=True),
        sa.Column("target_text", sa.String(20), nullable=True),
    )
    op.create_table(
        "contract_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contract_id", sa.String(36), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("report_id", sa.String(20), nullable=False),
        sa.Column("commitment", sa.String(100), nullable=False),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("value_num", sa.Float, nullable=True),
        sa.Column("value_text", sa.String(20), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    for statement in _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER contract_reports_no_change ON contract_reports")
        op.execute("DROP FUNCTION contract_reports_append_only()")
    for name in ("evidence_files", "contract_reports", "contract_commitments", "contracts"):
        op.drop_table(name)
