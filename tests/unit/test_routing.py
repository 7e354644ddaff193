"""Routing reads the turn's typed outcome and nothing else (graph.routing)."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.graph import END

from domain.turn import OutcomeKind
from graph import routing
from graph.state import CaseState


def turn(kind: OutcomeKind, **more: Any) -> CaseState:
    """A state whose read of turn 3 decided `kind`; the legacy records say otherwise, to
    show they are not what routing reads."""
    state: dict[str, Any] = {
        "turn": 3,
        "decided": {"turn": 3, "step": "answer"},
        "decision": {"step": "answer"},
        "outcome": "answer",
        "turn_outcome": {"kind": kind.value},
        **more,
    }
    return state  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "after_decide", "after_compose"),
    [
        (OutcomeKind.ASK, "compose_reply", END),
        (OutcomeKind.ANSWER, "compose_reply", END),
        (OutcomeKind.PROPOSE, "compose_reply", END),
        (OutcomeKind.REFUSE, "compose_reply", END),
        (OutcomeKind.ESCALATE, "compose_reply", END),
        (OutcomeKind.EXECUTE, "execute_action", END),
        # The customer is told an approver decides, then the turn interrupts.
        (OutcomeKind.AWAIT_APPROVAL, "compose_reply", "await_approval"),
    ],
)
async def test_the_next_node_follows_the_outcome_kind(
    kind: OutcomeKind, after_decide: str, after_compose: str
) -> None:
    assert await routing.route_after_decide(turn(kind)) == after_decide
    assert await routing.route_after_compose(turn(kind)) == after_compose


def test_every_outcome_kind_has_a_next_node() -> None:
    assert set(routing.NEXT_AFTER_DECIDE) == set(OutcomeKind)


async def test_a_decided_approval_ends_the_turn_once_the_answer_is_worded() -> None:
    rejected = turn(OutcomeKind.AWAIT_APPROVAL, approval={"decision": "reject"})
    assert await routing.route_after_compose(rejected) == END


@pytest.mark.parametrize(
    ("outcome", "after_approval"), [("approved", "execute_action"), ("rejected", "compose_reply")]
)
async def test_after_an_approval(outcome: str, after_approval: str) -> None:
    state = turn(OutcomeKind.AWAIT_APPROVAL, outcome=outcome)
    assert await routing.route_after_approval(state) == after_approval


async def test_an_outcome_of_an_earlier_turn_is_not_this_turns() -> None:
    """A turn recorded before the read decided (no outcome of its own) routes by its step
    record, as it did when it was recorded."""
    state = turn(OutcomeKind.EXECUTE, turn=4, decision={"step": "confirm"}, risk={"tier": "auto"})
    assert routing.outcome_kind(state) is None
    assert await routing.route_after_decide(state) == "compose_reply"
    legacy_execute = turn(
        OutcomeKind.ASK, turn=4, decision={"step": "execute"}, risk={"tier": "auto"}
    )
    assert await routing.route_after_decide(legacy_execute) == "execute_action"
