"""The Temporal servers Trustdesk runs come from the installed wheels and keep their state."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey, TypedSearchAttributes
from temporalio.worker import Worker

from tests.temporal_env import dev_server, local_env, time_skipping_env, wait_until
from tests.workflows.parked import ParkedCase, SleepyCase
from trustdesk.temporal_server import DevServer, port_in_use, temporal_binary
from workflows.search_attributes import ALL_KEYS, CASE_STATUS, SEARCH_ATTRIBUTES


def _queue() -> str:
    return f"test-{uuid.uuid4()}"


_CLI_TYPES = {
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE: "Double",
    IndexedValueType.INDEXED_VALUE_TYPE_TEXT: "Text",
    IndexedValueType.INDEXED_VALUE_TYPE_INT: "Int",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
    IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST: "KeywordList",
}


async def _custom_attributes(client: Client) -> dict[str, str]:
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    return {
        name: _CLI_TYPES.get(kind, str(kind))  # type: ignore[call-overload]
        for name, kind in listed.custom_attributes.items()
    }


def test_typed_keys_match_the_registered_names() -> None:
    assert [key.name for key in ALL_KEYS] == list(SEARCH_ATTRIBUTES)
    kinds = {key.name: key.indexed_value_type for key in ALL_KEYS}
    assert kinds["Amount"] == SearchAttributeKey.for_float("Amount").indexed_value_type
    assert sum(1 for kind in SEARCH_ATTRIBUTES.values() if kind == "Keyword") == 5


async def test_dev_server_runs_the_wheel_binary_with_our_search_attributes(
    tmp_path: Path,
) -> None:
    assert temporal_binary() == Path(sys.executable).parent / "temporal"
    async with dev_server(tmp_path, ui=True) as server:
        assert server.binary == temporal_binary()
        offline = {"frontend.enableServerVersionCheck=false", "--ui-disable-news-fetch"}
        assert offline <= set(server.command())
        assert server.startup_seconds is not None and server.startup_seconds < 30
        assert port_in_use(server.port)
        client = await server.connect()
        registered = await _custom_attributes(client)
        for name, kind in SEARCH_ATTRIBUTES.items():
            assert registered.get(name) == kind, (name, registered)
        assert server.db_path == tmp_path.resolve() / "temporal.db"
        assert server.db_path.exists()
        assert server.ui_url is not None

        async def ui_answers() -> bool:
            async with httpx.AsyncClient(timeout=2) as http:
                try:
                    return (await http.get(server.ui_url)).status_code == 200  # type: ignore[arg-type]
                except httpx.TransportError:
                    return False

        await wait_until(ui_answers, timeout=20, what="the Temporal UI answering")
    assert not server.running
    assert server.returncode is not None
    assert not port_in_use(server.port)


async def test_a_second_server_on_a_busy_port_fails_clearly(tmp_path: Path) -> None:
    async with dev_server(tmp_path / "a", search_attributes={}) as first:
        second = DevServer(tmp_path / "b", port=first.port, ui_port=None)
        try:
            await second.start()
        except RuntimeError as exc:
            assert "already in use" in str(exc)
        else:  # pragma: no cover - the assertion documents the failure
            await second.stop()
            raise AssertionError("a second server started on a busy port")


async def test_workflows_survive_a_server_restart_on_the_same_db_file(tmp_path: Path) -> None:
    queue = _queue()
    workflow_id = f"case-{uuid.uuid4()}"
    async with dev_server(tmp_path) as server:
        client = await server.connect()
        async with Worker(client, task_queue=queue, workflows=[ParkedCase]):
            handle = await client.start_workflow(
                ParkedCase.run, id=workflow_id, task_queue=queue
            )
            assert await handle.execute_update(ParkedCase.opened) == "open"
        first_run_id = (await handle.describe()).run_id

        stopped_with = await server.stop()
        assert stopped_with is not None and not server.running
        await server.start()

        client = await server.connect()
        handle = client.get_workflow_handle(workflow_id)
        described = await handle.describe()
        assert described.status == WorkflowExecutionStatus.RUNNING
        assert described.run_id == first_run_id
        assert described.typed_search_attributes.get(CASE_STATUS) == "open"

        async def listed() -> list[str]:
            query = f"WorkflowId = '{workflow_id}' AND CaseStatus = 'open'"
            return [wf.id async for wf in client.list_workflows(query)]

        assert await wait_until(listed, what="the case in visibility") == [workflow_id]

        async with Worker(client, task_queue=queue, workflows=[ParkedCase]):
            await handle.signal(ParkedCase.close, "restart-test")
            assert await handle.result() == "closed by restart-test"
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_start_local_uses_the_wheel_binary_and_registers_keys() -> None:
    async with local_env() as env:
        registered = await _custom_attributes(env.client)
        assert set(SEARCH_ATTRIBUTES) <= set(registered)
        queue = _queue()
        async with Worker(env.client, task_queue=queue, workflows=[ParkedCase]):
            handle = await env.client.start_workflow(
                ParkedCase.run, id=f"case-{uuid.uuid4()}", task_queue=queue
            )
            await handle.signal(ParkedCase.close, "local")
            assert await handle.result() == "closed by local"
            attrs: TypedSearchAttributes = (await handle.describe()).typed_search_attributes
            assert attrs.get(CASE_STATUS) == "open"


async def test_time_skipping_env_skips_a_long_sleep() -> None:
    async with time_skipping_env() as env:
        assert env.supports_time_skipping
        queue = _queue()
        # The test server knows no custom search attributes: register none here.
        async with Worker(env.client, task_queue=queue, workflows=[SleepyCase]):
            result = await env.client.execute_workflow(
                SleepyCase.run, 48.0, id=f"case-{uuid.uuid4()}", task_queue=queue
            )
        assert result == "woke"
