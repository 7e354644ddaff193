"""`GET /metrics` on a real store: the token, the store's counts, the web process's requests.

No Temporal here: the store's rows are written directly, as `record_case`, the outbox and
`RetailActions.execute` would write them, and `POST /api/messages` is answered by a fake
gateway that takes a known time.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import httpx
import pydantic
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from store.audit import append_event
from store.db import make_engine, session_factory
from store.models import ActionRecordRow, ApprovalRow, CaseRow, HandoffRow, OutboxRow
from trustdesk.config import Settings
from web.app import create_app
from web.monitoring.store_counts import read_store_counts
from workflows.contracts import (
    AgentReply,
    CaseStatus,
    PostMessageInput,
    PostMessageResult,
    case_id_for,
)
from workflows.gateway import CaseGateway

TOKEN = "metrics-token-" + "m" * 24
BEARER = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "metrics-web-test-secret-" + "x" * 32
SLA = timedelta(minutes=60)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
THREAD = "metrics-thread-0123456789"


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "web",
        secret_key=SECRET,
        approval_sla_minutes=int(SLA.total_seconds() // 60),
        **overrides,
    )


def seed(sessions: sessionmaker[Session]) -> None:
    """Four cases on two channels, three approvals (two waiting), outbox rows, actions."""
    cases = (
        ("case-webchat-a", "webchat", CaseStatus.OPEN),
        ("case-webchat-b", "webchat", CaseStatus.AWAITING_APPROVAL),
        ("case-email-c", "email", CaseStatus.AWAITING_APPROVAL),
        ("case-email-d", "email", CaseStatus.ESCALATED),
    )
    approvals = (  # case, status, requested minutes before NOW
        ("case-webchat-b", "pending", 30),
        ("case-email-c", "pending", 90),  # past the 60-minute SLA
        ("case-webchat-a", "approved", 500),  # decided: neither waiting nor the oldest
    )
    outbox = (  # message id, channel, status
        ("case-webchat-a/msg-1", "webchat", "delivered"),
        ("case-webchat-a/msg-2", "webchat", "delivered"),
        ("case-email-c/msg-1", "email", "pending"),
        ("case-email-d/msg-1", "email", "dead"),
    )
    actions = (("key-1", "cancel_order"), ("key-2", "cancel_order"), ("key-3", "return_items"))
    with sessions() as s:
        for case_id, channel, case_status in cases:
            s.add(
                CaseRow(
                    id=case_id, channel=channel, thread_id=case_id, status=case_status.value,
                    captured={}, created_at=NOW - timedelta(days=1),
                )
            )  # fmt: skip
        s.flush()
        for n, (case_id, status, minutes) in enumerate(approvals):
            s.add(
                ApprovalRow(
                    id=f"{case_id}/approval-{n}", case_id=case_id, action="return_items",
                    amount=Decimal("120.00"), tier="approver", risk="medium", reasons=["why"],
                    status=status, decided_by=["pat"] if status != "pending" else [],
                    requested_at=NOW - timedelta(minutes=minutes),
                )
            )  # fmt: skip
        s.add(
            HandoffRow(
                case_id="case-email-d", reason="asked for a person", record={}, status="open"
            )
        )
        for message_id, channel, delivery in outbox:
            s.add(
                OutboxRow(
                    message_id=message_id, case_id=message_id.split("/")[0], channel=channel,
                    thread_id="thread-1", role="agent", text="Hello", status=delivery,
                )
            )  # fmt: skip
        for key, action in actions:
            s.add(
                ActionRecordRow(
                    idempotency_key=key, action=action, fingerprint="f" * 64,
                    target_id="#W0000001", result={},
                )
            )  # fmt: skip
        s.commit()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: v for (n, labels), v in samples.items() if n == name}


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web.test")


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.text
    return parse(response.text)


@pytest.fixture
def app(sqlite_sessions: sessionmaker[Session], tmp_path: Path) -> Any:
    return create_app(settings_for(tmp_path, metrics_token=TOKEN), sessions=sqlite_sessions)


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


# --- who may read them ----------------------------------------------------------------------


async def test_metrics_are_off_until_a_token_is_set(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    async with client_for(create_app(settings_for(tmp_path), sessions=sqlite_sessions)) as http:
        for headers in ({}, BEARER):
            off = await http.get("/metrics", headers=headers)
            assert off.status_code == 404
            assert off.json() == {
                "detail": "metrics are off; set TRUSTDESK_METRICS_TOKEN to serve them"
            }


async def test_metrics_want_the_token_as_a_bearer_token(http: httpx.AsyncClient) -> None:
    refusals = {
        "no header": ({}, "send the metrics token as 'Authorization: Bearer <token>'"),
        "another scheme": (
            {"Authorization": f"Basic {TOKEN}"},
            "send the metrics token as 'Authorization: Bearer <token>'",
        ),
        "a wrong token": ({"Authorization": "Bearer " + "n" * 38}, "the metrics token is wrong"),
        "a prefix of it": ({"Authorization": f"Bearer {TOKEN[:-1]}"}, "the metrics token is wrong"),
    }
    for case, (headers, reason) in refusals.items():
        refused = await http.get("/metrics", headers=headers)
        assert refused.status_code == 401, case
        assert refused.json() == {"detail": reason}, case
        assert refused.headers["www-authenticate"] == 'Bearer realm="metrics"', case
        assert "trustdesk_" not in refused.text, case

    served = await http.get("/metrics", headers=BEARER)
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert served.headers["cache-control"] == "no-store"


async def test_prometheus_asking_for_openmetrics_gets_it(http: httpx.AsyncClient) -> None:
    served = await http.get(
        "/metrics", headers={**BEARER, "Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/openmetrics-text; version=1.0.0")
    assert served.text.endswith("# EOF\n")


def test_a_short_metrics_token_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(pydantic.ValidationError, match="metrics_token"):
        settings_for(tmp_path, metrics_token="guessable")


# --- the store's counts -----------------------------------------------------------------------


async def test_the_store_is_counted_exactly(
    app: Any, http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    seed(sqlite_sessions)
    app.state.monitoring.store.clock = lambda: NOW
    samples = await scrape(http)

    assert value(samples, "trustdesk_store_up") == 1
    cases = series(samples, "trustdesk_cases")
    expected_cases = {(c, s.value): 0.0 for c in ("webchat", "email") for s in CaseStatus}
    expected_cases |= {
        ("webchat", "open"): 1.0,
        ("webchat", "awaiting_approval"): 1.0,
        ("email", "awaiting_approval"): 1.0,
        ("email", "escalated"): 1.0,
    }
    assert cases == {
        frozenset({"channel": c, "status": s}.items()): n for (c, s), n in expected_cases.items()
    }

    assert value(samples, "trustdesk_approvals_waiting") == 2
    assert value(samples, "trustdesk_approvals_overdue") == 1
    assert value(samples, "trustdesk_approval_oldest_wait_seconds") == 90 * 60
    assert value(samples, "trustdesk_approval_sla_seconds") == 60 * 60
    assert value(samples, "trustdesk_handoffs_waiting") == 1

    outbox = series(samples, "trustdesk_outbox_messages")
    expected_outbox = {
        (c, s): 0.0
        for c in ("webchat", "email")
        for s in ("pending", "sending", "delivered", "dead")
    }
    expected_outbox |= {
        ("webchat", "delivered"): 2.0,
        ("email", "pending"): 1.0,
        ("email", "dead"): 1.0,
    }
    assert outbox == {
        frozenset({"channel": c, "status": s}.items()): n for (c, s), n in expected_outbox.items()
    }

    actions = series(samples, "trustdesk_actions_executed_total")
    assert actions[frozenset({"action": "cancel_order"}.items())] == 2
    assert actions[frozenset({"action": "return_items"}.items())] == 1
    assert actions[frozenset({"action": "exchange_items"}.items())] == 0  # every type is listed
    assert sum(actions.values()) == 3

    # The trust dashboard's numbers: every case is a day old, younger than the 7-day
    # re-contact window, so no resolution rate yet (NaN, never a flattering 0 or 1).
    assert math.isnan(value(samples, "trustdesk_trust_resolution_ratio"))
    assert value(samples, "trustdesk_trust_escalation_ratio") == 0.25  # case-email-d of 4
    assert value(samples, "trustdesk_trust_deflection_ratio") == 0
    assert value(samples, "trustdesk_trust_handoff_backlog") == 1
    assert value(samples, "trustdesk_trust_csat_ratings") == 0
    assert math.isnan(value(samples, "trustdesk_trust_csat_average"))


async def test_every_trustdesk_metric_says_what_it_means(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    seed(sqlite_sessions)
    await http.get("/healthz")
    text = (await http.get("/metrics", headers=BEARER)).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    ours = {name for name in families if name.startswith("trustdesk_")}
    assert ours == {
        "trustdesk_build_info",
        "trustdesk_store_up",
        "trustdesk_cases",
        "trustdesk_approvals_waiting",
        "trustdesk_approvals_overdue",
        "trustdesk_approval_oldest_wait_seconds",
        "trustdesk_approval_sla_seconds",
        "trustdesk_handoffs_waiting",
        "trustdesk_outbox_messages",
        "trustdesk_actions_executed",
        "trustdesk_http_requests",
        "trustdesk_chat_reply_seconds",
        *(
            f"trustdesk_trust_{name}"
            for name in (
                "resolution_ratio",
                "deflection_ratio",
                "escalation_ratio",
                "recontacts",
                "declined",
                "first_response_median_seconds",
                "handoff_backlog",
                "handoff_wait_median_seconds",
                "human_first_response_median_seconds",
                "csat_average",
                "csat_ratings",
                "shadow_agreement_ratio",
                "shadow_drafts_sent",
            )
        ),
    }
    for name in ours:
        assert len(families[name].documentation) > 30, name
    assert families["trustdesk_actions_executed"].type == "counter"
    assert families["trustdesk_http_requests"].type == "counter"
    assert families["trustdesk_chat_reply_seconds"].type == "histogram"
    assert families["trustdesk_cases"].type == "gauge"
    assert "process_resident_memory_bytes" in families  # the process's own, for the operator


async def test_shadow_agreement_is_scraped_per_category(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    seed(sqlite_sessions)
    with sqlite_sessions() as s:
        for agreed in (True, True, False):
            append_event(
                s,
                kind="shadow.sent",
                actor="sam",
                payload={"category": "return", "agreed": agreed},
                case_id="case-webchat-a",
            )
        s.commit()
    samples = await scrape(http)
    agreement = value(samples, "trustdesk_trust_shadow_agreement_ratio", category="return")
    assert agreement == pytest.approx(2 / 3)
    sent = "trustdesk_trust_shadow_drafts_sent"
    assert value(samples, sent, category="return", how="unchanged") == 2
    assert value(samples, sent, category="return", how="edited") == 1


def test_the_counts_agree_on_each_backend(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    counts = read_store_counts(sessions, now=NOW, sla=SLA)
    assert counts.cases == {
        ("webchat", "open"): 1,
        ("webchat", "awaiting_approval"): 1,
        ("email", "awaiting_approval"): 1,
        ("email", "escalated"): 1,
    }
    assert (counts.approvals_waiting, counts.approvals_overdue) == (2, 1)
    assert counts.oldest_approval_wait == timedelta(minutes=90)
    assert counts.handoffs_waiting == 1
    assert counts.outbox == {
        ("webchat", "delivered"): 2,
        ("email", "pending"): 1,
        ("email", "dead"): 1,
    }
    assert counts.actions_executed == {"cancel_order": 2, "return_items": 1}
    # An approval exactly at its SLA is not overdue yet (as on the review dashboard).
    at_sla = read_store_counts(sessions, now=NOW - timedelta(minutes=30), sla=SLA)
    assert (at_sla.approvals_overdue, at_sla.oldest_approval_wait) == (0, timedelta(minutes=60))


async def test_nothing_waiting_reads_as_zero(http: httpx.AsyncClient) -> None:
    samples = await scrape(http)
    assert value(samples, "trustdesk_approvals_waiting") == 0
    assert value(samples, "trustdesk_approval_oldest_wait_seconds") == 0
    assert series(samples, "trustdesk_cases") == {}
    assert series(samples, "trustdesk_outbox_messages") == {}


@pytest.fixture
def impatient_sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions that give up on a locked SQLite database after 0.2 s instead of 30 s."""
    engine: Engine = make_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    yield session_factory(engine)
    engine.dispose()


