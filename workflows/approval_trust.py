"""The approval keys this worker's case workflows accept.

Verifying a signed decision is pure (`domain.approvals.check_submitted_approval`); which
keys it is verified against is the worker's setting. The worker hands them to `trust()`
at start-up, and `SupportCaseWorkflow`'s validator reads them with `trusted_keys()`
(validators never run on replay, so rotating keys does not change a recorded history).
Signing, and the key files, stay with the web process (`trustdesk.approval_keys`).
"""

from __future__ import annotations

from collections.abc import Iterable

_trusted: list[bytes] = []


def trust(keys: Iterable[bytes]) -> None:
    """Add raw Ed25519 public keys to those this process's case workflows accept."""
    for key in keys:
        if len(key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        if key not in _trusted:
            _trusted.append(key)


def trusted_keys() -> tuple[bytes, ...]:
    """The keys given to `trust()` so far, in the order given."""
    return tuple(_trusted)
