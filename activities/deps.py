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


_installed: AgentDeps | None = None


def install(deps: AgentDeps) -> None:
    global _installed
    _installed = deps


def current() -> AgentDeps:
    if _installed is None:
        raise RuntimeError(
            "the worker has not installed its dependencies (activities.deps.install)"
        )
    return _installed
