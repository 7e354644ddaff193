"""`/review/mail`: the local mail sink, for support agents and admins only."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from store.mail_sink import keep_mail
from tests.integration.test_review_web import app, client_for, sign_in  # noqa: F401


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
