"""`trustdesk up` for real: its worker is SIGKILLed, restarted, and the next reply arrives."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import httpx

from tests.waiting import wait_until
from trustdesk.temporal_server import free_ports

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _worker_pids(data_dir: Path) -> list[int]:
    """Processes running `trustdesk.cli worker --data-dir <data_dir>`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv]
        if "trustdesk.cli" in args and "worker" in args and str(data_dir) in args:
            found.append(int(entry.name))
    return found


async def test_up_restarts_its_killed_worker_and_the_next_reply_arrives(tmp_path: Path) -> None:
    web, temporal, ui, email = free_ports(4)
    data = (tmp_path / "data").resolve()
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "trustdesk.cli", "up", "--data-dir", str(data),
            "--port", str(web), "--temporal-port", str(temporal), "--ui-port", str(ui),
            "--email-port", str(email),
            cwd=ROOT, env=_env(), stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip

    async def printed(marker: str) -> bool:
        assert proc.returncode is None, f"`trustdesk up` exited early:\n{log.read_text()}"
        return marker in log.read_text()

    async def say(http: httpx.AsyncClient, thread: str, text: str) -> httpx.Response:
        body = {"channel": "webchat", "thread_id": thread, "text": text}
        return await http.post(f"http://127.0.0.1:{web}/api/messages", json=body)

    try:
        await wait_until(
            lambda: printed("Press Ctrl-C"),
            timeout=600,
            what="the banner (a first run trains the offline brain)",
        )
        async with httpx.AsyncClient(timeout=60) as http:
            first = await say(http, uuid.uuid4().hex, "hello, where is my order?")
            assert first.status_code == 200, first.text
            assert first.json()["replies"]

            pids = _worker_pids(data)
            assert len(pids) == 1, pids
            os.kill(pids[0], signal.SIGKILL)
            killed = time.monotonic()
            await wait_until(
                lambda: printed("worker restarted (restart 1)"), timeout=60, what="restart"
            )
            assert "worker exited unexpectedly with code -9" in log.read_text()

            async def answered() -> httpx.Response | None:
                r = await say(http, uuid.uuid4().hex, "hello, where is my order?")
                return r if r.status_code == 200 else None  # 503 until the new worker polls

            second = await wait_until(answered, timeout=120, what="a reply after the restart")
            assert second.json()["replies"]
            recovered = time.monotonic() - killed
        print(f"kill to next reply: {recovered:.1f} s")

        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 60) == 0, log.read_text()
        assert "Traceback" not in log.read_text(), log.read_text()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
