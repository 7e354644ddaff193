"""A verified customer who has asked for nothing yet is asked what they need, not handed off."""

from __future__ import annotations

from typing import Any

import pytest

from domain.dialogue import Category, DialogueInput, Step, decide


def _input(
    category: Category, *, confident: bool, verified: bool, **captured: Any
) -> DialogueInput:
    return DialogueInput(
        category=category,
        wants_human=False,
        confident=confident,
        autonomous=False,
        verified=verified,
        affirm=None,
        captured=captured,
        customer=None,
        order=None,
        proposal=None,
    )


@pytest.mark.parametrize(
    ("category", "confident", "verified", "captured", "step", "ask_for"),
    [
        # "hello, ada@example.com here": verified, nothing asked yet.
        (Category.OTHER, True, True, {}, Step.ASK, "need"),
        (Category.OTHER, False, True, {}, Step.ASK, "need"),
        # "hello?" before anything is asked: no identity wall, the question what they need.
        (Category.OTHER, True, False, {}, Step.ASK, "need"),
        # Once a request was heard, identity comes first.
        (Category.RETURN, True, False, {"issue": "return my shoes"}, Step.ASK, "identity"),
        # Once a request was heard, an unclear or off-topic message goes to a person as before.
        (Category.OTHER, False, True, {"issue": "my order is late"}, Step.ESCALATE, "request"),
        (Category.OTHER, True, True, {"issue": "my order is late"}, Step.ESCALATE, None),
        # A real request is untouched by the rule.
        (Category.CANCEL_ORDER, True, True, {}, Step.ASK, "order_id"),
    ],
)
def test_the_first_request(
    category: Category,
    confident: bool,
    verified: bool,
    captured: dict[str, Any],
    step: Step,
    ask_for: str | None,
) -> None:
    decision = decide(_input(category, confident=confident, verified=verified, **captured))
    assert (decision.step, decision.ask_for) == (step, ask_for)
