"""Conversation registry: who a conversation is and where to reach the customer privately.

``AliasedConversationRegistry`` extends the shared ``ConversationRegistry`` port with what the channels
need on top (optional ``extra`` on touch, address changes, aliases). SQL implementation for
the running service, in-memory twin for unit tests.

Semantics of ``touch``: the latest inbound message decides where a private answer goes
(``address`` and the ``extra`` keys are replaced/merged), ``last_inbound_at`` only moves
forward, ``public_ref`` is kept when the new message is private, and a private inbound
message makes private delivery possible again (``private_ok`` back to True: the customer
just wrote to us privately).
"""

from __future__ import annotations

import abc
import json
import threading
from dataclasses import replace
from datetime import datetime
from typing import Dict, Mapping, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.outbound import schema
from bot.outbound.ports import Conversation, ConversationRegistry
from core.clock import aware, utcnow


class AliasedConversationRegistry(ConversationRegistry):
    """The registry as the channels and the outbound service use it."""

    @abc.abstractmethod
    def touch(  # type: ignore[override]
        self,
        conversation_id: str,
        input_channel: str,
        canal: str,
        address: str,
        at: datetime,
        public_ref: Optional[str] = None,
        *,
        extra: Optional[Mapping[str, str]] = None,
    ) -> None:
        """Record an inbound customer message; ``extra`` is merged into the conversation's."""

    @abc.abstractmethod
    def set_address(self, conversation_id: str, address: str, extra: Optional[Mapping[str, str]] = None) -> None:
        """Private messages now go to ``address`` (e.g. the PSID learnt from a private reply)."""

    @abc.abstractmethod
    def link_alias(self, alias: str, conversation_id: str) -> None:
        """Messages arriving as ``alias`` continue ``conversation_id``."""

    @abc.abstractmethod
    def resolve(self, conversation_id: str) -> str:
        """The conversation a sender id belongs to (itself unless aliased)."""


