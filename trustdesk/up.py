"""`trustdesk up`: the whole product on one machine, from one command.

Order of start: the store (migrated, and seeded only when empty), the Temporal dev server
persisted in the data dir, then the worker and the web process as child
processes of this one. A part that dies on its own (the server included) is
started again after a back-off, and stderr says so; the rest keep running.
The URLs are printed once a worker polls for cases and the web process answers.
Ctrl-C or SIGTERM stops everything in reverse: the children first, then the
server, and the command exits 0.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from trustdesk.config import Settings
from trustdesk.temporal_server import (
    DevServer,
    DevServerError,
    TemporalBinaryMissing,
    dev_server_for,
    spawn,
    stop_on_signals,
    terminate,
)

WEB_READY_TIMEOUT = 60.0
#: The worker may train the offline brain on a first run; that takes a while.
WORKER_READY_TIMEOUT = 300.0
CHILD_STOP_TIMEOUT = 15.0
RESTART_FIRST = 0.5
RESTART_MAX = 30.0
RESTART_RESET = 60.0


def _prepare_store(settings: Settings, dataset: str) -> None:
    """Migrate and seed the store, then index the knowledge base, each in a child process
    (`trustdesk seed`, `trustdesk knowledge sync`), so this process, which only supervises
    the others, never holds SQLAlchemy, Alembic or the seed data."""
    seeded = _run_store_command(settings, ["seed", "--dataset", dataset])
    print(f"store     {settings.store_url} ({seeded})", flush=True)
    indexed = _run_store_command(settings, ["knowledge", "sync"])
    print(f"knowledge {indexed.removeprefix('indexed ')}", flush=True)


def _run_store_command(settings: Settings, command: list[str]) -> str:
    """Run `trustdesk <command>` against this data dir and store; its output, or an error."""
    argv = [sys.executable, "-m", "trustdesk.cli", *command,
            "--data-dir", str(settings.data_dir)]  # fmt: skip
    if settings.database_url:
        argv += ["--database-url", settings.database_url]
    done = subprocess.run(argv, env=child_env(settings), capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise RuntimeError(f"`trustdesk {' '.join(command)}` failed: {last}")
    return done.stdout.strip()


def child_env(settings: Settings) -> dict[str, str]:
    """This environment plus every set ``Settings`` field as ``TRUSTDESK_*``."""
    env = dict(os.environ)
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, dict | list):  # settings read these as JSON
            env[f"TRUSTDESK_{name.upper()}"] = json.dumps(
                settings.model_dump(mode="json", include={name})[name]
            )
        elif value is not None:
            env[f"TRUSTDESK_{name.upper()}"] = str(value)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def child_commands(settings: Settings, temporal_address: str) -> dict[str, list[str]]:
    """The command line of each child process, by name."""
    base = [sys.executable, "-m", "trustdesk.cli"]
    common = ["--data-dir", str(settings.data_dir), "--temporal-address", temporal_address]
    if settings.database_url:
        common += ["--database-url", settings.database_url]
    ports = [
        "--port", str(settings.web_port),
        "--temporal-port", str(settings.temporal_port),
        "--ui-port", str(settings.ui_port),
    ]  # fmt: skip
    return {
        "worker": [*base, "worker", *common],
        "web": [*base, "web", *common, *ports],
        "email": [*base, "email", *common],
        "outbox": [*base, "outbox", *common],
    }


def _local_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


async def _web_answers(url: str, stopping: asyncio.Future[Any], timeout: float) -> bool:
    """Poll ``url`` until it answers; False if ``stopping`` finishes first or time runs out."""
    import httpx

    deadline = time.monotonic() + timeout
    pause = 0.05
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            try:
                await http.get(url)
                return True
            except httpx.TransportError:
                pass
            done, _ = await asyncio.wait({stopping}, timeout=pause)
            if done:
                return False
            pause = min(pause * 2, 0.5)
    return False


async def _worker_polls(
    server: DevServer, task_queue: str, stopping: asyncio.Future[Any], timeout: float
) -> bool:
    """Wait until a worker polls ``task_queue`` for workflow tasks: only then does a first
    message get its reply at once (the worker may still be loading its brain before)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    deadline = time.monotonic() + timeout
    pause = 0.05
    client = None
    while time.monotonic() < deadline:
        try:
            client = client or await server.connect()
            answer = await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=server.namespace,
                    task_queue=TaskQueue(name=task_queue),
                    task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
                )
            )
            if answer.pollers:
                return True
        except Exception:  # noqa: BLE001, S110 - the server may be restarting; ask again
            pass
        done, _ = await asyncio.wait({stopping}, timeout=pause)
        if done:
            return False
        pause = min(pause * 2, 0.5)
    return False


