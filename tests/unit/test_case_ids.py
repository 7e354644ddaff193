"""Case ids are one-to-one with (channel, thread): no two conversations share a case."""

from __future__ import annotations

import re

import pytest

from workflows.contracts import case_id_for

CASE_ID = re.compile(r"^case-[A-Za-z0-9._-]{1,190}$")  # what the API accepts


def test_non_latin_senders_get_different_cases() -> None:
    assert case_id_for("sms", "user:محمد") != case_id_for("sms", "user:李雷")


@pytest.mark.parametrize(
    "thread", ["abc-123", "5f0c2a9e4b7d4c1a", "t1", "15551234567", "a.b_c-d"]
)
def test_plain_ascii_ids_are_unchanged(thread: str) -> None:
    assert case_id_for("webchat", thread) == f"case-webchat-{thread}"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("user:bob", "user_bob"),
        ("+15551234567", "_15551234567"),
        ("a" * 150 + "b", "a" * 150 + "c"),
        ("user:محمد", "user:李雷"),
        ("x__y", "x_y"),
    ],
)
def test_ids_that_used_to_collapse_stay_apart_and_url_safe(one: str, other: str) -> None:
    first, second = case_id_for("sms", one), case_id_for("sms", other)
    assert first != second
    assert CASE_ID.match(first) and CASE_ID.match(second)
    assert case_id_for("sms", one) == first  # stable
