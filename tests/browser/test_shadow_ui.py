"""Shadow mode in Chromium: an admin turns it on for a category on the controls page; the
agent's reply to a customer becomes a draft that a support agent edits and sends from the
case page; the customer gets the person's words, and the edit is counted as disagreement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect
from sqlalchemy import select

from store.models import AuditEventRow
from store.trust import read_controls
from tests.browser.conftest import LiveWeb, screenshot
from tests.waiting import wait_until


async def test_an_admin_turns_on_shadow_mode_and_an_agent_edits_the_draft_before_it_is_sent(
    live_web: LiveWeb,
    page: Page,
    new_page: Callable[..., Awaitable[Page]],
) -> None:
    sessions = live_web.harness.sessions
    live_web.add_user("root", "admin")
    live_web.add_user("alex", "agent")

    await live_web.login(page, "root")
    await page.goto(f"{live_web.base_url}/review/admin/controls")
    row = page.locator('tr[data-category="cancel_order"]')
    await row.get_by_test_id("shadow").check()
    await row.get_by_test_id("save").click()
    await expect(page.get_by_test_id("saved")).to_contain_text("cancel order")
    row = page.locator('tr[data-category="cancel_order"]')
    await expect(row.get_by_test_id("state")).to_contain_text("shadow mode")
    await expect(row.get_by_test_id("shadow")).to_be_checked()
    await screenshot(page, "controls-shadow")
    # The worker takes the controls as the page stored them (the test's worker was built
    # with fixed dependencies; the shipped worker reads the store each turn).
    stored = read_controls(sessions)
    assert stored.shadow == {"cancel_order"}
    object.__setattr__(live_web.harness.deps, "controls", lambda: stored)

    thread = live_web.new_thread()
    answer = await live_web.say(thread, "Hi, I want to cancel order #W0000001")
    assert answer["replies"] == [], answer  # the customer sees nothing the agent wrote
    case_id = answer["case_id"]

    agent = await new_page()
    await live_web.login(agent, "alex")
    await agent.goto(f"{live_web.base_url}/review/cases/{case_id}")
    draft = agent.get_by_test_id("shadow-draft")
    await expect(draft).to_contain_text("shadow mode")
    text = agent.get_by_test_id("draft-text")
    drafted = await text.input_value()
    assert "email" in drafted
    mine = "Hello, a colleague here: which email address is on the order, please?"
    await text.fill(mine)
    await agent.get_by_test_id("send-draft").click()
    await expect(agent.get_by_test_id("notice")).to_contain_text("on its way")
    await expect(agent.get_by_test_id("shadow-draft")).to_have_count(0)

    async def customer_sees_it() -> bool:
        transcript = (await live_web.case(case_id))["transcript"]
        return [t["role"] for t in transcript] == ["customer", "human"] and (
            transcript[-1]["text"] == mine
        )

    await wait_until(customer_sees_it, what="the person's reply in the customer's chat")
    with sessions() as s:
        sent = s.scalars(select(AuditEventRow).where(AuditEventRow.kind == "shadow.sent")).all()
        assert [(e.actor, e.payload["agreed"]) for e in sent] == [("alex", False)]
