"""Encrypted Temporal payloads: AES-GCM under a per-case data key, wrapped by a master key.

Every payload a client or worker sends to Temporal passes through `CaseKeyCodec`. The SDK
hands the codec the workflow id of the payload's case (its serialization context), so each
case's history is encrypted under that case's own data key, held in the store wrapped by
a master key from configuration. Erasing a customer destroys their cases' data keys
(`CaseKeys.shred`), which makes those histories unreadable everywhere - in the server's
database, its archives and backups - without rewriting them (crypto-shredding).

A payload records its key in metadata (`encryption-key-id`: the data key's id, or the
master key's for a payload without a case), so master keys rotate freely while retired ones
stay configured, and payloads written before encryption was on pass through unchanged.

A payload of more than a few hundred bytes is compressed before it is sealed (marked
`encryption-compression: zlib`, the mark bound into the seal). A case's activity inputs and
results carry its whole state, and the Temporal core keeps every command's payloads for
as long as the worker caches the case: compressed, a case waiting for an approver holds
about a fifth less memory and its history half the bytes. Payloads sealed before this
open as they were; a process older than this cannot open a compressed one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import os
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

from store.db import read_only
from store.models import CaseKeyRow
from store.sealed import TextSeal
from trustdesk.payloads import SharedAdaptersPayloadConverter

if TYPE_CHECKING:
    from trustdesk.config import Settings

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
#: "case" (a data key from `CaseKeys`) or "master" (a configured master key).
KEY_KIND = "encryption-key-kind"
NONCE_BYTES = 12
#: A payload whose plain bytes were compressed before sealing says so (`zlib`); the mark is
#: bound into the seal's associated data, so it cannot be added or taken away unnoticed.
COMPRESSION = "encryption-compression"
ZLIB = b"zlib"
#: Smaller payloads are sealed as they are: compressing them saves next to nothing.
COMPRESS_FROM_BYTES = 256
ZLIB_LEVEL = 6
#: How long a process keeps a data key it looked up; an erasure elsewhere is honoured
#: by every process within this time (and at once by the process that erased).
CACHE_SECONDS = 30.0


class KeyShreddedError(Exception):
    """The payload's data key was destroyed by an erasure: it can never be decrypted."""


class MasterKeys:
    """The configured master keys by id, and which one encrypts new data."""

    def __init__(self, active: str, keys: dict[str, bytes]) -> None:
        if active not in keys:
            raise ValueError(f"no master key {active!r}")
        self.active = active
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}

    def seal(self, kid: str, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._keys[kid].encrypt(nonce, data, aad)

    def open(self, kid: str, sealed: bytes, aad: bytes) -> bytes:
        if kid not in self._keys:
            raise ValueError(f"master key {kid!r} is not configured (retired keys must stay)")
        return self._keys[kid].decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)


