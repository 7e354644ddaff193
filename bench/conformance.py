"""τ²-retail conformance: Trustdesk's store and rules, side by side with the reference.

Three levels, all driven from here by `trustdesk bench conformance` and by
`tests/conformance`:

* Level 0 — importing the reference `db.json` and exporting it back gives the
  reference's own hash of its initial state.
* Level 1 — every gold task's actions are replayed through Trustdesk's actions
  (as a verified, confirming customer with a senior, four-eyes approval, so money
  limits never block) and through the reference tools on a fresh copy of the
  reference data. After every write both sides must agree on whether it failed
  and on the state of the orders and users it touched (money to the cent); reads
  with a Trustdesk equivalent are compared too, and at the end of a task shop-wide
  totals catch writes that strayed elsewhere.
* Level 2 — random action sequences, drawn against the current state so they
  reach paths the gold tasks never do, replayed the same way.

A divergence is *expected* when it is one of Trustdesk's deliberate, policy-correct
departures from the reference, and it is only classified so after checking: a
different end state must equal the reference's once its known defect is reproduced
on Trustdesk's state, and a refusal must meet the exact condition of the rule that
refused. After
any divergence the reference adopts Trustdesk's state of the entities involved,
so one difference is reported once rather than echoed by every later step.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.commands import (
    ActionCommand,
    Authorization,
    CancelOrder,
    ExchangeItems,
    ModifyItems,
    ModifyOrderAddress,
    ModifyOrderPayment,
    ModifyUserAddress,
    ReturnItems,
)
from domain.errors import TrustdeskError
from domain.money import ZERO, to_money
from domain.policy import Actor, Policy, Tier, load_policy
from store.actions import RetailActions
from store.db import make_engine, migrate, session_factory
from store.models import CustomerRow, OrderLineRow, OrderRow, PaymentMethodRow, TransactionRow
from store.tau2 import (
    ReferenceDataMissing,
    export_orders,
    export_retail_db,
    export_users,
    import_retail_db,
    load_reference_db,
    order_to_tau2,
    product_to_tau2,
    user_to_tau2,
)

if TYPE_CHECKING:
    from trustdesk.config import Settings

Json = dict[str, Any]
State = dict[str, dict[str, Json]]
"""The compared part of a shop: {"orders": {id: order}, "users": {id: user}}, money as Decimal."""

GOLD_TASKS = ("data", "tau2", "domains", "retail", "tasks.json")

WRITE_TOOLS = (
    "cancel_pending_order",
    "modify_pending_order_items",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_user_address",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
)
COMPARED_READS = (
    "find_user_id_by_email",
    "find_user_id_by_name_zip",
    "get_order_details",
    "get_user_details",
    "get_product_details",
)
_ITEM_LIST_TOOLS = (
    "modify_pending_order_items",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
)
_ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")

EXPECTED_MULTI_ITEM_MODIFY = (
    "the reference gives every modified line the last new variant's price and options; "
    "Trustdesk gives each line its own new variant's (policy-correct)"
)
EXPECTED_CANCEL_REFUNDS = (
    "the reference's cancel refunds every payment-history entry, earlier refunds included; "
    "Trustdesk refunds what each payment method still holds, never more than was paid"
)
EXPECTED_EMPTY_ITEMS = (
    "Trustdesk refuses an empty item list; the reference accepts it and changes the order "
    "without changing any item"
)


def conformance_authorization(customer_id: str | None) -> Authorization:
    """A verified, confirming customer with a senior, four-eyes approval: limits never block."""
    return Authorization(
        actor=Actor.CUSTOMER,
        customer_id=customer_id,
        identity_verified=True,
        confirmed=True,
        approved_tier=Tier.SENIOR_APPROVER,
        approved_by=("conformance-approver-1", "conformance-approver-2"),
    )


# --- the reference package, imported only when used ---------------------------------


def _tau2() -> Any:
    """The reference's retail module namespace; quiet about its missing `.env`."""
    try:
        from loguru import logger

        logger.disable("tau2")
    except ImportError:  # pragma: no cover - loguru comes with the tau2 extra
        pass
    try:
        from tau2.domains.retail import data_model, tools
        from tau2.utils import utils
    except ImportError as exc:
        raise ReferenceDataMissing(
            "the τ²-retail conformance needs the `tau2` extra (make install)"
        ) from exc

    return SimpleNamespace(
        RetailDB=data_model.RetailDB,
        Order=data_model.Order,
        User=data_model.User,
        RetailTools=tools.RetailTools,
        get_dict_hash=utils.get_dict_hash,
    )


def load_gold_tasks() -> list[Json]:
    """The reference's retail tasks with their gold actions."""
    try:
        path = resources.files("tau2").joinpath(*GOLD_TASKS)
    except ModuleNotFoundError as exc:
        raise ReferenceDataMissing("the τ²-retail tasks need the `tau2` extra") from exc
    with path.open("r", encoding="utf-8") as handle:
        tasks: list[Json] = json.load(handle)
    return tasks