def relay_unreachable(settings: Settings, timeout: float = 1.0) -> str | None:
    """Why the SMTP relay replies go out through cannot be reached, or None when it answers."""
    address = (settings.smtp_relay_host, settings.smtp_relay_port)
    try:
        with socket.create_connection(address, timeout=timeout):
            return None
    except OSError as exc:
        return f"{exc.strerror or exc}"


def _say(line: str) -> None:
    print(f"trustdesk up: {line}", file=sys.stderr, flush=True)


class Supervised:
    """One child process, restarted with back-off whenever it dies on its own.

    The pause before a restart doubles from ``RESTART_FIRST`` up to ``RESTART_MAX`` while the
    child keeps dying, and starts over once it has run for ``RESTART_RESET`` seconds.
    """

    def __init__(
        self,
        name: str,
        start: Callable[[], Awaitable[None]],
        wait: Callable[[], Awaitable[int]],
        stop: Callable[[], Awaitable[object]],
        log_tail: Callable[[], str] | None = None,
    ) -> None:
        self.name = name
        self.start = start
        self.wait = wait
        self.stop = stop
        self.log_tail = log_tail
        self.restarts = 0

    async def supervise(self, stopping: asyncio.Event) -> None:
        """Keep the child running until ``stopping`` is set (the caller then stops it)."""
        pause = RESTART_FIRST
        while not stopping.is_set():
            began = time.monotonic()
            exited = asyncio.ensure_future(self.wait())
            halt = asyncio.ensure_future(stopping.wait())
            done, _ = await asyncio.wait({exited, halt}, return_when=asyncio.FIRST_COMPLETED)
            if exited not in done:
                exited.cancel()
                await asyncio.gather(exited, return_exceptions=True)
                return
            halt.cancel()
            if time.monotonic() - began >= RESTART_RESET:
                pause = RESTART_FIRST
            code = exited.result()
            tail = self.log_tail() if self.log_tail else ""
            _say(
                f"{self.name} exited unexpectedly with code {code}; restarting it in {pause:.1f} s"
                + (f"; log tail:\n{tail}" if tail else "")
            )
            if await _stopped_within(stopping, pause):
                return
            try:
                await self.start()
            except Exception as exc:  # noqa: BLE001 - report, then try again after a longer pause
                _say(f"restarting {self.name} failed: {exc}")
                pause = min(pause * 2, RESTART_MAX)
                if await _stopped_within(stopping, pause):
                    return
                continue
            self.restarts += 1
            _say(f"{self.name} restarted (restart {self.restarts})")
            pause = min(pause * 2, RESTART_MAX)


async def _stopped_within(stopping: asyncio.Event, seconds: float) -> bool:
    """True if ``stopping`` is set within ``seconds`` (the back-off before a restart)."""
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except TimeoutError:
        return False
    return True


