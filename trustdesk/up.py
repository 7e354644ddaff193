"""`trustdesk up`: the whole product on one machine, from one command.

Order of start: the store (migrated and seeded), the Temporal dev server
persisted in the data dir, then the worker and the web process as child
processes of this one. Ctrl-C or SIGTERM stops them in reverse: the children
first, then the server. If any of them dies on its own, the rest are stopped
and the command exits non-zero.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
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
CHILD_STOP_TIMEOUT = 15.0


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


async def _web_answers(url: str, watch: set[asyncio.Future[Any]], timeout: float) -> bool:
    """Poll ``url`` until it answers; False if a watched future finishes first or time runs out."""
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
            done, _ = await asyncio.wait(watch, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
            if done:
                return False
            pause = min(pause * 2, 0.5)
    return False


async def _stop_all(children: Mapping[str, subprocess.Popen[bytes]], server: DevServer) -> None:
    await asyncio.gather(
        *(terminate(proc, CHILD_STOP_TIMEOUT) for proc in children.values()),
        return_exceptions=True,
    )
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

    children: dict[str, subprocess.Popen[bytes]] = {}
    exits: dict[asyncio.Future[Any], str] = {}
    stopping = asyncio.ensure_future(stop.wait())
    try:
        env = child_env(settings)
        for name, argv in (commands or child_commands(settings, server.address)).items():
            children[name] = spawn(argv, env=env, stdin=subprocess.DEVNULL)
            exits[asyncio.ensure_future(asyncio.to_thread(children[name].wait))] = name
        exits[asyncio.ensure_future(server.wait())] = "temporal"
        watch: set[asyncio.Future[Any]] = {stopping, *exits}

        host = _local_host(settings.web_host)
        web = f"http://{host}:{settings.web_port}"
        if await _web_answers(f"{web}/healthz", watch, WEB_READY_TIMEOUT):
            print(
                "\nTrustdesk is up:\n"
                f"  chat           {web}/chat\n"
                f"  review UI      {web}/review\n"
                f"  Temporal UI    {server.ui_url}\n"
                f"  email          <{settings.support_address}> on "
                f"{_local_host(settings.smtp_listen_host)}:{settings.smtp_listen_port}\n"
                f"  data           {settings.data_dir}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
        elif not any(f.done() for f in watch):
            print(f"trustdesk up: {web} is not answering yet; still waiting", flush=True)

        done, _ = await asyncio.wait(watch, return_when=asyncio.FIRST_COMPLETED)
        code = 0
        if stopping not in done:
            for future in done:
                name = exits[future]
                detail = f" log tail:\n{server.log_tail()}" if name == "temporal" else ""
                print(
                    f"trustdesk up: {name} exited unexpectedly with code {future.result()};"
                    f" stopping the rest.{detail}",
                    file=sys.stderr,
                )
            code = 1
        print("stopping ...", flush=True)
    finally:
        await _stop_all(children, server)
        stopping.cancel()
        await asyncio.gather(stopping, *exits, return_exceptions=True)
    print("stopped", flush=True)
    return code


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
    """Run Trustdesk until Ctrl-C/SIGTERM (0) or until a part of it dies (1).

    ``commands`` replaces the child processes (name -> argv), for tests.
    """
    data_dir = Path(settings.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = embedded_defaults(settings.model_copy(update={"data_dir": data_dir}), dataset)
    try:
        return asyncio.run(_up(settings, dataset, commands))
    except KeyboardInterrupt:  # Ctrl-C before the handlers were installed
        return 130