def reference_hash(data: Json) -> str:
    """The reference's own hash of a retail document (as `RetailDB.get_hash()`)."""
    tau2 = _tau2()
    return str(tau2.RetailDB.model_validate(data).get_hash())


def dict_hash(data: Json) -> str:
    """τ²'s hash of a plain document: sha256 of its key-sorted JSON."""
    return str(_tau2().get_dict_hash(data))


# --- comparing ------------------------------------------------------------------------


def normalise(value: Any) -> Any:
    """Plain JSON data with every float (all money here) as a cent-exact `Decimal`."""
    if isinstance(value, BaseModel):
        return normalise(value.model_dump())
    if isinstance(value, Mapping):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, float):
        return to_money(value)
    return value


def _denormalise(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _denormalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_denormalise(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def differences(trustdesk: Any, reference: Any, path: str = "", limit: int = 8) -> list[str]:
    """Where two normalised values differ, as `path: Trustdesk … ≠ reference …` lines."""
    found: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in list(a) + [k for k in b if k not in a]:
                inner = f"{where}.{key}" if where else str(key)
                if key not in a or key not in b:
                    side = "Trustdesk" if key in a else "reference"
                    found.append(f"{inner}: only in {side}")
                else:
                    walk(a[key], b[key], inner)
            return
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{index}]")
            return
        found.append(f"{where}: Trustdesk {_short(a)} ≠ reference {_short(b)}")

    walk(trustdesk, reference, path)
    return found


def _short(value: Any) -> str:
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class Call:
    """One tool call in the reference's vocabulary."""

    name: str
    arguments: Mapping[str, Any]
    label: str

    def describe(self) -> str:
        return f"{self.name}({json.dumps(self.arguments, sort_keys=True)})"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None
    error: str | None = None
    invalid: bool = False
    crashed: bool = False

    def describe(self) -> str:
        return "succeeded" if self.ok else f"failed ({self.error})"


@dataclass(frozen=True)
class Divergence:
    scope: str
    label: str
    tool: str
    kind: str
    detail: str
    expected: str | None = None

    def describe(self) -> str:
        verdict = f"EXPECTED — {self.expected}" if self.expected else "UNEXPECTED"
        return f"{self.scope} {self.label} {self.tool} [{self.kind}] {self.detail}\n    {verdict}"


# --- the two sides --------------------------------------------------------------------


def command_for(tool: str, arguments: Mapping[str, Any]) -> ActionCommand:
    """The Trustdesk command for a reference write tool; pydantic validates it."""
    args = dict(arguments)
    address = {"address": {k: args.get(k) for k in _ADDRESS_FIELDS}}
    match tool:
        case "cancel_pending_order":
            return CancelOrder.model_validate(
                {"order_id": args.get("order_id"), "reason": args.get("reason")}
            )
        case "modify_pending_order_items":
            return ModifyItems.model_validate(
                {
                    k: args.get(k)
                    for k in ("order_id", "item_ids", "new_item_ids", "payment_method_id")
                }
            )
        case "modify_pending_order_address":
            return ModifyOrderAddress.model_validate({"order_id": args.get("order_id"), **address})
        case "modify_pending_order_payment":
            return ModifyOrderPayment.model_validate(
                {
                    "order_id": args.get("order_id"),
                    "payment_method_id": args.get("payment_method_id"),
                }
            )
        case "modify_user_address":
            return ModifyUserAddress.model_validate({"customer_id": args.get("user_id"), **address})
        case "return_delivered_order_items":
            return ReturnItems.model_validate(
                {k: args.get(k) for k in ("order_id", "item_ids", "payment_method_id")}
            )
        case "exchange_delivered_order_items":
            return ExchangeItems.model_validate(
                {
                    k: args.get(k)
                    for k in ("order_id", "item_ids", "new_item_ids", "payment_method_id")
                }
            )
    raise ValueError(f"{tool} is not a write tool")


class ReferenceData:
    """The reference's data validated once, shared by every `ReferenceSide` made from it."""

    def __init__(self, data: Json) -> None:
        self.db: Any = _tau2().RetailDB.model_validate(data)
        self.variants: dict[str, Json] = {
            item: normalise(v) for p in self.db.products.values() for item, v in p.variants.items()
        }


class ReferenceSide:
    """The reference tools over their own copy of the data."""

    def __init__(self, base: ReferenceData) -> None:
        tau2 = _tau2()
        self._tau2 = tau2
        # Copy on write: the dictionaries are this side's own, and every order or
        # user a call may change is deep-copied before the call (see `isolate`);
        # the catalogue is never written by any tool.
        self.db: Any = tau2.RetailDB.model_construct(
            products=base.db.products, users=dict(base.db.users), orders=dict(base.db.orders)
        )
        self.tools: Any = tau2.RetailTools(self.db)
        self._base = base
        self._own: set[tuple[str, str]] = set()

    def isolate(self, order_ids: Sequence[str], user_ids: Sequence[str]) -> None:
        """Give this side private copies of these orders and users before they change."""
        for kind, ids, table in (
            ("order", order_ids, self.db.orders),
            ("user", user_ids, self.db.users),
        ):
            for entity_id in ids:
                if entity_id in table and (kind, entity_id) not in self._own:
                    table[entity_id] = table[entity_id].model_copy(deep=True)
                    self._own.add((kind, entity_id))

    def call(self, tool: str, arguments: Mapping[str, Any]) -> Outcome:
        try:
            value = getattr(self.tools, tool)(**copy.deepcopy(dict(arguments)))
        except Exception as exc:  # noqa: BLE001 - the reference reports refusals as exceptions
            return Outcome(False, error=f"{type(exc).__name__}: {exc}")
        return Outcome(True, value=normalise(value))

    def owner_of(self, order_id: str) -> str | None:
        order = self.db.orders.get(order_id)
        return None if order is None else str(order.user_id)

    def variant(self, item_id: str) -> Json | None:
        """A catalogue variant by item id, normalised."""
        return self._base.variants.get(item_id)

    def state(self, order_ids: Sequence[str], user_ids: Sequence[str]) -> State:
        return {
            "orders": {o: normalise(self.db.orders[o]) for o in order_ids if o in self.db.orders},
            "users": {u: normalise(self.db.users[u]) for u in user_ids if u in self.db.users},
        }

    def adopt(self, state: State) -> None:
        """Take over another side's state of these orders and users."""
        for order_id, order in state["orders"].items():
            self.db.orders[order_id] = self._tau2.Order.model_validate(_denormalise(order))
            self._own.add(("order", order_id))
        for user_id, user in state["users"].items():
            self.db.users[user_id] = self._tau2.User.model_validate(_denormalise(user))
            self._own.add(("user", user_id))

    def totals(self) -> dict[str, str]:
        statuses: Counter[str] = Counter()
        kinds: dict[str, tuple[int, Decimal]] = {}
        lines, line_sum, gift = 0, ZERO, ZERO
        addresses: list[list[str]] = []
        for order in self.db.orders.values():
            statuses[order.status] += 1
            for t in order.payment_history:
                count, total = kinds.get(t.transaction_type, (0, ZERO))
                kinds[t.transaction_type] = (count + 1, total + to_money(t.amount))
            lines += len(order.items)
            line_sum += sum((to_money(i.price) for i in order.items), ZERO)
            addresses.append(["order", order.order_id, *_address_list(order.address)])
        for user in self.db.users.values():
            for method in user.payment_methods.values():
                if method.source == "gift_card":
                    gift += to_money(method.balance)
            addresses.append(["user", user.user_id, *_address_list(user.address)])
        return _totals(statuses, kinds, lines, line_sum, gift, addresses)


def _address_list(address: Any) -> list[str]:
    return [str(getattr(address, k)) for k in _ADDRESS_FIELDS]


def _totals(
    statuses: Mapping[str, int],
    kinds: Mapping[str, tuple[int, Decimal]],
    lines: int,
    line_sum: Decimal,
    gift: Decimal,
    addresses: list[list[str]],
) -> dict[str, str]:
    out = {f"orders {status}": str(n) for status, n in sorted(statuses.items())}
    out.update(
        {
            f"{kind} entries": f"{n} totalling {to_money(s)}"
            for kind, (n, s) in sorted(kinds.items())
        }
    )
    out["order lines"] = f"{lines} totalling {to_money(line_sum)}"
    out["gift card balances"] = str(to_money(gift))
    digest = hashlib.sha256(json.dumps(sorted(addresses)).encode()).hexdigest()[:16]
    out["addresses digest"] = digest
    return out


class TrustdeskSide:
    """Trustdesk's `RetailActions` over a store."""

    def __init__(self, sessions: sessionmaker[Session], policy: Policy) -> None:
        self.sessions = sessions
        self.actions = RetailActions(sessions, policy)

    def write(
        self, tool: str, arguments: Mapping[str, Any], *, key: str, owner: str | None
    ) -> Outcome:
        try:
            command = command_for(tool, arguments)
        except ValidationError as exc:
            return Outcome(False, error=f"invalid: {exc.errors()[0]['msg']}", invalid=True)
        try:
            result = self.actions.execute(
                command, idempotency_key=key, authorization=conformance_authorization(owner)
            )
        except TrustdeskError as exc:
            return Outcome(False, error=f"{exc.code}: {exc}")
        except Exception as exc:  # noqa: BLE001 - anything else is a Trustdesk bug to report
            return Outcome(False, error=f"{type(exc).__name__}: {exc}", crashed=True)
        return Outcome(True, value=result.summary)

    def read(self, tool: str, arguments: Mapping[str, Any]) -> Outcome:
        a = self.actions
        args = dict(arguments)
        try:
            match tool:
                case "find_user_id_by_email":
                    value: Any = a.find_customer_by_email(args["email"]).id
                case "find_user_id_by_name_zip":
                    value = a.find_customer_by_name_zip(
                        args["first_name"], args["last_name"], args["zip"]
                    ).id
                case "get_order_details":
                    value = order_to_tau2(a.get_order(args["order_id"]))
                case "get_user_details":
                    value = user_to_tau2(a.get_customer(args["user_id"]))
                case "get_product_details":
                    value = product_to_tau2(a.get_product(args["product_id"]))
                case _:
                    raise ValueError(f"{tool} has no Trustdesk equivalent")
        except TrustdeskError as exc:
            return Outcome(False, error=f"{exc.code}: {exc}")
        except Exception as exc:  # noqa: BLE001
            return Outcome(False, error=f"{type(exc).__name__}: {exc}", crashed=True)
        return Outcome(True, value=normalise(value))

    def state(self, order_ids: Sequence[str], user_ids: Sequence[str]) -> State:
        with self.sessions() as session:
            return {
                "orders": normalise(export_orders(session, order_ids)) if order_ids else {},
                "users": normalise(export_users(session, user_ids)) if user_ids else {},
            }

    def totals(self) -> dict[str, str]:
        with self.sessions() as session:
            statuses = {
                str(s): int(n)
                for s, n in session.execute(
                    select(OrderRow.status, func.count()).group_by(OrderRow.status)
                )
            }
            kinds = {
                str(k): (int(n), total or ZERO)
                for k, n, total in session.execute(
                    select(
                        TransactionRow.kind, func.count(), func.sum(TransactionRow.amount)
                    ).group_by(TransactionRow.kind)
                )
            }
            lines, line_sum = session.execute(
                select(func.count(), func.sum(OrderLineRow.price))
            ).one()
            gift = session.scalar(
                select(func.sum(PaymentMethodRow.balance)).where(
                    PaymentMethodRow.kind == "gift_card"
                )
            )
            columns = [getattr(OrderRow, k) for k in _ADDRESS_FIELDS]
            addresses = [
                ["order", row[0], *row[1:]]
                for row in session.execute(select(OrderRow.id, *columns))
            ]
            columns = [getattr(CustomerRow, k) for k in _ADDRESS_FIELDS]
            addresses += [
                ["user", row[0], *row[1:]]
                for row in session.execute(select(CustomerRow.id, *columns))
            ]
        return _totals(statuses, kinds, int(lines), line_sum or ZERO, gift or ZERO, addresses)


# --- explaining divergences -----------------------------------------------------------


def explain_outcome(call: Call, reference: Outcome, trustdesk: Outcome) -> str | None:
    """The reason a failed-versus-succeeded mismatch is expected, or None."""
    if not reference.ok or trustdesk.ok:
        return None
    empty = any(call.arguments.get(k) == [] for k in ("item_ids", "new_item_ids"))
    if call.name in _ITEM_LIST_TOOLS and empty and trustdesk.invalid:
        return EXPECTED_EMPTY_ITEMS
    return None


def explain_state(
    call: Call,
    before: State,
    trustdesk: State,
    reference: State,
    variant: Callable[[str], Json | None],
) -> str | None:
    """The reason two end states may differ, found by reproducing the reference from Trustdesk's."""
    if call.name == "modify_pending_order_items":
        emulated = _last_variant_everywhere(call, before, trustdesk, variant)
        if emulated == reference:
            return EXPECTED_MULTI_ITEM_MODIFY
    if call.name == "cancel_pending_order":
        order_id = call.arguments["order_id"]
        emulated = _refund_every_entry(order_id, before, trustdesk)
        if emulated == reference and _nothing_held(trustdesk["orders"][order_id]):
            return EXPECTED_CANCEL_REFUNDS
    return None


def _last_variant_everywhere(
    call: Call, before: State, trustdesk: State, variant: Callable[[str], Json | None]
) -> State | None:
    """Trustdesk's state with the reference's defect: changed lines get the last variant's data."""
    order_id = call.arguments["order_id"]
    new_item_ids = call.arguments.get("new_item_ids") or []
    last = variant(new_item_ids[-1]) if new_item_ids else None
    if last is None or order_id not in before["orders"]:
        return None
    emulated = copy.deepcopy(trustdesk)
    old_items = before["orders"][order_id]["items"]
    new_items = emulated["orders"][order_id]["items"]
    for old, new in zip(old_items, new_items, strict=True):
        if old["item_id"] != new["item_id"]:
            new["price"] = last["price"]
            new["options"] = dict(last["options"])
    return emulated


def _refund_every_entry(order_id: str, before: State, trustdesk: State) -> State | None:
    """Trustdesk's state as the reference's cancel leaves it: one refund per earlier entry."""
    if order_id not in before["orders"]:
        return None
    history = before["orders"][order_id]["payment_history"]
    emulated = copy.deepcopy(trustdesk)
    emulated["orders"][order_id]["payment_history"] = copy.deepcopy(history) + [
        {
            "transaction_type": "refund",
            "amount": e["amount"],
            "payment_method_id": e["payment_method_id"],
        }
        for e in history
    ]
    user_id = before["orders"][order_id]["user_id"]
    user_before = before["users"][user_id]
    for method_id, method in emulated["users"][user_id]["payment_methods"].items():
        if method["source"] == "gift_card":
            credit = sum(
                (e["amount"] for e in history if e["payment_method_id"] == method_id), ZERO
            )
            method["balance"] = user_before["payment_methods"][method_id]["balance"] + credit
    return emulated


def _nothing_held(order: Json) -> bool:
    """Every payment method's payments and refunds on the order cancel out exactly."""
    held: dict[str, Decimal] = {}
    for entry in order["payment_history"]:
        sign = 1 if entry["transaction_type"] == "payment" else -1
        held[entry["payment_method_id"]] = (
            held.get(entry["payment_method_id"], ZERO) + sign * entry["amount"]
        )
    return all(amount == ZERO for amount in held.values())


# --- replaying ------------------------------------------------------------------------


class Replay:
    """Runs calls through both sides, comparing after each one."""

    def __init__(self, scope: str, reference: ReferenceSide, trustdesk: TrustdeskSide) -> None:
        self.scope = scope
        self.reference = reference
        self.trustdesk = trustdesk
        self.divergences: list[Divergence] = []
        self.calls: list[Call] = []
        self.writes = 0
        self.reads = 0
        self.outcomes: Counter[tuple[str, str]] = Counter()

    @property
    def unexpected(self) -> list[Divergence]:
        return [d for d in self.divergences if d.expected is None]

    def run(self, call: Call) -> None:
        self.calls.append(call)
        if call.name in WRITE_TOOLS:
            self._write(call)
        elif call.name in COMPARED_READS:
            self._read(call)

    def finish(self) -> None:
        """Compare shop-wide totals, to catch a write to something no call named."""
        found = differences(self.trustdesk.totals(), self.reference.totals())
        if found:
            self._record(Call("(end)", {}, "end"), "totals", "; ".join(found), None)

    def _record(self, call: Call, kind: str, detail: str, expected: str | None) -> None:
        self.divergences.append(
            Divergence(self.scope, call.label, call.name, kind, detail, expected)
        )

    def _touched(self, call: Call) -> tuple[list[str], list[str]]:
        orders: list[str] = []
        users: list[str] = []
        order_id = call.arguments.get("order_id")
        if isinstance(order_id, str) and (owner := self.reference.owner_of(order_id)):
            orders.append(order_id)
            users.append(owner)
        user_id = call.arguments.get("user_id")
        if isinstance(user_id, str) and user_id not in users:
            users.append(user_id)
        return orders, users

    def _write(self, call: Call) -> None:
        self.writes += 1
        orders, users = self._touched(call)
        owner = users[0] if users else None
        self.reference.isolate(orders, users)
        before = self.reference.state(orders, users)
        reference = self.reference.call(call.name, call.arguments)
        trustdesk = self.trustdesk.write(
            call.name, call.arguments, key=f"{self.scope}:{call.label}", owner=owner
        )
        reference_after = self.reference.state(orders, users)
        trustdesk_after = self.trustdesk.state(orders, users)
        self.outcomes[(call.name, _outcome_word(trustdesk))] += 1
        found = differences(trustdesk_after, reference_after)
        if trustdesk.crashed:
            self._record(call, "crash", f"Trustdesk {trustdesk.describe()}", None)
        elif reference.ok != trustdesk.ok:
            detail = f"reference {reference.describe()}, Trustdesk {trustdesk.describe()}"
            reason = explain_outcome(call, reference, trustdesk)
            self._record(call, "outcome", detail, reason)
        elif found:
            reason = explain_state(
                call, before, trustdesk_after, reference_after, self.reference.variant
            )
            self._record(call, "state", "; ".join(found), reason)
        if found:
            self.reference.adopt(trustdesk_after)

    def _read(self, call: Call) -> None:
        self.reads += 1
        reference = self.reference.call(call.name, call.arguments)
        trustdesk = self.trustdesk.read(call.name, call.arguments)
        if reference.ok != trustdesk.ok or trustdesk.crashed:
            detail = f"reference {reference.describe()}, Trustdesk {trustdesk.describe()}"
            self._record(call, "read", detail, None)
        elif reference.ok and reference.value != trustdesk.value:
            found = differences(trustdesk.value, reference.value, path="result")
            self._record(call, "read", "; ".join(found), None)


def _outcome_word(outcome: Outcome) -> str:
    if outcome.ok:
        return "ok"
    return "invalid" if outcome.invalid else (outcome.error or "").split(":", 1)[0]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_store_template(path: Path, data: Json) -> Path:
    """A migrated SQLite store holding `data`, closed and checkpointed so it can be copied."""
    url = sqlite_url(path)
    migrate(url)
    engine = make_engine(url)
    try:
        import_retail_db(session_factory(engine), data)
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _fast_sqlite(dbapi_conn: Any, _record: Any) -> None:
    # Scratch copies are thrown away after one replay: durability buys nothing here.
    dbapi_conn.execute("PRAGMA synchronous=OFF")


@contextmanager
def scratch_store(template: Path, workdir: Path) -> Iterator[sessionmaker[Session]]:
    """A throwaway copy of a template store."""
    target = workdir / f"scratch-{uuid.uuid4().hex}.db"
    shutil.copyfile(template, target)
    engine = make_engine(sqlite_url(target))
    event.listen(engine, "connect", _fast_sqlite)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True)
