"""The trust dashboard and the kill switch in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Page, expect

from brain.validation import autonomy_document, autonomy_path, write_autonomy
from domain.gate import GateReport, LabelScore
from store.models import CsatRatingRow
from store.trust import record_rating
from tests.browser.conftest import LiveWeb, screenshot
from tests.integration.test_trust_web import write_scripted_cases
from workflows.contracts import case_id_for


async def test_the_dashboard_shows_resolution_beside_deflection(
    live_web: LiveWeb, page: Page
) -> None:
    sessions = live_web.harness.sessions
    write_scripted_cases(sessions, datetime.now(UTC))
    record_rating(sessions, "a", 5, source="chat")
    record_rating(sessions, "f", 2, source="email")
    # The accuracy gate's figures, as `trustdesk brain validate` records them.
    report = GateReport(
        (
            LabelScore("return", 120, 100, 97, 0.8),
            LabelScore("order_status", 60, 50, 40, 0.7),
            LabelScore("cancel_order", 90, 80, 79, 0.6),
        )
    )
    write_autonomy(
        autonomy_path(live_web.settings.data_dir),
        autonomy_document(report, model="offline-test", source="the shipped labelled set"),
    )
    live_web.add_user("pat", "approver", "1000")
    await live_web.login(page, "pat")
    await page.get_by_role("link", name="Metrics").click()
    # Hand-counted in tests/unit/test_trust_metrics.py: 3 of the 5 judged cases resolved.
    await expect(page.get_by_test_id("resolution-rate")).to_have_text("60%")
    await expect(page.get_by_test_id("resolution-detail")).to_contain_text("3 of 5 cases")
    await expect(page.get_by_test_id("deflection-rate")).to_have_text("29%")
    await expect(page.get_by_test_id("recontacts")).to_have_text("1")
    await expect(page.get_by_test_id("declined")).to_have_text("1")
    await expect(page.get_by_test_id("first-response")).to_have_text("5.0 s")
    await expect(page.get_by_test_id("csat")).to_have_text("3.5")
    await expect(page.get_by_test_id("escalation-rate")).to_have_text("29%")
    await expect(page.get_by_test_id("handoff-backlog")).to_have_text("1")
    await expect(page.get_by_test_id("human-first-response")).to_have_text("20 min")
    await expect(page.get_by_test_id("chart-csat").locator("svg")).to_be_visible()
    calibration = page.get_by_test_id("chart-calibration")
    await expect(calibration.locator("svg")).to_be_visible()
    await expect(calibration).to_contain_text("observed precision")
    await expect(page.get_by_text("(the shipped labelled set)")).to_be_visible()
    await expect(page.get_by_test_id("chart-outcomes")).to_contain_text("declined")
    row = page.get_by_test_id("categories").locator('tr[data-category="order_status"]')
    await expect(row).to_contain_text("67%")  # two of three handled alone
    await expect(row).to_contain_text("50%")  # one of the two came back
    await screenshot(page, "metrics-trust")


async def test_an_admin_switches_a_category_off_and_sets_a_canary(
    live_web: LiveWeb, page: Page
) -> None:
    live_web.add_user("ada", "admin")
    await live_web.login(page, "ada")
    await page.get_by_role("link", name="Controls").click()
    version = await page.get_by_test_id("policy-version").inner_text()
    row = page.get_by_test_id("controls").locator('tr[data-category="return"]')
    await expect(row.get_by_test_id("state")).to_have_text("as the gate says")
    await expect(row.get_by_test_id("changed")).to_have_text("configuration")

    await row.get_by_test_id("kill").check()
    await row.get_by_test_id("save").click()
    await expect(page.get_by_test_id("saved")).to_contain_text("Saved the controls of return")
    row = page.get_by_test_id("controls").locator('tr[data-category="return"]')
    await expect(row.get_by_test_id("state")).to_have_text("switched off")
    await expect(row.get_by_test_id("changed")).to_contain_text("ada")
    await expect(page.get_by_test_id("policy-version")).not_to_have_text(version)

    exchange = page.get_by_test_id("controls").locator('tr[data-category="exchange"]')
    await exchange.get_by_test_id("canary").fill("10")
    await exchange.get_by_test_id("save").click()
    exchange = page.get_by_test_id("controls").locator('tr[data-category="exchange"]')
    await expect(exchange.get_by_test_id("state")).to_have_text("canary 10%")
    await screenshot(page, "controls")


#: The first turn of a fresh dev server has taken over 45 s on a busy machine.
FIRST_REPLY_MS = 120_000


async def say(page: Page, text: str) -> None:
    """Send a message as the customer does; returns once the answer is on screen."""
    log = page.locator("#log li")
    before = await log.count()
    await page.get_by_placeholder("Type your message").fill(text)
    await page.get_by_role("button", name="Send", exact=True).click()
    await expect(log.nth(before + 1)).to_be_visible(timeout=FIRST_REPLY_MS)
    await expect(page.locator("#log li.pending")).to_have_count(0)


async def test_the_customer_rates_a_resolved_chat_with_one_click(
    live_web: LiveWeb, page: Page
) -> None:
    await page.goto(f"{live_web.base_url}/chat")
    rating = page.locator("#rating")
    for text in (
        "Hi, I want to cancel order #W0000001",
        "my email is ada@example.com, I ordered it by mistake",
    ):
        await say(page, text)
        await expect(rating).to_be_hidden()  # nothing to rate before a resolution
    await say(page, "yes please")
    await expect(page.locator("#status")).to_have_text("Case status: resolved")
    await expect(rating).to_be_visible()
    await rating.get_by_role("button", name="4 out of 5").click()
    await expect(page.locator("#rating-note")).to_have_text("Thank you for your rating.")
    await expect(page.locator("#rating-buttons")).to_be_hidden()
    await screenshot(page, "chat-rating")

    thread = await page.evaluate("localStorage.getItem('trustdesk.thread')")
    with live_web.harness.sessions() as s:
        row = s.get(CsatRatingRow, case_id_for("webchat", thread))
        assert row is not None and (row.score, row.source) == (4, "chat")
