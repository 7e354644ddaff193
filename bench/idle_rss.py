"""`trustdesk bench idle-rss`: the resident memory of each process of `trustdesk up`, idle.

It starts `python -m trustdesk.cli up` from a source tree (this checkout unless
`--tree` names another, so two versions can be measured back to back) on free ports
with a temporary data dir, waits until the web process answers, every child has
said it is serving (the worker once its brain is loaded) and every resident set
has stopped growing, reads each one's `VmRSS` from `/proc` (Linux
only), prints the table and stops everything with SIGINT, as Ctrl-C would.

"Idle" means started, connected and polling, with no case in flight: what each
process costs before its first customer.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The processes `trustdesk up` runs, recognised by their command lines.
PROCESSES = ("up", "temporal", "worker", "web", "email", "outbox")
READY_TIMEOUT = 300.0
#: What each child prints once it is serving: the worker after its brain is loaded.
READY_LINES = ("worker polling", "web       serving", "email     listening", "outbox    delivering")
#: A process is idle once its RSS moved less than this over one sampling window.
STEADY_FRACTION = 0.01
WINDOW_SECONDS = 2.0
SETTLE_TIMEOUT = 60.0
SOURCE_TREE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ProcessMemory:
    name: str
    pid: int
    rss_mb: float


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def rss_mb(pid: int) -> float | None:
    """Resident set size in MB (2^20 bytes), or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; ppid follows it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            found.append(int(entry.name))
    return found


def _name_of(pid: int) -> str | None:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    words = [a.decode(errors="replace") for a in argv if a]
    if any(Path(w).name.startswith("temporal") for w in words[:1]):
        return "temporal"
    if "trustdesk.cli" in words:
        command = words[words.index("trustdesk.cli") + 1]
        return command if command in PROCESSES else None
    return None


def _web_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(up: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT

    def ready() -> bool:
        said = log.read_text(errors="replace")
        return all(line in said for line in READY_LINES) and _web_answers(url)

    while not ready():
        if up.poll() is not None:
            raise RuntimeError(f"trustdesk up exited with {up.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {READY_TIMEOUT:.0f} s")
        time.sleep(0.2)


def _processes(up_pid: int) -> dict[str, int]:
    named = {"up": up_pid}
    for pid in _children(up_pid):
        name = _name_of(pid)
        if name is not None:
            named[name] = pid
    return named


def _settle(pids: Mapping[str, int]) -> dict[str, float]:
    """Sample until no process grew or shrank by more than STEADY_FRACTION in a window."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    before = {name: rss_mb(pid) or 0.0 for name, pid in pids.items()}
    while True:
        time.sleep(WINDOW_SECONDS)
        now = {name: rss_mb(pid) or 0.0 for name, pid in pids.items()}
        steady = all(
            abs(now[n] - before[n]) <= STEADY_FRACTION * max(before[n], 1.0) for n in pids
        )
        if steady or time.monotonic() > deadline:
            return now
        before = now


def measure(tree: Path = SOURCE_TREE, python: str = sys.executable) -> list[ProcessMemory]:
    """Start `trustdesk up` from `tree`, measure each process once idle, stop it."""
    web, temporal, ui, email = _free_ports(4)
    with tempfile.TemporaryDirectory(prefix="trustdesk-rss-") as data:
        argv = [
            python, "-m", "trustdesk.cli", "up", "--data-dir", data,
            "--port", str(web), "--temporal-port", str(temporal),
            "--ui-port", str(ui), "--email-port", str(email),
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
        env.pop("ANTHROPIC_API_KEY", None)  # the offline brain, as a fresh install runs
        log = Path(data) / "up.log"
        with log.open("wb") as out:
            up = subprocess.Popen(argv, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                _wait_ready(up, f"http://127.0.0.1:{web}/healthz", log)
                pids = _processes(up.pid)
                missing = [p for p in PROCESSES if p not in pids]
                if missing:
                    raise RuntimeError(f"not running: {', '.join(missing)}")
                rss = _settle(pids)
            except BaseException:
                print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
                raise
            finally:
                up.send_signal(signal.SIGINT)
                try:
                    up.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    up.kill()
                    up.wait()
    return [ProcessMemory(name, pids[name], round(rss[name], 1)) for name in PROCESSES]


def render(rows: list[ProcessMemory]) -> str:
    lines = ["| process | idle RSS (MB) |", "|---|---:|"]
    lines += [f"| {r.name} | {r.rss_mb:.1f} |" for r in rows]
    python = sum(r.rss_mb for r in rows if r.name != "temporal")
    lines.append(f"| **the Python processes together** | {python:.1f} |")
    return "\n".join(lines)


def run_idle_rss(tree: Path | None = None, *, as_json: bool = False) -> int:
    rows = measure(tree or SOURCE_TREE)
    if as_json:
        print(json.dumps([r.__dict__ for r in rows]))
    else:
        print(render(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="source tree to run (default: this checkout)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    return run_idle_rss(args.tree, as_json=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
