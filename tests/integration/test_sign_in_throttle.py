"""Sign-in throttling counted in the store: per account and per client, shared by every web
process (two app instances on one database here), without one client locking out everyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import SignInFailureRow
from trustdesk.config import Settings
from web.app import create_app
from web.review.throttle import LoginThrottle
from web.users import create_user

PASSWORD = "correct horse battery staple"
SECRET = "throttle-test-secret-" + "z" * 32


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_five_failures_pause_a_username_from_an_address_until_the_oldest_leaves_the_window(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, max_failures=5, window=timedelta(minutes=15), clock=clock)
    for _ in range(5):
        assert throttle.retry_after("pat", "10.0.0.1") is None
        throttle.failed("pat", "10.0.0.1")
        clock.advance(10)
    assert throttle.retry_after("pat", "10.0.0.1") == 900 - 50
    assert throttle.retry_after("PAT ", "10.0.0.1") == 850  # the same username
    assert throttle.retry_after("pat", "10.0.0.2") is None  # another address
    assert throttle.retry_after("sue", "10.0.0.1") is None  # another username
    clock.advance(850)
    assert throttle.retry_after("pat", "10.0.0.1") is None  # the oldest failure left the window


def test_a_success_clears_the_pair_and_one_address_is_capped_across_usernames(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, max_failures=3, max_failures_per_address=5, clock=clock)
    throttle.failed("pat", "a")
    throttle.failed("pat", "a")
    throttle.succeeded("pat", "a")
    throttle.failed("pat", "a")
    assert throttle.retry_after("pat", "a") is None
    for name in ("u1", "u2", "u3", "u4"):
        throttle.failed(name, "a")
    assert throttle.retry_after("someone-new", "a") is not None
    assert throttle.retry_after("someone-new", "b") is None  # one client locks out only itself


def test_many_clients_guessing_one_account_are_slowed_and_others_are_not(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, max_failures=5, max_failures_per_account=8, clock=clock)
    for i in range(8):
        assert throttle.retry_after("pat", f"10.0.0.{i}") is None
        throttle.failed("pat", f"10.0.0.{i}")
    assert throttle.retry_after("PAT", "10.9.9.9") is not None
    assert throttle.retry_after("lou", "10.9.9.9") is None  # other accounts unaffected
    clock.advance(timedelta(minutes=16).total_seconds())
    assert throttle.retry_after("pat", "10.9.9.9") is None


def test_the_store_keeps_one_window_of_failures_and_at_most_max_tracked(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    throttle = LoginThrottle(sessions, max_tracked=3, clock=clock)
    for n in range(10):
        throttle.failed(f"user{n}", f"198.51.100.{n}")
        clock.advance(1)

    def kept() -> int:
        with sessions() as s:
            return s.scalar(select(func.count()).select_from(SignInFailureRow)) or 0

    assert kept() == 3
    clock.advance(timedelta(minutes=16).total_seconds())
    throttle.failed("pat", "a")
    assert kept() == 1  # older than the window: forgotten
    throttle.failed("x" * 500, "y" * 500)  # whatever a client sends fits a row
    assert throttle.retry_after("x" * 500, "y" * 500) is None


def _rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(SignInFailureRow)) or 0


def test_a_flood_of_made_up_names_stays_within_the_bound_and_a_real_accounts_count_holds(
    sessions: sessionmaker[Session],
) -> None:
    create_user(sessions, "Pat", PASSWORD, "approver", Decimal("1000"))
    clock = Clock()
    throttle = LoginThrottle(
        sessions, max_failures=5, max_failures_per_account=8, max_tracked=20, clock=clock
    )
    for _ in range(4):  # one client guessing Pat's password
        throttle.failed("pat", "203.0.113.9")
        clock.advance(1)
    for n in range(3):  # and others
        throttle.failed("PAT", f"198.51.100.{n}")
        clock.advance(1)
    sizes = []
    for n in range(500):  # a flood: made-up names from made-up addresses, within the window
        throttle.failed(f"nobody-{n}", f"2001:db8::{n:x}")
        sizes.append(_rows(sessions))
        clock.advance(0.5)
    assert max(sizes) == 20  # the table never grew past its bound
    # None of Pat's seven failures was pushed out: the pair's fifth and the account's
    # eighth failure pause them as they would have without the flood.
    assert throttle.retry_after("pat", "203.0.113.9") is None
    throttle.failed("pat", "203.0.113.9")
    assert throttle.retry_after("pat", "203.0.113.9") is not None
    assert throttle.retry_after("pat", "192.0.2.1") is not None  # the account, from anywhere
    assert throttle.retry_after("lou", "192.0.2.1") is None
    assert _rows(sessions) == 20


def test_failures_for_real_accounts_alone_are_bounded_too(
    sessions: sessionmaker[Session],
) -> None:
    for name in ("pat", "sue"):
        create_user(sessions, name, PASSWORD, "approver", Decimal("1000"))
    clock = Clock()
    throttle = LoginThrottle(sessions, max_tracked=3, clock=clock)
    for n in range(6):
        throttle.failed(("pat", "sue")[n % 2], f"10.0.0.{n}")
        clock.advance(1)
    assert _rows(sessions) == 3  # the oldest went, accounts or not, rather than the bound


async def test_two_web_processes_share_one_limit(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    create_user(sqlite_sessions, "pat", PASSWORD, "approver", Decimal("1000"))
    first = create_app(
        Settings(data_dir=tmp_path / "web-1", secret_key=SECRET), sessions=sqlite_sessions
    )
    second = create_app(
        Settings(data_dir=tmp_path / "web-2", secret_key=SECRET), sessions=sqlite_sessions
    )
    wrong = {"username": "pat", "password": "not the password"}
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://a") as one,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://b") as two,
    ):
        # Alternating between the processes: each sees the other's failures.
        for n in range(5):
            answer = await (one if n % 2 else two).post("/api/auth/token", json=wrong)
            assert answer.status_code == 401
        right = {"username": "pat", "password": PASSWORD}
        for http in (one, two):
            refused = await http.post("/api/auth/token", json=right)
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        # The review sign-in of either process counts against the same limit.
        form = await two.get("/review/login")
        assert form.status_code == 200
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        paused = await two.post(
            "/review/login", data={"username": "pat", "password": PASSWORD, "csrf_token": token}
        )
        assert paused.status_code == 429


async def test_behind_a_trusted_proxy_each_client_counts_on_its_own(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    create_user(sqlite_sessions, "pat", PASSWORD, "approver", Decimal("1000"))
    create_user(sqlite_sessions, "sue", PASSWORD, "approver", Decimal("1000"))
    settings = Settings(
        data_dir=tmp_path / "web", secret_key=SECRET, trusted_proxies=["127.0.0.0/8"]
    )
    apps = [create_app(settings, sessions=sqlite_sessions) for _ in range(2)]
    # Both processes sit behind the same proxy (ASGITransport's peer is 127.0.0.1).
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://a") as one,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[1]), base_url="http://b") as two,
    ):
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        for n in range(5):
            r = await (one, two)[n % 2].post(
                "/api/auth/token",
                json={"username": "sue", "password": "not the password"},
                headers=guesser,
            )
            assert r.status_code == 401
        for name in ("sue", "pat"):
            r = await one.post(
                "/api/auth/token",
                json={"username": name, "password": PASSWORD},
                headers={"X-Forwarded-For": "198.51.100.1"},  # another client, same proxy
            )
            assert r.status_code == 200, (name, r.text)
        r = await two.post(
            "/api/auth/token", json={"username": "sue", "password": PASSWORD}, headers=guesser
        )
        assert r.status_code == 429
