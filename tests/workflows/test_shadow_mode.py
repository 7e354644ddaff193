"""Shadow mode against a real dev server: the agent drafts, a person sends; the customer sees
only what the person sent, and the agent never runs an action on its own."""

from __future__ import annotations

import concurrent.futures
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.controls import SHADOW_REASON, OperatorControls, policy_version
from domain.dialogue import HANDLED
from domain.policy import Policy
from store.models import AuditEventRow, OrderRow, OutboxRow, TransactionRow
from tests.waiting import wait_until
from tests.workflows.conftest import TEST_APPROVAL_KEY, CaseHarness, make_deps, signed_decision
from trustdesk.approval_keys import public_bytes
from workers.agent import build_worker
from workflows.contracts import (
    Approver,
    CaseView,
    PostMessageInput,
    Role,
    SendDraftInput,
    ShadowDraft,
)
from workflows.gateway import CaseGateway, refusal_type

CONTROLS = OperatorControls(shadow=frozenset({"cancel_order"}))
POLICY_TEXT = b"# the policy file as the worker read it\n"
VERSION = policy_version(POLICY_TEXT, [c.value for c in HANDLED], CONTROLS)


@pytest.fixture
async def shadow(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> AsyncIterator[CaseHarness]:
    task_queue = f"shadow-{uuid.uuid4().hex[:8]}"
    deps = replace(
        make_deps(shop_sessions, policy), controls=lambda: CONTROLS, policy_text=POLICY_TEXT
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(
            temporal_env.client,
            deps,
            task_queue=task_queue,
            executor=executor,
            approval_keys=[public_bytes(TEST_APPROVAL_KEY)],
        )
        async with worker:
            yield CaseHarness(temporal_env.client, task_queue, shop_sessions, deps)


def events(h: CaseHarness, case_id: str, kind: str) -> list[AuditEventRow]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(AuditEventRow)
                .where(AuditEventRow.case_id == case_id, AuditEventRow.kind == kind)
                .order_by(AuditEventRow.seq)
            )
        )


def sent_to_customer(h: CaseHarness, case_id: str) -> list[str]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(OutboxRow.text).where(OutboxRow.case_id == case_id).order_by(OutboxRow.id)
            )
        )


async def drafted(gw: CaseGateway, case_id: str) -> ShadowDraft:
    view: CaseView = await gw.get_case(case_id)
    assert view.shadow_draft is not None
    return view.shadow_draft


async def test_the_customer_sees_only_what_a_person_sent_and_no_action_runs_alone(
    shadow: CaseHarness,
) -> None:
    gw, thread = CaseGateway(shadow.client, shadow.task_queue), uuid.uuid4().hex
    case_id = f"case-webchat-{thread}"

    async def say(text: str) -> list[str]:
        result = await gw.post_message(
            PostMessageInput(channel="webchat", thread_id=thread, text=text)
        )
        return [r.text for r in result.replies]

    # 1. The agent's answer is a draft: nothing goes back on the line, nothing is queued.
    assert await say("Hi, I want to cancel order #W0000001") == []
    first = await drafted(gw, case_id)
    assert "email" in first.text and first.category == "cancel_order"
    assert first.policy_version == VERSION
    view = await gw.get_case(case_id)
    assert [t.role for t in view.transcript] == ["customer"]
    assert sent_to_customer(shadow, case_id) == []

    # 2. A person sends it as drafted: the customer gets exactly that, from a person.
    await gw.send_draft(
        case_id, SendDraftInput(username="sam", draft_id=first.draft_id, text=first.text)
    )
    await wait_until(lambda: _async(sent_to_customer(shadow, case_id)), what="the sent draft")
    assert sent_to_customer(shadow, case_id) == [first.text]
    view = await gw.get_case(case_id)
    assert view.transcript[-1].role == "human" and view.shadow_draft is None

    # A draft already sent cannot be sent again.
    with pytest.raises(WorkflowUpdateFailedError) as stale:
        await gw.send_draft(
            case_id, SendDraftInput(username="sam", draft_id=first.draft_id, text="again")
        )
    assert refusal_type(stale.value) == "StaleDraft"

    # 3. The proposal is drafted too; the person edits it before sending.
    assert await say("my email is ada@example.com, I ordered it by mistake") == []
    proposal = await drafted(gw, case_id)
    assert "149.99" in proposal.text
    edited = proposal.text + " (A colleague checked this.)"
    await gw.send_draft(
        case_id, SendDraftInput(username="sam", draft_id=proposal.draft_id, text=edited)
    )
    await wait_until(
        lambda: _async(len(sent_to_customer(shadow, case_id)) == 2), what="the edited draft"
    )
    assert sent_to_customer(shadow, case_id)[-1] == edited

    # 4. The yes would cancel the order on the agent's own: in shadow mode it waits for a person.
    assert await say("yes please") == []
    pending = await gw.get_pending_approval(case_id)
    assert pending is not None and SHADOW_REASON in pending.reasons
    assert _status(shadow, "#W0000001") != "cancelled"
    assert _refunds(shadow, "#W0000001") == []
    approval_events = events(shadow, case_id, "approval.requested")
    assert approval_events and approval_events[-1].payload["policy_version"] == VERSION

    # 5. Approved by a person, the action runs once; its reply is again a draft.
    approver = Approver(username="pat", role=Role.APPROVER, approval_limit=Decimal("1000"))
    await gw.submit_approval(case_id, signed_decision(case_id, pending.approval_id, approver))

    async def done() -> ShadowDraft | None:
        view = await gw.get_case(case_id)
        return view.shadow_draft if view.actions else None

    final = await wait_until(done, what="the action's drafted reply")
    assert final is not None and final.text.startswith("Done")
    assert _refunds(shadow, "#W0000001") == [Decimal("149.99")]
    executed = events(shadow, case_id, "action.executed")
    assert len(executed) == 1 and executed[0].payload["policy_version"] == VERSION
    assert all(not t.startswith("Done") for t in sent_to_customer(shadow, case_id))

    # Agreement is recorded per draft: the first sent unchanged, the second edited.
    sent = events(shadow, case_id, "shadow.sent")
    assert [(e.actor, e.payload["agreed"]) for e in sent] == [("sam", True), ("sam", False)]
    assert {e.payload["category"] for e in sent} == {"cancel_order"}
    assert {e.payload["policy_version"] for e in sent} == {VERSION}


async def _async(value: object) -> object:
    return value


def _status(h: CaseHarness, order_id: str) -> str:
    with h.sessions() as s:
        return s.get(OrderRow, order_id).status  # type: ignore[union-attr]


def _refunds(h: CaseHarness, order_id: str) -> list[Decimal]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(TransactionRow.amount).where(
                    TransactionRow.order_id == order_id, TransactionRow.kind == "refund"
                )
            )
        )
