"""Sign-in throttling per account and per client, and whose address counts as the client."""

from __future__ import annotations

from datetime import timedelta

from web.review.throttle import LoginThrottle, client_address


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_many_clients_guessing_one_account_are_slowed() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, max_failures_per_account=8, clock=clock)
    for i in range(8):
        assert throttle.retry_after("pat", f"10.0.0.{i}") is None
        throttle.failed("pat", f"10.0.0.{i}")
    assert throttle.retry_after("PAT", "10.9.9.9") is not None
    assert throttle.retry_after("lou", "10.9.9.9") is None  # other accounts unaffected
    clock.now += timedelta(minutes=16).total_seconds()
    assert throttle.retry_after("pat", "10.9.9.9") is None


def test_one_client_does_not_lock_out_another() -> None:
    throttle = LoginThrottle(max_failures=3, max_failures_per_address=5, clock=Clock())
    for name in ("a", "b", "c", "d", "e"):
        throttle.failed(name, "203.0.113.7")
    assert throttle.retry_after("pat", "203.0.113.7") is not None
    assert throttle.retry_after("pat", "198.51.100.1") is None


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
