"""Tables of the console (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

ROLES = ("agente", "entrenador", "admin")

users = Table(
    "console_users",
    metadata,
    Column("email", String(255), primary_key=True),  # lower case
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column("email", String(255), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_attempts = Table(
    "console_login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(255), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("ok", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_console_login_attempts_email_at", login_attempts.c.email, login_attempts.c.at)
Index("ix_console_login_attempts_ip_at", login_attempts.c.ip, login_attempts.c.at)

audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(255), nullable=False),
    Column("action", String(80), nullable=False),
    Column("target", String(255), nullable=True),
    Column("detail", Text, nullable=True),  # JSON
    sqlite_autoincrement=True,
)

quick_replies = Table(
    "console_quick_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(120), nullable=False),
    Column("text", Text, nullable=False),
    Column("updated_by", String(255), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

ALL_TABLES = [users, sessions, login_attempts, audit, quick_replies]
