"""The audit chain is anchored outside the database: `trustdesk audit` catches a chain
rewritten and recomputed after an edit, and events deleted from its end; personal data is
stored as keyed hashes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from store.audit import GENESIS, _digest, anchor_for, append_event, configure_anchor
from store.db import make_engine, migrate, session_factory
from store.models import AuditEventRow
from trustdesk import cli
from trustdesk.config import Settings


@pytest.fixture
def anchored(tmp_path: Path) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    settings = Settings(data_dir=tmp_path)
    migrate(settings.store_url)
    engine = make_engine(settings.store_url)
    configure_anchor(anchor_for(settings.secret(), settings.audit_checkpoints))
    sessions = session_factory(engine)
    for n in range(1, 6):
        with sessions() as session:
            append_event(
                session,
                kind="action.executed",
                actor="pat",
                case_id="case-webchat-t1",
                payload={
                    "amount": f"{n}00.00",
                    "arguments": {"email": "ada@example.com", "address1": "1 Main St"},
                    "note": "customer Ada Lovelace asked nicely",
                },
                event_id=f"case-webchat-t1/event-{n}",
            )
            session.commit()
    yield settings, sessions
    configure_anchor(None)
    engine.dispose()


def audit(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["audit", "--data-dir", str(settings.data_dir)])
    return code, capsys.readouterr().out


def recompute(sessions: sessionmaker[Session]) -> None:
    """What someone with database access does after an edit: rehash the whole chain."""
    with sessions() as session:
        prev = GENESIS
        for row in session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)):
            row.prev_hash = prev
            row.hash = _digest(prev, row.kind, row.actor, row.case_id, row.payload, row.created_at)
            prev = row.hash
        session.commit()


def test_an_intact_chain_verifies_against_its_checkpoints(
    anchored: tuple[Settings, sessionmaker[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _ = anchored
    code, out = audit(settings, capsys)
    assert code == 0, out
    assert "intact: 5 events" in out and "checkpoints up to event 5" in out
    assert len(settings.audit_checkpoints.read_text().splitlines()) == 5


def test_an_edited_and_recomputed_amount_is_caught(
    anchored: tuple[Settings, sessionmaker[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, sessions = anchored
    with sessions() as session:
        row = session.scalars(select(AuditEventRow).where(AuditEventRow.seq == 3)).one()
        row.payload = {**row.payload, "amount": "3.00"}
        session.commit()
    code, out = audit(settings, capsys)
    assert code == 1 and "event 3's hash does not match its content" in out  # naive edit
    recompute(sessions)
    code, out = audit(settings, capsys)
    assert code == 1
    assert "BROKEN" in out and "rewritten and recomputed" in out and "event 3" in out


def test_deleting_the_last_events_is_caught(
    anchored: tuple[Settings, sessionmaker[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, sessions = anchored
    with sessions() as session:
        session.execute(delete(AuditEventRow).where(AuditEventRow.seq >= 4))
        session.commit()
    code, out = audit(settings, capsys)
    assert code == 1
    assert "the chain ends at event 3" in out and "deleted from the end" in out


def test_a_forged_checkpoint_is_caught(
    anchored: tuple[Settings, sessionmaker[Session]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, sessions = anchored
    recompute(sessions)  # harmless on its own: nothing changed
    with settings.audit_checkpoints.open("a") as f:
        f.write('{"seq": 6, "hash": "' + "a" * 64 + '", "mac": "' + "b" * 64 + '"}\n')
    code, out = audit(settings, capsys)
    assert code == 1 and "not signed with this deployment's key" in out


def test_personal_data_is_stored_as_keyed_hashes(
    anchored: tuple[Settings, sessionmaker[Session]],
) -> None:
    _, sessions = anchored
    with sessions() as session:
        payload = session.scalars(select(AuditEventRow.payload)).first()
    assert payload is not None
    text = repr(payload)
    assert "ada@example.com" not in text and "Main St" not in text and "Lovelace" not in text
    assert payload["amount"] == "100.00"
    assert payload["arguments"]["email"].startswith("hmac:")
    assert payload["note"].startswith("hmac:")
