"""Four eyes in Chromium: a refund above the four-eyes limit needs two different approvers.

The case worker runs a policy whose return refunds need four eyes above 2,000.00 (the
shipped one says 5,000.00, more than any order of the test shop), so Ada's 2,400.00
road bike needs two senior approvers. The first approval is recorded and nothing
happens; the same person cannot be the second pair of eyes, not even from a tab opened
before they approved; a second senior approver's approval runs the refund once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from playwright.async_api import Locator, Page, expect
from sqlalchemy import func, select

from domain.identity import TAU2_RULES
from domain.policy import ActionLimits, ActionType, Policy, load_policy
from store.models import ActionRecordRow, AuditEventRow, OrderRow
from tests.browser.conftest import LiveWeb, screenshot
from tests.browser.test_review_ui import RETURN_2400, case_url, park_return
from tests.waiting import wait_until

ORDER = "#W0000004"
FOUR_EYES_ABOVE = Decimal("2000")


@pytest.fixture
def policy() -> Policy:
    """The shipped policy with four eyes on return refunds above 2,000.00, under τ²'s
    identity rule as the suite's shop runs (an email suffices).

    Overrides the suite's `policy`, the one the case worker (`harness`) decides with.
    """
    shipped = load_policy().model_copy(update={"identity": TAU2_RULES})
    returns = shipped.actions[ActionType.RETURN_ITEMS]
    lowered = ActionLimits.model_validate(
        {**returns.model_dump(), "four_eyes_above": FOUR_EYES_ABOVE}
    )
    return shipped.model_copy(
        update={"actions": {**shipped.actions, ActionType.RETURN_ITEMS: lowered}}
    )


def executed(live_web: LiveWeb) -> dict[str, object]:
    """What the shop store says was done to the order: records, audit events, status."""
    with live_web.harness.sessions() as s:
        records = s.scalar(
            select(func.count())
            .select_from(ActionRecordRow)
            .where(ActionRecordRow.target_id == ORDER)
        )
        # The store's own audit event for the write; the case's copy carries its case id.
        events = s.scalars(
            select(AuditEventRow.actor).where(
                AuditEventRow.kind == "action.executed", AuditEventRow.case_id.is_(None)
            )
        ).all()
        order = s.get(OrderRow, ORDER)
        assert order is not None
        return {"records": records, "executed_by": list(events), "status": order.status}


NOTHING_DONE = {"records": 0, "executed_by": [], "status": "delivered"}


def approvals_in_audit(live_web: LiveWeb, case_id: str) -> list[str]:
    """Who approved, in order, by the case's audit trail in the store."""
    with live_web.harness.sessions() as s:
        return list(
            s.scalars(
                select(AuditEventRow.actor)
                .where(AuditEventRow.case_id == case_id, AuditEventRow.kind == "approval.approve")
                .order_by(AuditEventRow.seq)
            )
        )


def queue_row(page: Page, case_id: str) -> Locator:
    """The case's row in the approvals queue open in `page`."""
    return page.locator(f'[data-testid="approval-row"][data-case-id="{case_id}"]')


