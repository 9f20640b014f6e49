"""Console accounts, sessions and login throttling (argon2id hashes, server-side sessions).

A session is a random id (``secrets.token_urlsafe(32)``) kept by the browser in an HttpOnly,
SameSite=Lax cookie; the database keeps only its SHA-256, with the user's CSRF token and
expiry. There is no default account and no default password: ``pqrbot users add``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.console import schema
from bot.console.schema import ROLES
from core.clock import aware, utcnow

u, s, a = schema.users, schema.sessions, schema.login_attempts

SESSION_HOURS = 12
MIN_PASSWORD_CHARS = 8
# Throttling: failures in the last window, per e-mail and per client address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20

_hasher = PasswordHasher()  # argon2id, library defaults
# Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("pqrbot-no-such-account")


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class AccountError(ValueError):
    """Bad input for an account (shown to the operator as is)."""


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: str
    active: bool
    created_at: Optional[datetime] = None
    last_login_at: Optional[datetime] = None

    def to_json(self) -> dict:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "active": self.active,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


@dataclass(frozen=True)
class Session:
    id_hash: str
    account: Account
    csrf_token: str
    expires_at: datetime


def _account(r) -> Account:
    return Account(r.email, r.name, r.role, bool(r.active), aware(r.created_at), aware(r.last_login_at))


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 255 or " " in email:
        raise AccountError(f"not an e-mail address: {email!r}")
    return email


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ users
    def add(self, email: str, name: str, role: str, password: str) -> Account:
        email = normalize_email(email)
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if not (name or "").strip():
            raise AccountError("the name cannot be empty")
        if len(password or "") < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(u).values(
                        email=email,
                        name=name.strip(),
                        role=role,
                        password_hash=_hasher.hash(password),
                        active=True,
                        created_at=utcnow(),
                    )
                )
        except IntegrityError as exc:
            raise AccountError(f"an account for {email} already exists") from exc
        return self.get(email)

    def get(self, email: str) -> Optional[Account]:
        with self.engine.connect() as conn:
            row = conn.execute(select(u).where(u.c.email == (email or "").strip().lower())).first()
        return _account(row) if row else None

    def list(self) -> List[Account]:
        with self.engine.connect() as conn:
            return [_account(r) for r in conn.execute(select(u).order_by(u.c.email))]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(u)).scalar_one()

    def disable(self, email: str) -> bool:
        """Deactivate the account and end its sessions. False if unknown."""
        email = (email or "").strip().lower()
        with self.engine.begin() as conn:
            n = conn.execute(update(u).where(u.c.email == email).values(active=False)).rowcount
            conn.execute(delete(s).where(s.c.email == email))
        return bool(n)

    def set_password(self, email: str, password: str) -> bool:
        if len(password or "") < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        email = (email or "").strip().lower()
        with self.engine.begin() as conn:
            n = conn.execute(update(u).where(u.c.email == email).values(password_hash=_hasher.hash(password))).rowcount
            conn.execute(delete(s).where(s.c.email == email))
        return bool(n)

    # ------------------------------------------------------------------ login
    def throttled(self, email: str, ip: Optional[str], now: Optional[datetime] = None) -> bool:
        now = now or utcnow()
        since = now - THROTTLE_WINDOW
        with self.engine.connect() as conn:
            by_email = conn.execute(
                select(func.count()).select_from(a).where(a.c.email == email, a.c.ok.is_(False), a.c.at >= since)
            ).scalar_one()
            by_ip = (
                conn.execute(
                    select(func.count()).select_from(a).where(a.c.ip == ip, a.c.ok.is_(False), a.c.at >= since)
                ).scalar_one()
                if ip
                else 0
            )
        return by_email >= MAX_FAILURES_PER_EMAIL or by_ip >= MAX_FAILURES_PER_IP

    def authenticate(self, email: str, password: str, ip: Optional[str] = None) -> Optional[Account]:
        """The account when the password matches an active account; every attempt is recorded."""
        email = (email or "").strip().lower()[:255]
        with self.engine.connect() as conn:
            row = conn.execute(select(u).where(u.c.email == email)).first()
        ok = False
        try:
            matches = _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
            ok = matches and bool(row) and bool(row.active)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(insert(a).values(email=email, ip=ip, ok=ok, at=now))
            if ok:
                conn.execute(update(u).where(u.c.email == email).values(last_login_at=now))
                if _hasher.check_needs_rehash(row.password_hash):
                    conn.execute(update(u).where(u.c.email == email).values(password_hash=_hasher.hash(password)))
        return _account(row) if ok else None

    # ------------------------------------------------------------------ sessions
    def open_session(self, email: str, now: Optional[datetime] = None) -> Tuple[str, str]:
        """(cookie value, CSRF token) of a new session."""
        now = now or utcnow()
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(delete(s).where(s.c.expires_at < now))
            conn.execute(
                insert(s).values(
                    id_hash=_digest(session_id),
                    email=email,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=SESSION_HOURS),
                )
            )
        return session_id, csrf

    def session(self, session_id: Optional[str], now: Optional[datetime] = None) -> Optional[Session]:
        if not session_id or len(session_id) > 200:
            return None
        now = now or utcnow()
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.c.id_hash, s.c.csrf_token, s.c.expires_at, u)
                .join(u, u.c.email == s.c.email)
                .where(and_(s.c.id_hash == _digest(session_id), u.c.active.is_(True)))
            ).first()
        if row is None or aware(row.expires_at) <= now:
            return None
        return Session(row.id_hash, _account(row), row.csrf_token, aware(row.expires_at))

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(s).where(s.c.id_hash == _digest(session_id)))
