"""Operator commands on accounts and the demo store: flags after the sub-command, disable,
revoke, and seeding that never undoes what the agent did."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from domain.commands import Authorization, CancelOrder
from domain.policy import Actor, Policy
from store.actions import RetailActions
from store.db import make_engine, session_factory
from store.models import OrderRow
from store.seed import demo_customer
from trustdesk import cli
from trustdesk.config import Settings
from trustdesk.up import _prepare_store
from web.app import create_app

PASSWORD = "correct horse battery staple"


def run(argv: list[str], stdin: str = "") -> int:
    old = cli.sys.stdin
    cli.sys.stdin = io.StringIO(stdin)
    try:
        return cli.main(argv)
    finally:
        cli.sys.stdin = old


def test_users_add_takes_the_data_dir_after_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "d")
    assert run(["users", "add", "pat", "--role", "approver", "--data-dir", data], PASSWORD) == 0
    assert run(["users", "--data-dir", data, "list"]) == 0
    assert "pat" in capsys.readouterr().out
    assert (tmp_path / "d" / "trustdesk.db").exists()


async def test_disable_and_revoke_end_tokens_at_once(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert run(["users", "add", "pat", "--role", "approver", "--data-dir", data], PASSWORD) == 0
    settings = Settings(data_dir=Path(data), secret_key="accounts-test-" + "s" * 32)
    app = create_app(settings, gateway=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

        async def token() -> str:
            r = await http.post("/api/auth/token", json={"username": "pat", "password": PASSWORD})
            assert r.status_code == 200, r.text
            return str(r.json()["access_token"])

        async def cases_status(tok: str) -> int:
            r = await http.get("/api/cases", headers={"Authorization": f"Bearer {tok}"})
            return r.status_code

        first = await token()
        assert await cases_status(first) != 401
        assert run(["users", "revoke", "pat", "--data-dir", data]) == 0
        assert await cases_status(first) == 401
        second = await token()
        assert await cases_status(second) != 401

        assert run(["users", "disable", "pat", "--data-dir", data]) == 0
        assert await cases_status(second) == 401
        r = await http.post("/api/auth/token", json={"username": "pat", "password": PASSWORD})
        assert r.status_code == 401
        assert run(["users", "enable", "pat", "--data-dir", data]) == 0
        assert await cases_status(await token()) != 401
    assert run(["users", "disable", "nobody", "--data-dir", data]) == 1


def test_restarting_up_keeps_executed_actions(tmp_path: Path, policy: Policy) -> None:
    settings = Settings(data_dir=tmp_path)
    _prepare_store(settings, "demo")
    sessions = session_factory(make_engine(settings.store_url))
    ada = demo_customer("ada.lovelace@example.com")
    RetailActions(sessions, policy).execute(
        CancelOrder(order_id="#W1000002", reason="no longer needed"),
        idempotency_key="restart-test-cancel",
        authorization=Authorization(
            actor=Actor.CUSTOMER, customer_id=ada.id, identity_verified=True, confirmed=True
        ),
    )
    _prepare_store(settings, "demo")  # what `trustdesk up` runs on its next start

    def status() -> str:
        with sessions() as s:
            return str(s.scalars(select(OrderRow.status).where(OrderRow.id == "#W1000002")).one())

    assert status() == "cancelled"
    data = str(tmp_path)
    assert run(["seed", "--data-dir", data]) == 0
    assert status() == "cancelled"
    assert run(["seed", "--reset", "--data-dir", data]) == 2  # no --yes: refused
    assert status() == "cancelled"
    assert run(["seed", "--reset", "--yes", "--data-dir", data]) == 0
    assert status() == "pending"


async def test_the_token_endpoint_is_throttled_per_account(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert run(["users", "add", "pat", "--role", "approver", "--data-dir", data], PASSWORD) == 0
    settings = Settings(data_dir=Path(data), secret_key="accounts-test-" + "s" * 32)
    transport = httpx.ASGITransport(app=create_app(settings, gateway=None))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for _ in range(5):
            wrong = {"username": "pat", "password": "wrong-1234"}
            r = await http.post("/api/auth/token", json=wrong)
            assert r.status_code == 401
        r = await http.post("/api/auth/token", json={"username": "pat", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "too many wrong passwords" in r.json()["detail"]