async def test_two_different_senior_approvers_must_approve_a_four_eyes_refund(
    live_web: LiveWeb, new_page: Callable[..., Awaitable[Page]]
) -> None:
    live_web.add_user("sue", "senior_approver", "5000")
    live_web.add_user("sam", "senior_approver", "5000")
    case_id = await park_return(live_web, RETURN_2400)
    url = case_url(live_web, case_id)

    # Sue has the case open twice: here, and in an older tab without script, which
    # nothing refreshes, so it still offers her the approve button after she approved.
    sue = await new_page()
    await live_web.login(sue, "sue")
    await sue.goto(url)
    stale_tab = await new_page(java_script_enabled=False)
    await live_web.login(stale_tab, "sue")
    await stale_tab.goto(url)
    await expect(stale_tab.get_by_test_id("approve")).to_be_enabled()

    # 1. Sue approves: recorded, and the case waits for a second, different approver.
    panel = sue.get_by_test_id("approval-panel")
    await expect(panel).to_contain_text("two different approvers must approve (four eyes)")
    await expect(sue.get_by_test_id("pending-amount")).to_have_text("2,400.00")
    await sue.get_by_test_id("approve").click()
    await expect(sue.get_by_test_id("notice")).to_contain_text(
        "A second, different approver must approve before anything happens."
    )
    await expect(sue.get_by_test_id("case-status")).to_have_text("awaiting approval")
    await expect(sue.get_by_test_id("approved-so-far")).to_have_text("sue (1 of 2)")
    await expect(sue.get_by_test_id("blocked")).to_have_text(
        "You have already approved this request."
    )
    await expect(sue.get_by_test_id("approve")).to_be_disabled()
    pending = await live_web.gateway.get_pending_approval(case_id)
    assert pending is not None and pending.approvals == ["sue"], pending
    assert (await live_web.case(case_id))["actions"] == []
    assert executed(live_web) == NOTHING_DONE

    # 2. From the older tab Sue approves again: refused, saying why, and nothing changes.
    await stale_tab.get_by_test_id("approve").click()
    await expect(stale_tab.get_by_test_id("error")).to_have_text(
        "Not done: you have already approved this request."
    )
    await expect(stale_tab.get_by_test_id("approve")).to_be_disabled()
    await expect(stale_tab.get_by_test_id("case-status")).to_have_text("awaiting approval")
    pending = await live_web.gateway.get_pending_approval(case_id)
    assert pending is not None and pending.approvals == ["sue"], pending
    assert executed(live_web) == NOTHING_DONE

    # 3. Sam's queue shows Sue's approval at once (recorded without waiting for the case's
    # next step), and he gives the second approval.
    async def first_approval_audited() -> bool:
        return approvals_in_audit(live_web, case_id) == ["sue"]

    await wait_until(first_approval_audited, what="Sue's approval in the case's audit trail")
    sam = await new_page()
    await live_web.login(sam, "sam")
    await expect(sam).to_have_url(f"{live_web.base_url}/review/approvals")
    await expect(queue_row(sam, case_id)).to_contain_text(
        "approved by sue; needs a second approver"
    )
    await queue_row(sam, case_id).get_by_role("link", name="Review").click()
    await expect(sam.get_by_test_id("approved-so-far")).to_have_text("sue (1 of 2)")
    await expect(sam.get_by_test_id("four-eyes")).to_have_text(
        "sue approved already; yours is the second approval this request needs."
    )
    await expect(sam.get_by_test_id("approve")).to_be_enabled()
    await screenshot(sam, "case-four-eyes")

    await sam.get_by_test_id("approve").click()
    await expect(sam.get_by_test_id("notice")).to_contain_text("Approved")
    await expect(sam.get_by_test_id("case-status")).to_have_text("resolved")
    await expect(sam.get_by_test_id("transcript").locator("li").last).to_contain_text("Done")
    await expect(sam.get_by_test_id("actions").locator("tbody tr")).to_have_count(1)
    await expect(sam.get_by_test_id("actions")).to_contain_text("executed")
    await expect(sam.get_by_test_id("decided")).to_contain_text(
        "approved return items of 2,400.00 by sue, sam"
    )
    # Sue's open page follows the case to its end without her reloading it.
    await expect(sue.get_by_test_id("case-status")).to_have_text("resolved")

    # Exactly once in the store, under both names; and the customer is told.
    assert executed(live_web) == {
        "records": 1,
        "executed_by": ["sue,sam"],
        "status": "return requested",
    }

    async def both_approvals_audited() -> bool:
        return approvals_in_audit(live_web, case_id) == ["sue", "sam"]

    await wait_until(both_approvals_audited, what="both approvals in the case's audit trail")
    case = await live_web.case(case_id)
    assert [(a["type"], a["status"]) for a in case["actions"]] == [("return_items", "executed")]
    last = case["transcript"][-1]
    assert last["role"] == "agent" and last["text"].startswith("Done"), last
    assert "2,400.00" in last["text"], last
