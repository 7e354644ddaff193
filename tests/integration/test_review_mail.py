"""`/review/mail`: the local mail sink, for support agents and admins only, kept sealed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from store.mail_sink import keep_mail
from tests.integration.test_review_web import app, client_for, sign_in  # noqa: F401
from trustdesk.config import Settings
from trustdesk.encryption import text_seal_for


async def test_the_mail_sink_is_read_by_agents_and_admins_only(
    app,  # type: ignore[no-untyped-def]  # noqa: F811
    sqlite_sessions: sessionmaker[Session],
) -> None:
    async with await client_for(app) as http:
        assert (await http.get("/review/mail")).status_code == 303  # sign in first
        await sign_in(http, "al")
        empty = await http.get("/review/mail")
        assert empty.status_code == 200 and "No emails kept yet" in empty.text
        keep_mail(
            sqlite_sessions,
            message_id="case-webchat-t/code-1",
            to="ada@example.com",
            subject="Your Trustdesk verification code",
            body="Your verification code is 123456 <b>",
        )
        page = await http.get("/review/mail")
        assert "ada@example.com" in page.text and "verification code is 123456" in page.text
        assert "<b>" not in page.text and "&lt;b&gt;" in page.text
        assert 'href="/review/mail" aria-current="page">Mail' in page.text
    async with await client_for(app) as http:
        await sign_in(http, "ad")
        assert "123456" in (await http.get("/review/mail")).text
    async with await client_for(app) as http:
        await sign_in(http, "pat")  # an approver has no business reading customers' codes
        queue = await http.get("/review/approvals")
        assert "/review/mail" not in queue.text
        refused = await http.get("/review/mail")
        assert refused.status_code == 403 and "123456" not in refused.text


async def test_the_sink_keeps_emails_sealed_and_the_page_opens_them_for_its_reader(
    app,  # type: ignore[no-untyped-def]  # noqa: F811
    sqlite_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    seal = text_seal_for(Settings(data_dir=tmp_path / "web"))  # the web process's keys
    message_id = "case-webchat-t/code-2"
    keep_mail(
        sqlite_sessions,
        message_id=message_id,
        to="ada@example.com",
        subject="Your Trustdesk verification code",
        body=seal.seal("Your verification code is 654321", bound_to=message_id),
    )
    # Sealed for another row, a body copied across opens nowhere.
    keep_mail(
        sqlite_sessions,
        message_id="case-webchat-t/code-3",
        to="ada@example.com",
        subject="Your Trustdesk verification code",
        body=seal.seal("Your verification code is 111222", bound_to=message_id),
    )
    with sqlite_sessions() as s:
        stored = [str(v) for row in s.execute(text("SELECT * FROM mail_sink")) for v in row]
    assert not [value for value in stored if "654321" in value or "111222" in value]
    async with await client_for(app) as http:
        await sign_in(http, "al")
        page = await http.get("/review/mail")
    assert "verification code is 654321" in page.text
    assert "111222" not in page.text and "cannot be opened" in page.text
