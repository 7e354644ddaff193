"""A real Temporal dev server for the session, and a case worker per test on its own queue."""

from __future__ import annotations

import concurrent.futures
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from brain.embedding import shared_embedder
from brain.offline import OfflineBrain
from brain.training import shipped_model
from domain.dialogue import HANDLED
from domain.policy import Policy, policy_placeholders
from store.actions import RetailActions
from store.consent import StoredCustomerRecords, read_consent
from store.db import make_engine, migrate, session_factory
from store.knowledge import DEFAULT_ARTICLES, KnowledgeBase
from store.one_time_codes import StoredCodes
from store.sealed import TextSeal
from tests.shop import create_shop
from trustdesk.approval_keys import ApprovalSigner, public_bytes
from trustdesk.temporal_server import temporal_binary
from workers.agent import WorkerDeps, build_worker
from workflows.contracts import Approver, SubmitApprovalInput
from workflows.search_attributes import ALL_KEYS

#: The web process's approval key in these tests; every test worker trusts its public half.
TEST_APPROVAL_KEY = Ed25519PrivateKey.generate()
TEST_SIGNER = ApprovalSigner(TEST_APPROVAL_KEY)


def signed_decision(
    case_id: str,
    approval_id: str,
    approver: Approver,
    decision: str = "approve",
    *,
    amount: Decimal | None = None,
    signer: ApprovalSigner = TEST_SIGNER,
) -> SubmitApprovalInput:
    """A decision as the web process sends it: with its signed proof."""
    proof = signer.sign(
        username=approver.username,
        role=approver.role.value,
        approval_limit=approver.approval_limit,
        case_id=case_id,
        approval_id=approval_id,
        decision=decision,
        amount=amount,
    )
    return SubmitApprovalInput(
        approval_id=approval_id,
        decision=decision,  # type: ignore[arg-type]
        approver=approver,
        amount=amount,
        proof=proof,
    )


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_binary()),
        search_attributes=ALL_KEYS,
        data_converter=pydantic_data_converter,
        ui=False,
    )
    yield env
    await env.shutdown()


@pytest.fixture
def shop_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    create_shop(sessions)
    yield sessions
    engine.dispose()


@dataclass
class CaseHarness:
    client: Client
    task_queue: str
    sessions: sessionmaker[Session]
    deps: WorkerDeps


#: The master key the suite's worker seals code emails under; the e2e web process is
#: configured with it too, as a deployment's processes share theirs.
TEST_MASTER_KEY_ID = "suite"
TEST_MASTER_KEY = bytes(range(32))
TEST_MAIL_SEAL = TextSeal(TEST_MASTER_KEY_ID, {TEST_MASTER_KEY_ID: TEST_MASTER_KEY})


def make_deps(sessions: sessionmaker[Session], policy: Policy) -> WorkerDeps:
    """The worker's dependencies as shipped: the shipped help articles indexed."""
    knowledge = KnowledgeBase(
        sessions, policy_placeholders(policy), embed=shared_embedder().embed
    )
    knowledge.sync_from_dir(DEFAULT_ARTICLES)
    return WorkerDeps(
        sessions=sessions,
        shop=RetailActions(sessions, policy),
        codes=StoredCodes(sessions, seal=TEST_MAIL_SEAL),
        # Trained here, once per process, not inside the first turn's activity: the shipped
        # procedure's out-of-fold fits take minutes, the activity's timeout is 30 s.
        brain=OfflineBrain(shipped_model()),
        policy=policy,
        autonomous_categories=frozenset(c.value for c in HANDLED),
        knowledge=knowledge,
        consent=lambda customer_id: read_consent(sessions, customer_id),
        records=StoredCustomerRecords(sessions),
    )


@pytest.fixture
async def harness(
    temporal_env: WorkflowEnvironment, shop_sessions: sessionmaker[Session], policy: Policy
) -> AsyncIterator[CaseHarness]:
    task_queue = f"cases-{uuid.uuid4().hex[:8]}"
    deps = make_deps(shop_sessions, policy)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(
            temporal_env.client,
            deps,
            task_queue=task_queue,
            executor=executor,
            approval_keys=[public_bytes(TEST_APPROVAL_KEY)],
        )
        async with worker:
            yield CaseHarness(temporal_env.client, task_queue, shop_sessions, deps)
