"""Personal data out of text sent to a model, and back into what the model returns.

A `Redactor` replaces emails, phone numbers, card-like digit runs and street
addresses by numbered placeholders (`[EMAIL_1]`, `[PHONE_1]`, ...), one per
distinct value, and remembers what each stands for. What the model answers with
placeholders is restored locally, so an email the customer typed still verifies
them although the model never saw it.

Kept on purpose, because reading a request needs them and they identify little on
their own: order ids (`#W1234567`), item ids (ten digits), tracking numbers
(twelve), zip codes, names, and the last four digits of a card.

Street addresses are found by a house number, up to four capitalised words and a
street suffix ("12 Hudson Street", "480 Valencia St., Apt 4B"); an address
written without a suffix or all in lower case passes. Phone numbers need
separators or a leading `+`, because a bare run of ten digits is an item id here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 13 to 19 digits, continuous or in the groupings cards are printed in (4-4-4-x, 4-6-5).
_CARD = re.compile(
    r"(?<![\w-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5})(?![\w-])"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d[\d ().-]{6,20}\d"  # international: a leading +, then digits with separators
    r"|(?:1[ .-])?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}"  # North American, separated
    r")(?!\w)"
)
_SUFFIX = (
    r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl)"
)
_ADDRESS = re.compile(
    r"\b\d{1,6}(?:\s+(?:[A-Z][\w'-]*|\d+(?:st|nd|rd|th))){1,4}\s+" + _SUFFIX + r"\b\.?"
    r"(?:,?\s+(?i:apt|apartment|suite|ste|unit)\.?\s*#?\s*[\w-]+|,?\s+#\s*[\w-]+)?"
)

# Applied in this order: an email may hold digits, and a card number is longer than a phone's.
_KINDS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    ("EMAIL", _EMAIL, lambda _: True),
    ("CARD", _CARD, lambda _: True),
    ("PHONE", _PHONE, lambda s: 7 <= sum(c.isdigit() for c in s) <= 15),
    ("ADDRESS", _ADDRESS, lambda _: True),
)
PLACEHOLDER = re.compile(r"\[(?:EMAIL|CARD|PHONE|ADDRESS)_\d+\]")


class Redactor:
    """Numbers placeholders across every text it redacts, so one value keeps one name."""

    def __init__(self) -> None:
        self._originals: dict[str, str] = {}
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    @property
    def originals(self) -> Mapping[str, str]:
        """Placeholder → the text it replaced."""
        return dict(self._originals)

    def redact(self, text: str) -> str:
        for kind, pattern, accept in _KINDS:
            text = pattern.sub(functools.partial(self._substitute, kind, accept), text)
        return text

    def _substitute(self, kind: str, accept: Callable[[str], bool], match: re.Match[str]) -> str:
        return self._replace(kind, match.group(0), accept)

    def restore(self, text: str) -> str:
        """Put the originals back; placeholders this redactor did not issue stay as they are."""
        return PLACEHOLDER.sub(lambda m: self._originals.get(m.group(0), m.group(0)), text)

    def redact_data(self, value: Any) -> Any:
        """`redact` every string in JSON-like data (dicts, lists, scalars)."""
        return _walk(value, self.redact)

    def restore_data(self, value: Any) -> Any:
        """`restore` every string in JSON-like data."""
        return _walk(value, self.restore)

    def _replace(self, kind: str, found: str, accept: Callable[[str], bool]) -> str:
        if not accept(found):
            return found
        key = (kind, _normalise(kind, found))
        if key not in self._placeholders:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self._placeholders[key] = placeholder
            self._originals[placeholder] = found
        return self._placeholders[key]


def _normalise(kind: str, found: str) -> str:
    if kind == "EMAIL":
        return found.lower()
    if kind in ("CARD", "PHONE"):
        return "".join(c for c in found if c.isdigit())
    return " ".join(found.split()).lower()


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: _walk(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(item, change) for item in value]
    return value
