"""What the graph's activity nodes run with: the shop, the brain, the policy, the clock.

The worker builds one `AgentDeps` and hands it to `build_support_graph(deps)`, which
binds the activity nodes to it (`graph.nodes.ActivityNodes`). Nothing reaches them
through a module-level slot, so two workers in one process (tests, benchmarks) each
run with their own.

The graph never imports the store: what it reads and writes there comes through the
protocols below, which the store's classes meet (`store.actions.RetailActions`,
`store.knowledge.KnowledgeBase`, `store.one_time_codes.StoredCodes`) and test fakes can.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from brain.base import Brain
from domain.commands import ActionCommand, ActionResult, Authorization
from domain.consent import Consent, ConsentChange, EarlierCase
from domain.controls import OperatorControls
from domain.errors import NotFound
from domain.identity import CodeCheck, CodeRecipient, IdentityRules
from domain.knowledge import Passage
from domain.policy import Policy, PolicyDecision
from domain.retail import Customer, Order, OrderChange, Product


class Shop(Protocol):
    """The shop's reads, and its policy-checked writes applied once per idempotency key.
    Lookups raise `domain.errors.NotFound`; refused writes a `TrustdeskError`."""

    def find_customer_by_email(self, email: str) -> Customer: ...

    def find_customer_by_name_zip(
        self, first_name: str, last_name: str, zip_code: str
    ) -> Customer: ...

    def get_customer(self, customer_id: str) -> Customer: ...

    def get_order(self, order_id: str) -> Order: ...

    def get_product(self, product_id: str) -> Product: ...

    def list_products(self) -> list[Product]:
        """Every product the shop sells, with its versions (for catalog answers)."""
        ...

    def preview(
        self, command: ActionCommand, authorization: Authorization
    ) -> tuple[OrderChange | None, PolicyDecision]:
        """Plan `command` and rate it under the policy, writing nothing."""
        ...

    def execute(
        self, command: ActionCommand, *, idempotency_key: str, authorization: Authorization
    ) -> ActionResult:
        """Run `command` once per `idempotency_key` (a repeat returns the first result)."""
        ...


class KnowledgeSearch(Protocol):
    """The shop's help articles."""

    def search(self, question: str, limit: int = 3) -> list[Passage]:
        """The passages that answer `question`, best first."""
        ...

    def rank(self, question: str, limit: int = 3) -> list[Passage]:
        """The passages nearest `question`, best first, whether they answer it or not."""
        ...


class OneTimeCodes(Protocol):
    """The case's one-time codes: issued and mailed to the address on file, then checked."""

    def request(
        self,
        *,
        code_id: str,
        case_id: str,
        recipient: CodeRecipient | None,
        rules: IdentityRules,
        now: datetime,
    ) -> bool:
        """Issue the code `code_id` for the case and queue its email to `recipient` (none
        for an address without an account), once per id; False when the case has had all
        the codes it may."""
        ...

    def verify(self, *, case_id: str, typed: str, now: datetime) -> tuple[CodeCheck, str | None]:
        """How `typed` fares against the case's latest code, and whose account it opens."""
        ...


class CustomerRecords(Protocol):
    """What the agent reads and changes of a customer beyond the shop's own records."""

    def earlier_cases(self, customer_id: str, *, exclude: str) -> list[EarlierCase]:
        """The customer's other cases, newest first (read only with `past_cases` consent)."""
        ...

    def change_consent(
        self,
        customer_id: str,
        changes: Mapping[str, bool],
        *,
        actor: str,
        subject: str,
        idempotency_key: str,
        case_id: str | None = None,
        channel: str | None = None,
    ) -> ConsentChange:
        """Apply a consent change the customer asked for, once per `idempotency_key`."""
        ...


class _NoRecords:
    """For tests that need none: no earlier cases, and no consent change to make."""

    def earlier_cases(self, customer_id: str, *, exclude: str) -> list[EarlierCase]:
        return []

    def change_consent(self, *args: Any, **kwargs: Any) -> ConsentChange:
        raise NotFound("no customer records in this deployment")


@dataclass(frozen=True)
class AgentDeps:
    """The worker's shop, codes, brain, policy and clock, as the activity nodes use them."""

    shop: Shop
    #: One-time codes, hashed at rest under the deployment's key and mailed sealed.
    codes: OneTimeCodes
    brain: Brain
    policy: Policy
    autonomous_categories: frozenset[str]
    #: The shop's help articles; None where a test needs none.
    knowledge: KnowledgeSearch | None = None
    #: The operators' kill switches and canary shares as they are now (read each turn).
    controls: Callable[[], OperatorControls] = OperatorControls
    #: The wall clock activity nodes read (one-time codes' expiry); fixed in tests.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: The policy file's bytes as the worker loaded them: part of the policy version every
    #: decision records (`domain.controls.policy_version`).
    policy_text: bytes = b""
    #: A customer's consent flags as they are now (read when the profile is loaded).
    consent: Callable[[str], Consent] = field(default=lambda _customer_id: Consent())
    #: Earlier cases and consent changes (`store.consent.StoredCustomerRecords`).
    records: CustomerRecords = field(default_factory=_NoRecords)
