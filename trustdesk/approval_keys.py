"""The Ed25519 key pair that proves approvals: the web process signs, the worker verifies.

Keys come from configuration (`TRUSTDESK_APPROVAL_SIGNING_KEY` for the web process,
`TRUSTDESK_APPROVAL_VERIFY_KEYS` for workers) or, on one machine, from the data dir,
where the pair is generated once (`approval-signing.key`, readable by the owner only,
and `approval-verify.pub`). A worker needs only the public key, so a worker host that
is broken into cannot approve anything.

The worker hands the public keys it trusts to `workflows.approval_trust.trust()`, where
the case workflow's validator reads them; verifying a decision is pure
(`domain.approvals`), so the workflow never imports this module.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from domain.approvals import PROOF_ALGORITHM, ApprovalClaims
from trustdesk.config import Settings

PRIVATE_FILE = "approval-signing.key"
PUBLIC_FILE = "approval-verify.pub"
#: How long a signed decision stays good: long enough for a slow Temporal round trip.
PROOF_TTL = timedelta(minutes=5)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def encode_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The form `TRUSTDESK_APPROVAL_VERIFY_KEYS` takes: base64url of the raw 32 bytes."""
    return _b64(public_bytes(key))


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """The form `TRUSTDESK_APPROVAL_SIGNING_KEY` takes: base64url of the raw 32-byte seed."""
    return _b64(
        key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    )


def _private_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the approval signing key is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_unb64(text))


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The web process's signing key: configured, or created once in the data dir."""
    if settings.approval_signing_key:
        return _private_from_text(settings.approval_signing_key)
    path = Path(settings.data_dir) / PRIVATE_FILE
    if not path.exists():
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
        (Path(settings.data_dir) / PUBLIC_FILE).write_text(encode_public_key(key) + "\n")
    return _private_from_text(path.read_text())


def verify_keys(settings: Settings) -> list[bytes]:
    """The public keys a worker trusts: configured, else the data dir's (created if needed)."""
    if settings.approval_verify_keys:
        return [_unb64(k) for k in settings.approval_verify_keys]
    public = Path(settings.data_dir) / PUBLIC_FILE
    if public.exists():
        return [_unb64(public.read_text())]
    return [public_bytes(signing_key(settings))]


@dataclass(frozen=True)
class ApprovalSigner:
    """Signs the decisions the web process has authenticated and checked."""

    key: Ed25519PrivateKey
    ttl: timedelta = PROOF_TTL

    def sign(
        self,
        *,
        username: str,
        role: str,
        approval_limit: Decimal | None,
        case_id: str,
        approval_id: str,
        decision: str,
        amount: Decimal | None,
        now: datetime | None = None,
    ) -> str:
        issued = now or datetime.now(UTC)
        claims = ApprovalClaims(
            username=username,
            role=role,
            approval_limit=approval_limit,
            case_id=case_id,
            approval_id=approval_id,
            decision=decision,
            amount=amount,
            expires_at=int((issued + self.ttl).timestamp()),
            issued_at=int(issued.timestamp()),
            proof_id=uuid.uuid4().hex,
        )
        payload = json.dumps(claims.as_json(), sort_keys=True, separators=(",", ":"))
        return jwt.PyJWS().encode(payload.encode(), self.key, algorithm=PROOF_ALGORITHM)
