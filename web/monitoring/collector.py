"""The store's side of `GET /metrics`: a Prometheus collector that reads the store per scrape.

Nothing is counted as it happens in the worker or the outbox dispatcher; every scrape
reads the current counts (`store_counts.read_store_counts`), so any number of those
processes can run and the numbers stay right. A store that cannot be read turns into
`trustdesk_store_up 0` rather than a failed scrape, so the web process's own metrics
still arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from domain.policy import ActionType
from store.outbox import DEAD, DELIVERED, PENDING, SENDING
from web.monitoring.store_counts import StoreCounts, read_store_counts
from web.monitoring.trust import read_trust_metrics, trust_families
from workflows.contracts import CaseStatus

log = logging.getLogger("trustdesk.web.metrics")

OUTBOX_STATUSES = (PENDING, SENDING, DELIVERED, DEAD)


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreCollector(Collector):
    """Reads the store's counts at scrape time, in one short read-only transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        sla: timedelta,
        clock: Callable[[], datetime] = utc_now,
        recontact_days: int = 7,
    ) -> None:
        self.sessions = sessions
        self.sla = sla
        self.clock = clock
        self.recontact_days = recontact_days

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "trustdesk_store_up",
            "1 when this scrape could read the store, 0 when it could not (the store's "
            "metrics are then missing from the scrape).",
        )
        try:
            now = self.clock()
            counts = read_store_counts(self.sessions, now=now, sla=self.sla)
            trust = read_trust_metrics(
                self.sessions, now=now, sla=self.sla, recontact_days=self.recontact_days
            )
        except SQLAlchemyError as exc:
            log.warning("metrics: the store could not be read: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from store_families(counts, self.sla)
        yield from trust_families(trust)


def _by_channel(
    counts: dict[tuple[str, str], int], statuses: Iterable[str]
) -> dict[tuple[str, str], int]:
    """Every known status of every channel seen, 0 where none, so alert rules find a series."""
    filled = {(channel, status): 0 for channel, _ in counts for status in statuses}
    filled.update(counts)
    return dict(sorted(filled.items()))


def store_families(counts: StoreCounts, sla: timedelta) -> Iterator[Metric]:
    """The metric families for one reading of the store."""
    cases = GaugeMetricFamily(
        "trustdesk_cases",
        "Support cases in the store, by channel and status (open, awaiting_customer, "
        "awaiting_approval, escalated, resolved, closed).",
        labels=["channel", "status"],
    )
    for (channel, status), n in _by_channel(counts.cases, [s.value for s in CaseStatus]).items():
        cases.add_metric([channel, status], n)
    yield cases

    yield GaugeMetricFamily(
        "trustdesk_approvals_waiting",
        "Refunds and other actions waiting for an approver's decision.",
        value=counts.approvals_waiting,
    )
    yield GaugeMetricFamily(
        "trustdesk_approvals_overdue",
        "Approvals that have waited longer than the approval SLA.",
        value=counts.approvals_overdue,
    )
    oldest = counts.oldest_approval_wait
    yield GaugeMetricFamily(
        "trustdesk_approval_oldest_wait_seconds",
        "How long the longest-waiting approval has waited, in seconds (0 when none waits); "
        "compare with trustdesk_approval_sla_seconds.",
        value=oldest.total_seconds() if oldest is not None else 0.0,
    )
    yield GaugeMetricFamily(
        "trustdesk_approval_sla_seconds",
        "The approval SLA: how long an approval may wait before its case is escalated, in seconds.",
        value=sla.total_seconds(),
    )
    yield GaugeMetricFamily(
        "trustdesk_handoffs_waiting",
        "Escalated cases waiting for a person to answer the customer (the review UI's "
        "handoff inbox).",
        value=counts.handoffs_waiting,
    )

    outbox = GaugeMetricFamily(
        "trustdesk_outbox_messages",
        "Replies in the outbox, by channel and status: pending (waiting for a first or "
        "next attempt), sending, delivered, dead (given up; retry from /review/outbox).",
        labels=["channel", "status"],
    )
    for (channel, status), n in _by_channel(counts.outbox, OUTBOX_STATUSES).items():
        outbox.add_metric([channel, status], n)
    yield outbox

    actions = CounterMetricFamily(
        "trustdesk_actions_executed",
        "Actions the agent has carried out on the shop (cancellations, returns, refunds, "
        "exchanges, address and payment changes), by type, since the store was created.",
        labels=["action"],
    )
    executed = {a.value: 0 for a in ActionType} | counts.actions_executed
    for action, n in sorted(executed.items()):
        actions.add_metric([action], n)
    yield actions
