"""Signing of webhook deliveries, both ways: providers to Trustdesk, Trustdesk to providers.

A delivery carries `X-Trustdesk-Timestamp` (Unix seconds) and
`X-Trustdesk-Signature`: the hex HMAC-SHA256, under the provider's shared secret,
of the timestamp, a dot and the raw body (`b"<timestamp>." + body`). Binding the
timestamp into the signature lets the receiver refuse old deliveries; the
delivery id in the body lets it refuse repeats within the window.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from domain.errors import TrustdeskError

SIGNATURE_HEADER = "X-Trustdesk-Signature"
TIMESTAMP_HEADER = "X-Trustdesk-Timestamp"
DELIVERY_HEADER = "X-Trustdesk-Delivery"
DEFAULT_WINDOW_SECONDS = 300


class BadSignature(TrustdeskError):
    """The delivery is unsigned, signed with another key, or outside the replay window."""

    code = "bad_signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers that sign `body`."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    given: str | None,
    *,
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
    now: float | None = None,
) -> None:
    """Raise `BadSignature` unless `given` signs `timestamp.body` and the timestamp is fresh."""
    if not timestamp or not given:
        raise BadSignature("the signature or timestamp header is missing")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise BadSignature("the timestamp is not a Unix time in seconds")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected, given.strip().lower()):
        raise BadSignature("the signature does not match")
    age = (time.time() if now is None else now) - int(timestamp)
    if abs(age) > window_seconds:
        raise BadSignature(f"the timestamp is outside the {window_seconds} s window")
