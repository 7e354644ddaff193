"""Browser tests: Debian's Chromium, driven by Playwright, against the real web process.

Fixtures for any page's browser test:

* ``browser`` (session): a headless Chromium from ``/usr/bin/chromium``. Tests skip, saying
  why, when it is not installed (``apt-get install -y chromium``). Playwright never
  downloads a browser here.
* ``live_web``: the real app (``web.app.create_app``) served by uvicorn on a free port of
  127.0.0.1, bound to a real case worker on the session's Temporal dev server and to that
  worker's shop store (the workflow tests' ``harness``). It has ``base_url``, ``say()`` to post
  a customer message through ``POST /api/messages``, ``add_user()``, ``case()`` and ``login()``.
* ``page``: a page in a fresh browser context (its own cookies), with a default timeout;
  ``new_page()`` opens more, one per person a test needs.
* ``screenshot(page, name)``: saves ``<name>.png`` under ``test-artifacts/screenshots`` (under
  ``docs/screenshots``, the README's copies, with ``TRUSTDESK_UPDATE_SCREENSHOTS=1``).

Everything runs on the session's event loop: the server is a task on it, Playwright's async
API is awaited on it, and the worker polls on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.waiting import wait_until
from tests.workflows.conftest import (  # noqa: F401  (fixtures used by this directory)
    TEST_APPROVAL_KEY,
    CaseHarness,
    harness,
    shop_sessions,
    temporal_env,
)
from trustdesk.approval_keys import encode_private_key
from trustdesk.config import Settings
from trustdesk.temporal_server import free_port
from web.app import create_app
from web.auth import create_access_token
from web.users import StaffUser, create_user, load_user
from workflows.gateway import CaseGateway

CHROMIUM = Path(os.environ.get("TRUSTDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
SECRET = "browser-test-secret-" + "x" * 32
_ROOT = Path(__file__).resolve().parents[2]
#: Where screenshots go: test artifacts on every run; the README's copies in docs/screenshots
#: only when asked (TRUSTDESK_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
SCREENSHOTS = (
    _ROOT / "docs" / "screenshots"
    if os.environ.get("TRUSTDESK_UPDATE_SCREENSHOTS") == "1"
    else _ROOT / "test-artifacts" / "screenshots"
)
#: Playwright waits up to this long (ms) for an element or a navigation before failing.
#: Generous: on a busy 2-core machine a fresh dev server has taken 16 s to start the
#: first workflow, and a wait on a condition costs nothing when the condition holds.
TIMEOUT_MS = 45_000
#: How often review pages refresh their live parts during tests (ms).
REFRESH_MS = 400

try:
    from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the test extra installs it
    async_playwright = None  # type: ignore[assignment]
else:
    expect.set_options(timeout=TIMEOUT_MS)


def _skip_reason() -> str | None:
    if async_playwright is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    return None


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C keeps belonging to pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class LiveWeb:
    """The web process under test, and helpers to drive it from outside the browser."""

    base_url: str
    harness: CaseHarness
    gateway: CaseGateway
    settings: Settings
    app: Any
    http: httpx.AsyncClient

    @staticmethod
    def new_thread() -> str:
        return uuid.uuid4().hex

    async def say(self, thread: str, text: str) -> dict[str, Any]:
        """A customer message through the public API; the agent's answer."""
        r = await self.http.post(
            "/api/messages", json={"channel": "webchat", "thread_id": thread, "text": text}
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def case(self, case_id: str) -> dict[str, Any]:
        """The staff view of the case (`GET /api/cases/{id}`, with a reader's token)."""
        if load_user(self.harness.sessions, "casereader") is None:
            self.add_user("casereader", "agent")
        token = create_access_token("casereader", SECRET)
        r = await self.http.get(
            f"/api/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        return r.json()

    def add_user(self, name: str, role: str, limit: str | None = None) -> StaffUser:
        return create_user(
            self.harness.sessions, name, PASSWORD, role, Decimal(limit) if limit else None
        )

    async def login(self, page: Page, name: str, password: str = PASSWORD) -> None:
        """Sign in through the review UI's form, as a person would."""
        await page.goto(f"{self.base_url}/review/login")
        await page.get_by_label("Username").fill(name)
        await page.get_by_label("Password").fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_load_state()


@pytest.fixture
async def live_web(harness: CaseHarness, tmp_path: Path) -> AsyncIterator[LiveWeb]:  # noqa: F811
    settings = Settings(
        data_dir=tmp_path / "web",
        secret_key=SECRET,
        task_queue=harness.task_queue,
        approval_signing_key=encode_private_key(TEST_APPROVAL_KEY),
    )
    gateway = CaseGateway(harness.client, harness.task_queue)
    app = create_app(settings, gateway=gateway, sessions=harness.sessions)
    app.state.review.refresh_ms = REFRESH_MS
    port = free_port()
    server = _Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())

    async def listening() -> bool:
        if serving.done():
            serving.result()  # raises whatever stopped it
            raise AssertionError("the web server stopped before it started")
        return server.started  # uvicorn sets this once its socket listens

    await wait_until(listening, timeout=10, what="the web server listening")
    base_url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        try:
            yield LiveWeb(base_url, harness, gateway, settings, app, http)
        finally:
            server.should_exit = True
            await serving


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[Callable[..., Awaitable[Page]]]:
    """Opens pages, each in its own browser context (so its own cookies: its own person).

    Keyword arguments go to `Browser.new_context`, e.g. `java_script_enabled=False`.
    """
    contexts: list[BrowserContext] = []

    async def open_page(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = await browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
async def page(new_page: Callable[..., Awaitable[Page]]) -> Page:
    return await new_page()


async def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as <name>.png in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
