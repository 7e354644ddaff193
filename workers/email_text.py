"""Reading an inbound email: who wrote, which conversation it answers, and what is new in it.

Pure functions over the raw message, so they are tested without a server. The new
text is the message without the history a mail client quotes below a reply
("On … wrote:", "> " lines, "-----Original Message-----") and without the
signature ("-- " and what follows). Attachments are described (name, type, size),
never opened or kept. Bounces and auto-replies are recognised so that Trustdesk
never answers a machine (that is how mail loops start).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses
from html.parser import HTMLParser

_MSGID = re.compile(r"<[^<>\s]{1,240}>")
_WROTE = re.compile(
    r"^\s*(On\b.{0,300}\bwrote|Le\b.{0,300}\ba écrit|Am\b.{0,300}\bschrieb"
    r"|El\b.{0,300}\bescribió)\s*:\s*$",
    re.IGNORECASE,
)
_DIVIDER = re.compile(
    r"^\s*-{2,}\s*(Original Message|Forwarded message|Reply above this line)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"^\s*\**From:\**\s")
_HEADER_NEXT = re.compile(r"^\s*\**(Sent|Date|To|Subject):\**\s")
_MOBILE_SIGNATURE = re.compile(r"^\s*(Sent from my\b|Get Outlook for\b)", re.IGNORECASE)
_AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int  # bytes, decoded

    def as_record(self) -> dict[str, str | int]:
        return {"name": self.name, "type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class InboundEmail:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str  # the From address, lower-cased; the envelope sender when From is unusable
    subject: str
    text: str  # only what is new in this message
    attachments: tuple[Attachment, ...]
    automatic: str | None  # why this came from a machine (bounce, auto-reply), or None
    bounced_ids: tuple[str, ...] = ()  # for a bounce: the Message-IDs of what bounced
    bounce_reason: str = ""

    def thread_keys(self) -> list[str]:
        """Message-IDs that may name this message's conversation, the likeliest first."""
        keys = [*self.in_reply_to, *reversed(self.references)]
        if self.message_id:
            keys.insert(0, self.message_id)  # a copy of a message seen before
        return list(dict.fromkeys(keys))


def message_ids(value: str | None) -> tuple[str, ...]:
    """The `<…>` ids in a Message-ID, In-Reply-To or References header."""
    return tuple(_MSGID.findall(str(value))) if value else ()


def strip_quoted(text: str) -> str:
    """The new part of a reply: no quoted history, no signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.rstrip() == "--" or line == "-- " or _DIVIDER.match(line) or _WROTE.match(line):
            break
        # "On Mon, 1 Jun 2026 at 10:00, Support <support@…>" / "wrote:" wrapped over two lines
        if line.lstrip().lower().startswith(("on ", "le ", "am ")) and _WROTE.match(
            f"{line} {following}"
        ):
            break
        if _HEADER_BLOCK.match(line) and _HEADER_NEXT.match(following):  # Outlook's header block
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or _MOBILE_SIGNATURE.match(kept[-1])):
        kept.pop()
    return "\n".join(kept).strip()


class _HTMLText(HTMLParser):
    """Text of an HTML body, without quoted replies (blockquote, Gmail's quote block)."""

    _SKIP = {"blockquote", "style", "script", "head", "title"}
    _BREAK = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k == "class")
        if self.skipping or tag in self._SKIP or "gmail_quote" in classes:
            if tag not in ("br", "img", "hr", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.split("\n")))


def _clean_name(name: str) -> str:
    cleaned = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return cleaned.strip()[:_MAX_NAME_CHARS] or "(unnamed)"


def _body_and_attachments(msg: EmailMessage) -> tuple[str, list[Attachment]]:
    body = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, UnicodeError, AssertionError):
            content = _decoded_payload(body)
        text = html_to_text(content) if body.get_content_subtype() == "html" else content
    attachments = []
    for part in msg.walk():
        if part is body or part.is_multipart() or part.get_content_type().startswith("message/"):
            continue
        disposition = part.get_content_disposition()
        named = part.get_filename() is not None
        is_text_alternative = part.get_content_maintype() == "text" and not named
        if disposition == "attachment" or named or not is_text_alternative:
            payload = part.get_payload(decode=True) or b""
            attachments.append(
                Attachment(
                    name=_clean_name(part.get_filename() or "(unnamed)"),
                    content_type=part.get_content_type(),
                    size=len(payload),
                )
            )
    return text, attachments


def _automatic(msg: EmailMessage, envelope_sender: str, sender: str) -> str | None:
    if envelope_sender in ("", "<>"):
        return "bounce (empty envelope sender)"
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if str(msg.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "bulk or list mail"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return "auto-reply"
    if _AUTOMATIC_SENDERS.match(sender):
        return "mailer daemon"
    return None


def _decoded_payload(part: Message) -> str:
    """A leaf part's transfer-decoded bytes as text ("" when it holds none)."""
    raw = part.get_payload(decode=True)
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""


def _bounce_details(msg: EmailMessage) -> tuple[tuple[str, ...], str]:
    """The Message-IDs a delivery report is about, and what it says went wrong."""
    ids: list[str] = []
    reason = ""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                ids.extend(message_ids(inner[0].get("Message-ID")))
        elif kind == "text/rfc822-headers":
            headers = HeaderParser().parsestr(_decoded_payload(part))
            ids.extend(message_ids(headers.get("Message-ID")))
        elif kind == "message/delivery-status" and not reason:
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                status = block.get("Status") or ""
                diagnostic = block.get("Diagnostic-Code") or ""
                if status or diagnostic:
                    reason = f"{status} {diagnostic}".strip()
                    break
    ids.extend(message_ids(msg.get("In-Reply-To")))
    ids.extend(message_ids(msg.get("References")))
    return tuple(dict.fromkeys(ids)), reason[:500]


def parse_email(raw: bytes, envelope_sender: str) -> InboundEmail:
    """Read a raw RFC 5322 message as received by the listener."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    addresses = [a for _, a in getaddresses([str(msg.get("From", ""))]) if "@" in a]
    sender = (addresses[0] if addresses else envelope_sender.strip("<>")).strip().lower()
    text, attachments = _body_and_attachments(msg)
    automatic = _automatic(msg, envelope_sender, sender)
    bounced_ids, bounce_reason = _bounce_details(msg) if automatic else ((), "")
    if automatic and not bounce_reason:  # a plain-text bounce: its first line says why
        bounce_reason = next((line.strip() for line in text.splitlines() if line.strip()), "")
        bounce_reason = bounce_reason[:500]
    own_ids = message_ids(msg.get("Message-ID"))
    return InboundEmail(
        message_id=own_ids[0] if own_ids else None,
        in_reply_to=message_ids(msg.get("In-Reply-To")),
        references=message_ids(msg.get("References")),
        sender=sender,
        subject=" ".join(str(msg.get("Subject", "")).split())[:250],
        text=strip_quoted(text),
        attachments=tuple(attachments),
        automatic=automatic,
        bounced_ids=bounced_ids,
        bounce_reason=bounce_reason,
    )
