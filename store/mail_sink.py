"""The local mail sink: emails kept in the store instead of relayed, for the review UI.

`trustdesk up` delivers one-time-code emails here unless an SMTP relay is
configured, so a newcomer can read them at /review/mail.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import SinkMailRow


class SinkMail(BaseModel):
    message_id: str
    to_address: str
    subject: str
    body: str
    created_at: datetime


def keep_mail(
    sessions: sessionmaker[Session], *, message_id: str, to: str, subject: str, body: str
) -> None:
    """Keep one email; a resend of the same message id keeps nothing twice."""
    with sessions.begin() as session:
        exists = session.scalar(select(SinkMailRow.id).where(SinkMailRow.message_id == message_id))
        if exists is None:
            session.add(
                SinkMailRow(message_id=message_id, to_address=to, subject=subject, body=body)
            )


def list_mail(sessions: sessionmaker[Session], *, limit: int = 50) -> list[SinkMail]:
    """The newest kept emails first."""
    with sessions.begin() as session:
        rows = session.scalars(
            select(SinkMailRow).order_by(SinkMailRow.id.desc()).limit(limit)
        ).all()
        return [
            SinkMail(
                message_id=r.message_id,
                to_address=r.to_address,
                subject=r.subject,
                body=r.body,
                created_at=r.created_at,
            )
            for r in rows
        ]
