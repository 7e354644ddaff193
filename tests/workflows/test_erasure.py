"""Encrypted histories and erasure by crypto-shredding, on a real dev server."""

from __future__ import annotations

import concurrent.futures
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from google.protobuf.message import Message
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from store.audit import verify_chain
from store.models import AuditEventRow, Base, CustomerRow, OrderRow, TransactionRow
from tests.waiting import wait_until
from tests.workflows.conftest import CaseHarness
from trustdesk.encryption import (
    CaseKeyCodec,
    CaseKeys,
    KeyShreddedError,
    MasterKeys,
    encrypted_converter,
)
from trustdesk.privacy import erase_customer, export_customer
from workers.agent import build_worker
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway

#: What the store and the histories hold about Ada (tests/shop.py) before the erasure.
PERSONAL = ("ada@example.com", "Lovelace", "Analytical Way")
MASTER = MasterKeys("k1", {"k1": b"m" * 32})


def payloads(message: Message, *, skip_headers: bool = True) -> Iterator[Payload]:
    """Every Payload inside a history event, except search attributes' (visibility reads them
    in plain: they are what `CustomerId` queries match; erasure deletes them) and, unless
    asked for, headers'."""
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        if descriptor.name == "search_attributes" or (skip_headers and descriptor.name == "header"):
            continue
        if descriptor.message_type.GetOptions().map_entry:
            values = list(value.values())
        elif isinstance(value, Message):
            values = [value]
        else:  # a repeated field
            values = list(value)
        for item in values:
            if isinstance(item, Payload):
                yield item
            elif isinstance(item, Message):
                yield from payloads(item, skip_headers=skip_headers)


def store_text(h: CaseHarness) -> str:
    with h.sessions() as session:
        rows = [
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        ]
    return "\n".join(rows)


async def say(gw: CaseGateway, thread: str, text: str) -> str:
    result = await gw.post_message(PostMessageInput(channel="webchat", thread_id=thread, text=text))
    return result.replies[-1].text


async def test_histories_are_encrypted_and_an_erasure_leaves_nothing_of_the_customer(
    harness: CaseHarness,
) -> None:
    keys = CaseKeys(harness.sessions, MASTER)
    config = harness.client.config()
    config["data_converter"] = encrypted_converter(keys)
    client = Client(**config)
    plain_client = harness.client  # the pydantic converter, no codec: what the server holds
    queue = f"erasure-{uuid.uuid4().hex[:8]}"
    thread = uuid.uuid4().hex
    case_id = f"case-webchat-{thread}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(client, harness.deps, task_queue=queue, executor=executor):
            gw = CaseGateway(client, queue)
            await say(gw, thread, "Hi, I want to cancel order #W0000001")
            await say(gw, thread, "my email is ada@example.com, I ordered it by mistake")
            assert (await say(gw, thread, "yes please")).startswith("Done")

            # Read without the codec, the history holds ciphertext only.
            raw = await plain_client.get_workflow_handle(case_id).fetch_history()
            every = [p for event in raw.events for p in payloads(event, skip_headers=False)]
            for p in every:
                assert not any(word.encode() in p.SerializeToString() for word in PERSONAL)
            # Headers and local-activity markers' bookkeeping (written by the SDK's core, not
            # through the codec) hold scheduling details in plain; every other payload is sealed.
            sealed = [p for event in raw.events for p in payloads(event)]
            plain = [
                p
                for event in raw.events
                if not event.HasField("marker_recorded_event_attributes")
                for p in payloads(event)
                if p.metadata["encoding"] != b"binary/encrypted"
            ]
            assert sealed and not plain, plain
            sealed = [p for p in sealed if p.metadata["encoding"] == b"binary/encrypted"]
            # Decoded, it is the conversation (so the check above could fail).
            codec = CaseKeyCodec(CaseKeys(harness.sessions, MASTER))
            decoded = b"".join(p.data for p in await codec.decode(sealed))
            assert b"ada@example.com" in decoded
            exported = export_customer(harness.sessions, "ada@example.com")
            assert exported["customer"]["last_name"] == "Lovelace"
            assert any("ada@example.com" in m["text"] for m in exported["cases"][0]["messages"])
            assert "ada@example.com" in store_text(harness)

            report = await erase_customer(
                harness.sessions, keys, client, "ada@example.com", actor="test:dpo"
            )
    assert report.cases == [case_id] and report.keys_shredded == 1
    assert report.workflows_deleted == 1

    # The store: nothing of Ada anywhere, audit rows included; money records kept.
    # (The fixture's other customer shares Ada's street, so her address is checked by row.)
    text = store_text(harness)
    for word in PERSONAL[:2]:
        assert word not in text
    with harness.sessions() as session:
        assert verify_chain(session).ok
        order = session.get(OrderRow, "#W0000001")
        assert order is not None and order.status == "cancelled"
        assert order.customer_id == report.pseudonym and order.address1 == ""
        theirs = session.scalars(
            select(OrderRow).where(OrderRow.customer_id == report.pseudonym)
        ).all()
        assert theirs and all(o.address1 == o.city == o.zip == "" for o in theirs)
        assert not session.scalars(select(CustomerRow).where(CustomerRow.city == "New York")).all()
        refunds = session.scalars(
            select(TransactionRow.amount).where(
                TransactionRow.order_id == "#W0000001", TransactionRow.kind == "refund"
            )
        ).all()
        assert list(refunds) == [Decimal("149.99")]
        assert session.get(CustomerRow, "ada_lovelace_1") is None
        erased = session.scalars(
            select(AuditEventRow).where(AuditEventRow.kind == "customer.erased")
        ).one()
        assert erased.payload["customer"] == report.pseudonym and erased.actor == "test:dpo"

    # Temporal: the execution (and its CustomerId) is gone, and any copy of the history
    # kept elsewhere - an archive, a backup, this test's `sealed` - can no longer be read.
    async def deleted() -> bool:
        try:
            await plain_client.get_workflow_handle(case_id).describe()
        except RPCError as exc:
            return exc.status == RPCStatusCode.NOT_FOUND
        return False  # the server deletes executions asynchronously

    await wait_until(deleted, timeout=90, what="the erased case's execution deleted")
    case_payloads = [p for p in sealed if p.metadata["encryption-key-kind"] == b"case"]
    assert case_payloads
    with pytest.raises(KeyShreddedError):
        await CaseKeyCodec(CaseKeys(harness.sessions, MASTER)).decode(case_payloads[:1])
    readable = []
    for p in sealed:
        try:
            readable += await CaseKeyCodec(CaseKeys(harness.sessions, MASTER)).decode([p])
        except KeyShreddedError:
            continue
    assert not any(word.encode() in p.data for p in readable for word in PERSONAL)
