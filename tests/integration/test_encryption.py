"""Payload encryption: per-case data keys, rotation of master keys, shredding, pass-through."""

from __future__ import annotations

import base64
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext

from store.db import make_engine, migrate, session_factory
from trustdesk.config import Settings
from trustdesk.encryption import (
    COMPRESSION,
    CaseKeyCodec,
    CaseKeys,
    KeyShreddedError,
    MasterKeys,
)

SECRET = b'{"email": "ada@example.com", "name": "Ada Lovelace"}'
K1, K2 = b"1" * 32, b"2" * 32


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    migrate(url)
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()


def codec(keys: CaseKeys, workflow_id: str | None = "case-webchat-t1") -> CaseKeyCodec:
    plain = CaseKeyCodec(keys)
    if workflow_id is None:
        return plain
    return plain.with_context(WorkflowSerializationContext("default", workflow_id))


def payload(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_a_case_payload_is_sealed_under_its_own_data_key(
    sessions: sessionmaker[Session],
) -> None:
    keys = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    [sealed] = await codec(keys).encode([payload()])
    assert b"ada@example.com" not in sealed.SerializeToString()
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"] == b"case-webchat-t1#1"
    [other] = await codec(keys, "case-webchat-t2").encode([payload()])
    assert other.metadata["encryption-key-id"] == b"case-webchat-t2#1"
    # A fresh process (no cache) decodes both without being told the case.
    fresh = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    assert await codec(fresh, None).decode([sealed, other]) == [payload(), payload()]


async def test_a_large_payload_is_compressed_inside_its_seal_and_the_mark_is_bound(
    sessions: sessionmaker[Session],
) -> None:
    keys = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    state = b'{"facts": [' + b",".join([SECRET] * 40) + b"]}"
    for workflow_id in ("case-webchat-t1", None):
        [sealed] = await codec(keys, workflow_id).encode([payload(state)])
        assert sealed.metadata[COMPRESSION] == b"zlib"
        assert len(sealed.data) < len(state) // 4
        fresh = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
        assert await codec(fresh, None).decode([sealed]) == [payload(state)]
        # The mark is part of what the seal authenticates: taken away, nothing opens.
        unmarked = Payload()
        unmarked.CopyFrom(sealed)
        del unmarked.metadata[COMPRESSION]
        with pytest.raises(ValueError, match="failed authentication"):
            await codec(fresh, None).decode([unmarked])
    # A small payload is sealed as it is, and one sealed before compression still opens.
    [small] = await codec(keys).encode([payload()])
    assert COMPRESSION not in small.metadata
    assert await codec(keys).decode([small]) == [payload()]


async def test_payloads_without_a_case_use_the_master_key_and_old_payloads_pass(
    sessions: sessionmaker[Session],
) -> None:
    keys = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    [sealed] = await codec(keys, None).encode([payload()])
    assert sealed.metadata["encryption-key-kind"] == b"master"
    assert SECRET not in sealed.data
    unencoded = payload(b'"recorded before encryption"')
    assert await codec(keys).decode([sealed, unencoded]) == [payload(), unencoded]


async def test_master_keys_rotate_and_retired_keys_still_decrypt(
    sessions: sessionmaker[Session],
) -> None:
    old = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    [case_sealed] = await codec(old).encode([payload()])
    [master_sealed] = await codec(old, None).encode([payload()])
    rotated = CaseKeys(sessions, MasterKeys("k2", {"k1": K1, "k2": K2}))
    assert await codec(rotated).decode([case_sealed, master_sealed]) == [payload(), payload()]
    [new_case] = await codec(rotated, "case-webchat-new").encode([payload()])
    only_new = CaseKeys(sessions, MasterKeys("k2", {"k2": K2}))
    assert await codec(only_new).decode([new_case]) == [payload()]
    with pytest.raises(ValueError, match="k1"):
        await codec(only_new).decode([master_sealed])


async def test_shredding_a_case_key_makes_its_payloads_unreadable_for_good(
    sessions: sessionmaker[Session],
) -> None:
    keys = CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))
    [sealed] = await codec(keys).encode([payload()])
    [kept] = await codec(keys, "case-webchat-other").encode([payload()])
    with sessions() as session:
        assert keys.shred(session, ["case-webchat-t1"]) == 1
        session.commit()
    for reader in (keys, CaseKeys(sessions, MasterKeys("k1", {"k1": K1}))):
        with pytest.raises(KeyShreddedError):
            await codec(reader).decode([sealed])
        assert await codec(reader).decode([kept]) == [payload()]
    # The same conversation id started again gets a fresh key.
    [again] = await codec(keys).encode([payload()])
    assert again.metadata["encryption-key-id"] == b"case-webchat-t1#2"
    assert await codec(keys).decode([again]) == [payload()]


def test_the_embedded_master_key_file_is_owner_only_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    active, keys = settings.master_keys()
    path = tmp_path / "data" / "encryption.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(keys[active]) == 32
    assert Settings(data_dir=tmp_path / "data").master_keys() == (active, keys)


def test_configured_master_keys_pick_the_active_one(tmp_path: Path) -> None:
    encoded = {k: base64.urlsafe_b64encode(v).decode() for k, v in {"a": K1, "b": K2}.items()}
    settings = Settings(data_dir=tmp_path, encryption_keys=encoded)
    assert settings.master_keys() == ("b", {"a": K1, "b": K2})
    assert (
        Settings(data_dir=tmp_path, encryption_keys=encoded, encryption_key_id="a").master_keys()[0]
        == "a"
    )
    assert not (tmp_path / "encryption.keys").exists()
    with pytest.raises(ValueError, match="not one of"):
        Settings(data_dir=tmp_path, encryption_keys=encoded, encryption_key_id="c").master_keys()


def test_the_store_file_is_owner_only(tmp_path: Path) -> None:
    migrate(f"sqlite:///{tmp_path / 'store.db'}")
    assert stat.S_IMODE((tmp_path / "store.db").stat().st_mode) == 0o600


def test_the_dev_server_ui_decodes_through_the_web_process(tmp_path: Path) -> None:
    from trustdesk.temporal_server import dev_server_for

    command = dev_server_for(Settings(data_dir=tmp_path, web_port=8123)).command()
    at = command.index("--ui-codec-endpoint")
    assert command[at + 1] == "http://127.0.0.1:8123/review/codec"
    assert (
        "--ui-codec-endpoint" not in dev_server_for(Settings(data_dir=tmp_path), ui=False).command()
    )
