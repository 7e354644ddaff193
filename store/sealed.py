"""Sealed texts: what must not sit readable in a row (a one-time code's email), at rest.

`TextSeal` encrypts a text with AES-256-GCM under a key derived from the deployment's
master keys (`trustdesk.encryption.text_seal_for`), bound to the id of the row it is kept
for, so a sealed body copied into another row does not open there. Only processes that
hold the master keys open it: the dispatcher that sends the email and the web process
that shows the local mail sink to a signed-in reviewer. A raw read of the database, a
dump or a backup shows `sealed:v1:<key id>:<ciphertext>`.
"""

from __future__ import annotations

import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:v1:"
NONCE_BYTES = 12
#: Separates this use of a master key from its others (wrapping case keys).
_PURPOSE = b"trustdesk/sealed-text/v1"


class SealError(Exception):
    """A sealed text cannot be opened: unknown key, another row's text, or tampered."""


def derive_seal_key(master_key: bytes) -> bytes:
    """The sealing key of one master key (never the master key itself)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(master_key)


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


class TextSeal:
    """Seals and opens texts under the active key; opens under any configured one."""

    def __init__(self, active: str, master_keys: dict[str, bytes]) -> None:
        if active not in master_keys:
            raise ValueError(f"no master key {active!r}")
        if any(":" in kid for kid in master_keys):
            raise ValueError("a master key id cannot contain ':'")
        self.active = active
        self._keys = {kid: AESGCM(derive_seal_key(key)) for kid, key in master_keys.items()}

    @classmethod
    def random(cls) -> TextSeal:
        """A seal under a key of this process only (tests, and deps left at their default)."""
        return cls("process", {"process": secrets.token_bytes(32)})

    def seal(self, text: str, *, bound_to: str) -> str:
        """`text` encrypted for the row `bound_to` names (its message id)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.active].encrypt(nonce, text.encode(), bound_to.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{PREFIX}{self.active}:{body}"

    def open(self, sealed: str, *, bound_to: str) -> str:
        """The text `seal` sealed for `bound_to`; `SealError` otherwise."""
        if not is_sealed(sealed):
            raise SealError("the text is not sealed")
        kid, _, body = sealed[len(PREFIX) :].partition(":")
        aead = self._keys.get(kid)
        if aead is None:
            raise SealError(f"master key {kid!r} is not configured (retired keys must stay)")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode())
        except (InvalidTag, ValueError) as exc:
            raise SealError("the sealed text failed authentication") from exc
        return plain.decode()
