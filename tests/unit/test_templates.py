"""Template replies: what the customer reads, worded from the decision's facts alone."""

from __future__ import annotations

import pytest

from brain.base import ReplyRequest
from brain.templates import compose_from_template


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        (
            "a refund of 899.00 is above the automatic limit of 250.00, so an approver decides",
            "Thank you. A refund of 899.00 is above the automatic limit of 250.00, so an "
            "approver will review this.",
        ),
        (
            "a refund of 2,400.00 is above 2,000.00, so a senior approver decides",
            "Thank you. A refund of 2,400.00 is above 2,000.00, so a senior approver will "
            "review this.",
        ),
        (
            "the customer was refunded twice this month",
            "Thank you. Because the customer was refunded twice this month, an approver will "
            "review this.",
        ),
    ],
)
def test_the_customer_is_told_who_reviews_and_why(reason: str, said: str) -> None:
    reply = compose_from_template(
        ReplyRequest(
            step="awaiting_approval",
            facts={"proposal": {"approval_reason": reason}, "sla": "within 4 hours"},
        )
    )
    assert reply.text == said + " You can expect an answer within 4 hours; I'll write to you here."