async def test_a_scrape_reads_while_a_writer_holds_the_lock(
    impatient_sessions: sessionmaker[Session], sqlite_url: str, tmp_path: Path
) -> None:
    seed(impatient_sessions)
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as every writing transaction begins on SQLite
    writer.execute("UPDATE cases SET status = 'resolved' WHERE id = 'case-webchat-a'")
    try:
        app = create_app(settings_for(tmp_path, metrics_token=TOKEN), sessions=impatient_sessions)
        async with client_for(app) as http:
            samples = await scrape(http)
    finally:
        writer.rollback()
        writer.close()
    assert value(samples, "trustdesk_store_up") == 1
    # The scrape read the last committed state, not the writer's uncommitted change.
    assert value(samples, "trustdesk_cases", channel="webchat", status="open") == 1
    assert value(samples, "trustdesk_cases", channel="webchat", status="resolved") == 0


async def test_a_store_that_cannot_be_read_does_not_fail_the_scrape(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    try:
        app = create_app(
            settings_for(tmp_path, metrics_token=TOKEN), sessions=session_factory(engine)
        )
        async with client_for(app) as http:
            await http.get("/healthz")
            samples = await scrape(http)
    finally:
        engine.dispose()
    assert value(samples, "trustdesk_store_up") == 0
    assert ("trustdesk_approvals_waiting", frozenset()) not in samples
    assert (
        value(
            samples, "trustdesk_http_requests_total", route="/healthz", method="GET", status="2xx"
        )
        == 1
    )


# --- the web process's requests ---------------------------------------------------------------


async def test_requests_are_counted_by_route_template_not_by_path(
    http: httpx.AsyncClient,
) -> None:
    for case_id in ("case-webchat-aaaa", "case-email-bbbb"):
        assert (await http.get(f"/api/cases/{case_id}")).status_code == 401
        assert (await http.get(f"/review/cases/{case_id}")).status_code == 303
    for path in ("/wp-admin/1", "/wp-admin/2", "/.env"):
        assert (await http.get(path)).status_code == 404
    assert (await http.request("BREW", "/healthz")).status_code == 405
    assert (await http.get("/healthz")).status_code == 200

    requests = series(await scrape(http), "trustdesk_http_requests_total")
    assert requests == {
        frozenset({"route": "/api/cases/{case_id}", "method": "GET", "status": "4xx"}.items()): 2,
        frozenset(
            {"route": "/review/cases/{case_id}", "method": "GET", "status": "3xx"}.items()
        ): 2,
        frozenset({"route": "unmatched", "method": "GET", "status": "4xx"}.items()): 3,
        frozenset({"route": "/healthz", "method": "other", "status": "4xx"}.items()): 1,
        frozenset({"route": "/healthz", "method": "GET", "status": "2xx"}.items()): 1,
    }
    # The scrape itself is counted once it is answered: the next one sees it.
    again = await scrape(http)
    assert (
        value(again, "trustdesk_http_requests_total", route="/metrics", method="GET", status="2xx")
        == 1
    )


class Stopwatch:
    """The web process's clock in this test: it moves only when the agent works."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class SlowAgent(CaseGateway):
    """Answers every chat message after `delay` seconds of `clock`, as the agent would; no
    Temporal."""

    def __init__(self, delay: float, clock: Stopwatch) -> None:
        super().__init__(cast(Client, None), task_queue="unused")
        self.delay = delay
        self.clock = clock

    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        self.clock.now += self.delay  # the agent's work
        return PostMessageResult(
            case_id=case_id_for(message.channel, message.thread_id),
            status=CaseStatus.AWAITING_CUSTOMER,
            replies=[AgentReply(text="Which order is it about?")],
        )


async def test_the_customers_wait_for_a_reply_is_a_histogram(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = Stopwatch()
    app = create_app(
        settings_for(tmp_path, metrics_token=TOKEN),
        gateway=SlowAgent(0.3, clock),
        sessions=sqlite_sessions,
    )
    app.state.monitoring.requests.clock = clock
    async with client_for(app) as http:
        message = {"channel": "webchat", "thread_id": THREAD, "text": "Where is my order?"}
        answered = await http.post("/api/messages", json=message)
        assert answered.status_code == 200, answered.text
        assert (await http.post("/api/messages", json={**message, "text": ""})).status_code == 422
        assert (await http.get("/healthz")).status_code == 200  # not timed: only messages are
        samples = await scrape(http)

    def reply(sample: str, status: str, **labels: str) -> float:
        return value(samples, f"trustdesk_chat_reply_seconds_{sample}", status=status, **labels)

    assert reply("count", "2xx") == 1
    assert reply("sum", "2xx") == pytest.approx(0.3)
    assert reply("bucket", "2xx", le="0.25") == 0
    assert reply("bucket", "2xx", le="+Inf") == 1
    assert reply("count", "4xx") == 1
    assert reply("bucket", "4xx", le="0.25") == 1  # a refusal is quick
    assert (
        value(
            samples,
            "trustdesk_http_requests_total",
            route="/api/messages",
            method="POST",
            status="2xx",
        )
        == 1
    )


class BrokenAgent(CaseGateway):
    """Fails on every message, as a bug in the web layer's call would."""

    def __init__(self) -> None:
        super().__init__(cast(Client, None), task_queue="unused")

    async def post_message(self, message: PostMessageInput) -> PostMessageResult:
        raise RuntimeError("broken")


async def test_a_request_that_fails_is_counted_as_a_server_error(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    app = create_app(
        settings_for(tmp_path, metrics_token=TOKEN),
        gateway=BrokenAgent(),
        sessions=sqlite_sessions,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as http:
        message = {"channel": "webchat", "thread_id": THREAD, "text": "Where is my order?"}
        assert (await http.post("/api/messages", json=message)).status_code == 500
        samples = await scrape(http)
    assert (
        value(
            samples,
            "trustdesk_http_requests_total",
            route="/api/messages",
            method="POST",
            status="5xx",
        )
        == 1
    )
    assert value(samples, "trustdesk_chat_reply_seconds_count", status="5xx") == 1
