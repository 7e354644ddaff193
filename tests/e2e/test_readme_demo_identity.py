"""The README's demo under the shipped (strict) identity rules, walked as the README says.

On the demo store: ask to return the earbuds of #W1000007, give the email when
asked; the agent sends a one-time code to that address, which on the embedded
default lands in the local mail sink; a support agent added with `trustdesk users
add` reads it at /review/mail; the code typed in the chat, then *yes*, returns them.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.identity import IdentityLevel
from domain.policy import Policy, load_policy
from store.db import make_engine, migrate, session_factory
from store.seed import seed
from tests.e2e.conftest import Web
from tests.waiting import wait_until
from tests.workflows.conftest import TEST_MAIL_SEAL
from trustdesk.cli import main as trustdesk
from workers.email import MailSinkSender
from workers.outbox import OutboxDispatcher

PASSPHRASE = "a-long-passphrase"


@pytest.fixture(scope="session")
def policy() -> Policy:
    shipped = load_policy()
    assert shipped.identity.change is IdentityLevel.ONE_TIME_CODE
    return shipped


@pytest.fixture
def shop_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """The demo store, as `trustdesk up` seeds it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    seed(sessions, "demo")
    yield sessions
    engine.dispose()


async def chat(web: Web, thread: str, text: str) -> str:
    response = await web.http.post(
        "/api/messages", json={"channel": "webchat", "thread_id": thread, "text": text}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["replies"][-1]["text"])


async def test_the_readme_demo_reads_the_code_in_the_review_uis_mail_page(
    web: Web, shop_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = web.new_thread()
    asked = await chat(web, thread, "I'd like to return the earbuds from order #W1000007")
    assert "email" in asked
    prompt = await chat(web, thread, "chloe.nguyen@example.com")
    assert "a six-digit code is on its way" in prompt

    # The outbox delivers the code to the local mail sink (trustdesk up's default).
    dispatcher = OutboxDispatcher(
        shop_sessions, "mail", MailSinkSender(
            shop_sessions, "support@trustdesk.localhost", TEST_MAIL_SEAL
        ),
    )

    async def delivered() -> bool:
        return await dispatcher.deliver_due() > 0

    await wait_until(delivered, timeout=20, what="the code in the mail sink")

    # "add yourself as a support agent": the README's command, with this store.
    monkeypatch.setenv("TRUSTDESK_DATABASE_URL", str(shop_sessions.kw["bind"].url))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    assert await asyncio.to_thread(trustdesk, ["users", "add", "al", "--role", "agent"]) == 0

    reviewer = web.http  # the same browser, signed in to the review UI
    form = await reviewer.get("/review/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    signed = await reviewer.post(
        "/review/login",
        data={"username": "al", "password": PASSPHRASE, "csrf_token": token.group(1)},
    )
    assert signed.status_code == 303
    mail = await reviewer.get("/review/mail")
    assert mail.status_code == 200
    assert "chloe.nguyen@example.com" in mail.text
    code = re.search(r"verification code is (\d{6})", mail.text)
    assert code, mail.text

    confirm = await chat(web, thread, code.group(1))
    assert "#W1000007" in confirm and "89.00" in confirm and "yes" in confirm.lower()
    done = await chat(web, thread, "yes")
    assert done.startswith("Done")
