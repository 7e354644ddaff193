"""Review-UI sign-in sessions and CSRF tokens.

A session is a cookie holding a small signed claim (session id, username, issue
and expiry times), HMAC-SHA256 with a key derived from the deployment secret for
this purpose only. The user's role and limit are not in it: every request reads
them fresh from the store, so a disabled user or a changed role takes effect at
once.

Every form carries a CSRF token bound to the session id (an HMAC of it), checked
on every POST. The sign-in form, which has no session yet, binds its token to a
short-lived random nonce kept in its own cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from web.auth import derive_key

SESSION_COOKIE = "trustdesk_review"
LOGIN_COOKIE = "trustdesk_review_login"
SESSION_TTL = timedelta(hours=8)
LOGIN_NONCE_TTL = timedelta(minutes=30)
_VERSION = "r1"


@dataclass(frozen=True)
class ReviewSession:
    """A signed-in browser: who, and until when."""

    sid: str
    username: str
    issued_at: int
    expires_at: int
    generation: int = 0  # the user's token generation when it was issued


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, message: str) -> bytes:
    return hmac.new(derive_key(secret, purpose), message.encode(), hashlib.sha256).digest()


def issue_session(
    username: str,
    secret: str,
    *,
    now: float | None = None,
    ttl: timedelta = SESSION_TTL,
    generation: int = 0,
) -> tuple[ReviewSession, str]:
    """A new session (with a fresh id) and the cookie value that carries it."""
    issued = int(time.time() if now is None else now)
    session = ReviewSession(
        sid=secrets.token_urlsafe(18),
        username=username,
        issued_at=issued,
        expires_at=issued + int(ttl.total_seconds()),
        generation=generation,
    )
    claims = {
        "sid": session.sid,
        "sub": username,
        "iat": issued,
        "exp": session.expires_at,
        "gen": generation,
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{_VERSION}.{body}"
    return session, f"{signed}.{_b64(_mac(secret, 'review-session', signed))}"


def read_session(
    cookie: str | None, secret: str, *, now: float | None = None
) -> ReviewSession | None:
    """The session a correctly signed, unexpired cookie carries; None otherwise."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        return None
    signed = f"{parts[0]}.{parts[1]}"
    try:
        given = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(_mac(secret, "review-session", signed), given):
        return None
    if not isinstance(claims, dict):
        return None
    sid, sub, iat, exp = (claims.get(k) for k in ("sid", "sub", "iat", "exp"))
    if not (isinstance(sid, str) and isinstance(sub, str) and sub):
        return None
    if not (isinstance(iat, int) and isinstance(exp, int)):
        return None
    if exp <= (time.time() if now is None else now):
        return None
    generation = claims.get("gen", 0)
    if not isinstance(generation, int):
        return None
    return ReviewSession(
        sid=sid, username=sub, issued_at=iat, expires_at=exp, generation=generation
    )


def csrf_token(secret: str, binding: str) -> str:
    """The CSRF token for forms of the session (or sign-in nonce) `binding`."""
    return _b64(_mac(secret, "review-csrf", binding))


def csrf_matches(secret: str, binding: str, given: str | None) -> bool:
    """True when `given` is the CSRF token for `binding` (compared in constant time)."""
    if not given or not binding:
        return False
    return hmac.compare_digest(csrf_token(secret, binding).encode(), given.encode())


def new_login_nonce() -> str:
    return secrets.token_urlsafe(18)
