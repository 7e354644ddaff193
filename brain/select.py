"""Which brain a worker runs: Claude when an API key is configured, else the offline one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from brain.base import Brain

if TYPE_CHECKING:
    from brain.claude import ClaudeSettings


def select_brain(settings: ClaudeSettings, offline_factory: Callable[[], Brain]) -> Brain:
    """`ClaudeBrain` when an Anthropic API key is configured, else `offline_factory()`.

    The Claude client (and the SDK behind it) is imported only when it is the brain.
    """
    if (settings.anthropic_api_key or "").strip():
        from brain.claude import ClaudeBrain

        return ClaudeBrain.from_settings(settings)
    return offline_factory()
