"""SQLAlchemy 2 models of the shop and of Trustdesk's own records.

ORM rows live here only; the rest of Trustdesk sees the pydantic snapshots of
`domain.retail` (converted in `store.repository`). Money is stored as integer
cents (`MoneyCents`), exact on SQLite and PostgreSQL alike, and read back as
`Decimal`. Lists keep their order through explicit `position` columns, because
order lines, payment history and fulfillments are ordered facts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from domain.money import CENT, to_money


def utcnow() -> datetime:
    return datetime.now(UTC)


class MoneyCents(TypeDecorator[Decimal]):
    """A `Decimal` amount stored as a whole number of cents."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(to_money(value) / CENT)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) * CENT).quantize(CENT)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class _AddressColumns:
    address1: Mapped[str] = mapped_column(String(200), default="")
    address2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(50), default="")
    country: Mapped[str] = mapped_column(String(60), default="")
    zip: Mapped[str] = mapped_column(String(20), default="", index=True)


# --- the shop ---------------------------------------------------------------------------


class CustomerRow(_AddressColumns, Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payment_methods: Mapped[list[PaymentMethodRow]] = relationship(
        back_populates="customer", order_by="PaymentMethodRow.position"
    )
    orders: Mapped[list[OrderRow]] = relationship(
        back_populates="customer", order_by="OrderRow.customer_position"
    )


class PaymentMethodRow(Base):
    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(40))
    last_four: Mapped[str | None] = mapped_column(String(4))
    balance: Mapped[Decimal | None] = mapped_column(MoneyCents)

    customer: Mapped[CustomerRow] = relationship(back_populates="payment_methods")


class ProductRow(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    variants: Mapped[list[VariantRow]] = relationship(
        back_populates="product", order_by="VariantRow.position"
    )


class VariantRow(Base):
    __tablename__ = "variants"

    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    price: Mapped[Decimal] = mapped_column(MoneyCents)
    available: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[ProductRow] = relationship(back_populates="variants")


class OrderRow(_AddressColumns, Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    customer_position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(40), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(40))
    return_items: Mapped[list[Any] | None] = mapped_column(JSON)
    return_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    return_refund_limit: Mapped[Decimal | None] = mapped_column(MoneyCents)
    exchange_items: Mapped[list[Any] | None] = mapped_column(JSON)
    exchange_new_items: Mapped[list[Any] | None] = mapped_column(JSON)
    exchange_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    exchange_price_difference: Mapped[Decimal | None] = mapped_column(MoneyCents)
    #: The day the order reached the customer, when known; the return window counts from it.
    delivered_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[CustomerRow] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLineRow]] = relationship(
        order_by="OrderLineRow.position", cascade="all, delete-orphan"
    )
    fulfillments: Mapped[list[FulfillmentRow]] = relationship(
        order_by="FulfillmentRow.position", cascade="all, delete-orphan"
    )
    transactions: Mapped[list[TransactionRow]] = relationship(
        order_by="TransactionRow.position", cascade="all, delete-orphan"
    )


class OrderLineRow(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(MoneyCents)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)


class FulfillmentRow(Base):
    __tablename__ = "fulfillments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tracking_ids: Mapped[list[Any]] = mapped_column(JSON)
    item_ids: Mapped[list[Any]] = mapped_column(JSON)


class TransactionRow(Base):
    """One entry of an order's payment history: a payment or a refund."""

    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(MoneyCents)
    payment_method_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionRecordRow(Base):
    """The first result of every write action, keyed by its idempotency key."""

    __tablename__ = "action_records"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- cases and the people who review them --------------------------------------------


