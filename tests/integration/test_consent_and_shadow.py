"""Consent flags and shadow mode against a real store (SQLite and PostgreSQL), and through
the review UI: each change stored with who and when and appended to the audit chain."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from brain.offline import OfflineBrain
from domain.consent import Consent
from domain.controls import OperatorControls
from domain.errors import NotFound
from domain.knowledge import answer_from_passages
from domain.policy import Policy, load_policy, policy_placeholders
from domain.pseudonym import customer_actor, customer_pseudonym
from graph.deps import AgentDeps
from graph.nodes import gather_context
from graph.state import CaseState
from store.actions import RetailActions
from store.audit import append_event, verify_chain
from store.consent import (
    ConsentChange,
    StoredCustomerRecords,
    change_consent,
    read_consent,
    set_consent,
)
from store.earlier_cases import earlier_cases
from store.knowledge import KnowledgeBase, install_default_articles
from store.models import (
    ActionRecordRow,
    AuditEventRow,
    CaseRow,
    CustomerConsentRow,
    SinkMailRow,
)
from store.one_time_codes import StoredCodes
from store.trust import control_settings, read_controls, set_control
from tests.integration.test_review_web import PASSWORD, SECRET, sign_in
from tests.shop import ADA, BOB, create_shop
from trustdesk.config import Settings
from trustdesk.controls import load_operator_controls
from trustdesk.encryption import CaseKeys, MasterKeys
from trustdesk.privacy import erase_customer, export_customer
from web.app import create_app
from web.review.queries import metrics_input, waiting_drafts
from web.users import create_user

EMAIL = "ada@example.com"


def audit(sessions: sessionmaker[Session], kind: str) -> list[AuditEventRow]:
    with sessions() as s:
        return list(
            s.scalars(
                select(AuditEventRow).where(AuditEventRow.kind == kind).order_by(AuditEventRow.seq)
            )
        )


# --- consent in the store -----------------------------------------------------------------


def test_consent_defaults_to_nothing_and_each_change_is_audited_under_a_pseudonym(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    assert read_consent(sessions, ADA) == Consent()
    chosen = Consent(personalisation=True, past_cases=True)
    subject = customer_pseudonym(ADA)
    assert set_consent(sessions, ADA, chosen, actor="review:ad", subject=subject)
    assert not set_consent(sessions, ADA, chosen, actor="review:ad", subject=subject)
    assert read_consent(sessions, ADA) == chosen
    events = audit(sessions, "consent.changed")
    assert [(e.actor, e.payload["customer"]) for e in events] == [("review:ad", subject)]
    assert events[0].payload["before"] == Consent().as_document()
    assert events[0].payload["after"] == chosen.as_document()
    assert ADA not in repr(events[0].payload)
    with pytest.raises(NotFound):
        set_consent(sessions, "nobody_1", chosen, actor="review:ad", subject="x")
    with sessions() as s:
        assert verify_chain(s).ok


def test_a_customers_own_change_is_made_once_per_key_and_audited_with_them_as_actor(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    set_consent(sessions, ADA, Consent(marketing=True), actor="review:ad", subject="s")
    key = "case-webchat-t1/consent-2"

    def change() -> ConsentChange:
        return change_consent(
            sessions, ADA, {"marketing": False, "past_cases": True},
            actor=customer_actor(ADA), subject=customer_pseudonym(ADA),
            idempotency_key=key, case_id="case-webchat-t1", channel="webchat",
        )  # fmt: skip

    first = change()
    assert first.before == Consent(marketing=True)
    assert first.after == Consent(past_cases=True)
    assert first.changed == {"marketing": False, "past_cases": True}
    # An admin changes the flags meanwhile; the retried activity changes nothing back.
    set_consent(sessions, ADA, Consent(marketing=True), actor="review:ad", subject="s")
    again = change()
    assert again.replayed and again.after == first.after
    assert read_consent(sessions, ADA) == Consent(marketing=True)
    [event] = [e for e in audit(sessions, "consent.changed") if e.event_id == key]
    assert event.actor == customer_actor(ADA) == f"customer:{customer_pseudonym(ADA)}"
    assert event.case_id == "case-webchat-t1"
    assert event.payload == {
        "customer": customer_pseudonym(ADA),
        "before": Consent(marketing=True).as_document(),
        "after": Consent(past_cases=True).as_document(),
        "channel": "webchat",
    }
    assert ADA not in repr(event.payload) and ADA not in event.actor
    # What already holds is no change: nothing written, nothing audited.
    same = change_consent(
        sessions, ADA, {"marketing": True}, actor=customer_actor(ADA),
        subject=customer_pseudonym(ADA), idempotency_key="case-webchat-t1/consent-3",
    )  # fmt: skip
    assert same.changed == {} and not same.replayed
    assert len(audit(sessions, "consent.changed")) == 3
    with pytest.raises(NotFound):
        change_consent(
            sessions, "nobody_1", {"marketing": False}, actor="customer:x", subject="x",
            idempotency_key="case-webchat-t2/consent-1",
        )  # fmt: skip
    with sessions() as s:
        assert verify_chain(s).ok


def _cases(sessions: sessionmaker[Session]) -> None:
    """Ada's cases: an older return that ran, a newer open question; one of Bob's."""
    with sessions() as s:
        s.add_all([
            CaseRow(id="case-webchat-old", channel="webchat", thread_id="old", customer_id=ADA,
                    status="resolved", category="return", captured={},
                    created_at=datetime(2024, 1, 1, tzinfo=UTC)),
            CaseRow(id="case-email-new", channel="email", thread_id="new", customer_id=ADA,
                    status="awaiting_customer", category="order_status", captured={},
                    created_at=datetime(2024, 2, 1, tzinfo=UTC)),
            CaseRow(id="case-webchat-now", channel="webchat", thread_id="now", customer_id=ADA,
                    status="open", category=None, captured={},
                    created_at=datetime(2024, 3, 1, tzinfo=UTC)),
            CaseRow(id="case-webchat-bob", channel="webchat", thread_id="bob", customer_id=BOB,
                    status="resolved", category="return", captured={}),
            ActionRecordRow(idempotency_key="case-webchat-old/action-1", action="return_items",
                            fingerprint="f", target_id="#W0000002", result={}),
            # Another case whose id only starts the same: not this case's action.
            ActionRecordRow(idempotency_key="case-webchat-old2/action-1", action="cancel_order",
                            fingerprint="f", target_id="#W0000001", result={}),
        ])  # fmt: skip
        s.commit()


def test_earlier_cases_are_the_customers_others_newest_first(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    _cases(sessions)
    found = earlier_cases(sessions, ADA, exclude="case-webchat-now")
    assert [(c.case_id, c.category, c.status, c.actions) for c in found] == [
        ("case-email-new", "order_status", "awaiting_customer", ()),
        ("case-webchat-old", "return", "resolved", ("return_items",)),
    ]
    assert [c.case_id for c in earlier_cases(sessions, ADA, exclude="x", limit=1)] == [
        "case-webchat-now"
    ]


async def test_the_export_shows_consent_and_erasure_removes_it_and_the_kept_mail(
    sessions: sessionmaker[Session],
) -> None:
    create_shop(sessions)
    assert export_customer(sessions, EMAIL)["consent"] == Consent().as_document()
    set_consent(sessions, ADA, Consent(marketing=True), actor="cli", subject="s")
    assert export_customer(sessions, EMAIL)["consent"] == Consent(marketing=True).as_document()
    keys = CaseKeys(sessions, MasterKeys("k1", {"k1": b"\x01" * 32}))
    with sessions() as s:  # what the local mail sink kept: for her, and for someone else
        s.add(SinkMailRow(message_id="<m1@x>", to_address="Ada@Example.com", subject="s", body="b"))
        s.add(SinkMailRow(message_id="<m2@x>", to_address="bob@example.com", subject="s", body="b"))
        s.commit()
    await erase_customer(sessions, keys, None, EMAIL, actor="cli")
    with sessions() as s:
        assert s.scalars(select(CustomerConsentRow)).all() == []
        assert s.scalars(select(SinkMailRow.to_address)).all() == ["bob@example.com"]


def test_the_agent_uses_the_profile_beyond_the_request_only_with_consent(
    sqlite_sessions: sessionmaker[Session], policy: Policy
) -> None:
    create_shop(sqlite_sessions)
    deps = AgentDeps(
        shop=RetailActions(sqlite_sessions, policy),
        codes=StoredCodes(sqlite_sessions),
        brain=OfflineBrain(),
        policy=policy,
        autonomous_categories=frozenset(),
        consent=lambda customer_id: read_consent(sqlite_sessions, customer_id),
    )
    state: CaseState = {"verified": True, "customer_id": ADA, "captured": {}}
    without = gather_context(deps, state)["facts"]
    assert without["customer"]["id"] == ADA  # what the request needs, always
    assert "customer_name" not in without
    set_consent(sqlite_sessions, ADA, Consent(personalisation=True), actor="review:ad", subject="s")
    assert gather_context(deps, state)["facts"]["customer_name"] == "Ada"


def test_the_agent_reads_earlier_cases_only_with_past_cases_consent(
    sqlite_sessions: sessionmaker[Session], policy: Policy
) -> None:
    create_shop(sqlite_sessions)
    _cases(sqlite_sessions)
    deps = AgentDeps(
        shop=RetailActions(sqlite_sessions, policy),
        codes=StoredCodes(sqlite_sessions),
        brain=OfflineBrain(),
        policy=policy,
        autonomous_categories=frozenset(),
        consent=lambda customer_id: read_consent(sqlite_sessions, customer_id),
        records=StoredCustomerRecords(sqlite_sessions),
    )
    state: CaseState = {
        "verified": True, "customer_id": ADA, "captured": {}, "case_id": "case-webchat-now"
    }  # fmt: skip
    without = gather_context(deps, state)["facts"]
    assert "earlier_cases" not in without
    assert without["consent"] == Consent().as_document()
    set_consent(sqlite_sessions, ADA, Consent(past_cases=True), actor="review:ad", subject="s")
    listed = gather_context(deps, state)["facts"]["earlier_cases"]
    assert [c["case_id"] for c in listed] == ["case-email-new", "case-webchat-old"]
    assert listed[1] == {
        "case_id": "case-webchat-old",
        "category": "return",
        "status": "resolved",
        "actions": ["return_items"],
        "opened_at": listed[1]["opened_at"],
    }
    assert listed[1]["opened_at"].startswith("2024-01-01")


# --- shadow mode in the store ---------------------------------------------------------------


def test_shadow_mode_overrides_configuration_and_is_audited(
    sessions: sessionmaker[Session],
) -> None:
    configured = frozenset({"exchange"})
    assert read_controls(sessions, configured_shadow=configured).shadow == configured
    set_control(sessions, "return", killed=False, canary=None, shadow=True, actor="ad")
    set_control(sessions, "exchange", killed=False, canary=None, shadow=False, actor="ad")
    controls = read_controls(sessions, configured_shadow=configured)
    assert controls.shadow == {"return"} and controls.in_shadow("return")
    rows = {
        r.category: r
        for r in control_settings(
            sessions, ["exchange", "return", "order_status"], configured_shadow=configured
        )
    }
    assert rows["return"].shadow and not rows["exchange"].shadow
    assert not rows["order_status"].shadow and rows["order_status"].from_configuration
    events = audit(sessions, "controls.changed")
    assert [e.payload["after"]["shadow"] for e in events] == [True, False]
    with sessions() as s:
        assert verify_chain(s).ok


def test_shadow_categories_come_from_configuration(
    monkeypatch: pytest.MonkeyPatch, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    monkeypatch.setenv("TRUSTDESK_SHADOW_CATEGORIES", '["exchange"]')
    controls = load_operator_controls(Settings(data_dir=tmp_path), sqlite_sessions)
    assert controls == OperatorControls(shadow=frozenset({"exchange"}))


def test_sent_drafts_reach_the_dashboard_and_count_as_a_persons_decision(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        s.add(CaseRow(id="c-shadow", channel="webchat", thread_id="t", status="resolved",
                      category="return", captured={}))  # fmt: skip
        s.flush()
        for agreed in (True, False):
            append_event(
                s,
                kind="shadow.sent",
                actor="sam",
                payload={"category": "return", "agreed": agreed, "draft_id": "d"},
                case_id="c-shadow",
            )
        s.commit()
    data = metrics_input(sessions, datetime(2000, 1, 1, tzinfo=UTC))
    assert [(r.category, r.agreed) for r in data.shadow] == [("return", True), ("return", False)]
    assert data.cases[0].decided_by_person  # not counted as handled by the agent alone


# --- through the review UI -----------------------------------------------------------------


@pytest.fixture
async def http(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    create_shop(sqlite_sessions)
    create_user(sqlite_sessions, "ad", PASSWORD, "admin", None)
    create_user(sqlite_sessions, "al", PASSWORD, "agent", None)
    app = create_app(Settings(data_dir=tmp_path, secret_key=SECRET), sessions=sqlite_sessions)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://review.test") as client:
        yield client


def csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def test_an_admin_reads_and_changes_a_customers_consent(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "ad")
    start = await http.get("/review/admin/customers")
    assert 'href="/review/admin/customers"' in start.text  # the nav links it
    shown = await http.get("/review/admin/customers", params={"email": EMAIL})
    assert shown.status_code == 200 and "the defaults apply" in shown.text
    assert 'data-testid="consent-marketing"' in shown.text
    assert (await http.get("/review/admin/customers?email=x@y.z")).status_code == 404
    saved = await http.post(
        "/review/admin/customers/consent",
        data={"csrf_token": csrf(shown), "email": EMAIL, "personalisation": "on"},
    )
    assert saved.status_code == 303
    assert read_consent(sqlite_sessions, ADA) == Consent(personalisation=True)
    again = await http.get(saved.headers["location"])
    assert "last changed by review:ad" in again.text
    assert re.search(r'name="personalisation" value="on" checked', again.text)
    assert [e.actor for e in audit(sqlite_sessions, "consent.changed")] == ["review:ad"]


async def test_only_admins_change_consent(http: httpx.AsyncClient) -> None:
    await sign_in(http, "al")
    page = await http.get("/review/handoffs")
    assert 'href="/review/admin/customers"' not in page.text
    refused = await http.post(
        "/review/admin/customers/consent",
        data={"csrf_token": csrf(page), "email": EMAIL, "marketing": "on"},
    )
    assert refused.status_code == 403


async def test_an_admin_puts_a_category_in_shadow_mode(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "ad")
    page = await http.get("/review/admin/controls")
    version = re.search(r'data-testid="policy-version">([^<]+)<', page.text)
    assert version and 'data-testid="shadow"' in page.text
    saved = await http.post(
        "/review/admin/controls/return", data={"shadow": "on", "csrf_token": csrf(page)}
    )
    assert saved.status_code == 303
    shown = await http.get(saved.headers["location"])
    assert "shadow mode</strong>" in shown.text
    changed = re.search(r'data-testid="policy-version">([^<]+)<', shown.text)
    assert changed and changed.group(1) != version.group(1)
    assert read_controls(sqlite_sessions).shadow == {"return"}
    assert audit(sqlite_sessions, "controls.changed")[-1].actor == "ad"


# --- "what do you store about me?" in chat ---------------------------------------------------


@pytest.fixture
def kb(sessions: sessionmaker[Session], tmp_path: Path) -> KnowledgeBase:
    directory = tmp_path / "knowledge"
    assert install_default_articles(directory)
    base = KnowledgeBase(sessions, policy_placeholders(load_policy()), directory)
    base.sync_from_dir()
    return base


@pytest.mark.parametrize(
    "question, says",
    [
        ("what do you store about me?", ("payment method", "export")),
        ("what personal data do you keep about me", ("postal address", "export")),
        ("how do I delete my data?", ("erases your data", "pseudonym")),
        ("can you delete everything you have on me", ("erases your data", "pseudonym")),
        ("what may you use my data for?", ("personalise", "off until you switch them on")),
    ],
)
def test_a_customer_asking_what_is_stored_gets_the_true_answer(
    kb: KnowledgeBase, question: str, says: tuple[str, ...]
) -> None:
    answer = answer_from_passages(question, kb.search(question))
    assert answer.kind == "answer" and answer.slug == "account", (question, answer)
    for words in says:
        assert words in answer.text, (question, answer.text)


def _shadow_events(sessions: sessionmaker[Session], events: list[tuple[str, str]]) -> None:
    with sessions() as s:
        for case_id, kind in events:
            append_event(
                s, kind=kind, actor="agent", payload={"category": "return"}, case_id=case_id
            )
        s.commit()


def test_drafts_wait_until_a_person_sends_them(sessions: sessionmaker[Session]) -> None:
    _shadow_events(
        sessions,
        [
            ("c1", "shadow.drafted"),
            ("c2", "shadow.drafted"),
            ("c3", "shadow.drafted"),
            ("c2", "shadow.sent"),
            ("c3", "shadow.superseded"),
            ("c3", "shadow.drafted"),
            ("c4", "action.executed"),
        ],
    )
    assert [d.case_id for d in waiting_drafts(sessions)] == ["c1", "c3"]


async def test_the_inbox_lists_the_drafts_waiting(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    _shadow_events(sqlite_sessions, [("case-webchat-d1", "shadow.drafted")])
    await sign_in(http, "al")
    inbox = await http.get("/review/handoffs")
    assert 'data-case-id="case-webchat-d1"' in inbox.text
    assert 'href="/review/cases/case-webchat-d1"' in inbox.text


async def test_the_dashboard_shows_agreement_per_category(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    with sqlite_sessions() as s:
        for agreed in (True, False, False, True):
            append_event(
                s,
                kind="shadow.sent",
                actor="sam",
                payload={"category": "exchange", "agreed": agreed},
                case_id="case-webchat-x",
            )
        s.commit()
    await sign_in(http, "al")
    page = await http.get("/review/metrics")
    row = re.search(r'<tr data-category="exchange"><td>exchange</td><td>4</td><td>2</td>'
                    r'<td data-testid="agreement">([^<]+)</td>', page.text)  # fmt: skip
    assert row and row.group(1) == "50%", page.text
