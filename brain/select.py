"""Which brain a worker runs: Claude when an API key is configured, else the offline one."""

from __future__ import annotations

from collections.abc import Callable

from brain.base import Brain
from brain.claude import ClaudeBrain
from trustdesk.config import Settings


def select_brain(settings: Settings, offline_factory: Callable[[], Brain]) -> Brain:
    """`ClaudeBrain` when an Anthropic API key is configured, else `offline_factory()`."""
    if (settings.anthropic_api_key or "").strip():
        return ClaudeBrain.from_settings(settings)
    return offline_factory()
