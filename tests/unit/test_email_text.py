"""Reading inbound email: quoted history and signatures stripped, threads, attachments, robots."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from workers.email_text import html_to_text, message_ids, parse_email, strip_quoted


@pytest.mark.parametrize(
    ("raw", "new"),
    [
        ("Yes please.\n\nOn Mon, 1 Jun 2026 at 10:00, Support <s@x.test> wrote:\n> Shall I?\n",
         "Yes please."),
        ("Yes please.\nOn Mon, 1 Jun 2026 at 10:00, Support <s@x.test>\nwrote:\n> Shall I?",
         "Yes please."),
        ("Yes.\n> quoted\n>> older\nAnd one more thing.", "Yes.\nAnd one more thing."),
        ("Thanks!\n-- \nAda Lovelace\nAnalytical Engines Ltd", "Thanks!"),
        ("Thanks!\n--\nAda", "Thanks!"),
        ("Fine.\n\n-----Original Message-----\nFrom: Support\nCancel it?", "Fine."),
        ("Fine.\n\nFrom: Support <s@x.test>\nSent: Monday\nSubject: Re: order", "Fine."),
        ("Merci.\n\nLe lun. 1 juin 2026 à 10:00, Support <s@x.test> a écrit :\n> Ok ?", "Merci."),
        ("Cancel it.\n\nSent from my iPhone", "Cancel it."),
        ("Line one\r\nLine two\r\n", "Line one\nLine two"),
        ("the -- dash inside a line stays", "the -- dash inside a line stays"),
    ],
)  # fmt: skip
def test_strip_quoted_keeps_only_the_new_text(raw: str, new: str) -> None:
    assert strip_quoted(raw) == new


def test_message_ids_are_read_from_headers() -> None:
    assert message_ids("<a@x> <b@y>\r\n <c@z>") == ("<a@x>", "<b@y>", "<c@z>")
    assert message_ids(None) == ()
    assert message_ids("no ids here") == ()


def test_html_body_loses_its_quoted_block() -> None:
    html = (
        "<div>Please cancel <b>#W0000001</b>.<br>Thanks</div>"
        '<div class="gmail_quote">On Mon … wrote:<blockquote>cancel #W0000004</blockquote></div>'
    )
    text = html_to_text(html)
    assert "#W0000001" in text and "Thanks" in text
    assert "#W0000004" not in text and "wrote" not in text


def _mail(**headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = headers.pop("From", "Ada Lovelace <Ada@Example.com>")
    mail["To"] = "support@shop.test"
    mail["Subject"] = headers.pop("Subject", "My order")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    return mail


def test_a_reply_with_an_attachment() -> None:
    mail = _mail(
        Message_ID="<m2@example.com>", In_Reply_To="<r1@shop.test>",
        References="<m1@example.com> <r1@shop.test>",
    )  # fmt: skip
    mail.set_content("Here is the receipt.\n\nOn Tue, Support wrote:\n> Can you send it?")
    mail.add_attachment(b"%PDF-1.7 fake", maintype="application", subtype="pdf",
                        filename="receipt\x07.pdf")  # fmt: skip
    mail.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream",
                        filename="invoice.exe")  # fmt: skip
    parsed = parse_email(mail.as_bytes(), "ada@example.com")
    assert parsed.sender == "ada@example.com"
    assert parsed.text == "Here is the receipt."
    assert parsed.message_id == "<m2@example.com>"
    assert parsed.thread_keys() == ["<m2@example.com>", "<r1@shop.test>", "<m1@example.com>"]
    assert [a.as_record() for a in parsed.attachments] == [
        {"name": "receipt.pdf", "type": "application/pdf", "size": 13},
        {"name": "invoice.exe", "type": "application/octet-stream", "size": 4},
    ]
    assert parsed.automatic is None


def test_html_only_mail_is_read_as_text() -> None:
    mail = _mail(Message_ID="<h@example.com>")
    mail.set_content("<p>Where is order #W0000002?</p>", subtype="html")
    assert parse_email(mail.as_bytes(), "ada@example.com").text == "Where is order #W0000002?"


@pytest.mark.parametrize(
    ("envelope", "headers", "why"),
    [
        ("<>", {}, "bounce"),
        ("ada@example.com", {"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
        ("ada@example.com", {"Precedence": "bulk"}, "bulk"),
        ("ada@example.com", {"X_Autoreply": "yes"}, "auto-reply"),
        ("x@example.com", {"From": "MAILER-DAEMON@mx.example.com"}, "mailer daemon"),
    ],
)
def test_machines_are_recognised(envelope: str, headers: dict[str, str], why: str) -> None:
    mail = _mail(**headers)
    mail.set_content("I am away until Monday.")
    parsed = parse_email(mail.as_bytes(), envelope)
    assert parsed.automatic is not None and why in parsed.automatic


DSN = b"""\
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: support@shop.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--b1
Content-Type: text/rfc822-headers

Message-ID: <out-1@shop.test>
Subject: Re: My order

--b1--
"""


def test_a_delivery_report_names_the_bounced_message() -> None:
    parsed = parse_email(DSN.replace(b"\n", b"\r\n"), "<>")
    assert parsed.automatic is not None
    assert "<out-1@shop.test>" in parsed.bounced_ids
    assert "5.1.1" in parsed.bounce_reason and "user unknown" in parsed.bounce_reason
