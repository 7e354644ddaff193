"""The review UI's list of undelivered replies in Chromium: a support agent retries one."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page, expect

from store.models import OutboxRow
from store.outbox import claim_due, mark_failed, outbox_status
from tests.browser.conftest import LiveWeb, screenshot

MESSAGE_ID = "case-sms-5f0c2a9e4b7d4c1a/msg-4"


def give_up_on_a_reply(live_web: LiveWeb) -> None:
    """An SMS reply the provider refused for good, as the sms dispatcher records it."""
    sessions = live_web.harness.sessions
    with sessions() as s:
        s.add(
            OutboxRow(
                message_id=MESSAGE_ID, case_id=MESSAGE_ID.split("/")[0], channel="sms",
                thread_id="+15550100", role="human",
                text="Hi Ada, your replacement chair ships tomorrow.", status="pending",
            )
        )  # fmt: skip
        s.commit()
    [claimed] = claim_due(
        sessions, "sms", "sms-dispatcher", lease=timedelta(minutes=1), max_attempts=8
    )
    error = "https://sms.example/outbound answered 404 Not Found"
    assert mark_failed(sessions, claimed.message_id, "sms-dispatcher", error, retry_at=None)


async def test_an_agent_sees_an_undelivered_reply_and_retries_it(
    live_web: LiveWeb, page: Page
) -> None:
    live_web.add_user("alex", "agent")
    await live_web.login(page, "alex")
    await page.get_by_role("link", name="Undelivered").click()
    await expect(page.get_by_test_id("empty")).to_contain_text("Nothing is undelivered")

    # A dead letter appears in the open page without a reload.
    give_up_on_a_reply(live_web)
    row = page.locator(f'[data-testid="dead-letter"][data-message-id="{MESSAGE_ID}"]')
    await expect(row).to_contain_text("your replacement chair ships tomorrow")
    await expect(row).to_contain_text("from the support team")
    await expect(row.get_by_test_id("last-error")).to_have_text(
        "https://sms.example/outbound answered 404 Not Found"
    )
    await expect(row.get_by_test_id("dead-letter-case")).to_have_attribute(
        "href", "/review/cases/case-sms-5f0c2a9e4b7d4c1a"
    )
    await page.reload()  # the navigation's count is drawn with the page
    await expect(page.locator('a[href="/review/outbox"] .count')).to_have_text("1")
    await screenshot(page, "outbox")

    await row.get_by_test_id("retry").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Queued for delivery again")
    await expect(page.get_by_test_id("empty")).to_be_visible()
    assert outbox_status(live_web.harness.sessions, MESSAGE_ID) == "pending"
