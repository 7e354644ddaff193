"""A customer's consent in whole conversations on the real worker: asked to see or change
their flags in chat or by email, the agent asks who they are first, then shows or changes
them (once, audited with the customer as actor); the handoff record lists their earlier
cases only when they allowed their past cases to be used.

The suite's τ²-like identity rule applies here (an email suffices to change anything); the
one-time code a change needs under the shipped rules is shown in test_identity_conversation.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from domain.consent import Consent
from domain.pseudonym import customer_actor, customer_pseudonym
from store.audit import verify_chain
from store.consent import read_consent, set_consent
from store.models import ActionRecordRow, AuditEventRow, CaseRow, OutboxRow
from tests.shop import ADA
from tests.waiting import wait_until
from tests.workflows.conftest import CaseHarness
from workflows.contracts import PostMessageInput
from workflows.gateway import CaseGateway


class Chat:
    def __init__(self, h: CaseHarness, channel: str = "webchat") -> None:
        self.h, self.channel = h, channel
        self.gw = CaseGateway(h.client, h.task_queue)
        self.thread = uuid.uuid4().hex
        self.case_id = f"case-{channel}-{self.thread}"

    async def say(self, text: str, **hints: str) -> str:
        result = await self.gw.post_message(
            PostMessageInput(
                channel=self.channel, thread_id=self.thread, text=text, captured=hints or None
            )
        )
        return result.replies[-1].text


def consent_events(h: CaseHarness) -> list[AuditEventRow]:
    with h.sessions() as s:
        return list(
            s.scalars(
                select(AuditEventRow)
                .where(AuditEventRow.kind == "consent.changed")
                .order_by(AuditEventRow.seq)
            )
        )


async def test_a_customer_withdraws_a_consent_in_chat_once_they_said_who_they_are(
    harness: CaseHarness,
) -> None:
    set_consent(harness.sessions, ADA, Consent(marketing=True, personalisation=True),
                actor="review:ad", subject=customer_pseudonym(ADA))  # fmt: skip
    chat = Chat(harness)
    asked = await chat.say("Please stop sending me marketing emails")
    assert "email address on your account" in asked
    assert read_consent(harness.sessions, ADA).marketing  # nothing changed for a stranger
    done = await chat.say("ada@example.com")
    assert done.startswith("Done: we will no longer tell you about offers.")
    assert "- tell you about offers: no" in done
    assert "personalise our replies with your profile (for example, use your first name): yes" in (
        done
    )
    assert read_consent(harness.sessions, ADA) == Consent(personalisation=True)

    [admin, own] = consent_events(harness)
    assert admin.actor == "review:ad"
    assert own.actor == customer_actor(ADA) and ADA not in own.actor
    assert (own.case_id, own.event_id) == (chat.case_id, f"{chat.case_id}/consent-2")
    assert own.payload["after"] == Consent(personalisation=True).as_document()
    assert own.payload["channel"] == "webchat"

    shown = await chat.say("what have I consented to?")
    assert shown.startswith("What you allow us beyond handling your requests:")
    assert "- tell you about offers: no" in shown
    again = await chat.say("stop using my data for marketing")
    assert again.startswith("That is already how your choices are set")
    assert len(consent_events(harness)) == 2  # nothing changed, nothing audited
    case = await chat.gw.get_case(chat.case_id)
    assert case.status.value == "resolved" and "consent_request" not in case.captured
    with harness.sessions() as s:
        assert verify_chain(s).ok


async def test_a_customer_grants_a_consent_by_email(harness: CaseHarness) -> None:
    chat = Chat(harness, channel="email")
    await chat.say("Hello, you can use my past cases from now on. Thanks", email="ada@example.com")
    assert read_consent(harness.sessions, ADA) == Consent(past_cases=True)
    [event] = consent_events(harness)
    assert event.payload["channel"] == "email" and event.actor == customer_actor(ADA)

    async def replied() -> list[str]:  # on email every reply goes out through the outbox
        with harness.sessions() as s:
            return list(
                s.scalars(
                    select(OutboxRow.text).where(
                        OutboxRow.case_id == chat.case_id, OutboxRow.channel == "email"
                    )
                )
            )

    [reply] = await wait_until(replied, what="the reply queued")
    assert "Done: from now on we may show the colleague who takes over" in reply


def add_earlier_case(h: CaseHarness) -> None:
    with h.sessions() as s:
        s.add(CaseRow(id="case-webchat-earlier", channel="webchat", thread_id="earlier",
                      customer_id=ADA, status="resolved", category="return", captured={},
                      created_at=datetime(2024, 1, 2, tzinfo=UTC)))  # fmt: skip
        s.add(ActionRecordRow(idempotency_key="case-webchat-earlier/action-1",
                              action="return_items", fingerprint="f", target_id="#W0000002",
                              result={}))  # fmt: skip
        s.commit()


@pytest.mark.parametrize("allowed", [True, False], ids=["with consent", "without consent"])
async def test_the_handoff_lists_earlier_cases_only_with_past_cases_consent(
    harness: CaseHarness, allowed: bool
) -> None:
    add_earlier_case(harness)
    set_consent(harness.sessions, ADA, Consent(past_cases=allowed), actor="review:ad",
                subject=customer_pseudonym(ADA))  # fmt: skip
    chat = Chat(harness)
    asked = await chat.say(
        "I want to talk to a person about order #W0000002, my email is ada@example.com"
    )
    assert "what is it about" in asked  # once, so the colleague starts with it
    reply = await chat.say("the lamp flickers, I'd like a replacement")
    assert "case-webchat-earlier" not in asked + reply  # for the colleague, never for the reply
    handoff = (await chat.gw.get_case(chat.case_id)).handoff
    assert handoff is not None and handoff.customer_id == ADA
    if allowed:
        assert handoff.earlier_cases is not None
        [earlier] = handoff.earlier_cases
        assert (earlier.case_id, earlier.category, earlier.status, earlier.actions) == (
            "case-webchat-earlier", "return", "resolved", ["return_items"],
        )  # fmt: skip
    else:
        assert handoff.earlier_cases is None

    async def escalation_recorded() -> AuditEventRow | None:
        with harness.sessions() as s:
            return s.scalars(
                select(AuditEventRow).where(
                    AuditEventRow.case_id == chat.case_id, AuditEventRow.kind == "case.escalated"
                )
            ).first()

    event = await wait_until(escalation_recorded, what="the handoff recorded")
    listed = event.payload.get("earlier_cases")
    assert (listed is not None) is allowed


async def test_a_consent_request_beside_another_is_taken_up_after_it(harness: CaseHarness) -> None:
    set_consent(harness.sessions, ADA, Consent(marketing=True), actor="review:ad", subject="s")
    chat = Chat(harness)
    result = await chat.gw.post_message(
        PostMessageInput(
            channel="webchat",
            thread_id=chat.thread,
            text="Where is my order #W0000002? Also, stop sending me marketing emails. "
            "My email is ada@example.com",
        )
    )
    first, second = (r.text for r in result.replies)
    assert "#W0000002 is delivered" in first
    assert second.startswith("Done: we will no longer tell you about offers.")
    assert read_consent(harness.sessions, ADA) == Consent()
