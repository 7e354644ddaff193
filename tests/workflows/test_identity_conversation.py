"""Identity proportional to risk, in whole conversations on the real worker (strict policy).

Reading an order needs the email plus a second factor; changing anything needs the
one-time code sent to the email on file, read here from the outbox (opened with the
worker's seal) as the mail channel would deliver it; the row itself never holds the code.
Someone who knows only the owner's email cannot change the order, and no reply tells
whether an address has an account.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from google.protobuf.message import Message
from sqlalchemy import func, select
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import HistoryEvent

from domain.consent import Consent
from domain.identity import IdentityLevel
from domain.policy import Policy, load_policy
from domain.retail import Order
from store.consent import read_consent, set_consent
from store.models import MessageRow, OneTimeCodeRow, OutboxRow
from tests.replay.recording import record_history
from tests.shop import ADA
from tests.workflows.conftest import TEST_MAIL_SEAL, CaseHarness
from trustdesk.privacy import export_customer, export_json
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The shipped policy as it is: strict identity rules."""
    shipped = load_policy()
    assert shipped.identity.change is IdentityLevel.ONE_TIME_CODE
    return shipped


class Chat:
    def __init__(self, h: CaseHarness) -> None:
        self.h = h
        self.gw = CaseGateway(h.client, h.task_queue)
        self.thread = uuid.uuid4().hex
        self.case_id = f"case-webchat-{self.thread}"

    async def say(self, text: str) -> str:
        result = await self.gw.post_message(
            PostMessageInput(channel="webchat", thread_id=self.thread, text=text)
        )
        return result.replies[-1].text

    def code_emails(self) -> list[OutboxRow]:
        with self.h.sessions() as s:
            return list(
                s.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.case_id == self.case_id, OutboxRow.channel == "mail")
                    .order_by(OutboxRow.id)
                )
            )

    def code_in_mail(self, mail: OutboxRow) -> str:
        """The code in a queued email, opened as its sender opens it; never in the row."""
        opened = code_in(TEST_MAIL_SEAL.open(mail.text, bound_to=mail.message_id))
        assert opened not in mail.text
        return opened

    def codes_issued(self) -> int:
        with self.h.sessions() as s:
            return s.scalar(
                select(func.count())
                .select_from(OneTimeCodeRow)
                .where(OneTimeCodeRow.case_id == self.case_id)
            ) or 0


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def order(h: CaseHarness, order_id: str) -> Order:
    return h.deps.shop.get_order(order_id)


async def test_an_email_alone_is_asked_for_a_second_factor_before_an_order_is_read(
    harness: CaseHarness,
) -> None:
    chat = Chat(harness)
    asked = await chat.say("Where is my order #W0000002? My email is ada@example.com")
    assert "zip code" in asked and "full name" in asked
    assert "delivered" not in asked.lower()
    answer = await chat.say("My zip code is 10001")
    assert "delivered" in answer.lower()
    assert chat.code_emails() == []  # reading needs no code


async def test_a_change_needs_the_code_sent_to_the_email_on_file(harness: CaseHarness) -> None:
    chat = Chat(harness)
    prompt = await chat.say(
        "Please cancel order #W0000001, I ordered it by mistake. My email is ada@example.com"
    )
    assert "if that address has an account with us, a six-digit code is on its way" in prompt
    [mail] = chat.code_emails()
    assert mail.thread_id == "ada@example.com"  # the address on file, never the chat
    assert order(harness, "#W0000001").status == "pending"
    confirm = await chat.say(chat.code_in_mail(mail))
    assert "149.99" in confirm and "yes" in confirm.lower()
    done = await chat.say("yes please")
    assert done.startswith("Done")
    assert order(harness, "#W0000001").status == "cancelled"


async def test_someone_with_only_the_email_cannot_redirect_an_order(harness: CaseHarness) -> None:
    before = order(harness, "#W0000001")
    chat = Chat(harness)
    await chat.say(
        "Ship order #W0000001 to 5 Other Street, Springfield, IL 62701 instead. "
        "My email is ada@example.com, my zip is 10001 and my name is Ada Lovelace."
    )
    [mail] = chat.code_emails()
    real = chat.code_in_mail(mail)
    guesses = [g for g in ("000000", "123456", "111111", "999999", "654321") if g != real]
    for guess in guesses[:5]:
        reply = await chat.say(guess)
        assert "Springfield" not in reply
    # after the attempts a code allows, even the right code opens nothing
    assert "Springfield" not in await chat.say(real)
    for reply in [await chat.say("yes"), await chat.say("yes, do it")]:
        assert not reply.startswith("Done")
    assert order(harness, "#W0000001") == before
    case = await chat.gw.get_case(chat.case_id)
    assert case.actions == []


