"""A customer message goes in through update-with-start; refunds come out exactly once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from domain.policy import Tier
from store.models import OrderRow, TransactionRow
from tests.replay.recording import record_history
from tests.waiting import wait_until
from tests.workflows.conftest import CaseHarness, signed_decision
from workflows.contracts import Approver, PostMessageInput, Role
from workflows.gateway import CaseGateway, refusal_type


def gateway(h: CaseHarness) -> CaseGateway:
    return CaseGateway(h.client, h.task_queue)


async def say(gw: CaseGateway, thread: str, text: str) -> str:
    result = await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text=text))
    return result.replies[-1].text


def refunds(h: CaseHarness, order_id: str) -> list[Decimal]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(TransactionRow.amount).where(
                    TransactionRow.order_id == order_id, TransactionRow.kind == "refund"
                )
            )
        )


def status_of(h: CaseHarness, order_id: str) -> str:
    with h.sessions() as s:
        return s.get(OrderRow, order_id).status  # type: ignore[union-attr]


async def test_cancel_within_limits_executes_without_a_human(harness: CaseHarness) -> None:
    gw, thread = gateway(harness), uuid.uuid4().hex
    first = await say(gw, thread, "Hi, I want to cancel order #W0000001")
    assert "AI assistant" in first and "email" in first
    confirm = await say(gw, thread, "my email is ada@example.com, I ordered it by mistake")
    assert "149.99" in confirm and "Visa ending 4242" in confirm and "yes" in confirm.lower()
    done = await say(gw, thread, "yes please")
    assert done.startswith("Done")
    assert status_of(harness, "#W0000001") == "cancelled"
    assert refunds(harness, "#W0000001") == [Decimal("149.99")]
    case = await gw.get_case(f"case-webchat-{thread}")
    assert case.status.value == "resolved"
    assert [a.status for a in case.actions] == ["executed"]
    assert case.actions[0].idempotency_key == f"case-webchat-{thread}/action-1"
    await record_history(gw.handle(f"case-webchat-{thread}"), "cancel_within_limits")


async def test_a_new_address_is_no_new_identity_claim(harness: CaseHarness) -> None:
    """Verified by name and zip, the customer gives a new address with another zip: it is
    the address, proposed as such, and never a claim that undoes the verification."""
    gw, thread = gateway(harness), uuid.uuid4().hex
    await say(gw, thread, "Could order #W0000001 go to my office instead?")
    asked = await say(gw, thread, "Ada Lovelace, 10001")
    assert "new address" in asked
    proposal = await say(gw, thread, "12 Elm Street, Suite 400, Boston, MA 02110")
    assert "12 Elm Street" in proposal and "yes" in proposal.lower(), proposal
    assert "confirm who you are" not in proposal


async def test_return_above_limit_waits_for_approval_then_refunds_once(
    harness: CaseHarness,
) -> None:
    gw, thread = gateway(harness), uuid.uuid4().hex
    case_id = f"case-webchat-{thread}"
    await say(gw, thread, "I'd like to return order #W0000003, my email is ada@example.com")
    reply = await say(gw, thread, "yes")
    assert "approver" in reply
    pending = await gw.get_pending_approval(case_id)
    assert pending is not None and pending.amount == Decimal("899.00")
    assert pending.tier == Tier.APPROVER
    case = await gw.get_case(case_id)
    assert case.status.value == "awaiting_approval"
    assert status_of(harness, "#W0000003") == "delivered"

    approver = Approver(username="pat", role=Role.APPROVER, approval_limit=Decimal("1000"))
    low = Approver(username="lou", role=Role.APPROVER, approval_limit=Decimal("500"))
    agent = Approver(username="al", role=Role.AGENT)
    for who, expected in ((low, "OverLimit"), (agent, "Forbidden")):
        with pytest.raises(WorkflowUpdateFailedError) as err:
            await gw.submit_approval(case_id, signed_decision(case_id, pending.approval_id, who))
        assert refusal_type(err.value) == expected
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await gw.submit_approval(case_id, signed_decision(case_id, "stale", approver))
    assert refusal_type(err.value) == "StaleApproval"

    result = await gw.submit_approval(
        case_id,
        signed_decision(case_id, pending.approval_id, approver),
    )
    assert result.status == "approved"
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await gw.submit_approval(
            case_id,
            signed_decision(case_id, pending.approval_id, approver),
        )
    assert refusal_type(err.value) == "NothingPending"

    # The resumed turn runs after the update returns: wait on its effect.
    async def resolved() -> bool:
        return (await gw.get_case(case_id)).status.value == "resolved"

    await wait_until(resolved, what="case resolved")
    assert status_of(harness, "#W0000003") == "return requested"
    case = await gw.get_case(case_id)
    assert [a.status for a in case.actions] == ["executed"]
    assert case.transcript[-1].text.startswith("Done")
    await record_history(gw.handle(case_id), "return_with_approval")


async def test_a_one_refund_case_stays_within_its_history_budget(harness: CaseHarness) -> None:
    """Two messages, one automatic refund: at most 60 history events (docs/benchmarks.md)."""
    gw, thread = gateway(harness), uuid.uuid4().hex
    await say(gw, thread, "I'd like to cancel order #W0000001, I ordered it by mistake, "
              "my email is ada@example.com")  # fmt: skip
    assert (await say(gw, thread, "yes")).startswith("Done")

    history = await gw.handle(f"case-webchat-{thread}").fetch_history()
    kinds = [EventType.Name(e.event_type).removeprefix("EVENT_TYPE_") for e in history.events]
    activities = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    # One read (which rates the proposal), the reply; then one read (which rates the
    # yes'd proposal again) and the action, which words its reply. Recording the case
    # is a local activity per turn.
    assert activities == [
        "support.understand", "support.compose_reply",
        "support.understand", "support.execute_action",
    ]  # fmt: skip
    assert kinds.count("MARKER_RECORDED") == 2
    assert kinds.count("UPSERT_WORKFLOW_SEARCH_ATTRIBUTES") == 2
    assert kinds.count("TIMER_STARTED") == 1  # the idle timer, armed once
    assert len(kinds) <= 40, kinds


async def test_a_yes_is_checked_against_the_store_as_it_is_then(harness: CaseHarness) -> None:
    """The proposal a customer says yes to is rated again: an order that shipped meanwhile
    is not cancelled, and nothing is refunded."""
    gw, thread = gateway(harness), uuid.uuid4().hex
    confirm = await say(gw, thread, "I'd like to cancel order #W0000001, I ordered it by "
                        "mistake, my email is ada@example.com")  # fmt: skip
    assert "149.99" in confirm
    with harness.sessions() as s:
        s.get(OrderRow, "#W0000001").status = "processed"  # type: ignore[union-attr]
        s.commit()

    reply = await say(gw, thread, "yes")
    assert reply.startswith("I'm sorry, I can't do that") and "processed" in reply
    assert status_of(harness, "#W0000001") == "processed"
    assert refunds(harness, "#W0000001") == []
    case = await gw.get_case(f"case-webchat-{thread}")
    assert case.actions == [] and case.status.value == "awaiting_customer"


async def test_the_customer_is_promised_the_cases_own_approval_sla(harness: CaseHarness) -> None:
    """The wait the customer is told is the SLA the case's approval timer runs, not a
    sentence of its own."""
    gw, thread = (
        CaseGateway(harness.client, harness.task_queue, approval_sla_minutes=90),
        uuid.uuid4().hex,
    )
    await say(gw, thread, "I'd like to return order #W0000003, my email is ada@example.com")
    reply = await say(gw, thread, "yes")
    assert "approver" in reply and "within 90 minutes" in reply
    pending = await gw.get_pending_approval(f"case-webchat-{thread}")
    assert pending is not None
    assert pending.due_at - pending.requested_at == timedelta(minutes=90)


async def test_two_requests_in_one_message_are_handled_one_after_the_other(
    harness: CaseHarness,
) -> None:
    gw, thread = gateway(harness), uuid.uuid4().hex
    first = await say(
        gw,
        thread,
        "I want to cancel order #W0000001, I ordered it by mistake. "
        "Also, what's the status of order #W0000002?",
    )
    assert "first cancelling an order, then where an order is" in first and "email" in first
    confirm = await say(gw, thread, "ada@example.com")
    assert "149.99" in confirm and "#W0000002" not in confirm
    both = await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text="yes"))
    done, then = (r.text for r in both.replies)
    assert done.startswith("Done") and "#W0000001" in done
    assert "#W0000002 is delivered" in then
    assert status_of(harness, "#W0000001") == "cancelled"
    assert status_of(harness, "#W0000002") == "delivered"
    case = await gw.get_case(f"case-webchat-{thread}")
    assert "next_request" not in case.captured and case.status.value == "resolved"