class _Child:
    """A child process that can be started again with the same command line."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv = argv
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.proc = spawn(self.argv, env=self.env, stdin=subprocess.DEVNULL)

    async def wait(self) -> int:
        assert self.proc is not None
        return await asyncio.to_thread(self.proc.wait)

    async def stop(self) -> int | None:
        return None if self.proc is None else await terminate(self.proc, CHILD_STOP_TIMEOUT)


async def _stop_all(children: Mapping[str, _Child], server: DevServer) -> None:
    await asyncio.gather(*(child.stop() for child in children.values()), return_exceptions=True)
    await server.stop()


async def _up(settings: Settings, dataset: str, commands: Mapping[str, list[str]] | None) -> int:
    stop = asyncio.Event()
    undo = stop_on_signals(stop)  # from here on, Ctrl-C means "stop in order"
    try:
        return await _up_until_stopped(settings, dataset, commands, stop)
    finally:
        undo()


async def _up_until_stopped(
    settings: Settings,
    dataset: str,
    commands: Mapping[str, list[str]] | None,
    stop: asyncio.Event,
) -> int:
    try:
        _prepare_store(settings, dataset)
    except Exception as exc:  # noqa: BLE001 - report any failure to the operator
        print(f"trustdesk up: preparing the store failed: {exc!r}", file=sys.stderr)
        return 1
    settings.secret()  # created once here, so the children never race to create it
    from trustdesk.approval_keys import signing_key

    signing_key(settings)  # the approval key pair too: the web signs, the worker verifies

    server = dev_server_for(settings)
    try:
        await server.start()
    except (DevServerError, TemporalBinaryMissing) as exc:
        print(f"trustdesk up: {exc}", file=sys.stderr)
        return 1
    print(f"temporal  {server.address} ready in {server.startup_seconds:.2f}s", flush=True)
    if stop.is_set():  # Ctrl-C while the server was starting
        await server.stop()
        return 0

    children: dict[str, _Child] = {}
    stopping = asyncio.ensure_future(stop.wait())
    supervisors: list[asyncio.Task[None]] = []
    try:
        env = child_env(settings)
        parts = [Supervised("temporal", server.start, server.wait, server.stop, server.log_tail)]
        for name, argv in (commands or child_commands(settings, server.address)).items():
            child = children[name] = _Child(list(argv), env)
            await child.start()
            parts.append(Supervised(name, child.start, child.wait, child.stop))
        supervisors = [asyncio.create_task(part.supervise(stop)) for part in parts]

        host = _local_host(settings.web_host)
        web = f"http://{host}:{settings.web_port}"
        print("waiting for the worker and the web process ...", flush=True)
        polls = commands is not None or await _worker_polls(
            server, settings.task_queue, stopping, WORKER_READY_TIMEOUT
        )
        if stop.is_set():
            pass
        elif polls and await _web_answers(f"{web}/livez", stopping, WEB_READY_TIMEOUT):
            relay = relay_unreachable(settings)
            relay_line = (
                f"  email relay    {settings.smtp_relay_host}:{settings.smtp_relay_port} is "
                f"unreachable ({relay}): email replies wait in the outbox until it answers\n"
                if relay
                else ""
            )
            print(
                "\nTrustdesk is up:\n"
                f"  chat           {web}/chat\n"
                f"  review UI      {web}/review\n"
                f"  API docs       {web}/docs\n"
                f"  Temporal UI    {server.ui_url}\n"
                f"  email          <{settings.support_address}> on "
                f"{_local_host(settings.smtp_listen_host)}:{settings.smtp_listen_port}\n"
                f"{relay_line}"
                f"  data           {settings.data_dir}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
        else:
            what = "the worker is not polling" if not polls else f"{web} is not answering"
            print(f"trustdesk up: {what} yet; still waiting", flush=True)

        await stop.wait()
        print("stopping ...", flush=True)
    finally:
        stop.set()
        await asyncio.gather(*supervisors, return_exceptions=True)
        await _stop_all(children, server)
        stopping.cancel()
        await asyncio.gather(stopping, return_exceptions=True)
    print("stopped", flush=True)
    return 0


def embedded_defaults(
    settings: Settings, dataset: str, environ: Mapping[str, str] = os.environ
) -> Settings:
    """`settings` as every child of `trustdesk up` reads them.

    One-time-code emails go to the local mail sink (read at /review/mail) unless a relay
    or the sink is configured; the τ²-retail data set runs under τ²'s identity rule.
    """
    update: dict[str, object] = {"dataset": dataset}
    if "TRUSTDESK_SMTP_RELAY_HOST" not in environ and "TRUSTDESK_MAIL_SINK" not in environ:
        update["mail_sink"] = True
    return settings.model_copy(update=update)


def run_up(
    settings: Settings,
    dataset: str = "demo",
    *,
    commands: Mapping[str, list[str]] | None = None,
) -> int:
    """Run Trustdesk until Ctrl-C/SIGTERM (0), restarting any part that dies; 1 when it
    cannot start (the store or the server).

    ``commands`` replaces the child processes (name -> argv), for tests.
    """
    data_dir = Path(settings.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = embedded_defaults(settings.model_copy(update={"data_dir": data_dir}), dataset)
    try:
        return asyncio.run(_up(settings, dataset, commands))
    except KeyboardInterrupt:  # Ctrl-C before the handlers were installed
        return 130
