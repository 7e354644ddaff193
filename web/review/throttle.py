"""Rate-limited sign-in: failed attempts are counted per username and address.

After `max_failures` failures for one username from one address within `window`,
further attempts for that pair are refused until the oldest failure leaves the
window. A looser limit per address (`max_failures_per_address`) slows one client
guessing across many usernames, and one per account (`max_failures_per_account`)
slows many clients guessing one password; neither lets one client lock everyone
out, since the address is the client's own (`client_address`: `X-Forwarded-For`
counts only when the connection comes from a configured trusted proxy). Both
password endpoints (`POST /api/auth/token` and the review sign-in) share one
throttle. The counts live in the store (`store/sign_in_failures.py`), so every web
process enforces the same limits and a restart forgets nothing; the store keeps one window
of them and at most `max_tracked` rows, pushing out failures for names that are no account
before any real account's.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from store.models import utcnow
from store.sign_in_failures import clear_failures, recent_failures, record_failure

if TYPE_CHECKING:
    from web.deps import WebContext


class LoginThrottle:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_failures: int = 5,
        max_failures_per_address: int = 50,
        max_failures_per_account: int = 20,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utcnow,
        max_tracked: int = 100_000,
    ) -> None:
        self.sessions = sessions
        self.max_failures = max_failures
        self.max_failures_per_address = max_failures_per_address
        self.max_failures_per_account = max_failures_per_account
        self.window = window
        self.clock = clock
        self.max_tracked = max_tracked

    def retry_after(self, username: str, address: str) -> int | None:
        """Seconds until this username may be tried again from this address; None if now."""
        now = self.clock()
        since = now - self.window
        waits = []
        for limit, scope in (
            (self.max_failures, {"username": username, "address": address}),
            (self.max_failures_per_address, {"address": address}),
            (self.max_failures_per_account, {"username": username}),
        ):
            times = recent_failures(self.sessions, since=since, limit=limit, **scope)
            if len(times) >= limit:  # the limit-th newest failure leaves the window last
                waits.append((times[-1] + self.window - now).total_seconds())
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        record_failure(
            self.sessions,
            username,
            address,
            now=now,
            forget_before=now - self.window,
            max_rows=self.max_tracked,
        )

    def succeeded(self, username: str, address: str) -> None:
        clear_failures(self.sessions, username, address)


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
