"""Level 2: random action sequences, and the paths gold tasks never take, through both sides."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import domain.turn
from bench.conformance import (
    EXPECTED_CANCEL_REFUNDS,
    EXPECTED_EMPTY_ITEMS,
    EXPECTED_MULTI_ITEM_MODIFY,
    Call,
    Replay,
    fresh_replay,
    replay_calls,
    replay_random_sequence,
    replay_random_sequences,
)
from domain.retail import OrderChange

T = TypeVar("T")
ADDRESS = {
    "address1": "5 Level Two Lane",
    "address2": "",
    "city": "Madison",
    "state": "WI",
    "country": "USA",
    "zip": "53703",
}


def describe(replay: Replay) -> str:
    calls = "\n".join(f"  {c.label}: {c.describe()}" for c in replay.calls)
    found = "\n".join(d.describe() for d in replay.unexpected)
    return f"calls:\n{calls}\nunexpected:\n{found}"


@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_sequences_diverge_only_as_expected(data: st.DataObject, random_world: Any) -> None:
    def pick(options: Sequence[T]) -> T:
        return data.draw(st.sampled_from(list(options)))

    steps = data.draw(st.integers(min_value=1, max_value=6), label="steps")
    replay = replay_random_sequence(random_world, pick, steps=steps, scope="hypothesis")

    assert not replay.unexpected, describe(replay)


def test_seeded_sequences_reach_every_write_and_known_divergence(random_world: Any) -> None:
    """The generator is not a no-op: each write succeeds somewhere, and is refused somewhere."""
    report = replay_random_sequences(random_world, sequences=100, seed=7)

    assert not report.unexpected, "\n".join(d.describe() for d in report.unexpected)
    outcomes = {key for replay in report.replays for key in replay.outcomes}
    tools = {tool for tool, _ in outcomes}
    assert len(tools) == 7
    for tool in tools:
        assert (tool, "ok") in outcomes, tool
        assert any(t == tool and word != "ok" for t, word in outcomes), tool
    reasons = {d.expected for d in report.divergences}
    assert {EXPECTED_EMPTY_ITEMS, EXPECTED_MULTI_ITEM_MODIFY} <= reasons


def test_seeded_sequences_catch_an_injected_bug(
    monkeypatch: pytest.MonkeyPatch, random_world: Any
) -> None:
    """The random level can fail: an exchange that forgets its payment method is caught."""
    real = domain.turn.plan_exchange

    def forgetful(*args: Any, **kwargs: Any) -> OrderChange:
        change = real(*args, **kwargs)
        return replace(change, fields={**change.fields, "exchange_payment_method_id": None})

    monkeypatch.setattr(domain.turn, "plan_exchange", forgetful)
    report = replay_random_sequences(random_world, sequences=40, seed=7)

    assert any(
        d.tool == "exchange_delivered_order_items" and "exchange_payment_method_id" in d.detail
        for d in report.unexpected
    )


# --- the paths, one at a time --------------------------------------------------------


def orders(data: dict[str, Any], status: str) -> Iterator[dict[str, Any]]:
    return (o for o in data["orders"].values() if o["status"] == status)


def cheaper_variant(data: dict[str, Any], line: dict[str, Any]) -> dict[str, Any] | None:
    variants = data["products"][line["product_id"]]["variants"].values()
    return next((v for v in variants if v["available"] and v["price"] < line["price"]), None)


def payer(order: dict[str, Any]) -> str:
    return str(order["payment_history"][0]["payment_method_id"])


def find_two_line_downgrade(data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A pending order with two lines of different products, each with a cheaper variant."""
    for order in orders(data, "pending"):
        lines = order["items"]
        for i, first in enumerate(lines):
            for second in lines[i + 1 :]:
                if first["product_id"] == second["product_id"]:
                    continue
                new = [cheaper_variant(data, first), cheaper_variant(data, second)]
                if new[0] and new[1] and new[0]["price"] != new[1]["price"]:
                    return order, [first, second, new[0], new[1]]
    raise LookupError("no such order in the reference data")


def modify(order: dict[str, Any], old: list[str], new: list[str], method: str) -> Call:
    arguments = {
        "order_id": order["order_id"],
        "item_ids": old,
        "new_item_ids": new,
        "payment_method_id": method,
    }
    return Call("modify_pending_order_items", arguments, "modify")


