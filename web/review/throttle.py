"""Rate-limited sign-in: failed attempts are counted per username and address.

After `max_failures` failures for one username from one address within `window`,
further attempts for that pair are refused until the oldest failure leaves the
window. A looser limit per address (`max_failures_per_address`) slows one client
guessing across many usernames. Kept in the web process's memory: a restart
forgets, and several web processes each count on their own.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta


class LoginThrottle:
    def __init__(
        self,
        *,
        max_failures: int = 5,
        max_failures_per_address: int = 50,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address
        self.window = window.total_seconds()
        self.clock = clock
        self.max_tracked = max_tracked
        self._failures: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _key(username: str, address: str) -> tuple[str, str]:
        return (username.strip().lower(), address)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds until this username may be tried again from this address; None if now."""
        now = self.clock()
        pair = self._recent(self._key(username, address), now)
        waits = []
        if len(pair) >= self.max_failures:
            waits.append(pair[-self.max_failures] + self.window - now)
        by_address: list[float] = []
        for key in [k for k in self._failures if k[1] == address]:
            by_address.extend(self._recent(key, now))
        by_address.sort()
        if len(by_address) >= self.max_failures_per_address:
            waits.append(by_address[-self.max_failures_per_address] + self.window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        if len(self._failures) >= self.max_tracked:
            for key in list(self._failures):
                self._recent(key, now)
            while len(self._failures) >= self.max_tracked:  # drop the longest-tracked pair
                del self._failures[next(iter(self._failures))]
        self._failures.setdefault(self._key(username, address), deque()).append(now)

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop(self._key(username, address), None)
