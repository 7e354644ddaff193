"""The one interface every brain implements, and the data that crosses it."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field

from domain.dialogue import Category


class Entities(BaseModel):
    order_ids: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    zip: str | None = None
    item_ids: list[str] = Field(default_factory=list)
    item_names: list[str] = Field(default_factory=list)
    payment: str | None = None  # "credit_card" | "paypal" | "gift_card"
    cancel_reason: str | None = None


class TurnContext(BaseModel):
    """One customer message and just enough of the conversation to read it."""

    text: str
    previous_category: Category | None = None
    awaiting: str | None = None  # the field the agent asked for last
    has_proposal: bool = False


class Understanding(BaseModel):
    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    wants_human: bool = False
    affirm: bool | None = None
    entities: Entities = Field(default_factory=Entities)
    rationale: str = ""


class ReplyRequest(BaseModel):
    """A decision and the facts it rests on; the reply may state nothing else."""

    step: str
    category: Category | None = None
    ask_for: str | None = None
    answer: str | None = None
    reasons: list[str] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    first_turn: bool = False


class Reply(BaseModel):
    text: str
    reason: str | None = None


class Brain(Protocol):
    name: str

    async def understand(self, turn: TurnContext) -> Understanding: ...

    async def compose(self, request: ReplyRequest) -> Reply: ...
