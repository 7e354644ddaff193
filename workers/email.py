"""The email channel: `trustdesk email` listens for mail to the support address.

Inbound, the listener (aiosmtpd) only turns a customer's email into a message for
its case, `case-email-<thread>`: it refuses mail for any other recipient (550)
and mail above the size limit (552), finds the conversation from the
Message-IDs the email answers (In-Reply-To, then References, newest first),
starts a new conversation when it answers nothing Trustdesk knows, and says 250
only once the case has accepted the message (451, "try again later", when it
could not; the sender's server retries and the retry is recognised by its
Message-ID). Bounces and auto-replies are never answered; a bounce of a reply
Trustdesk sent puts that reply among the dead letters.

Outbound, `EmailSender` is the outbox dispatcher's sender for the channel: it
replies through the configured SMTP relay with `In-Reply-To`, `References` and a
`Message-ID` derived from the outbox message id (a resend carries the same one).
The sender's address reaches the agent as a captured email, a hint it treats as
if the customer had typed it; only when the receiving server that a trusted
`Authentication-Results` header names proved it (DKIM or SPF pass for the From
domain, `workers/mail_auth.py`) does it come as the case's identity (`mailbox`).
Unproven mail can ask, never act: a change still needs the one-time code sent to
the address on file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
import smtplib
import ssl
import unicodedata
import uuid
from collections.abc import Callable, Collection, Mapping
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formataddr, formatdate
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from store.channels import (
    EmailThread,
    email_thread,
    find_email_thread,
    move_email,
    record_email,
    sent_email,
)
from store.mail_sink import keep_mail
from store.one_time_codes import CODE_SUBJECT
from store.outbox import OutboxMessage, mark_bounced
from store.sealed import SealError, TextSeal, is_sealed
from store.trust import ratable
from trustdesk.config import Settings
from trustdesk.rating_links import rating_links
from trustdesk.temporal_client import connect
from workers.email_text import InboundEmail, parse_email
from workers.mail_auth import sender_proven
from workers.senders import DeliveryFailed
from workflows.contracts import MAX_MESSAGE_CHARS, PostMessageInput
from workflows.gateway import CaseGateway, refusal_type

log = logging.getLogger("trustdesk.email")

CHANNEL = "email"
ACCEPT_TIMEOUT_SECONDS = 60.0
RELAY_TIMEOUT_SECONDS = 30.0
_KEEP_CONTROLS = frozenset("\t\n")


# --- inbound ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """No control characters (bar tab and newline) or lone surrogates reach the case."""
    return "".join(
        ch for ch in text if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def _update_id(message_id: str) -> str:
    """The case update's id for an email: its Message-ID, hashed when it is long."""
    if len(message_id) <= 190:
        return f"email:{message_id}"
    return "email:" + hashlib.sha256(message_id.encode()).hexdigest()


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class SupportMailHandler:
    """aiosmtpd hooks: who may be written to, and what happens to a received message."""

    def __init__(
        self,
        gateway: CaseGateway,
        sessions: sessionmaker[DbSession],
        *,
        support_address: str,
        accept_timeout: float = ACCEPT_TIMEOUT_SECONDS,
        new_thread_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        trusted_authserv_ids: Collection[str] = (),
    ) -> None:
        self.trusted_authserv_ids = tuple(trusted_authserv_ids)
        self.gateway = gateway
        self.sessions = sessions
        self.support_address = support_address.lower()
        self.accept_timeout = accept_timeout
        self.new_thread_id = new_thread_id

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() != self.support_address:
            return f"550 5.1.1 <{address}>: no such mailbox here; write to <{self.support_address}>"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        try:
            mail = parse_email(envelope.original_content or b"", envelope.mail_from or "")
        except Exception:  # noqa: BLE001 - a message we cannot read is refused, not fatal
            log.exception("could not read a message from %s", envelope.mail_from)
            return "554 5.6.0 The message could not be read"
        if mail.automatic or mail.sender == self.support_address:
            await self._note_automatic(mail)
            return "250 2.0.0 OK: automatic message noted; it is not answered"
        headers = BytesHeaderParser(policy=email_policy.compat32).parsebytes(
            envelope.original_content or b""
        )
        proven = sender_proven(
            [str(v) for v in headers.get_all("Authentication-Results") or []],
            mail.sender,
            self.trusted_authserv_ids,
        )
        return await self._accept(mail, sender_proven=proven)

    async def _note_automatic(self, mail: InboundEmail) -> None:
        for message_id in mail.bounced_ids:
            outbox_id = await asyncio.to_thread(sent_email, self.sessions, message_id)
            if outbox_id is not None:
                reason = mail.bounce_reason or mail.subject or "the recipient's server refused it"
                await asyncio.to_thread(mark_bounced, self.sessions, outbox_id, reason)
                log.warning("reply %s bounced: %s", outbox_id, reason)
                return
        log.info("ignored an automatic message (%s) from %s", mail.automatic, mail.sender)

    async def _accept(self, mail: InboundEmail, *, sender_proven: bool = False) -> str:
        message_id = mail.message_id or f"<{uuid.uuid4().hex}@trustdesk.invalid>"
        thread_id = await asyncio.to_thread(find_email_thread, self.sessions, mail.thread_keys())
        if thread_id is None:
            # Answers nothing Trustdesk knows (a new conversation, or a reply to a message
            # from before Trustdesk): start a case.
            thread_id = self.new_thread_id()
        await asyncio.to_thread(
            record_email,
            self.sessions,
            message_id=message_id,
            thread_id=thread_id,
            direction="in",
            address=mail.sender,
            subject=mail.subject,
            attachments=[a.as_record() for a in mail.attachments],
        )
        text = _clean(mail.text).strip()
        if not text:
            text = "(The email had no text of its own.)"
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[: MAX_MESSAGE_CHARS - 1] + "…"
        message = PostMessageInput(
            channel=CHANNEL,
            thread_id=thread_id,
            text=text,
            message_id=_update_id(message_id),
            captured={"email": mail.sender} if "@" in mail.sender else None,
            # Only a sender the trusted receiving server proved (DKIM/SPF) is an identity;
            # otherwise the From address is a hint, as if typed: enough to ask, never to act.
            identity={"mailbox": mail.sender} if sender_proven and "@" in mail.sender else None,
        )
        try:
            try:
                await asyncio.wait_for(self.gateway.accept_message(message), self.accept_timeout)
            except WorkflowUpdateFailedError as err:
                if refusal_type(err) != "CaseClosed":
                    raise
                # The conversation was closed: this email opens a new one.
                thread_id = self.new_thread_id()
                await asyncio.to_thread(move_email, self.sessions, message_id, thread_id)
                message = message.model_copy(update={"thread_id": thread_id})
                await asyncio.wait_for(self.gateway.accept_message(message), self.accept_timeout)
        except (TimeoutError, RPCError, WorkflowUpdateFailedError, RuntimeError) as exc:
            log.warning("could not hand %s to its case: %r", message_id, exc)
            return "451 4.3.0 Trustdesk could not take the message just now; please try again later"
        log.info("email %s from %s → case-email-%s", message_id, mail.sender, thread_id)
        return "250 2.0.0 OK: message accepted"


