"""The scripted customer: a small policy that answers what the agent asks, from its scenario.

It gives the identity forms its scenario holds when asked who it is, names the
expected item when asked which one, the order when asked which order, and says yes
to a proposal only when the proposal names exactly what it asked for (every
expected item, the expected amount, no other item of the order); otherwise "no,
that's not what I asked". Asked what it is about, it names its scenario's topic once
(or says its first message again); asked what went wrong, it says its next message, or its
first again. It asks for a person when its scenario says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bench.conversations.scenarios import Change, Scenario

DECLINE = "no, that's not what I asked"
ACCEPT = "yes"
ASK_PERSON = "I'd like to talk to a person please"
NO_ACCOUNT = "I don't have an account with you, I'm just asking"
NO_CODE = "I haven't received any code"

_IDENTITY = ("who you are", "verify your identity", "email address on your account", "name and zip")
_PROPOSAL = (
    "shall i go ahead",
    "yes or no",
    "should i go ahead",
    "do you want me to",
    "would you like me to",
)
# What a customer answers "is this about a return or an exchange?" with, by the
# scenario's category.
_TOPIC = {
    "refund_status": "where my refund is",
    "order_status": "where my order is",
    "order_contents": "what my order holds",
    "return": "returning something",
    "exchange": "exchanging something",
    "cancel_order": "cancelling my order",
    "change_address": "the delivery address of my order",
    "change_items": "changing an item before it ships",
    "change_payment": "how my order is paid",
    "account_address": "the address on my account",
}
_ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "cancel": ("cancel",),
    "return": ("return", "refund"),
    "exchange": ("exchange", "swap"),
    "modify_items": ("change", "swap", "replace", "modify"),
    "order_address": ("address", "ship", "deliver"),
    "account_address": ("address",),
    "payment": ("pay", "card", "paypal", "gift card"),
}


def money_forms(amount: Decimal) -> tuple[str, ...]:
    """How an amount may be written: 2,349.00 or 2349.00."""
    plain = f"{amount:.2f}"
    return (f"{amount:,.2f}", plain)


def proposal_matches(text: str, changes: list[Change], order_items: list[str]) -> bool:
    """The proposal names exactly the expected action: its items, its amount, nothing else."""
    if len(changes) != 1:
        # Two requests: each proposal must be one of them, checked on its own.
        return any(proposal_matches(text, [c], order_items) for c in changes)
    change = changes[0]
    lower = text.lower()
    if not any(word in lower for word in _ACTION_WORDS[change.action]):
        return False
    words = [*change.item_names, *change.says, *(change.address or {}).values()]
    if any(word.lower() not in lower for word in words):
        return False
    others = {n.lower() for n in order_items} - {n.lower() for n in change.item_names}
    if change.item_names and any(other in lower for other in others):
        return False
    return change.refund is None or any(form in text for form in money_forms(change.refund))


@dataclass
class ScriptedCustomer:
    """One customer's side of one conversation."""

    scenario: Scenario
    #: Item names of the orders the scenario's goal is about, for the "nothing else" check.
    order_items: list[str] = field(default_factory=list)
    sent: int = 0
    _identity: int = 0
    _item: int = 0
    _said: int = 0
    _told: bool = False

    def opening(self) -> str:
        self._said = 1
        self.sent = 1
        return self.scenario.say[0]

    def reply_to(self, text: str) -> str | None:
        """The customer's next message after the agent said `text`; None: it has nothing to add."""
        message = self._next(text)
        if message is not None:
            self.sent += 1
        return message

    def _next(self, text: str) -> str | None:
        lower = " ".join(text.lower().split())
        s, a = self.scenario, self.scenario.answers
        if s.person_at is not None and self.sent + 1 == s.person_at:
            return ASK_PERSON
        if any(k in lower for k in _IDENTITY):
            if self._identity < len(s.identity):
                self._identity += 1
                return s.identity[self._identity - 1]
            return s.identity[-1] if s.identity else NO_ACCOUNT
        if re.search(r"\b(code|one-time|passcode)\b", lower) and "zip code" not in lower:
            return NO_CODE
        if any(k in lower for k in _PROPOSAL):
            ok = bool(s.goal.changes) and proposal_matches(text, s.goal.changes, self.order_items)
            return ACCEPT if ok else DECLINE
        if any(k in lower for k in ("which item", "which product", "which of the items")) or (
            "which of these" in lower and "item" in lower
        ):
            if a.items:
                self._item = min(self._item + 1, len(a.items))
                return a.items[self._item - 1]
            return "the whole order"
        if "which order" in lower or "order number" in lower:
            return a.order or "I don't have an order number"
        if "why you'd like to cancel" in lower or "why would you like to cancel" in lower:
            return a.reason
        if "new address" in lower:
            return a.address or "I don't want to change any address"
        asked = " ".join(q for q in re.findall(r"[^.?!]*\?", lower))  # its questions only
        if "payment method" in asked or "last four digits" in lower:
            return a.payment or "the card I paid with"
        if "which version" in lower or "which option" in lower:
            return a.option or "the same one"
        if (
            "put this right" in lower
            or "preferred" in lower
            or "what would you like us to do" in lower
        ):
            return a.resolution
        if ("is this about" in lower or "in a few words what you need" in lower) and not self._told:
            self._told = True  # asked what it is about: said once, in the customer's words
            return f"it's about {_TOPIC[s.category]}" if s.category in _TOPIC else s.say[0]
        if self._said < len(s.say):
            self._said += 1
            return s.say[self._said - 1]
        if "what went wrong" in lower or "what should be different" in lower:
            return s.say[0]  # nothing more to tell: it says what it said first
        return None