class StartingPoint:
    """Where every replay starts: a store template and the same data on the reference side."""

    template: Path
    reference: ReferenceData
    workdir: Path
    policy: Policy


def prepare_start(
    data: Json, workdir: Path, policy: Policy, name: str = "tau2-retail"
) -> StartingPoint:
    template = build_store_template(workdir / f"{name}.db", data)
    return StartingPoint(template, ReferenceData(data), workdir, policy)


@contextmanager
def fresh_replay(start: StartingPoint, scope: str) -> Iterator[Replay]:
    """A replay on fresh copies of both sides; shop-wide totals are compared at the end."""
    with scratch_store(start.template, start.workdir) as sessions:
        replay = Replay(
            scope, ReferenceSide(start.reference), TrustdeskSide(sessions, start.policy)
        )
        yield replay
        replay.finish()


def replay_calls(start: StartingPoint, calls: Sequence[Call], scope: str) -> Replay:
    """Replay these calls on fresh copies of both sides."""
    with fresh_replay(start, scope) as replay:
        for call in calls:
            replay.run(call)
    return replay


# --- level 0 --------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTrip:
    trustdesk_hash: str
    reference_hash: str

    @property
    def ok(self) -> bool:
        return self.trustdesk_hash == self.reference_hash


def check_round_trip(sessions: sessionmaker[Session], data: Json) -> RoundTrip:
    """Export a store that holds `data` and hash it the reference's way."""
    return RoundTrip(dict_hash(export_retail_db(sessions)), reference_hash(data))


