"""The case workflow's typed records read and write the JSON that cases already send.

A case continued-as-new carries its state in `CaseInput.carried`; the store's projection
gets `RecordCaseInput`; channels pass `PostMessageInput.identity`. The JSON below is
what the workflow sent while these were untyped dicts: a run continued before the
records were typed must start from it, and what is sent from it must not change.
"""

from __future__ import annotations

import json
from typing import Any, get_type_hints

import pytest
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from web.auth import CustomerIdentity
from workflows.contracts import (
    CaseInput,
    CaseStatus,
    DecidedApproval,
    Handoff,
    PendingApproval,
    PostMessageInput,
    RecordCaseInput,
    ShadowDraft,
    TranscriptEntry,
)

AT = "2025-03-01T12:30:15.123456Z"
COMMAND = {
    "kind": "return_items",
    "order_id": "#W1000002",
    "item_ids": ["6469567736"],
    "payment_method_id": "credit_card_1",
    "refund_limit": "100.00",
}
DECIDED = {
    "approval_id": "case-webchat-t1/approval-1",
    "action": "return_items",
    "command": COMMAND,
    "summary": "return 1 item of #W1000002, refund $120.50",
    "amount": "120.50",
    "tier": "approver",
    "risk": "medium",
    "rules": ["refund_above_auto_limit"],
    "reasons": ["the refund is above the automatic limit"],
    "four_eyes": True,
    "approvals": ["pat"],
    "approved_amount": "100.00",
    "requested_at": AT,
    "due_at": "2025-03-01T16:30:15.123456Z",
    "status": "approved",
    "decided_by": ["pat", "sam"],
    "note": None,
    "decided_at": "2025-03-01T13:00:00+00:00",  # the workflow clock's isoformat()
}
HANDOFF = {
    "reason": "the customer asked for a person",
    "category": "return",
    "customer_id": "ada_lovelace_1",
    "order_id": "#W1000002",
    "issue": "a return",
    "preferred_resolution": None,
    "actions_taken": ["return_items executed"],
    "created_at": AT,
    "language": "en",
    "added": ["are you there?"],
    "tried": [],
    "policy_version": "p-1",
}
DRAFT = {
    "draft_id": "case-webchat-t1/draft-8",
    "turn": 4,
    "category": None,
    "text": "Your return is on its way.",
    "reason": None,
    "policy_version": "p-1",
    "drafted_at": AT,
}
STATE = {
    "case_id": "case-webchat-t1",
    "channel": "webchat",
    "turn": 4,
    "category": "return",
    "outcome": "executed",
    "confidence": 0.91,
    "captured": {"order_id": "#W1000002", "email": "ada@example.com"},
    "facts": {"order": {"lines": [1, 2.5, None]}},
    "executed": [],
    "action_seq": 1,
    "verified": True,
}
CARRIED = {
    "state": STATE,
    "status": "escalated",
    "transcript": [
        {"seq": 1, "role": "customer", "text": "return it", "at": AT, "reason": None},
        {"seq": 2, "role": "agent", "text": "Done.", "at": AT, "reason": "executed"},
    ],
    "handoff": HANDOFF,
    "decided": [DECIDED],
    "approval_count": 1,
    "event_seq": 7,
    "draft": DRAFT,
}
CASE_INPUT = {
    "case_id": "case-webchat-t1",
    "channel": "webchat",
    "thread_id": "t1",
    "approval_sla_minutes": 240,
    "idle_close_hours": 168,
    "publish_search_attributes": True,
    "deliver_replies": False,
    "carried": CARRIED,
}


def decode(data: Any, kind: type[Any]) -> Any:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(data).encode())
    [value] = pydantic_data_converter.payload_converter.from_payloads([payload], [kind])
    return value


def encode(value: Any) -> Any:
    [payload] = pydantic_data_converter.payload_converter.to_payloads([value])
    return json.loads(payload.data)


