"""The review UI's admin action: export or erase a customer, audited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.audit import verify_chain
from store.models import AuditEventRow, CustomerRow
from tests.integration.test_review_web import PASSWORD, SECRET, sign_in
from tests.shop import create_shop
from trustdesk.config import Settings
from web.app import create_app
from web.users import create_user

EMAIL = "ada@example.com"


@pytest.fixture
async def http(
    sqlite_sessions: sessionmaker[Session], tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    create_shop(sqlite_sessions)
    create_user(sqlite_sessions, "ad", PASSWORD, "admin", None)
    create_user(sqlite_sessions, "al", PASSWORD, "agent", None)
    app = create_app(Settings(data_dir=tmp_path, secret_key=SECRET), sessions=sqlite_sessions)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://review.test") as client:
        yield client


def csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def test_an_admin_exports_then_erases_a_customer(
    http: httpx.AsyncClient, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "ad")
    form = await http.get("/review/admin/customers")
    assert form.status_code == 200
    exported = await http.get("/review/admin/customers/export", params={"email": EMAIL})
    assert exported.status_code == 200 and "Ada Lovelace" in exported.text
    assert (await http.get("/review/admin/customers/export?email=x@y.z")).status_code == 404

    fields = {"csrf_token": csrf(form), "email": EMAIL}
    mismatch = await http.post("/review/admin/customers/erase", data={**fields, "confirm": "no"})
    assert mismatch.status_code == 400
    with sqlite_sessions() as session:
        assert session.scalars(select(CustomerRow).where(CustomerRow.email == EMAIL)).first()
    done = await http.post("/review/admin/customers/erase", data={**fields, "confirm": EMAIL})
    assert done.status_code == 200 and "Erased" in done.text
    with sqlite_sessions() as session:
        assert (
            session.scalars(select(CustomerRow).where(CustomerRow.email == EMAIL)).first() is None
        )
        events = session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq)).all()
        mine = [(e.kind, e.actor) for e in events if e.kind.startswith("customer.")]
        assert mine == [("customer.exported", "review:ad"), ("customer.erased", "review:ad")]
        assert not any(EMAIL in repr(e.payload) or "Lovelace" in repr(e.payload) for e in events)
        assert verify_chain(session).ok


async def test_only_admins_reach_customers_data(http: httpx.AsyncClient) -> None:
    await sign_in(http, "al")
    assert (await http.get("/review/admin/customers")).status_code == 403
    assert (
        await http.get("/review/admin/customers/export", params={"email": EMAIL})
    ).status_code == 403