# --- level 1 --------------------------------------------------------------------------


@dataclass
class GoldReport:
    replays: list[Replay] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.replays)

    @property
    def matched(self) -> int:
        return sum(1 for r in self.replays if not r.divergences)

    @property
    def divergences(self) -> list[Divergence]:
        return [d for r in self.replays for d in r.divergences]

    @property
    def unexpected(self) -> list[Divergence]:
        return [d for d in self.divergences if d.expected is None]

    @property
    def writes(self) -> int:
        return sum(r.writes for r in self.replays)

    @property
    def reads(self) -> int:
        return sum(r.reads for r in self.replays)


def gold_calls(task: Json) -> list[Call]:
    return [
        Call(a["name"], a.get("arguments") or {}, str(a.get("action_id", i)))
        for i, a in enumerate(task["evaluation_criteria"].get("actions") or [])
    ]


def replay_gold_task(task: Json, start: StartingPoint) -> Replay:
    """Replay one task's gold actions on fresh copies of both sides."""
    return replay_calls(start, gold_calls(task), scope=f"task {task['id']}")


def replay_gold_tasks(tasks: Sequence[Json], start: StartingPoint) -> GoldReport:
    return GoldReport([replay_gold_task(task, start) for task in tasks])


# --- level 2 --------------------------------------------------------------------------

