"""Payloads are read through one cache of type adapters per process, and read and written
exactly as the SDK's pydantic converter does."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from trustdesk.payloads import SharedAdaptersPayloadConverter, _adapter
from workflows.contracts import CaseInput, PendingApproval, PostMessageInput

SHARED = DataConverter(payload_converter_class=SharedAdaptersPayloadConverter)

APPROVAL = PendingApproval(
    approval_id="case-1/approval-1",
    action="return",
    command={"kind": "return", "order_id": "#W0000001"},
    summary="return 2 items",
    amount=Decimal("123.45"),
    tier="approver",
    risk="medium",
    rules=["over the automatic limit"],
    reasons=["amount"],
    requested_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC),
    due_at=datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
)


def test_workflows_share_the_type_adapters_they_read_with() -> None:
    # The SDK builds a payload converter for every workflow it runs.
    first, second = SHARED._new_payload_converter(), SHARED._new_payload_converter()
    assert first is not second
    [payload] = first.to_payloads([CaseInput(case_id="c", channel="webchat", thread_id="t")])
    before = _adapter.cache_info()
    first.from_payloads([payload], [CaseInput])
    second.from_payloads([payload], [CaseInput])
    after = _adapter.cache_info()
    assert after.misses - before.misses <= 1
    assert after.hits - before.hits >= 1


def test_payloads_are_the_sdk_pydantic_converters() -> None:
    ours, sdks = SHARED.payload_converter, pydantic_data_converter.payload_converter
    message = PostMessageInput(channel="webchat", thread_id="t", text="where is my order?")
    for value in (APPROVAL, message, None, {"amount": "1.10"}, [1, 2], "text", b"bytes"):
        [written] = ours.to_payloads([value])
        assert written == sdks.to_payloads([value])[0]
    for value, hint in ((APPROVAL, PendingApproval), (message, PostMessageInput)):
        [payload] = sdks.to_payloads([value])
        [read] = ours.from_payloads([payload], [hint])
        assert read == value == sdks.from_payloads([payload], [hint])[0]
    assert ours.from_payloads(sdks.to_payloads([APPROVAL]), [PendingApproval])[0].amount == (
        Decimal("123.45")
    )


def test_a_hint_that_cannot_be_a_cache_key_is_still_read() -> None:
    unhashable: Any = Annotated[list[int], ["a note pydantic ignores"]]
    with pytest.raises(TypeError):
        hash(unhashable)
    [payload] = SHARED.payload_converter.to_payloads([[1, 2]])
    assert SHARED.payload_converter.from_payloads([payload], [unhashable]) == [[1, 2]]
