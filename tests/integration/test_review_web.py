"""The review UI's web layer on a real SQLite store: sign-in, sessions, CSRF, roles, lists.

No Temporal here: these pages read the store's projection, written directly by the
test as `record_case` would. Pages that read a live case are covered by tests/browser.
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

from store.models import (
    ApprovalRow,
    AuditEventRow,
    CaseRow,
    CustomerRow,
    HandoffRow,
    MessageRow,
    OutboxRow,
    RevokedSessionRow,
)
from store.outbox import claim_due, mark_failed, outbox_status
from trustdesk.config import Settings
from web.app import create_app
from web.users import create_user, revoke_session, session_revoked

PASSWORD = "correct horse battery staple"
SECRET = "review-web-test-secret-" + "x" * 32
NOW = datetime.now(UTC)


@pytest.fixture
def app(sqlite_sessions: sessionmaker[Session], tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "web", secret_key=SECRET)
    for name, role, limit in (
        ("pat", "approver", "1000"),
        ("al", "agent", None),
        ("ad", "admin", None),
    ):
        create_user(sqlite_sessions, name, PASSWORD, role, Decimal(limit) if limit else None)
    return create_app(settings, sessions=sqlite_sessions)


async def client_for(app, base_url: str = "http://review.test") -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with await client_for(app) as client:
        yield client


def login_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(
    http: httpx.AsyncClient, name: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    form = await http.get("/review/login")
    return await http.post(
        "/review/login",
        data={"username": name, "password": password, "csrf_token": login_token(form), **extra},
    )


def cookie_header(response: httpx.Response, name: str) -> str:
    for value in response.headers.get_list("set-cookie"):
        if value.startswith(name + "="):
            return value
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


# --- signing in ---------------------------------------------------------------------------


async def test_review_sends_people_to_sign_in_and_back(http: httpx.AsyncClient) -> None:
    home = await http.get("/review")
    assert home.status_code == 303 and home.headers["location"] == "/review/login"
    queue = await http.get("/review/approvals?risk=high")
    assert queue.status_code == 303
    assert queue.headers["location"] == "/review/login?next=/review/approvals%3Frisk%3Dhigh"

    form = await http.get("/review/login")
    assert form.status_code == 200 and "Sign in to review" in form.text
    assert "script-src 'self';" in form.headers["content-security-policy"]
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["x-frame-options"] == "DENY"
    nonce = cookie_header(form, "trustdesk_review_login").lower()
    assert "httponly" in nonce and "samesite=lax" in nonce and "path=/review" in nonce

    signed = await sign_in(http, "pat", next="/review/approvals?risk=high")
    assert signed.status_code == 303 and signed.headers["location"] == "/review/approvals?risk=high"
    session = cookie_header(signed, "trustdesk_review").lower()
    assert "httponly" in session and "samesite=lax" in session and "secure" not in session
    assert (await http.get("/review")).headers["location"] == "/review/approvals"
    # Already signed in: the sign-in page sends you on.
    assert (await http.get("/review/login")).headers["location"] == "/review/approvals"


async def test_session_cookies_are_secure_over_https(app) -> None:  # type: ignore[no-untyped-def]
    async with await client_for(app, "https://review.test") as http:
        signed = await sign_in(http, "pat")
        assert signed.status_code == 303
        assert "secure" in cookie_header(signed, "trustdesk_review").lower()


async def test_each_role_lands_on_its_own_page_and_a_foreign_next_is_ignored(app) -> None:  # type: ignore[no-untyped-def]
    for name, home in (("al", "/review/handoffs"), ("ad", "/review/approvals")):
        async with await client_for(app) as http:
            signed = await sign_in(http, name, next="https://evil.example/review")
            assert signed.headers["location"] == home


async def test_sign_in_needs_the_form_token(http: httpx.AsyncClient) -> None:
    await http.get("/review/login")
    r = await http.post("/review/login", data={"username": "pat", "password": PASSWORD})
    assert r.status_code == 403 and "form expired" in r.text
    assert "trustdesk_review=" not in " ".join(r.headers.get_list("set-cookie"))
    http.cookies.clear()  # a token from a page this browser never loaded
    r = await http.post(
        "/review/login",
        data={"username": "pat", "password": PASSWORD, "csrf_token": "made-up"},
    )
    assert r.status_code == 403


async def test_failed_sign_ins_are_rate_limited_with_a_clear_page(http: httpx.AsyncClient) -> None:
    for _ in range(5):
        wrong = await sign_in(http, "pat", "not the password")
        assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    # Even the right password waits now: the pause does not depend on guessing right.
    paused = await sign_in(http, "pat")
    assert paused.status_code == 429
    words = " ".join(paused.text.split())
    assert "Too many sign-in attempts" in words and "try again in about 15 minutes" in words
    assert 0 < int(paused.headers["retry-after"]) <= 900
    other = await sign_in(http, "al")  # another username from the same address is not held up
    assert other.status_code == 303


async def test_unknown_users_and_oversized_input_are_just_wrong(http: httpx.AsyncClient) -> None:
    assert (await sign_in(http, "nobody")).status_code == 401
    assert (await sign_in(http, "p" * 500)).status_code == 401
    assert (await sign_in(http, "pat", "x" * 5000)).status_code == 401


async def test_signing_out_needs_the_token_and_ends_the_session(http: httpx.AsyncClient) -> None:
    await sign_in(http, "pat")
    stolen = http.cookies.get("trustdesk_review", path="/review")
    queue = await http.get("/review/approvals")
    assert queue.status_code == 200
    refused = await http.post("/review/logout", data={})
    assert refused.status_code == 403 and "security token" in refused.text
    out = await http.post("/review/logout", data={"csrf_token": login_token(queue)})
    assert out.status_code == 303 and out.headers["location"] == "/review/login?notice=signed_out"
    assert (await http.get("/review/approvals")).status_code == 303
    http.cookies.set("trustdesk_review", stolen or "", path="/review")  # the old cookie, replayed
    assert (await http.get("/review/approvals")).status_code == 303


async def test_a_signed_out_session_is_refused_by_every_web_process(
    app, sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    other = create_app(
        Settings(data_dir=tmp_path / "web-2", secret_key=SECRET), sessions=sqlite_sessions
    )
    async with await client_for(app) as first, await client_for(other) as second:
        await sign_in(first, "pat")
        cookie = first.cookies.get("trustdesk_review", path="/review") or ""
        second.cookies.set("trustdesk_review", cookie, path="/review")
        queue = await second.get("/review/approvals")
        assert queue.status_code == 200  # the same session, served by another process
        out = await second.post("/review/logout", data={"csrf_token": login_token(queue)})
        assert out.status_code == 303
        assert (await first.get("/review/approvals")).status_code == 303
    with sqlite_sessions() as s:
        (revoked,) = s.scalars(select(RevokedSessionRow))
        assert revoked.username == "pat" and revoked.expires_at > datetime.now(UTC)


def test_sign_outs_are_forgotten_once_their_sessions_would_have_expired(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    long_gone = int((NOW - timedelta(hours=1)).timestamp())
    later = int((NOW + timedelta(hours=1)).timestamp())
    revoke_session(sqlite_sessions, "old-sid", "pat", long_gone)
    revoke_session(sqlite_sessions, "new-sid", "pat", later)
    revoke_session(sqlite_sessions, "new-sid", "pat", later)  # signing out twice is fine
    assert session_revoked(sqlite_sessions, "new-sid")
    assert not session_revoked(sqlite_sessions, "old-sid")
    assert not session_revoked(sqlite_sessions, "never-signed-out")


# --- roles ------------------------------------------------------------------------------------


async def test_pages_refuse_roles_they_are_not_for(app) -> None:  # type: ignore[no-untyped-def]
    expectations = {
        "pat": {
            "/review/approvals": 200,
            "/review/handoffs": 403,
            "/review/outbox": 403,
            "/review/metrics": 200,
            "/review/admin/users": 403,
            "/review/admin/policy": 403,
        },
        "al": {
            "/review/approvals": 403,
            "/review/handoffs": 200,
            "/review/outbox": 200,
            "/review/metrics": 200,
            "/review/admin/users": 403,
        },
        "ad": {
            "/review/approvals": 200,
            "/review/handoffs": 200,
            "/review/outbox": 200,
            "/review/admin/users": 200,
            "/review/admin/policy": 200,
        },
    }
    for name, pages in expectations.items():
        async with await client_for(app) as http:
            await sign_in(http, name)
            for path, status in pages.items():
                r = await http.get(path)
                assert r.status_code == status, (name, path, r.status_code)
                if status == 403:
                    assert "Not allowed" in r.text and "cannot" in r.text
    async with await client_for(app) as http:
        await sign_in(http, "ad")
        users = await http.get("/review/admin/users")
        assert all(n in users.text for n in ("pat", "al", "ad")) and "1,000.00" in users.text
        assert "password" not in users.text.lower().replace("the password is read", "")
        policy = await http.get("/review/admin/policy")
        assert (
            "return items" in policy.text and "250.00" in policy.text and "5,000.00" in policy.text
        )


# --- the lists, from the store's projection -----------------------------------------------------


def add_case(
    sessions: sessionmaker[Session],
    case_id: str,
    *,
    status: str,
    customer: str | None = "ada",
    minutes_ago: int = 0,
    approval: tuple[str, str, str] | None = None,
    handoff: str | None = None,
    earlier_cases: list[dict[str, object]] | None = None,
) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    with sessions() as s:
        if customer and s.get(CustomerRow, customer) is None:
            s.add(
                CustomerRow(
                    id=customer, first_name="Ada", last_name="Lovelace", email="ada@example.com"
                )
            )
        s.add(
            CaseRow(
                id=case_id,
                channel="webchat",
                thread_id=case_id,
                customer_id=customer,
                status=status,
                captured={},
                created_at=at,
                updated_at=at,
            )
        )
        s.flush()
        s.add(
            MessageRow(
                case_id=case_id, seq=1, role="customer", text=f"help with {case_id}", created_at=at
            )
        )
        s.add(
            MessageRow(
                case_id=case_id,
                seq=2,
                role="agent",
                text="on it",
                created_at=at + timedelta(seconds=2),
            )
        )
        if approval:
            action, amount, risk = approval
            s.add(
                ApprovalRow(
                    id=f"{case_id}/approval-1",
                    case_id=case_id,
                    action=action,
                    amount=Decimal(amount),
                    tier="approver",
                    risk=risk,
                    reasons=["why"],
                    status="pending",
                    decided_by=[],
                    requested_at=at,
                )
            )
        if handoff:
            record = {
                "reason": handoff,
                "category": "complaint",
                "customer_id": customer,
                "order_id": "#W0000002",
                "issue": "it broke",
                "preferred_resolution": "refund",
                "actions_taken": [],
                "created_at": at.isoformat(),
            }
            if earlier_cases is not None:
                record["earlier_cases"] = earlier_cases
            s.add(
                HandoffRow(
                    case_id=case_id, reason=handoff, record=record, status="open", created_at=at
                )
            )
        s.commit()


def row_ids(page: httpx.Response) -> list[str]:
    return re.findall(r'data-testid="approval-row" data-case-id="([^"]+)"', page.text)


async def test_the_queue_filters_sorts_and_says_when_it_is_empty(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "pat")
    empty = await http.get("/review/approvals")
    assert row_ids(empty) == [] and "Nothing is waiting for approval" in empty.text

    add_case(
        sqlite_sessions,
        "case-webchat-old",
        status="awaiting_approval",
        minutes_ago=250,
        approval=("return_items", "899.00", "medium"),
    )
    add_case(
        sqlite_sessions,
        "case-webchat-new",
        status="awaiting_approval",
        minutes_ago=5,
        approval=("cancel_order", "2400.00", "high"),
    )
    add_case(sqlite_sessions, "case-webchat-done", status="resolved", minutes_ago=1)

    page = await http.get("/review/approvals")
    assert row_ids(page) == ["case-webchat-new", "case-webchat-old"]
    assert "overdue by" in page.text and "of 240 min" in page.text and "Ada Lovelace" in page.text
    assert row_ids(await http.get("/review/approvals?sort=oldest")) == [
        "case-webchat-old",
        "case-webchat-new",
    ]
    assert row_ids(await http.get("/review/approvals?risk=high")) == ["case-webchat-new"]
    assert row_ids(await http.get("/review/approvals?action=return_items")) == ["case-webchat-old"]
    none = await http.get("/review/approvals?action=return_items&risk=high")
    assert row_ids(none) == [] and "No waiting approvals match these filters" in none.text
    # Unknown filter values are ignored, never echoed.
    odd = await http.get("/review/approvals?risk=%3Cscript%3E&sort=sideways")
    assert len(row_ids(odd)) == 2 and "<script>" not in odd.text

    rows = await http.get("/review/approvals?risk=high&part=rows")
    assert rows.headers["x-review-fragment"] == "1" and "<html" not in rows.text
    assert row_ids(rows) == ["case-webchat-new"]


async def test_the_inbox_lists_escalated_cases_with_their_handoff_record(
    app,
    sqlite_sessions: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    add_case(
        sqlite_sessions,
        "case-webchat-angry",
        status="escalated",
        minutes_ago=30,
        handoff="a complaint deserves a person's attention",
    )
    add_case(
        sqlite_sessions,
        "case-webchat-handed-back",
        status="open",
        minutes_ago=60,
        handoff="the customer asked for a person",
    )
    async with await client_for(app) as http:
        await sign_in(http, "al")
        inbox = await http.get("/review/handoffs")
        assert 'data-case-id="case-webchat-angry"' in inbox.text
        assert "case-webchat-handed-back" not in inbox.text  # no longer escalated
        assert "a complaint deserves a person&#39;s attention" in inbox.text
        assert "#W0000002" in inbox.text and "it broke" in inbox.text and "refund" in inbox.text
        assert "help with case-webchat-angry" in inbox.text
        assert 'action="/review/cases/case-webchat-angry/reply"' in inbox.text
    async with await client_for(app) as http:
        await sign_in(http, "ad")  # admins see the inbox but do not answer customers
        inbox = await http.get("/review/handoffs")
        assert 'data-case-id="case-webchat-angry"' in inbox.text and "/reply" not in inbox.text


async def test_a_handoff_record_lists_earlier_cases_only_where_the_customer_allowed_it(
    app,
    sqlite_sessions: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    earlier = {"case_id": "case-email-before", "category": "return", "status": "resolved",
               "actions": ["return_items"], "opened_at": "2024-01-02T10:00:00+00:00"}  # fmt: skip
    add_case(sqlite_sessions, "case-webchat-allowed", status="escalated", handoff="asked",
             earlier_cases=[earlier])  # fmt: skip
    add_case(sqlite_sessions, "case-webchat-none-yet", status="escalated", handoff="asked",
             customer="bob", earlier_cases=[])  # fmt: skip
    add_case(sqlite_sessions, "case-webchat-private", status="escalated", handoff="asked",
             customer="cy")  # fmt: skip
    async with await client_for(app) as http:
        await sign_in(http, "al")
        inbox = await http.get("/review/handoffs")
    cells = dict(
        re.findall(
            r'data-testid="handoff" data-case-id="([^"]+)"'
            r'.*?data-testid="earlier-cases">(.*?)</dd>',
            inbox.text,
            re.DOTALL,
        )
    )
    allowed = cells["case-webchat-allowed"]
    assert 'href="/review/cases/case-email-before"' in allowed
    assert "return · resolved (return_items) · 2024-01-02 10:00:00 UTC" in allowed
    assert cells["case-webchat-none-yet"] == "none"
    assert cells["case-webchat-private"].startswith("not shown")


async def test_the_dashboard_draws_charts_from_the_projection(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "pat")
    empty = await http.get("/review/metrics")
    assert (
        empty.status_code == 200
        and "<svg" not in empty.text
        and "No cases in this period" in empty.text
    )
    add_case(sqlite_sessions, "case-webchat-a", status="resolved")
    add_case(
        sqlite_sessions,
        "case-webchat-b",
        status="awaiting_approval",
        approval=("return_items", "899.00", "medium"),
    )
    page = await http.get("/review/metrics")
    assert page.text.count("<svg") == 4
    assert re.search(r'data-testid="total-cases">2<', page.text)
    assert re.search(r'data-testid="approvals-waiting">1<', page.text)
    assert "median 2.0 s" in page.text


async def test_case_pages_say_what_went_wrong(app) -> None:  # type: ignore[no-untyped-def]
    # This app was built without a connection to Temporal, as while the web process starts.
    async with await client_for(app) as http:
        await sign_in(http, "pat")
        waiting = await http.get("/review/cases/case-webchat-0123456789abcdef")
        assert waiting.status_code == 503 and "still connecting to Temporal" in waiting.text
        assert "Sign out" in waiting.text  # the navigation is still there
        bad = await http.get("/review/cases/not-a-case")
        assert bad.status_code == 404 and "No such case" in bad.text
        missing = await http.get("/review/static/secrets.txt")
        assert missing.status_code == 404
        script = await http.get("/review/static/review.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]


# --- undelivered replies: the outbox's dead letters ----------------------------------------------


def dead_letter(
    sessions: sessionmaker[Session],
    message_id: str,
    *,
    text: str = "Good news: your return of order #W0000003 is approved.",
    error: str = "sms provider answered 410 Gone",
    channel: str = "sms",
) -> None:
    """A later reply queued in the outbox (as `record_case` queues it), then given up on by a
    dispatcher."""
    with sessions() as s:
        s.add(
            OutboxRow(
                message_id=message_id, case_id=message_id.split("/")[0], channel=channel,
                thread_id="thread-1", role="agent", text=text, status="pending",
            )
        )  # fmt: skip
        s.commit()
    [claimed] = claim_due(
        sessions, channel, "test-dispatcher", lease=timedelta(minutes=1), max_attempts=8
    )
    assert mark_failed(sessions, claimed.message_id, "test-dispatcher", error, retry_at=None)


def dead_letter_ids(page: httpx.Response) -> list[str]:
    return re.findall(r'data-testid="dead-letter" data-message-id="([^"]+)"', page.text)


async def test_undelivered_replies_are_listed_for_agents_and_admins(
    app,  # type: ignore[no-untyped-def]
    sqlite_sessions: sessionmaker[Session],
) -> None:
    async with await client_for(app) as http:
        await sign_in(http, "al")
        empty = await http.get("/review/outbox")
        assert empty.status_code == 200 and dead_letter_ids(empty) == []
        assert "Nothing is undelivered" in empty.text
        assert re.search(r'href="/review/outbox" aria-current="page">Undelivered', empty.text)

        dead_letter(sqlite_sessions, "case-sms-older/msg-4", text="<script>alert(1)</script> hi")
        long_error = "relay refused: " + "550 mailbox unavailable " * 20
        dead_letter(sqlite_sessions, "case-email-newer/msg-2", error=long_error, channel="email")

        page = await http.get("/review/outbox")
        assert dead_letter_ids(page) == ["case-email-newer/msg-2", "case-sms-older/msg-4"]
        assert 'href="/review/cases/case-sms-older"' in page.text
        assert "410 Gone" in page.text and "<details>" in page.text  # a long error folds
        assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
        assert "from the AI assistant" in page.text and " ago<" in page.text
        assert re.search(r'class="num">1<', page.text)  # one attempt each
        assert page.text.count('action="/review/outbox/retry"') == 2
        assert re.search(r'title="replies not delivered">2<', page.text)

        rows = await http.get("/review/outbox?part=list")
        assert rows.headers["x-review-fragment"] == "1" and "<html" not in rows.text
        assert len(dead_letter_ids(rows)) == 2

    async with await client_for(app) as http:
        await sign_in(http, "ad")
        assert len(dead_letter_ids(await http.get("/review/outbox"))) == 2
    async with await client_for(app) as http:
        await sign_in(http, "pat")  # approvers have no link to the page and cannot open it
        queue = await http.get("/review/approvals")
        assert "/review/outbox" not in queue.text
        refused = await http.get("/review/outbox")
        assert refused.status_code == 403 and "cannot view undelivered replies" in refused.text


async def test_retrying_a_dead_letter_needs_the_token_and_the_role_and_requeues_it(
    app,  # type: ignore[no-untyped-def]
    sqlite_sessions: sessionmaker[Session],
) -> None:
    message_id = "case-sms-0123456789abcdef/msg-6"
    dead_letter(sqlite_sessions, message_id)
    retry = {"message_id": message_id}

    async with await client_for(app) as http:
        await sign_in(http, "pat")
        token = login_token(await http.get("/review/approvals"))
        refused = await http.post("/review/outbox/retry", data={**retry, "csrf_token": token})
        assert refused.status_code == 403 and "cannot retry undelivered replies" in refused.text
    assert outbox_status(sqlite_sessions, message_id) == "dead"

    async with await client_for(app) as http:
        await sign_in(http, "al")
        page = await http.get("/review/outbox")
        token = login_token(page)
        no_token = await http.post("/review/outbox/retry", data=retry)
        assert no_token.status_code == 403 and "security token" in no_token.text
        forged = await http.post("/review/outbox/retry", data={**retry, "csrf_token": "forged"})
        assert forged.status_code == 403
        assert outbox_status(sqlite_sessions, message_id) == "dead"

        done = await http.post("/review/outbox/retry", data={**retry, "csrf_token": token})
        assert done.status_code == 303
        assert done.headers["location"] == "/review/outbox?notice=requeued"
        after = await http.get(done.headers["location"])
        assert "Queued for delivery again" in after.text and dead_letter_ids(after) == []
        assert "Nothing is undelivered" in after.text

        # Back to pending with a fresh set of attempts: the next dispatcher pass sends it.
        with sqlite_sessions() as s:
            row = s.scalars(select(OutboxRow).where(OutboxRow.message_id == message_id)).one()
            assert (row.status, row.attempts) == ("pending", 0)
            [event] = s.scalars(
                select(AuditEventRow).where(AuditEventRow.kind == "outbox.requeued")
            ).all()
            assert (event.actor, event.case_id) == ("al", "case-sms-0123456789abcdef")
            assert event.payload["message_id"] == message_id
        [again] = claim_due(
            sqlite_sessions, "sms", "test-dispatcher", lease=timedelta(minutes=1), max_attempts=8
        )
        assert (again.message_id, again.attempt) == (message_id, 1)

        # A second retry (another tab, a colleague) finds nothing to do and says so.
        twice = await http.post("/review/outbox/retry", data={**retry, "csrf_token": token})
        assert twice.status_code == 409 and "not among the undelivered replies" in twice.text
        blank = await http.post("/review/outbox/retry", data={"csrf_token": token})
        assert blank.status_code == 422 and "Choose a message" in blank.text


async def test_an_admin_disables_enables_and_signs_a_user_out_everywhere(
    app,  # type: ignore[no-untyped-def]
) -> None:
    async with await client_for(app) as pat:
        await sign_in(pat, "pat")
        assert (await pat.get("/review/approvals")).status_code == 200
        async with await client_for(app) as admin:
            await sign_in(admin, "ad")
            page = await admin.get("/review/admin/users")
            token = login_token(page)
            assert 'data-testid="disable-pat"' in page.text
            forged = await admin.post("/review/admin/users/pat/revoke", data={"csrf_token": "x"})
            assert forged.status_code == 403
            assert (await pat.get("/review/approvals")).status_code == 200

            done = await admin.post("/review/admin/users/pat/revoke", data={"csrf_token": token})
            assert done.headers["location"] == "/review/admin/users?notice=revoked"
            assert (await pat.get("/review/approvals")).status_code == 303  # signed out
            await sign_in(pat, "pat")
            assert (await pat.get("/review/approvals")).status_code == 200

            done = await admin.post("/review/admin/users/pat/disable", data={"csrf_token": token})
            after = await admin.get(done.headers["location"])
            assert "Disabled" in after.text and 'data-testid="enable-pat"' in after.text
            assert (await pat.get("/review/approvals")).status_code == 303
            assert (await sign_in(pat, "pat")).status_code == 401

            await admin.post("/review/admin/users/pat/enable", data={"csrf_token": token})
            assert (await sign_in(pat, "pat")).status_code == 303
            itself = await admin.post("/review/admin/users/ad/disable", data={"csrf_token": token})
            assert itself.headers["location"].endswith("notice=not_yourself")

        async with await client_for(app) as agent:
            await sign_in(agent, "al")
            token = login_token(await agent.get("/review/handoffs"))
            refused = await agent.post(
                "/review/admin/users/pat/disable", data={"csrf_token": token}
            )
            assert refused.status_code == 403
