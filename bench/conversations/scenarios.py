"""The suite: scripted conversations, each with its customer and its goal, read from YAML.

A scenario says who the customer is (the identity forms it can give, in order),
what it says first and what it answers when asked, and its goal: the exact change
the store must show afterwards (or none), whether a person must take over and
what the handoff record must hold, and facts the agent's answers must state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "heldout", "fresh", "unseen", "blind", "cold", "winter", "thaw")
DATASETS = ("demo", "tau2-retail")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Model):
    """One store change the customer asked for, as the store must show it afterwards.

    `order` or `user` names the entity; every other field is what must hold after:
    the order's status, the item ids returned or exchanged (a list, repeated ids for
    two lines of one item), the refund booked (`refund`, the sum of new refund
    transactions), the payment method of the refund or of the order, the new
    address (a subset of its fields) or the item ids that replace others.
    """

    action: Literal[
        "cancel",
        "return",
        "exchange",
        "modify_items",
        "order_address",
        "payment",
        "account_address",
    ]
    order: str | None = None
    user: str | None = None
    status: str | None = None
    items: list[str] = Field(default_factory=list)  # item ids the action covers
    item_names: list[str] = Field(default_factory=list)  # how a proposal must name them
    new_items: list[str] = Field(default_factory=list)
    refund: Decimal | None = None
    method: str | None = None
    address: dict[str, str] | None = None
    #: Words a proposal of this change must hold besides the items and the amount
    #: (the new address's values are always required), e.g. a card's last four digits.
    says: list[str] = Field(default_factory=list)


class Handoff(_Model):
    """What a correct handoff's record must hold."""

    category: str
    order: str | None = None
    language: str = "en"

    @field_validator("category")
    @classmethod
    def _a_topic(cls, value: str) -> str:
        # Asking for a person tells them nothing: no record could be filed under it.
        if value == "talk_to_human":
            raise ValueError(f"{value!r} is not a topic; name what the person takes over")
        return value


class Goal(_Model):
    changes: list[Change] = Field(default_factory=list)  # empty: the store must not change
    #: True: a person must take over; False: must not; None: either is fine (hostile ones).
    handoff: Handoff | bool | None = False
    #: Each entry is a set of alternatives; one of them must appear in an agent reply.
    facts: list[list[str]] = Field(default_factory=list)


class Answers(_Model):
    """What the scripted customer answers when the agent asks for it."""

    order: str | None = None
    items: list[str] = Field(default_factory=list)  # answers to "which item?", in turn
    reason: str = "I don't need it anymore"
    address: str | None = None
    payment: str | None = None
    option: str | None = None
    resolution: str = "I'd like it sorted out, a refund is fine"


class Scenario(_Model):
    id: str
    category: str
    style: str
    dataset: Literal["demo", "tau2-retail"] = "demo"
    #: Identity forms the customer gives when asked, one per request, in this order.
    identity: list[str] = Field(default_factory=list)
    #: The customer's own messages: the first opens the case; the others follow when the
    #: agent has answered and asks nothing.
    say: list[str] = Field(min_length=1)
    answers: Answers = Answers()
    #: Ask for a person at this turn (1-based customer message), or never.
    person_at: int | None = None
    #: Customers whose personal data the customer may legitimately see (its own).
    own: list[str] = Field(default_factory=list)
    goal: Goal
    split: Literal["dev", "heldout", "fresh", "unseen", "blind", "cold", "winter", "thaw"] = "dev"


def load_split(split: str) -> list[Scenario]:
    """The scenarios of one split, as the file holds them."""
    path = HERE / f"{split}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Scenario.model_validate({**item, "split": split}) for item in raw]


def load_suite(split: str = "dev", datasets: Iterable[str] = DATASETS) -> list[Scenario]:
    """The scenarios of `split` (one of `SPLITS`, or "all") in the given data sets."""
    splits: Sequence[str] = SPLITS if split == "all" else (split,)
    if any(s not in SPLITS for s in splits):
        raise ValueError(
            f"unknown split {split!r}; choose {', '.join(SPLITS)} or all"
        )
    wanted = set(datasets)
    scenarios = [s for name in splits for s in load_split(name) if s.dataset in wanted]
    ids = [s.id for s in scenarios]
    if len(ids) != len(set(ids)):
        raise ValueError("two scenarios share an id")
    return scenarios
