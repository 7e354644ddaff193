"""Passwords, staff access tokens and signed customer identities.

* Staff passwords are hashed with pwdlib's recommended hasher (Argon2id).
* Staff sign in for a short-lived JWT (HS256). Its key is derived from the
  deployment secret, so the same secret can sign other things without a token of
  one kind ever passing for another.
* Channels that already know who the customer is (a shop's logged-in session,
  for instance) may pass a *signed customer identity*: an HMAC-SHA256 token over
  a small JSON claim, made with `sign_customer_identity`. The web layer trusts a
  customer identity only when `verify_customer_identity` accepts it; an unsigned
  or tampered claim is ignored and the agent verifies the customer in the
  conversation instead.
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
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError

if TYPE_CHECKING:
    from workflows.contracts import IdentityClaim

TOKEN_TTL = timedelta(hours=8)
TOKEN_ISSUER = "trustdesk"
TOKEN_ALGORITHM = "HS256"
MAX_PASSWORD_CHARS = 1024
MIN_PASSWORD_CHARS = 8

_password_hash = PasswordHash.recommended()
# Verified against when a username is unknown, so a wrong username costs as much time
# as a wrong password and response times do not reveal which usernames exist.
_DUMMY_HASH = _password_hash.hash("trustdesk-timing-equaliser")


def derive_key(secret: str, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the deployment secret."""
    return hmac.new(secret.encode(), f"trustdesk/{purpose}/v1".encode(), hashlib.sha256).digest()


# --- passwords --------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches; False for a wrong password or an unreadable hash."""
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    try:
        return _password_hash.verify(password, password_hash)
    except PwdlibError:
        return False


def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, or None when it can."""
    if not password:
        return "the password is empty"
    if len(password) < MIN_PASSWORD_CHARS:
        return f"the password must have at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"the password must have at most {MAX_PASSWORD_CHARS} characters"
    return None


# --- staff access tokens ----------------------------------------------------------------


class InvalidToken(Exception):
    """The token is missing, malformed, tampered with, expired or not ours."""


def create_access_token(
    username: str,
    secret: str,
    *,
    now: datetime | None = None,
    ttl: timedelta = TOKEN_TTL,
    generation: int = 0,
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": username,
        "iss": TOKEN_ISSUER,
        "jti": secrets.token_urlsafe(12),
        "gen": generation,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    return jwt.encode(claims, derive_key(secret, "access-token"), algorithm=TOKEN_ALGORITHM)


def decode_access_token(token: str, secret: str) -> str:
    """The username a valid token was issued to; `InvalidToken` otherwise."""
    return read_access_token(token, secret)[0]


def read_access_token(token: str, secret: str) -> tuple[str, int]:
    """The username a valid token was issued to and its generation (`StaffUser.accepts`);
    `InvalidToken` otherwise."""
    try:
        claims = jwt.decode(
            token,
            derive_key(secret, "access-token"),
            algorithms=[TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token names no user")
    generation = claims.get("gen", 0)
    if not isinstance(generation, int):
        raise InvalidToken("the token's generation is malformed")
    return subject, generation


# --- signed customer identities (the hook for channels) -------------------------------


@dataclass(frozen=True)
class CustomerIdentity:
    """A customer identity a channel vouched for with the deployment's key."""

    customer_id: str
    thread_id: str | None = None

    def as_claim(self) -> IdentityClaim:
        """What the case workflow receives as `PostMessageInput.identity`."""
        claim: IdentityClaim = {"customer_id": self.customer_id, "signed": True}
        if self.thread_id is not None:
            claim["thread_id"] = self.thread_id
        return claim


_IDENTITY_VERSION = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_customer_identity(
    customer_id: str,
    secret: str,
    *,
    thread_id: str | None = None,
    ttl: timedelta = timedelta(hours=1),
    now: float | None = None,
) -> str:
    """A token saying "this conversation is with `customer_id`", for a trusted channel.

    Bind it to a `thread_id` where the channel knows it, so it cannot be replayed
    into another conversation.
    """
    issued = time.time() if now is None else now
    claims: dict[str, Any] = {"cid": customer_id, "exp": int(issued + ttl.total_seconds())}
    if thread_id is not None:
        claims["tid"] = thread_id
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{_IDENTITY_VERSION}.{body}"
    mac = hmac.new(derive_key(secret, "customer-identity"), signed.encode(), hashlib.sha256)
    return f"{signed}.{_b64(mac.digest())}"


def verify_customer_identity(
    token: str, secret: str, *, thread_id: str | None = None, now: float | None = None
) -> CustomerIdentity | None:
    """The identity in a correctly signed, unexpired token for this thread; else None."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _IDENTITY_VERSION:
        return None
    signed = f"{parts[0]}.{parts[1]}"
    expected = hmac.new(derive_key(secret, "customer-identity"), signed.encode(), hashlib.sha256)
    try:
        given = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(expected.digest(), given):
        return None
    if not isinstance(claims, dict):
        return None
    customer_id, expires, bound = claims.get("cid"), claims.get("exp"), claims.get("tid")
    if not isinstance(customer_id, str) or not customer_id or not isinstance(expires, int):
        return None
    if expires <= (time.time() if now is None else now):
        return None
    if bound is not None and bound != thread_id:
        return None
    return CustomerIdentity(customer_id=customer_id, thread_id=bound)
