"""What every inbound channel checks before a customer's text reaches the assistant.

- ``neutralize_intent_syntax``: Rasa unpacks any text that, once stripped, starts with "/" as
  an intent with entities ("/afirmar", "/informar{...}"), skipping NLU. Every channel (REST,
  web chat and the provider channels) passes customer text through this one function, so no
  spelling ("/ /afirmar", "  //afirmar", "\\u00a0/afirmar") can smuggle an intent or a slot:
  a leading "/command" carries no words and is dropped; the rest of the text stays.
- ``body_too_large``: request bodies are capped before anything parses them (413).
- ``message_too_long`` / ``TOO_LONG_REPLY``: over-long messages are refused with a clear reply.
- ``RateLimiter``: per-sender and per-IP limits of the public channel (429 + polite reply);
  ``SharedRateLimiter`` counts them in a SQLite file that all the Rasa workers of the host share
  (the embedded profile runs a worker per core: per-worker counts would double the limits).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable, Deque, Dict, Optional

from actions.messages import MESSAGES, render
from core.shared_sqlite import SharedSqlite

INTENT_SYNTAX_REPLY = MESSAGES["solo_palabras"]
BODY_TOO_LARGE = "El mensaje es demasiado grande."
RATE_LIMIT_REPLY = MESSAGES["demasiados_mensajes"]


def too_long_reply(limit: int) -> str:
    return render("mensaje_muy_largo", limite=limit)


def neutralize_intent_syntax(text: Optional[str]) -> Optional[str]:
    """The customer's text as plain words: never something Rasa reads as "/intent".

    Each leading "/intent@confidence{entities}" (any spacing, any number of slashes) is dropped,
    the words after it are kept. Telegram's "/start" becomes "Hola". Returns "" when nothing
    but slash commands remain. Linear in the length of the text.
    """
    if text is None:
        return None
    s = text.strip()
    if not s.startswith("/"):
        return s
    if s.lower() == "/start":  # Telegram's first message
        return "Hola"
    n, i = len(s), 0
    last_brace = s.rfind("}")
    while i < n and s[i] == "/":
        while i < n and (s[i] == "/" or s[i].isspace()):
            i += 1
        while i < n and not (s[i].isspace() or s[i] in "{@/"):
            i += 1  # the intent's name
        if i < n and s[i] == "@":
            i += 1
            while i < n and (s[i].isdigit() or s[i] == "."):
                i += 1  # a confidence
        if i < n and s[i] == "{":
            i = last_brace + 1 if last_brace > i else i + 1  # the entities
        while i < n and s[i].isspace():
            i += 1
    return s[i:].strip()


def body_too_large(request, limit: int) -> bool:
    """True when the declared or received body exceeds ``limit`` bytes (checked before parsing)."""
    declared = request.headers.get("content-length")
    try:
        if declared is not None and int(declared) > limit:
            return True
    except ValueError:
        return True
    return len(request.body or b"") > limit


def message_too_long(text: Optional[str], limit: int) -> bool:
    return text is not None and len(text) > limit


class RateLimiter:
    """Sliding-window limits: at most ``limit`` events per key in ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: Dict[str, Deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 50_000:  # forget idle keys
                for k in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
                    self._events.pop(k, None)
            return True


class SharedRateLimiter:
    """``RateLimiter``'s sliding window, counted in a SQLite file shared by every Rasa worker of
    this host (one row per admitted event, the window's old rows deleted as it slides). A database
    error lets the message through (logged): a broken counter must not silence customers."""

    def __init__(self, path: Path, limit: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.path, self.limit, self.window, self.clock = Path(path), limit, window, clock
        self._db = SharedSqlite(
            self.path,
            timeout=5,
            private=True,
            schema=[
                "CREATE TABLE IF NOT EXISTS rate_hits (key TEXT NOT NULL, at REAL NOT NULL)",
                "CREATE INDEX IF NOT EXISTS rate_hits_key_at ON rate_hits (key, at)",
            ],
        )
        self._calls = 0

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = self.clock()
        try:
            with self._db.transaction() as conn:
                conn.execute("DELETE FROM rate_hits WHERE key = ? AND at <= ?", (key, now - self.window))
                (count,) = conn.execute("SELECT count(*) FROM rate_hits WHERE key = ?", (key,)).fetchone()
                allowed = count < self.limit
                if allowed:
                    conn.execute("INSERT INTO rate_hits (key, at) VALUES (?, ?)", (key, now))
                self._calls += 1
                if self._calls % 1000 == 0:  # forget idle keys
                    conn.execute("DELETE FROM rate_hits WHERE at <= ?", (now - self.window,))
            return allowed
        except (sqlite3.Error, OSError) as exc:
            logging.getLogger(__name__).error(
                "rate limit counter unavailable (%s): message let through", type(exc).__name__
            )
            return True
