"""Fixtures shared by every layer of the suite: migrated stores on SQLite and PostgreSQL.

Hypothesis's pytest plugin imports a module at the very end of the session; after
workers drop cached workflow coroutines, CPython 3.11 can fail to compile it there
("AST constructor recursion depth mismatch"), so it is imported up front.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import hypothesis.internal.observability  # noqa: F401  (imported early: see below)
import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.identity import TAU2_RULES
from domain.policy import Policy, load_policy
from store.actions import RetailActions
from store.db import make_engine, migrate, session_factory

# The suite runs the offline brain: a developer's Claude key must not send test traffic to
# the API (tests that exercise Claude pass a key explicitly, with a fake transport).
for _key in ("ANTHROPIC_API_KEY", "TRUSTDESK_ANTHROPIC_API_KEY"):
    os.environ.pop(_key, None)

def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (the product, the tests, some 600 thousand objects) lives
    for the whole session: left out of garbage collection, whose full passes otherwise
    walk it (0.3 s each here) while a workflow task must finish within the SDK's two
    seconds, which a loaded machine then misses."""
    gc.freeze()


PG_ADMIN_URL = os.environ.get(
    "TRUSTDESK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _pg_admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def postgres_available() -> str | None:
    """None when a PostgreSQL server answers, else the reason it does not."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    try:
        with _pg_admin_connection():
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"no PostgreSQL server at {PG_ADMIN_URL}: {exc}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    name = f"trustdesk_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    migrate(url)
    yield url
    with _pg_admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """A freshly migrated, empty store on each backend."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture
def sessions(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The shipped limits under τ²'s identity rule (an email suffices), as the τ²-like test
    shop runs; tests of the strict identity rules (tests/*/test_identity*) load their own."""
    return load_policy().model_copy(update={"identity": TAU2_RULES})


@pytest.fixture
def actions(sessions: sessionmaker[Session], policy: Policy) -> RetailActions:
    return RetailActions(sessions, policy)
