"""What channels remember: which email belongs to which conversation, and seen webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.models import EmailMessageRow, WebhookDeliveryRow

#: How many earlier Message-IDs an outgoing reply lists in `References`.
MAX_REFERENCES = 20


# --- email ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailThread:
    """What an outgoing reply needs to land in the customer's conversation."""

    thread_id: str
    address: str  # the customer's address, from their latest message
    subject: str
    in_reply_to: str | None  # their latest Message-ID
    references: tuple[str, ...]  # the conversation's Message-IDs, oldest first


def find_email_thread(sessions: sessionmaker[Session], message_ids: Sequence[str]) -> str | None:
    """The thread of the first of `message_ids` that is known (pass the likeliest first)."""
    wanted = [m for m in message_ids if m]
    if not wanted:
        return None
    with sessions() as session:
        known = dict(
            session.execute(
                select(EmailMessageRow.message_id, EmailMessageRow.thread_id).where(
                    EmailMessageRow.message_id.in_(wanted)
                )
            ).all()
        )
    return next((known[m] for m in wanted if m in known), None)


def record_email(
    sessions: sessionmaker[Session],
    *,
    message_id: str,
    thread_id: str,
    direction: str,
    address: str,
    subject: str = "",
    attachments: list[dict[str, Any]] | None = None,
    outbox_message_id: str | None = None,
) -> bool:
    """Remember an email of a conversation; False when its Message-ID was already known."""
    with sessions() as session:
        if session.get(EmailMessageRow, message_id) is not None:
            return False
        session.add(
            EmailMessageRow(
                message_id=message_id,
                thread_id=thread_id,
                direction=direction,
                address=address[:254],
                subject=subject[:250],
                attachments=attachments or [],
                outbox_message_id=outbox_message_id,
            )
        )
        try:
            session.commit()
        except IntegrityError:  # a concurrent copy of the same message won
            session.rollback()
            return False
    return True


def move_email(sessions: sessionmaker[Session], message_id: str, thread_id: str) -> None:
    """File a received email under another conversation (its case had closed)."""
    with sessions.begin() as session:
        row = session.get(EmailMessageRow, message_id)
        if row is not None:
            row.thread_id = thread_id


def email_thread(sessions: sessionmaker[Session], thread_id: str) -> EmailThread | None:
    """Where and how to reply in `thread_id`; None when no customer email is known in it."""
    with sessions() as session:
        rows = session.scalars(
            select(EmailMessageRow)
            .where(EmailMessageRow.thread_id == thread_id)
            .order_by(EmailMessageRow.created_at)
        ).all()
    inbound = [r for r in rows if r.direction == "in"]
    if not inbound:
        return None
    first, latest = inbound[0], inbound[-1]
    ids = [r.message_id for r in rows]
    references = (ids[:1] + ids[1:][-(MAX_REFERENCES - 1):]) if ids else []  # fmt: skip
    return EmailThread(
        thread_id=thread_id,
        address=latest.address,
        subject=first.subject,
        in_reply_to=latest.message_id,
        references=tuple(references),
    )


def sent_email(sessions: sessionmaker[Session], message_id: str) -> str | None:
    """The outbox message id of an email Trustdesk sent with this Message-ID."""
    with sessions() as session:
        row = session.get(EmailMessageRow, message_id)
    return row.outbox_message_id if row is not None and row.direction == "out" else None


def email_attachments(sessions: sessionmaker[Session], thread_id: str) -> list[dict[str, Any]]:
    """The attachments customers sent in a conversation: name, type and size, never content."""
    with sessions() as session:
        rows = session.scalars(
            select(EmailMessageRow)
            .where(EmailMessageRow.thread_id == thread_id, EmailMessageRow.direction == "in")
            .order_by(EmailMessageRow.created_at)
        ).all()
    return [{**a, "message_id": r.message_id} for r in rows for a in r.attachments]


# --- webhooks ---------------------------------------------------------------------------


def record_webhook_delivery(
    sessions: sessionmaker[Session], provider: str, delivery_id: str, thread_id: str, sender: str
) -> bool:
    """Remember an accepted delivery; False when it had been accepted before (a replay)."""
    with sessions() as session:
        session.add(
            WebhookDeliveryRow(
                provider=provider,
                delivery_id=delivery_id,
                thread_id=thread_id,
                sender=sender[:200],
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def webhook_delivery_seen(sessions: sessionmaker[Session], provider: str, delivery_id: str) -> bool:
    with sessions() as session:
        return session.get(WebhookDeliveryRow, (provider, delivery_id)) is not None


def webhook_recipient(sessions: sessionmaker[Session], provider: str, thread_id: str) -> str | None:
    """Who wrote last in a provider's thread: where its replies go."""
    with sessions() as session:
        return session.scalar(
            select(WebhookDeliveryRow.sender)
            .where(
                WebhookDeliveryRow.provider == provider, WebhookDeliveryRow.thread_id == thread_id
            )
            .order_by(WebhookDeliveryRow.received_at.desc())
            .limit(1)
        )
