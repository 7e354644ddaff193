"""The dependencies activity code runs with, installed once by the worker process.

Graph nodes that run as activities are plain module-level functions (the LangGraph
plugin registers them by name), so they cannot take constructor arguments; they
reach the store and the brain through this one process-wide slot instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from brain.base import Brain
from domain.consent import Consent
from domain.controls import OperatorControls
from domain.policy import Policy
from store.actions import RetailActions

if TYPE_CHECKING:  # the workflow sandbox imports this module: keep the search engine out
    from store.knowledge import KnowledgeBase


@dataclass(frozen=True)
class AgentDeps:
    sessions: sessionmaker[Session]
    shop: RetailActions
    brain: Brain
    policy: Policy
    autonomous_categories: frozenset[str]
    # Hashes one-time codes at rest (domain.identity.derive_code_key of the deployment's
    # secret); a random one when unset, so codes then hold within this process only.
    code_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    #: The shop's help articles (`KnowledgeBase.search`); None where a test needs none.
    knowledge: KnowledgeBase | None = None
    #: The operators' kill switches and canary shares as they are now (read each turn).
    controls: Callable[[], OperatorControls] = OperatorControls
    #: The policy file's bytes as the worker loaded them: part of the policy version every
    #: decision records (`domain.controls.policy_version`).
    policy_text: bytes = b""
    #: A customer's consent flags as they are now (read when the profile is loaded).
    consent: Callable[[str], Consent] = lambda _customer_id: Consent()


_installed: AgentDeps | None = None


def install(deps: AgentDeps) -> None:
    global _installed
    _installed = deps


def current() -> AgentDeps:
    if _installed is None:
        raise RuntimeError("the worker has not installed its dependencies (activities.deps.install)")
    return _installed
