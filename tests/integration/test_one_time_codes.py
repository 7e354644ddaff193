"""One-time codes in the store (SQLite and PostgreSQL), and their email over real SMTP.

A code is kept only as its hash; the email with the code goes through the outbox to
the address on file, once per code id, sealed so that no row at rest holds the code,
and arrives at a local SMTP server this test reads, or (still sealed) in the mail sink
on the embedded default.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.identity import CodeCheck, CodeRecipient, IdentityRules, derive_code_key
from store.mail_sink import list_mail
from store.models import OneTimeCodeRow, OutboxRow
from store.one_time_codes import pending_code, request_code, verify_code
from store.sealed import SealError, TextSeal
from tests.waiting import wait_until
from workers.email import DirectMailSender, EmailSender, MailSinkSender
from workers.outbox import OutboxDispatcher

KEY = derive_code_key("the deployment's secret, for codes")
RULES = IdentityRules(code_ttl_minutes=10, code_max_attempts=3)
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
ADA = CodeRecipient("ada_lovelace_1", "ada@example.com")
SEAL = TextSeal("k1", {"k1": bytes(range(32))})


def _code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def _sent_code(sessions: sessionmaker[Session]) -> str:
    """The code in the first queued email, opened as its sender opens it."""
    row = _outbox(sessions)[0]
    return _code_in(SEAL.open(row.text, bound_to=row.message_id))


def _raw_values(sessions: sessionmaker[Session]) -> list[str]:
    """Every value of every row in the store, read past the ORM as a dump would."""
    values = []
    with sessions() as s:
        for table in inspect(s.get_bind()).get_table_names():
            for row in s.execute(text(f'SELECT * FROM "{table}"')):
                values.extend(str(value) for value in row)
    return values


def _outbox(sessions: sessionmaker[Session]) -> list[OutboxRow]:
    with sessions() as s:
        return list(s.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def _send(sessions: sessionmaker[Session], code_id: str, recipient: CodeRecipient | None) -> None:
    request_code(
        sessions,
        key=KEY,
        seal=SEAL,
        code_id=code_id,
        case_id="case-webchat-t1",
        recipient=recipient,
        rules=RULES,
        now=NOW,
    )


def test_a_code_is_queued_to_the_address_on_file_once_and_kept_as_a_hash(
    sessions: sessionmaker[Session],
) -> None:
    _send(sessions, "case-webchat-t1/code-1", ADA)
    _send(sessions, "case-webchat-t1/code-1", ADA)  # a retried activity
    [row] = _outbox(sessions)
    assert (row.channel, row.thread_id, row.message_id) == (
        "mail",
        "ada@example.com",
        "case-webchat-t1/code-1",
    )
    code = _sent_code(sessions)
    with sessions() as s:
        kept = s.scalars(select(OneTimeCodeRow)).one()
    assert code not in kept.code_hash and kept.customer_id == "ada_lovelace_1"
    assert pending_code(sessions, "case-webchat-t1")
    assert verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=code, now=NOW) == (
        CodeCheck.OK,
        "ada_lovelace_1",
    )
    # used once
    assert verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=code, now=NOW) == (
        CodeCheck.EXHAUSTED,
        None,
    )
    assert not pending_code(sessions, "case-webchat-t1")


def test_no_row_at_rest_holds_the_code_and_a_sealed_body_opens_only_for_its_row(
    sessions: sessionmaker[Session],
) -> None:
    _send(sessions, "case-webchat-t1/code-1", ADA)
    code = _sent_code(sessions)
    assert not [value for value in _raw_values(sessions) if code in value]
    [row] = _outbox(sessions)
    assert row.text.startswith("sealed:v1:k1:")
    for wrong in (
        lambda: SEAL.open(row.text, bound_to="case-webchat-t2/code-1"),  # moved to another row
        lambda: TextSeal("k1", {"k1": bytes(32)}).open(row.text, bound_to=row.message_id),
        lambda: TextSeal("k2", {"k2": bytes(range(32))}).open(row.text, bound_to=row.message_id),
    ):
        try:
            wrong()
        except SealError:
            continue
        raise AssertionError("a sealed body opened where it should not")


def test_wrong_codes_count_and_the_right_one_then_opens_nothing(
    sessions: sessionmaker[Session],
) -> None:
    _send(sessions, "case-webchat-t1/code-1", ADA)
    code = _sent_code(sessions)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(RULES.code_max_attempts):
        check = verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=wrong, now=NOW)
        assert check == (CodeCheck.WRONG, None)
    right = verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=code, now=NOW)
    assert right == (CodeCheck.EXHAUSTED, None)


def test_an_expired_code_opens_nothing(sessions: sessionmaker[Session]) -> None:
    _send(sessions, "case-webchat-t1/code-1", ADA)
    code = _sent_code(sessions)
    later = NOW + timedelta(minutes=RULES.code_ttl_minutes, seconds=1)
    check = verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=code, now=later)
    assert check == (CodeCheck.EXPIRED, None)


def test_an_address_without_an_account_gets_a_row_and_no_email(
    sessions: sessionmaker[Session],
) -> None:
    _send(sessions, "case-webchat-t1/code-1", None)
    assert _outbox(sessions) == []
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(OneTimeCodeRow)) == 1
    for guess in ("000000", "123456"):
        check = verify_code(sessions, key=KEY, case_id="case-webchat-t1", typed=guess, now=NOW)
        assert check == (CodeCheck.WRONG, None)


def test_another_cases_code_opens_nothing_here(sessions: sessionmaker[Session]) -> None:
    _send(sessions, "case-webchat-t1/code-1", ADA)
    code = _sent_code(sessions)
    check = verify_code(sessions, key=KEY, case_id="case-webchat-t2", typed=code, now=NOW)
    assert check == (CodeCheck.WRONG, None)


class Relay:
    def __init__(self) -> None:
        self.received: list[tuple[Envelope, EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:  # noqa: N802
        mail = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        self.received.append((envelope, mail))  # type: ignore[arg-type]
        return "250 OK"


async def test_the_code_email_reaches_the_address_on_file_over_smtp(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    sessions = sqlite_sessions
    loop = asyncio.get_running_loop()
    relay = Relay()
    server = await loop.create_server(lambda: SMTP(relay, loop=loop), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = DirectMailSender(
        EmailSender(
            sessions, support_address="support@shop.test", relay_host="127.0.0.1", relay_port=port
        ),
        SEAL,
    )
    dispatcher = OutboxDispatcher(sessions, "mail", sender, send_timeout=20)
    try:
        _send(sessions, "case-webchat-t1/code-1", ADA)
        code = _sent_code(sessions)

        async def delivered() -> bool:
            await dispatcher.deliver_due()
            return len(relay.received) == 1

        await wait_until(delivered, timeout=20, what="the code email at the relay")
    finally:
        server.close()
        await server.wait_closed()
    envelope, mail = relay.received[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Your Trustdesk verification code"
    assert _code_in(mail.get_content()) == code
    # Delivered, the sealed body leaves the outbox row too.
    assert _outbox(sessions)[0].text == ""
    assert not [value for value in _raw_values(sessions) if code in value]


async def test_on_the_embedded_default_the_code_email_lands_in_the_mail_sink(
    sqlite_sessions: sessionmaker[Session],
) -> None:
    sessions = sqlite_sessions
    dispatcher = OutboxDispatcher(
        sessions, "mail", MailSinkSender(sessions, "support@shop.test", SEAL), send_timeout=20
    )
    _send(sessions, "case-webchat-t1/code-1", ADA)
    code = _sent_code(sessions)
    assert await dispatcher.deliver_due() == 1
    [mail] = list_mail(sessions)
    assert (mail.to_address, mail.subject) == (
        "ada@example.com",
        "Your Trustdesk verification code",
    )
    assert _code_in(SEAL.open(mail.body, bound_to=mail.message_id)) == code
    assert not [value for value in _raw_values(sessions) if code in value]
