"""What the graph's activity nodes run with: the store, the brain, the policy, the clock.

The worker builds one `AgentDeps` and hands it to `build_support_graph(deps)`, which
binds the activity nodes to it (`graph.nodes.ActivityNodes`). Nothing reaches them
through a module-level slot, so two workers in one process (tests, benchmarks) each
run with their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from brain.base import Brain
from domain.consent import Consent
from domain.controls import OperatorControls
from domain.policy import Policy
from store.actions import RetailActions

if TYPE_CHECKING:  # the workflow sandbox imports this module: keep the search engine out
    from store.knowledge import KnowledgeBase
    from store.sealed import TextSeal


def _process_seal() -> TextSeal:
    from store.sealed import TextSeal  # not at import: the sandbox needs no cipher

    return TextSeal.random()


@dataclass(frozen=True)
class AgentDeps:
    """The worker's store, shop, brain, policy and clock, as the activity nodes use them."""

    sessions: sessionmaker[Session]
    shop: RetailActions
    brain: Brain
    policy: Policy
    autonomous_categories: frozenset[str]
    # Hashes one-time codes at rest (domain.identity.derive_code_key of the deployment's
    # secret); a random one when unset, so codes then hold within this process only.
    code_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    # Seals the emails that carry codes (`trustdesk.encryption.text_seal_for`); a key of
    # this process when unset, so only this process could then open them.
    mail_seal: TextSeal = field(default_factory=_process_seal)
    #: The shop's help articles (`KnowledgeBase.search`); None where a test needs none.
    knowledge: KnowledgeBase | None = None
    #: The operators' kill switches and canary shares as they are now (read each turn).
    controls: Callable[[], OperatorControls] = OperatorControls
    #: The wall clock activity nodes read (one-time codes' expiry); fixed in tests.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: The policy file's bytes as the worker loaded them: part of the policy version every
    #: decision records (`domain.controls.policy_version`).
    policy_text: bytes = b""
    #: A customer's consent flags as they are now (read when the profile is loaded).
    consent: Callable[[str], Consent] = field(default=lambda _customer_id: Consent())
