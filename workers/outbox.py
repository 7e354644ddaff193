"""`trustdesk outbox`: delivers what case workflows put in the outbox, channel by channel.

One `OutboxDispatcher` per channel claims due rows (`store.outbox.claim_due`),
hands each to the channel's sender, and records the outcome: delivered; due
again after an exponential back-off (with jitter, capped); or dead after the
last allowed attempt or a permanent failure, with the error kept for the review
UI. Any number of dispatchers may run against one store; a message is claimed by
one of them at a time. With tracing on, each attempt is a span in its case's trace
(`workflows/case_trace.py`): the row's number, channel, attempt and outcome, nothing
personal.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opentelemetry import trace
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from store.models import utcnow
from store.outbox import OutboxMessage, claim_due, mark_delivered, mark_failed
from trustdesk.config import Settings
from workers.senders import DeliveryFailed, Sender, WebchatSender, WebhookSender
from workflows.case_trace import case_trace_context

log = logging.getLogger("trustdesk.outbox")
_tracer = trace.get_tracer("trustdesk.outbox")

RESERVED_CHANNELS = frozenset({"webchat", "email", "mail"})


@dataclass(frozen=True)
class Backoff:
    """How long a failed message waits: `base * 2**(attempt-1)`, capped, ± `jitter`."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=30)
    jitter: float = 0.2  # a fraction of the delay, so a relay that was down is not stampeded
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> timedelta:
        raw = min(self.base * 2.0 ** max(attempt - 1, 0), self.cap)
        return raw * (1 - self.jitter + 2 * self.jitter * self.rand())


class OutboxDispatcher:
    """Delivers one channel's outbox through its sender."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        channel: str,
        sender: Sender,
        *,
        worker_id: str | None = None,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
        lease: timedelta = timedelta(minutes=2),
        send_timeout: float = 60.0,
        batch: int = 10,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if timedelta(seconds=send_timeout) >= lease:
            raise ValueError("the lease must outlast a send, or a slow send could go out twice")
        self.sessions = sessions
        self.channel = channel
        self.sender = sender
        self.worker_id = worker_id or f"{socket.gethostname()}/{uuid.uuid4().hex[:8]}"
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.lease = lease
        self.send_timeout = send_timeout
        self.batch = batch
        self.clock = clock

    async def deliver_due(self) -> int:
        """Claim and deliver one batch of due messages; how many were claimed."""
        claimed = await asyncio.to_thread(
            claim_due,
            self.sessions,
            self.channel,
            self.worker_id,
            lease=self.lease,
            max_attempts=self.max_attempts,
            limit=self.batch,
            now=self.clock(),
        )
        for message in claimed:
            await self._deliver(message)
        return len(claimed)

    async def _deliver(self, message: OutboxMessage) -> None:
        """One attempt, traced as a span `send <channel>` in the case's trace."""
        with _tracer.start_as_current_span(
            f"send {self.channel}",
            context=case_trace_context(message.case_id),
            kind=trace.SpanKind.PRODUCER,
            # Nothing personal: the row's number, not its message id (which holds the thread).
            attributes={
                "messaging.operation.type": "send",
                "messaging.destination.name": self.channel,
                "trustdesk.outbox.id": message.row_id,
                "trustdesk.outbox.attempt": message.attempt,
            },
        ) as span:
            outcome, failure = await self._attempt(message)
            span.set_attribute("trustdesk.outbox.outcome", outcome)
            if failure is not None:
                # The kind of failure only: a relay's or an endpoint's words may name an address.
                span.set_status(trace.Status(trace.StatusCode.ERROR, failure))

    async def _attempt(self, message: OutboxMessage) -> tuple[str, str | None]:
        """Send once and record what came of it: delivered, retry or dead, and the kind of
        failure."""
        permanent = False
        try:
            await asyncio.wait_for(self.sender.send(message), self.send_timeout)
        except DeliveryFailed as exc:
            error, permanent = str(exc), exc.permanent
            failure = "refused for good" if permanent else "refused"
        except TimeoutError:
            error = f"no answer within {self.send_timeout:.0f} s"
            failure = "timed out"
        except Exception as exc:  # noqa: BLE001 - a sender's bug must not stop the channel
            log.exception("sender for %s failed on %s", self.channel, message.message_id)
            error = repr(exc)
            failure = f"sender error {type(exc).__name__}"
        else:
            await asyncio.to_thread(
                mark_delivered, self.sessions, message.message_id, self.worker_id, now=self.clock()
            )
            log.info("delivered %s on %s", message.message_id, self.channel)
            return "delivered", None
        give_up = permanent or message.attempt >= self.max_attempts
        retry_at = None if give_up else self.clock() + self.backoff.delay(message.attempt)
        await asyncio.to_thread(
            mark_failed,
            self.sessions,
            message.message_id,
            self.worker_id,
            error,
            retry_at=retry_at,
        )
        if give_up:
            log.error(
                "gave up on %s after %d attempts: %s", message.message_id, message.attempt, error
            )
        else:
            log.warning("attempt %d of %s failed: %s", message.attempt, message.message_id, error)
        return ("dead" if give_up else "retry"), failure

    async def run(self, stop: asyncio.Event, *, idle: float = 0.25, idle_max: float = 2.0) -> None:
        """Deliver until `stop` is set; poll faster while there is work."""
        pause = idle
        while not stop.is_set():
            try:
                handled = await self.deliver_due()
            except SQLAlchemyError as exc:  # the store is away for a moment: keep going
                log.warning("outbox of %s not readable: %s", self.channel, exc)
                handled = 0
            if handled:
                pause = idle
                continue
            try:
                await asyncio.wait_for(stop.wait(), pause)
            except TimeoutError:
                pause = min(pause * 2, idle_max)


def build_dispatchers(
    settings: Settings, sessions: sessionmaker[Session]
) -> list[OutboxDispatcher]:
    """A dispatcher for the web chat, email, and every configured webhook provider."""
    from workers.email import EmailSender, mail_sender

    senders: dict[str, Sender] = {
        "webchat": WebchatSender(),
        "email": EmailSender.from_settings(settings, sessions),
        "mail": mail_sender(settings, sessions),  # one-time codes to the address on file
    }
    for provider, config in settings.webhooks.items():
        if provider in RESERVED_CHANNELS:
            raise ValueError(f"{provider!r} is a built-in channel, not a webhook provider name")
        senders[provider] = WebhookSender(provider, config.outbound_url, config.secret, sessions)
    return [
        OutboxDispatcher(sessions, channel, sender, max_attempts=settings.outbox_max_attempts)
        for channel, sender in senders.items()
    ]


async def main(settings: Settings) -> None:
    """Deliver every channel's outbox until SIGINT/SIGTERM."""
    from store.db import make_engine, migrate, session_factory
    from trustdesk.tracing import configure_tracing

    configure_tracing(settings, "outbox")
    migrate(settings.store_url)
    engine = make_engine(settings.store_url)
    dispatchers = build_dispatchers(settings, session_factory(engine))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    channels = ", ".join(d.channel for d in dispatchers)
    print(f"outbox    delivering {channels}", flush=True)
    try:
        await asyncio.gather(*(d.run(stop) for d in dispatchers))
    finally:
        engine.dispose()


def run_outbox(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main(settings))
    return 0