class CaseRow(Base):
    """The store's projection of a case workflow, for lists, the review UI and metrics."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(30), index=True)
    thread_id: Mapped[str] = mapped_column(String(150))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True)
    category: Mapped[str | None] = mapped_column(String(40))
    risk: Mapped[str | None] = mapped_column(String(10))
    amount: Mapped[Decimal | None] = mapped_column(MoneyCents)
    captured: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # Why the agent said it (the decision's first reason); tells a clarifying question
    # from a substantive reply on the metrics dashboard.
    reason: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalRow(Base):
    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(MoneyCents)
    tier: Mapped[str] = mapped_column(String(20))
    risk: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    decided_by: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_amount: Mapped[Decimal | None] = mapped_column(MoneyCents)
    note: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class AuditEventRow(Base):
    """A hash-chained record: each row's hash covers its content and the previous hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str | None] = mapped_column(String(250), unique=True)
    case_id: Mapped[str | None] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserRow(Base):
    """A person who signs in to the review UI."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    approval_limit: Mapped[Decimal | None] = mapped_column(MoneyCents)
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Tokens and review sessions carry the generation they were issued in; revoking them
    # all increments it (a counter, so no clock decides what a revocation covers).
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    role_rows: Mapped[list[UserRoleRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRoleRow.role"
    )

    @property
    def roles(self) -> list[str]:
        return [row.role for row in self.role_rows]


class UserRoleRow(Base):
    """One role a user holds; a user holds one or more."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class SignInFailureRow(Base):
    """A wrong password, counted by every web process (`store/sign_in_failures.py`)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(index=True)


class RevokedSessionRow(Base):
    """A review-UI session signed out before it expired: refused by every web process."""

    __tablename__ = "revoked_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)


class OneTimeCodeRow(Base):
    """A one-time code sent to the email on file (domain/identity.py): only its hash is kept.

    A row exists for every code asked for, also for an address with no account (then
    `customer_id` is empty and no code was sent), so both take the same path.
    """

    __tablename__ = "one_time_codes"

    id: Mapped[str] = mapped_column(String(250), primary_key=True)  # <case id>/code-<turn>
    case_id: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(100))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
    max_attempts: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SinkMailRow(Base):
    """An email the local mail sink kept instead of relaying it (`trustdesk up`'s default)."""

    __tablename__ = "mail_sink"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxRow(Base):
    """A reply waiting to reach the customer on their channel, delivered once per message id."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    case_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(30), index=True)
    thread_id: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
    # Delivery bookkeeping (store/outbox.py): when a pending row is next due, and which
    # dispatcher holds a row in "sending" until when (a crashed one's lease runs out).
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()


# --- channels ------------------------------------------------------------------------


class EmailMessageRow(Base):
    """One email of a conversation, by its RFC 5322 Message-ID: how replies find their case."""

    __tablename__ = "email_messages"

    message_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(150), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in" from the customer, "out" to them
    address: Mapped[str] = mapped_column(String(254))  # the customer's address
    subject: Mapped[str] = mapped_column(String(250), default="")
    # Attachments are recorded (name, type, size), never opened or stored.
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    outbox_message_id: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDeliveryRow(Base):
    """A webhook delivery already accepted, so a replayed one is refused."""

    __tablename__ = "webhook_deliveries"

    provider: Mapped[str] = mapped_column(String(30), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(150), index=True)
    sender: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class KnowledgeArticleRow(Base):
    """An article of the shop's knowledge base as written (placeholders kept)."""

    __tablename__ = "knowledge_articles"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))

    passages: Mapped[list[KnowledgePassageRow]] = relationship(
        order_by="KnowledgePassageRow.position", cascade="all, delete-orphan"
    )


class KnowledgePassageRow(Base):
    """One section of an article, placeholders filled: what the full-text index holds.

    The index is the migration's: an FTS5 table kept in step by triggers on SQLite, a
    generated `tsvector` column with a GIN index on PostgreSQL (`store.knowledge`).
    """

    __tablename__ = "knowledge_passages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(
        ForeignKey("knowledge_articles.slug", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    heading: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


# --- trust: customer ratings and operator controls ------------------------------------


class CsatRatingRow(Base):
    """A customer's one rating of a resolved case (1 to 5), from chat or an email link."""

    __tablename__ = "csat_ratings"

    case_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # "chat" or "email"
    rated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OperatorControlRow(Base):
    """An operator's setting for one category: switched off, or autonomous for a share."""

    __tablename__ = "operator_controls"

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    killed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Basis points (0-10000) of cases autonomous; None when the category is not on a canary.
    canary_basis_points: Mapped[int | None] = mapped_column(Integer)
    # Shadow mode: the agent drafts, a person sends or edits; the agent acts on nothing.
    shadow: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- privacy -------------------------------------------------------------------------


class CaseKeyRow(Base):
    """A case's data key, wrapped (AES-GCM) by a master key: every payload of the case's
    Temporal history is encrypted under it. Erasing the customer destroys `wrapped`
    (crypto-shredding), after which those histories cannot be read by anyone."""

    __tablename__ = "case_keys"

    key_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(200), index=True)
    master_key_id: Mapped[str] = mapped_column(String(40))
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shredded_at: Mapped[datetime | None] = mapped_column()


class CustomerConsentRow(Base):
    """What a customer agreed the agent may use beyond what a request needs. No row means
    the defaults (`domain.consent.Consent()`): nothing beyond the request."""

    __tablename__ = "customer_consents"

    customer_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    personalisation: Mapped[bool] = mapped_column(Boolean)
    marketing: Mapped[bool] = mapped_column(Boolean)
    past_cases: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
