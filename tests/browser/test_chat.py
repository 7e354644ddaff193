"""The customer's chat page in Chromium, with an approver in a second browser.

A customer asks for a return above the automatic limit in `/chat`; an approver,
signed in to the review UI in their own browser context, approves it; the
confirmation appears in the customer's open page, which nobody reloads. The page
reads the customer's transcript itself (`GET /api/chat/{thread}/messages`), and the
webchat outbox dispatcher records that the later reply was delivered, as
`trustdesk outbox` does in production.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from playwright.async_api import Page, expect

from store.outbox import outbox_status
from tests.browser.conftest import LiveWeb, screenshot
from tests.waiting import wait_until
from workers.outbox import OutboxDispatcher
from workers.senders import WebchatSender
from workflows.contracts import case_id_for

#: The page polls for later replies 1 s after activity, doubling to once every 30 s while
#: nothing arrives, so a reply can take up to one full back-off step (30 s) to show, plus
#: the work behind it on a busy machine.
LATER_REPLY_MS = 60_000


@pytest.fixture
async def webchat_outbox(live_web: LiveWeb) -> AsyncIterator[None]:
    dispatcher = OutboxDispatcher(live_web.harness.sessions, "webchat", WebchatSender())
    stop = asyncio.Event()
    run = asyncio.create_task(dispatcher.run(stop, idle=0.05, idle_max=0.2))
    yield
    stop.set()
    await run


async def say(page: Page, text: str) -> None:
    """Type a message and send it, as a customer does; returns once the answer is shown."""
    log = page.locator("#log li")
    before = await log.count()
    await page.get_by_placeholder("Type your message").fill(text)
    await page.get_by_role("button", name="Send", exact=True).click()
    # The customer's message and at least one answer, both read back from the transcript.
    await expect(log.nth(before + 1)).to_be_visible()
    await expect(page.locator("#log li.pending")).to_have_count(0)


async def test_an_approval_reaches_the_open_chat_which_survives_a_reload(
    live_web: LiveWeb,
    page: Page,
    new_page: Callable[..., Awaitable[Page]],
    webchat_outbox: None,
) -> None:
    # The approver is signed in first, with the approvals queue open in their own browser.
    live_web.add_user("pat", "approver", "1000")
    approver = await new_page()
    await live_web.login(approver, "pat")
    await expect(approver).to_have_url(f"{live_web.base_url}/review/approvals")

    await page.goto(f"{live_web.base_url}/chat")
    await expect(page.locator("#notice")).to_contain_text("AI assistant")
    await expect(page.get_by_role("button", name="Talk to a human")).to_be_visible()
    agent_said = page.locator("#log li.agent")
    status = page.locator("#status")

    await say(page, "I'd like to return order #W0000003, my email is ada@example.com")
    await expect(agent_said.last).to_contain_text("An approver will need to sign this off")
    await say(page, "yes")
    told = agent_said.last
    await expect(told).to_contain_text("an approver will review this")
    await expect(told).to_contain_text(re.compile(r"expect an answer within \d+ (hours|minutes)"))
    await expect(told.locator(".reason")).to_contain_text("Why:")
    await expect(status).to_have_text("Case status: awaiting approval")
    await screenshot(page, "chat-awaiting-approval")

    thread = await page.evaluate("localStorage.getItem('trustdesk.thread')")
    case_id = case_id_for("webchat", thread)
    # Marks this document: a reload would lose the mark.
    await page.evaluate("window.stillTheSamePage = true")

    # The request appears in the approver's open queue; they open the case and approve.
    row = approver.locator(f'[data-testid="approval-row"][data-case-id="{case_id}"]')
    await expect(row).to_contain_text("899.00")
    await row.get_by_role("link", name="Review").click()
    await expect(approver.get_by_test_id("pending-amount")).to_have_text("899.00")
    await approver.get_by_test_id("approve").click()
    await expect(approver.get_by_test_id("notice")).to_contain_text("Approved")

    # The confirmation arrives in the customer's page, still the same document.
    confirmation = agent_said.last
    await expect(confirmation).to_contain_text("Done:", timeout=LATER_REPLY_MS)
    await expect(confirmation).to_contain_text("899.00")
    await expect(status).to_have_text("Case status: resolved")
    assert await page.evaluate("window.stillTheSamePage === true")
    await screenshot(page, "chat-approved")

    transcript = (await live_web.case(case_id))["transcript"]
    seq = transcript[-1]["seq"]

    async def delivered() -> bool:
        return outbox_status(live_web.harness.sessions, f"{case_id}/msg-{seq}") == "delivered"

    await wait_until(delivered, what="the webchat outbox row marked delivered")

    # A reload shows the same conversation: the thread id is kept in localStorage.
    shown = await page.locator("#log li").all_inner_texts()
    assert len(shown) == len(transcript)
    await page.reload()
    assert await page.evaluate("window.stillTheSamePage === undefined")
    await expect(page.locator("#log li")).to_have_count(len(transcript))
    assert await page.locator("#log li").all_inner_texts() == shown
    await expect(status).to_have_text("Case status: resolved")

    # "Talk to a human" is there at all times, and hands the conversation to a person.
    await page.get_by_role("button", name="Talk to a human").click()
    await expect(page.locator("#log li.customer").last).to_contain_text("talk to a human")
    await expect(agent_said.last).to_contain_text("handing this to a colleague")
    await expect(status).to_have_text("Case status: escalated")
    await screenshot(page, "chat-escalated")
    assert (await live_web.case(case_id))["status"] == "escalated"
