"""Waiting on conditions, never on fixed sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(
    check: Callable[[], Awaitable[T]], timeout: float = 20.0, what: str = "condition"
) -> T:
    """Re-run `check` until it returns a truthy value (returned); fail after `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.02
    while True:
        last = await check()
        if last:
            return last
        if loop.time() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s (last value: {last!r})")
        await asyncio.sleep(delay)  # allowed: back-off between checks of a condition
        delay = min(delay * 1.5, 0.25)
