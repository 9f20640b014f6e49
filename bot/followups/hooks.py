"""ConversationHooks of the follow-up scheduler (run inside the Rasa action server).

* ``data_requested``: schedule the closing at now + PQRBOT_FOLLOWUP_AFTER (earlier if the
  channel's messaging window would close first), replacing the conversation's pending one.
  Asking for data again also clears a "closed for lack of information" mark.
* ``customer_replied``: cancel the pending closing (the conversation resumes).
* ``intake_finished``: cancel the pending closing and clear the closed mark.

Everything goes through the database: the worker is another process.
A database error is logged and swallowed: the customer's conversation must go on.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable, Optional

from bot.conversation_hooks import ConversationHooks, ConversationRef
from bot.followups.policy import DEFAULT_MARGIN, plan
from bot.followups.store import ClosingPlan, FollowupStore
from bot.logmask import masked_logger
from core.clock import parse_duration, utcnow

log = masked_logger(__name__)  # identification numbers and phones masked in every log line

# Message metadata keys the channels may set on a message that came in a public mention.
PUBLIC_FLAG_KEYS = ("public", "is_public", "public_mention")
PUBLIC_REF_KEYS = ("public_ref", "mention_id", "comment_id", "tweet_id", "post_id")


def setting_seconds(settings, name: str, default: float) -> float:
    """A duration setting of the follow-ups ("90", "30s", "15m", "23h", "1d"); ``default`` when
    unset, or unreadable (logged: a typo must not stop the worker)."""
    get = getattr(settings, "get", None)
    try:
        seconds = parse_duration(get(name) if get else None)
    except ValueError:
        log.warning("invalid duration in %s, using %s s", name, default)
        return default
    return default if seconds is None else seconds


def window_margin(settings) -> timedelta:
    """How long before a messaging window closes the closing is sent at the latest."""
    return timedelta(seconds=setting_seconds(settings, "PQRBOT_FOLLOWUP_WINDOW_MARGIN", DEFAULT_MARGIN.total_seconds()))


def public_context(metadata: Optional[dict]) -> tuple:
    """(asked_publicly, public_ref) from the metadata of the customer's latest message."""
    if not isinstance(metadata, dict):
        return False, None
    public_ref = next((str(metadata[k]) for k in PUBLIC_REF_KEYS if metadata.get(k) not in (None, "")), None)
    flag = any(bool(metadata.get(k)) for k in PUBLIC_FLAG_KEYS)
    if str(metadata.get("visibility", "")).lower() == "public":
        flag = True
    return flag, public_ref


class FollowupHooks(ConversationHooks):
    def __init__(
        self,
        store: "FollowupStore | Callable[[], FollowupStore]",
        *,
        delay_seconds: float,
        margin: timedelta = DEFAULT_MARGIN,
        clock: Callable[[], datetime] = utcnow,
        raise_errors: bool = False,
    ) -> None:
        self._store = store if isinstance(store, FollowupStore) else None
        self._factory = None if isinstance(store, FollowupStore) else store
        self._lock = threading.Lock()
        self.delay = timedelta(seconds=delay_seconds)
        self.margin = margin
        self.clock = clock
        self.raise_errors = raise_errors

    @property
    def store(self) -> FollowupStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self._factory()
        return self._store

    # ---------------------------------------------------------------- hooks
    def _plan(self, ref: ConversationRef, requested: str, now: datetime) -> ClosingPlan:
        """The closing to schedule when the assistant asks for ``requested`` now."""
        asked_publicly, public_ref = public_context(ref.metadata)
        requested_due = now + self.delay
        # The request answers the customer's latest message: the window starts now.
        due_at, window_ends_at = plan(ref.canal, ref.input_channel, now, requested_due, self.margin)
        return ClosingPlan(
            input_channel=ref.input_channel,
            canal=ref.canal,
            requested=requested,
            due_at=due_at,
            requested_due_at=requested_due,
            last_inbound_at=now,
            window_ends_at=window_ends_at,
            asked_publicly=asked_publicly,
            public_ref=public_ref,
        )

    @staticmethod
    def _scheduled(ref: ConversationRef, fu, requested: str) -> None:  # noqa: ANN001
        log.info(
            "follow-up %s of %s (%s) scheduled for %s after asking for %s",
            fu.id,
            ref.conversation_id,
            ref.canal,
            fu.due_at.isoformat(),
            requested,
        )

    def data_requested(self, ref: ConversationRef, requested: str) -> None:
        def run() -> None:
            now = self.clock()
            fu = self.store.schedule(ref.conversation_id, self._plan(ref, requested, now), now=now)
            self._scheduled(ref, fu, requested)

        self._guard("data_requested", run)

    def customer_replied(self, ref: ConversationRef) -> None:
        self._guard(
            "customer_replied",
            lambda: self.store.customer_replied(ref.conversation_id, now=self.clock()),
        )

    def customer_turn(self, ref: ConversationRef, requested: Optional[str]) -> None:
        """Both hooks of a customer's turn in one transaction (one commit per message)."""
        if not requested:
            self.customer_replied(ref)
            return

        def run() -> None:
            now = self.clock()
            fu = self.store.customer_replied_and_scheduled(
                ref.conversation_id, self._plan(ref, requested, now), now=now
            )
            self._scheduled(ref, fu, requested)

        self._guard("customer_turn", run)

    def intake_finished(self, ref: ConversationRef, outcome: str) -> None:
        self._guard(
            "intake_finished",
            lambda: self.store.intake_finished(ref.conversation_id, outcome, now=self.clock()),
        )

    # ------------------------------------------------ for the dialogue
    def is_closed_for_lack_of_info(self, conversation_id: str) -> bool:
        try:
            return self.store.is_closed_for_lack_of_info(conversation_id)
        except Exception:
            if self.raise_errors:
                raise
            log.exception("could not read the follow-up state of %s", conversation_id)
            return False

    def reopen(self, conversation_id: str) -> bool:
        try:
            return self.store.reopen(conversation_id, now=self.clock())
        except Exception:
            if self.raise_errors:
                raise
            log.exception("could not reopen %s", conversation_id)
            return False

    def _guard(self, what: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception:
            if self.raise_errors:
                raise
            log.exception("follow-up hook %s failed", what)


def build_hooks(settings, followups: Callable[[], FollowupStore]) -> FollowupHooks:
    """The hooks the dialogue's actions notify (built by bot.bootstrap), on ``followups()``."""
    return FollowupHooks(
        followups,
        delay_seconds=settings.followup_after_seconds,
        margin=window_margin(settings),
    )