def _merge(old: Mapping[str, str], new: Optional[Mapping[str, str]]) -> Dict[str, str]:
    merged = dict(old)
    for key, value in (new or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


class InMemoryConversationRegistry(AliasedConversationRegistry):
    def __init__(self) -> None:
        self._conversations: Dict[str, Conversation] = {}
        self._aliases: Dict[str, str] = {}
        self.refusals: Dict[str, str] = {}
        self._lock = threading.Lock()

    def touch(self, conversation_id, input_channel, canal, address, at, public_ref=None, *, extra=None):
        at = aware(at)
        with self._lock:
            old = self._conversations.get(conversation_id)
            if old is None:
                self._conversations[conversation_id] = Conversation(
                    conversation_id=conversation_id,
                    input_channel=input_channel,
                    canal=canal,
                    address=address,
                    last_inbound_at=at,
                    public_ref=public_ref,
                    private_ok=True,
                    extra=_merge({}, extra),
                )
                return
            last = old.last_inbound_at if old.last_inbound_at and old.last_inbound_at > at else at
            self._conversations[conversation_id] = replace(
                old,
                input_channel=input_channel,
                canal=canal,
                address=address,
                last_inbound_at=last,
                public_ref=public_ref or old.public_ref,
                private_ok=True if public_ref is None else old.private_ok,
                extra=_merge(old.extra, extra),
            )

    def get(self, conversation_id: str) -> Optional[Conversation]:
        return self._conversations.get(conversation_id)

    def mark_private_undeliverable(self, conversation_id: str, reason: str) -> None:
        with self._lock:
            old = self._conversations.get(conversation_id)
            if old is not None:
                self._conversations[conversation_id] = replace(old, private_ok=False)
                self.refusals[conversation_id] = reason

    def set_address(self, conversation_id, address, extra=None):
        with self._lock:
            old = self._conversations.get(conversation_id)
            if old is not None:
                self._conversations[conversation_id] = replace(old, address=address, extra=_merge(old.extra, extra))

    def link_alias(self, alias: str, conversation_id: str) -> None:
        if alias != conversation_id:
            self._aliases[alias] = conversation_id

    def resolve(self, conversation_id: str) -> str:
        return self._aliases.get(conversation_id, conversation_id)


class SqlConversationRegistry(AliasedConversationRegistry):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._t = schema.conversations

    # -- port
    def touch(self, conversation_id, input_channel, canal, address, at, public_ref=None, *, extra=None):
        at = aware(at)
        for _ in range(3):
            with self.engine.begin() as conn:
                row = (
                    conn.execute(select(self._t).where(self._t.c.conversation_id == conversation_id)).mappings().first()
                )
                now = utcnow()
                if row is None:
                    try:
                        with conn.begin_nested():
                            conn.execute(
                                insert(self._t).values(
                                    conversation_id=conversation_id,
                                    input_channel=input_channel,
                                    canal=canal,
                                    address=address,
                                    last_inbound_at=at,
                                    public_ref=public_ref,
                                    private_ok=True,
                                    private_refused_reason=None,
                                    extra=json.dumps(_merge({}, extra), sort_keys=True),
                                    created_at=now,
                                    updated_at=now,
                                )
                            )
                        return
                    except IntegrityError:
                        continue  # created meanwhile by another worker: update it instead
                last = aware(row["last_inbound_at"])
                values = dict(
                    input_channel=input_channel,
                    canal=canal,
                    address=address,
                    last_inbound_at=last if last and last > at else at,
                    extra=json.dumps(_merge(json.loads(row["extra"] or "{}"), extra), sort_keys=True),
                    updated_at=now,
                )
                if public_ref:
                    values["public_ref"] = public_ref
                else:
                    values["private_ok"] = True
                    values["private_refused_reason"] = None
                conn.execute(update(self._t).where(self._t.c.conversation_id == conversation_id).values(**values))
                return
        raise RuntimeError("could not register the conversation")  # pragma: no cover

    def get(self, conversation_id: str) -> Optional[Conversation]:
        with self.engine.connect() as conn:
            row = conn.execute(select(self._t).where(self._t.c.conversation_id == conversation_id)).mappings().first()
        if row is None:
            return None
        return Conversation(
            conversation_id=row["conversation_id"],
            input_channel=row["input_channel"],
            canal=row["canal"],
            address=row["address"],
            last_inbound_at=aware(row["last_inbound_at"]),
            public_ref=row["public_ref"],
            private_ok=bool(row["private_ok"]),
            extra=json.loads(row["extra"] or "{}"),
        )

    def mark_private_undeliverable(self, conversation_id: str, reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(self._t)
                .where(self._t.c.conversation_id == conversation_id)
                .values(private_ok=False, private_refused_reason=reason[:1000], updated_at=utcnow())
            )

    # -- channel additions
    def set_address(self, conversation_id, address, extra=None):
        with self.engine.begin() as conn:
            row = conn.execute(select(self._t.c.extra).where(self._t.c.conversation_id == conversation_id)).first()
            if row is None:
                return
            conn.execute(
                update(self._t)
                .where(self._t.c.conversation_id == conversation_id)
                .values(
                    address=address,
                    extra=json.dumps(_merge(json.loads(row[0] or "{}"), extra), sort_keys=True),
                    updated_at=utcnow(),
                )
            )

    def link_alias(self, alias: str, conversation_id: str) -> None:
        if alias == conversation_id:
            return
        t = schema.aliases
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t).where(t.c.alias == alias).values(conversation_id=conversation_id, created_at=utcnow())
            ).rowcount
            if not done:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(t).values(alias=alias, conversation_id=conversation_id, created_at=utcnow())
                        )
                except IntegrityError:
                    conn.execute(update(t).where(t.c.alias == alias).values(conversation_id=conversation_id))

    def resolve(self, conversation_id: str) -> str:
        t = schema.aliases
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.conversation_id).where(t.c.alias == conversation_id)).first()
        return row[0] if row else conversation_id