_T = TypeVar("_T")


class Picker(Protocol):
    """Chooses one of the options: `random.Random.choice`, or a hypothesis draw."""

    def __call__(self, options: Sequence[_T], /) -> _T: ...


UNKNOWN_ORDER = "#W0000000"
UNKNOWN_USER = "nobody_0000"
UNKNOWN_ITEM = "0000000000"
UNKNOWN_METHOD = "credit_card_0000000"
RANDOM_REASONS = ("no longer needed", "ordered by mistake", "found it cheaper elsewhere")
RANDOM_ADDRESSES: tuple[dict[str, str], ...] = (
    {
        "address1": "1 Conformance Way",
        "address2": "",
        "city": "Springfield",
        "state": "IL",
        "country": "USA",
        "zip": "62701",
    },
    {
        "address1": "77 Harbor Street",
        "address2": "Apt 4",
        "city": "Portland",
        "state": "ME",
        "country": "USA",
        "zip": "04101",
    },
)
_TOOLS_BY_STATUS = {
    "pending": (
        "cancel_pending_order",
        "modify_pending_order_items",
        "modify_pending_order_address",
        "modify_pending_order_payment",
    ),
    "pending (item modified)": ("modify_pending_order_address", "modify_pending_order_payment"),
    "delivered": ("return_delivered_order_items", "exchange_delivered_order_items"),
}


