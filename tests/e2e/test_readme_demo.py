"""The README's demo, exactly as written: the demo store, a real worker whose autonomy the
accuracy gate decides as `trustdesk up` does, and the chat's HTTP API.

"In the chat, say "I'd like to return the earbuds from order #W1000007", give the email
chloe.nguyen@example.com when asked", type the one-time code the agent mails to that address
(read here from the mail the outbox queued; tests/e2e/test_readme_demo_identity.py reads it in
the review UI's mail page, as the README says), "then yes". Out of the box the accuracy gate
clears returns, so the agent proposes returning exactly the earbuds, listed with their options
and amount, and opens their return on the yes; with a stricter bar (`trustdesk validate
--threshold 0.99`) the same conversation ends in a handoff.
"""

from __future__ import annotations

import concurrent.futures
import re
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from store.db import make_engine, migrate, session_factory
from store.models import OrderRow, OutboxRow, TransactionRow
from store.sealed import is_sealed
from store.seed import seed
from tests.workflows.conftest import temporal_env  # noqa: F401  (fixture)
from trustdesk.cli import main as trustdesk
from trustdesk.config import Settings
from trustdesk.encryption import text_seal_for
from web.app import create_app
from workers.agent import build_deps, build_worker
from workflows.gateway import CaseGateway

SECRET = "readme-demo-secret-" + "x" * 32
FIRST = "I'd like to return the earbuds from order #W1000007"
EMAIL = "chloe.nguyen@example.com"
EARBUDS = "9000000703"  # the order's in-ear Wireless Headphones (store/seed.py)
CODE = "<the code in the email>"  # said as the latest code mailed to the customer


def mailed_code(settings: Settings) -> str:
    """The six-digit code in the newest email the outbox queued for the customer, opened
    with the deployment's keys as its sender opens it (the row holds it sealed)."""
    seal = text_seal_for(settings)
    engine = make_engine(settings.store_url)
    try:
        with session_factory(engine)() as s:
            rows = s.execute(
                select(OutboxRow.message_id, OutboxRow.text).order_by(OutboxRow.id.desc())
            )
            for message_id, text in rows:
                body = seal.open(text, bound_to=message_id) if is_sealed(text) else text
                if found := re.search(r"\b(\d{6})\b", body):
                    return found.group(1)
    finally:
        engine.dispose()
    raise AssertionError("no code was mailed")


async def chat(
    env: WorkflowEnvironment, data_dir: Path, messages: list[str]
) -> tuple[list[dict[str, object]], Settings]:
    """The messages said in the chat, one after the other; every answer of the API."""
    settings = Settings(data_dir=data_dir, secret_key=SECRET, task_queue=uuid.uuid4().hex)
    migrate(settings.store_url)
    deps = build_deps(settings)  # the autonomy the gate recorded in the data dir, as `up`
    seed(deps.sessions, "demo")
    answers: list[dict[str, object]] = []
    app = create_app(
        settings, gateway=CaseGateway(env.client, settings.task_queue), sessions=deps.sessions
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(env.client, deps, task_queue=settings.task_queue, executor=executor)
        async with (
            worker,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://trustdesk.test", timeout=60
            ) as http,
        ):
            thread = uuid.uuid4().hex
            for said in messages:
                text = mailed_code(settings) if said == CODE else said
                r = await http.post(
                    "/api/messages",
                    json={"channel": "webchat", "thread_id": thread, "text": text},
                )
                assert r.status_code == 200, r.text
                answers.append(r.json())
    return answers, settings


def the_order(settings: Settings, order_id: str) -> tuple[str, list[str], list[Decimal]]:
    """The order's status, the items its return holds, and the refunds made on it."""
    engine = make_engine(settings.store_url)
    try:
        with session_factory(engine)() as s:
            row = s.get_one(OrderRow, order_id)
            refunds = s.scalars(
                select(TransactionRow.amount).where(
                    TransactionRow.order_id == order_id, TransactionRow.kind == "refund"
                )
            )
            return row.status, list(row.return_items or []), list(refunds)
    finally:
        engine.dispose()


def last_text(answer: dict[str, object]) -> str:
    replies = answer["replies"]
    assert isinstance(replies, list) and replies
    return str(replies[-1]["text"])


async def test_out_of_the_box_the_earbuds_are_returned_as_proposed(
    temporal_env: WorkflowEnvironment,  # noqa: F811
    tmp_path: Path,
) -> None:
    answers, settings = await chat(temporal_env, tmp_path / "data", [FIRST, EMAIL, CODE, "yes"])
    asked, code_asked, proposed, done = answers
    assert "email" in last_text(asked).lower()
    assert "code" in last_text(code_asked).lower()
    proposal = last_text(proposed)
    # Exactly the earbuds, with their options and amount, the method and the total.
    assert "Wireless Headphones (" in proposal and "for 89.00" in proposal, proposal
    assert "refund 89.00 to your" in proposal, proposal
    assert done["status"] == "resolved", done
    assert last_text(done).startswith("Done")
    # The return is open for exactly the earbuds; the refund follows their receipt.
    status, returned, refunded = the_order(settings, "#W1000007")
    assert (status, refunded) == ("return requested", [])
    assert returned == [EARBUDS]


async def test_with_a_stricter_bar_the_return_is_handed_to_a_person(
    temporal_env: WorkflowEnvironment,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    assert trustdesk(["validate", "--data-dir", str(data_dir), "--threshold", "0.99"]) == 0
    answers, settings = await chat(temporal_env, data_dir, [FIRST, EMAIL, CODE])
    asked, code_asked, handed = answers
    assert "email" in last_text(asked).lower()
    assert "code" in last_text(code_asked).lower()
    assert handed["status"] == "escalated", handed
    assert "colleague" in last_text(handed)
    assert the_order(settings, "#W1000007") == ("delivered", [], [])
