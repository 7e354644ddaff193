"""Level 1: every gold task of the reference, replayed through Trustdesk and the reference."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

import domain.turn
from bench.conformance import (
    COMPARED_READS,
    EXPECTED_MULTI_ITEM_MODIFY,
    WRITE_TOOLS,
    GoldReport,
    RandomReport,
    RoundTrip,
    fresh_replay,
    gold_calls,
    render_report,
    replay_gold_task,
)
from domain.errors import WrongOrderStatus
from domain.retail import OrderChange, Transaction, TransactionKind
from store.models import OrderRow

# The reference's multi-item modify defect shows in exactly these tasks.
MULTI_ITEM_TASKS = {"20", "21", "36", "37", "100"}


def task_ids_with(report: GoldReport, reason: str) -> set[str]:
    return {d.scope.removeprefix("task ") for d in report.divergences if d.expected == reason}


def describe(divergences: Sequence[Any]) -> str:
    return "\n".join(d.describe() for d in divergences)


def test_every_gold_task_matches_except_for_known_divergences(gold_report: GoldReport) -> None:
    assert gold_report.total == 114
    assert not gold_report.unexpected, describe(gold_report.unexpected)
    assert task_ids_with(gold_report, EXPECTED_MULTI_ITEM_MODIFY) == MULTI_ITEM_TASKS
    assert gold_report.matched == 114 - len(MULTI_ITEM_TASKS)


def test_every_write_and_comparable_read_was_replayed(
    gold_report: GoldReport, gold_tasks: list[dict[str, Any]]
) -> None:
    calls = [c for task in gold_tasks for c in gold_calls(task)]
    assert gold_report.writes == sum(1 for c in calls if c.name in WRITE_TOOLS) == 178
    assert gold_report.reads == sum(1 for c in calls if c.name in COMPARED_READS)
    succeeded = sum(
        r.outcomes[key] for r in gold_report.replays for key in r.outcomes if key[1] == "ok"
    )
    assert succeeded >= 170, "most gold writes succeed on both sides"


def test_the_multi_item_divergence_keeps_each_lines_own_price(
    gold_tasks: list[dict[str, Any]], start: Any
) -> None:
    task = next(t for t in gold_tasks if t["id"] == "20")
    modify = next(c for c in gold_calls(task) if c.name == "modify_pending_order_items")
    order_id = modify.arguments["order_id"]
    with fresh_replay(start, "task 20 again") as replay:
        for call in gold_calls(task):
            replay.run(call)
        lines = replay.trustdesk.state([order_id], [])["orders"][order_id]["items"]

    assert [d.expected for d in replay.divergences] == [EXPECTED_MULTI_ITEM_MODIFY]
    by_item = {line["item_id"]: line for line in lines}
    for new_item_id in modify.arguments["new_item_ids"]:
        variant = replay.reference.variant(new_item_id)
        assert variant is not None
        assert by_item[new_item_id]["price"] == variant["price"]
        assert by_item[new_item_id]["options"] == variant["options"]


def _task_with(gold_tasks: list[dict[str, Any]], tool: str) -> dict[str, Any]:
    return next(t for t in gold_tasks if any(c.name == tool for c in gold_calls(t)))


def test_a_wrong_refund_is_an_unexpected_divergence(
    monkeypatch: pytest.MonkeyPatch, gold_tasks: list[dict[str, Any]], start: Any
) -> None:
    """The harness can fail: a cancel that keeps one cent is caught."""
    real = domain.turn.plan_cancel

    def short_by_a_cent(*args: Any, **kwargs: Any) -> OrderChange:
        change = real(*args, **kwargs)
        first = change.transactions[0]
        short = Transaction(
            kind=TransactionKind.REFUND,
            amount=first.amount - Decimal("0.01"),
            payment_method_id=first.payment_method_id,
        )
        return replace(change, transactions=(short, *change.transactions[1:]))

    monkeypatch.setattr(domain.turn, "plan_cancel", short_by_a_cent)
    replay = replay_gold_task(_task_with(gold_tasks, "cancel_pending_order"), start)

    assert [d.kind for d in replay.unexpected][:1] == ["state"]
    assert "payment_history" in replay.unexpected[0].detail


def test_a_wrong_refusal_is_an_unexpected_divergence(
    monkeypatch: pytest.MonkeyPatch, gold_tasks: list[dict[str, Any]], start: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> OrderChange:
        raise WrongOrderStatus("refused on purpose")

    monkeypatch.setattr(domain.turn, "plan_modify_order_address", refuse)
    replay = replay_gold_task(_task_with(gold_tasks, "modify_pending_order_address"), start)

    assert replay.unexpected
    assert replay.unexpected[0].kind == "outcome"
    assert "refused on purpose" in replay.unexpected[0].detail


def test_a_write_to_an_order_nobody_named_shows_in_the_totals(start: Any) -> None:
    with fresh_replay(start, "stray write") as replay, replay.trustdesk.sessions() as session:
        session.execute(
            update(OrderRow).where(OrderRow.status == "processed").values(status="delivered")
        )
        session.commit()

    assert [d.kind for d in replay.unexpected] == ["totals"]
    assert "orders processed" in replay.unexpected[0].detail


def test_a_read_that_differs_is_an_unexpected_divergence(
    monkeypatch: pytest.MonkeyPatch, gold_tasks: list[dict[str, Any]], start: Any
) -> None:
    import bench.conformance as conformance

    real = conformance.order_to_tau2

    def wrong_status(order: Any) -> Mapping[str, Any]:
        return {**real(order), "status": "processed"}

    monkeypatch.setattr(conformance, "order_to_tau2", wrong_status)
    task = next(t for t in gold_tasks if any(c.name == "get_order_details" for c in gold_calls(t)))
    replay = replay_gold_task(task, start)

    assert any(d.kind == "read" and "result.status" in d.detail for d in replay.unexpected)


def test_the_report_prints_the_score_and_every_divergence(gold_report: GoldReport) -> None:
    out = io.StringIO()
    code = render_report(
        RoundTrip("a" * 64, "a" * 64), gold_report, RandomReport(), seed=1, seconds=1.0, out=out
    )
    text = out.getvalue()

    assert code == 0
    assert f"matched {gold_report.matched}/114" in text
    assert text.count("EXPECTED — ") == len(gold_report.divergences)
    assert "UNEXPECTED" not in text


def test_the_report_fails_on_a_different_round_trip(gold_report: GoldReport) -> None:
    out = io.StringIO()
    code = render_report(
        RoundTrip("a" * 64, "b" * 64), gold_report, RandomReport(), seed=1, seconds=1.0, out=out
    )

    assert code == 1
    assert "DIFFERENT" in out.getvalue()
