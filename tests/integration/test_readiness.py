"""Liveness and readiness: /readyz is 503 with reasons while Temporal or the store is down."""

from __future__ import annotations

from pathlib import Path

import httpx
from temporalio.client import Client

from store.db import make_engine, migrate, session_factory
from tests.temporal_env import dev_server
from trustdesk.config import Settings
from web.app import create_app
from workflows.gateway import CaseGateway


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")  # type: ignore[arg-type]


async def test_readiness_follows_temporal_while_liveness_stays_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    sessions = session_factory(make_engine(url))
    settings = Settings(data_dir=tmp_path, secret_key="readiness-" + "x" * 32)
    async with dev_server(tmp_path / "temporal") as server:
        client = await Client.connect(server.address)
        app = create_app(settings, gateway=CaseGateway(client, "q"), sessions=sessions)
        async with _client(app) as http:
            ready = await http.get("/readyz")
            assert (ready.status_code, ready.json()) == (200, {"ready": True, "reasons": []})

            await server.stop()
            down = await http.get("/readyz")
            assert down.status_code == 503
            assert down.json()["ready"] is False
            assert "Temporal" in down.json()["detail"]
            assert (await http.get("/livez")).status_code == 200
            assert (await http.get("/healthz")).json() == {"ok": True}

            await server.start()
            assert (await http.get("/readyz")).status_code == 200


async def test_readiness_fails_while_the_store_is_down(tmp_path: Path) -> None:
    closed = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    settings = Settings(data_dir=tmp_path, secret_key="readiness-" + "x" * 32)
    async with dev_server(tmp_path / "temporal") as server:
        client = await Client.connect(server.address)
        app = create_app(
            settings, gateway=CaseGateway(client, "q"), sessions=session_factory(closed)
        )
        async with _client(app) as http:
            down = await http.get("/readyz")
    assert down.status_code == 503
    assert down.json()["reasons"] == ["the store is unreachable: OperationalError"]


async def test_readiness_before_temporal_is_connected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    settings = Settings(data_dir=tmp_path, secret_key="readiness-" + "x" * 32)
    app = create_app(settings, gateway=None, sessions=session_factory(make_engine(url)))
    async with _client(app) as http:  # no lifespan: the gateway stays unset
        down = await http.get("/readyz")
    assert down.status_code == 503
    assert down.json()["reasons"] == ["not connected to Temporal yet"]
