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
    item_options: dict[str, str] = Field(default_factory=dict)  # option values named, e.g. size
    card_last_four: str | None = None  # "the card ending 4242"


class TurnContext(BaseModel):
    """One customer message and just enough of the conversation to read it."""

    text: str
    previous_category: Category | None = None
    awaiting: str | None = None  # the field the agent asked for last
    has_proposal: bool = False
    # The lines of the order under discussion (item_id, name, options), to match items against.
    order_lines: list[dict[str, Any]] = Field(default_factory=list)


class TokenUsage(BaseModel):
    """Tokens one model call spent, or a case's running total. The offline brain reports none."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0  # input read from the prompt cache (billed at a fraction)
    cache_creation_tokens: int = 0  # input written to the prompt cache

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_creation_tokens=self.cache_creation_tokens + other.cache_creation_tokens,
        )


class Understanding(BaseModel):
    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    wants_human: bool = False
    affirm: bool | None = None
    entities: Entities = Field(default_factory=Entities)
    rationale: str = ""
    usage: TokenUsage | None = None
    # The message's language (ISO 639-1, "en" unless detected otherwise).
    language: str = "en"
    # A request the shop's tools cannot serve (account recovery, invoices, ...): `category`
    # is then `other`, and the agent answers from knowledge or hands off, never acts.
    out_of_scope: bool = False


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
    usage: TokenUsage | None = None


class Brain(Protocol):
    name: str

    async def understand(self, turn: TurnContext) -> Understanding: ...

    async def compose(self, request: ReplyRequest) -> Reply: ...