def choose_pool(data: Json, per_trait: int = 2) -> tuple[str, ...]:
    """A deterministic handful of users whose orders reach every write path."""
    users: Mapping[str, Json] = data["users"]
    orders: Mapping[str, Json] = data["orders"]

    def has_order(user: Json, status: str, min_items: int = 1, same_product: bool = False) -> bool:
        for order_id in user["orders"]:
            order = orders[order_id]
            products = [i["product_id"] for i in order["items"]]
            fits = order["status"] == status and len(products) >= min_items
            if fits and (not same_product or len(set(products)) < len(products)):
                return True
        return False

    def gift(user: Json) -> bool:
        return any(m["source"] == "gift_card" for m in user["payment_methods"].values())

    def can_switch_to_gift_card(user: Json) -> bool:
        balances = [m["balance"] for m in user["payment_methods"].values() if "balance" in m]
        return any(
            orders[o]["status"] == "pending"
            and orders[o]["payment_history"][0]["amount"] < max(balances, default=0)
            and len(user["payment_methods"]) >= 2
            for o in user["orders"]
        )

    traits: list[Callable[[Json], bool]] = [
        lambda u: has_order(u, "pending", 2) and gift(u),
        lambda u: has_order(u, "pending", 2) and not gift(u),
        lambda u: has_order(u, "pending", 2, same_product=True),
        lambda u: has_order(u, "delivered", 2) and gift(u),
        lambda u: has_order(u, "delivered", 2, same_product=True),
        lambda u: has_order(u, "delivered") and has_order(u, "pending") and gift(u),
        lambda u: has_order(u, "processed") or has_order(u, "cancelled"),
        lambda u: has_order(u, "pending") and len(u["payment_methods"]) >= 3,
        can_switch_to_gift_card,
    ]
    pool: list[str] = []
    for trait in traits:
        matching = [uid for uid, user in users.items() if uid not in pool and trait(user)]
        pool.extend(matching[:per_trait])
    return tuple(pool)


