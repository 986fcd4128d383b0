"""People and roles: who made and owns each tender and checklist, signed-in sessions, API keys, the mapping of the
identity provider's groups to roles and departments, and an audit trail the database refuses to rewrite.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The same rule on both databases: a history row, once written, is never changed or removed.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER history_no_update BEFORE UPDATE ON history "
    "BEGIN SELECT RAISE(ABORT, 'history is append-only: rows are never updated'); END",
    "CREATE TRIGGER history_no_delete BEFORE DELETE ON history "
    "BEGIN SELECT RAISE(ABORT, 'history is append-only: rows are never deleted'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'history is append-only: rows are never %', lower(TG_OP) || 'd'; END $$",
    "CREATE TRIGGER history_no_change BEFORE UPDATE OR DELETE ON history "
    "FOR EACH ROW EXECUTE FUNCTION history_append_only()",
    # TRUNCATE skips row triggers; refuse it by statement.
    "CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history "
    "FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()",
]


def upgrade() -> None:
    with op.batch_alter_table("tenders") as table:
        table.add_column(sa.Column("department", sa.String(200), nullable=True))
        table.add_column(sa.Column("created_by", sa.String(200), nullable=True))
    with op.batch_alter_table("checklists") as table:
        table.add_column(sa.Column("department", sa.String(200), nullable=True))
        table.add_column(sa.Column("created_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("last_changed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("voided_sign_off", sa.Text, nullable=True))
    with op.batch_alter_table("history") as table:
        # A role mapping's object is its group name, longer than the ids of tenders and checklists.
        table.alter_column("object_id", type_=sa.String(200), existing_type=sa.String(36), existing_nullable=False)
        table.add_column(sa.Column("subject", sa.String(200), nullable=True))
        table.add_column(sa.Column("before", sa.Text, nullable=True))
    op.create_table(
        "role_mappings",
        sa.Column("group_name", sa.String(200), primary_key=True),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("id_sha256", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("person", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    statements = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER history_no_truncate ON history")
        op.execute("DROP TRIGGER history_no_change ON history")
        op.execute("DROP FUNCTION history_append_only()")
    else:
        op.execute("DROP TRIGGER history_no_update")
        op.execute("DROP TRIGGER history_no_delete")
    for name in ("settings", "sessions", "api_keys", "role_mappings"):
        op.drop_table(name)
    with op.batch_alter_table("history") as table:
        table.drop_column("before")
        table.drop_column("subject")
        table.alter_column("object_id", type_=sa.String(36), existing_type=sa.String(200), existing_nullable=False)
    with op.batch_alter_table("checklists") as table:
        for column in ("voided_sign_off", "signed_off_at", "last_changed_by", "created_by", "department"):
            table.drop_column(column)
    with op.batch_alter_table("tenders") as table:
        table.drop_column("created_by")
        table.drop_column("department")
