"""How sure Trustdesk is of who is writing, what each kind of request needs, and one-time codes.

Identity is proportional to risk. The shop's policy file says, per kind of request,
which level it needs (`IdentityRules`); a conversation reaches a level step by step:

- `none`: nobody named yet;
- `email`: an email address or a full name with a zip code that match an account
  (τ²-bench's own rule: either suffices);
- `email+factor`: the email plus something else the store knows about its owner
  (the zip code of the default address, or the full name);
- `one_time_code`: a code sent to the email on file was typed back, or the channel
  passed the shop's signed identity token (`signed_token`, same strength).

Codes are six digits drawn with `secrets`, kept only as an HMAC-SHA256 of the code and
its record id under a key derived from the deployment's secret, compared in constant
time, valid for a few minutes and for a few attempts. A code the customer types is read
by `typed_code`, and `hide_codes` takes it out of what the case keeps (its transcript,
its state after the turn that checks it). Everything here is pure: the caller passes
the time and the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class IdentityLevel(StrEnum):
    """What a conversation has shown about who is writing, weakest first."""

    NONE = "none"
    EMAIL = "email"
    EMAIL_FACTOR = "email+factor"
    ONE_TIME_CODE = "one_time_code"
    SIGNED_TOKEN = "signed_token"

    @property
    def rank(self) -> int:
        # A signed token is as strong as a code: the shop vouched for the customer.
        return _RANK[self]

    def satisfies(self, needed: IdentityLevel) -> bool:
        return self.rank >= needed.rank


_RANK = {
    IdentityLevel.NONE: 0,
    IdentityLevel.EMAIL: 1,
    IdentityLevel.EMAIL_FACTOR: 2,
    IdentityLevel.ONE_TIME_CODE: 3,
    IdentityLevel.SIGNED_TOKEN: 3,
}


class RequestKind(StrEnum):
    """Kinds of request, by what they expose or change."""

    GENERAL = "general"  # questions about the shop, nothing personal
    READ_ORDER = "read_order"  # an order's or account's details
    CHANGE = "change"  # anything that changes an order or account, or moves money


class IdentityRules(BaseModel):
    """The `[identity]` table of the policy file: the level each kind of request needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    general: IdentityLevel = Field(default=IdentityLevel.NONE)
    read_order: IdentityLevel = Field(default=IdentityLevel.EMAIL_FACTOR)
    change: IdentityLevel = Field(default=IdentityLevel.ONE_TIME_CODE)
    code_ttl_minutes: int = Field(default=10, gt=0, le=60)
    code_max_attempts: int = Field(default=5, gt=0, le=10)

    def needed(self, kind: RequestKind) -> IdentityLevel:
        return {
            RequestKind.GENERAL: self.general,
            RequestKind.READ_ORDER: self.read_order,
            RequestKind.CHANGE: self.change,
        }[kind]


def level_from_facts(
    *,
    account_found: bool,
    by_email: bool,
    factor_matches: bool,
    code_verified: bool,
    signed: bool,
) -> IdentityLevel:
    """The level the facts of a conversation reach.

    `account_found`: the email (or the full name with zip) matched an account;
    `factor_matches`: besides the email, a zip code or full name matched that account.
    """
    if signed:
        return IdentityLevel.SIGNED_TOKEN
    if code_verified:
        return IdentityLevel.ONE_TIME_CODE
    if not account_found:
        return IdentityLevel.NONE
    if by_email and factor_matches:
        return IdentityLevel.EMAIL_FACTOR
    return IdentityLevel.EMAIL


#: Every question `next_factor` asks: who the customer is.
IDENTITY_ASKS = frozenset({"identity", "identity_factor", "one_time_code"})


def next_factor(reached: IdentityLevel, needed: IdentityLevel, *, email_known: bool) -> str | None:
    """What to ask for next to reach `needed` from `reached`; None when it is reached.

    The answer never depends on whether an account exists: an address that matches
    nothing asks for the same factor, or gets the same "code on its way", as one that does.
    """
    if reached.satisfies(needed):
        return None
    if not email_known:
        return "identity"
    if needed.rank >= IdentityLevel.ONE_TIME_CODE.rank:
        return "one_time_code"
    return "identity_factor"


# --- one-time codes --------------------------------------------------------------------

CODE_DIGITS = 6
# Six digits, or two groups of three ("482 913"), not part of a longer number or id.
_TYPED_CODE = re.compile(r"(?<![\w#])(\d{3})\s?(\d{3})(?!\w)")
# A code is answered in a short message; a longer one is read as something else.
_CODE_MESSAGE_CHARS = 80


def typed_code(message: str) -> str | None:
    """The six-digit code in a short message ("482913", "the code is 482 913")."""
    if len(message) > _CODE_MESSAGE_CHARS:
        return None
    found = _TYPED_CODE.search(message)
    return found.group(1) + found.group(2) if found else None


def hide_codes(message: str, shown: str) -> str:
    """`message` with every group that could be a code (what `typed_code` reads, in a
    message of any length) replaced by `shown`: what is kept of a message typed while a
    code is awaited, so the code lives no longer than the check."""
    return _TYPED_CODE.sub(shown, message)


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # too many wrong tries, or already used


@dataclass(frozen=True)
class CodeRecipient:
    """Whom a one-time code is sent to: the account, and the email address on file."""

    customer_id: str
    email: str


@dataclass(frozen=True)
class IssuedCode:
    """A code as stored: never the code itself."""

    code_id: str
    code_hash: str
    expires_at: datetime
    max_attempts: int


def code_hash(key: bytes, code_id: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 over the record id and the code."""
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(
    key: bytes, code_id: str, now: datetime, *, ttl: timedelta, max_attempts: int
) -> tuple[str, IssuedCode]:
    """A fresh code to send, and the record to keep."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    return code, IssuedCode(code_id, code_hash(key, code_id, code), now + ttl, max_attempts)


def check_code(
    key: bytes,
    record: IssuedCode,
    typed: str,
    now: datetime,
    *,
    attempts: int,
    used: bool,
) -> CodeCheck:
    """Whether `typed` opens `record`, given the wrong attempts made so far.

    The comparison runs in constant time and runs even when the answer is already known,
    so a refusal takes as long as an acceptance.
    """
    matches = hmac.compare_digest(code_hash(key, record.code_id, typed.strip()), record.code_hash)
    if used or attempts >= record.max_attempts:
        return CodeCheck.EXHAUSTED
    if now >= record.expires_at:
        return CodeCheck.EXPIRED
    return CodeCheck.OK if matches else CodeCheck.WRONG


def derive_code_key(secret: str) -> bytes:
    """The key codes are hashed under, derived from the deployment's secret."""
    return hmac.new(secret.encode(), b"trustdesk one-time codes", hashlib.sha256).digest()


# τ²-bench's retail rule: an email, or a full name with a zip code, verifies for everything.
# The τ²-retail data set runs under it so its conformance still holds.
TAU2_RULES = IdentityRules(
    general=IdentityLevel.NONE, read_order=IdentityLevel.EMAIL, change=IdentityLevel.EMAIL
)
