"""Rate-limited sign-in: failed attempts are counted per username and address.

After `max_failures` failures for one username from one address within `window`,
further attempts for that pair are refused until the oldest failure leaves the
window. A looser limit per address (`max_failures_per_address`) slows one client
guessing across many usernames, and one per account (`max_failures_per_account`)
slows many clients guessing one password; neither lets one client lock everyone
out, since the address is the client's own (`client_address`: `X-Forwarded-For`
counts only when the connection comes from a configured trusted proxy). Both
password endpoints (`POST /api/auth/token` and the review sign-in) share one
throttle. Kept in the web process's memory: a restart forgets, and several web
processes each count on their own.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from web.deps import WebContext


class LoginThrottle:
    def __init__(
        self,
        *,
        max_failures: int = 5,
        max_failures_per_address: int = 50,
        max_failures_per_account: int = 20,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address
        self.max_failures_per_account = max_failures_per_account
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
        account = self._key(username, address)[0]
        for matches, limit in (
            (lambda k: k[1] == address, self.max_failures_per_address),
            (lambda k: k[0] == account, self.max_failures_per_account),
        ):
            times: list[float] = []
            for key in [k for k in self._failures if matches(k)]:
                times.extend(self._recent(key, now))
            times.sort()
            if len(times) >= limit:
                waits.append(times[-limit] + self.window - now)
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


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]
) -> str:
    """The client's address: the connection's peer, unless that peer is a trusted proxy,
    in which case the nearest `X-Forwarded-For` hop that is not itself a trusted proxy."""
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    address = peer or "unknown"
    if not networks or not trusted(address) or not forwarded_for:
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        address = hop
        if not trusted(hop):
            break
    return address


def request_address(request: Request, ctx: WebContext) -> str:
    """`client_address` for a request, with the deployment's trusted proxies."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        ctx.settings.trusted_proxies,
    )
