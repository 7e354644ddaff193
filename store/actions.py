"""The retail actions against the store: read operations, and writes applied exactly once.

Every write runs in one transaction that (1) looks up its idempotency key and
returns the first result if the key was used before, (2) locks the order and the
customer's payment methods, (3) plans the change with the pure rules of
`domain.retail`, (4) has the policy decide whether the given authorization
covers it, (5) writes the change, the idempotency record and an audit event, and
commits. A concurrent duplicate loses on the idempotency key's primary key and
gets the winner's result.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.commands import (
    ActionCommand,
    ActionResult,
    Authorization,
    ModifyUserAddress,
    ReceiveReturn,
    action_type,
)
from domain.errors import (
    ApprovalRequired,
    IdempotencyConflict,
    InsufficientGiftCardBalance,
    NotYourOrder,
    PolicyViolation,
    TrustdeskError,
)
from domain.money import ZERO
from domain.policy import (
    ActionRequest,
    Actor,
    Policy,
    PolicyDecision,
    Tier,
    evaluate_policy,
)
from domain.retail import (
    Customer,
    Order,
    OrderChange,
    Product,
    ReturnWindow,
)
from domain.turn import plan_change
from store.audit import append_event
from store.models import ActionRecordRow, OrderRow, PaymentMethodRow, TransactionRow, utcnow
from store.repository import method_of, order_of, set_address
from store.uow import UnitOfWork

_TIER_RANK = {Tier.AUTO: 0, Tier.APPROVER: 1, Tier.SENIOR_APPROVER: 2, Tier.FORBIDDEN: 3}


def check_authorization(decision: PolicyDecision, authorization: Authorization) -> None:
    """Raise unless `authorization` covers what the policy decided."""
    if not decision.allowed:
        raise PolicyViolation("; ".join(decision.reasons))
    if decision.tier is Tier.AUTO:
        return
    approved = authorization.approved_tier
    if approved is None or _TIER_RANK[approved] < _TIER_RANK[decision.tier]:
        raise ApprovalRequired("; ".join(decision.reasons))
    if decision.four_eyes and len(set(authorization.approved_by)) < 2:
        raise ApprovalRequired("two different approvers must approve this amount")


class RetailActions:
    """The shop's read operations and policy-checked, exactly-once write actions."""

    def __init__(self, sessions: sessionmaker[Session], policy: Policy) -> None:
        self.sessions = sessions
        self.policy = policy

    # --- reads ---------------------------------------------------------------------

    def find_customer_by_email(self, email: str) -> Customer:
        with UnitOfWork(self.sessions) as uow:
            return uow.shop.customer(uow.shop.find_customer_id_by_email(email))

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> Customer:
        with UnitOfWork(self.sessions) as uow:
            customer_id = uow.shop.find_customer_id_by_name_zip(first_name, last_name, zip_code)
            return uow.shop.customer(customer_id)

    def get_customer(self, customer_id: str) -> Customer:
        with UnitOfWork(self.sessions) as uow:
            return uow.shop.customer(customer_id)

    def get_order(self, order_id: str) -> Order:
        with UnitOfWork(self.sessions) as uow:
            return uow.shop.order(order_id)

    def get_orders_of(self, customer_id: str) -> list[Order]:
        with UnitOfWork(self.sessions) as uow:
            return list(uow.shop.orders_of(customer_id))

    def get_product(self, product_id: str) -> Product:
        with UnitOfWork(self.sessions) as uow:
            return uow.shop.product(product_id)

    def list_products(self) -> list[Product]:
        with UnitOfWork(self.sessions) as uow:
            return uow.shop.products()

    # --- planning without writing --------------------------------------------------

    def preview(
        self, command: ActionCommand, authorization: Authorization
    ) -> tuple[OrderChange | None, PolicyDecision]:
        """Plan an action and evaluate the policy for it, writing nothing."""
        with UnitOfWork(self.sessions) as uow:
            change, decision, _ = self._plan(uow, command, authorization, lock=False)
            return change, decision

    # --- writes --------------------------------------------------------------------

    def execute(
        self, command: ActionCommand, *, idempotency_key: str, authorization: Authorization
    ) -> ActionResult:
        """Run one write action exactly once per idempotency key."""
        if not idempotency_key or len(idempotency_key) > 200:
            raise ValueError("an idempotency key of 1 to 200 characters is required")
        fingerprint = command.fingerprint()
        with UnitOfWork(self.sessions) as uow:
            previous = uow.session.get(ActionRecordRow, idempotency_key)
            if previous is not None:
                return self._replayed(previous, command, fingerprint)
            try:
                result = self._apply(uow, command, idempotency_key, authorization)
            except TrustdeskError:
                # A concurrent duplicate may have committed while this one waited for the
                # order's lock; it then finds the order already changed. Answer with the
                # winner's result rather than with the refusal that followed from it.
                uow.rollback()
                previous = uow.session.get(ActionRecordRow, idempotency_key)
                if previous is None:
                    raise
                return self._replayed(previous, command, fingerprint)
            uow.session.add(
                ActionRecordRow(
                    idempotency_key=idempotency_key,
                    action=result.action,
                    fingerprint=fingerprint,
                    target_id=result.target_id,
                    result=result.model_dump(mode="json"),
                )
            )
            append_event(
                uow.session,
                kind="action.executed",
                actor=",".join(authorization.approved_by) or authorization.actor.value,
                payload={
                    "action": result.action.value,
                    "target": result.target_id,
                    "amount": str(result.amount),
                    "idempotency_key": idempotency_key,
                    "arguments": command.model_dump(mode="json"),
                    "policy_rules": list(result.policy_rules),
                },
            )
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()
                previous = uow.session.get(ActionRecordRow, idempotency_key)
                if previous is None:
                    raise
                return self._replayed(previous, command, fingerprint)
            return result

    def _replayed(
        self, record: ActionRecordRow, command: ActionCommand, fingerprint: str
    ) -> ActionResult:
        if record.fingerprint != fingerprint:
            raise IdempotencyConflict(
                f"idempotency key {record.idempotency_key} was already used for a different "
                f"{record.action} request"
            )
        return ActionResult.model_validate({**record.result, "replayed": True})

    def _plan(
        self, uow: UnitOfWork, command: ActionCommand, authorization: Authorization, *, lock: bool
    ) -> tuple[OrderChange | None, PolicyDecision, dict[str, Any]]:
        """Plan the change and decide on it; returns the rows to write when `lock`."""
        action = action_type(command)
        rows: dict[str, Any] = {}
        if isinstance(command, ModifyUserAddress):
            self._check_owner(command.customer_id, authorization)
            rows["customer"] = uow.shop.customer_row(command.customer_id, for_update=lock)
            change = None
            amount = ZERO
        else:
            order_row = uow.shop.order_row(command.order_id, for_update=lock)
            self._check_owner(order_row.customer_id, authorization)
            method_rows = uow.shop.payment_method_rows(order_row.customer_id, for_update=lock)
            rows["order"] = order_row
            rows["methods"] = {m.id: m for m in method_rows}
            change = self._plan_order(uow, command, order_of(order_row), method_rows)
            amount = change.amount
        decision = evaluate_policy(
            self.policy,
            ActionRequest(
                action=action,
                amount=amount,
                identity_verified=authorization.identity_verified,
                confirmed=authorization.confirmed,
                actor=authorization.actor,
            ),
        )
        return change, decision, rows

    def _plan_order(
        self,
        uow: UnitOfWork,
        command: ActionCommand,
        order: Order,
        method_rows: list[PaymentMethodRow],
    ) -> OrderChange:
        methods = {m.id: method_of(m) for m in method_rows}
        if isinstance(command, ReceiveReturn):
            catalogue = uow.shop.variants(order.exchange_new_items or ())
        else:
            catalogue = uow.shop.variants(getattr(command, "new_item_ids", ()))
        return plan_change(command, order, methods, catalogue, self._return_window())

    def _return_window(self) -> ReturnWindow:
        return ReturnWindow(self.policy.terms.return_window_days, utcnow().date())

    @staticmethod
    def _check_owner(customer_id: str, authorization: Authorization) -> None:
        if authorization.actor is Actor.CUSTOMER and authorization.customer_id != customer_id:
            raise NotYourOrder("that belongs to another customer than the one verified here")

    def _apply(
        self,
        uow: UnitOfWork,
        command: ActionCommand,
        idempotency_key: str,
        authorization: Authorization,
    ) -> ActionResult:
        change, decision, rows = self._plan(uow, command, authorization, lock=True)
        check_authorization(decision, authorization)
        if isinstance(command, ModifyUserAddress):
            set_address(rows["customer"], command.address)
            uow.session.flush()
            return ActionResult(
                action=action_type(command),
                idempotency_key=idempotency_key,
                target_id=command.customer_id,
                amount=ZERO,
                summary=f"set the account address to {command.address.one_line()}",
                policy_rules=decision.rules,
            )
        assert change is not None
        write_change(rows["order"], rows["methods"], change, idempotency_key)
        uow.session.flush()
        return ActionResult(
            action=action_type(command),
            idempotency_key=idempotency_key,
            target_id=change.order_id,
            amount=change.amount,
            summary=change.summary,
            status=change.status or rows["order"].status,
            transactions=change.transactions,
            policy_rules=decision.rules,
        )


def write_change(
    row: OrderRow, methods: dict[str, PaymentMethodRow], change: OrderChange, key: str | None
) -> None:
    """Write a planned change onto locked rows."""
    for method_id, delta in change.gift_card_deltas:
        method = methods[method_id]
        balance: Decimal = (method.balance or ZERO) + delta
        if balance < ZERO:
            raise InsufficientGiftCardBalance(f"gift card {method_id} would go below zero")
        method.balance = balance
    if change.status:
        row.status = change.status
    if change.address:
        set_address(row, change.address)
    for name, value in change.fields.items():
        setattr(row, name, list(value) if isinstance(value, tuple) else value)
    for update in change.line_updates:
        line = row.lines[update.index]
        line.item_id = update.variant.item_id
        line.price = update.variant.price
        line.options = dict(update.variant.options)
    start = len(row.transactions)
    for offset, t in enumerate(change.transactions):
        row.transactions.append(
            TransactionRow(
                position=start + offset,
                kind=t.kind.value,
                amount=t.amount,
                payment_method_id=t.payment_method_id,
                idempotency_key=key,
            )
        )
