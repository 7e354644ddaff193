"""`POST /codec/decode`: the Temporal UI's remote codec, for staff whose role may read histories."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext

from tests.integration.test_review_web import PASSWORD, SECRET, sign_in
from trustdesk.config import Settings
from trustdesk.encryption import CaseKeyCodec, CaseKeys, MasterKeys
from web.app import create_app
from web.auth import create_access_token
from web.users import create_user

UI = "http://127.0.0.1:8233"
SECRET_TEXT = b'"my address is 1 Analytical Way"'


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "web", secret_key=SECRET)


@pytest.fixture
async def http(
    sqlite_sessions: sessionmaker[Session], settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    create_user(sqlite_sessions, "pat", PASSWORD, "approver", Decimal("1000"))
    create_user(sqlite_sessions, "al", PASSWORD, "agent", None)
    app = create_app(settings, sessions=sqlite_sessions)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://review.test") as client:
        yield client


async def sealed_body(sessions: sessionmaker[Session], settings: Settings) -> dict[str, Any]:
    active, keys = settings.master_keys()
    codec = CaseKeyCodec(CaseKeys(sessions, MasterKeys(active, keys))).with_context(
        WorkflowSerializationContext("default", "case-webchat-ui")
    )
    [sealed] = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=SECRET_TEXT)])
    assert SECRET_TEXT not in sealed.data
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in sealed.metadata.items()},
                "data": base64.b64encode(sealed.data).decode(),
            }
        ]
    }


async def test_a_signed_in_approver_reads_decoded_payloads_from_the_temporal_ui(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session], settings: Settings
) -> None:
    body = await sealed_body(sqlite_sessions, settings)
    preflight = await http.options(
        "/review/codec/decode",
        headers={"Origin": UI, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == UI
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "X-Namespace" in preflight.headers["access-control-allow-headers"]

    assert (await http.post("/review/codec/decode", json=body)).status_code == 401
    await sign_in(http, "pat")
    decoded = await http.post(
        "/review/codec/decode", json=body, headers={"Origin": UI, "X-Namespace": "default"}
    )
    assert decoded.status_code == 200, decoded.text
    assert decoded.headers["access-control-allow-origin"] == UI
    [payload] = decoded.json()["payloads"]
    assert base64.b64decode(payload["data"]) == SECRET_TEXT
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"

    elsewhere = await http.post("/review/codec/decode", json=body, headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in elsewhere.headers


async def test_roles_that_do_not_read_histories_and_bad_input_are_refused(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session], settings: Settings
) -> None:
    body = await sealed_body(sqlite_sessions, settings)
    agent = {"Authorization": f"Bearer {create_access_token('al', SECRET)}"}
    refused = await http.post("/review/codec/decode", json=body, headers=agent)
    assert refused.status_code == 403
    approver = {"Authorization": f"Bearer {create_access_token('pat', SECRET)}"}
    assert (await http.post("/review/codec/decode", json=body, headers=approver)).status_code == 200
    broken = {"payloads": [{"metadata": {"encoding": "%%%"}, "data": ""}]}
    bad = await http.post("/review/codec/decode", json=broken, headers=approver)
    assert bad.status_code == 400 and "base64" in bad.json()["detail"]
