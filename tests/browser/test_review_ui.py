"""The review UI in Chromium: approvers and agents work real cases through the real stack.

Each test drives a customer conversation through `POST /api/messages` (the real web
process, dev server and worker), then a person in the browser. The tests save the
screenshots linked from the README.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from playwright.async_api import Page, expect

from tests.browser.conftest import LiveWeb, screenshot
from tests.waiting import wait_until

RETURN_899 = "I'd like to return order #W0000003, my email is ada@example.com"
RETURN_2400 = "I'd like to return order #W0000004, my email is ada@example.com"


async def park_return(live_web: LiveWeb, text: str = RETURN_899) -> str:
    """A customer asks for a return above the automatic limit and says yes; the case id."""
    thread = live_web.new_thread()
    first = await live_web.say(thread, text)
    assert first["status"] == "awaiting_customer", first
    parked = await live_web.say(thread, "yes")
    assert parked["status"] == "awaiting_approval", parked
    return parked["case_id"]


def case_url(live_web: LiveWeb, case_id: str) -> str:
    return f"{live_web.base_url}/review/cases/{case_id}"


async def test_approver_sees_a_request_arrive_approves_it_and_the_customer_is_told(
    live_web: LiveWeb, page: Page
) -> None:
    live_web.add_user("pat", "approver", "1000")

    await page.goto(f"{live_web.base_url}/review")
    await expect(page).to_have_url(re.compile(r"/review/login"))
    await screenshot(page, "login")
    await live_web.login(page, "pat", "not the password")
    await expect(page.get_by_test_id("error")).to_have_text("Wrong username or password.")
    await live_web.login(page, "pat")
    await expect(page).to_have_url(f"{live_web.base_url}/review/approvals")
    await expect(page.get_by_test_id("whoami")).to_contain_text("pat · approver · limit 1,000.00")
    await expect(page.get_by_test_id("empty")).to_contain_text("Nothing is waiting")

    # The customer asks; the open queue shows the request without anyone reloading it.
    case_id = await park_return(live_web)
    row = page.locator(f'[data-testid="approval-row"][data-case-id="{case_id}"]')
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("899.00")
    await expect(row).to_contain_text("Ada Lovelace")
    await expect(row).to_contain_text("return items")
    await expect(row).to_contain_text("medium")
    await expect(row).to_contain_text("of 240 min")
    await screenshot(page, "approvals")

    await row.get_by_role("link", name="Review").click()
    await expect(page).to_have_url(case_url(live_web, case_id))
    await expect(page.get_by_test_id("case-status")).to_have_text("awaiting approval")
    await expect(page.get_by_test_id("pending-amount")).to_have_text("899.00")
    await expect(page.get_by_test_id("category")).to_have_text("return")
    await expect(page.get_by_test_id("confidence")).to_have_text(re.compile(r"\d+%"))
    await expect(page.get_by_test_id("captured").first).to_have_text("#W0000003")
    await expect(page.get_by_test_id("reasons")).to_contain_text("above the automatic limit")
    await expect(page.get_by_test_id("approval-panel")).to_contain_text("return_items.auto_max")
    await expect(page.get_by_test_id("facts")).to_contain_text("Office Chair")
    await expect(page.get_by_test_id("facts")).to_contain_text("Visa ending 4242")
    await expect(page.get_by_test_id("audit")).to_contain_text("approval.requested")
    link = await page.get_by_test_id("temporal-link").get_attribute("href")
    ui = live_web.settings.temporal_ui_url
    assert link == f"{ui}/namespaces/default/workflows/{case_id}"
    await screenshot(page, "case-awaiting-approval")

    await page.get_by_test_id("approve").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Approved")
    # The page follows the case as the agent finishes: resolved, and the reply is there.
    await expect(page.get_by_test_id("case-status")).to_have_text("resolved")
    await expect(page.get_by_test_id("transcript").locator("li").last).to_contain_text("Done")
    await expect(page.get_by_test_id("actions")).to_contain_text("executed")
    await expect(page.get_by_test_id("decided")).to_contain_text(
        "approved return items of 899.00 by pat"
    )
    await expect(page.get_by_test_id("audit")).to_contain_text("approval.approve")
    await screenshot(page, "case-approved")

    # The customer's chat reads the same conversation.
    last = (await live_web.case(case_id))["transcript"][-1]
    assert last["role"] == "agent" and last["text"].startswith("Done"), last

    await page.goto(f"{live_web.base_url}/review/approvals")
    await expect(page.get_by_test_id("empty")).to_be_visible()

    await page.goto(f"{live_web.base_url}/review/metrics")
    await expect(page.get_by_test_id("total-cases")).to_have_text("1")
    for chart in ("chart-cases", "chart-outcomes", "chart-approvals", "chart-first-response"):
        await expect(page.get_by_test_id(chart).locator("svg")).to_be_visible()
    await expect(page.get_by_test_id("chart-outcomes")).to_contain_text("resolved with approval")
    await screenshot(page, "metrics")


async def test_approver_rejects_with_a_reason_the_customer_reads_without_javascript(
    live_web: LiveWeb, new_page: Callable[..., Awaitable[Page]]
) -> None:
    page = await new_page(java_script_enabled=False)
    live_web.add_user("pat", "approver", "1000")
    case_id = await park_return(live_web)
    await live_web.login(page, "pat")
    await page.goto(f"{live_web.base_url}/review/approvals")
    await (
        page.locator(f'[data-testid="approval-row"][data-case-id="{case_id}"]')
        .get_by_role("link", name="Review")
        .click()
    )

    reason = "This chair was bought in the final sale, so it cannot be returned."
    await page.get_by_test_id("reject-reason").fill(reason)
    await page.get_by_test_id("reject").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Rejected")

    async def resolved_on_reload() -> bool:  # no script refreshes the page: a person reloads
        await page.reload()
        return await page.get_by_test_id("case-status").inner_text() == "resolved"

    await wait_until(resolved_on_reload, what="the rejected case resolved")
    await expect(page.get_by_test_id("transcript").locator("li").last).to_contain_text(reason)
    await expect(page.get_by_test_id("decided")).to_contain_text("rejected")
    await screenshot(page, "case-rejected")

    last = (await live_web.case(case_id))["transcript"][-1]
    assert last["role"] == "agent" and reason in last["text"], last
    assert (await live_web.case(case_id))["actions"] == []


async def test_agent_answers_a_handoff_hands_it_back_and_closes_the_next(
    live_web: LiveWeb, page: Page
) -> None:
    live_web.add_user("alex", "agent")
    thread = live_web.new_thread()
    brief = await live_web.say(
        thread, "I want to talk to a human about order #W0000002, my email is ada@example.com"
    )
    assert "what is it about" in brief["replies"][-1]["text"], brief
    asked = await live_web.say(thread, "the lamp flickers and I'd like a replacement")
    assert asked["status"] == "escalated", asked
    case_id = asked["case_id"]

    await live_web.login(page, "alex")
    await expect(page).to_have_url(f"{live_web.base_url}/review/handoffs")
    card = page.locator(f'[data-testid="handoff"][data-case-id="{case_id}"]')
    record = card.get_by_test_id("handoff-record")
    await expect(record).to_contain_text("the customer asked for a person")
    await expect(record).to_contain_text("#W0000002")
    await screenshot(page, "handoffs")

    reply = "Hi Ada, this is Alex from the support team. I'm looking at order #W0000002 now."
    await card.get_by_test_id("reply-text").fill(reply)
    await card.get_by_test_id("send-reply").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("on its way")

    async def customer_sees_reply() -> bool:
        transcript = (await live_web.case(case_id))["transcript"]
        return any(t["role"] == "human" and t["text"] == reply for t in transcript)

    await wait_until(customer_sees_reply, what="the agent's reply in the customer's chat")

    await card.get_by_test_id("open-case").click()
    await expect(page.get_by_test_id("transcript")).to_contain_text("this is Alex")
    await expect(page.get_by_test_id("case-status")).to_have_text("escalated")
    await screenshot(page, "case-handoff")
    await page.get_by_test_id("hand-back").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Handed back")
    await expect(page.get_by_test_id("case-status")).to_have_text("open")
    await expect(page.get_by_test_id("audit")).to_contain_text("case.handed_back")

    # The AI answers again; when the customer asks for a person once more, Alex closes it.
    again = await live_web.say(thread, "I still want to talk to a real person please")
    assert again["status"] == "escalated", again
    await page.goto(f"{live_web.base_url}/review/handoffs")
    await card.get_by_test_id("close-case").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("closed")
    await expect(page.get_by_test_id("empty")).to_be_visible()
    assert (await live_web.case(case_id))["status"] == "closed"


async def test_forms_without_a_csrf_token_and_other_roles_are_refused(
    live_web: LiveWeb, page: Page, new_page: Callable[..., Awaitable[Page]]
) -> None:
    live_web.add_user("pat", "approver", "5000")
    live_web.add_user("sue", "senior_approver", "5000")
    live_web.add_user("al", "agent")
    live_web.add_user("ad", "admin")
    case_id = await park_return(live_web, RETURN_2400)
    decision_url = f"{case_url(live_web, case_id)}/decision"

    # An approver sees why they cannot decide a senior-tier request, and cannot force it.
    await live_web.login(page, "pat")
    await page.goto(case_url(live_web, case_id))
    await expect(page.get_by_test_id("blocked")).to_contain_text("needs a senior approver")
    await expect(page.get_by_test_id("approve")).to_be_disabled()
    token = await page.locator("input[name=csrf_token]").first.input_value()
    approval_id = await page.locator("input[name=approval_id]").first.input_value()
    approve = {"approval_id": approval_id, "decision": "approve"}

    forced = await page.request.post(decision_url, form={**approve, "csrf_token": token})
    assert forced.status == 403 and "senior approver" in await forced.text()
    no_token = await page.request.post(decision_url, form=approve)
    assert no_token.status == 403 and "security token" in await no_token.text()
    forged = await page.request.post(decision_url, form={**approve, "csrf_token": "forged"})
    assert forged.status == 403
    reply = await page.request.post(
        f"{case_url(live_web, case_id)}/reply", form={"csrf_token": token, "text": "hello"}
    )
    assert reply.status == 403 and "cannot answer handoffs" in await reply.text()
    admin_page = await page.goto(f"{live_web.base_url}/review/admin/users")
    assert admin_page is not None and admin_page.status == 403
    await expect(page.get_by_test_id("error")).to_contain_text("cannot administer")

    # A support agent cannot decide approvals, nor open the approvals queue.
    agent = await new_page()
    await live_web.login(agent, "al")
    await agent.goto(case_url(live_web, case_id))
    agent_token = await agent.locator("input[name=csrf_token]").first.input_value()
    refused = await agent.request.post(decision_url, form={**approve, "csrf_token": agent_token})
    assert refused.status == 403 and "cannot decide approvals" in await refused.text()
    queue = await agent.goto(f"{live_web.base_url}/review/approvals")
    assert queue is not None and queue.status == 403

    # None of it reached the workflow.
    pending = await live_web.gateway.get_pending_approval(case_id)
    assert pending is not None and pending.approvals == []

    # A senior approver may decide, and may allow a smaller refund than requested; an
    # amount the case cannot take is shown refused, with what was typed kept.
    page = await new_page()
    await live_web.login(page, "sue")
    await page.goto(case_url(live_web, case_id))
    await expect(page.get_by_test_id("approve")).to_be_enabled()
    await page.get_by_test_id("smaller-amount").fill("3000.00")
    await page.get_by_test_id("approve-amount").click()
    await expect(page.get_by_test_id("error")).to_contain_text(
        "3,000.00 is more than the 2,400.00 requested"
    )
    await expect(page.get_by_test_id("smaller-amount")).to_have_value("3000.00")
    await expect(page.get_by_test_id("case-status")).to_have_text("awaiting approval")
    await screenshot(page, "case-amount-refused")
    await page.get_by_test_id("smaller-amount").fill("1000.00")
    await page.get_by_test_id("approve-amount").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Approved")
    await expect(page.get_by_test_id("case-status")).to_have_text("resolved")
    await expect(page.get_by_test_id("actions")).to_contain_text("1,000.00")

    # Admins see users and the policy.
    page = await new_page()
    await live_web.login(page, "ad")
    await page.goto(f"{live_web.base_url}/review/admin/users")
    await expect(page.get_by_test_id("users")).to_contain_text("senior approver")
    await screenshot(page, "admin-users")
    await page.goto(f"{live_web.base_url}/review/admin/policy")
    await expect(page.get_by_test_id("policy")).to_contain_text("2,000.00")
    await screenshot(page, "admin-policy")

    # Signing out ends the session.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("signed out")
    await page.goto(f"{live_web.base_url}/review/approvals")
    await expect(page).to_have_url(re.compile(r"/review/login\?next="))
