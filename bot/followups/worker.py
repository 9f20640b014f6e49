"""The follow-up worker: sends the due closing messages, exactly once, inside the windows.

A loop: claim one due follow-up (lease), decide how it can reach the customer (window
policy), send it through the Outbound port, record the result, repeat; sleep ``poll_interval``
when nothing is due. Stops gracefully on SIGTERM/SIGINT (finishes the message in hand).

Run it with ``pqrbot worker`` (or ``python -m bot.followups.worker``). Any number of workers
may run against the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from datetime import datetime, timedelta
from typing import Callable, List, Optional

from bot.followups.hooks import setting_seconds, window_margin
from bot.followups.messages import closing_text, public_closing_text, template_variables
from bot.followups.policy import DEFAULT_MARGIN, NONE, decide
from bot.followups.schema import (
    CANCELLED,
    FAILED,
    PUBLIC,
    SENT,
    TEMPLATE,
    TEXT,
    UNSENDABLE,
)
from bot.followups.store import Followup, FollowupStore
from bot.logmask import masked_logger
from bot.outbound import ports
from core.clock import aware, utcnow

log = masked_logger("bot.followups.worker")  # identification numbers and phones masked

PURPOSE = "followup_closing"  # purpose recorded in the outbound log
# Template name given to Outbound.send_template; the Twilio sender resolves it to the
# ContentSid in TWILIO_CLOSING_CONTENT_SID.
TEMPLATE_NAME = "closing"
NO_PROACTIVE = "channel has no proactive delivery"
# Channels whose conversations cannot receive a later message (request/response only).
NO_LATER_DELIVERY = frozenset({"rest", "webchat", "socketio", "callback", "cmdline"})
# Outbound-log statuses meaning the message was (or may have been) handed to the provider.
HANDED_OVER = ("sent", "pending", "retrying")

OutboundFactory = Callable[[object, object], ports.Outbound]
RegistryFactory = Callable[[object, object], Optional[ports.ConversationRegistry]]


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class FollowupWorker:
    def __init__(
        self,
        store: FollowupStore,
        outbound: ports.Outbound,
        registry: Optional[ports.ConversationRegistry] = None,
        *,
        template_sid: Optional[str] = None,
        worker_id: Optional[str] = None,
        poll_interval: float = 1.0,
        lease_seconds: float = 300.0,
        max_attempts: int = 3,
        retry_after: float = 60.0,
        margin: timedelta = DEFAULT_MARGIN,
        late_reply_tolerance: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
        held_by_person: Callable[[str], bool] = lambda conversation_id: False,
    ) -> None:
        self.store = store
        self.held_by_person = held_by_person
        self.outbound = outbound
        self.registry = registry
        self.template_sid = template_sid
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.retry_after = timedelta(seconds=retry_after)
        self.margin = margin
        self.late_reply_tolerance = timedelta(seconds=late_reply_tolerance)
        self.clock = clock
        self._stopping = threading.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._wake: Optional[asyncio.Event] = None

    # ----------------------------------------------------------------- loop
    def stop(self) -> None:
        """Ask the loop to stop after the message in hand (thread- and signal-safe)."""
        self._stopping.set()
        if self._loop is not None and self._wake is not None:
            try:
                self._loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:  # loop already closed
                pass

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        log.info("followup worker %s started (poll every %ss)", self.worker_id, self.poll_interval)
        while not self.stopping:
            try:
                await self.process_due()
            except Exception:  # database down, etc.: keep going, the rows wait in the table
                log.exception("followup worker %s: processing failed", self.worker_id)
            if self.stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
        log.info("followup worker %s stopped", self.worker_id)

    async def process_due(self) -> int:
        """Send everything due now; returns how many follow-ups were handled."""
        handled = 0
        while not self.stopping:
            fu = self.store.claim_next(
                self.worker_id,
                now=self.clock(),
                lease_seconds=self.lease_seconds,
                max_attempts=self.max_attempts,
            )
            if fu is None:
                break
            await self.process(fu)
            handled += 1
        return handled

    # -------------------------------------------------------------- one row
    def _sent_before(self, fu: Followup) -> Optional[str]:
        """A closing of this follow-up already in the outbound log (a worker died between the
        provider's acceptance and its own bookkeeping): its status, else None."""
        log_ = getattr(self.outbound, "log", None)
        if log_ is None:
            return None
        try:
            records = log_.list(conversation_id=fu.conversation_id, limit=200)
        except Exception:
            log.exception("outbound log unavailable for follow-up %s", fu.id)
            return None
        since = aware(fu.scheduled_at)
        for r in records:
            created = aware(getattr(r, "created_at", None))
            if (
                r.purpose == PURPOSE
                and r.status in HANDED_OVER
                and (created is None or since is None or created >= since)
            ):
                return r.status
        return None

    async def process(self, fu: Followup) -> str:
        """Deliver one claimed follow-up; returns its resulting status."""
        now = self.clock()
        try:
            held = self.held_by_person(fu.conversation_id)
        except Exception:
            log.exception("could not check whether a person holds %s", fu.conversation_id)
            held = False
        if held:  # an agent of the console holds it: no closing message
            return self._finish(fu, CANCELLED, "a person of the console holds the conversation")
        if (fu.input_channel or "").lower() in NO_LATER_DELIVERY:
            return self._finish(fu, UNSENDABLE, f"{NO_PROACTIVE} ({fu.input_channel}): no later message possible")
        earlier = self._sent_before(fu)
        if earlier is not None:
            log.warning(
                "follow-up %s of %s already in the outbound log (%s): not sent again",
                fu.id,
                fu.conversation_id,
                earlier,
            )
            return self._finish(fu, SENT, f"already handed to the provider (outbound log: {earlier}); not resent")
        conv = self._conversation(fu.conversation_id)
        conv_inbound = aware(conv.last_inbound_at) if conv is not None else None
        if conv_inbound is not None and conv_inbound > fu.scheduled_at + self.late_reply_tolerance:
            # Safety net: the customer wrote after the request but nobody cancelled.
            return self._finish(fu, CANCELLED, "customer wrote after the request")
        last_inbound = conv_inbound or fu.last_inbound_at
        public_ref = (conv.public_ref if conv is not None else None) or fu.public_ref
        decision = decide(
            fu.canal,
            last_inbound,
            fu.due_at,
            now,
            bool(self.template_sid),
            input_channel=fu.input_channel,
            public_ref=public_ref,
            private_ok=conv.private_ok if conv is not None else True,
            margin=self.margin,
        )
        if decision.action == NONE:
            log.warning("follow-up %s of %s cannot be sent: %s", fu.id, fu.conversation_id, decision.reason)
            return self._finish(fu, UNSENDABLE, decision.reason)

        notes: List[str] = [decision.reason]
        for kind in (decision.action,) + tuple(decision.fallbacks):
            result = await self._send(kind, fu)
            if result.status == ports.SENT:
                log.info("follow-up %s of %s sent (%s)", fu.id, fu.conversation_id, kind)
                return self._finish(fu, SENT, "; ".join(notes), kind, result)
            if result.status == ports.UNDELIVERABLE:
                notes.append(f"{kind} undeliverable: {result.error or 'refused by the provider'}")
                if kind in (TEXT, TEMPLATE) and self.registry is not None:
                    try:
                        self.registry.mark_private_undeliverable(
                            fu.conversation_id, result.error or "closing message undeliverable"
                        )
                    except Exception:
                        log.exception("could not mark %s private-undeliverable", fu.conversation_id)
                continue
            if result.status == ports.SKIPPED:
                error = result.error or ""
                if kind == PUBLIC:
                    notes.append(f"public: {error or 'no public mention to reply to'}")
                elif not error or "no proactive delivery" in error:
                    notes.append(f"{kind}: {NO_PROACTIVE} ({fu.input_channel})")
                else:  # SKIPPED means the channel cannot deliver proactively (port contract)
                    notes.append(f"{kind}: {NO_PROACTIVE} ({error})")
                continue
            # FAILED: transient trouble that outlived the outbound's own retries.
            notes.append(f"{kind} failed: {result.error or 'provider error'}")
            if fu.attempts < self.max_attempts:
                retry_at = now + self.retry_after
                self.store.release(fu, self.worker_id, retry_at=retry_at, reason="; ".join(notes), now=self.clock())
                log.warning("follow-up %s failed (attempt %s), retry at %s", fu.id, fu.attempts, retry_at)
                return "retry"
            return self._finish(fu, FAILED, "; ".join(notes) + f" (after {fu.attempts} attempts)", kind, result)
        log.warning("follow-up %s of %s undeliverable: %s", fu.id, fu.conversation_id, "; ".join(notes))
        return self._finish(fu, UNSENDABLE, "; ".join(notes))

    def _finish(
        self,
        fu: Followup,
        status: str,
        reason: str,
        delivery: Optional[str] = None,
        result: Optional[ports.SendResult] = None,
    ) -> str:
        ok = self.store.complete(
            fu,
            self.worker_id,
            status=status,
            reason=reason,
            delivery=delivery,
            outbound_message_id=result.message_id if result else None,
            provider_message_id=result.provider_message_id if result else None,
            now=self.clock(),
        )
        if not ok:
            log.warning("follow-up %s was cancelled or taken over while being sent", fu.id)
        return status if ok else CANCELLED

    async def _send(self, kind: str, fu: Followup) -> ports.SendResult:
        try:
            if kind == TEXT:
                return await self.outbound.send_text(fu.conversation_id, closing_text(fu.requested), purpose=PURPOSE)
            if kind == TEMPLATE:
                return await self.outbound.send_template(
                    fu.conversation_id,
                    TEMPLATE_NAME,
                    template_variables(fu.requested),
                    purpose=PURPOSE,
                )
            if kind == PUBLIC:
                return await self.outbound.send_public_reply(fu.conversation_id, public_closing_text(), purpose=PURPOSE)
            raise ValueError(kind)
        except Exception as exc:  # the port promises not to raise; be safe anyway
            log.exception("outbound %s for follow-up %s raised", kind, fu.id)
            return ports.SendResult(status=ports.FAILED, error=f"{type(exc).__name__}: {exc}")

    def _conversation(self, conversation_id: str) -> Optional[ports.Conversation]:
        if self.registry is None:
            return None
        try:
            return self.registry.get(conversation_id)
        except Exception:
            log.exception("conversation registry lookup failed for %s", conversation_id)
            return None


# --------------------------------------------------------------------- wiring
def build_worker(
    settings,
    *,
    store: Optional[FollowupStore] = None,
    outbound_factory: Optional[OutboundFactory] = None,
    registry_factory: Optional[RegistryFactory] = None,
    poll_interval: Optional[float] = None,
    worker_id: Optional[str] = None,
) -> FollowupWorker:
    from bot.bootstrap import Services

    services = Services(settings, engine=store.engine if store else None, followups=store)
    store = services.followups
    registry: Optional[ports.ConversationRegistry]
    if outbound_factory is None:
        outbound, registry = services.outbound, services.registry
    else:  # tests: their own outbound (and registry, if they give one)
        outbound = outbound_factory(settings, store.engine)
        registry = registry_factory(settings, store.engine) if registry_factory else None
    if poll_interval is None:
        poll_interval = setting_seconds(settings, "PQRBOT_FOLLOWUP_POLL_INTERVAL", 1.0)
    return FollowupWorker(
        store,
        outbound,
        registry,
        template_sid=settings.get("TWILIO_CLOSING_CONTENT_SID"),
        worker_id=worker_id,
        poll_interval=poll_interval,
        lease_seconds=setting_seconds(settings, "PQRBOT_FOLLOWUP_LEASE", 300.0),
        margin=window_margin(settings),
        held_by_person=_held_by_person(store.engine),
    )


def _held_by_person(engine) -> Callable[[str], bool]:
    from bot.handoff.store import HandoffStore

    return HandoffStore(engine).is_held


async def _close(obj) -> None:
    for name in ("aclose", "close"):
        fn = getattr(obj, name, None)
        if fn is None:
            continue
        try:
            res = fn()
            if asyncio.iscoroutine(res):
                await res
        except Exception:
            log.exception("closing %r failed", obj)
        return


def run_worker(
    settings,
    *,
    outbound_factory: Optional[OutboundFactory] = None,
    registry_factory: Optional[RegistryFactory] = None,
    poll_interval: Optional[float] = None,
    once: bool = False,
) -> int:
    """Run the worker in the foreground until SIGTERM/SIGINT (or one pass with ``once``)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    from bot.bootstrap import Services

    running = Services(settings)  # the worker process's services: one engine for every job
    worker = build_worker(
        settings,
        store=running.followups,
        outbound_factory=outbound_factory,
        registry_factory=registry_factory,
        poll_interval=poll_interval,
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, worker.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread
                pass
        housekeeping = None
        if not once:  # filing outbox and delivery-record pruning (bot/outbox_worker.py)
            from bot.outbox_worker import run_housekeeping

            housekeeping = asyncio.create_task(
                run_housekeeping(
                    settings,
                    worker.outbound,
                    lambda: worker.stopping,
                    store=running.store,
                    deliveries=running.deliveries,
                )
            )
        try:
            if once:
                await worker.process_due()
            else:
                from bot.periodic import periodic_jobs  # daily export, data retention

                await asyncio.gather(worker.run(), *periodic_jobs(settings, lambda: worker.stopping, running.store))
        finally:
            if housekeeping is not None:
                try:
                    await housekeeping
                except Exception:  # logged, never turned into a failed stop
                    log.exception("followup worker: outbox housekeeping failed")
            await _close(worker.outbound)

    asyncio.run(main())
    worker.store.dispose()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.followups.worker", description=__doc__)
    add_worker_arguments(parser)
    args = parser.parse_args(argv)
    return run_from_args(args)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        help="seconds between polls (default: PQRBOT_FOLLOWUP_POLL_INTERVAL or 1)",
    )
    parser.add_argument("--once", action="store_true", help="send what is due now and exit")


def run_from_args(args: argparse.Namespace) -> int:
    from bot.bootstrap import settings

    return run_worker(settings(), poll_interval=args.poll_interval, once=args.once)


if __name__ == "__main__":
    sys.exit(main())
