"""Console users, sessions, login attempts, audit log and quick replies (with starter texts).

Revision ID: console_0001
Revises:
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

STARTER_QUICK_REPLIES = [
    ("Saludo", "Hola, soy del equipo de EPM 👋. Ya leí tu conversación; cuéntame cómo te ayudo."),
    ("Pedir factura", "¿Me envías una foto de la factura, por favor? Así reviso el valor que te llegó."),
    ("Radicado", "Listo, quedó radicado tu reclamo. Te llegará la respuesta por el medio que elegiste."),
    ("Despedida", "Gracias por escribirnos 😊. Si necesitas algo más, aquí estamos."),
]

revision = "console_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_console_audit_at"), "console_audit", ["at"], unique=False)
    op.create_table(
        "console_login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_console_login_attempts_email_at", "console_login_attempts", ["email", "at"], unique=False)
    op.create_index("ix_console_login_attempts_ip_at", "console_login_attempts", ["ip", "at"], unique=False)
    op.create_table(
        "console_quick_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_console_sessions_email"), "console_sessions", ["email"], unique=False)
    op.create_table(
        "console_users",
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email"),
    )
    quick_replies = sa.table(
        "console_quick_replies",
        sa.column("title", sa.String),
        sa.column("text", sa.Text),
        sa.column("updated_by", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        quick_replies,
        [
            {"title": title, "text": text, "updated_by": None, "updated_at": now}
            for title, text in STARTER_QUICK_REPLIES
        ],
    )