def test_a_case_continued_before_the_records_were_typed_starts_from_what_it_carried() -> None:
    case = decode(CASE_INPUT, CaseInput)
    carried = case.carried
    assert carried["status"] is CaseStatus.ESCALATED
    assert [type(t) for t in carried["transcript"]] == [TranscriptEntry, TranscriptEntry]
    assert isinstance(carried["handoff"], Handoff)
    assert carried["handoff"].added == ["are you there?"]
    assert isinstance(carried["draft"], ShadowDraft) and carried["draft"].turn == 4
    assert carried["decided"] == [DECIDED]
    # The graph's state stays plain data: enum-typed fields keep their values, as strings.
    assert carried["state"] == STATE
    assert type(carried["state"]["category"]) is str
    assert type(carried["state"]["outcome"]) is str


def test_what_a_case_carries_is_sent_as_it_was() -> None:
    sent = encode(decode(CASE_INPUT, CaseInput))
    assert sent == CASE_INPUT
    assert list(sent["carried"]) == list(CARRIED)  # the same keys, in the same order


def test_a_case_continued_before_shadow_drafts_carries_none() -> None:
    earlier = {**CASE_INPUT, "carried": {k: v for k, v in CARRIED.items() if k != "draft"}}
    carried = decode(earlier, CaseInput).carried
    assert "draft" not in carried
    assert encode(decode(earlier, CaseInput)) == earlier


def test_a_decided_approval_is_the_request_and_how_it_ended() -> None:
    requested = set(PendingApproval.model_fields)
    assert set(get_type_hints(DecidedApproval)) == requested | {
        "status",
        "decided_by",
        "note",
        "decided_at",
    }
    assert set(DECIDED) == set(get_type_hints(DecidedApproval))


def test_the_store_gets_the_events_and_approvals_as_recorded() -> None:
    events = [
        {
            "event_id": "case-webchat-t1/event-6",
            "kind": "approval.approve",
            "actor": "sam",
            "payload": {"approval_id": DECIDED["approval_id"], "note": None, "role": "approver"},
        },
        {
            "event_id": "case-webchat-t1/event-7",
            "kind": "case.escalated",
            "actor": "agent",
            "payload": HANDOFF | {"policy_version": "p-1"},
        },
    ]
    view = {
        "case_id": "case-webchat-t1",
        "channel": "webchat",
        "thread_id": "t1",
        "status": "escalated",
        "category": "return",
        "confidence": 0.91,
        "customer_id": "ada_lovelace_1",
        "verified": True,
        "captured": {"order_id": "#W1000002", "reason": "too small"},
        "pending_approval": None,
        "decided_approvals": [DECIDED],
        "actions": [
            {
                "seq": 1,
                "type": "return_items",
                "arguments": COMMAND,
                "status": "executed",
                "amount": "100.00",
                "idempotency_key": "case-webchat-t1/action-1",
                "summary": "return 1 item",
                "error": None,
            }
        ],
        "transcript": CARRIED["transcript"],
        "handoff": HANDOFF,
        "last_reasons": ["the customer asked for a person"],
        "token_usage": {},
        "shadow_draft": DRAFT,
        "policy_version": "p-1",
    }
    record = {"view": view, "events": events, "outbox": []}
    assert encode(decode(record, RecordCaseInput)) == record


def test_a_decided_approval_with_a_key_nobody_declared_is_refused() -> None:
    record = {**CASE_INPUT, "carried": {**CARRIED, "decided": [DECIDED | {"shoe_size": 9}]}}
    with pytest.raises(ValidationError, match="shoe_size"):
        decode(record, CaseInput)


def test_a_signed_identity_reaches_the_case_whole() -> None:
    claim = CustomerIdentity("ada_lovelace_1", thread_id="t1").as_claim()
    message = PostMessageInput(channel="webchat", thread_id="t1", text="hi", identity=claim)
    sent = encode(message)
    assert sent["identity"] == {"customer_id": "ada_lovelace_1", "signed": True, "thread_id": "t1"}
    assert decode(sent, PostMessageInput).identity == sent["identity"]
