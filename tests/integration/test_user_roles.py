"""Several roles per user: the store, `trustdesk users`, the web checks, and the migration
that gave every existing user their one role as the first of several (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from store.db import alembic_config, make_engine, session_factory
from tests.integration.test_review_web import app, client_for, sign_in  # noqa: F401
from trustdesk import cli
from web.users import UserError, change_roles, create_user, load_user
from workflows.contracts import Role

PASSWORD = "correct horse battery staple"


def run(argv: list[str], stdin: str = "") -> int:
    old = cli.sys.stdin
    cli.sys.stdin = io.StringIO(stdin)
    try:
        return cli.main(argv)
    finally:
        cli.sys.stdin = old


def roles_of(sessions: sessionmaker[Session], name: str) -> frozenset[Role]:
    found = load_user(sessions, name)
    assert found is not None
    return found[0].roles


def test_users_hold_several_roles_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "d")
    add = ["users", "add", "kim", "--role", "agent", "--role", "approver"]
    assert run([*add, "--approval-limit", "300", "--data-dir", data], PASSWORD) == 0
    assert "added kim (approver, agent, approval limit 300.00)" in capsys.readouterr().out
    engine = make_engine(f"sqlite:///{tmp_path / 'd' / 'trustdesk.db'}")
    sessions = session_factory(engine)
    try:
        assert roles_of(sessions, "kim") == {Role.AGENT, Role.APPROVER}
        assert run(["users", "grant", "kim", "--role", "admin", "--data-dir", data]) == 0
        assert roles_of(sessions, "kim") == {Role.AGENT, Role.APPROVER, Role.ADMIN}
        assert run(["users", "list", "--data-dir", data]) == 0
        assert "admin,agent,approver" in capsys.readouterr().out
        withdraw = ["users", "withdraw", "kim", "--role", "approver", "--data-dir", data]
        assert run(withdraw) == 0
        found = load_user(sessions, "kim")
        assert found is not None
        assert found[0].roles == {Role.AGENT, Role.ADMIN}
        assert found[0].approval_limit is None  # no approving role left: no limit either
        both = ["users", "withdraw", "kim", "--role", "agent", "--role", "admin"]
        assert run([*both, "--data-dir", data]) == 1
        assert "would hold no role" in capsys.readouterr().err
        assert run(["users", "grant", "nobody", "--role", "agent", "--data-dir", data]) == 1
    finally:
        engine.dispose()


def test_a_limit_needs_an_approving_role_and_roles_must_be_known(
    sessions: sessionmaker[Session],
) -> None:
    with pytest.raises(UserError, match="approval limit"):
        create_user(sessions, "al", PASSWORD, ["agent", "admin"], Decimal("10"))
    with pytest.raises(UserError, match="unknown role"):
        create_user(sessions, "al", PASSWORD, ["agent", "owner"])
    with pytest.raises(UserError, match="at least one role"):
        create_user(sessions, "al", PASSWORD, [])
    user = create_user(sessions, "al", PASSWORD, ["agent", "senior_approver"], Decimal("10"))
    assert user.acting_role is Role.SENIOR_APPROVER
    assert change_roles(sessions, "al", grant=["agent"]).roles == user.roles  # held already


def test_the_migration_keeps_each_users_role_and_leaves_no_old_code_readable(
    store_url: str,
) -> None:
    engine = make_engine(store_url)
    sessions = session_factory(engine)
    try:
        create_user(sessions, "kim", PASSWORD, ["agent", "approver"], Decimal("300"))
        create_user(sessions, "ad", PASSWORD, ["admin"])
        engine.dispose()
        command.downgrade(alembic_config(store_url), "0009")  # one role each: the strongest
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT username, role FROM users")).all())
        assert rows == {"kim": "approver", "ad": "admin"}
        with engine.begin() as conn:  # a user added before several roles existed
            conn.execute(
                text(
                    "INSERT INTO users (username, role, password_hash, disabled, created_at,"
                    " token_generation) VALUES ('pat', 'senior_approver', 'x', false,"
                    " CURRENT_TIMESTAMP, 0)"
                )
            )
            # A code email from before sealing: delivered, and kept in the local mail sink.
            conn.execute(
                text(
                    "INSERT INTO outbox (message_id, case_id, channel, thread_id, role, text,"
                    " status, attempts, created_at) VALUES ('case-x/code-1', 'case-x', 'mail',"
                    " 'ada@example.com', 'agent', 'Your verification code is 482913',"
                    " 'delivered', 1, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO mail_sink (message_id, to_address, subject, body, created_at)"
                    " VALUES ('case-x/code-1', 'ada@example.com', 'code',"
                    " 'Your verification code is 482913', CURRENT_TIMESTAMP)"
                )
            )
        engine.dispose()
        command.upgrade(alembic_config(store_url), "head")
        with engine.connect() as conn:
            kept = [
                str(value)
                for table in ("outbox", "mail_sink")
                for row in conn.execute(text(f"SELECT * FROM {table}"))
                for value in row
            ]
        assert kept and not [value for value in kept if "482913" in value]
        assert roles_of(sessions, "kim") == {Role.APPROVER}
        assert roles_of(sessions, "ad") == {Role.ADMIN}
        assert roles_of(sessions, "pat") == {Role.SENIOR_APPROVER}
    finally:
        engine.dispose()


async def test_the_review_ui_grants_what_any_role_grants(
    app,  # type: ignore[no-untyped-def]  # noqa: F811
    sqlite_sessions: sessionmaker[Session],
) -> None:
    create_user(sqlite_sessions, "kim", PASSWORD, ["agent", "approver"], Decimal("300"))
    async with await client_for(app) as http:
        signed = await sign_in(http, "kim")
        assert signed.headers["location"] == "/review/approvals"  # the strongest role's home
        for path in ("/review/approvals", "/review/handoffs", "/review/mail"):
            assert (await http.get(path)).status_code == 200, path
        refused = await http.get("/review/admin/users")
        assert refused.status_code == 403
        assert "Your roles (approver, agent) cannot administer" in refused.text
    change_roles(sqlite_sessions, "kim", grant=["admin"])
    async with await client_for(app) as http:  # the change holds from the next request
        await sign_in(http, "kim")
        users = await http.get("/review/admin/users")
        assert users.status_code == 200
        assert 'data-testid="roles-kim">admin, agent, approver<' in users.text