def subset_data(data: Json, user_ids: Sequence[str]) -> Json:
    """The whole catalogue with only these users and their orders."""
    users = {uid: data["users"][uid] for uid in user_ids}
    orders = {oid: data["orders"][oid] for u in users.values() for oid in u["orders"]}
    return copy.deepcopy({"products": data["products"], "users": users, "orders": orders})


@dataclass(frozen=True)
class RandomWorld:
    """What random sequences run against: a few users' orders and the whole catalogue."""

    start: StartingPoint
    pool: tuple[str, ...]


def prepare_random_world(data: Json, workdir: Path, policy: Policy) -> RandomWorld:
    pool = choose_pool(data)
    start = prepare_start(subset_data(data, pool), workdir, policy, name="random-sequences")
    return RandomWorld(start, pool)


def draw_call(
    pick: Picker, reference: ReferenceSide, pool: Sequence[str], previous: Call | None, label: str
) -> Call:
    """One random write, drawn against the reference's current state.

    Half the time it is about the same order as the previous call, so sequences
    such as "change the payment method, then cancel" come up.
    """
    db = reference.db
    previous_order = previous.arguments.get("order_id") if previous else None
    previous_owner = reference.owner_of(previous_order) if isinstance(previous_order, str) else None
    if previous_owner is not None and pick([True, False]):
        user = db.users[previous_owner]
        order_id = str(previous_order)
    else:
        user = db.users[pick(pool)]
        own_orders = list(user.orders)
        order_id = pick([*own_orders, *own_orders, *own_orders, UNKNOWN_ORDER])
    order = db.orders.get(order_id)
    fitting = _TOOLS_BY_STATUS.get(order.status, ()) if order is not None else ()
    tool = pick([*fitting, *fitting, *fitting, *WRITE_TOOLS])
    if tool == "modify_user_address":
        user_id = pick([user.user_id, user.user_id, user.user_id, UNKNOWN_USER])
        return Call(tool, {"user_id": user_id, **pick(RANDOM_ADDRESSES)}, label)
    methods = [*user.payment_methods, *user.payment_methods, *user.payment_methods, UNKNOWN_METHOD]
    args: dict[str, Any] = {"order_id": order_id}
    if tool == "cancel_pending_order":
        args["reason"] = pick(RANDOM_REASONS)
    elif tool == "modify_pending_order_address":
        args.update(pick(RANDOM_ADDRESSES))
    elif tool == "modify_pending_order_payment":
        paid_with = (
            order.payment_history[0].payment_method_id if order and order.payment_history else None
        )
        others = [m for m in user.payment_methods if m != paid_with]
        args["payment_method_id"] = pick([*others, *others, *methods])
    else:
        items = _draw_items(pick, order)
        args["item_ids"] = items
        if tool != "return_delivered_order_items":
            args["new_item_ids"] = [_draw_replacement(pick, reference, order, i) for i in items]
        args["payment_method_id"] = pick(methods)
    return Call(tool, args, label)


def _draw_items(pick: Picker, order: Any) -> list[str]:
    remaining = [line.item_id for line in order.items] if order is not None else []
    chosen: list[str] = []
    for _ in range(pick([0, 1, 1, 1, 2, 2, 2, 3])):
        item = pick([*remaining, *remaining, UNKNOWN_ITEM])
        if item in remaining:
            remaining.remove(item)
        chosen.append(item)
    return chosen


