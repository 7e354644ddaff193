"""Reading what a customer wants changed, against the shop's own facts.

Two pure matchers the dialogue uses before it proposes a change: which variant of a
product the customer asks for ("the blue one in size 10"), and which address they
want an order shipped to or their account moved to. Each returns nothing rather
than a guess; the dialogue then asks one question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain.retail import Address, OrderLine, Variant

# Option values that are short or numeric are only read next to their option's name
# ("size 9", "9 size" is too odd to expect); these words stand for them on their own.
_SIZE_WORDS = {
    "xs": ("extra small", "x-small"),
    "s": ("small",),
    "m": ("medium",),
    "l": ("large",),
    "xl": ("extra large", "x-large"),
    "xxl": ("xx-large", "2xl"),
}


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def _value_mentioned(text: str, key: str, value: str) -> bool:
    v = value.lower()
    if len(v) > 2 and not v.isdigit():
        return _mentions(text, v)
    k = re.escape(key.lower())
    if re.search(rf"\b{k}\s*(?:of\s*|:\s*|is\s*|=\s*)?{re.escape(v)}(?![a-z0-9])", text):
        return True
    return any(_mentions(text, word) for word in _SIZE_WORDS.get(v, ()))


def requested_options(text: str, variants: Sequence[Variant]) -> dict[str, str]:
    """The option values of these variants that the text names, one per option at most."""
    lowered = text.lower()
    values: dict[str, set[str]] = {}
    for variant in variants:
        for key, value in variant.options.items():
            values.setdefault(key, set()).add(value)
    found: dict[str, str] = {}
    for key, choices in values.items():
        named = [v for v in choices if _value_mentioned(lowered, key, v)]
        # The longest mention wins ("rose gold" over "gold"); a tie is not a choice.
        named.sort(key=len, reverse=True)
        if named and (len(named) == 1 or len(named[0]) > len(named[1])):
            found[key] = named[0]
    return found


def choose_variant(line: OrderLine, variants: Sequence[Variant], text: str) -> Variant | None:
    """The one available variant of the line's product that the text asks for, or None.

    Every option the customer names must match; options they do not name stay as they
    are on the line where possible. The line's own variant is never the answer, and an
    ambiguous request is not resolved by guessing.
    """
    candidates = [
        v
        for v in variants
        if v.product_id == line.product_id and v.available and v.item_id != line.item_id
    ]
    wanted = requested_options(text, [*candidates, *_as_variants(line)])
    wanted = {k: v for k, v in wanted.items() if line.options.get(k) != v}
    if not wanted:
        return None
    matching = [v for v in candidates if all(v.options.get(k) == w for k, w in wanted.items())]
    if not matching:
        return None

    def kept(v: Variant) -> int:
        return sum(
            1 for k, value in line.options.items() if k not in wanted and v.options.get(k) == value
        )

    best = max(kept(v) for v in matching)
    chosen = [v for v in matching if kept(v) == best]
    return chosen[0] if len(chosen) == 1 else None


def _as_variants(line: OrderLine) -> list[Variant]:
    return [
        Variant(
            item_id=line.item_id,
            product_id=line.product_id,
            options=line.options,
            price=line.price,
            available=False,
        )
    ]


_STREET = (
    r"street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl"
)
_ADDRESS = re.compile(
    rf"(?P<address1>\b\d{{1,6}}\s+(?:[A-Za-z0-9.'-]+\s+){{0,4}}?(?:{_STREET})\b\.?)"
    r"(?:\s*,?\s*(?P<address2>(?:apt|apartment|suite|ste|unit|#)\.?\s*[A-Za-z0-9-]+))?"
    r"\s*,\s*(?P<city>[A-Za-z][A-Za-z .'-]{1,40}?)\s*,?\s+"
    r"(?P<state>[A-Z]{2})\s*,?\s+(?P<zip>\d{5})(?:-\d{4})?\b",
    re.IGNORECASE,
)


def parse_address(text: str, country: str = "USA") -> Address | None:
    """A full street address in the text ("12 Elm Street, Apt 4, Boston, MA 02110"), or None."""
    match = _ADDRESS.search(text)
    if match is None:
        return None
    address2 = match.group("address2") or ""
    return Address(
        address1=" ".join(match.group("address1").split()).rstrip(".").title(),
        address2=" ".join(address2.split()).title(),
        city=" ".join(match.group("city").split()).title(),
        state=match.group("state").upper(),
        country=country,
        zip=match.group("zip"),
    )