class CaseKeys:
    """Per-case data keys in the store, wrapped by the master keys."""

    def __init__(self, sessions: sessionmaker[Session], master: MasterKeys) -> None:
        self._sessions = sessions
        self.master = master
        self._by_id: dict[str, tuple[float, bytes]] = {}
        # Key lookups get their own threads: the default executor may be busy with the
        # worker's own work, and a payload must not wait behind it.
        self.executor = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="case-keys")
        self._current: dict[str, tuple[float, str]] = {}

    def _unwrap(self, row: CaseKeyRow) -> bytes:
        if row.wrapped is None:
            raise KeyShreddedError(f"the data key of {row.workflow_id!r} was erased")
        return self.master.open(row.master_key_id, row.wrapped, row.key_id.encode())

    def current(self, workflow_id: str) -> tuple[str, bytes]:
        """The data key new payloads of `workflow_id` are encrypted under, made on first use;
        a case erased and later started again under the same id gets a fresh key."""
        cached = self._current.get(workflow_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1], self.by_id(cached[1])
        for _attempt in range(3):
            # Reads take no write lock (SQLite): the codec runs beside activities that write.
            with read_only(self._sessions) as session:
                rows = session.scalars(
                    select(CaseKeyRow).where(CaseKeyRow.workflow_id == workflow_id)
                ).all()
                live = [(row.key_id, self._unwrap(row)) for row in rows if row.wrapped is not None]
                count = len(rows)
            # Read inside the session: it ends in a rollback, which expires what it loaded.
            if live:
                key_id, key = live[0]
            else:
                key_id = f"{workflow_id}#{count + 1}"
                key = AESGCM.generate_key(bit_length=256)
                with self._sessions() as session:
                    session.add(
                        CaseKeyRow(
                            key_id=key_id,
                            workflow_id=workflow_id,
                            master_key_id=self.master.active,
                            wrapped=self.master.seal(self.master.active, key, key_id.encode()),
                        )
                    )
                    try:
                        # The row expires on commit and its session closes: nothing of it
                        # is read afterwards, the id and key are the ones made here.
                        session.commit()
                    except IntegrityError:  # another process made it first: read theirs
                        session.rollback()
                        continue
            self._by_id[key_id] = (now + CACHE_SECONDS, key)
            self._current[workflow_id] = (now + CACHE_SECONDS, key_id)
            return key_id, key
        raise RuntimeError(f"could not make a data key for {workflow_id!r}")

    def by_id(self, key_id: str) -> bytes:
        """The data key `key_id`; `KeyShreddedError` once it was erased."""
        cached = self._by_id.get(key_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        with read_only(self._sessions) as session:
            row = session.get(CaseKeyRow, key_id)
            if row is None:
                raise KeyShreddedError(f"no data key {key_id!r}")
            key = self._unwrap(row)
        self._by_id[key_id] = (now + CACHE_SECONDS, key)
        return key

    def shred(self, session: Session, workflow_ids: Sequence[str]) -> int:
        """Destroy the data keys of these cases in `session` (the caller commits); how many."""
        rows = session.scalars(
            select(CaseKeyRow).where(
                CaseKeyRow.workflow_id.in_(list(workflow_ids)), CaseKeyRow.wrapped.is_not(None)
            )
        ).all()
        for row in rows:
            row.wrapped = None
            row.shredded_at = datetime.now(UTC)
            self._by_id.pop(row.key_id, None)
        for workflow_id in workflow_ids:
            self._current.pop(workflow_id, None)
        return len(rows)


class CaseKeyCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM for every payload, under its case's data key when the SDK names the case."""

    def __init__(self, keys: CaseKeys, workflow_id: str | None = None) -> None:
        self._keys = keys
        self._workflow_id = workflow_id

    def with_context(self, context: SerializationContext) -> Self:
        workflow_id: str | None = None
        if isinstance(context, WorkflowSerializationContext | ActivitySerializationContext):
            workflow_id = context.workflow_id
        return type(self)(self._keys, workflow_id)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not payloads:
            return []
        if self._workflow_id is None:
            kind, kid, aead = "master", self._keys.master.active, None
        else:
            kind = "case"
            kid, key = await asyncio.get_running_loop().run_in_executor(
                self._keys.executor, self._keys.current, self._workflow_id
            )
            aead = AESGCM(key)
        out = []
        for payload in payloads:
            plain = payload.SerializeToString()
            aad = kid.encode()
            metadata = {"encoding": ENCODING, KEY_ID: kid.encode(), KEY_KIND: kind.encode()}
            if len(plain) >= COMPRESS_FROM_BYTES:
                packed = zlib.compress(plain, ZLIB_LEVEL)
                if len(packed) < len(plain):
                    plain, aad = packed, aad + b"|" + ZLIB
                    metadata[COMPRESSION] = ZLIB
            if aead is None:
                sealed = self._keys.master.seal(kid, plain, aad)
            else:
                nonce = os.urandom(NONCE_BYTES)
                sealed = nonce + aead.encrypt(nonce, plain, aad)
            out.append(Payload(metadata=metadata, data=sealed))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                out.append(payload)  # written before encryption was on: as it was
                continue
            kid = payload.metadata[KEY_ID].decode()
            compressed = COMPRESSION in payload.metadata
            if compressed and payload.metadata[COMPRESSION] != ZLIB:
                raise ValueError(f"payload compressed as {payload.metadata[COMPRESSION]!r}")
            aad = kid.encode() + (b"|" + ZLIB if compressed else b"")
            try:
                if payload.metadata.get(KEY_KIND, b"case") == b"master":
                    plain = self._keys.master.open(kid, payload.data, aad)
                else:
                    key = await asyncio.get_running_loop().run_in_executor(
                        self._keys.executor, self._keys.by_id, kid
                    )
                    data = payload.data
                    plain = AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], aad)
            except InvalidTag as exc:
                raise ValueError(f"payload under key {kid!r} failed authentication") from exc
            decoded = Payload()
            decoded.ParseFromString(zlib.decompress(plain) if compressed else plain)
            out.append(decoded)
        return out


def case_keys_for(settings: Settings) -> CaseKeys:
    """The data keys in the configured store, under the configured master keys."""
    from store.db import make_engine, session_factory

    active, keys = settings.master_keys()
    return CaseKeys(session_factory(make_engine(settings.store_url)), MasterKeys(active, keys))


def encrypted_converter(keys: CaseKeys) -> DataConverter:
    """The pydantic data converter, reading through the process's type adapters
    (`trustdesk.payloads`), with payloads encrypted by `CaseKeyCodec`."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SharedAdaptersPayloadConverter,
        payload_codec=CaseKeyCodec(keys),
    )


def text_seal_for(settings: Settings) -> TextSeal:
    """Seals texts kept in rows (one-time-code emails) under keys derived from the
    configured master keys: whoever holds those (sender, web) opens them, nobody else."""
    active, keys = settings.master_keys()
    return TextSeal(active, keys)
