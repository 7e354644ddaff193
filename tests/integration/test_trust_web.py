"""The trust dashboard, ratings and operator controls against a real store and the web app.

The dashboard test writes the unit tests' scripted cases (`tests/unit/test_trust_metrics.py`)
into the store as the worker's projection would, reads them back through
`web.review.queries.metrics_input`, and expects the same hand-counted numbers, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.controls import OperatorControls, effective_autonomy, in_canary
from store.audit import append_event, verify_chain
from store.channels import EmailThread
from store.models import AuditEventRow, CaseRow, CsatRatingRow, HandoffRow, MessageRow
from store.outbox import OutboxMessage
from store.trust import RatingRefused, ratable, read_controls, record_rating, set_control
from tests.unit.test_trust_metrics import CASES, DATA, MESSAGES
from tests.unit.test_trust_metrics import NOW as SCRIPTED_NOW
from trustdesk.config import Settings
from trustdesk.controls import load_operator_controls
from trustdesk.rating_links import rating_links, rating_token
from web.app import create_app
from web.review.metrics import compute_metrics
from web.review.queries import metrics_input
from web.users import create_user
from workers.email import compose_reply

PASSWORD = "correct horse battery staple"
SECRET = "trust-web-test-secret-" + "x" * 32
THREAD = "trust-thread-0123456789"
CASE = f"case-webchat-{THREAD}"


def add_case(sessions: sessionmaker[Session], case_id: str, status: str) -> None:
    with sessions() as s:
        s.add(CaseRow(id=case_id, channel="webchat", thread_id=case_id, status=status, captured={}))
        s.commit()


def write_scripted_cases(sessions: sessionmaker[Session], now: datetime) -> None:
    shift = now - SCRIPTED_NOW
    with sessions() as s:
        for c in CASES:
            s.add(
                CaseRow(
                    id=c.case_id, channel="webchat", thread_id=c.case_id, status=c.status,
                    customer_id=c.customer_id, category=c.category,
                    captured={"order_id": c.order_id}, created_at=c.created_at + shift,
                )
            )  # fmt: skip
        s.flush()
        for m in MESSAGES:
            s.add(
                MessageRow(
                    case_id=m.case_id, seq=m.seq, role=m.role, text="…", reason=m.reason,
                    created_at=m.at + shift,
                )
            )  # fmt: skip
        for h in DATA.handoffs:
            s.add(
                HandoffRow(
                    case_id=h.case_id, reason="asked", record={},
                    status="open" if h.open else "closed", created_at=h.created_at + shift,
                )
            )  # fmt: skip
        for c in CASES:
            if c.acted:
                append_event(
                    s, kind="action.executed", actor="agent", payload={}, case_id=c.case_id
                )
        s.commit()


def test_the_dashboard_counts_the_scripted_cases_from_the_store(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime.now(UTC)
    write_scripted_cases(sessions, now)
    for r in DATA.ratings:
        record_rating(sessions, r.case_id, r.score, source="chat")
    # c's decline is read from the reason the dialogue gives, as the projection records it.
    data = metrics_input(sessions, now - timedelta(days=14))
    m = compute_metrics(data, now=now, sla=timedelta(hours=4), days=14, recontact_days=7)

    assert m.total_cases == 7 and m.handled == 5 and m.recontacts == 1
    assert (m.resolved, m.resolved_unconfirmed) == (3, 2)
    assert m.outcomes["deflection"] == 2 and m.outcomes["declined"] == 1
    assert m.escalated == 2 and m.handoff_backlog == 1
    assert m.first_response_seconds == pytest.approx([2.0, 4.0, 5.0, 32.0, 1260.0])
    assert m.human_first_response_minutes == pytest.approx([20.0])
    assert sorted(m.ratings) == [2, 5] and m.csat_average == 3.5
    status = next(c for c in m.categories if c.category == "order_status")
    assert (status.automated, status.automated_judged, status.automated_correct) == (2, 2, 1)


def test_one_rating_per_resolved_case_audited(sessions: sessionmaker[Session]) -> None:
    add_case(sessions, "case-open", "open")
    add_case(sessions, "case-done", "resolved")
    with pytest.raises(RatingRefused) as early:
        record_rating(sessions, "case-open", 5, source="chat")
    assert early.value.status == 409
    first = record_rating(sessions, "case-done", 4, source="email")
    again = record_rating(sessions, "case-done", 4, source="chat")
    assert first.recorded_now and not again.recorded_now and again.source == "email"
    with pytest.raises(RatingRefused) as changed:
        record_rating(sessions, "case-done", 1, source="chat")
    assert changed.value.status == 409
    with sessions() as s:
        assert s.scalars(select(CsatRatingRow.score)).all() == [4]
        events = s.scalars(select(AuditEventRow).where(AuditEventRow.kind == "csat.rated")).all()
        assert [(e.case_id, e.payload) for e in events] == [
            ("case-done", {"score": 4, "source": "email"})
        ]
        assert verify_chain(s).ok


def test_controls_override_configuration_and_are_audited(sessions: sessionmaker[Session]) -> None:
    configured = {"exchange": Decimal("0.1")}
    before = read_controls(
        sessions, configured_killed=frozenset({"return"}), configured_canary=configured
    )
    assert before == OperatorControls(killed=frozenset({"return"}), canary=configured)
    set_control(sessions, "return", killed=False, canary=Decimal("0.25"), actor="ad")
    set_control(sessions, "exchange", killed=True, canary=None, actor="ad")
    after = read_controls(
        sessions, configured_killed=frozenset({"return"}), configured_canary=configured
    )
    assert after.killed == {"exchange"} and dict(after.canary) == {"return": Decimal("0.25")}
    with sessions() as s:
        events = s.scalars(
            select(AuditEventRow).where(AuditEventRow.kind == "controls.changed")
        ).all()
        assert [(e.actor, e.payload["category"], e.payload["after"]) for e in events] == [
            ("ad", "return", {"killed": False, "canary": "0.25", "shadow": False}),
            ("ad", "exchange", {"killed": True, "canary": None, "shadow": False}),
        ]
        assert verify_chain(s).ok


# --- through the web app ------------------------------------------------------------------


@pytest.fixture
def app(sqlite_sessions: sessionmaker[Session], tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "web", secret_key=SECRET)
    create_user(sqlite_sessions, "ad", PASSWORD, "admin", None)
    create_user(sqlite_sessions, "pat", PASSWORD, "approver", Decimal("1000"))
    return create_app(settings, sessions=sqlite_sessions)


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as client:
        yield client


async def sign_in(http: httpx.AsyncClient, name: str) -> None:
    form = await http.get("/review/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    signed = await http.post(
        "/review/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed.status_code == 303


async def test_chat_rating_answers_each_case_with_a_reason(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    url = f"/api/chat/{THREAD}/rating"
    unknown = await http.post(url, json={"score": 5})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no such conversation"
    add_case(sqlite_sessions, CASE, "awaiting_customer")
    early = await http.post(url, json={"score": 5})
    assert early.status_code == 409 and "once it is resolved" in early.json()["detail"]
    with sqlite_sessions() as s:
        case = s.get(CaseRow, CASE)
        assert case is not None
        case.status = "resolved"
        s.commit()
    for bad in ({"score": 0}, {"score": 6}, {"score": "five"}, {}, {"score": 2.5}):
        refused = await http.post(url, json=bad)
        assert refused.status_code == 422, bad
        assert "score" in str(refused.json()["detail"]), bad
    rated = await http.post(url, json={"score": 5})
    assert rated.status_code == 200 and rated.json()["recorded_now"] is True
    again = await http.post(url, json={"score": 5})
    assert again.status_code == 200 and again.json()["recorded_now"] is False
    changed = await http.post(url, json={"score": 1})
    assert changed.status_code == 409 and "already been rated" in changed.json()["detail"]
    bad_thread = await http.post("/api/chat/short/rating", json={"score": 5})
    assert bad_thread.status_code == 404


async def test_the_email_link_rates_without_signing_in(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    add_case(sqlite_sessions, "case-email-x", "resolved")
    token = rating_token(SECRET, "case-email-x")
    rated = await http.get(f"/rate/{token}", params={"score": 4})
    assert rated.status_code == 200 and "rating of 4 out of 5 is recorded" in rated.text
    assert (await http.get(f"/rate/{token}", params={"score": 9})).status_code == 422
    forged = rating_token("another-secret-" + "y" * 32, "case-email-x")
    refused = await http.get(f"/rate/{forged}", params={"score": 1})
    assert refused.status_code == 400 and "not valid" in refused.json()["detail"]
    old = rating_token(SECRET, "case-email-x", now=datetime.now(UTC) - timedelta(days=31))
    expired = await http.get(f"/rate/{old}", params={"score": 1})
    assert expired.status_code == 410
    with sqlite_sessions() as s:
        row = s.get(CsatRatingRow, "case-email-x")
        assert row is not None and (row.score, row.source) == (4, "email")


async def test_only_admins_change_controls_and_each_change_is_recorded(
    app,
    http: httpx.AsyncClient,
    sqlite_sessions: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    await sign_in(http, "pat")
    assert (await http.get("/review/admin/controls")).status_code == 403
    http.cookies.clear()
    await sign_in(http, "ad")
    page = await http.get("/review/admin/controls")
    assert page.status_code == 200 and 'data-category="return"' in page.text
    version = re.search(r'data-testid="policy-version">([^<]+)<', page.text)
    assert version and version.group(1).startswith("p-")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    no_token = await http.post("/review/admin/controls/return", data={"killed": "on"})
    assert no_token.status_code == 403
    bad = await http.post(
        "/review/admin/controls/return", data={"canary": "150", "csrf_token": csrf.group(1)}
    )
    assert bad.status_code == 422 and "0 to 100" in bad.text
    unknown = await http.post(
        "/review/admin/controls/teleport", data={"killed": "on", "csrf_token": csrf.group(1)}
    )
    assert unknown.status_code == 404
    saved = await http.post(
        "/review/admin/controls/return", data={"killed": "on", "csrf_token": csrf.group(1)}
    )
    assert saved.status_code == 303
    shown = await http.get(saved.headers["location"])
    assert "switched off" in shown.text and "Saved the controls of return" in shown.text
    changed = re.search(r'data-testid="policy-version">([^<]+)<', shown.text)
    assert changed and changed.group(1) != version.group(1)
    controls = read_controls(sqlite_sessions)
    assert controls.killed == {"return"}


async def test_the_metrics_page_shows_resolution_beside_deflection(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    write_scripted_cases(sqlite_sessions, datetime.now(UTC))
    record_rating(sqlite_sessions, "a", 5, source="chat")
    await sign_in(http, "pat")
    page = await http.get("/review/metrics")
    assert page.status_code == 200
    assert re.search(r'data-testid="resolution-rate">60%<', page.text)
    assert re.search(r'data-testid="deflection-rate">29%<', page.text)
    assert re.search(r'data-testid="total-cases">7<', page.text)
    assert re.search(r'data-testid="recontacts">1<', page.text)
    assert re.search(r'data-testid="declined">1<', page.text)
    assert re.search(r'data-testid="first-response">5.0 s<', page.text)
    assert re.search(r'data-testid="csat">5.0<', page.text)
    assert re.search(r'data-testid="handoff-backlog">1<', page.text)
    assert 'data-category="order_status"' in page.text


async def test_a_resolution_email_offers_links_that_rate_the_case(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    add_case(sqlite_sessions, "case-email-open", "awaiting_customer")
    add_case(sqlite_sessions, "case-email-done", "resolved")
    assert not ratable(sqlite_sessions, "case-email-open")
    assert ratable(sqlite_sessions, "case-email-done")
    links = rating_links(SECRET, "https://help.shop.test/", "case-email-done")
    message = OutboxMessage(
        "case-email-done/msg-4", "case-email-done", "email", "t-1", "agent", "Done.", None, 1
    )
    thread = EmailThread("t-1", "ada@example.com", "Cancel", None, ())
    body = compose_reply(message, thread, "support@shop.test", links).get_content()
    assert "How did we do?" in body and "  5: https://help.shop.test/rate/" in body
    plain = compose_reply(message, thread, "support@shop.test").get_content()
    assert "How did we do?" not in plain
    path = links[2].removeprefix("https://help.shop.test")
    assert (await http.get(path)).status_code == 200
    assert not ratable(sqlite_sessions, "case-email-done")  # rated: no more links


def test_the_readmes_control_settings_parse_as_written(
    monkeypatch: pytest.MonkeyPatch, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    monkeypatch.setenv("TRUSTDESK_KILLED_CATEGORIES", '["return"]')
    monkeypatch.setenv("TRUSTDESK_CANARY_SHARES", '{"exchange": "0.1"}')
    settings = Settings(data_dir=tmp_path)
    controls = load_operator_controls(settings, sqlite_sessions)
    assert controls == OperatorControls(
        killed=frozenset({"return"}), canary={"exchange": Decimal("0.1")}
    )
    gated = frozenset({"return", "exchange", "order_status"})
    case_id = "case-webchat-abc"
    assert not in_canary(case_id, Decimal("0.1"))  # its bucket is 9455 of 10000
    assert effective_autonomy(gated, controls, case_id) == {"order_status"}
