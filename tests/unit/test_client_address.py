"""Whose address counts as the client of a sign-in (the throttle itself counts in the store:
tests/integration/test_sign_in_throttle.py)."""

from __future__ import annotations

from web.review.throttle import client_address


def test_forwarded_for_counts_only_behind_a_trusted_proxy() -> None:
    spoofed = "1.2.3.4"
    assert client_address("203.0.113.7", spoofed, []) == "203.0.113.7"
    assert client_address("203.0.113.7", spoofed, ["10.0.0.0/8"]) == "203.0.113.7"
    assert client_address("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"]) == "198.51.100.1"
    # A client cannot pick its address by prepending hops: the nearest untrusted hop counts.
    assert client_address("10.0.0.2", f"{spoofed}, 198.51.100.1, 10.0.0.3", ["10.0.0.0/8"]) == (
        "198.51.100.1"
    )
    assert client_address(None, None, []) == "unknown"
