"""The trust dashboard and the kill switch in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Page, expect

from store.trust import record_rating
from tests.browser.conftest import LiveWeb, screenshot
from tests.integration.test_trust_web import write_scripted_cases


async def test_the_dashboard_shows_resolution_beside_deflection(
    live_web: LiveWeb, page: Page
) -> None:
    sessions = live_web.harness.sessions
    write_scripted_cases(sessions, datetime.now(UTC))
    record_rating(sessions, "a", 5, source="chat")
    record_rating(sessions, "f", 2, source="email")
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
