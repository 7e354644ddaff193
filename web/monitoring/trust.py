"""The trust dashboard's numbers on `GET /metrics`: the same `compute_metrics` as
`/review/metrics`, over the same 14 days, read per scrape.

Rates are gauges from 0 to 1 and absent (NaN) when there is nothing to divide by,
so an alert on them never fires on an empty shop.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.orm import Session, sessionmaker

from web.review.metrics import Metrics, compute_metrics
from web.review.queries import metrics_input

DAYS = 14


def read_trust_metrics(
    sessions: sessionmaker[Session], *, now: datetime, sla: timedelta, recontact_days: int
) -> Metrics:
    data = metrics_input(sessions, now - timedelta(days=DAYS))
    return compute_metrics(data, now=now, sla=sla, days=DAYS, recontact_days=recontact_days)


def _value(x: float | None) -> float:
    return math.nan if x is None else x


def trust_families(m: Metrics) -> Iterator[Metric]:
    """One gauge per dashboard headline, named `trustdesk_trust_*`."""
    window = f"over cases created in the last {DAYS} days"
    gauges: list[tuple[str, str, float | None]] = [
        (
            "resolution_ratio",
            f"Re-contact-adjusted resolution rate {window}: handled, and the customer did not "
            f"come back about the same order within {m.recontact_days} days (of cases old enough "
            "to judge).",
            m.resolution_rate,
        ),
        (
            "deflection_ratio",
            f"Share answered without an action or a person, {window}.",
            m.deflection_rate,
        ),
        ("escalation_ratio", f"Share handed to a person, {window}.", m.escalation_rate),
        ("recontacts", f"Cases the customer came back about, {window}.", m.recontacts),
        ("declined", f"Cases whose proposed action the customer declined, {window}.", m.declined),
        (
            "first_response_median_seconds",
            f"Median time to the first substantive reply (not the identity prompt), {window}.",
            m.median_first_response_seconds,
        ),
        ("handoff_backlog", "Handoffs waiting for a person now.", m.handoff_backlog),
        (
            "handoff_wait_median_seconds",
            "Median wait of the handoffs waiting now, in seconds.",
            None if m.median_handoff_wait_minutes is None else m.median_handoff_wait_minutes * 60,
        ),
        (
            "human_first_response_median_seconds",
            f"Median time from a handoff to a person's first reply, {window}.",
            None
            if m.median_human_first_response_minutes is None
            else m.median_human_first_response_minutes * 60,
        ),
        ("csat_average", f"Average customer rating (1 to 5), {window}.", m.csat_average),
        ("csat_ratings", f"Customer ratings given, {window}.", len(m.ratings)),
    ]
    for name, documentation, value in gauges:
        yield GaugeMetricFamily(f"trustdesk_trust_{name}", documentation, value=_value(value))
    agreement = GaugeMetricFamily(
        "trustdesk_trust_shadow_agreement_ratio",
        f"Shadow mode: share of the agent's drafts a person sent unchanged, {window}.",
        labels=["category"],
    )
    sent = GaugeMetricFamily(
        "trustdesk_trust_shadow_drafts_sent",
        f"Shadow mode: drafts a person sent, as drafted or edited, {window}.",
        labels=["category", "how"],
    )
    for s in m.shadow:
        agreement.add_metric([s.category], _value(s.agreement))
        sent.add_metric([s.category, "unchanged"], s.unchanged)
        sent.add_metric([s.category, "edited"], s.sent - s.unchanged)
    yield agreement
    yield sent
