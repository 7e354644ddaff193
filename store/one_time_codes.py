"""One-time codes at rest, and the email that carries one to the address on file.

`request_code` keeps a code's hash and, in the same transaction, queues the email with
the code in the outbox (channel `mail`, thread = the address on file, message id =
the code's id), so a retried call sends nothing twice. The email's body is sealed
(`store.sealed`): no row holds the code readable, only its sender opens it. An
address without an account takes the same path: a row is written (with no customer
and a code nobody receives) and no email is queued; the caller answers both the same
way.

`verify_code` checks what a customer typed against the case's latest code: a wrong
code counts an attempt, the right one is used up.

`StoredCodes` binds both to a session factory, a key and a seal: it is what the agent's
graph reaches codes through (`graph.deps.OneTimeCodes`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.identity import (
    CodeCheck,
    CodeRecipient,
    IdentityRules,
    IssuedCode,
    check_code,
    issue_code,
)
from store.models import OneTimeCodeRow, OutboxRow
from store.sealed import TextSeal

MAIL_CHANNEL = "mail"  # emails to an address on file, outside any conversation
CODE_SUBJECT = "Your Trustdesk verification code"
# Codes one conversation may ask for: with the attempts each allows, this bounds the
# guesses an impostor gets, and the emails an owner receives, per conversation.
MAX_CODES_PER_CASE = 3


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def code_email_text(code: str, minutes: int) -> str:
    return (
        f"Your verification code is {code}\n\n"
        f"Type it in your conversation with the shop's support to confirm it is you. "
        f"It works once, for {minutes} minutes.\n\n"
        "If you did not ask for it, ignore this email: nothing changes without the code."
    )


def request_code(
    sessions: sessionmaker[Session],
    *,
    key: bytes,
    seal: TextSeal,
    code_id: str,
    case_id: str,
    recipient: CodeRecipient | None,
    rules: IdentityRules,
    now: datetime,
) -> bool:
    """Keep a fresh code for the case and queue it to the address on file, once per id.

    False when the case has had its `MAX_CODES_PER_CASE` codes and no new one is issued.
    """
    code, issued = issue_code(
        key,
        code_id,
        now,
        ttl=timedelta(minutes=rules.code_ttl_minutes),
        max_attempts=rules.code_max_attempts,
    )
    with sessions.begin() as session:
        if session.get(OneTimeCodeRow, code_id) is not None:
            return True  # a retried call: the first one's code stands
        issued_before = session.scalar(
            select(func.count())
            .select_from(OneTimeCodeRow)
            .where(OneTimeCodeRow.case_id == case_id)
        )
        if (issued_before or 0) >= MAX_CODES_PER_CASE:
            return False
        session.add(
            OneTimeCodeRow(
                id=code_id,
                case_id=case_id,
                customer_id=recipient.customer_id if recipient else None,
                code_hash=issued.code_hash,
                expires_at=issued.expires_at,
                max_attempts=issued.max_attempts,
                attempts=0,
                created_at=now,
            )
        )
        if recipient is not None:
            session.add(
                OutboxRow(
                    message_id=code_id,
                    case_id=case_id,
                    channel=MAIL_CHANNEL,
                    thread_id=recipient.email,
                    role="agent",
                    text=seal.seal(code_email_text(code, rules.code_ttl_minutes), bound_to=code_id),
                    reason=None,
                    status="pending",
                    attempts=0,
                    created_at=now,
                )
            )
    return True


def _latest(session: Session, case_id: str) -> OneTimeCodeRow | None:
    return session.scalars(
        select(OneTimeCodeRow)
        .where(OneTimeCodeRow.case_id == case_id)
        .order_by(OneTimeCodeRow.created_at.desc(), OneTimeCodeRow.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def verify_code(
    sessions: sessionmaker[Session], *, key: bytes, case_id: str, typed: str, now: datetime
) -> tuple[CodeCheck, str | None]:
    """Whether `typed` is the case's latest code, and whose account it opens when it is."""
    with sessions.begin() as session:
        row = _latest(session, case_id)
        if row is None:
            return CodeCheck.WRONG, None
        record = IssuedCode(row.id, row.code_hash, _aware(row.expires_at), row.max_attempts)
        result = check_code(
            key, record, typed, now, attempts=row.attempts, used=row.used_at is not None
        )
        if result is CodeCheck.OK and row.customer_id is None:
            result = CodeCheck.WRONG  # no code was sent for an address without an account
        if result is CodeCheck.WRONG:
            row.attempts += 1
            return result, None
        if result is CodeCheck.OK:
            row.used_at = now
            return result, row.customer_id
        return result, None


def pending_code(sessions: sessionmaker[Session], case_id: str) -> bool:
    """Whether the case has a code that can still be typed."""
    with sessions.begin() as session:
        row = _latest(session, case_id)
        return row is not None and row.used_at is None and row.attempts < row.max_attempts


@dataclass(frozen=True)
class StoredCodes:
    """The case's one-time codes in the store: hashed under `key`, their emails sealed with
    `seal`. Both default to keys of this process only, so codes then hold (and their
    emails open) within this process alone."""

    sessions: sessionmaker[Session]
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    seal: TextSeal = field(default_factory=TextSeal.random)

    def request(
        self,
        *,
        code_id: str,
        case_id: str,
        recipient: CodeRecipient | None,
        rules: IdentityRules,
        now: datetime,
    ) -> bool:
        """`request_code` under this store's key and seal."""
        return request_code(
            self.sessions,
            key=self.key,
            seal=self.seal,
            code_id=code_id,
            case_id=case_id,
            recipient=recipient,
            rules=rules,
            now=now,
        )

    def verify(self, *, case_id: str, typed: str, now: datetime) -> tuple[CodeCheck, str | None]:
        """`verify_code` under this store's key."""
        return verify_code(self.sessions, key=self.key, case_id=case_id, typed=typed, now=now)
