"""The real web app over ASGI, on the real dev server with an in-process case worker.

`web` wires `create_app` to the workflow tests' `harness` (its worker, task queue
and shop store) and records every approval the web layer lets through to the
workflow, so a test can prove that a refusal never reached it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType

from tests.workflows.conftest import (  # noqa: F401  (fixtures used by this directory)
    TEST_APPROVAL_KEY,
    TEST_MASTER_KEY,
    TEST_MASTER_KEY_ID,
    CaseHarness,
    harness,
    shop_sessions,
    temporal_env,
)
from trustdesk.approval_keys import encode_private_key
from trustdesk.config import Settings
from web.app import create_app
from web.users import StaffUser, create_user
from workflows.contracts import SubmitApprovalInput, SubmitApprovalResult
from workflows.gateway import CaseGateway

PASSWORD = "correct horse battery staple"
SECRET = "e2e-test-secret-" + "x" * 32


class RecordingGateway(CaseGateway):
    """A real gateway that remembers every approval sent on to a workflow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submitted: list[tuple[str, SubmitApprovalInput]] = []

    async def submit_approval(
        self, case_id: str, decision: SubmitApprovalInput
    ) -> SubmitApprovalResult:
        self.submitted.append((case_id, decision))
        return await super().submit_approval(case_id, decision)


@dataclass
class Web:
    http: httpx.AsyncClient
    harness: CaseHarness
    gateway: RecordingGateway
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def new_thread() -> str:
        return uuid.uuid4().hex

    async def say(self, thread: str, text: str) -> dict[str, Any]:
        r = await self.http.post(
            "/api/messages", json={"channel": "webchat", "thread_id": thread, "text": text}
        )
        assert r.status_code == 200, r.text
        return r.json()

    def add_user(self, name: str, role: str | list[str], limit: str | None = None) -> StaffUser:
        return create_user(
            self.harness.sessions, name, PASSWORD, role, Decimal(limit) if limit else None
        )

    async def token(self, name: str) -> str:
        if name not in self.tokens:
            r = await self.http.post(
                "/api/auth/token", json={"username": name, "password": PASSWORD}
            )
            assert r.status_code == 200, r.text
            self.tokens[name] = r.json()["access_token"]
        return self.tokens[name]

    async def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(name)}"}

    async def case(self, case_id: str) -> dict[str, Any]:
        """The staff view of a case (`GET /api/cases/{id}` needs a token)."""
        if "casereader" not in self.tokens:
            self.add_user("casereader", "agent")
        r = await self.http.get(f"/api/cases/{case_id}", headers=await self.auth("casereader"))
        assert r.status_code == 200, r.text
        return r.json()

    async def case_status(self, case_id: str) -> int:
        """The HTTP status of the staff view of a case: 404 when it was never started."""
        if "casereader" not in self.tokens:
            self.add_user("casereader", "agent")
        r = await self.http.get(f"/api/cases/{case_id}", headers=await self.auth("casereader"))
        return r.status_code

    async def update_events(self, case_id: str) -> list[str]:
        """Names of the updates the workflow's history accepted or rejected, in order."""
        history = await self.harness.client.get_workflow_handle(case_id).fetch_history()
        names = []
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                accepted = event.workflow_execution_update_accepted_event_attributes
                names.append(accepted.accepted_request.input.name)
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
                rejected = event.workflow_execution_update_rejected_event_attributes
                names.append("rejected:" + rejected.rejected_request.input.name)
        return names


@pytest.fixture
async def web(harness: CaseHarness, tmp_path: Path) -> AsyncIterator[Web]:  # noqa: F811
    settings = Settings(
        data_dir=tmp_path / "web",
        secret_key=SECRET,
        task_queue=harness.task_queue,
        approval_signing_key=encode_private_key(TEST_APPROVAL_KEY),
        encryption_keys={TEST_MASTER_KEY_ID: base64.urlsafe_b64encode(TEST_MASTER_KEY).decode()},
    )
    gateway = RecordingGateway(harness.client, harness.task_queue)
    app = create_app(settings, gateway=gateway, sessions=harness.sessions)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://trustdesk.test", timeout=30
    ) as http:
        yield Web(http, harness, gateway, settings)
