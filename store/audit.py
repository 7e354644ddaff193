"""The tamper-evident audit log: every row's hash covers its content and its predecessor.

With an anchor configured (`configure_anchor`; the worker, the web process and
`trustdesk audit` do it from the settings), two more things hold:

* Every committed chain head is MACed with a key that is not in the database (derived
  from the deployment secret) and appended to a checkpoint file outside it (in the
  data dir by default). `verify_chain` then catches a chain recomputed after an edit
  (a checkpointed hash no longer matches) and a truncated tail (a checkpointed event
  is gone), which a hash chain alone cannot.
* Personal data in payloads (emails, names, addresses, free text) is stored as a keyed
  hash, so erasing a person later never touches the chain, and the log itself holds
  nothing to erase.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from store.models import AuditEventRow, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 7_114_772  # PostgreSQL advisory lock that serialises appends

#: Payload keys whose values are personal data: stored as keyed hashes when anchored.
PERSONAL_KEYS = frozenset(
    {
        "email", "first_name", "last_name", "name", "address", "address1", "address2",
        "city", "state", "zip", "country", "phone", "sender", "from", "to", "text", "note",
        "issue", "preferred_resolution",
    }
)  # fmt: skip
_HEAD_KEY = "trustdesk.audit.head"


@dataclass(frozen=True)
class AuditAnchor:
    """The key (never stored in the database) and the checkpoint file outside it."""

    key: bytes
    checkpoint_path: Path

    def mac(self, seq: int, head: str) -> str:
        return hmac.new(self.key, f"{seq}:{head}".encode(), hashlib.sha256).hexdigest()

    def pseudonym(self, value: Any) -> str:
        raw = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
        digest = hmac.new(self.key, b"personal-data:" + raw.encode(), hashlib.sha256)
        return "hmac:" + digest.hexdigest()[:32]


_anchor: AuditAnchor | None = None


def configure_anchor(anchor: AuditAnchor | None) -> None:
    """Anchor this process's appends (and checks) with `anchor`; None turns it off."""
    global _anchor
    _anchor = anchor


def _pseudonymise(value: Any, anchor: AuditAnchor) -> Any:
    if isinstance(value, dict):
        return {
            k: anchor.pseudonym(v)
            if k in PERSONAL_KEYS and v not in (None, "", [], {})
            else _pseudonymise(v, anchor)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_pseudonymise(v, anchor) for v in value]
    return value


def _write_checkpoint(session: Session) -> None:
    head = session.info.pop(_HEAD_KEY, None)
    anchor = _anchor
    if head is None or anchor is None:
        return
    seq, digest = head
    line = json.dumps({"seq": seq, "hash": digest, "mac": anchor.mac(seq, digest)}) + "\n"
    anchor.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    # One short append per commit: O_APPEND keeps concurrent writers' lines whole.
    fd = os.open(anchor.checkpoint_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _forget_head(session: Session) -> None:
    session.info.pop(_HEAD_KEY, None)


def _remember_head(session: Session, seq: int, digest: str) -> None:
    if _anchor is None:
        return
    if _HEAD_KEY not in session.info:
        event.listen(session, "after_commit", _write_checkpoint, once=True)
        event.listen(session, "after_rollback", _forget_head, once=True)
    session.info[_HEAD_KEY] = (seq, digest)


def _digest(
    prev_hash: str,
    kind: str,
    actor: str,
    case_id: str | None,
    payload: dict[str, Any],
    created_at: datetime,
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "kind": kind,
            "actor": actor,
            "case": case_id,
            "payload": payload,
            "at": created_at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append_event(
    session: Session,
    *,
    kind: str,
    actor: str,
    payload: dict[str, Any],
    case_id: str | None = None,
    event_id: str | None = None,
) -> AuditEventRow:
    """Add an event to the chain inside the caller's transaction.

    With an `event_id`, appending the same event twice (a retried activity) is a no-op.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if event_id is not None:
        existing = session.scalars(
            select(AuditEventRow).where(AuditEventRow.event_id == event_id)
        ).first()
        if existing is not None:
            return existing
    prev = session.scalars(
        select(AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    prev_hash = prev or GENESIS
    payload = json.loads(json.dumps(payload, default=str))
    if _anchor is not None:
        payload = _pseudonymise(payload, _anchor)
    created_at = utcnow()
    row = AuditEventRow(
        event_id=event_id,
        case_id=case_id,
        kind=kind,
        actor=actor,
        payload=payload,
        prev_hash=prev_hash,
        hash=_digest(prev_hash, kind, actor, case_id, payload, created_at),
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    _remember_head(session, row.seq, row.hash)
    return row


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None  # what is wrong, for the operator
    anchored_seq: int | None = None  # the last checkpoint that matched


def _checkpoints(anchor: AuditAnchor) -> tuple[list[tuple[int, str]], str | None]:
    """The checkpoint file's (seq, hash) entries, or a problem with the file."""
    if not anchor.checkpoint_path.exists():
        return [], None
    entries = []
    for number, line in enumerate(anchor.checkpoint_path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            seq, digest, mac = int(item["seq"]), str(item["hash"]), str(item["mac"])
        except (ValueError, KeyError, TypeError):
            return [], f"checkpoint line {number} is unreadable"
        if not hmac.compare_digest(mac, anchor.mac(seq, digest)):
            return [], f"checkpoint line {number} is not signed with this deployment's key"
        entries.append((seq, digest))
    return entries, None


def verify_chain(session: Session, anchor: AuditAnchor | None = None) -> ChainCheck:
    """Recompute every hash and report the first row altered, removed or reordered; with
    an anchor, also check every signed checkpoint against the chain (a recomputed chain,
    a truncated tail)."""
    anchor = anchor or _anchor
    prev_hash = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    last_seq = 0
    for row in session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
        expected = _digest(prev_hash, row.kind, row.actor, row.case_id, row.payload, row.created_at)
        if row.prev_hash != prev_hash or row.hash != expected:
            return ChainCheck(
                False, count, row.seq, f"event {row.seq}'s hash does not match its content"
            )
        prev_hash = row.hash
        hashes[row.seq] = row.hash
        last_seq = row.seq
        count += 1
    if anchor is None:
        return ChainCheck(True, count)
    entries, problem = _checkpoints(anchor)
    if problem:
        return ChainCheck(False, count, None, problem)
    anchored = None
    for seq, digest in entries:
        if seq not in hashes:
            detail = (
                f"the chain ends at event {last_seq} but event {seq} was checkpointed: "
                "events were deleted from the end"
                if seq > last_seq
                else f"checkpointed event {seq} is missing"
            )
            return ChainCheck(False, count, seq, detail)
        if not hmac.compare_digest(hashes[seq], digest):
            return ChainCheck(
                False,
                count,
                seq,
                f"event {seq}'s hash differs from its signed checkpoint: "
                "the chain was rewritten and recomputed",
            )
        anchored = max(anchored or 0, seq)
    return ChainCheck(True, count, anchored_seq=anchored)


def anchor_for(secret: str, checkpoint_path: Path) -> AuditAnchor:
    """The anchor of a deployment: its key derived from the deployment secret."""
    key = hmac.new(secret.encode(), b"trustdesk/audit-anchor/v1", hashlib.sha256).digest()
    return AuditAnchor(key=key, checkpoint_path=checkpoint_path)
