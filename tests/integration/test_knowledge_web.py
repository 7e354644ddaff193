"""The knowledge base's admin pages on a real SQLite store: who may edit, CSRF, save, refuse."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.knowledge import KnowledgeBase
from store.models import AuditEventRow
from tests.integration.test_review_web import PASSWORD, SECRET, client_for, sign_in
from trustdesk.config import Settings
from trustdesk.knowledge_cli import prepare_knowledge
from web.app import create_app
from web.review.knowledge import knowledge_base
from web.users import create_user


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", secret_key=SECRET, database_url=sqlite_url)
    prepare_knowledge(settings)
    return settings


@pytest.fixture
async def http(
    settings: Settings, sqlite_sessions: sessionmaker[Session]
) -> AsyncIterator[httpx.AsyncClient]:
    create_user(sqlite_sessions, "ad", PASSWORD, "admin", None)
    create_user(sqlite_sessions, "al", PASSWORD, "agent", None)
    async with await client_for(create_app(settings, sessions=sqlite_sessions)) as client:
        yield client


def csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def kb_of(http: httpx.AsyncClient) -> KnowledgeBase:
    app = http._transport.app  # type: ignore[attr-defined]
    return knowledge_base(app.state.web)


async def test_only_admins_see_the_knowledge_base(http: httpx.AsyncClient) -> None:
    await sign_in(http, "al")
    assert (await http.get("/review/admin/knowledge")).status_code == 403
    assert (await http.get("/review/admin/knowledge/returns")).status_code == 403


async def test_an_admin_searches_edits_creates_and_deletes(
    http: httpx.AsyncClient, settings: Settings, sqlite_sessions: sessionmaker[Session]
) -> None:
    await sign_in(http, "ad")
    listing = await http.get("/review/admin/knowledge", params={"q": "do you ship to Canada?"})
    assert listing.status_code == 200
    assert 'data-slug="shipping"' in listing.text and "Do you ship to Canada?" in listing.text
    assert 'data-testid="article" data-slug="returns"' in listing.text

    article = await http.get("/review/admin/knowledge/returns")
    assert "You have 30 days from delivery" in article.text  # as customers read it
    token = csrf(article)

    # No token: refused, nothing changes.
    refused = await http.post(
        "/review/admin/knowledge/returns", data={"title": "Returns", "body": "Never."}
    )
    assert refused.status_code == 403
    # An unknown placeholder: the form comes back with the reason and the text as typed.
    bad = await http.post(
        "/review/admin/knowledge/returns",
        data={"csrf_token": token, "title": "Returns", "body": "{{ return_days }} days"},
    )
    assert bad.status_code == 422
    assert "unknown placeholder" in bad.text and "{{ return_days }} days" in bad.text

    saved = await http.post(
        "/review/admin/knowledge/returns",
        data={
            "csrf_token": token,
            "title": "Returns",
            "body": "## Return window\nBring it back within {{ return_window_days }} days; "
            "sandals are final sale.",
        },
    )
    assert saved.status_code == 303
    [best, *_] = kb_of(http).search("can I return sandals")
    assert (
        best.slug == "returns" and "sandals are final sale" in best.text and "30 days" in best.text
    )
    assert "sandals are final sale" in (settings.data_dir / "knowledge" / "returns.md").read_text()

    created = await http.post(
        "/review/admin/knowledge/new",
        data={
            "csrf_token": token,
            "slug": "gift-wrap",
            "title": "Gift wrapping",
            "body": "Gift wrapping costs $4 per parcel.",
        },
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/review/admin/knowledge/gift-wrap?notice=article_saved"
    clash = await http.post(
        "/review/admin/knowledge/new",
        data={"csrf_token": token, "slug": "gift-wrap", "title": "Again", "body": "x"},
    )
    assert clash.status_code == 422 and "already exists" in clash.text
    bad_slug = await http.post(
        "/review/admin/knowledge/new",
        data={"csrf_token": token, "slug": "../etc/passwd", "title": "x", "body": "x"},
    )
    assert bad_slug.status_code == 422 and "slug" in bad_slug.text

    deleted = await http.post(
        "/review/admin/knowledge/gift-wrap/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert (await http.get("/review/admin/knowledge/gift-wrap")).status_code == 404
    assert not (settings.data_dir / "knowledge" / "gift-wrap.md").exists()

    with sqlite_sessions() as session:
        events = session.execute(
            select(AuditEventRow.kind, AuditEventRow.actor)
            .where(AuditEventRow.kind.like("knowledge.article%"))
            .order_by(AuditEventRow.seq)
        ).all()
    assert [tuple(e) for e in events] == [
        ("knowledge.article_saved", "ad"),
        ("knowledge.article_created", "ad"),
        ("knowledge.article_deleted", "ad"),
    ]
