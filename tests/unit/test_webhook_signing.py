"""Webhook signatures: what is accepted and what is refused, without a server."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from channels.webhooks import BadSignature, sign, verify

SECRET = "a-shared-secret-of-some-length"
BODY = b'{"id":"evt_1","thread_id":"t","from":"+1","text":"hi"}'
NOW = 1_800_000_000


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    headers = sign(SECRET, BODY, now=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {"X-Trustdesk-Timestamp": str(NOW), "X-Trustdesk-Signature": expected}
    verify(SECRET, BODY, str(NOW), expected, now=NOW)
    verify(SECRET, BODY, str(NOW), expected.upper(), now=NOW + 300)  # hex in either case


@pytest.mark.parametrize(
    ("body", "timestamp", "signature", "why"),
    [
        (BODY, None, "00", "missing"),
        (BODY, str(NOW), None, "missing"),
        (BODY, "1.8e9", "00", "Unix time"),
        (BODY, "-100", "00", "Unix time"),
        (BODY + b" ", str(NOW), sign(SECRET, BODY, now=NOW)["X-Trustdesk-Signature"], "match"),
        (BODY, str(NOW + 1), sign(SECRET, BODY, now=NOW)["X-Trustdesk-Signature"], "match"),
        (BODY, str(NOW), sign("another-secret-entirely", BODY, now=NOW)["X-Trustdesk-Signature"],
         "match"),
        (BODY, str(NOW - 301), sign(SECRET, BODY, now=NOW - 301)["X-Trustdesk-Signature"],
         "window"),
        (BODY, str(NOW + 301), sign(SECRET, BODY, now=NOW + 301)["X-Trustdesk-Signature"],
         "window"),
    ],
)  # fmt: skip
def test_refusals(body: bytes, timestamp: str | None, signature: str | None, why: str) -> None:
    with pytest.raises(BadSignature, match=why):
        verify(SECRET, body, timestamp, signature, now=NOW)
