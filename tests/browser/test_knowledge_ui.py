"""The knowledge base's admin pages in Chromium: an admin edits an article and finds the new
text by searching for it."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from store.knowledge import install_default_articles
from tests.browser.conftest import LiveWeb, screenshot
from web.review.knowledge import knowledge_base


async def test_an_admin_edits_an_article_and_finds_the_new_text(
    live_web: LiveWeb, page: Page
) -> None:
    kb = knowledge_base(live_web.app.state.web)  # the web process's own, on the shop's store
    assert kb.directory is not None and install_default_articles(kb.directory)
    kb.sync_from_dir()
    live_web.add_user("ada", "admin")
    await live_web.login(page, "ada")
    await page.get_by_role("link", name="Knowledge").click()
    await expect(page.get_by_role("heading", name="Knowledge base")).to_be_visible()

    await page.get_by_test_id("knowledge-query").fill("can I get my parcel gift wrapped?")
    await page.get_by_test_id("knowledge-search").click()
    await expect(page).to_have_url(re.compile(r"[?&]q=can"))  # the answer page, not the form
    await expect(page.get_by_test_id("knowledge-query")).to_have_value(
        "can I get my parcel gift wrapped?"
    )
    await expect(page.locator("main")).not_to_contain_text("Gift wrapping")

    await page.locator('[data-testid="article"][data-slug="shipping"] a').click()
    body = page.get_by_test_id("article-body")
    text = await body.input_value()
    await body.fill(
        text
        + "\n\n## Gift wrapping\n"
        + "We gift wrap any parcel for $4; add a note and we print it on a card.\n"
    )
    await page.get_by_test_id("save-article").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("Saved and indexed")
    await expect(page.get_by_test_id("rendered")).to_contain_text("We gift wrap any parcel for $4")
    await screenshot(page, "knowledge-article")

    await page.get_by_role("link", name="All articles").click()
    await page.get_by_test_id("knowledge-query").fill("can I get my parcel gift wrapped?")
    await page.get_by_test_id("knowledge-search").click()
    first = page.get_by_test_id("knowledge-result").first
    await expect(first).to_contain_text("Shipping destinations, times and costs — Gift wrapping")
    await expect(first).to_contain_text("We gift wrap any parcel for $4")
    assert "We gift wrap any parcel" in (kb.directory / "shipping.md").read_text()
