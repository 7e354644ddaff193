"""Which of a verified customer's own orders a request is about, when it names no number.

Customers often do not have the order number at hand ("the earbuds I got are crackling",
"cancel what I ordered yesterday"). Once they are verified their orders are theirs to
see, so the agent looks among them instead of asking for a number they may not have:

- when the message names products ("the earbuds"), the orders holding them, and of
  those the ones the request can apply to;
- else the orders the request can apply to at all (a cancellation: pending ones; a
  return: delivered ones; a status question: those not yet delivered, else any).

One order left: the request is about it, and everything that follows names it (a
proposal names the order, every item and amount, so the customer's yes still confirms
exactly what happens); named by its products but in a status the request cannot apply
to, the customer hears why it cannot be done. Several: the agent asks which, listing
them by what they hold, and the customer can answer with the number, a product or "the
first/second one". Pure: orders in, orders out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.dialogue import Category
from domain.items import settled_lines
from domain.matching import lines_named
from domain.retail import Order, OrderStatus

#: At most this many orders are listed in a question: more is a list nobody reads.
MAX_LISTED = 5

_PENDING = frozenset({OrderStatus.PENDING})
_CHANGEABLE = frozenset({OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED})
_DELIVERED = frozenset({OrderStatus.DELIVERED})
_ON_THE_WAY = frozenset(
    {OrderStatus.PENDING, OrderStatus.PENDING_ITEM_MODIFIED, OrderStatus.PROCESSED}
)
_REFUNDED = frozenset(
    {
        OrderStatus.CANCELLED,
        OrderStatus.RETURN_REQUESTED,
        OrderStatus.RETURNED,
        OrderStatus.EXCHANGE_REQUESTED,
        OrderStatus.EXCHANGED,
    }
)

#: The statuses an order must have for the request to apply to it; a category missing
#: here applies to an order in any status.
APPLIES_TO: Mapping[Category, frozenset[OrderStatus]] = {
    Category.CANCEL_ORDER: _PENDING,
    Category.CHANGE_ITEMS: _PENDING,
    Category.CHANGE_ADDRESS: _CHANGEABLE,
    Category.CHANGE_PAYMENT: _CHANGEABLE,
    Category.RETURN: _DELIVERED,
    Category.EXCHANGE: _DELIVERED,
    Category.ORDER_STATUS: _ON_THE_WAY,
    Category.REFUND_STATUS: _REFUNDED,
}
#: Questions about an order, not changes to it: with none in the statuses above, any
#: order of the customer's may be the one.
_QUESTIONS = frozenset({Category.ORDER_STATUS, Category.REFUND_STATUS})

_ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
}
_WORD = re.compile(r"[a-z0-9]+")
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|last)\b", re.IGNORECASE)


@dataclass(frozen=True)
class OrderLookup:
    """The orders a request may be about, newest first; `found` when there is one."""

    candidates: tuple[Order, ...]

    @property
    def found(self) -> Order | None:
        return self.candidates[0] if len(self.candidates) == 1 else None


def _newest_first(orders: Sequence[Order]) -> tuple[Order, ...]:
    return tuple(sorted(orders, key=lambda o: o.id, reverse=True))


def _naming(text: str, orders: Sequence[Order]) -> list[Order]:
    """The orders holding a product the text names (one line or several: "two kettles");
    of those, the ones holding a product it names in full, when any does ("the tea
    kettle": the Tea Kettle's order, not the Electric Kettle's)."""
    named = [o for o in orders if settled_lines(text, o.lines) or lines_named(text, o.lines)]
    words = set(_WORD.findall(text.lower()))
    in_full = [
        o
        for o in named
        if any(set(_WORD.findall(line.name.lower())) <= words for line in o.lines)
    ]
    return in_full or named


# "my order that hasn't shipped", "the one still pending": an order not yet shipped.
_NOT_SHIPPED = re.compile(
    r"\b(?:(?:has ?n[o']?t|not|never|is ?n[o']?t|hasnt|isnt)\s+(?:yet\s+)?(?:been\s+)?"
    r"(?:shipped|sent|dispatched|gone out)|(?:still|yet) (?:pending|to ship)|pending)\b",
    re.IGNORECASE,
)


def find_order(category: Category, text: str, orders: Sequence[Order]) -> OrderLookup:
    """The customer's orders `text` (a request in `category`) may be about; an order said
    not to have shipped yet is one of those (unless none is)."""
    if _NOT_SHIPPED.search(text):
        waiting = [o for o in orders if o.status in _CHANGEABLE]
        orders = waiting or orders
    applies = APPLIES_TO.get(category)
    named = _naming(text, orders)
    if named:
        # The products named decide; of their orders, those a change can apply to. If it
        # applies to none of them, they still are the ones: the customer hears why not.
        # A question is about the order named whatever its status.
        fitting = [
            o
            for o in named
            if applies is None or category in _QUESTIONS or o.status in applies
        ]
        return OrderLookup(_newest_first(fitting or named))
    fitting = [o for o in orders if applies is None or o.status in applies]
    if not fitting and category in _QUESTIONS:
        fitting = list(orders)
    return OrderLookup(_newest_first(fitting))


def pick_listed(text: str, listed: Sequence[Order]) -> Order | None:
    """The order of a listed choice the customer's answer picks: by a product only one of
    them holds, or by its place in the list ("the first one", "the last")."""
    named = _naming(text, listed)
    if len(named) == 1:
        return named[0]
    match = _ORDINAL.search(text)
    if match is None or not listed:
        return None
    word = match.group(1).lower()
    index = len(listed) - 1 if word == "last" else _ORDINALS[word]
    return listed[index] if index < len(listed) else None