def test_modifying_two_lines_diverges_only_in_the_reference_defect(
    start: Any, reference_data: dict[str, Any]
) -> None:
    order, (first, second, new_first, new_second) = find_two_line_downgrade(reference_data)
    call = modify(
        order,
        [first["item_id"], second["item_id"]],
        [new_first["item_id"], new_second["item_id"]],
        payer(order),
    )
    replay = replay_calls(start, [call], scope="two lines")

    assert [(d.kind, d.expected) for d in replay.divergences] == [
        ("state", EXPECTED_MULTI_ITEM_MODIFY)
    ]


def test_modifying_one_line_matches(start: Any, reference_data: dict[str, Any]) -> None:
    order, (first, _, new_first, _) = find_two_line_downgrade(reference_data)
    call = modify(order, [first["item_id"]], [new_first["item_id"]], payer(order))
    replay = replay_calls(start, [call], scope="one line")

    assert replay.divergences == []
    assert replay.outcomes[("modify_pending_order_items", "ok")] == 1


def test_refunding_a_difference_to_a_card_that_paid_nothing_matches(
    start: Any, reference_data: dict[str, Any]
) -> None:
    for order in orders(reference_data, "pending"):
        methods = reference_data["users"][order["user_id"]]["payment_methods"].values()
        other = next(
            (m["id"] for m in methods if m["source"] != "gift_card" and m["id"] != payer(order)),
            None,
        )
        new = cheaper_variant(reference_data, order["items"][0])
        if other and new:
            break
    else:
        pytest.fail("no pending order with a cheaper variant and a second card")
    call = modify(order, [order["items"][0]["item_id"]], [new["item_id"]], other)
    replay = replay_calls(start, [call], scope="refund elsewhere")

    assert replay.divergences == []
    assert replay.outcomes[("modify_pending_order_items", "ok")] == 1


@pytest.mark.parametrize("first_payer", ["credit_card", "paypal", "gift_card"])
def test_cancel_after_a_payment_change_refunds_only_what_is_held(
    first_payer: str, start: Any, reference_data: dict[str, Any]
) -> None:
    for order in orders(reference_data, "pending"):
        user = reference_data["users"][order["user_id"]]
        methods = user["payment_methods"]
        if len(order["payment_history"]) != 1 or methods[payer(order)]["source"] != first_payer:
            continue
        other = next(
            (m for m in methods if m != payer(order) and "balance" not in methods[m]), None
        )
        if other:
            break
    else:
        pytest.skip(f"no pending order paid by {first_payer} whose owner has a card or PayPal")
    order_id = order["order_id"]
    calls = [
        Call(
            "modify_pending_order_payment",
            {"order_id": order_id, "payment_method_id": other},
            "pay",
        ),
        Call("modify_pending_order_address", {"order_id": order_id, **ADDRESS}, "ship"),
        Call(
            "cancel_pending_order", {"order_id": order_id, "reason": "no longer needed"}, "cancel"
        ),
    ]
    with fresh_replay(start, f"cancel after change from {first_payer}") as replay:
        for call in calls:
            replay.run(call)
        after = replay.trustdesk.state([order_id], [order["user_id"]])

    assert [(d.label, d.expected) for d in replay.divergences] == [
        ("cancel", EXPECTED_CANCEL_REFUNDS)
    ]
    history = after["orders"][order_id]["payment_history"]
    refunded = sum((e["amount"] for e in history if e["transaction_type"] == "refund"), Decimal(0))
    paid = sum((e["amount"] for e in history if e["transaction_type"] == "payment"), Decimal(0))
    assert refunded == paid
    if first_payer == "gift_card":
        balance = Decimal(str(methods[payer(order)]["balance"]))
        card = after["users"][order["user_id"]]["payment_methods"][payer(order)]
        assert card["balance"] == balance + Decimal(str(order["payment_history"][0]["amount"]))


@pytest.mark.parametrize(
    ("tool", "status"),
    [
        ("return_delivered_order_items", "delivered"),
        ("exchange_delivered_order_items", "delivered"),
        ("modify_pending_order_items", "pending"),
    ],
)
def test_an_empty_item_list_is_refused(
    tool: str, status: str, start: Any, reference_data: dict[str, Any]
) -> None:
    order = next(orders(reference_data, status))
    arguments: dict[str, Any] = {
        "order_id": order["order_id"],
        "item_ids": [],
        "payment_method_id": payer(order),
    }
    if tool != "return_delivered_order_items":
        arguments["new_item_ids"] = []
    with fresh_replay(start, f"empty {tool}") as replay:
        replay.run(Call(tool, arguments, "empty"))
        after = replay.trustdesk.state([order["order_id"]], [])

    assert [(d.kind, d.expected) for d in replay.divergences] == [("outcome", EXPECTED_EMPTY_ITEMS)]
    assert after["orders"][order["order_id"]]["status"] == status