async def test_no_reply_tells_whether_an_account_exists(harness: CaseHarness) -> None:
    for first, then in [
        ("Where is my order #W0000002? My email is {email}", "My zip code is 99999"),
        ("Please cancel order #W0000001, I ordered it by mistake. My email is {email}", "314159"),
    ]:
        replies = {}
        issued = {}
        for email in ("ada@example.com", "nobody@example.com"):
            chat = Chat(harness)
            replies[email] = [await chat.say(first.format(email=email)), await chat.say(then)]
            issued[email] = chat.codes_issued()
        assert replies["ada@example.com"] == replies["nobody@example.com"]
        # the same store path: a code is kept for both, only the owner is mailed one
        assert issued["ada@example.com"] == issued["nobody@example.com"]


def _payloads(message: Message) -> Iterator[bytes]:
    """The data of every payload a history event holds, however deep."""
    if isinstance(message, Payload):
        yield message.data
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items: Iterable[Any] = value.values()
        elif field.is_repeated:
            items = value
        else:
            items = [value]
        for item in items:
            if isinstance(item, Message):
                yield from _payloads(item)


def _events_holding(events: Iterable[HistoryEvent], secret: str) -> list[str]:
    """Which events' payloads hold `secret`: the kind of event, and an activity's type."""
    found = []
    for event in events:
        if not any(secret.encode() in data for data in _payloads(event)):
            continue
        kind = event.WhichOneof("attributes") or "?"
        scheduled = event.activity_task_scheduled_event_attributes
        found.append(f"{kind}:{scheduled.activity_type.name}" if scheduled.activity_id else kind)
    return found


async def test_a_typed_code_stays_in_the_turn_that_checks_it(harness: CaseHarness) -> None:
    """The transcript (store, review UI, export) shows "[one-time code]" instead of the code,
    and nothing the case carries past the check holds it: in the history only the message
    itself and the read that checked it do."""
    chat = Chat(harness)
    await chat.say(
        "Please cancel order #W0000001, I ordered it by mistake. My email is ada@example.com"
    )
    [mail] = chat.code_emails()
    code = chat.code_in_mail(mail)
    confirm = await chat.say(f"the code is {code[:3]} {code[3:]}")
    assert "149.99" in confirm  # the code was checked, and verified the customer
    assert (await chat.say("yes please")).startswith("Done")
    handle = chat.gw.handle(chat.case_id)
    await record_history(handle, "one_time_code")
    spaced = f"{code[:3]} {code[3:]}"

    case = await chat.gw.get_case(chat.case_id)
    said = [e.text for e in case.transcript if e.role == "customer"]
    assert said[1] == "the code is [one-time code]"
    with harness.sessions() as s:
        stored = list(s.scalars(select(MessageRow.text).where(MessageRow.case_id == chat.case_id)))
    assert "the code is [one-time code]" in stored
    exported = export_json(export_customer(harness.sessions, "ada@example.com"))
    assert "[one-time code]" in exported
    for text in [*said, *stored, exported, str(case.captured)]:
        assert code not in text and spaced not in text

    history = await handle.fetch_history()
    holding = _events_holding(history.events, spaced)
    assert holding == [
        "workflow_execution_update_accepted_event_attributes",
        "activity_task_scheduled_event_attributes:support.understand",
    ], holding


async def test_a_consent_change_needs_the_code_and_seeing_the_flags_a_second_factor(
    harness: CaseHarness,
) -> None:
    set_consent(harness.sessions, ADA, Consent(marketing=True), actor="review:ad", subject="s")
    chat = Chat(harness)
    prompt = await chat.say("Stop using my data for marketing. My email is ada@example.com")
    assert "if that address has an account with us, a six-digit code is on its way" in prompt
    [mail] = chat.code_emails()
    real = chat.code_in_mail(mail)
    wrong = await chat.say("000000" if real != "000000" else "111111")
    assert "doesn't match" in wrong
    assert read_consent(harness.sessions, ADA) == Consent(marketing=True)  # the email alone
    done = await chat.say(real)
    assert done.startswith("Done: we will no longer tell you about offers.")
    assert read_consent(harness.sessions, ADA) == Consent()

    shown = Chat(harness)
    asked = await shown.say("What have I consented to? My email is ada@example.com")
    assert "zip code" in asked and "offers" not in asked
    answer = await shown.say("My zip code is 10001")
    assert "- tell you about offers: no" in answer
    assert shown.code_emails() == []  # seeing needs no code