class SupportSMTP(SMTP):
    """aiosmtpd's server, saying plainly why an oversized message is refused."""

    def __init__(self, handler: SupportMailHandler, *, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(handler, data_size_limit=max_bytes, **kwargs)
        self._too_big = (
            f"552 5.3.4 Message too big: <{handler.support_address}> accepts mail up to "
            f"{_size(max_bytes)}; please send a shorter message or fewer attachments"
        )

    async def push(self, status: Any) -> None:
        if isinstance(status, str) and status.startswith("552 "):
            status = self._too_big
        await super().push(status)


async def start_listener(
    handler: SupportMailHandler, host: str, port: int, *, max_bytes: int
) -> asyncio.Server:
    """Serve SMTP on `host:port` in the running event loop."""
    loop = asyncio.get_running_loop()
    hostname = handler.support_address.rpartition("@")[2] or "trustdesk"
    return await loop.create_server(
        lambda: SupportSMTP(
            handler, max_bytes=max_bytes, hostname=hostname, enable_SMTPUTF8=True, loop=loop
        ),
        host=host,
        port=port,
    )


# --- outbound ---------------------------------------------------------------------------


def outgoing_message_id(outbox_message_id: str, support_address: str) -> str:
    """The Message-ID of a reply: the same for every attempt to send it."""
    digest = hashlib.sha256(outbox_message_id.encode()).hexdigest()[:32]
    return f"<{digest}@{support_address.rpartition('@')[2] or 'trustdesk.invalid'}>"


def compose_reply(
    message: OutboxMessage,
    thread: EmailThread,
    support_address: str,
    rating_links: Mapping[int, str] | None = None,
) -> EmailMessage:
    """The email that carries an outbox message into the customer's conversation; with
    `rating_links` (the case is resolved), one link per score to rate it."""
    mail = EmailMessage()
    mail["From"] = formataddr(("Customer support", support_address))
    mail["To"] = thread.address
    subject = thread.subject or "Your request"
    mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = outgoing_message_id(message.message_id, support_address)
    if thread.in_reply_to:
        mail["In-Reply-To"] = thread.in_reply_to
    if thread.references:
        mail["References"] = " ".join(thread.references)
    if message.role != "human":
        mail["Auto-Submitted"] = "auto-replied"  # RFC 3834: other robots must not answer it
    body = message.text
    if message.reason:
        body += f"\n\n(Why: {message.reason})"
    author = (
        "A member of our support team"
        if message.role == "human"
        else "The shop's AI assistant (Trustdesk)"
    )
    if rating_links:
        body += "\n\nHow did we do? Rate this conversation from 1 (poor) to 5 (great):\n"
        body += "\n".join(f"  {score}: {link}" for score, link in sorted(rating_links.items()))
    body += (
        f"\n\n-- \n{author}. Reply to this email to continue; you can ask for a person at any time."
    )
    mail.set_content(body)
    return mail


class EmailSender:
    """Sends outbox messages of the email channel through the SMTP relay."""

    def __init__(
        self,
        sessions: sessionmaker[DbSession],
        *,
        support_address: str,
        relay_host: str,
        relay_port: int,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = RELAY_TIMEOUT_SECONDS,
        rating_secret: str | None = None,
        public_url: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.support_address = support_address
        self.relay = (relay_host, relay_port)
        self.starttls = starttls
        self.credentials = (username, password or "") if username else None
        self.timeout = timeout
        # Resolution emails carry signed rating links when both are known.
        self.rating: tuple[str, str] | None = (
            (rating_secret, public_url) if rating_secret and public_url else None
        )

    @classmethod
    def from_settings(cls, settings: Settings, sessions: sessionmaker[DbSession]) -> EmailSender:
        return cls(
            sessions,
            support_address=settings.support_address,
            relay_host=settings.smtp_relay_host,
            relay_port=settings.smtp_relay_port,
            starttls=settings.smtp_relay_starttls,
            username=settings.smtp_relay_username,
            password=settings.smtp_relay_password,
            rating_secret=settings.secret(),
            public_url=settings.public_base_url,
        )

    async def send(self, message: OutboxMessage) -> None:
        thread = await asyncio.to_thread(email_thread, self.sessions, message.thread_id)
        if thread is None:
            raise DeliveryFailed(
                "no customer address is known for this conversation", permanent=True
            )
        links: dict[int, str] | None = None
        if self.rating is not None:
            resolved = await asyncio.to_thread(ratable, self.sessions, message.case_id)
            if resolved:
                secret, public_url = self.rating
                links = rating_links(secret, public_url, message.case_id)
        mail = compose_reply(message, thread, self.support_address, links)
        # Remembered before sending, so the customer's answer finds the conversation even
        # if this process stops right after the relay took the message.
        await asyncio.to_thread(
            record_email,
            self.sessions,
            message_id=str(mail["Message-ID"]),
            thread_id=thread.thread_id,
            direction="out",
            address=thread.address,
            subject=str(mail["Subject"]),
            outbox_message_id=message.message_id,
        )
        await asyncio.to_thread(self._relay, mail, thread.address)

    def _relay(self, mail: EmailMessage, to: str) -> None:
        host, port = self.relay
        try:
            with smtplib.SMTP(host, port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.credentials:
                    smtp.login(*self.credentials)
                smtp.send_message(mail, from_addr=self.support_address, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(
                f"the relay refused {to}: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            detail = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            raise DeliveryFailed(
                f"the relay answered {exc.smtp_code} {detail}", permanent=exc.smtp_code >= 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"the relay at {host}:{port} failed: {exc!r}") from exc


def compose_direct(message: OutboxMessage, support_address: str, body: str) -> EmailMessage:
    """An email to an address on file outside any conversation (a one-time code)."""
    mail = EmailMessage()
    mail["From"] = formataddr(("Customer support", support_address))
    mail["To"] = message.thread_id
    mail["Subject"] = CODE_SUBJECT
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = outgoing_message_id(message.message_id, support_address)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def opened_body(message: OutboxMessage, seal: TextSeal) -> str:
    """The email's text: its row holds it sealed (`store.one_time_codes`); a row queued
    before sealing is sent as it is."""
    if not is_sealed(message.text):
        return message.text
    try:
        return seal.open(message.text, bound_to=message.message_id)
    except SealError as exc:  # a key no longer configured will not come back
        raise DeliveryFailed(f"the email cannot be opened: {exc}", permanent=True) from exc


class DirectMailSender:
    """Sends the `mail` channel (emails to the address on file) through the SMTP relay,
    opening each sealed body only to hand it to the relay."""

    def __init__(self, relay: EmailSender, seal: TextSeal) -> None:
        self.relay = relay
        self.seal = seal

    async def send(self, message: OutboxMessage) -> None:
        mail = compose_direct(message, self.relay.support_address, opened_body(message, self.seal))
        await asyncio.to_thread(self.relay._relay, mail, message.thread_id)


class MailSinkSender:
    """Keeps the `mail` channel's emails in the store's mail sink (read at /review/mail),
    sealed as they were queued: only the review page, for a signed-in reader, opens them."""

    def __init__(
        self, sessions: sessionmaker[DbSession], support_address: str, seal: TextSeal
    ) -> None:
        self.sessions = sessions
        self.support_address = support_address
        self.seal = seal

    async def send(self, message: OutboxMessage) -> None:
        body = message.text
        if not is_sealed(body):
            body = self.seal.seal(body, bound_to=message.message_id)
        await asyncio.to_thread(
            keep_mail,
            self.sessions,
            message_id=message.message_id,
            to=message.thread_id,
            subject=CODE_SUBJECT,
            body=body,
        )


def mail_sender(
    settings: Settings, sessions: sessionmaker[DbSession]
) -> DirectMailSender | MailSinkSender:
    """The `mail` channel's sender: the local sink on the embedded default, else the relay."""
    from trustdesk.encryption import text_seal_for

    seal = text_seal_for(settings)
    if settings.mail_sink:
        return MailSinkSender(sessions, settings.support_address, seal)
    return DirectMailSender(EmailSender.from_settings(settings, sessions), seal)


# --- `trustdesk email` --------------------------------------------------------------------


async def main(settings: Settings) -> None:
    """Listen for customer email until SIGINT/SIGTERM."""
    from store.db import make_engine, migrate, session_factory

    migrate(settings.store_url)
    engine = make_engine(settings.store_url)
    client = await connect(settings, "email")
    gateway = CaseGateway(client, settings.task_queue, settings.policy.approval_sla_minutes)
    handler = SupportMailHandler(
        gateway,
        session_factory(engine),
        support_address=settings.support_address,
        trusted_authserv_ids=settings.trusted_authserv_ids,
    )
    server = await start_listener(
        handler, settings.smtp_listen_host, settings.smtp_listen_port,
        max_bytes=settings.email_max_bytes,
    )  # fmt: skip
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(
        f"email     listening on {settings.smtp_listen_host}:{settings.smtp_listen_port} "
        f"for <{settings.support_address}>",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        engine.dispose()


def run_email(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main(settings))
    return 0
