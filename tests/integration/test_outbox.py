"""Outbox delivery on SQLite and PostgreSQL: back-off, dead letters, leases, racing dispatchers.

Time is a fake clock handed to the dispatcher, so a 30-minute back-off takes no
time at all; the senders are in-memory fakes that fail on cue.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine, session_factory
from store.models import OutboxRow
from store.outbox import (
    OutboxMessage,
    claim_due,
    list_dead_letters,
    mark_delivered,
    requeue_dead_letter,
)
from tests.tracing import span_recorder
from tests.waiting import wait_until
from workers.outbox import Backoff, OutboxDispatcher
from workers.senders import DeliveryFailed
from workflows.case_trace import case_span_context, case_trace_id

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = T0 + timedelta(seconds=seconds)


class FakeSender:
    """Fails the first `failures` sends of each message, then accepts; thread-safe."""

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.attempts: Counter[str] = Counter()
        self.delivered: list[str] = []
        self._lock = threading.Lock()

    async def send(self, message: OutboxMessage) -> None:
        with self._lock:
            self.attempts[message.message_id] += 1
            failing = self.attempts[message.message_id] <= self.failures
        await asyncio.sleep(0)  # allowed: a yield to the racing dispatcher, not a wait
        if failing:
            raise DeliveryFailed("relay said no", permanent=self.permanent)
        with self._lock:
            self.delivered.append(message.message_id)


def queue(sessions: sessionmaker[Session], *ids: str, channel: str = "email") -> None:
    with sessions() as s:
        for message_id in ids:
            s.add(
                OutboxRow(
                    message_id=message_id, case_id="case-email-t1", channel=channel,
                    thread_id="t1", role="agent", text=f"reply {message_id}", status="pending",
                )
            )  # fmt: skip
        s.commit()


def row(sessions: sessionmaker[Session], message_id: str) -> OutboxRow:
    with sessions() as s:
        return s.scalars(select(OutboxRow).where(OutboxRow.message_id == message_id)).one()


def dispatcher(
    sessions: sessionmaker[Session], sender: FakeSender, clock: Clock, **kwargs: object
) -> OutboxDispatcher:
    kwargs.setdefault("backoff", Backoff(base=timedelta(seconds=10), jitter=0))
    return OutboxDispatcher(sessions, "email", sender, clock=clock, **kwargs)  # type: ignore[arg-type]


async def test_retries_with_exponential_backoff_then_delivers(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "m1")
    clock, sender = Clock(), FakeSender(failures=2)
    outbox = dispatcher(sessions, sender, clock)

    assert await outbox.deliver_due() == 1
    first = row(sessions, "m1")
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at == T0 + timedelta(seconds=10)
    assert first.last_error == "relay said no"

    clock.at(9.9)
    assert await outbox.deliver_due() == 0  # not due yet
    clock.at(10)
    assert await outbox.deliver_due() == 1
    assert row(sessions, "m1").next_attempt_at == T0 + timedelta(seconds=10 + 20)  # doubled

    clock.at(29)
    assert await outbox.deliver_due() == 0
    clock.at(30)
    assert await outbox.deliver_due() == 1
    done = row(sessions, "m1")
    assert (done.status, done.attempts, done.last_error) == ("delivered", 3, None)
    assert done.delivered_at == T0 + timedelta(seconds=30)
    assert sender.delivered == ["m1"]
    clock.at(10_000)
    assert await outbox.deliver_due() == 0  # delivered once, never again


async def test_each_attempt_is_a_span_in_its_cases_trace_naming_nothing_personal(
    sessions: sessionmaker[Session],
) -> None:
    spans = span_recorder()
    queue(sessions, "case-email-t1/msg-2")
    clock, sender = Clock(), FakeSender(failures=1)
    outbox = dispatcher(sessions, sender, clock)
    assert await outbox.deliver_due() == 1
    clock.at(10)
    assert await outbox.deliver_due() == 1
    first, second = spans.get_finished_spans()
    row_id = row(sessions, "case-email-t1/msg-2").id
    for span, attempt, outcome in ((first, 1, "retry"), (second, 2, "delivered")):
        assert (span.name, span.kind) == ("send email", SpanKind.PRODUCER)
        assert span.context.trace_id == case_trace_id("case-email-t1")
        assert span.parent == case_span_context("case-email-t1")
        # the row's number, not its message id, thread, address or text
        assert dict(span.attributes or {}) == {
            "messaging.operation.type": "send",
            "messaging.destination.name": "email",
            "trustdesk.outbox.id": row_id,
            "trustdesk.outbox.attempt": attempt,
            "trustdesk.outbox.outcome": outcome,
        }
    # what failed, not the relay's own words ("relay said no")
    assert (first.status.status_code, first.status.description) == (StatusCode.ERROR, "refused")
    assert second.status.status_code is StatusCode.UNSET


def test_backoff_is_capped_and_jittered() -> None:
    plain = Backoff(base=timedelta(seconds=2), cap=timedelta(minutes=1), jitter=0)
    assert [plain.delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [2, 4, 8, 60, 60, 60]
    low = Backoff(base=timedelta(seconds=10), jitter=0.2, rand=lambda: 0.0)
    high = Backoff(base=timedelta(seconds=10), jitter=0.2, rand=lambda: 1.0)
    assert (low.delay(1).total_seconds(), high.delay(1).total_seconds()) == (8, 12)


async def test_gives_up_after_max_attempts_into_the_dead_letters(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "m1", "m2")
    clock, sender = Clock(), FakeSender(failures=99)
    outbox = dispatcher(sessions, sender, clock, max_attempts=3)
    for step in range(3):
        clock.at(step * 3600)
        assert await outbox.deliver_due() == 2
    clock.at(10 * 3600)
    assert await outbox.deliver_due() == 0
    assert sender.attempts == {"m1": 3, "m2": 3}
    dead = list_dead_letters(sessions)
    assert {d.message_id for d in dead} == {"m1", "m2"}
    assert all(d.attempts == 3 and d.last_error == "relay said no" for d in dead)
    assert list_dead_letters(sessions, channel="webchat") == []

    # Once someone fixed the cause, a dead letter can be sent again.
    sender.failures = 0
    assert requeue_dead_letter(sessions, "m1", now=clock())
    assert await outbox.deliver_due() == 1
    assert row(sessions, "m1").status == "delivered"
    assert [d.message_id for d in list_dead_letters(sessions)] == ["m2"]


async def test_a_permanent_failure_is_not_retried(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "m1")
    clock, sender = Clock(), FakeSender(failures=1, permanent=True)
    outbox = dispatcher(sessions, sender, clock, max_attempts=8)
    assert await outbox.deliver_due() == 1
    dead = row(sessions, "m1")
    assert (dead.status, dead.attempts) == ("dead", 1)
    clock.at(86_400)
    assert await outbox.deliver_due() == 0


async def test_a_crashed_dispatchers_claim_expires(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "m1")
    lease = timedelta(minutes=2)
    [claimed] = claim_due(sessions, "email", "crashed", lease=lease, max_attempts=5, now=T0)
    assert claimed.attempt == 1 and row(sessions, "m1").status == "sending"

    clock, sender = Clock(), FakeSender()
    survivor = dispatcher(sessions, sender, clock, lease=lease)
    clock.at(119)
    assert await survivor.deliver_due() == 0  # still held by the crashed one
    clock.at(121)
    assert await survivor.deliver_due() == 1
    assert row(sessions, "m1").status == "delivered" and row(sessions, "m1").attempts == 2
    # The crashed dispatcher coming back late cannot overwrite the outcome.
    assert not mark_delivered(sessions, "m1", "crashed", now=clock())


async def test_a_claim_that_never_reported_back_after_the_last_attempt_is_dead(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "m1")
    claim_due(sessions, "email", "crashed", lease=timedelta(minutes=2), max_attempts=1, now=T0)
    later = T0 + timedelta(minutes=5)
    assert claim_due(sessions, "email", "other", lease=timedelta(minutes=2), max_attempts=1,
                     now=later) == []  # fmt: skip
    [dead] = list_dead_letters(sessions)
    assert dead.message_id == "m1" and "never reported back" in (dead.last_error or "")


async def test_only_the_dispatchers_channel_is_claimed(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "chat-1", channel="webchat")
    outbox = dispatcher(sessions, FakeSender(), Clock())
    assert await outbox.deliver_due() == 0
    assert row(sessions, "chat-1").status == "pending"


@pytest.fixture
def second_sessions(store_url: str) -> Iterator[sessionmaker[Session]]:
    """Another engine on the same store: its own connections, as another process would have."""
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


async def test_two_racing_dispatchers_deliver_every_message_once(
    sessions: sessionmaker[Session], second_sessions: sessionmaker[Session]
) -> None:
    ids = [f"m{i:03d}" for i in range(60)]
    queue(sessions, *ids)
    sender = FakeSender()
    one = OutboxDispatcher(sessions, "email", sender, worker_id="one", batch=3)
    two = OutboxDispatcher(second_sessions, "email", sender, worker_id="two", batch=3)
    stop = asyncio.Event()
    runs = [asyncio.create_task(d.run(stop, idle=0.01, idle_max=0.05)) for d in (one, two)]

    async def all_delivered() -> bool:
        return len(sender.delivered) >= len(ids)

    try:
        await wait_until(all_delivered, timeout=60, what="every message delivered")
    finally:
        stop.set()
        await asyncio.gather(*runs)
    assert Counter(sender.delivered) == Counter(ids)  # each exactly once
    assert sum(sender.attempts.values()) == len(ids)  # nobody sent a message twice
    with sessions() as s:
        statuses = Counter(s.scalars(select(OutboxRow.status)))
    assert statuses == {"delivered": len(ids)}