def _draw_replacement(pick: Picker, reference: ReferenceSide, order: Any, item_id: str) -> str:
    db = reference.db
    line = next((i for i in order.items if i.item_id == item_id), None) if order else None
    product_ids = sorted(db.products)
    product_id = line.product_id if line is not None else pick(product_ids)
    other = next(p for p in product_ids if p != product_id)
    variants = db.products[product_id].variants
    likely = [v for v, variant in variants.items() if variant.available and v != item_id]
    foreign = next(iter(db.products[other].variants))
    return str(pick([*likely, *likely, *likely, *variants, foreign]))


def replay_random_sequence(world: RandomWorld, pick: Picker, *, steps: int, scope: str) -> Replay:
    """Draw and replay `steps` random writes on fresh copies of both sides."""
    with fresh_replay(world.start, scope) as replay:
        previous: Call | None = None
        for step in range(steps):
            previous = draw_call(pick, replay.reference, world.pool, previous, f"step {step}")
            replay.run(previous)
    return replay


@dataclass
class RandomReport:
    replays: list[Replay] = field(default_factory=list)

    @property
    def divergences(self) -> list[Divergence]:
        return [d for r in self.replays for d in r.divergences]

    @property
    def unexpected(self) -> list[Divergence]:
        return [d for d in self.divergences if d.expected is None]

    @property
    def writes(self) -> int:
        return sum(r.writes for r in self.replays)


def replay_random_sequences(
    world: RandomWorld, *, sequences: int, seed: int, max_steps: int = 6
) -> RandomReport:
    """Seeded random sequences, without hypothesis (for the bench)."""
    rng = random.Random(seed)
    report = RandomReport()
    for n in range(sequences):
        steps = rng.randint(1, max_steps)
        report.replays.append(
            replay_random_sequence(world, rng.choice, steps=steps, scope=f"sequence {n}")
        )
    return report


# --- the bench ------------------------------------------------------------------------


def run_conformance_bench(
    settings: Settings | None = None,
    *,
    sequences: int = 300,
    seed: int = 20251122,
    out: TextIO | None = None,
) -> int:
    """Print the τ²-retail conformance report; 0 when every divergence is an expected one.

    Replays run on scratch SQLite copies in a temporary directory under the
    shipped default policy, never against the store `settings` points at.
    """
    out = out or sys.stdout
    try:
        data = load_reference_db()
        tasks = load_gold_tasks()
        _tau2()
    except ReferenceDataMissing as exc:
        print(f"cannot run the conformance bench: {exc}", file=out)
        return 2
    policy = load_policy()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trustdesk-conformance-") as tmp:
        workdir = Path(tmp)
        start = prepare_start(data, workdir, policy)
        engine = make_engine(sqlite_url(start.template))
        try:
            round_trip = check_round_trip(session_factory(engine), data)
        finally:
            engine.dispose()
        gold = replay_gold_tasks(tasks, start)
        world = prepare_random_world(data, workdir, policy)
        randoms = replay_random_sequences(world, sequences=sequences, seed=seed)
    return render_report(
        round_trip, gold, randoms, seed=seed, seconds=time.perf_counter() - started, out=out
    )


def render_report(
    round_trip: RoundTrip,
    gold: GoldReport,
    randoms: RandomReport,
    *,
    seed: int,
    seconds: float,
    out: TextIO,
) -> int:
    """Print the three levels; 0 when nothing unexpected diverged."""
    print("τ²-retail conformance", file=out)
    verdict = "identical" if round_trip.ok else "DIFFERENT"
    print(
        f"level 0: import → export hash {round_trip.trustdesk_hash[:16]}…, "
        f"reference {round_trip.reference_hash[:16]}… — {verdict}",
        file=out,
    )
    print(
        f"level 1: matched {gold.matched}/{gold.total} gold tasks "
        f"({gold.writes} writes and {gold.reads} reads compared)",
        file=out,
    )
    for divergence in gold.divergences:
        print(f"  {divergence.describe()}", file=out)
    print(
        f"level 2: {len(randoms.replays)} random sequences, {randoms.writes} writes "
        f"(seed {seed}): {len(randoms.divergences)} divergences, "
        f"{len(randoms.unexpected)} unexpected",
        file=out,
    )
    expected = Counter(d.expected for d in randoms.divergences if d.expected)
    for reason, count in expected.most_common():
        print(f"  {count}× EXPECTED — {reason}", file=out)
    for divergence in randoms.unexpected:
        print(f"  {divergence.describe()}", file=out)
    unexpected = len(gold.unexpected) + len(randoms.unexpected) + (0 if round_trip.ok else 1)
    status = "OK" if unexpected == 0 else "FAILED"
    print(f"{status}: {unexpected} unexpected divergence(s) in {seconds:.1f}s", file=out)
    return 0 if unexpected == 0 else 1
